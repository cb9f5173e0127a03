"""A name one report of an outlet extracted and another only spelled out (`grouping._share_entity`).

One outlet's two dated reports that both have a teaser pair only if they name an entity in
common (`grouping.SAME_SOURCE_DISCOUNT`'s entity test): its beat shares words, one event shares
a person, place or organisation. The extractor does not find every name: a Title Case headline's
words are no names unless the entry names them elsewhere, and a possessive run ("Why Jamaat, NCP
Boycotted Tarique Rahman's Swearing-In") may hold none. The other report's name is then only its
words among the first one's terms. A multi-word person or organisation of one report whose every
word is a term of the other counts as named by both: two or more words of one name, not a place
("Kenya" is a word of every report of AllAfrica's Kenyan beat) and not one word ("Trump").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wirereader.analysis.features import terms

# A person's thread term reads a "y" inside a word as "i" (`pipeline.person_term`): a report's
# own words are read so too before they are compared with a name's.
_Y_INSIDE = re.compile(r"\By")


@lru_cache(maxsize=8192)
def name_words(entity: str) -> tuple[str, ...]:
    """The terms of a multi-word person's or organisation's name (an entity term such as
    "@person:tarique rahman"), each "y" inside a word read as "i"; () for any other term or a
    name of fewer than two terms."""
    if not entity.startswith(("@person:", "@org:")) or " " not in entity:
        return ()
    words = tuple(_Y_INSIDE.sub("i", t) for t in terms(entity.partition(":")[2]))
    return words if len(words) >= 2 else ()


def spelled_out(names: Iterable[str], words: Iterable[str]) -> bool:
    """Whether one of `names` (one report's terms; only its multi-word people and organisations
    count) has all its words among `words` (the other report's terms, entity terms aside)."""
    wanted = [w for w in map(name_words, names) if w]
    if not wanted:
        return False
    held = {_Y_INSIDE.sub("i", t) for t in words if t[:1] != "@"}
    return any(held.issuperset(w) for w in wanted)

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

from collections.abc import Container, Iterable
from functools import lru_cache

from wirereader.analysis.features import terms


@lru_cache(maxsize=8192)
def name_words(entity: str) -> tuple[str, ...]:
    """The terms of a multi-word person's or organisation's name (an entity term such as
    "@person:tarique rahman"); () for any other term or a name of fewer than two terms. (A
    person's term reads a "y" inside a word as "i", `pipeline.person_term`: such a name's
    words are not found among a report's own spelling of them, and it counts for nothing.)"""
    if not entity.startswith(("@person:", "@org:")) or " " not in entity:
        return ()
    words = tuple(terms(entity.partition(":")[2]))
    return words if len(words) >= 2 else ()


def names_of(entities: Iterable[str]) -> list[tuple[str, ...]]:
    """The words of each multi-word person or organisation among one report's entity terms."""
    return [w for w in map(name_words, entities) if w]


def spelled_out(names: list[tuple[str, ...]], words: Container[str]) -> bool:
    """Whether all the words of one of `names` (`names_of` one report's entity terms) are
    among `words` (the other report's terms)."""
    return any(all(w in words for w in name) for name in names)

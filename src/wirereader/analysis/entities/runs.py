"""Tests on one capitalised run's own words and the text right around it.

Place in the data flow: between the scan and the cut. `names._Extractor` asks them of a run
(`tokens._Run`) before cutting it into names: whether it is a work's title ('Gone With The
Wind'), whether a compound adjective splits it ('Kremlin-linked Wagner'), whether a quotation
closes right after it, whether a headline's word is written elsewhere in the entry as a verb,
and which run before it an elided article joins ('al-', "d'").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wirereader.analysis.entities.cues import (
    adjective,
)
from wirereader.analysis.entities.gazetteer import (
    nameless_words,
)
from wirereader.analysis.entities.tokens import (
    _CLOSING_QUOTES,
    _has_word,
    _Run,
    _Span,
    _token,
)

_WORD_SPAN = re.compile(r"\S+")


# Articles written with a capital inside a run (see `_title_article`)
_CAPITAL_ARTICLES = (" A ", " An ", " The ")


# One search for any of them first: a literal blank opens it, so the engine skips ahead
_ANY_CAPITAL_ARTICLE = re.compile(r" (?:A|An|The) ")


_WORD_GLUE = frozenset("_'’.-")


def _title_article(text: str, start: int, end: int) -> bool:
    """Whether a run holds an article written with a capital right after a capitalised word: a
    work's title mid-sentence ('her hit Like A Virgin', 'Gone With The Wind'), not a name ('CEO
    of The Wildlife Society' has it after a connector, "Scorsese's The Departed" after a
    possessive, 'Maria A. Lindqvist' a stop after the initial). String searches, not a regex:
    most runs hold no such article, and a pattern opening with a look-behind tries every
    position."""
    for article in _CAPITAL_ARTICLES:
        at = text.find(article, start, end)
        while at > start:
            word = at
            while word > start and text[word - 1].isalpha():
                word -= 1
            before = text[word - 1] if word else " "
            written = text[word:at]
            if (
                written.isascii()
                and written[:1].isupper()
                and written[1:].islower()
                and not before.isalnum()
                and before not in _WORD_GLUE
            ):
                return True
            at = text.find(article, at + 1, end)
    return False


def _written_as_verb(texts: Sequence[str], low: str) -> bool:
    """Whether an entry writes a headline's word in lower case, also a word in -s as another
    form of the same verb or noun: 'Escapes' and 'escaped', 'Checks' and 'checking', 'Leaves'
    and 'leaving', 'Tops' and 'top'. The entry's own sentences are the evidence, not a verb
    list (lemminflect's table of verbs' -s forms cut surnames: 'Maurice Cheeks'); a surname in
    -s is cut only where the entry writes its stem as a word ('Banks' beside 'banking')."""
    if _has_word(texts, low):
        return True
    if len(low) < 4 or not low.endswith("s") or low.endswith("ss"):
        return False
    stem = low[:-1]
    if stem not in texts[1] and stem not in texts[0] and not stem.endswith("e"):
        return False
    forms = [stem, stem + "ed", stem + "ing"]
    if stem.endswith("e"):
        forms += [stem + "d", stem[:-1] + "ing"]
        if stem.endswith("es"):
            forms += [stem[:-1], stem[:-1] + "ed"]  # 'Reaches': 'reach', 'reached'
    return any(_has_word(texts, f) for f in forms)


def _take_run_ending_at(items: list[_Span | _Run], end: int, part: int) -> int | None:
    """The start of the run just before, taken off `items`, when it ends at `end` in the same
    part of the text: an article joined to a name ('al-', "d'") joins that run too."""
    if items:
        start, stop, in_part = items[-1].where
        if stop == end and in_part == part:
            items.pop()
            return start
    return None


def _after_adjective(text: str, run: _Run) -> tuple[_Run, ...]:
    """A run with a compound adjective in it ('Generation Z-led uprising', 'Kremlin-linked
    Wagner'): the words up to the adjective qualify the noun after it and name nothing; the
    words after it are a run of their own. Where the words before the adjective are not all
    words no one is named, they and the adjective's first part are a name of their own ('the
    New York-based group', 'Ross Perot-backed', 'the Goldman Sachs-led group': 'New York',
    'Ross Perot', 'Goldman Sachs'), not the whole run with its '-based'. The runs to cut, in
    order: none when the run only qualifies a noun; the run itself when it holds no such
    adjective."""
    tokens = run.tokens
    last = -1
    for i, tok in enumerate(tokens):
        if "-" in tok.surface and adjective(tok.surface):
            last = i
    if last < 0:
        return (run,)
    where = [m.start() for m in _WORD_SPAN.finditer(text, run.start, run.end)]
    if len(where) != len(tokens):
        return (run,)
    runs: list[_Run] = []
    if last:
        nameless = nameless_words()
        if not all(t.lower in nameless for t in tokens[:last]):
            # "the Ross Perot-backed group": a name's words, then the adjective's first part
            head = tokens[last].surface.rpartition("-")[0]
            at = where[last]
            if not text.startswith(head, at):
                return (run,)
            words = (*tokens[:last], _token(head))
            runs.append(
                _Run(run.start, at + len(head), words, run.initial, run.title_case, run.part)
            )
    if last < len(tokens) - 1:
        runs.append(
            _Run(where[last + 1], run.end, tokens[last + 1 :], False, run.title_case, run.part)
        )
    return tuple(runs)


def _closes_quote(text: str, pos: int) -> bool:
    """Whether a quotation closes right after a run, or after a comma or a stop inside it
    (American style: '"The Godfather,"')."""
    after = text[pos : pos + 1]
    return after in _CLOSING_QUOTES or (
        after in ",." and text[pos + 1 : pos + 2] in _CLOSING_QUOTES
    )

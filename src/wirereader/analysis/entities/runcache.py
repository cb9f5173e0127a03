"""The runs decided by their text alone, and the caches that hold them.

Place in the data flow: the first step after the scan. `scan._Scanner._scan` asks
`_fast` for each capitalised run (`tokens`): a run that is one gazetteer name, or one that is
never a name ('The', 'Cold War'), is settled here and cached by its text in `_FAST`; the others
go on to the cut. A mid-sentence run whose cut needed no context is cached in `_CUTS` by the
extractor; one whose cut asked its context only through the recorded questions of
`context._ContextKinds` in `_CONTEXT_CUTS`, with those questions' answers; a run opening a
sentence, in `_OPENER_CUTS`, the same way. `clear_caches`
forgets them and the caches of `tokens`, `gazetteer` and `kinds` (benchmarks measure a cold
start with it). The caches are bounded against hostile input.
"""

from __future__ import annotations

from typing import Any

from wirereader.analysis.entities import kinds as learned_kinds
from wirereader.analysis.entities.cues import (
    acronym_plural,
    adjective,
    code,
    demonym_compound,
    ending_kind,
    never_alone,
)
from wirereader.analysis.entities.gazetteer import (
    EVENT,
    TITLE,
    Gazetteer,
    fold_key,
)
from wirereader.analysis.entities.tokens import (
    _name_text,
    _plain,
    _spelled,
    _spelled_as,
    _Token,
    _tokens,
)

# Runs whose fate needs no context (a gazetteer name, a stop word), by their text.
# A span's tokens, kind, canonical, surface, and whether a gazetteer vouches for it (a town's
# name does not: a full name in the entry may still claim it).
_Decided = tuple[tuple[_Token, ...], str, str, str, bool]


_FAST: dict[str, _Decided | bool] = {}


_FAST_LIMIT = 200_000


_LONGEST_CACHED = 120  # longer runs are never names of their own (see MAX_NAME_WORDS)


# How a mid-sentence run of several words was cut when nothing around it mattered.
_CUTS: dict[str, list[tuple[Any, ...]]] = {}  # by the run's text


# How a mid-sentence run of several words was cut when its cut read the words around it or
# the rest of the entry only through the recorded questions of `context._ContextKinds`
# (`_asked_at`, `_asked_run`, `_asked_key`), by the run's text: variants of (the questions with
# their answers, in the order asked; the spans, placed relative to the run). A later run of the
# same text asks the same questions again, in order; if every answer is the same, the cut
# would take the same path, and its spans are reused. The key is the run's text and those
# answers: a rule that reads anything else around a run or in the entry sets `used_context`
# (the run is then not cached), or asks it through one of those methods.
_CONTEXT_CUTS: dict[str, list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]] = {}


# How a run opening a sentence (outside a Title Case line or a body's headline) was cut, by
# the run's text, as in `_CONTEXT_CUTS`: variants of (the questions its cut asked of the
# entry and the words around it, with their answers; the spans). A sentence opener's cut reads
# the entry where a mid-sentence one does not, each time through a recorded question: whether
# an opening word is a common word that merely starts the sentence (`names._common_word`: the
# entry's mid-sentence capitals and lower-case words), whether it opens a noun phrase before
# 'of' (`_opener`), whether the entry capitalises a lone word mid-sentence (`_capitalised_mid`),
# whether the sentence asks (`_question`) or a speech verb follows (`_said`). The key covers the
# run's text, its being a sentence's opening (this cache holds no other runs) and those
# answers: a rule that reads anything else of an opening run's context or of the entry sets
# `used_context` (the run is then not cached) or asks it through a recorded question.
_OPENER_CUTS: dict[str, list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]] = {}


_CONTEXT_VARIANTS = 4  # variants kept a run's text (a run read in many contexts: the first)


# Run texts kept: ~0.7 KB a variant (ECB+ dev: 962 variants of 872 texts, 631 KB), so at most
# ~30 MB; emptied whole when full, as `_FAST` is
_CONTEXT_LIMIT = 10_000


# Each word's context-free tests, as bit flags, by the word's surface (`names._word_flags`).
_WORDS: dict[str, int] = {}


def clear_caches() -> None:
    """Forget the per-text caches (benchmarks measure a cold start with this)."""
    _FAST.clear()
    _CUTS.clear()
    _CONTEXT_CUTS.clear()
    _OPENER_CUTS.clear()
    _WORDS.clear()
    _tokens.cache_clear()
    _spelled_as.cache_clear()
    _plain.cache_clear()
    fold_key.cache_clear()
    ending_kind.cache_clear()
    learned_kinds.clear_cache()


def _fast(group: str, g: Gazetteer) -> _Decided | bool:
    """A whole run that is one gazetteer name: its span's fields; True: never a name ('The',
    'He', 'Cold War'); False: look closer."""
    verdict = _FAST.get(group)
    if verdict is None:
        verdict = False
        tokens = _tokens(group)
        if len(tokens) == 1:
            tok = tokens[0]
            known = g.by_acronym.get(tok.surface.replace(".", "")) or g.by_key.get(tok.key)
            if acronym_plural(tok.surface):
                # 'ETFs', '46 KOs', 'LEDs': a class of things, whatever name folds so ('Kos',
                # 'Leeds')
                known, verdict = None, True
            elif known is None and (
                tok.lower in g.ordinary
                or never_alone(g, tok)
                or adjective(tok.surface)
                or demonym_compound(g, tok.surface)
                or tok.key in g.event_singulars  # 'the Oscar nominations'
                or code(tok.surface)  # 'Q3', 'FY25', 'C4 explosives', 'GPT-5'
            ):
                verdict = True
            elif known is not None and (
                known.weak or (known.exact and not _spelled(known, tokens))
            ):
                known = None  # one word naming a town: the words around it decide
        else:
            known = g.by_key.get(" ".join([t.key for t in tokens]))
            if known is not None and (known.weak or known.exact) and not _spelled(known, tokens):
                known = None
        if known is not None:
            surface = _name_text(tokens)
            verdict = (
                True
                if known.kind in (EVENT, TITLE)
                else (tokens, known.kind, known.canonical, surface, not known.weak)
            )
        if len(_FAST) >= _FAST_LIMIT:
            _FAST.clear()  # bounded: hostile input cannot grow it forever
        _FAST[group] = verdict
    return verdict

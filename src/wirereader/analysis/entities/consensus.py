"""One name, one kind across a batch: a name's kind decided once from every entry naming it.

Within an entry `extract` already gives a name one kind (a cue in one mention types its
guessed mentions elsewhere, `extract._one_kind`). Across entries it did not: one entry says
'in Cortina' (a place), another names 'Cortina' only in a headline and leaves the kind to a
guess (an organisation), and the store then keeps two entities. Here the entries of a batch
pool their evidence, once per distinct name (its folded key):

- every entry naming it votes once for the kind it gave it: an entry where a gazetteer or a
  cue typed it (a title, a suffix, 'in X', 'X said', a given name) counts twice an entry that
  only guessed (the rules' guess or the kind model's), as mentions count within an entry;
- a kind with two thirds of the votes is the name's kind in the entries that only guessed it;
- an entry's own evidence is never overruled by another entry's ('Mr Jordan' stays a person
  beside the country, a city's name a team in a sports report), so only guesses move.

Measured (`bench/entities_bench.py`, the ECB+ dev topics as one shuffled batch, not grouped by
topic): with the typed entries alone voting, kind accuracy fell 0.9308 -> 0.9093 (two entries
with 'at Creighton' made a place of the university eight entries had guessed right); with the
guesses voting too (the rule above), 0.9308 -> 0.9322.

`weighed` is `extract` with a flag per mention, set where the entry only guessed the name's
kind; `settle` applies the batch's evidence (`record.record_entities` runs it on each batch
before the entities are resolved and stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from wirereader.analysis.entities.cues import PERSON
from wirereader.analysis.entities.extract import Mention, _mentions
from wirereader.analysis.entities.gazetteer import fold_key
from wirereader.analysis.entities.tokens import _Span, _where

_new = tuple.__new__

TYPED = 2  # the vote of an entry whose evidence typed the name
GUESSED = 1  # the vote of an entry that only guessed its kind
STORED = 2  # the vote of the one kind earlier runs stored a name under (as a typed entry)
# a kind needs this share of the votes (as a fraction: 2 / 3) to become the guesses' kind
SHARE_NUM, SHARE_DEN = 2, 3
GUESS, TYPE = b"\x01", b"\x00"

# An entry's extraction as a batch needs it: its text hash, mentions and their guess flags
Extracted = tuple[str, list[Mention], bytes]


def guess_flags(mentions: Sequence[Mention], spans: Sequence[_Span]) -> bytes:
    """A byte per mention: 1 where no mention of its name in the entry was typed by a
    gazetteer or a cue, 0 elsewhere."""
    typed: set[str] = set()
    for m, s in zip(mentions, spans, strict=True):
        if s.strong or s.known:
            typed.add(m.canonical)
    if not typed:
        return GUESS * len(mentions)
    return b"".join([TYPE if m.canonical in typed else GUESS for m in mentions])


def weighed(title: str, body: str, *, authors: Iterable[str] = ()) -> tuple[list[Mention], bytes]:
    """`extract`'s mentions, and `guess_flags` beside them."""
    mentions, spans, _evidence = _mentions(title, body, authors)
    return mentions, guess_flags(mentions, spans)


def weighed_located(
    title: str, body: str, *, authors: Iterable[str] = ()
) -> tuple[list[tuple[Mention, int, int, int]], bytes]:
    """`extract_located`'s mentions with `guess_flags` (for the benchmarks)."""
    mentions, spans, _evidence = _mentions(title, body, authors)
    located = [
        (m, span.where[2], *_where(span, body if span.where[2] else title))
        for m, span in zip(mentions, spans, strict=True)
    ]
    return located, guess_flags(mentions, spans)


def settle(
    batch: Sequence[tuple[Sequence[Mention], bytes]], stored: Mapping[str, str] | None = None
) -> list[list[Mention]]:
    """The mentions of each entry of a batch (with its `guess_flags`), where a name the entry
    only guessed takes the kind the whole batch gives it (see the module's docstring).
    `stored`: the one kind earlier runs stored a name (its folded key) under, a typed vote."""
    votes: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}  # canonical -> folded key, once per distinct name
    for mentions, flags in batch:
        seen: set[str] = set()
        for m, flag in zip(mentions, flags, strict=True):
            name = m.canonical
            if name in seen:
                continue
            seen.add(name)
            key = names.get(name)
            if key is None:
                key = names[name] = fold_key(name)
            tally = votes.get(key)
            if tally is None:
                tally = votes[key] = {}
            tally[m.kind] = tally.get(m.kind, 0) + (GUESSED if flag else TYPED)
    if stored:
        for key, tally in votes.items():
            kind = stored.get(key)
            if kind is not None:
                tally[kind] = tally.get(kind, 0) + STORED
    winners: dict[str, str] = {}
    for key, tally in votes.items():
        if len(tally) > 1:
            best = max(tally, key=tally.__getitem__)
            if SHARE_DEN * tally[best] >= SHARE_NUM * sum(tally.values()):
                winners[key] = best
    out: list[list[Mention]] = []
    for mentions, flags in batch:
        fixed = list(mentions)
        if winners and 1 in flags:
            for i, (m, flag) in enumerate(zip(mentions, flags, strict=True)):
                if not flag:
                    continue
                kind = winners.get(names[m.canonical])
                if kind is not None and kind != m.kind:
                    short = m.short or (kind == PERSON and " " not in m.canonical)
                    fixed[i] = _new(Mention, (m.surface, m.canonical, kind, short))
        out.append(fixed)
    return out

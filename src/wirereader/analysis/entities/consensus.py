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
from itertools import compress
from operator import itemgetter, not_

from wirereader.analysis.entities.cues import PERSON
from wirereader.analysis.entities.extract import Mention, _mentions
from wirereader.analysis.entities.gazetteer import fold_key
from wirereader.analysis.entities.tokens import _Span, _where

_new = tuple.__new__
_CANONICAL = itemgetter(1)  # a Mention's fields by position: no descriptor call
_KIND = itemgetter(2)
_STRONG = itemgetter(5)  # a span's

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
    gazetteer or a cue (a gazetteer's span is a typed one too), 0 elsewhere. (C loops over
    the fields by position: this runs on every entry.)"""
    typed = set(compress(map(_CANONICAL, mentions), map(_STRONG, spans)))
    if not typed:
        return GUESS * len(mentions)
    return bytes(map(not_, map(typed.__contains__, map(_CANONICAL, mentions))))


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
    batch: Sequence[tuple[list[Mention], bytes]], stored: Mapping[str, str] | None = None
) -> list[list[Mention]]:
    """The mentions of each entry of a batch (with its `guess_flags`), where a name the entry
    only guessed takes the kind the whole batch gives it (see the module's docstring); an
    entry's list is returned as it is where nothing changed. `stored`: the one kind earlier
    runs stored a name (its folded key) under, which votes as a typed entry would.

    Only the names some entry guessed are counted, and the entries naming one of them: the
    sets are made by C loops (`compress`, `intersection`), and the vote walks those few
    names, not every mention (a vote over every name cost 4% of the extraction's time on the
    ECB+ articles). Entries meet by the name as written; the key joins their spellings."""
    guessed: set[str] = set()
    for mentions, flags in batch:
        if 1 in flags:
            guessed.update(compress(map(_CANONICAL, mentions), flags))
    if not guessed:
        return [mentions for mentions, _flags in batch]
    keys = {name: fold_key(name) for name in guessed}
    votes: dict[str, dict[str, int]] = {}
    # each entry's guessed names (with their kinds there), if it names one any entry guessed
    named: list[dict[str, str] | None] = []
    for mentions, flags in batch:
        here = guessed.intersection(map(_CANONICAL, mentions))
        if not here:
            named.append(None)
            continue
        kinds = dict(zip(map(_CANONICAL, mentions), map(_KIND, mentions), strict=True))
        mine = set(compress(map(_CANONICAL, mentions), flags)) if 1 in flags else set()
        for name in here:
            kind = kinds[name]
            tally = votes.setdefault(keys[name], {})
            tally[kind] = tally.get(kind, 0) + (GUESSED if name in mine else TYPED)
        named.append({name: kinds[name] for name in mine} if mine else None)
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
    for (mentions, _flags), mine in zip(batch, named, strict=True):
        changed: dict[str, str] = {}
        if mine and winners:
            for name, kind in mine.items():
                won = winners.get(keys[name])
                if won is not None and won != kind:
                    changed[name] = won
        if not changed:
            out.append(mentions)
            continue
        fixed = []
        for m in mentions:
            kind = changed.get(m[1])
            if kind is not None:
                short = m.short or (kind == PERSON and " " not in m.canonical)
                m = _new(Mention, (m.surface, m.canonical, kind, short))
            fixed.append(m)
        out.append(fixed)
    return out



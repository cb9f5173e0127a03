"""The TF weights of an item's title and body terms for story threads (`index.py`).

A pure function of the text, so the worker process that prepares a batch (`prepare_pool.py`)
computes them ahead of it (a chunk at a time, `packed_text_weights`); this module does not
import the thread state, so that worker does not load it. The title counts TITLE_WEIGHT
times, more for long bodies (one more per TITLE_PER_BODY_TERMS body terms): the headline says
what a long piece is about; and the first LEDE_TERMS terms of the body count LEDE_WEIGHT
times, since news is written lede first.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from itertools import chain, repeat
from typing import Any

import numpy as np

from wirereader.analysis.features import (
    SPLIT_TERM,
    NumberedWords,
    PackedWeights,
    numbered_words,
    paragraph_words,
    strip_kind_prefix,
    term_numbers,
    terms,
    terms_of_words,
    words_give_terms,
)

TITLE_WEIGHT = 2.0
LEDE_WEIGHT = 2.0  # who, what and where come first
LEDE_TERMS = 30
TITLE_PER_BODY_TERMS = 40
MAX_BODY_TERMS = 400  # the start of a long article says what it is about
MAX_BODY_CHARS = MAX_BODY_TERMS * 16  # a body's terms are found in its start


def item_tokens(
    title: str, body: str, words: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """The terms of an item's title and body that `text_weights` weighs (from the body's
    `words`, as dedup found them, where they give the same terms)."""
    body_terms = None
    if words is not None and len(body) <= MAX_BODY_TERMS * 16:
        body_terms = terms_of_words(body, words, MAX_BODY_TERMS)
    if body_terms is None:
        # Slice first: a hostile megabyte body must not be tokenised whole for 400 terms.
        body_terms = terms(body[: MAX_BODY_TERMS * 16], MAX_BODY_TERMS)
    return terms(strip_kind_prefix(title)), body_terms


def text_weights(title: str, body: str) -> dict[str, float]:
    """Each term of an item's title and body with its TF weight, 1 + log of its weighted count
    (a pure function of the text: a worker process prepares it ahead of the batch)."""
    title_terms, body_terms = item_tokens(title, body)
    # The headline says what a long piece is about: its weight grows with the body.
    title_weight = TITLE_WEIGHT + len(body_terms) / TITLE_PER_BODY_TERMS
    lede = body_terms[:LEDE_TERMS]
    # Occurrences counted in C (`Counter`), not added one by one: a lede term counts twice (it
    # is in `lede` and in `body_terms`); the keys in the order they were first seen, the title's
    # first. A term only in the body has a whole count (sums of 2.0 and 1.0 are exact), whose
    # weight comes from a table; a title term's weighted count is added up term by term in the
    # order the text gives, as a running sum (title, then lede, then the rest), so its float is
    # the one that sum has always given.
    counts = Counter(title_terms)
    titled = dict(counts) if title_terms else None
    counts.update(chain(lede, body_terms))
    # (A title term's count may be past the table: 0.0 stands in until it is worked out.)
    weights = dict(zip(counts, map(_ONE_PLUS_LOG.get, counts.values(), repeat(0.0)), strict=True))
    if titled:
        for t, n in titled.items():
            in_lede = lede.count(t)
            rest = counts[t] - n - 2 * in_lede
            c = 0.0
            for _ in range(n):
                c += title_weight
            for _ in range(in_lede):
                c += LEDE_WEIGHT
            for _ in range(rest):
                c += 1.0
            weights[t] = 1.0 + math.log(c)
    return weights


# 1 + log(n) of every whole count a term only in the body can have (LEDE_TERMS lede terms
# counted twice, the rest once).
_ONE_PLUS_LOG = {n: 1.0 + math.log(float(n)) for n in range(1, LEDE_TERMS + MAX_BODY_TERMS + 1)}
if LEDE_WEIGHT != 2.0:  # `text_weights` counts a lede term twice: another weight needs it rewritten
    raise ImportError("term_weights.text_weights is written for LEDE_WEIGHT = 2.0")


def log_weights(counts: dict[str, float]) -> dict[str, float]:
    return {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}


def packed_text_weights(
    texts: list[tuple[str, str]], entries: list[int], words: NumberedWords | None = None
) -> PackedWeights:
    """`PackedWeights({entry: text_weights(title, body)})` of a chunk of texts, the same
    terms in the same order and the same floats to the bit, counted for the whole chunk at
    once in numpy: the prepare worker's Counter and dict per text, then packing those dicts
    into arrays, cost 28-36 us per entry (measured on the feeds and news-like corpora).
    `words`: each body's words as dedup found and numbered them
    (`reposts.fingerprints_shingles_and_words`); found here when not given.

    Terms go by their numbers in the word table (`features.WordTable`): a body whose words
    give its terms (`features.words_give_terms`) takes them from its words' term numbers,
    in numpy; the titles' terms, and the other bodies' (the term pattern's), are numbered in
    one lookup for the chunk. Taking each word's term, then each term's number in the
    chunk's vocabulary, string by string, was a sixth of the prepare worker's CPU."""
    n_texts = len(texts)
    if words is None:
        words = numbered_words(
            [
                list(chain.from_iterable(paragraph_words(body)))
                if len(body) <= MAX_BODY_CHARS
                else []
                for _, body in texts
            ]
        )
    from_words = np.fromiter(
        [len(body) <= MAX_BODY_CHARS and words_give_terms(body) for _, body in texts],
        dtype=bool,
        count=n_texts,
    )
    owner = np.repeat(np.arange(n_texts), words.counts)
    word_terms = words.terms
    split = word_terms == SPLIT_TERM
    if split.any():  # a word of two terms ('1990s'): that body's terms are the pattern's
        from_words[owner[split]] = False
    # Each text's title terms, then its body's where its words do not give them (the term
    # pattern's; sliced first: a hostile megabyte body must not be tokenised whole for 400
    # terms): one list of strings for the chunk, numbered at once.
    title_counts: list[int] = []
    listed_counts: list[int] = []
    listed: list[str] = []
    for fast, (title, body) in zip(from_words.tolist(), texts, strict=True):
        title_terms = terms(strip_kind_prefix(title))
        title_counts.append(len(title_terms))
        listed += title_terms
        if not fast:
            listed += terms(body[:MAX_BODY_CHARS], MAX_BODY_TERMS)
        listed_counts.append(len(listed))
    # The bodies' terms from their words: the words with a term, the first MAX_BODY_TERMS
    # of each text.
    taken = from_words[owner] & (word_terms >= 0)
    word_terms, word_owner = word_terms[taken], owner[taken]
    per_text = np.bincount(word_owner, minlength=n_texts)
    rank = np.arange(len(word_terms)) - (np.cumsum(per_text) - per_text)[word_owner]
    if len(per_text) and per_text.max() > MAX_BODY_TERMS:
        kept = rank < MAX_BODY_TERMS
        word_terms, word_owner, rank = word_terms[kept], word_owner[kept], rank[kept]
        per_text = np.minimum(per_text, MAX_BODY_TERMS)
    # The stream: every text's title terms, then its body terms, text after text (as term
    # numbers of the table: each text's listed terms, then those from its words).
    ends = np.array(listed_counts, dtype=np.int64)
    n_listed = np.diff(ends, prepend=0)
    n_title = np.array(title_counts, dtype=np.int64)
    n_body = n_listed - n_title + per_text
    sizes = n_title + n_body
    total = int(sizes.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return _pack([], entries, empty, np.zeros(0), np.zeros(n_texts, np.int64))
    begins = np.cumsum(sizes) - sizes
    stream = np.empty(total, dtype=np.int64)
    if listed:
        listed_owner = np.repeat(np.arange(n_texts), n_listed)
        at = np.arange(len(listed)) - (ends - n_listed)[listed_owner]
        stream[begins[listed_owner] + at] = term_numbers(words.table, listed)
    stream[(begins + n_listed)[word_owner] + rank] = word_terms
    # The chunk's terms in first-seen order, as `PackedWeights` numbers them: a text's dict
    # holds its terms first seen first, so their first sightings over the whole stream come
    # in the order the texts' dicts, chained, first show them. Each term first gets its place
    # among the chunk's terms by table number (`dense`), then each (text, term) pair's
    # occurrences are put side by side in reading order (a stable sort by term keeps each
    # term's sightings in stream order, hence text by text; 16-bit numbers sort by radix);
    # a term's first sighting is then its first in that order, and the terms in the order of
    # their first sightings are those sightings' terms, in stream order (marked, not sorted).
    present = np.flatnonzero(np.bincount(stream))
    dense = np.zeros(int(present[-1]) + 1, dtype=np.int64)
    dense[present] = np.arange(len(present))
    local = dense[stream]
    order = np.argsort(local.astype(np.uint16) if len(present) <= 1 << 16 else local, kind="stable")
    sorted_local = local[order]
    new_term = np.concatenate(([True], sorted_local[1:] != sorted_local[:-1]))
    first = np.zeros(total, dtype=bool)
    first[order[new_term]] = True
    by_first = local[first]  # the chunk's terms, as places in `present`
    vocabulary = list(map(words.table.terms.__getitem__, present[by_first].tolist()))
    place = np.empty(len(present), dtype=np.int64)
    place[by_first] = np.arange(len(present))
    ids = place[local]
    text_of = np.repeat(np.arange(n_texts), sizes)
    # Where each sighting is: 0 the title, 1 the lede, 2 the rest of the body.
    into_body = np.arange(total) - np.repeat(begins + n_title, sizes)
    part = (into_body >= 0).astype(np.int64) + (into_body >= LEDE_TERMS)
    sorted_texts = text_of[order]
    new_pair = new_term | np.concatenate(([True], sorted_texts[1:] != sorted_texts[:-1]))
    starts = np.flatnonzero(new_pair)
    first_at = order[starts]  # where each pair is first seen
    # Each pair's sightings in each part, counted at once.
    pair = np.cumsum(new_pair) - 1
    tally = np.bincount(pair * 3 + part[order], minlength=3 * len(starts)).reshape(-1, 3)
    in_title, in_lede, in_rest = tally[:, 0], tally[:, 1], tally[:, 2]
    # A term only in the body: a whole count (a lede sighting counts twice), from the table.
    values = _ONE_PLUS_LOG_TABLE[np.minimum(2 * in_lede + in_rest, len(_ONE_PLUS_LOG_TABLE) - 1)]
    with_title = np.flatnonzero(in_title)
    if len(with_title):
        # A title term: its running sum as `text_weights` adds it (title, lede, then the rest,
        # one addition each: float additions in numpy round as Python's do), its log by
        # `math.log` (numpy's may differ in the last bit).
        texts_of = text_of[first_at[with_title]]
        title_weight = TITLE_WEIGHT + n_body[texts_of] / TITLE_PER_BODY_TERMS
        running = np.zeros(len(with_title))
        for times, step in (
            (in_title[with_title], title_weight),
            (in_lede[with_title], LEDE_WEIGHT),
            (in_rest[with_title], 1.0),
        ):
            _add_times(running, times, step)
        logs = np.fromiter(map(math.log, running.tolist()), dtype=np.float64, count=len(running))
        values[with_title] = 1.0 + logs
    at = np.zeros(len(stream), dtype=np.float64)
    at[first_at] = values
    seen = np.zeros(len(stream), dtype=bool)
    seen[first_at] = True
    counts = np.bincount(text_of[first_at], minlength=n_texts)
    return _pack(vocabulary, entries, ids[seen], at[seen], counts)


def _pack(
    terms: list[str], entries: list[int], ids: Any, values: Any, counts: Any
) -> PackedWeights:
    return PackedWeights.of(
        terms,
        array("q", entries),
        array("q", ids.astype(np.int64).tobytes()),
        array("d", values.astype(np.float64).tobytes()),
        array("q", counts.astype(np.int64).tobytes()),
    )


def _add_times(running: Any, times: Any, step: Any) -> None:
    """Adds `step` (a number, or one per element) to each element of `running` as many times
    as `times` says, one addition at a time, as a running sum rounds."""
    by_times = np.argsort(-times, kind="stable")
    most = times[by_times]
    steps = np.broadcast_to(np.asarray(step, dtype=np.float64), times.shape)[by_times]
    sums = running[by_times]
    # Round k adds to the elements added to more than k times: a prefix, most first.
    rounds = int(most[0]) if len(most) else 0
    for n in np.searchsorted(-most, -np.arange(rounds), side="left").tolist():
        sums[:n] += steps[:n]
    running[by_times] = sums


_ONE_PLUS_LOG_TABLE = np.array(
    [0.0, *(_ONE_PLUS_LOG[n] for n in range(1, LEDE_TERMS + MAX_BODY_TERMS + 1))]
)

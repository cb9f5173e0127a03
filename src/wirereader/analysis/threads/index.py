"""Story threads: online clustering of items into stories across sources.

In the spirit of Miranda et al. (2018), "Multilingual Clustering of Streaming News": each new item
is a TF-IDF vector of its title, body and entities; it joins the most similar thread when the
cosine with that thread's centroid, damped by the time between them, passes a threshold, else it
starts a thread. The new items of a batch are first grouped with each other (`grouping.py`,
average linkage by the same score, in parts of `GROUP_ITEMS`), and each group joins a thread, or
starts one, as a whole. A thread started in this run whose items are all kept (up to
MEMBERS_KEPT) is compared with a group pair by pair, each pair scored exactly as the grouping
scores two items of one batch (`_by_members`, `grouping.pair_scores`: one outlet's reports,
headlines, time, the story gap), all of a part's groups against their candidates in one
sparse product over the listed pairs. Where an item of such a thread pairs with an item of a
group, the groups and the threads that pair, directly or through each other, are grouped
again together as one batch is (`_regroup`): a thread may take items, lose them, split or
merge, earlier items move with their reposts, and a thread left without items goes, so that
where a refresh cut the stream decides little (real feeds in batches of 25, 50 or 100: one
analysis's threads; at 10, 70 of its 72 same-thread pairs and no other). The regrouping also
meets a group's other known candidate threads that pair with a linked thread's items
(`_beside_linked`), and its last pass may move an earlier short item towards new ones.
A thread of an earlier run (every refresh is a run) of at most MEMBERS_KEPT items that a
part's groups meet, by their probe or by their short items' titles, is read back first
(`_to_read`, `_read_members`: its items' vectors as their batch made them, stored for the items
of the last STORY_GAP_DAYS, `store/item_vectors.py`; an older item's made again from its text),
and is then known as if started in the run. Any other thread (of an earlier run, or grown large) is
scored on average over the group's items, each scored by the rule above against the thread's
centroid, the dot product taken over the thread's size where that is more than the centroid's length
(`_best`: the average pair, as the grouping scores, so a thread that wandered over a topic is
no closer to everything than a tight one), and a group of mostly short items only if it is
nearly as alike to the thread's items as they are to each other (`scoring.cohesive`) and
each of its items shares a word with the thread's headline (`Item.names_one_of`; a teaser's
title must be as alike to it as two teasers' titles must be, `grouping.TITLE_MIN`). The headline
is the most central title (`_retitle`). Threads of earlier runs never move, so adding an
item costs the same whatever the size of the cache:
- candidate threads come from an inverted index (`thread_terms`: term -> threads, newest first,
  at most `POSTINGS` per term) probed with the item's `grouping.PROBE_TERMS` strongest terms; the
  `CANDIDATES` threads sharing most of them are compared; a group of short items also meets
  the known threads whose short items' titles share terms with its titles (`_known_by_title`:
  two short items pair on their titles, and a teaser's strongest terms are mostly its own);
- a centroid is kept as its strongest `KEEP_TERMS` terms (one binary value in `thread_state`,
  see `encode_centroid`), compared on its top `COMPARE_TERMS`, which alone are in the index;
- IDF comes from `term_df`, updated with the whole batch before the batch is placed, plus
  `IDF_PRIOR_DOCS` pseudo-documents so that a small cache (one live blog, all on one war) still
  weighs a story's own words;
- the title counts `TITLE_WEIGHT` times, more for long bodies (one more per
  `TITLE_PER_BODY_TERMS` body terms): the headline says what a long piece is about; and the
  first `LEDE_TERMS` terms of the body count `LEDE_WEIGHT` times, since news is written lede
  first (ECB+ B-cubed F1 0.884 -> 0.890); these text weights are in `term_weights.py`.
The threshold follows the item's length: a headline shares fewer words with its story than an
article does, so short items need less overlap (`THRESHOLD_SHORT` .. `THRESHOLD_LONG` at
`LONG_ITEM_TERMS`), and full articles a little more (up to `THRESHOLD_VERY_LONG`), since two
look-alike events share many words.
Time decay: similarity x (FLOOR x fade + (1 - FLOOR) * exp(-gap / 72 h)), the gap measured to
the nearer end of the thread's span, where fade = 1 / (1 + gap / FLOOR_FADE_DAYS) for a dated
item (`grouping.py`: reports of one event come within days; a topic weeks long is a bucket) and
1 for a guessed time; an item dated far from its story still joins it on strong content (an
undated article carries its file's time). The decay follows the item's length too: a headline
alone says little, so nearness in time weighs more (`SHORT_DECAY_HOURS`, `SHORT_FLOOR` for the
shortest, rising geometrically to the 72 h scale at `LONG_ITEM_TERMS`); measured on the UCI
headlines, B-cubed F1 0.785 -> 0.844, full articles unchanged.
Times the sources gave are trusted, guesses are not: a dated item never joins a thread whose
dated items are all more than `STORY_GAP_DAYS` away (a story quiet for weeks that comes back is a
new thread, and look-alike events years apart never meet), while an item with a guessed time (a
file's modification day, the time a feed without dates was read) is held only to the decay above.
Ties and sums are computed in a fixed order, so a result never depends on hash seeds.
Layout: this module holds the run's state and places a batch (`ThreadIndex`: term numbering
and frequencies, postings, reading earlier runs' threads back, regrouping, the flush); the
item and its threshold and decay are `item.py`, the centroid `centroid.py`, the pure steps of
candidate ranking and pair scoring `scoring.py`, a batch's grouping `grouping.py`.
Measured (`python bench/analysis_bench.py --no-speed`; dev / held-out halves in
`docs/architecture.md`): real feeds (six February-2026 feeds, 291 labelled items) pairwise
precision 0.365 -> 0.640, B-cubed F1 0.876 -> 0.932 against 0.920 for leaving every item alone;
UCI 0.893 -> 0.913; ECB+ 0.921 unchanged. Then, with one outlet's reports discounted
(`grouping.SAME_SOURCE_DISCOUNT`), groups scored against a thread's items and PROBE_SHARED:
real feeds pairwise precision 0.632 -> 0.750 (recall 0.573 -> 0.594), B-cubed 0.947; 50 items
per batch 0.534 -> 0.692 (recall 0.573 -> 0.656), B-cubed 0.920 -> 0.946; UCI 0.915. Then, with
two teasers' titles held to `grouping.TITLE_MIN`: precision 0.750 -> 0.879 (recall 0.594 ->
0.531), B-cubed 0.956; 50 items per batch 0.692 -> 0.939 (recall 0.656 -> 0.646), B-cubed
0.963; ECB+ and UCI unchanged.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
import time
from array import array
from bisect import insort
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, filterfalse, islice, pairwise
from operator import attrgetter, itemgetter
from sys import intern
from typing import Any, overload

import numpy as np

from wirereader.analysis.dedup.reposts import Entry
from wirereader.analysis.features import (
    PackedWeights,
    TermRow,
    received_terms,
    strip_kind_prefix,
)
from wirereader.analysis.sums import ordered_sum
from wirereader.analysis.threads import grouping, scoring
from wirereader.analysis.threads.centroid import COMPARE_TERMS, KEEP_TERMS, STORY_GAP_DAYS, Centroid
from wirereader.analysis.threads.grouping import (
    Side,
    probe_terms,
    side_groups,
)
from wirereader.analysis.threads.item import Item, decay
from wirereader.analysis.threads.term_weights import log_weights, text_weights
from wirereader.store import item_vectors
from wirereader.store import threads as thread_store
from wirereader.store.threads import (
    decode_centroid,
    decode_indexed,
    encode_centroid,
    encode_indexed,
)

IDF_PRIOR_DOCS = 1000
ENTITY_WEIGHT = 1.0
ITEM_TERMS = 60
# A long item keeps its ITEM_TERMS strongest terms, and an entity term weighs ENTITY_WEIGHT
# however often the text names it, while its words count every time: a long report's people
# and organisations fell behind its common words and out of its vector ("Rubio boosts Orban
# ahead of Hungary election", 1,800 characters naming Marco Rubio, Viktor Orban and Hungary,
# kept none of them; TIME's report of Merz's Munich speech none of its 25 names), so it met
# the teasers of its story, whose vectors hold those names, on its words alone. For that cut
# only, a person or organisation the text names more than once ranks as 1 + MENTIONS_RANK x
# ln(mentions) times its weight (its weight stays as it is: `rank_weights`). A place is ranked
# once however often it is named: the place a report is set in is its topic's too (Iran in
# the talks, the build-up, the Hormuz explainer), and ranking it by mentions joined those on
# dev2. Real feeds (`analysis_bench.py --no-speed --unseen --dev2`, pairs P / R / F1): dev2
# 0.923 / 0.545 / 0.686 -> 0.931 / 0.614 / 0.740, the unseen eight (held out) 0.872 / 0.556 /
# 0.679 -> 0.896 / 0.704 / 0.788; the six unchanged (teasers); ECB+ B-cubed 0.9201 -> 0.9185,
# its long articles' look-alike events sharing their people. MENTIONS_RANK 1: dev2 0.773, but
# all 559 items' precision 0.900 (508 / 457 right) against 0.901; docs/architecture.md.
RANKED_KINDS = ("@person:", "@org:")
MENTIONS_RANK = 0.5
# A thread is a candidate for a group only if it is indexed under at least this many of the
# group's PROBE_TERMS strongest terms: one or two shared strong terms are a topic ("Ukraine",
# "Olympics"), not a story. Real feeds at 50 items per batch, dev pairwise precision / recall
# 0.532 / 0.717 -> 0.582 / 0.696, B-cubed 0.947 -> 0.954 (2: 0.533 / 0.696; 4: 0.452 / 0.413);
# one analysis, ECB+ and UCI unchanged; and the pairs scored per part fall by two thirds.
PROBE_SHARED = 3
POSTINGS = 20
# Known threads (all their items kept) that a group of short items is also compared with
# because their titles share terms with its titles (`ThreadIndex._known_by_title`), those
# sharing most first. Each costs the pairs of its items with the group's: on the generated 10k
# corpus, whose titles all end "as {surname} responds", 10 cost +30% of the threads stage, 3 +5%.
# The real feeds' threads are the same with 2, 3, 5 or 10 at 10, 25, 50 and 100 items per batch
# (with 1, two more pairs differ from one analysis at 10 items per batch).
TITLE_CANDIDATES = 3
# The same for a group older than items of the run's earlier batches (a fetch stores feeds as
# they arrive, so a later feed brings older items): this many, each shared title term weighed
# by how few threads hold it (see `_known_by_title`).
LATE_TITLE_CANDIDATES = 5
GROUP_ITEMS = 500  # items grouped together (see grouping.py)
MAX_CACHED = 50_000  # terms (x 10) of the run's numbering, columns and document frequencies
# Terms whose postings (their newest POSTINGS threads, as the table gives them) the run keeps;
# past this the oldest cached half goes. Each is an array of ids, ~300 bytes with its key (a
# list of int objects was ~520 bytes, and the cap 500,000 terms). The cache always says what
# the table says (`_cached_postings_follow`), so its size decides no lookup. 50,000, not
# 100,000: the cap acts only past ~400k news-like entries, and at 1M the bigger cache held
# ~12 MB more at the peak, which sat at 500 MB against the 500 MB budget once terms with
# few threads stayed cached (`_cached_postings_follow`).
POSTINGS_CACHED = 50_000
# What a run keeps between batches is bounded by memory, estimated from the measured size of a
# centroid (its weights, top terms and indexed terms: ~6.5 KB at 40k entries) and of a kept
# item (its vector and sparse rows: ~6 KB). Past the budget the threads used least recently
# go, with their kept items, down to EVICT_TO of it: a thread of an earlier batch is read
# again from the cache when a later item needs it (then scored by its centroid). Before, all
# was dropped at once past 50,000 centroids or kept items (~650 MB at 1M entries). The
# feeds bench's 40k corpus needs ~170 MB, so nothing goes there: results are unchanged.
MEMORY_BUDGET = 192 << 20
CENTROID_BYTES = 7_000
KEPT_ITEM_BYTES = 6_500
EVICT_TO = 0.8
# Below this share of MEMORY_BUDGET a stored centroid read back keeps its terms as decoded, not
# interned (`_load_centroids`): interning was ~40 of a decode's ~55 us, and a refresh-sized run
# (a few hundred entries meeting the threads of earlier runs) decodes hundreds of centroids
# while holding a few MB. Each such centroid then holds its own term strings (~4.8 KB for 80
# terms), at most ~1,800 of them (~8.6 MB) below the line; above it (every decode of a first
# fetch's run, which reads back only threads it evicted past the budget) they are interned.
PLAIN_DECODE_BELOW = 1 / 16
# A thread's items are kept (with their vectors) while it has at most this many, for the run:
# a group is then scored against them pair by pair, as one batch would have (`_by_members`).
MEMBERS_KEPT = 40
# Two known threads of one event that formed apart (a forum's opening and its close, each told
# by two outlets under titles of their own) are joined after a batch is placed
# (`ThreadIndex._event_joins`) when both name one multi-word person or organisation (an entity
# term whose name has a space: "@person:tarique rahman") that is rare in the run (at most
# EVENT_RARE_SHARE of the items analysed: an early batch's counts then find fewer names rare,
# never more; with a floor of 5, "Marco Rubio" was rare in the six real feeds' first 150-200
# items and not in one analysis, and 10 per batch shared 0.921 of one analysis's pairs), both
# hold EVENT_MIN_ITEMS or more, their dated spans come within EVENT_GAP_HOURS of each other, they
# are not one outlet's alone, and their items' summed vectors reach a cosine of EVENT_COSINE.
# Designed on the real feeds' dev half and dev2 (docs/architecture.md, issue 16): dev2 pairs P /
# R 0.889 / 0.364 -> 0.909 / 0.455; held-out dev2+14 0.901 / 0.466 -> 0.910 / 0.517; the six
# and the unseen eight unchanged. A cosine of 0.3 joined Rubio's DW visit thread with his
# Budapest reports' at 10 per batch (0.36) but not in one analysis (0.28); 0.36-0.4 made the
# same dev joins, 0.45 none.
EVENT_RARE_SHARE = 0.02
EVENT_GAP_HOURS = 24.0
EVENT_COSINE = 0.4
EVENT_MIN_ITEMS = 2
# A thread this run started while the run's documents were few is looked at again once they
# are RECHECK_GROWTH times as many (then that many times again, RECHECKS times in all): its
# items and those of the young threads it shares a multi-word name with are weighed afresh
# from their text by today's counts, and two such threads that average linkage would now make
# one group of are joined (`_recheck_young`). Only joins: nothing placed is taken apart.
RECHECK_GROWTH = 4
RECHECKS = 2
# A stored vector's item time may run this far past the clock before it stops moving the
# stored vectors' horizon (`ThreadIndex._store_vectors`): a feed dated years ahead must not
# make every stored vector too old.
VECTORS_AHEAD = 86400


# The weight of a (term, weight) pair, at C speed: it keys the sorts run on every placement.
# The strongest n are `sorted(...)[:n]`, the list `heapq.nlargest` is documented to return
# (ties in first-seen order), 2-3x faster at these sizes (tens to hundreds of terms).
_weight = itemgetter(1)
_term = itemgetter(0)


class _Vectors(Sequence[dict[str, float]]):
    """Items' vectors, a kept item's unpacked from its row only if asked for (the signature
    test asks for a few groups' only)."""

    def __init__(self, items: list[Item], unpack: Callable[[Item], Item]) -> None:
        self._items = items
        self._unpack = unpack

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> dict[str, float]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[dict[str, float]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, float] | Sequence[dict[str, float]]:
        if isinstance(i, slice):
            return [self._unpack(m).vector for m in self._items[i]]
        return self._unpack(self._items[i]).vector


def _short_titles(members: list[Item]) -> list[str]:
    """The title terms of a group's short items (headlines, teasers), each once."""
    return list(dict.fromkeys(t for m in members if not m.article for t in m.headline))


def _text_tf(entry: Entry) -> dict[str, float]:
    """An entry's text's TF weights as a dict (prepared by a worker, or worked out here)."""
    row = entry.weights
    if row is None:
        return text_weights(entry.title, entry.body)
    return row.as_dict() if isinstance(row, TermRow) else row


def _top_cosine(a: Centroid, b: Centroid) -> float:
    """The cosine of two threads' centroids over their strongest terms (COMPARE_TERMS)."""
    x, y = a.top, b.top
    return ordered_sum([w * y[t] for t, w in x.items() if t in y]) / (a.norm * b.norm)


class _Summed:
    """Items and their vectors' sum (terms in first-met order) with its length, for the
    cosine of two threads' summed vectors (see EVENT_COSINE)."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        total: dict[str, float] = {}
        for m in items:
            for t, w in m.vector.items():
                total[t] = total.get(t, 0.0) + w
        self.total = total
        self.norm = math.sqrt(ordered_sum([w * w for w in total.values()]))

    def cosine(self, other: _Summed) -> float:
        x, y = self.total, other.total
        if len(x) > len(y):
            x, y = y, x
        dot = ordered_sum([w * y[t] for t, w in x.items() if t in y])
        return dot / (self.norm * other.norm) if self.norm and other.norm else 0.0


def _kept_form(item: Item) -> Item:
    """An item as a thread keeps it for the run: its entry without its text and term counts
    (a kept item is only ever scored by its vector, time and length; its text was 1.3 KB of
    each at 40k entries, its counts as much again when a worker prepared them)."""
    e = item.entry
    # Its title and whether it had a body stay: a thread regrouped later picks its headline
    # among all its items again (`_rebuild`).
    body = "." if e.body and not e.body.isspace() else ""
    kept = Entry(e.id, e.source_id, e.title, body, e.published_at, dated=e.dated)
    return item._replace(entry=kept)


# A kept item's vector and headline once its sparse row holds them (`ThreadIndex.begin_batch`):
# the row is then their only form, and `ThreadIndex._unpacked` makes the dicts again from it for
# the few places that read them (a regrouping). As dicts they were the largest part of what a
# run kept: ~2.85 KB per kept item (a dict and a float object per term), 71 MB at 25k kept
# items (tracemalloc at 30k news-like entries), beside a row of ~0.8 KB saying the same.
_IN_ROW: dict[str, float] = {}


# A kept item's sparse row as arrays of its own (`_own_row`): those of a batch's new items
# are views into arrays of the whole batch or run, and a view keeps all of its base alive, so
# a few kept items held every batch's arrays (rows were 1.8 KB per kept item at 66k entries).
# Columns fit in 32 bits (a row's sums take its stored order, whatever the integer type), and
# an article has no headline terms: its empty arrays are shared.
_NO_COLUMNS = np.zeros(0, dtype=np.int32)
_NO_WEIGHTS = np.zeros(0)
_NO_COLUMNS.flags.writeable = _NO_WEIGHTS.flags.writeable = False


def _own_row(
    row: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    columns, weights, heads, head_weights = row
    if len(heads):
        return columns.astype(np.int32), weights.copy(), heads.astype(np.int32), head_weights
    return columns.astype(np.int32), weights.copy(), _NO_COLUMNS, _NO_WEIGHTS


def _side(items: list[Item]) -> Side:
    """The items as one side of a score matrix (without sparse rows)."""
    if not items:
        return Side.of([], [], [], [], [], [], [], [], [], [], [], unit_headlines=True)
    # The items' fields as columns, in one pass (a comprehension per field was 2% of this
    # process's CPU on the news-like corpus: a part's known threads' items make a side of
    # their own for every part).
    (
        entries,
        vectors,
        limits,
        hours,
        floors,
        articles,
        headlines,
        teased,
        outlets,
        links,
        _,
        leads,
    ) = zip(*items, strict=True)
    return Side.of(
        vectors,
        list(map(_published_at, entries)),
        limits,
        hours,
        floors,
        list(map(_dated, entries)),
        articles,
        headlines,
        outlets,
        links,
        teased,
        unit_headlines=True,
        origins=list(map(_source_id, entries)),
        leads=leads,
    )


_published_at = attrgetter("published_at")
_source_id = attrgetter("source_id")
_dated = attrgetter("dated")


# Groups each part (its items as one `Side`) as `grouping.side_groups` does, part after part.
Grouper = Callable[[list[Side], float], Iterator[list[list[int]]]]


def group_here(sides: list[Side], max_gap_seconds: float) -> Iterator[list[list[int]]]:
    """The groups of each part, worked out in this process as they are asked for."""
    for side in sides:
        yield side_groups(side, max_gap_seconds)


@dataclass
class ThreadOutcome:
    assigned: dict[int, int] = field(default_factory=dict)  # item id -> thread id
    spans: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # thread -> n, first, last
    created: int = 0
    touched: set[int] = field(default_factory=set)
    # Items of earlier batches that a regrouping moved to another thread (item id -> thread
    # id), and the threads whose items changed other than by new items joining: their counts
    # are taken again from their items, not added to.
    moved: dict[int, int] = field(default_factory=dict)
    recount: set[int] = field(default_factory=set)
    emptied: set[int] = field(default_factory=set)  # threads whose items all went elsewhere


class ThreadIndex:
    """Thread state for one analysis run: per batch, in its transaction, call `begin_batch`,
    `place_batch`, `flush` and `write_counts`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        entity_terms_of: Callable[[list[int]], dict[int, list[str]]] | None = None,
    ) -> None:
        self.conn = conn
        self.centroids: dict[int, Centroid] = {}
        self.docs = -1  # items analysed, as of the last batch; -1: not read yet
        self._db_postings: dict[str, array[int]] = {}
        self._new_postings: dict[str, set[int]] = {}
        # The indexed terms of threads a regrouping emptied this batch (`drop_empty` takes them
        # out of the table after the flush): their cached postings are read again.
        self._emptied_terms: set[str] = set()
        self._merged: dict[str, tuple[int, list[int]]] = {}  # term -> (len(fresh), postings)
        self._df_delta: Counter[str] = Counter()
        # (distinct term numbers, their increments) of each batch counted, not yet by term
        self._df_pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._created: set[int] = set()
        # A thread this run started -> (the run's documents at which it is looked at again,
        # the re-checks left): see RECHECK_GROWTH. By those documents (`_young_at`, the counts
        # in a heap, `_young_due`), so a batch reads only the threads due: the whole walk each
        # batch grew with the run (~80,000 threads at 1M news-like entries, most started too
        # late ever to be due). A thread listed under a count it no longer has (looked at
        # since, joined away, its id given anew) is passed over there: `_young` decides.
        self._young: dict[int, tuple[int, int]] = {}
        self._young_at: dict[int, array[int]] = {}
        self._young_due: list[int] = []
        self._grouped: set[int] = set()  # threads started by the current grouping
        # (Group, thread) of the current part whose listed pairs hold one that
        # grouping.PLACES_APART put apart (`_by_members`): never a plain join.
        self._parted: set[tuple[int, int]] = set()
        # The items of threads started in this run, while all of them are known (see
        # MEMBERS_KEPT), and the sum of the scores of their pairs.
        self.members: dict[int, list[Item]] = {}
        self._kept = 0
        # A multi-word person or organisation -> the known threads an item of which names it,
        # oldest first (the newest POSTINGS kept; one no longer known is skipped when read).
        # A name whose threads are all gone for good goes too (`_drop_dead_anchors`).
        self._anchor_postings: dict[str, list[int]] = {}
        # A known thread -> the multi-word people and organisations its items name.
        self._anchors_of: dict[int, tuple[str, ...]] = {}
        # The names of threads that left the kept ones since the last batch, and the threads
        # a regrouping emptied in the run (their ids may be given again: `_drop_dead_anchors`).
        self._anchor_checks: list[str] = []
        self._emptied_ids: set[int] = set()
        # Title term -> the known threads holding a short item with that term in its title,
        # oldest first (the newest POSTINGS kept; one no longer known is skipped when read).
        self._title_postings: dict[str, list[int]] = {}
        # One numbering of the run's terms, and what is kept of each term by its number.
        # term -> its number in the batches' TF arrays (`_batch_tf`), and back
        self._term_ids: dict[str, int] = {}
        self._term_list: list[str] = []
        # The same strings as an object array (filled up to `len(_term_list)` when read:
        # `_names`), so that a batch's names are gathered by one fancy index.
        self._term_array = np.empty(0, dtype=object)
        self._term_filled = 0
        # A sender's term number (`PackedWeights.vocabulary`) -> this run's (-1: not met yet).
        self._sender_numbers: dict[str, np.ndarray] = {}
        # Each term's column in the sparse rows (-1: none yet), and back: columns are given in
        # order of first use in a row, not by number (scipy's element-wise product sums a pair
        # in its rows' stored order, and in column order where every row's columns ascend, so
        # the columns stay those they were), and the run's width is how many are given. 32-bit,
        # as a kept row holds them (`_own_row`): every row's columns are then of one type, which
        # `grouping.sparse_rows` joins as bytes.
        self._column_of = np.full(0, -1, dtype=np.int32)
        self._column_terms: list[str] = []
        # Which columns are entity terms (`_entity_columns`), as far as worked out.
        self._entity_mask = np.zeros(0, dtype=bool)
        # Each term's document frequency as of the batch (-1: not read from `term_df` yet).
        # (These were dicts keyed by term beside the numbering, `vocabulary` and `df`: ~150
        # bytes a term, ~70k terms at 100k news-like entries, ~175k at 1M.)
        self._df = np.full(0, -1, dtype=np.int64)
        # The batch's new items' vectors as term numbers and weights (`_vectors`), for `_side_of`
        self._vector_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # entry id -> its vector's columns and weights and its headline's columns
        self._rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._viewing: list[int] = []  # entries whose rows are views of a batch's arrays
        # Since the last `begin_batch`: the threads whose kept items changed, and the entries
        # given a row or taken out of a thread's kept items (the only rows that may have to go).
        self._touched: set[int] = set()
        self._row_checks: list[int] = []
        self._batch = 0  # batches of the run so far
        self.evicted = 0  # threads dropped from memory (`_evict`), for the benches
        # The entity terms of stored entries by entry id (the pipeline's reader), for the
        # items of a thread of an earlier run read back (`_read_members`); None: none.
        self.entity_terms_of = entity_terms_of
        self._read_back: set[int] = set()  # threads whose items were read back (or tried)
        # Threads up to this id are of earlier runs (read when the run's memory starts; -1:
        # not yet). A thread this run makes may take the id of one a regrouping emptied, but it
        # is known from the start, so it is never read back while kept.
        self._earlier = -1
        # The numbers of the run's terms in `term_df.id` (by the run's number; -1: not known),
        # and back (by that number; -1: not numbered in the run), for the stored vectors.
        self._db_ids = np.full(0, -1, dtype=np.int64)
        self._id_numbers = np.full(0, -1, dtype=np.int64)
        # The batch's new items' vectors, stored by `flush` (`_store_vectors`): (entry id,
        # time, term numbers, weights, distinct terms, flags).
        self._new_vectors: list[tuple[int, int, np.ndarray, np.ndarray, int, int]] = []
        # The rows of the candidate index in the blocks of threads this run made, as written
        # (`thread_store.OwnBlocks`): those are not read before they are written again.
        self.own_blocks: thread_store.OwnBlocks | None = None
        self._newest = 0  # the highest thread id the run made
        # The newest item time of the run's batches so far, and of those before this batch
        # (a group older than the latter arrived late: `_known_by_title`).
        self._placed_until: int | None = None
        self._late_before: int | None = None

    def begin_batch(self) -> None:
        """Call inside the batch's transaction: reuse what earlier batches of this run loaded,
        unless another process analysed in between (then its threads must be read afresh)."""
        docs = thread_store.analysed_items(self.conn)
        if docs != self.docs:
            self.centroids.clear()
            self._db_postings.clear()
            self._forget_members()  # (and the document frequencies, with the numbering)
            self._earlier = -1  # (read below: what is in the cache now is of earlier runs)
            self.own_blocks = None
        else:
            cached = self._db_postings
            if len(cached) > POSTINGS_CACHED:
                for term in list(islice(cached, len(cached) // 2)):
                    del cached[term]
            if len(self._term_list) > MAX_CACHED * 10:
                # The numbering goes, and with it the columns the kept items' rows are in.
                # (Before, the numbering went alone, the columns at as many of their own; the
                # news-like corpus has ~175k terms at 1M entries, so neither ever went there.)
                self._forget_members()
            # Only a kept item is scored again in a later batch (as a known thread's item):
            # the others' rows (more than half of them at 40k entries) are dropped. Only the
            # rows given or left since the last batch are looked at, against the kept items of
            # the threads that changed: the whole walk over every kept item, each batch, grew
            # with what the run keeps (~15 us an entry at 200k news-like entries, ~1 at 10k).
            # A row of an unchanged thread's item given in this batch (an item kept from before
            # without a row) goes too: its vector is still a dict, made into the same row again
            # when next scored.
            rows = self._rows
            touched = [(t, kept) for t in self._touched if (kept := self.members.get(t))]
            kept_now = {m.entry.id for _, kept in touched for m in kept}
            for i in self._row_checks:
                if i not in kept_now:
                    rows.pop(i, None)
            for i in self._viewing:
                row = rows.get(i)
                if row is not None:
                    rows[i] = _own_row(row)
            # A kept item with a row (all but a few dozen of them) keeps its vector and headline
            # there alone (see _IN_ROW).
            for _, kept in touched:
                for k, m in enumerate(kept):
                    if m.vector is not _IN_ROW and m.entry.id in rows:
                        kept[k] = m._replace(vector=_IN_ROW, headline=_IN_ROW)
            self._drop_dead_anchors()
        self._touched = set()
        self._row_checks = []
        self._viewing = []
        if self._earlier < 0:
            self._earlier = thread_store.newest_thread(self.conn)
            # (What the run writes of the candidate index from now on, where it alone writes.)
            self.own_blocks = thread_store.OwnBlocks(self._earlier)
        self.docs = docs
        self._batch += 1
        self._vector_rows = {}
        self._new_vectors = []
        self._new_postings.clear()
        self._merged.clear()
        self._created = set()

    def _forget_members(self) -> None:
        self.members.clear()
        self._read_back = set()
        self._title_postings.clear()
        self._anchor_postings.clear()
        self._anchors_of.clear()
        self._anchor_checks = []
        self._emptied_ids = set()
        self._kept = 0
        self._rows.clear()
        self._touched = set()
        self._row_checks = []
        # The numbering, and what is kept by it (a document frequency is read again).
        self._settle_df()
        self._term_ids.clear()
        self._term_list.clear()
        self._term_array = np.empty(0, dtype=object)
        self._term_filled = 0
        self._sender_numbers.clear()
        self._column_of = np.full(0, -1, dtype=np.int32)
        self._column_terms.clear()
        self._entity_mask = np.zeros(0, dtype=bool)
        self._df = np.full(0, -1, dtype=np.int64)
        self._db_ids = np.full(0, -1, dtype=np.int64)
        self._id_numbers = np.full(0, -1, dtype=np.int64)
        self._vector_rows = {}

    def _left(self, thread: int) -> None:
        """A thread's items are no longer kept (`members`): its names are looked at again."""
        names = self._anchors_of.pop(thread, None)
        if names:
            self._anchor_checks += names

    def _drop_dead_anchors(self) -> None:
        """The names of threads that left the kept ones whose postings hold no thread that is
        or may again be kept go. A thread that left (evicted, grown past MEMBERS_KEPT) is never
        kept again, and keeps its id: only a thread a regrouping emptied leaves the table, and
        its id may be given to a new one, so a name holding one stays. Those postings are only
        ever read for kept threads (`_event_joins`), and a name's next thread starts it again:
        what is read is what the full list would give (the threads it dropped are never read).
        At 1M news-like entries the names of threads long gone were most of them (each story's
        people are new names)."""
        checks, self._anchor_checks = self._anchor_checks, []
        postings, kept, emptied = self._anchor_postings, self.members, self._emptied_ids
        for name in dict.fromkeys(checks):
            held = postings.get(name)
            if held is not None and not any(t in kept or t in emptied for t in held):
                del postings[name]

    @property
    def vocabulary(self) -> dict[str, int]:
        """Each term with a column, and its column (for tests and benches)."""
        return {t: k for k, t in enumerate(self._column_terms)}

    def _estimated_bytes(self) -> int:
        """What the run keeps between batches, by the measured sizes (see MEMORY_BUDGET)."""
        return len(self.centroids) * CENTROID_BYTES + self._kept * KEPT_ITEM_BYTES

    def _evict(self, horizon: int | None) -> None:
        """Past MEMORY_BUDGET, threads leave memory with their kept items (all are written:
        this runs before a batch is placed): first those whose dated items all end before
        `horizon` (then no item of the batch can join them), then the least recently used."""
        cost = self._estimated_bytes()
        if cost <= MEMORY_BUDGET:
            return

        def order(c: Centroid) -> tuple[bool, int, int]:
            ended = horizon is not None and c.dated_last is not None and c.dated_last < horizon
            return (not ended, c.used, c.id)

        for c in sorted(self.centroids.values(), key=order):
            if cost <= MEMORY_BUDGET * EVICT_TO:
                break
            del self.centroids[c.id]
            kept = self.members.pop(c.id, [])
            self._left(c.id)
            if c.id > self._earlier >= 0:
                # Never known again (only a thread of an earlier run is read back), so never
                # looked at again: it leaves the young threads (see RECHECK_GROWTH).
                self._young.pop(c.id, None)
            for m in kept:
                self._rows.pop(m.entry.id, None)
            self._kept -= len(kept)
            cost -= CENTROID_BYTES + len(kept) * KEPT_ITEM_BYTES
            self.evicted += 1

    # -- vectors ------------------------------------------------------------------------------

    @staticmethod
    def tf_weights(entry: Entry, entities: list[str]) -> dict[str, float]:
        """The TF weight of each term of an item: its text's, then its entities' (an entity
        term starts with "@", which no text term holds)."""
        text = _text_tf(entry)
        if not entities:
            return text
        # (A term once a mention: each weighs ENTITY_WEIGHT once; see RANKED_KINDS.)
        return {**text, **log_weights(dict.fromkeys(entities, ENTITY_WEIGHT))}

    @staticmethod
    def rank_weights(entities: Iterable[str]) -> dict[str, float]:
        """The factor on each entity term's weight by which `vector` ranks an item's terms
        for its ITEM_TERMS (see RANKED_KINDS): 1 + MENTIONS_RANK x ln(mentions) for a person
        or organisation named more than once (`entities` holds a term once a mention); 1 for
        the rest."""
        counts = Counter(entities)
        return {
            t: 1.0 + MENTIONS_RANK * math.log(n)
            for t, n in counts.items()
            if n > 1 and t.startswith(RANKED_KINDS)
        }

    def _term_numbers(self, terms: Iterable[str]) -> list[int]:
        """The numbers of these terms in the run's TF arrays (new terms numbered)."""
        numbers = self._term_ids
        terms = terms if isinstance(terms, list) else list(terms)
        # Known terms by one C-level map (most of a chunk's terms are known after the first
        # batches: 3.1% of this process's CPU on the news-like corpus as a loop), then the new
        # ones numbered in order of first appearance, as the loop did.
        out = list(map(numbers.get, terms))
        if None not in out:
            return out  # type: ignore[return-value]  # (no None)
        new = [t for t, i in zip(terms, out, strict=True) if i is None]
        if len(set(new)) == len(new):
            # The new terms distinct (a run reading back stored vectors' terms: ~110,000 in 20
            # runs of 500 news-like entries): the next numbers in their order, as the loop
            # below gives them, numbered and interned by C-level maps.
            start = len(self._term_list)
            fresh = list(map(intern, new))
            numbers.update(zip(fresh, range(start, start + len(fresh)), strict=True))
            self._term_list.extend(fresh)
            given = iter(range(start, start + len(fresh)))
            return [next(given) if i is None else i for i in out]
        for k, i in enumerate(out):
            if i is None:
                t = terms[k]
                i = numbers.get(t)  # (a term new twice in these terms: numbered once)
                if i is None:
                    # Interned: kept items, centroids and the run's vocabulary then share one
                    # string per term instead of one per item.
                    t = intern(t)
                    i = numbers[t] = len(self._term_list)
                    self._term_list.append(t)
                out[k] = i
        return out  # type: ignore[return-value]  # (no None left)

    def _names(self, numbers: np.ndarray) -> list[str]:
        """The terms of these numbers, gathered from `_term_array` by one fancy index (the
        same string objects as `_term_list` holds). A map of `_term_list.__getitem__` over
        a batch's ~140,000 kept terms took 19 ms, the gather 7 (micro, loaded machine)."""
        terms, filled = self._term_list, self._term_filled
        if filled < len(terms):
            if len(self._term_array) < len(terms):
                grown = np.empty(max(len(terms), 2 * len(self._term_array), 1024), dtype=object)
                grown[:filled] = self._term_array[:filled]
                self._term_array = grown
            self._term_array[filled : len(terms)] = terms[filled:]
            self._term_filled = len(terms)
        return self._term_array[numbers].tolist()

    def _pack_numbers(self, pack: PackedWeights) -> np.ndarray | None:
        """`_term_numbers` of a pack's terms, as an array. A pack that came numbered by its
        sender's vocabulary (`PackedWeights.vocabulary`) is mapped through what this run
        numbered of that sender's terms before: only its terms not met in an earlier pack of
        the sender are looked up by string, in their order (so new terms get the numbers
        `_term_numbers` of all its terms would give). Mapping every chunk's few thousand
        terms by string was ~4% of this process's CPU on the news-like corpus. None: the
        sender's terms are not known here (forgotten, or an earlier pack of it lost)."""
        sent = pack.vocabulary
        if sent is None:
            return np.asarray(self._term_numbers(pack.terms), dtype=np.int64)
        token, raw = sent
        known = received_terms(token)
        theirs = np.frombuffer(raw, dtype=np.int64)
        if not pack.resolvable or known is None or (len(theirs) and theirs.max() >= len(known)):
            return None
        table = self._sender_numbers.get(token)
        if table is None or len(table) < len(known):
            grown = np.full(len(known) + 4096, -1, dtype=np.int64)
            if table is not None:
                grown[: len(table)] = table
            table = self._sender_numbers[token] = grown
        mapped = table[theirs]
        unmapped = np.flatnonzero(mapped < 0)
        if len(unmapped):
            senders = theirs[unmapped]
            numbers = np.asarray(
                self._term_numbers(list(map(known.__getitem__, senders.tolist()))),
                dtype=np.int64,
            )
            mapped[unmapped] = numbers
            table[senders] = numbers
        return mapped

    def _batch_tf(
        self, items: list[Entry], entities: dict[int, list[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """`tf_weights` of each item as flat arrays: the terms' numbers (`_term_numbers`) and
        weights, item after item, each item's in its dict's order, and each item's count. A
        chunk the worker prepared is mapped once, distinct term by distinct term. Each item
        is noted as where its terms lie (its pack's place, or the terms worked out here, in
        lists), and all are gathered by one index at the end: a slice and an array or two per
        item were half of this function's time. Last, each term's factor for ranking
        (`rank_weights`; None where no item has one)."""
        # Every pack's numbers and weights once, then the terms worked out here (texts not
        # prepared, entities), in one pool; each item's pieces as (start, length) in it.
        pool_numbers: list[np.ndarray] = []
        pool_values: list[np.ndarray] = []
        pooled = 0
        here_numbers: list[int] = []
        here_values: list[float] = []
        # A piece's start in the pool; a negative start ~k is position k of the terms worked
        # out here, which go after the packs' (their count is known only at the end).
        starts: list[int] = []
        lengths: list[int] = []
        counts: list[int] = []
        packs: dict[int, tuple[int, list[int]]] = {}  # id -> (its place in the pool, starts)
        term_numbers = self._term_numbers
        ranks_of = ThreadIndex.rank_weights
        ranked: list[tuple[int, float]] = []  # (position among the terms worked out here, factor)
        for e in items:
            row = e.weights
            n = 0
            if isinstance(row, TermRow):
                pack = packs.get(id(row.pack))
                if pack is None:
                    mapped = self._pack_numbers(row.pack)
                    if mapped is None:  # (its sender's terms are no longer known here)
                        row = None
                    else:
                        ids = np.frombuffer(row.pack.ids, dtype=np.int64)
                        pool_numbers.append(mapped[ids])
                        pool_values.append(np.frombuffer(row.pack.values))
                        pack = packs[id(row.pack)] = (pooled, row.pack.starts())
                        pooled += len(ids)
            if isinstance(row, TermRow):
                assert pack is not None
                at, bounds = pack
                start = bounds[row.at]
                n = bounds[row.at + 1] - start
                starts.append(at + start)
                lengths.append(n)
            else:
                text = row if row is not None else text_weights(e.title, e.body)
                starts.append(~len(here_numbers))
                lengths.append(len(text))
                here_numbers += term_numbers(text)
                here_values += text.values()
                n = len(text)
            found = entities.get(e.id)
            if found:
                # (A term once a mention: it weighs ENTITY_WEIGHT once, and a person or
                # organisation named more than once ranks higher: `rank_weights`.)
                weighed = log_weights(dict.fromkeys(found, ENTITY_WEIGHT))
                if len(weighed) < len(found):
                    begins = len(here_values)
                    for k, factor in enumerate(map(ranks_of(found).get, weighed)):
                        if factor is not None:
                            ranked.append((begins + k, factor))
                starts.append(~len(here_numbers))
                lengths.append(len(weighed))
                here_numbers += term_numbers(weighed)
                here_values += weighed.values()
                n += len(weighed)
            counts.append(n)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64), None
        pool_numbers.append(np.asarray(here_numbers, dtype=np.int64))
        pool_values.append(np.asarray(here_values, dtype=np.float64))
        first = np.asarray(starts, dtype=np.int64)
        here = first < 0
        first[here] = ~first[here] + pooled
        pieces = np.asarray(lengths, dtype=np.int64)
        at = np.repeat(first, pieces) + scoring.ranges(pieces)
        rank = None
        if ranked:
            factors = np.ones(pooled + len(here_values))
            places, values = zip(*ranked, strict=True)
            factors[pooled + np.asarray(places, dtype=np.int64)] = values
            rank = factors[at]
        return (
            np.concatenate(pool_numbers)[at],
            np.concatenate(pool_values)[at],
            np.asarray(counts, dtype=np.int64),
            rank,
        )

    def _vectors(
        self,
        numbers: np.ndarray,
        weights: np.ndarray,
        counts: np.ndarray,
        factors: np.ndarray | None = None,
    ) -> list[tuple[dict[str, float], np.ndarray, np.ndarray]]:
        """`vector` of each item from its TF-IDF weights (flat, as `_batch_tf` lays them out),
        all items at once: the same dicts, the same bits. An item of more than ITEM_TERMS
        terms keeps its strongest (ties: first seen first, as the stable sort in `vector`),
        each weight ranked times its factor in `factors` where given (`_batch_tf`), the others
        all of theirs in their order; each norm is summed left to right in that
        order, column by column over the items."""
        n = len(counts)
        if not n:
            return []
        starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        kept = np.minimum(counts, ITEM_TERMS)
        out_starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(kept, out=out_starts[1:])
        owner = np.repeat(np.arange(n), kept)
        rank = np.arange(int(out_starts[-1])) - out_starts[owner]
        at = starts[owner] + rank  # the first ITEM_TERMS of each item, in order
        big = np.flatnonzero(counts > ITEM_TERMS)
        if len(big):
            # The strongest of each long item: its weights as a row (padded with +inf after
            # negating), sorted stably.
            width = int(counts[big].max())
            lengths = counts[big]
            row = np.repeat(np.arange(len(big)), lengths)
            column = np.arange(int(lengths.sum())) - np.repeat(
                np.cumsum(lengths) - lengths, lengths
            )
            source = np.repeat(starts[big], lengths) + column
            padded = np.full((len(big), width), np.inf)
            ranked = weights if factors is None else weights * factors
            padded[row, column] = -ranked[source]
            strongest = np.argsort(padded, axis=1, kind="stable")[:, :ITEM_TERMS]
            is_big = np.zeros(n, dtype=bool)
            is_big[big] = True
            at[is_big[owner]] = (strongest + starts[big][:, None]).ravel()
        chosen = weights[at]
        squares = np.zeros((n, ITEM_TERMS))
        squares[owner, rank] = chosen * chosen
        total = np.zeros(n)
        for k in range(ITEM_TERMS):  # left to right, as `ordered_sum`
            total += squares[:, k]
        norm = np.sqrt(total)
        norm[norm == 0.0] = 1.0
        positive = chosen > 0
        unit = (chosen / norm[owner])[positive]
        kept_numbers = numbers[at][positive]
        values = unit.tolist()
        # Every kept term's string at once (one C-level map for the batch, not one per item).
        names = self._names(kept_numbers)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner[positive], minlength=n), out=bounds[1:])
        ends = bounds.tolist()
        # Each item's dict taken from one iterator over all the pairs (no slices of the two
        # lists an item).
        pairs = zip(names, values, strict=True)
        return [
            (dict(islice(pairs, b - a)), kept_numbers[a:b], unit[a:b]) for a, b in pairwise(ends)
        ]

    def _count_documents(self, distinct: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Add a batch's items holding each of its terms (`distinct`, by number; `held`, by
        number) to the terms' document frequencies, those not known yet read from `term_df`
        first; their frequencies now."""
        df = self._frequencies(distinct)
        added = held[distinct]
        df[distinct] += added
        # Kept by number until the flush (or until the numbering goes: `_settle_df`).
        self._df_pending.append((distinct, added))
        return df[distinct]

    def _frequencies(self, distinct: np.ndarray) -> np.ndarray:
        """The run's document frequencies by term number, those of `distinct` not known yet
        read from `term_df` first."""
        if len(self._df) < len(self._term_list):
            grown = np.full(len(self._term_list) + 1024, -1, dtype=np.int64)
            grown[: len(self._df)] = self._df
            self._df = grown
        df = self._df
        missing = distinct[df[distinct] < 0]
        if len(missing):
            # A term not stored has none yet; the stored ones' rows come back by term (in the
            # table's order), each put at its number by the run's numbering (a C-level map:
            # a run of a refresh reads ~10,000 terms, and a loop over them per term cost
            # more than the reads).
            df[missing] = 0
            found = item_vectors.frequencies_and_ids(self.conn, self._names(missing))
            if found:
                terms, counts, ids = zip(*found, strict=True)
                at = np.fromiter(map(self._term_ids.__getitem__, terms), np.int64, len(terms))
                df[at] = counts
                # (Their numbers in `term_df.id` come with them: those stored vectors hold.)
                numbered = np.fromiter((i is not None for i in ids), bool, len(ids))
                if numbered.all():
                    self._know_ids(at, np.asarray(ids, dtype=np.int64))
                elif numbered.any():
                    held = np.asarray([i for i in ids if i is not None], dtype=np.int64)
                    self._know_ids(at[numbered], held)
        return df

    # -- stored vectors -----------------------------------------------------------------------

    def _know_ids(self, numbers: np.ndarray, ids: np.ndarray) -> None:
        """Run's term numbers and their numbers in `term_df.id`, remembered both ways."""
        if not len(numbers):
            return
        if len(self._db_ids) < len(self._term_list):
            grown = np.full(len(self._term_list) + 1024, -1, dtype=np.int64)
            grown[: len(self._db_ids)] = self._db_ids
            self._db_ids = grown
        top = int(ids.max())
        if len(self._id_numbers) <= top:
            grown = np.full(top + 4096, -1, dtype=np.int64)
            grown[: len(self._id_numbers)] = self._id_numbers
            self._id_numbers = grown
        self._db_ids[numbers] = ids
        self._id_numbers[ids] = numbers

    def _note_vectors(self, placing: list[Item], distinct: list[int]) -> None:
        """The batch's new items' vectors, to be stored by `flush`."""
        rows = self._vector_rows
        for m, n in zip(placing, distinct, strict=True):
            e = m.entry
            numbers, weights = rows[e.id]
            flags = (item_vectors.TEASED if m.teased else 0) | (
                item_vectors.HAS_BODY if e.body and not e.body.isspace() else 0
            )
            self._new_vectors.append((e.id, e.published_at, numbers, weights, n, flags))

    def _number_vector_terms(self) -> dict[str, int]:
        """The batch's new vectors to store (`_new_vectors`), kept to those within the story
        window: STORY_GAP_DAYS before the newest item analysed (no later than VECTORS_AHEAD
        past the clock), older rows removed as the window moves. Their terms without a number
        (`term_df.id`) yet are given the next free ones: {term: number} of those, written
        with the document frequencies by `flush` (a statement of their own was a second
        seek per term, ~10 us an entry at 10k news-like entries, ~4 new terms each)."""
        pending = self._new_vectors
        if not pending:
            return {}
        latest = min(max(p[1] for p in pending), int(time.time()) + VECTORS_AHEAD)
        since = item_vectors.advance(self.conn, latest - STORY_GAP_DAYS * 86400)
        pending = self._new_vectors = [p for p in pending if p[1] >= since]
        if not pending:
            return {}
        numbers = np.concatenate([p[2] for p in pending])
        if len(self._db_ids) < len(self._term_list):
            grown = np.full(len(self._term_list) + 1024, -1, dtype=np.int64)
            grown[: len(self._db_ids)] = self._db_ids
            self._db_ids = grown
        unknown = np.unique(numbers[self._db_ids[numbers] < 0])
        if not len(unknown):
            return {}
        # A term whose document frequency the run read came with its number, if it had one
        # (`_frequencies`); the others' are read first.
        df = self._df
        read = np.zeros(len(unknown), dtype=bool)
        inside = unknown < len(df)
        read[inside] = df[unknown[inside]] >= 0
        unread = unknown[~read].tolist()
        if unread:
            found = {
                t: i
                for t, _, i in item_vectors.frequencies_and_ids(
                    self.conn, [self._term_list[k] for k in unread]
                )
                if i is not None
            }
            pairs = [(k, found[t]) for k in unread if (t := self._term_list[k]) in found]
            if pairs:
                known, ids = zip(*pairs, strict=True)
                self._know_ids(np.asarray(known, dtype=np.int64), np.asarray(ids, dtype=np.int64))
        fresh = unknown[self._db_ids[unknown] < 0].tolist()
        if not fresh:
            return {}
        first = item_vectors.next_number(self.conn)
        given = list(range(first, first + len(fresh)))
        self._know_ids(np.asarray(fresh, dtype=np.int64), np.asarray(given, dtype=np.int64))
        return {self._term_list[k]: i for k, i in zip(fresh, given, strict=True)}

    def _store_vectors(self) -> None:
        """The batch's new vectors within the story window (`_number_vector_terms`: all their
        terms numbered by now) stored (`store/item_vectors.py`)."""
        pending, self._new_vectors = self._new_vectors, []
        if not pending:
            return
        numbers = np.concatenate([p[2] for p in pending])
        blobs = item_vectors.encode_many(
            self._db_ids[numbers],
            np.concatenate([p[3] for p in pending]),
            [len(p[2]) for p in pending],
            [p[4] for p in pending],
            [p[5] for p in pending],
        )
        item_vectors.save(
            self.conn, [(p[1], p[0], blob) for p, blob in zip(pending, blobs, strict=True)]
        )

    def _settle_df(self) -> None:
        """The increments counted by number (`_count_documents`) into `_df_delta`, by term."""
        pending, self._df_pending = self._df_pending, []
        delta = self._df_delta
        for distinct, added in pending:
            if not delta:  # (distinct terms: each once)
                dict.update(delta, zip(self._names(distinct), added.tolist(), strict=True))
                continue
            for t, n in zip(self._names(distinct), added.tolist(), strict=True):
                delta[t] += n

    def _df_rows(self) -> list[tuple[str, int]]:
        """The document-frequency increments counted since the last flush as `term_df` rows, in
        key order: one walk over the table's pages (in the order the batch met its terms, each
        upsert sought a page of its own). A batch's increments, still by number (the usual
        case), go straight to rows, their terms sorted as plain strings (code point order,
        UTF-8's byte order, SQLite's), not through a Counter of terms and a sort of its pairs
        by a key (1.6% + 0.9% of this process's CPU on the news-like corpus). The order
        decides only which pages are near each other."""
        pending = self._df_pending
        if len(pending) == 1 and not self._df_delta:
            self._df_pending = []
            distinct, added = pending[0]
            names = self._names(distinct)
            count = dict(zip(names, added.tolist(), strict=True)).__getitem__
            return [(t, count(t)) for t in _sorted_terms(names)]
        self._settle_df()
        delta, self._df_delta = self._df_delta, Counter()
        return [(t, delta[t]) for t in _sorted_terms(list(delta))]  # (plain strings sort)

    def idf(self, frequencies: Iterable[int]) -> list[float]:
        """The IDF of terms of these document frequencies, as of the batch's counts (worked
        out once per term, not once per item holding it)."""
        # IDF_PRIOR_DOCS documents that lack every term: in a small cache (one live blog, all
        # on one war) a story's own words are common, and plain IDF would weigh them as nothing.
        n = self.docs + IDF_PRIOR_DOCS + 1
        return [math.log(n / (df + 1.0)) for df in frequencies]

    def _idf_of(self, frequencies: np.ndarray) -> np.ndarray:
        """`idf` of each of these document frequencies (an integer array), as an array: worked
        out once a distinct frequency, the same floats. A batch's ~28,000 distinct terms hold
        a few hundred distinct frequencies (most terms are rare)."""
        values, at = np.unique(frequencies, return_inverse=True)
        return np.asarray(self.idf(values.tolist()), dtype=np.float64)[at]

    @staticmethod
    def vector(
        tf: dict[str, float], idf: dict[str, float], rank: dict[str, float] | None = None
    ) -> dict[str, float]:
        """An item's unit TF-IDF vector of its ITEM_TERMS strongest terms, each ranked by its
        weight times its factor in `rank` (`rank_weights`) where given."""
        weights = {t: w * idf[t] for t, w in tf.items()}
        key = _weight if not rank else (lambda p: p[1] * rank.get(p[0], 1.0))
        strongest = (
            sorted(weights.items(), key=key, reverse=True)[:ITEM_TERMS]
            if len(weights) > ITEM_TERMS
            else list(weights.items())
        )
        norm = math.sqrt(ordered_sum([w * w for _, w in strongest])) or 1.0
        # Interned: kept items, centroids and the run's vocabulary then share one string per
        # term instead of one per item (3.3 KB of each kept item's 6.3 at 40k entries).
        return {intern(t): w / norm for t, w in strongest if w > 0}

    # -- candidates ---------------------------------------------------------------------------

    def _postings(self, term: str) -> Sequence[int]:
        known = self._db_postings.get(term)
        if known is None:
            known = array("q", thread_store.postings(self.conn, term, POSTINGS))
            self._db_postings[term] = known
        fresh = self._new_postings.get(term)
        if not fresh:
            return known
        # A batch only adds to `fresh`: while its size holds, the last merge still holds.
        done = self._merged.get(term)
        if done is not None and done[0] == len(fresh):
            return done[1]
        merged = fresh.union(known)
        result = sorted(merged, reverse=True)[:POSTINGS] if len(merged) > POSTINGS else list(merged)
        self._merged[term] = (len(fresh), result)
        return result

    def _load_centroids(self, ids: set[int]) -> None:
        missing = [i for i in ids if i not in self.centroids]
        if not missing:
            return
        interned = self._estimated_bytes() >= MEMORY_BUDGET * PLAIN_DECODE_BELOW
        for r in thread_store.thread_rows(self.conn, missing):
            c = Centroid(r[0], {}, r[1], r[2], r[3], r[5], r[6] or 0.0, r[4])
            c.dated_first, c.dated_last = r[8], r[9]
            if r[7]:
                c.weights = decode_centroid(r[7], interned)
                c.indexed = decode_indexed(c.weights, r[10])
            c.refresh()
            self.centroids[r[0]] = c

    # -- placing ------------------------------------------------------------------------------

    def place_batch(
        self,
        items: list[Entry],
        entities: dict[int, list[str]],
        grouper: Grouper | None = None,
    ) -> ThreadOutcome:
        """Place new items (canonical entries without a thread), oldest first. `grouper`
        groups the batch's parts (`group_here`, or one that groups later parts in a worker
        process while this one places the earlier ones: the same groups)."""
        if self.docs < 0:
            self.begin_batch()
        self._late_before = self._placed_until
        if items:
            newest = max(e.published_at for e in items)
            if self._placed_until is None or newest > self._placed_until:
                self._placed_until = newest
        dated = [e.published_at for e in items if e.dated]
        # A thread whose dated items all end a story gap before this batch's first cannot be
        # joined by it (`too_far`): those go first when memory is short.
        self._evict(
            min(dated) - STORY_GAP_DAYS * 86400 if dated and len(dated) == len(items) else None
        )
        out = ThreadOutcome()
        numbers, tf, counts, rank = self._batch_tf(items, entities)
        # Each term of the batch once, with the number of items holding it.
        held = np.bincount(numbers, minlength=len(self._term_list))
        distinct = np.flatnonzero(held)
        # IDF over the cache and this whole batch: the first items of a batch are weighed
        # like the last ones.
        frequencies = self._count_documents(distinct, held)
        self.docs += len(items)
        idf_of = np.zeros(len(self._term_list))
        idf_of[distinct] = self._idf_of(frequencies)
        vectors = []
        for e, (vector, terms_of, weights_of) in zip(
            items, self._vectors(numbers, tf * idf_of[numbers], counts, rank), strict=True
        ):
            vectors.append(vector)
            self._vector_rows[e.id] = (terms_of, weights_of)
        ordered = sorted(
            zip(items, vectors, counts.tolist(), strict=True),
            key=lambda p: (p[0].published_at, p[0].id),
        )
        placing = [
            Item.of(entry, vector, n, entities.get(entry.id, ())) for entry, vector, n in ordered
        ]
        self._note_vectors(placing, [n for _, _, n in ordered])
        # The batch is grouped in time-ordered parts of GROUP_ITEMS (the grouping's cost grows
        # with the square of its size); groups of a later part may join threads of earlier ones.
        parts = [
            placing[start : start + GROUP_ITEMS] for start in range(0, len(placing), GROUP_ITEMS)
        ]
        sides = [self._part_side(part) for part in parts]
        grouped = (grouper or group_here)(sides, STORY_GAP_DAYS * 86400)
        for part, side, groups in zip(parts, sides, grouped, strict=True):
            self._grouped = set()
            probes = getattr(groups, "probes", None)
            if probes is None:  # (else found by the grouping worker: `grouping.Grouped`)
                # From the part's rows over the run's term numbers (`_part_side`).
                assert side.terms is not None
                term = self._term_list.__getitem__
                probes = [
                    list(map(term, columns))
                    for columns in grouping.probe_columns(side.terms, groups)
                ]
            candidates = self._candidates_of([[part[i] for i in group] for group in groups], probes)
            # Sparse rows only for the items that are scored here: those of groups with a
            # known candidate thread.
            asks = [any(self._known(self.centroids[i]) for i in ids) for ids in candidates]
            scored = [i for group, ask in zip(groups, asks, strict=True) if ask for i in group]
            at = {i: k for k, i in enumerate(scored)}
            local = [
                [at[i] for i in group] if ask else []
                for group, ask in zip(groups, asks, strict=True)
            ]
            linked = self._by_members(
                self._side_of([part[i] for i in scored], side._replace(terms=None).take(scored)),
                local,
                candidates,
            )
            self._beside_linked(linked, candidates)
            for g, group in enumerate(groups):
                if linked[g]:
                    # A thread of an earlier run (or grown large) that the group suits better
                    # by its centroid than any known thread by its items: the group joins it
                    # as before, and is not regrouped.
                    others = {i for i in candidates[g] if not self._known(self.centroids[i])}
                    if not others:
                        continue
                    other, score = self._best([part[i] for i in group], others, {})
                    if other is not None and score > max(a for a, _, _ in linked[g].values()):
                        linked[g] = {}
            components = scoring.components(linked)
            first_of = {gs[0]: (gs, ts) for gs, ts in components}
            regrouped = {g for gs, _ in components for g in gs}
            whole = self._whole_joins(part, groups, linked, first_of)
            for g, (group, ids) in enumerate(zip(groups, candidates, strict=True)):
                if g not in regrouped:
                    self._place(part, group, ids, out)
                elif g in first_of:
                    gs, ts = first_of[g]
                    pairs = [v for k in gs for v in linked[k].values()]
                    if (
                        len(pairs) == 1
                        and min(pairs[0][:2]) >= 1.0
                        and whole.get(g, True)
                        and (g, ts[0]) not in self._parted
                    ):
                        # A join: the group's average pair and each of its items' own
                        # with the thread reach 1 (what average linkage would make of them;
                        # of two groups of articles, only if it makes one group of them:
                        # `_whole_joins`; else they are regrouped below). Not where a pair
                        # of the two was put apart by its places (grouping.PLACES_APART):
                        # the thread's other items may pair with the group first, as in
                        # one batch, and the regrouping finds out.
                        self._place(part, group, ids, out, self.centroids[ts[0]])
                    elif all(max(average, most) < 1.0 for average, _, most in pairs):
                        # Nothing joins: no average of a group with a thread, nor of an item
                        # of either with the other, reaches 1.
                        for k in gs:
                            self._place(part, groups[k], candidates[k], out)
                    else:
                        self._regroup(
                            part, [groups[k] for k in gs], [candidates[k] for k in gs], ts, out
                        )
        self._recheck_young(out)
        self._event_joins(out)
        out.touched = set(out.assigned.values())
        when = {e.id: e.published_at for e, _, _ in ordered}
        for item, tid in out.assigned.items():
            n, first, last = out.spans.get(tid, (0, when[item], when[item]))
            out.spans[tid] = (n + 1, min(first, when[item]), max(last, when[item]))
        out.created = len({t for t in out.touched if t in self._created})
        return out

    def _recheck_young(self, out: ThreadOutcome) -> None:
        """Join the run's young threads (see RECHECK_GROWTH) that are due and that average
        linkage, over their items weighed afresh by today's document frequencies, now makes
        one group of: a batch grouped while the counts were young may have parted one story's
        reports by words that were rare then and are common now."""
        heap, young = self._young_due, self._young
        if not heap or heap[0] > self.docs:
            return
        due: list[int] = []
        due_set: set[int] = set()
        again = []
        while heap and heap[0] <= self.docs:
            at = heapq.heappop(heap)
            for t in self._young_at.pop(at):
                reg = young.get(t)
                if reg is None or reg[0] != at or t in due_set:
                    continue  # (listed under a count it no longer has, or twice)
                c = self.centroids.get(t)
                if c is None or not self._known(c):
                    del young[t]
                    continue
                if reg[1] > 1:
                    again.append((t, at * RECHECK_GROWTH, reg[1] - 1))
                else:
                    del young[t]
                due.append(t)
                due_set.add(t)
        for t, at, left in again:
            self._young_after(t, at, left)
        if len(due) < 2:
            return
        # Two due threads held by one name's postings (read from the due threads' names, not
        # by walking every name of the run).
        # Only those whose strongest terms are not far apart (as `_event_joins` asks first):
        # on the news-like corpus 44 of 45 pairs of one name are under 0.1 and none joins;
        # ECB+'s split topic is at 0.57. Their items are read afresh only then.
        named = {
            (a, b)
            for a in due
            for name in self._anchors_of.get(a, ())
            if a in (held := self._anchor_postings.get(name, ()))
            for b in held
            if b > a and b in due_set
        }
        pairs = [
            (a, b)
            for a, b in sorted(named)
            if _top_cosine(self.centroids[a], self.centroids[b]) >= EVENT_COSINE / 2
        ]
        if not pairs:
            return
        paired = sorted({t for pair in pairs for t in pair})
        members = {t: [self._unpacked(m) for m in self.members[t]] for t in paired}
        fresh = self._fresh_items([m.entry.id for t in paired for m in members[t]])
        into = {t: t for t in paired}
        for a, b in pairs:
            while into[a] != a:
                a = into[a]
            while into[b] != b:
                b = into[b]
            if a == b:
                continue
            keep, gone = (a, b) if a < b else (b, a)
            union = sorted(
                members[keep] + members[gone], key=lambda m: (m.entry.published_at, m.entry.id)
            )
            anew = [fresh[m.entry.id] for m in union if m.entry.id in fresh]
            if len(anew) != len(union) or not self._one_group(anew):
                continue
            assigned = {i for i, th in out.assigned.items() if th == gone}
            self._rebuild(self.centroids[gone], [], set(), out)
            out.recount.discard(gone)
            self._rebuild(self.centroids[keep], union, assigned, out)
            members[keep] = union
            into[gone] = keep
            self._young.pop(gone, None)

    def _fresh_items(self, ids: list[int]) -> dict[int, Item]:
        """These stored entries as items made again from their text and entities by the
        run's document frequencies now (as `_items_from_text`), by entry id; nothing of the
        run's batch state is changed."""
        rows = item_vectors.entry_texts(self.conn, ids)
        if not rows:
            return {}
        entries, entities, made, counts = self._made_from_text(rows)
        return {
            e.id: Item.of(e, vector, n, entities.get(e.id, ()))
            for e, (vector, _, _), n in zip(entries, made, counts, strict=True)
        }

    def _one_group(self, items: list[Item]) -> bool:
        """Does average linkage (the grouping's, with its tests) make one group of these
        items (vectors as dicts, rows made here and not kept)?"""
        rows = [self._row(m) for m in items]
        width = len(self._column_terms)
        side = _side(items)._replace(
            terms=grouping.sparse_rows([r[0] for r in rows], [r[1] for r in rows], width),
            heads=grouping.sparse_rows([r[2] for r in rows], [r[3] for r in rows], width),
            entity_columns=self._entity_columns(width),
            column_terms=self._column_terms,
        )
        n = len(items)
        r, c = np.triu_indices(n, 1)
        scores = grouping.pair_scores(side, side, r, c, STORY_GAP_DAYS * 86400)
        score = np.zeros((n, n))
        score[r, c] = scores
        score[c, r] = scores
        return grouping.one_group(
            score.tolist(), side.articles.astype(np.float64).tolist(), [m.vector for m in items]
        )

    def _event_joins(self, out: ThreadOutcome) -> None:
        """Join the known threads this batch changed with known threads of the same event
        that formed apart (see EVENT_COSINE): the later-numbered thread's items move to the
        other, which is made again from both (`_rebuild`); the joined thread is then looked
        at again."""
        todo = sorted({t for t in chain(out.assigned.values(), out.moved.values(), out.recount)})
        if not todo:
            return
        rare = EVENT_RARE_SHARE * self.docs
        while todo:
            t = todo.pop(0)
            c = self.centroids.get(t)
            if c is None or c.size < EVENT_MIN_ITEMS or not self._known(c):
                continue
            names = {
                n
                for n in self._anchors_of.get(t, ())
                if (df := self._df_of(n)) is not None and df <= rare
            }
            others = sorted({u for n in names for u in self._anchor_postings.get(n, ()) if u != t})
            if not others:
                continue
            mine: _Summed | None = None
            for u in others:
                other = self.centroids.get(u)
                if other is None or not self._might_join(c, other, names):
                    continue
                if _top_cosine(c, other) < EVENT_COSINE / 2:
                    continue  # (their strongest terms alone far apart: no sum is worked out)
                if mine is None:
                    mine = _Summed([self._unpacked(m) for m in self.members[t]])
                theirs = _Summed([self._unpacked(m) for m in self.members[u]])
                if mine.cosine(theirs) < EVENT_COSINE:
                    continue
                keep, gone = (c, other) if c.id < other.id else (other, c)
                merged = sorted(
                    mine.items + theirs.items, key=lambda m: (m.entry.published_at, m.entry.id)
                )
                fresh = {i for i, th in out.assigned.items() if th == gone.id}
                self._rebuild(gone, [], set(), out)
                out.recount.discard(gone.id)
                self._rebuild(keep, merged, fresh, out)
                todo.insert(0, keep.id)
                break

    def _might_join(self, a: Centroid, b: Centroid, names: set[str]) -> bool:
        """The tests of two known threads' join (see EVENT_COSINE) but their vectors', the
        cheap ones: sizes, a rare name in common, dated spans, outlets. `names`: the rare
        multi-word people and organisations `a` names."""
        if b.size < EVENT_MIN_ITEMS or not self._known(b):
            return False
        if names.isdisjoint(self._anchors_of.get(b.id, ())):
            return False
        if None in (a.dated_first, a.dated_last, b.dated_first, b.dated_last):
            return False
        assert a.dated_first is not None and a.dated_last is not None
        assert b.dated_first is not None and b.dated_last is not None
        gap = max(a.dated_first, b.dated_first) - min(a.dated_last, b.dated_last)
        if gap > EVENT_GAP_HOURS * 3600:
            return False
        outlets = {m.outlet for m in self.members[a.id]}
        return len(outlets) > 1 or outlets != {m.outlet for m in self.members[b.id]}

    def _df_of(self, term: str) -> int | None:
        """The run's document frequency of a term it has met (None: not met)."""
        k = self._term_ids.get(term)
        if k is None or k >= len(self._df) or self._df[k] < 0:
            return None
        return int(self._df[k])

    def _whole_joins(
        self,
        part: list[Item],
        groups: list[list[int]],
        linked: list[dict[int, tuple[float, float, float]]],
        first_of: dict[int, tuple[list[int], list[int]]],
    ) -> dict[int, bool]:
        """Which of a part's joins (a group whose average pair with one known thread reaches
        1) may join whole: all, unless both are groups of articles that average linkage holds
        to its group tests (`scoring.articles_tested`); those only if average linkage (the
        grouping's, with its COHESION and signature tests) makes one group of their items
        together, as one analysis would have; else they are regrouped. Without this, where
        the grouping's parts cut an undated set decided whether two look-alike events met as
        one thread (the group tests never saw them: a later group joined on its average pair
        alone). ECB+ dev B-cubed F1 over 7 import orders 0.892-0.907 (mean 0.903) ->
        0.902-0.904 (0.904); the file's order, the real feeds and UCI unchanged. The pairs
        of all the part's tested joins are scored in one product, from the sparse rows the
        index keeps (`grouping.pair_scores`); one group is left as it is by the grouping's
        last pass, so the linkage alone tells. Regrouping every such join instead (343 on the
        news-like 10k corpus, 11 of them not one group) cost +7-14% of the threads stage."""
        unions: dict[int, list[Item]] = {}
        for g, (gs, ts) in first_of.items():
            pairs = [v for k in gs for v in linked[k].values()]
            if len(pairs) != 1 or min(pairs[0][:2]) < 1.0:
                continue
            group = [part[i] for i in groups[g]]
            thread = self.members[ts[0]]
            if scoring.articles_tested(group, thread):
                unions[g] = sorted(
                    [*thread, *group], key=lambda m: (m.entry.published_at, m.entry.id)
                )
        if not unions:
            return {}
        items = [m for union in unions.values() for m in union]
        side = self._side_of(items)
        sizes = [len(union) for union in unions.values()]
        starts = np.cumsum([0, *sizes])
        upper = [np.triu_indices(n, 1) for n in sizes]
        rows = np.concatenate([r + s for (r, _), s in zip(upper, starts.tolist(), strict=False)])
        cols = np.concatenate([c + s for (_, c), s in zip(upper, starts.tolist(), strict=False)])
        scores = grouping.pair_scores(side, side, rows, cols, STORY_GAP_DAYS * 86400)
        whole = {}
        at = 0
        for (g, union), n, (r, c), start in zip(
            unions.items(), sizes, upper, starts.tolist(), strict=False
        ):
            score = np.zeros((n, n))
            score[r, c] = scores[at : at + len(r)]
            score[c, r] = score[r, c]
            at += len(r)
            whole[g] = grouping.one_group(
                score.tolist(),
                side.articles[start : start + n].astype(np.float64).tolist(),
                _Vectors(union, self._unpacked),
            )
        return whole

    def _place(
        self,
        part: list[Item],
        group: Iterable[int],
        ids: set[int],
        out: ThreadOutcome,
        known: Centroid | None = None,
    ) -> None:
        """A group of new items joins a `known` thread whole, or else the thread of an
        earlier run (or grown large) whose centroid suits it best (`_best`), or starts a
        thread."""
        members = [part[i] for i in group]
        thread = known or self._best(members, ids, {})[0]
        created = thread is None
        if thread is None:
            thread = self._create(members[0].entry)
            self._grouped.add(thread.id)
        self._remember(thread, members, created)
        self._add(thread, members)
        for m in members:
            out.assigned[m.entry.id] = thread.id
        self._retitle(thread, members)

    def _regroup(
        self,
        part: list[Item],
        groups: list[list[int]],
        candidates: list[set[int]],
        threads: list[int],
        out: ThreadOutcome,
    ) -> None:
        """Some of a part's groups and the known threads their items pair with, grouped
        again together as one batch is (`grouping.side_groups`): a thread may take items of
        the groups, lose items, split or merge, as it would have had its items been in this
        batch. Each new group goes to the thread holding most of its earlier items (each
        thread to one group at most); a group of new items alone joins a thread of an earlier
        run by its centroid (`_best`) or starts one."""
        gap = STORY_GAP_DAYS * 86400
        # Each item with the thread it was in (None: new).
        held: list[tuple[Item, int | None]] = [(m, t) for t in threads for m in self.members[t]]
        held += [(part[i], None) for group in groups for i in group]
        held.sort(key=lambda p: (p[0].entry.published_at, p[0].entry.id))
        items = [m for m, _ in held]
        probe = {
            part[i].entry.id: ids
            for group, ids in zip(groups, candidates, strict=True)
            for i in group
        }
        new_ids = set(probe)
        earlier = np.fromiter((t is not None for _, t in held), dtype=bool, count=len(held))
        # Scored from the items' sparse rows (`side_groups` takes its cosines from them); a
        # kept item's vector made a dict again only where the signature test or a rebuilt
        # thread asks for it.
        side = self._side_of(items)._replace(vectors=_Vectors(items, self._unpacked))
        regrouped = side_groups(side, gap, earlier=earlier)
        counts = [Counter(t for k in ng if (t := held[k][1]) is not None) for ng in regrouped]
        ranked = sorted((-n, t, j) for j, c in enumerate(counts) for t, n in c.items())
        thread_of: dict[int, int] = {}
        taken: set[int] = set()
        for _, t, j in ranked:
            if t not in taken and j not in thread_of:
                thread_of[j] = t
                taken.add(t)
        for t in threads:
            if t not in taken:
                self._rebuild(self.centroids[t], [], set(), out)
        for j, ng in enumerate(regrouped):
            members = [items[k] for k in ng]
            fresh = [items[k] for k in ng if held[k][1] is None]
            at = thread_of.get(j)
            if at is not None:
                c = self.centroids[at]
                before = {m.entry.id for m in self.members[at]}
                if {m.entry.id for m in members} - new_ids == before:
                    if fresh:  # it keeps its items and takes new ones, as a group joining it
                        self._remember(c, fresh, False)
                        self._add(c, fresh)
                        for m in fresh:
                            out.assigned[m.entry.id] = c.id
                        self._retitle(c, fresh)
                    continue
                self._rebuild(c, list(map(self._unpacked, members)), new_ids, out)
            elif len(fresh) < len(members):  # earlier items, parted from their thread
                c = self._create(members[0].entry)
                self._grouped.add(c.id)
                c.size = 0
                self._rebuild(c, list(map(self._unpacked, members)), new_ids, out)
            else:  # new items alone
                ids = set().union(*(probe[m.entry.id] for m in members))
                self._place(members, range(len(members)), ids, out)

    def _rebuild(
        self, c: Centroid, members: list[Item], fresh: set[int], out: ThreadOutcome
    ) -> None:
        """A known thread made again of these items (time order; none: it is emptied): its
        centroid, span, kept items and headline worked out from them, earlier items moved to
        it and its counts taken again from its items."""
        before = self.members.pop(c.id, [])
        self._left(c.id)
        self._kept -= len(before)
        self._row_checks += [m.entry.id for m in before]
        had = {m.entry.id for m in before}
        if not members:  # its items all went to other threads: it goes (`drop_empty`)
            self._emptied_terms |= c.indexed
            self._emptied_ids.add(c.id)
            del self.centroids[c.id]
            out.emptied.add(c.id)
            return
        c.weights = {}
        c.size = 0
        c.dated_first = c.dated_last = None
        c.headline_entry, c.headline_score = None, 0.0
        if members:
            c.first_at = c.last_at = members[0].entry.published_at
        self._add(c, members)  # (its strongest terms and length worked out after the last)
        c.dirty = True
        out.recount.add(c.id)
        self._remember(c, members, True)
        for m in members:
            if m.entry.id in had:
                continue
            if m.entry.id in fresh:
                out.assigned[m.entry.id] = c.id
            else:
                out.moved[m.entry.id] = c.id
        self._retitle(c, members)

    def _candidates_of(
        self, groups: list[list[Item]], probes: list[list[str]] | None = None
    ) -> list[set[int]]:
        """`_candidates` of each of a part's groups, the postings of their probe terms that
        are not cached read together first (nothing writes the index while a part's
        candidates are read, so a term's postings are what `_postings` would read). Where
        the cache holds threads of earlier runs, those the part's groups meet (by their probe
        or their titles: `_to_read`) are read back first, all together (`_read_members`)."""
        if probes is None:  # (else found by the grouping worker: `grouping.Grouped`)
            probes = [self._probe(members) for members in groups]
        earlier = self._earlier > 0
        titles = [_short_titles(members) for members in groups] if earlier else []
        cached = self._db_postings
        missing = {t for probe in chain(probes, titles) for t in probe if t not in cached}
        if missing:
            # A term in at most POSTINGS documents is in about as few threads, whose walk goes
            # down to its first block anyway: read whole, in one round (`postings_of_terms`;
            # the same threads whichever terms are read so).
            few = {t for t in missing if (df := self._df_of(t)) is not None and df <= POSTINGS}
            for term, ids in thread_store.postings_of_terms(
                self.conn, missing, POSTINGS, few
            ).items():
                # (Interned: a probe the grouping worker found holds strings of its own.)
                cached[intern(term)] = array("q", ids)
        if earlier:
            self._read_members(
                set().union(
                    *(
                        self._to_read(members, probe, titled)
                        for members, probe, titled in zip(groups, probes, titles, strict=True)
                    )
                )
            )
        return [
            self._candidates(members, probe) for members, probe in zip(groups, probes, strict=True)
        ]

    @staticmethod
    def _probe(members: list[Item]) -> list[str]:
        """`grouping.probe_terms` of a group (its summed vectors' strongest terms)."""
        return probe_terms([m.vector for m in members])

    def _probed(self, probe: list[str]) -> set[int]:
        """The CANDIDATES threads sharing most of a group's `probe` terms, newest first on
        ties, and at least PROBE_SHARED of them."""
        hits = Counter(chain.from_iterable([self._postings(t) for t in probe]))
        # Those sharing fewer than PROBE_SHARED come last in `scoring.top_candidates`' order (more
        # hits first), so its first CANDIDATES of those sharing enough are the same threads, in
        # the same order; most ids share one or two terms (news-like 10k: 12 ids a group, 0.8
        # of them sharing 3 or more), which are no longer ranked.
        return set(
            scoring.top_candidates(Counter({i: n for i, n in hits.items() if n >= PROBE_SHARED}))
        )

    def _candidates(self, members: list[Item], probe: list[str]) -> set[int]:
        """The threads of earlier batches a group of new items may join: the CANDIDATES
        sharing most of the group's `probe` terms (`_probe`), newest first on ties, and at
        least PROBE_SHARED of them (read before the part's groups join any)."""
        ids = self._probed(probe)
        ids |= self._known_by_title(members)
        self._load_centroids(ids)
        # (A thread a regrouping emptied may still be named by the cached postings.)
        ids = {i for i in ids if i in self.centroids}
        for i in ids:
            self.centroids[i].used = self._batch
        return ids

    def _to_read(self, members: list[Item], probe: list[str], titled: list[str]) -> set[int]:
        """The threads of earlier runs that a group meets, to be read back (`_read_members`):
        its probe's candidates (`_probed`), and the TITLE_CANDIDATES indexed under most of its
        short items' title terms (`titled`; newest first on ties): a thread of this run that
        holds a short item is found by its titles (`_known_by_title`), one of an earlier run
        only once its items are read. Each of at most MEMBERS_KEPT items, not read yet, and
        within a story gap of the group's dated items. (The threads of this run do not count
        against the titles' three: in one run of 50 items the part's reads are chosen before
        any, so they would change nothing.)"""
        earlier, done, kept = self._earlier, self._read_back, self.members
        probed = [i for i in self._probed(probe) if i <= earlier and i not in done]
        hits = Counter(
            i
            for t in titled
            for i in self._postings(t)
            if i <= earlier and i not in done and i not in kept
        )
        ranked = scoring.top_candidates(hits) if hits else []
        self._load_centroids({*probed, *ranked})
        dated = [m.entry.published_at for m in members if m.entry.dated]

        def wanted(i: int) -> bool:
            c = self.centroids.get(i)
            return (
                c is not None
                and i not in kept
                and 0 < c.size <= MEMBERS_KEPT
                and not c.too_far(dated)
            )

        chosen = {i for i in probed if wanted(i)}
        chosen.update([i for i in ranked if wanted(i)][:TITLE_CANDIDATES])
        return chosen

    def _read_members(self, ids: Iterable[int]) -> None:
        """The items of these threads of earlier runs (`_to_read`) read back from the cache
        and kept as a thread started in this run keeps its items: each item's vector as its
        batch made it, stored (`_stored_items`), or, for an item without one (older than the
        story window, or analysed before vectors were stored), made again from its text and
        entities by the run's document frequencies (`_items_from_text`). Each thread is then
        known (`_known`): a group meets it item by item, it may be regrouped (take items, lose
        them, split, merge), and its short items' titles find it (`_known_by_title`), as in
        the run that made it. Before, a new run met an earlier run's thread by its centroid
        alone, so every refresh (a run of its own) cut the stream for good: the real feeds,
        each batch its own run, shared 0.31 / 0.27 / 0.49 / 0.90 / 0.95 of one analysis's
        same-thread pairs of the dev half at 5 / 10 / 25 / 50 / 100 items per run (0.614
        averaged over 15 run sizes from 5 to 150), against 0.98 / 0.98 / 1 / 1 / 1 for
        batches of one run; with the vectors made from the text 1 / 0.98 / 1 / 1 / 0.85
        (0.985 averaged: at 100, NYT's Africa piece on Jesse Jackson, at 0.97 by its average
        pair with his thread, fell the other side of the margin, the earlier items weighed by
        the run's counts rather than those of their own batch); with the stored vectors 1 at
        100 too. Reading an item back cost ~260 us from its text (tokenising, `term_df`
        reads, entity terms), ~115 us from its stored vector (most of it numbering its terms
        in the run: their strings read by number from `term_df`)."""
        wanted = sorted(set(ids))
        if not wanted:
            return
        self._read_back.update(wanted)
        rows = item_vectors.thread_items(self.conn, wanted)
        if not rows:
            return
        items: list[Item | None] = [None] * len(rows)
        self._stored_items(rows, items)
        self._stored_leads(items)
        rest = [k for k, item in enumerate(items) if item is None]
        if rest:
            self._items_from_text([rows[k] for k in rest], rest, items)
        by_thread: dict[int, list[Item]] = {}
        for item in items:
            assert item is not None
            by_thread.setdefault(item.entry.thread_id or 0, []).append(item)
        for t, kept in by_thread.items():
            c = self.centroids[t]
            if len(kept) == c.size:  # (else its stored count is not its items': left as is)
                self._remember(c, kept, True)

    def _stored_items(self, rows: list[Any], items: list[Item | None]) -> None:
        """The items among these rows (`item_vectors.thread_items`) whose vectors are stored,
        made from them into `items` (at their rows' places): the vectors their batch made,
        terms and weights in their order (the weights as 32-bit floats). Their terms are
        numbered in the run by their strings, read from `term_df` for those not met yet. An
        item with a term whose number the cache no longer knows is left to its text."""
        at = [k for k, r in enumerate(rows) if r[8] is not None]
        if not at:
            return
        ids, weights, counts, distinct, flags = item_vectors.decode_many([rows[k][8] for k in at])
        top = int(ids.max()) if len(ids) else 0
        if len(self._id_numbers) <= top:
            grown = np.full(top + 4096, -1, dtype=np.int64)
            grown[: len(self._id_numbers)] = self._id_numbers
            self._id_numbers = grown
        unknown = np.unique(ids[self._id_numbers[ids] < 0]).tolist()
        if unknown:
            found = item_vectors.terms_of(self.conn, unknown)
            if found:
                stored_ids, terms = zip(*found, strict=True)
                self._know_ids(
                    np.asarray(self._term_numbers(list(terms)), dtype=np.int64),
                    np.asarray(stored_ids, dtype=np.int64),
                )
        numbers = self._id_numbers[ids]
        names = self._names(numbers)
        values = weights.tolist()
        # The vectors holding a term the run could not number (all at once: a slice and its
        # minimum per item cost ~3 us).
        lost = set(np.repeat(np.arange(len(counts)), counts)[numbers < 0].tolist())
        start = 0
        for v, (k, n, terms_in, flag) in enumerate(zip(at, counts, distinct, flags, strict=True)):
            end = start + n
            a, start = start, end
            if v in lost:
                continue
            entry = _read_entry(rows[k], "." if flag & item_vectors.HAS_BODY else "")
            vector = dict(zip(names[a:end], values[a:end], strict=True))
            self._vector_rows[entry.id] = (numbers[a:end], weights[a:end])
            items[k] = Item.of(entry, vector, terms_in, teased=bool(flag & item_vectors.TEASED))

    def _stored_leads(self, items: list[Item | None]) -> None:
        """The leads (`Item.lead`) of the items made from stored vectors that may have one
        (short, teased, a place among their terms), from their texts read at once: a kept
        item carries what a new one does, so the places rule (grouping.PLACES_APART) reads
        an earlier batch's item as the batch did."""
        wanted = [
            (k, m)
            for k, m in enumerate(items)
            if m is not None
            and m.teased
            and not m.article
            and any(t.startswith("@place:") for t in m.vector)
        ]
        if not wanted:
            return
        bodies = dict(item_vectors.bodies(self.conn, [m.entry.id for _, m in wanted]))
        for k, m in wanted:
            items[k] = m.with_lead(bodies.get(m.entry.id) or "")

    def _made_from_text(
        self, rows: list[Any]
    ) -> tuple[list[Entry], dict[int, list[str]], list[Any], list[int]]:
        """These rows' entries (`item_vectors.thread_items` / `entry_texts`, with their text),
        their entity terms, their vectors made again as a batch's are, by the run's document
        frequencies now, and their term counts."""
        entries = [_read_entry(r, r[4] or "") for r in rows]
        reader = self.entity_terms_of
        entities = reader([e.id for e in entries]) if reader is not None else {}
        numbers, tf, counts, rank = self._batch_tf(entries, entities)
        distinct = np.unique(numbers)
        idf_of = np.zeros(len(self._term_list))
        idf_of[distinct] = self._idf_of(self._frequencies(distinct)[distinct])
        made = self._vectors(numbers, tf * idf_of[numbers], counts, rank)
        return entries, entities, made, counts.tolist()

    def _items_from_text(self, rows: list[Any], at: list[int], items: list[Item | None]) -> None:
        """These rows' items (`item_vectors.thread_items`, with their text) into `items` at
        the places `at`: each item's vector made again from its text and entities
        (`entity_terms_of`) as a batch's are, by the run's document frequencies."""
        entries, _entities, made, counts = self._made_from_text(rows)
        for k, e, (vector, terms_of, weights_of), n in zip(at, entries, made, counts, strict=True):
            self._vector_rows[e.id] = (terms_of, weights_of)
            items[k] = Item.of(e, vector, n)

    def _known_by_title(self, members: list[Item]) -> set[int]:
        """The known threads (`_known`) holding a short item whose title shares a term with the
        title of one of the group's short items: the TITLE_CANDIDATES sharing most, newest first on
        ties. In one batch every such pair is scored (two short items pair only if their
        titles share a term); across batches the probe finds a thread by the group's strongest
        terms, which for a teaser are mostly words no other report of its story uses, so a
        story's later reports missed its thread when the stream came in small batches (real
        feeds, dev half, pairwise recall 0.435 at 25 items per batch, 0.696 in one analysis).

        A group older than items of the run's earlier batches arrived late (a fetch stores
        feeds as they arrive and analyses the oldest whole batches between two feeds' saves),
        and its story's reports may be on either side of it, in more threads: it takes
        LATE_TITLE_CANDIDATES, each shared term counting one over the number of threads it is
        indexed under (a term few threads share says more of which story it is). With three
        counted plainly, which threads it met depended on the order its feeds arrived in:
        NPR's "Rev. Jesse Jackson has died. And, U.S. and Iran set for high-stakes nuclear
        talks" shares "U.S.", "Iran", "nuclear" and "talks" with each of the talks' threads,
        "Jesse" and "Jackson" with one, so where the talks' reports had come first it met only
        their threads and joined them (one analysis puts it with Jackson). The six real feeds
        in six shuffled orders, a step after each feed (`analysis_bench.arrival_agreement`),
        same-thread pairs shared with one analysis at 25 / 50 / 100 per batch: 0.935 / 0.893
        / 0.979 on average (least 0.810 / 0.771 / 0.960) -> 0.993 / 0.979 / 0.979 (least
        0.972 / 0.959 / 0.960); pairwise F1 at 50 per batch 0.690-0.786 -> 0.778-0.786 (one
        analysis 0.786). For every group it cost UCI in batches of 100 (in time order) 0.009
        of B-cubed F1 on its held-out half (0.901 -> 0.892; the weights alone 0.894, five
        alone 0.892): a stream in time order keeps the three counted plainly."""
        if not self._title_postings:
            return set()
        terms = dict.fromkeys(t for m in members if not m.article for t in m.headline)
        late = self._late_before is not None and (
            min(m.entry.published_at for m in members) < self._late_before
        )
        if late:
            weight: dict[int, float] = {}
            for t in terms:
                held = self._title_postings.get(t)
                if held:
                    share = 1.0 / len(held)
                    for i in held:
                        weight[i] = weight.get(i, 0.0) + share
            ranked = sorted(weight, key=lambda i: (-weight[i], -i))[:LATE_TITLE_CANDIDATES]
        else:
            hits = Counter(chain.from_iterable(self._title_postings.get(t, ()) for t in terms))
            ranked = scoring.top_candidates(hits)[:TITLE_CANDIDATES]
        return {i for i in ranked if (c := self.centroids.get(i)) is not None and self._known(c)}

    def _unpacked(self, m: Item) -> Item:
        """A kept item with its vector and headline as dicts again, made from its sparse row
        (see _IN_ROW): the same terms in the same order (a row holds them in its dict's
        order), the same weights (a row's float64 are the dict's floats)."""
        if m.vector is not _IN_ROW:
            return m
        columns, weights, heads, head_weights = self._rows[m.entry.id]
        term = self._column_terms.__getitem__
        return m._replace(
            vector=dict(zip(map(term, columns.tolist()), weights.tolist(), strict=True)),
            headline=(
                dict(zip(map(term, heads.tolist()), head_weights.tolist(), strict=True))
                if len(heads)
                else {}
            ),
        )

    def _known(self, c: Centroid) -> bool:
        """Are all of this thread's items known (started in this run, not too large)?"""
        kept = self.members.get(c.id)
        return kept is not None and len(kept) == c.size

    def _side_of(self, items: list[Item], fields: Side | None = None) -> Side:
        """The items as one side of a score matrix, with sparse rows over the run's
        vocabulary (each item's worked out once); `fields`: their `_side` where the caller
        has it (a part's scored items: taken from the part's side, not made again)."""
        self._rows_of_batch([m for m in items if m.entry.id not in self._rows])
        rows = []
        for m in items:
            got = self._rows.get(m.entry.id)
            if got is None:
                got = self._rows[m.entry.id] = self._row(m)
                self._row_checks.append(m.entry.id)
            rows.append(got)
        width = len(self._column_terms)
        # The rows' four arrays as four sequences, in one pass (`zip`), not a comprehension each.
        columns, weights, heads, head_weights = zip(*rows, strict=True) if rows else ([],) * 4
        return (fields if fields is not None else _side(items))._replace(
            terms=grouping.sparse_rows(columns, weights, width),
            heads=grouping.sparse_rows(heads, head_weights, width),
            entity_columns=self._entity_columns(width),
            column_terms=self._column_terms,
        )

    def _part_side(self, part: list[Item]) -> Side:
        """A part's items as one side, with their vectors' sparse rows over the run's term
        numbers (the batch's, in each vector's order): `side_groups` takes the part's cosines
        from them, here or in the grouping worker."""
        rows = [self._vector_rows[m.entry.id] for m in part]
        return _side(part)._replace(
            terms=grouping.sparse_rows(
                [r[0] for r in rows], [r[1] for r in rows], len(self._term_list)
            )
        )

    def _entity_columns(self, width: int) -> np.ndarray:
        """Which of the first `width` columns are entity terms (one's own pair rule needs them:
        `grouping._share_entity`), worked out once per column."""
        done = len(self._entity_mask)
        if done < width:
            more = np.fromiter(
                (t[0] == "@" for t in self._column_terms[done:width]),
                dtype=bool,
                count=width - done,
            )
            self._entity_mask = np.concatenate([self._entity_mask, more])
        return self._entity_mask[:width]

    def _rows_of_batch(self, items: list[Item]) -> None:
        """The sparse rows of those of these items whose vectors `_vectors` made in this batch
        (kept in `_rows`), their terms given columns as `_columns` gives them item after item
        (a new term the next column, in order of first use): the columns of one term number
        at once, not term by term. (A pair's products are summed in its rows' stored order,
        and scipy's element-wise product takes another order when every row's columns happen
        to ascend: the columns stay those of before.) The others are left to `_side_of`."""
        if not self._vector_rows:
            return
        run: list[Item] = []
        for m in [*items, None]:
            if m is not None and m.entry.id in self._vector_rows:
                run.append(m)
                continue
            if run:
                self._columns_of_run(run)
                run = []
            if m is not None:  # an item of an earlier batch: `_side_of` adds its columns
                self._rows[m.entry.id] = self._row(m)
                self._row_checks.append(m.entry.id)

    def _columns(self, numbers: np.ndarray) -> np.ndarray:
        """The columns of these term numbers, a term without one given the next column, in
        order of first use (as item after item, term after term)."""
        if len(self._column_of) < len(self._term_list):
            grown = np.full(len(self._term_list) + 1024, -1, dtype=np.int32)
            grown[: len(self._column_of)] = self._column_of
            self._column_of = grown
        columns = self._column_of[numbers]
        new = columns < 0
        if new.any():
            fresh, first = np.unique(numbers[new], return_index=True)
            fresh = fresh[np.argsort(first)]  # in order of first use
            start = len(self._column_terms)
            self._column_of[fresh] = np.arange(start, start + len(fresh))
            self._column_terms.extend(self._names(fresh))
            columns = self._column_of[numbers]
        return columns

    def _row(self, m: Item) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """An item's sparse row made from its vector and headline (an item of an earlier
        batch without one)."""
        return (
            self._columns(np.asarray(self._term_numbers(list(m.vector)), dtype=np.int64)),
            np.fromiter(m.vector.values(), dtype=np.float64, count=len(m.vector)),
            self._columns(np.asarray(self._term_numbers(list(m.headline)), dtype=np.int64)),
            np.fromiter(m.headline.values(), dtype=np.float64, count=len(m.headline)),
        )

    def _columns_of_run(self, run: list[Item]) -> None:
        rows = [self._vector_rows[m.entry.id] for m in run]
        columns = self._columns(np.concatenate([r[0] for r in rows]))
        # A headline's terms are its vector's (`grouping.title_vector`), so they have columns
        # by now: all of the run's at once.
        heads = self._columns(
            np.asarray(
                self._term_numbers(list(chain.from_iterable(m.headline for m in run))),
                dtype=np.int64,
            )
        )
        start = head = 0
        for m, (terms_of, weights_of) in zip(run, rows, strict=True):
            end, head_end = start + len(terms_of), head + len(m.headline)
            self._viewing.append(m.entry.id)
            self._row_checks.append(m.entry.id)
            self._rows[m.entry.id] = (
                columns[start:end],
                weights_of,
                heads[head:head_end],
                np.fromiter(m.headline.values(), dtype=np.float64, count=len(m.headline)),
            )
            start, head = end, head_end

    def _by_members(
        self, side: Side, groups: list[list[int]], candidates: list[set[int]]
    ) -> list[dict[int, tuple[float, float, float]]]:
        """Per group, its candidate threads whose items are all known (`_known`) that hold an
        item pairing with one of its items by itself (a score of at least 1, each pair scored
        as the grouping scores it: headlines, one outlet's reports, time, the story gap), each
        with the group's average pair with the thread's items: average linkage can only merge
        two groups across such a pair, so these are the threads a regrouping may change. One
        sparse product for the whole part: its items against every such thread's items (as
        they were before the part), over the listed pairs."""
        self._parted = set()
        known = sorted(
            {i for ids in candidates for i in ids if self._known(self.centroids[i])},
            reverse=True,
        )
        if not known:
            return [{} for _ in groups]
        context = [m for i in known for m in self.members[i]]
        column = {t: k for k, t in enumerate(known)}
        sizes_of = [len(self.members[i]) for i in known]
        first = np.cumsum([0, *sizes_of])
        rows, cols, cells = scoring.listed_pairs(groups, candidates, column, first)
        parted = np.zeros(len(rows), dtype=bool)
        scores = grouping.pair_scores(
            side, self._side_of(context), rows, cols, STORY_GAP_DAYS * 86400, parted
        )
        self._parted = {
            (cell // len(known), known[cell % len(known)])
            for cell in np.unique(cells[parted]).tolist()
        }
        sums = np.bincount(cells, weights=scores, minlength=len(groups) * len(known))
        sizes = np.diff(first).astype(np.float64)
        group_sizes = np.asarray([max(1, len(group)) for group in groups], dtype=np.float64)
        average = (sums.reshape(len(groups), len(known)) / np.outer(group_sizes, sizes)).ravel()
        # Each item's own average pair with each of its group's known candidate threads (keyed
        # by item and thread: only the listed pairs, not items x threads), the least per cell.
        keys = rows.astype(np.int64) * len(known) + cells % len(known)
        own_keys, first_of_key, at = np.unique(keys, return_index=True, return_inverse=True)
        own = np.bincount(at, weights=scores) / sizes[own_keys % len(known)]
        least = np.full(len(groups) * len(known), np.inf)
        np.minimum.at(least, cells[first_of_key], own)
        most = np.full(len(groups) * len(known), -np.inf)
        np.maximum.at(most, cells[first_of_key], own)
        # And each of the thread's items' own average pair with the group.
        cols = cols.astype(np.int64)
        their_keys, first_of_theirs, at = np.unique(
            cols * len(groups) + cells // len(known), return_index=True, return_inverse=True
        )
        theirs = np.bincount(at, weights=scores) / group_sizes[their_keys % len(groups)]
        np.maximum.at(most, cells[first_of_theirs], theirs)
        out: list[dict[int, tuple[float, float, float]]] = [{} for _ in groups]
        for cell in np.unique(cells[scores >= 1.0]).tolist():
            out[cell // len(known)][known[cell % len(known)]] = (
                float(average[cell]),
                float(least[cell]),
                float(most[cell]),
            )
        return out

    def _beside_linked(
        self, linked: list[dict[int, tuple[float, float, float]]], candidates: list[set[int]]
    ) -> None:
        """Adds to each group's linked threads (`_by_members`) its other known candidate
        threads of one short item (a headline or teaser its batch left alone) that pairs by
        itself with an item of a linked thread (a score of at least 1), with no average of
        their own (0): the regrouping then meets them too, and its last pass may move that
        item (`side_groups`'s `earlier`). One analysis's last pass moves such an item beside
        its partner once the partner's group grows; in batches the two threads stood apart for
        good when the growing thread's new reports did not pair with the item by themselves (a
        story's first teaser two days before its three later reports: the same-thread pairs
        of the real feeds shared with one analysis at 10 / 25 per batch 0.931 / 0.958 -> 0.972
        / 1 with FLOOR_FADE_DAYS 3). The pairs are scored as `_by_members` scores them, each
        pair of threads once, in one sparse product: only for groups that link, against their
        few candidates. Any known thread holding a short item instead of a lone one gives the
        same threads on the three gold sets and cost the threads stage +16% on the generated
        10k corpus (every item shares words with every thread), against +5% (207 -> 217 us
        per entry, best of three side by side; news-like 10k unchanged)."""
        gap = STORY_GAP_DAYS * 86400
        others_of: list[list[int]] = []
        wanted: dict[tuple[int, int], int] = {}  # (thread, thread), lower id first -> its number
        for g, found in enumerate(linked):
            others = (
                sorted(
                    i
                    for i in candidates[g]
                    if i not in found
                    and self._known(self.centroids[i])
                    and len(self.members[i]) == 1
                    and not self.members[i][0].article
                )
                if found
                else []
            )
            others_of.append(others)
            for t in found:
                for u in others:
                    wanted.setdefault((min(t, u), max(t, u)), len(wanted))
        if not wanted:
            return
        # Each pair of threads once, all in one sparse product over their listed item pairs.
        spans: dict[int, tuple[int, int]] = {}  # a thread's items, then its short ones
        items: list[Item] = []
        for t in sorted({t for pair in wanted for t in pair}):
            kept = self.members[t]
            short = [m for m in kept if not m.article]
            spans[t] = (len(items), len(items) + len(kept))
            items += kept
            spans[-t - 1] = (len(items), len(items) + len(short))
            items += short
        rows, cols, owners = [], [], []
        for (t, u), k in wanted.items():
            # Each thread's items against the other's short ones (pairs of short items once).
            for x, y in ((t, u), (u, t)):
                (a, b), (c, d) = spans[x], spans[-y - 1]
                rows.append(np.repeat(np.arange(a, b), d - c))
                cols.append(np.tile(np.arange(c, d), b - a))
                owners.append(np.full((b - a) * (d - c), k))
        side = self._side_of(items)
        scores = grouping.pair_scores(side, side, np.concatenate(rows), np.concatenate(cols), gap)
        paired = set(np.unique(np.concatenate(owners)[scores >= 1.0]).tolist())
        for found, others in zip(linked, others_of, strict=True):
            linked_ids = list(found)
            for u in others:
                if any(wanted[(min(t, u), max(t, u))] in paired for t in linked_ids):
                    found[u] = (0.0, 0.0, 0.0)

    def _best(
        self, members: list[Item], ids: set[int], scored: dict[int, float]
    ) -> tuple[Centroid | None, float]:
        """The thread of an earlier batch that a group of new items joins, if any: of the
        candidates whose items are all known, as `_by_members` scored them; of the others (of
        earlier runs, or grown large), the one whose centroid scores best averaged over the
        group, each item's score being its cosine damped by time over its threshold (at least
        1 on average to join). Threads started by the same grouping are not candidates: it
        already decided about them."""
        dated = [m.entry.published_at for m in members if m.entry.dated]
        # A group of items whose times are all guesses meets a thread of such items only if
        # all are of one source (see grouping._keep_guessed_apart; a known thread's pairs
        # were scored so already).
        guessed = None if dated else {m.entry.source_id for m in members}
        # Found when a thread is first scored by its centroid (most groups meet known threads
        # only: on the feeds corpus at 40k this was nine tenths of `_best`'s time).
        holders: dict[str, list[tuple[int, float]]] | None = None
        short = not all(m.article for m in members)
        best, best_score = None, 1.0
        for i in sorted(ids, reverse=True):
            c = self.centroids.get(i)
            if c is None or i in self._grouped or c.too_far(dated):
                continue
            if self._known(c):
                score = scored.get(i, 0.0)
                if score >= best_score:
                    best, best_score = c, score
                continue
            if guessed is not None and c.dated_first is None and not self._one_source(c, guessed):
                continue
            if holders is None:
                holders = scoring.holders(members)
            dots = scoring.dots(members, holders, c.top)
            first, last = c.first_at, c.last_at
            # Over the thread's size, not the centroid's length: the average of the item's
            # dot products with the thread's items, as the grouping's average linkage scores
            # (a tight story's centroid is about as long as its size, so nothing changes
            # there; a thread that wandered has a short centroid, close to everything, and its
            # cosine let it absorb every item of its topic: real feeds, 50 items per batch,
            # pairwise precision 0.22 -> 0.46 on the dev half).
            scale = max(c.norm, float(c.size))
            headline = c.headline_vector() if short else {}
            total = 0.0
            for m, dot in zip(members, dots, strict=True):
                if not dot or not m.names_one_of(headline):
                    continue
                # Distance to the nearer end of the thread's span: a thread is alive around its
                # first and latest items, and one far-off date (an undated article filed at its
                # file time) must not make everything in between look close.
                when = m.entry.published_at
                gap = min(abs(when - first), abs(when - last))
                total += dot / scale * decay(gap, m.hours, m.floor, m.entry.dated) / m.limit
            score = total / len(members)
            if score >= best_score and not scoring.cohesive(c, members, dots):
                continue
            if score >= best_score:
                best, best_score = c, score
        return best, best_score

    def _one_source(self, c: Centroid, sources: set[int]) -> bool:
        """Are these sources and those of the thread's items (as stored: a thread met by its
        centroid) one source?"""
        return len(sources) == 1 and thread_store.thread_sources(self.conn, c.id) <= sources

    def _remember(self, c: Centroid, members: list[Item], created: bool) -> None:
        """Keep a thread's items while all are known and few enough (MEMBERS_KEPT)."""
        if not created and not self._known(c):
            return  # a thread of an earlier run (or grown past the limit): not known
        kept = self.members.setdefault(c.id, [])
        if len(kept) + len(members) > MEMBERS_KEPT:
            self._kept -= len(kept)
            self._row_checks += [m.entry.id for m in kept]
            del self.members[c.id]
            self._left(c.id)
            return
        kept.extend([_kept_form(m) for m in members])
        self._touched.add(c.id)
        for t in dict.fromkeys(t for m in members for t in m.headline):
            held = self._title_postings.setdefault(t, [])
            if not held or held[-1] != c.id:
                held.append(c.id)
                if len(held) > POSTINGS:
                    del held[0]
        named = dict.fromkeys(t for m in members for t in m.anchors)
        if named:
            had = self._anchors_of.get(c.id)
            self._anchors_of[c.id] = tuple(dict.fromkeys([*had, *named]) if had else named)
        for t in named:
            held = self._anchor_postings.setdefault(t, [])
            if not held or held[-1] != c.id:
                held.append(c.id)
                if len(held) > POSTINGS:
                    del held[0]
        self._kept += len(members)

    def _create(self, entry: Entry) -> Centroid:
        title = strip_kind_prefix(entry.title)
        thread = thread_store.create_thread(self.conn, title, entry.published_at)
        self._newest = max(self._newest, thread)
        c = Centroid(thread, {}, entry.published_at, entry.published_at)
        c.title = title  # as written: `_add` rewrites it only if the headline's differs
        c.dirty = True
        c.used = self._batch
        self.centroids[c.id] = c
        self._created.add(c.id)
        self._young_after(c.id, self.docs * RECHECK_GROWTH, RECHECKS)
        return c

    def _young_after(self, thread: int, at: int, left: int) -> None:
        """Look at this thread again once the run holds `at` documents (see RECHECK_GROWTH)."""
        self._young[thread] = (at, left)
        listed = self._young_at.get(at)
        if listed is None:
            self._young_at[at] = listed = array("q")
            heapq.heappush(self._young_due, at)
        listed.append(thread)

    def _retitle(self, c: Centroid, members: list[Item]) -> None:
        """The thread's headline: the title of its most central item, the one closest to its
        centroid once the group has joined (the first report of a story is often its least
        typical: a teaser, a "Watch:" clip). An item without a body makes a weaker headline.
        A thread whose items are all kept (`_known`) judges them all again against the centroid
        as it is now (the current headline first: it stays on a tie); of any other thread the
        items of earlier batches keep the score they had when they were judged."""
        best, best_score = None, c.headline_score if c.headline_entry is not None else -1.0
        if self._known(c):
            kept = self.members[c.id]
            now = c.headline_entry
            members = [m for m in kept if m.entry.id == now]
            members += [m for m in kept if m.entry.id != now]
            best_score = -1.0
        for m in members:
            central = self._central(c, m)
            if not m.entry.body.strip():
                central *= 0.5
            if central > best_score:
                best, best_score = m.entry, central
        if best is not None:
            c.headline_entry, c.headline_score = best.id, best_score
            title = strip_kind_prefix(best.title).strip() or best.title
            if title != c.title:
                c.title, c.retitled = title, True

    def _central(self, c: Centroid, m: Item) -> float:
        """`c.cosine` of the item's vector, for a kept item from its sparse row (`_IN_ROW`)
        without making its dicts again: the same products, added in the same order."""
        if m.vector is not _IN_ROW:
            return c.cosine(m.vector)
        columns, weights, _, _ = self._rows[m.entry.id]
        top = c.top
        term = self._column_terms.__getitem__
        pairs = zip(map(term, columns.tolist()), weights.tolist(), strict=True)
        return ordered_sum([w * top[t] for t, w in pairs if t in top]) / c.norm

    def _add(self, c: Centroid, items: Iterable[Item]) -> None:
        """These items join the thread, one after the other: each is summed into the
        centroid, which then keeps its strongest KEEP_TERMS terms (so the order of the adds
        decides what is kept), and each term that was among its COMPARE_TERMS strongest after
        one of the adds, and is not indexed yet, takes the thread in the batch's postings
        (`_postings`). The strongest terms and the length (`top`, `norm`) are worked out once,
        after the last add: nothing reads them in between. Item by item, with `refresh` and
        the postings after each add, this was ~10% of this process's CPU on the news-like
        corpus, where a batch adds five or more items to most threads it touches."""
        weights = c.weights
        posted: set[str] = set()
        ranked: list[tuple[str, float]] | None = None
        for m in items:
            entry, vec = m.entry, m.vector
            if weights:
                get = weights.get  # (bound once: this runs for every term of every item placed)
                for t, w in vec.items():
                    weights[t] = get(t, 0.0) + w
            else:  # (0.0 + w is w: the same weights, in the same order)
                weights.update(vec)
            c.size += 1
            c.first_at = min(c.first_at, entry.published_at)
            c.last_at = max(c.last_at, entry.published_at)
            if entry.dated:
                when = entry.published_at
                c.dated_first = when if c.dated_first is None else min(c.dated_first, when)
                c.dated_last = when if c.dated_last is None else max(c.dated_last, when)
            # `Centroid.refresh`'s cut, after each add.
            ranked = sorted(weights.items(), key=_weight, reverse=True)
            if len(ranked) > KEEP_TERMS:
                del ranked[KEEP_TERMS:]
                weights = c.weights = dict(ranked)
            posted.update(map(_term, ranked[:COMPARE_TERMS]))
        if ranked is None:
            return
        strongest = ranked[:COMPARE_TERMS]
        c.top = dict(strongest)
        c.norm = math.sqrt(ordered_sum([w * w for _, w in strongest])) or 1.0
        c.dirty = True
        postings, thread = self._new_postings, c.id
        for t in posted - c.indexed:  # (the order does not matter: sets of ids)
            held = postings.get(t)
            if held is None:
                postings[t] = {thread}
            else:
                held.add(thread)

    # -- persisting ---------------------------------------------------------------------------

    def _cached_postings_follow(
        self, entered: list[tuple[str, int]], left: list[tuple[str, int]], emptied: set[str]
    ) -> None:
        """Make each cached term's postings what the table now gives (`thread_store.postings`),
        so that whether a term is cached, or when the cache was last cleared, never decides a
        lookup. A term a thread a regrouping emptied held (`drop_empty` takes it out of the
        table after the flush, if the thread holds no entry), or a term holding its full
        POSTINGS that a thread left (an older thread may come back among the newest), is read
        again when next asked; a term holding fewer held all of the table's threads, so it
        drops those that left and stays (on the 40k news-like corpus, 40,600 of the 76,000
        terms read were such terms read again); a term threads entered takes them in. (Before,
        the cache took in every thread that had entered a term at some point of the batch, and
        kept threads that had left it: a lookup then depended on when the cache was last
        cleared, at 500,000 terms, i.e. on the size of the run.)"""
        cached = self._db_postings
        for term in emptied & cached.keys():
            del cached[term]
        # (No `setdefault` below: it makes a set or list for every pair, most of them thrown
        # away; and a term one thread entered, ~85% of them, needs no set and no sort.)
        gone: dict[str, set[int]] = {}
        for term, thread in left:
            if term in cached:
                leaving = gone.get(term)
                if leaving is None:
                    gone[term] = {thread}
                else:
                    leaving.add(thread)
        for term, leaving in gone.items():
            held = cached[term]
            if len(held) >= POSTINGS:
                del cached[term]
            else:  # (still newest first)
                cached[term] = array("q", [i for i in held if i not in leaving])
        came: dict[str, list[int]] = {}
        for term, thread in entered:
            if term in cached:
                threads = came.get(term)
                if threads is None:
                    came[term] = [thread]
                else:
                    threads.append(thread)
        for term, threads in came.items():
            held = cached[term]
            newest = threads if len(threads) == 1 else sorted(set(threads), reverse=True)
            if not held or newest[-1] > held[0]:
                # (Threads newer than all it held, the usual case: new threads come first.)
                fresh = array("q", newest[:POSTINGS])
                if len(newest) < POSTINGS:
                    fresh.extend(held[: POSTINGS - len(newest)])
                cached[term] = fresh
                continue
            merged = set(held).union(newest)
            cached[term] = array("q", sorted(merged, reverse=True)[:POSTINGS])

    def write_counts(self, placed: ThreadOutcome, skip: set[int]) -> None:
        """Size and span of the threads a batch placed items in, as increments: the stored row,
        not this process's memory, is the base."""
        thread_store.add_to_counts(
            self.conn,
            [(n, first, last, t) for t, (n, first, last) in placed.spans.items() if t not in skip],
        )

    def flush(self) -> None:
        dirty = [c for c in self.centroids.values() if c.dirty]
        entered: list[tuple[str, int]] = []
        left: list[tuple[str, int]] = []
        if dirty:
            for c in dirty:
                top = set(c.top)
                entered += [(t, c.id) for t in top - c.indexed]
                left += [(t, c.id) for t in c.indexed - top]
                c.indexed = top
            own = self.own_blocks
            if own is not None:
                own.keep_newest(self._newest >> thread_store.BLOCK_BITS)
            thread_store.update_postings(self.conn, entered, left, own)
            thread_store.retitle(self.conn, [(c.title, c.id) for c in dirty if c.retitled])
            thread_store.save_states(
                self.conn,
                [
                    (
                        c.id,
                        c.headline_entry,
                        c.headline_score,
                        encode_centroid(c.weights),
                        c.dated_first,
                        c.dated_last,
                        encode_indexed(c.weights, c.indexed),
                    )
                    for c in dirty
                ],
            )
            for c in dirty:
                c.dirty = c.retitled = False
        rows = self._df_rows()
        numbered = self._number_vector_terms()
        if rows:
            # The terms given numbers apart: an upsert that may set `id` updates its index
            # for every row it changes (all the batch's terms: 9 -> 35 us an entry at 10k).
            thread_store.add_document_frequencies(
                self.conn, [p for p in rows if p[0] not in numbered] if numbered else rows
            )
            item_vectors.add_frequencies(
                self.conn, [(t, n, numbered.pop(t)) for t, n in rows if t in numbered]
            )
        item_vectors.save_numbers(self.conn, sorted(numbered.items()))  # (none: all counted)
        self._store_vectors()
        thread_store.save_analysed_items(self.conn, self.docs)
        self._cached_postings_follow(entered, left, self._emptied_terms)
        self._emptied_terms = set()
        self._new_postings.clear()
        self._merged.clear()


# More strings than this beyond Latin-1 and `_sorted_terms` sorts them all together.
WIDE_TERMS_APART = 64


def _sorted_terms(terms: list[str]) -> list[str]:
    """`sorted(terms)` of distinct strings. Python compares the strings of a sort by their
    bytes only where every one is Latin-1; a batch's ~21,000 terms on the news-like corpus
    hold two or three that are not ('@place:sālūr'), and those made every comparison of its
    sort the general one (11.5 against 7.3 ms a batch at 40k). So the few such terms are
    sorted apart and each put in its place by bisection (a total order: the same list)."""
    wide = [t for t in filterfalse(str.isascii, terms) if max(t) > "\xff"]
    if not wide or len(wide) > WIDE_TERMS_APART:
        return sorted(terms)
    narrow = terms.copy()
    for t in wide:
        narrow.remove(t)
    narrow.sort()
    for t in wide:
        insort(narrow, t)
    return narrow


def _read_entry(row: Any, body: str) -> Entry:
    """The `Entry` of an item read back (a row of `item_vectors.thread_items`), with this
    body: its text, or a stand-in saying only whether it has one (its vector is stored)."""
    return Entry(
        id=row[1],
        source_id=row[2],
        title=row[3],
        body=body,
        published_at=row[5],
        thread_id=row[0],
        dated=not row[6],
        url=row[7] or "",
    )

"""Which of a batch's new items tell the same story: average-linkage clustering of the batch.

Placed one at a time, the first report of a story decides alone: one early mistake pulls a
story into a look-alike thread, or leaves its first reports behind. Within a batch every item is
known, so it is clustered first, and each group then joins an older thread, or starts one, as a
whole (`ThreadIndex.place_batch`).

A pair's score is the cosine of the two items' vectors, damped by the time between them, over
the threshold for the shorter of the two (a pair of headlines needs less overlap than a pair of
articles); dated items further apart than the story gap never pair. Groups merge while the
average score over all their pairs stays at or above 1 (UPGMA): a group is held together by
most of its pairs, not chained through one; groups of articles must also be nearly as alike
as each is inside (COHESION), and must not each have a signature the other lacks
(SIGNATURE_TERMS), which keeps look-alike events apart. Then each item moves to the
group whose centroid suits it best, if one passes and it pairs on its own with one of that
group's items, since a merge is final and two items that share one quoted paragraph can pair up
before either meets its story.

Real feeds (title and teaser, mostly one report per story) need more than the benchmark sets,
where nearly every headline has dozens of siblings. Three rules, one configuration for all sets,
measured on the dev half of the six February-2026 feeds (pairwise precision / recall, each rule
left out with the others in place, then with it; 0.31 / 1.00 before; the held-out half and ECB+ /
UCI are in `docs/architecture.md`):
- a story is reported over days, not weeks: the decay's floor fades with the gap between two
  dated items (FLOOR_FADE_DAYS), so two teasers a week apart that share a topic ("Winter
  Olympics", "gold price") no longer pair on the floor alone (0.46 / 0.78 -> 0.59 / 0.76);
- a pair of short items (headlines, teasers) must share a word of their headlines: a headline
  names its event, and a teaser's shared words alone are topic words ("police", "died",
  "festival") (0.52 / 0.76 -> 0.59 / 0.76). Not for articles, whose text says enough (with an
  article on either side, ECB+ B-cubed F1 fell 0.921 -> 0.892);
- the last pass moves a short item into a group only if it also pairs on its own with one of
  the group's items: a centroid is closer to everything than its members are, so it pulled
  singletons into whatever group was nearest (0.47 / 0.76 -> 0.59 / 0.76).
A fourth rule: two dated reports of one outlet, each at a link of its own, count
SAME_SOURCE_DISCOUNT of their cosine (0.574 / 0.761 -> 0.700 / 0.761). A fifth: two short
items that both have a teaser pair only if their titles are alike (TITLE_MIN, a cosine of
title vectors), not merely share a word: the teasers of one beat share its words whatever
event each reports (0.700 / 0.761 -> 0.821 / 0.696 in one analysis, 0.571 / 0.696 -> 0.886 /
0.674 at 50 items per batch; UCI headlines and ECB+ articles are not concerned).
And two items of two sources whose times are both guesses (the feed gave none) never pair
(`_keep_guessed_apart`, where the side knows its items' sources): a guessed time says nothing
of when, and two sites' undated pages share boilerplate titles ("Privacy Policy", "About").
Measured (bench/analysis_bench.py): B-cubed F1 on the UCI headlines 0.844 with one item at a
time, 0.893 with this; ECB+ 0.871 -> 0.921 (with the lede weighting in index.py).
The pair score lives here once, for every decision: dense over a part (`story_groups`), dense
between two sides (`cross_scores`), and for listed pairs or the pairs sharing a term over
sparse rows (`pair_scores`, `cross_scores_at`: a batch against the items of its candidate
threads, `index.py`); a test holds the three to the same scores.

Cost: an n x n Gram matrix over the terms that at least two items share, then at most n - 1
merges of O(n) each; n is bounded by the caller (`threads.GROUP_ITEMS`).
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, count, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

# (One BLAS thread: set in the package's `__init__`, before numpy first loads.)
import numpy as np

from wirereader.analysis.sums import ordered_sum
from wirereader.analysis.threads.name_words import names_of, spelled_out

if TYPE_CHECKING:
    from scipy import sparse

# Two groups of articles merge only if their average pair scores at least this share of the
# average pair inside the looser of the two: reports of one event are alike, reports of two
# look-alike events (two title fights of one boxer, two jewel heists in one city) are alike too,
# but less so (ECB+ B-cubed precision 0.816 -> 0.874, F1 0.890 -> 0.905). Headlines say too little
# for the comparison to mean anything: groups of mostly short items merge on the average alone.
COHESION = 0.7

# Two groups of articles that each have a signature are two events, however alike the rest: a
# term that nearly all their reports (SIGNATURE_SHARE) name among their SIGNATURE_TERMS
# strongest, and that no report of the other group leads with (among its LEADING_TERMS
# strongest; it may mention it in passing, "like the INS Tabar before her"). One navy ship and
# another, one arrested player and another. Only for groups of SIGNATURE_MIN_ITEMS or more,
# where "nearly all" means something. ECB+ B-cubed precision 0.874 -> 0.904, F1 0.905 -> 0.921
# (0.918 and 0.909 in batches of 500 and 100); headlines (UCI) are not concerned.
SIGNATURE_TERMS = 20
LEADING_TERMS = 10
SIGNATURE_SHARE = 0.9
SIGNATURE_MIN_ITEMS = 4

# The floor of the time decay (what a similarity keeps however far apart two items are) fades
# with the gap on this scale: reports of one event come within a day or two; days later only
# content that is strong by itself keeps two items together. The benchmark sets are not moved
# (ECB+ has no times; UCI spans two days); see the module docstring for the real feeds. 2 days
# before: over 3, a story's first report two days before its next ones still joins them (real
# feeds dev P / R 0.842 / 0.696 -> 0.854 / 0.761), which in batches needed the regrouping to
# meet the threads beside a linked one (`ThreadIndex._beside_linked`) and to move an earlier
# teaser towards new reports (`side_groups`'s `earlier`), else the batch sizes disagreed.
FLOOR_FADE_DAYS = 3.0

# One outlet rarely files two reports of one event close together: a second report from the
# same feed is mostly a follow-up or another event of the same beat (DW's "Germany news"
# items, NPR's Iran and Ukraine pieces an hour apart), so a pair of one source's dated items,
# each at a link of its own, counts this share of its cosine. A pair across outlets is what a
# "Full Coverage" page holds. A live blog's posts (no link of their own, or one page's) are
# one outlet telling one story in many posts: not discounted.
# Real feeds, dev half, pairwise precision / recall with the other rules in place: 0.574 /
# 0.761 -> 0.700 / 0.761 in one analysis, 0.452 / 0.717 -> 0.508 / 0.717 at 50 items per
# batch (0.5: 0.667 / 0.609; 0). Undated items are left alone: the rule is about when an outlet
# filed, and a guessed time says nothing of that (ECB+ is one pseudo-source without times).
SAME_SOURCE_DISCOUNT = 0.75
# ...and two such reports that both have a teaser pair only if they name one entity in common
# (an entity term of both vectors): one outlet's two reports of one event name its person,
# place or organisation twice, two reports of its beat share only the beat's words ("man",
# "stabbing", "police"). Real feeds, dev half, one analysis and 50 per batch: pairwise P / R /
# F1 0.821 / 0.696 / 0.753 -> 0.842 / 0.696 / 0.762 (ABC's "man released" no longer joins
# another stabbing); each batch its own run, ECB+ (no outlets) and UCI (headlines, no teasers)
# unchanged. It needs one person to be one term: Heraskevych's DW reports spell him
# "Vladislav" and "Vladyslav", one term since the thread terms fold transliterations
# (`analysis.pipeline.person_term`); without that it split his story (0.833 / 0.652). An
# entity named by at most 1% of the items instead (its IDF) was no better on dev and made 50
# per batch differ from one analysis (the counts of an early batch are not the run's).

# A pair of short items that both have a teaser (text beyond the title, which the text does
# not open with) pairs only if their titles are this alike: the cosine of their title vectors,
# each title's terms weighted as in its item's vector. The title names the event; a teaser's
# words are mostly its beat's, so two teasers of one beat (the Ukraine war's, a court's) are
# alike while their titles tell two events ("Trump said he'd end the war in a day" and the
# Geneva talks; "man charged" and "man released"). A headline alone (no teaser) only needs to
# share a word with the other's title, as before: its title is all there is, and its pair
# score already weighs it (with this rule for all short items, UCI dev B-cubed 0.911 -> 0.57).
# Real feeds, dev half, pairwise precision / recall, one analysis and 50 items per batch:
# 0.700 / 0.761 and 0.571 / 0.696 without; 0.1: 0.696 / 0.696 and 0.558 / 0.630; 0.15: 0.744 /
# 0.696 and 0.674 / 0.630; 0.17-0.22: 0.821-0.865 / 0.696 and 0.886 / 0.674 (the middle
# taken); 0.23: 0.865 / 0.696 and 0.862 / 0.543; 0.25: 0.677 / 0.457 and 0.926 / 0.543; 0.3:
# recall 0.30-0.35. A title sharing a two-word name with another of about eight terms scores
# about 0.25.
TITLE_MIN = 0.2

# Two short items that both have a teaser, both naming a place in their title or lead and none in
# common, count this share of their cosine: a teaser's words are mostly its beat's, and its place
# tells which event it reports (Al Jazeera's Gaza report and NYT's New York one share "Board of
# Peace"). Waived where one lead names a person or organisation in full whose every word the
# other lead holds (one story told from two countries: Bangladesh's swearing-in, with Modi's
# letter from India). Every placed item carries what the rule reads (`Lead`), a kept or
# read-back item as a new one; a join holding a pair put apart is regrouped, and such a pair
# never lets the last pass move an item: so the cut of the stream does not decide. Real feeds,
# six dev half pairwise P / R / F1 0.854 / 0.761 / 0.805 -> 0.897 / 0.761 / 0.824, dev2 and
# ECB+ dev unchanged, the batch rows as before (docs/architecture.md, 2026-12-07).
PLACES_APART = 0.5
# A teaser (a short item with a teaser beyond its title) that average linkage left alone
# moves in the last pass (`_reassign`) only into a group holding a partner (a pair passing
# by itself) that names an entity in common with it (`_share_entity`), or holding this many
# partners: what one story's teaser told from another angle has with the story's reports (a
# name of the story, or more than one report it pairs with), and a teaser beside another
# story's report lacks (one partner through common words: the Sydney Writers' Festival
# teaser moved into the Berlinale row by one partner at cosine 0.11, naming nothing of it).
# The real feeds' unseen eight (held out) 0.896 / 0.704 / 0.788 -> 0.950 / 0.704 / 0.809,
# every other real-feed line level or up (docs/architecture.md, 2026-12-07).
LONE_TEASER_PARTNERS = 2
# A lead: the title and the first sentences of the text.
LEAD_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+")


class Lead(NamedTuple):
    """What `PLACES_APART` reads of a short teased item that names a place in its title or lead:
    those places (entity terms), its people and organisations of more than one word named there
    (each as its words) and the lead's words (casefolded)."""

    places: frozenset[str]
    names: tuple[tuple[str, ...], ...]
    # (Each once, interned: a tuple of a kept item's ~30 words is ~300 bytes, a frozenset
    # ~1.5 KB; it is only read for a pair whose places are apart.)
    words: tuple[str, ...]


def lead_of(title: str, body: str, entity_terms: Iterable[str]) -> Lead | None:
    """The `Lead` of an item with this title and text (a short teased item's) whose vector holds
    these entity terms (among others: only those starting with "@" are read), or None where its
    title and lead name no place. A term counts where its name's words stand together, in
    order, in the lead."""
    named_terms = [t for t in entity_terms if t[0] == "@"]
    places = [t for t in named_terms if t.startswith("@place:")]
    if not places:
        return None
    lead = (
        title + "\n" + " ".join(_SENTENCE_END.split(body.strip(), LEAD_SENTENCES)[:LEAD_SENTENCES])
    )
    words = _WORD.findall(lead.casefold())
    joined = " " + " ".join(words) + " "

    def named(term: str) -> tuple[str, ...]:
        parts = tuple(_WORD.findall(term.partition(":")[2]))
        return parts if parts and " " + " ".join(parts) + " " in joined else ()

    held = frozenset(t for t in places if named(t))
    if not held:
        return None
    names = tuple(
        parts
        for t in named_terms
        if t.startswith(("@person:", "@org:")) and len(parts := named(t)) > 1
    )
    return Lead(held, names, tuple(map(sys.intern, dict.fromkeys(words))))


def places_apart(x: Lead, y: Lead) -> bool:
    """Do these two leads name places, none in common, and no person or organisation one names in
    full whose every word the other holds?"""
    if not x.places.isdisjoint(y.places):
        return False
    return not any(all(w in y.words for w in n) for n in x.names) and not any(
        all(w in x.words for w in n) for n in y.names
    )


class Side(NamedTuple):
    """Items on one side of a score matrix, with what each item's length sets (see
    `story_groups` for the meaning of each)."""

    vectors: Sequence[dict[str, float]]
    times: np.ndarray
    thresholds: np.ndarray
    decay_hours: np.ndarray
    floors: np.ndarray
    dated: np.ndarray
    articles: np.ndarray
    headlines: Sequence[Mapping[str, float]]  # unit title vectors (see `title_vector`)
    sources: np.ndarray
    links: np.ndarray
    # The vectors and the headline terms as sparse rows over one vocabulary (the caller's),
    # where the caller has them: the products then cost what the shared terms cost.
    teased: np.ndarray  # has a teaser or body beyond its title (see TITLE_MIN)
    terms: sparse.csr_matrix | None = None
    heads: sparse.csr_matrix | None = None
    # Which of `terms`' columns are entity terms, where the caller has the rows: a kept item's
    # row may be its only vector (`vectors` then holds an empty dict for it).
    entity_columns: np.ndarray | None = None
    # The term of each of `terms`' columns, where the caller has the rows (`_share_entity`
    # reads a kept item's terms from its row).
    column_terms: Sequence[str] | None = None
    # Each item's source (the feed, whatever its link), where the caller has it: two items of
    # two sources whose times are both guesses never pair (`_guessed_apart`).
    origins: np.ndarray | None = None
    # Each item's `Lead` (None: not a short teased item naming a place there), where the
    # caller has them; None where no item has one.
    leads: Sequence[Lead | None] | None = None

    @classmethod
    def of(
        cls,
        vectors: Sequence[dict[str, float]],
        times: Sequence[int],
        thresholds: Sequence[float],
        decay_hours: Sequence[float],
        floors: Sequence[float],
        dated: Sequence[bool],
        articles: Sequence[bool],
        headlines: Sequence[Mapping[str, float] | Iterable[str]] | None = None,
        sources: Sequence[int] | None = None,
        links: Sequence[int] | None = None,
        teased: Sequence[bool] | None = None,
        unit_headlines: bool = False,
        origins: Sequence[int] | None = None,
        leads: Sequence[Lead | None] | None = None,
    ) -> Side:
        """`unit_headlines`: the headlines are unit title vectors already (`title_vector`'s),
        taken as they are (the thread index's items carry them: worked out again for every
        side an item is on, they cost ~10% of the threads stage at 10k entries)."""
        n = len(vectors)
        if headlines is None:
            heads: Sequence[Mapping[str, float]] = [{}] * n
        elif unit_headlines:
            heads = headlines  # type: ignore[assignment]
        else:
            heads = [title_vector(h) for h in headlines]
        return cls(
            vectors,
            np.asarray(times, dtype=np.float64),
            np.asarray(thresholds, dtype=np.float64),
            np.asarray(decay_hours, dtype=np.float64),
            np.asarray(floors, dtype=np.float64),
            np.asarray(dated, dtype=bool),
            np.asarray(articles, dtype=bool),
            heads,
            # No sources: every item its own (no pair is discounted).
            np.asarray(sources if sources is not None else [-1 - i for i in range(n)]),
            np.asarray(links if links is not None else range(n)),
            np.asarray(teased if teased is not None else [False] * n, dtype=bool),
            origins=None if origins is None else np.asarray(origins, dtype=np.int64),
            leads=leads if leads is not None and any(x is not None for x in leads) else None,
        )

    def take(self, rows: Sequence[int]) -> Side:
        at = np.asarray(rows, dtype=np.intp)
        return Side(
            [self.vectors[i] for i in rows],
            self.times[at],
            self.thresholds[at],
            self.decay_hours[at],
            self.floors[at],
            self.dated[at],
            self.articles[at],
            [self.headlines[i] for i in rows],
            self.sources[at],
            self.links[at],
            self.teased[at],
            None if self.terms is None else self.terms[at],
            None if self.heads is None else self.heads[at],
            self.entity_columns,
            self.column_terms,
            None if self.origins is None else self.origins[at],
            None if self.leads is None else [self.leads[i] for i in rows],
        )


def title_vector(
    title: Mapping[str, float] | Iterable[str], weights: Mapping[str, float] | None = None
) -> dict[str, float]:
    """A title's terms as a unit vector, each weighted as in `weights` (its item's vector;
    a term the vector lacks counts nothing) where given, else as the mapping weighs it (1 for
    each of a set of terms)."""
    if weights is not None:
        raw = {t: weights.get(t, 0.0) for t in title}
    elif isinstance(title, Mapping):
        raw = dict(title)
    else:
        raw = dict.fromkeys(title, 1.0)
    raw = {t: w for t, w in raw.items() if w > 0}
    norm = math.sqrt(ordered_sum([w * w for w in raw.values()]))
    if not norm or norm == 1.0:
        return raw
    return {t: w / norm for t, w in raw.items()}


# A group's strongest terms that probe the candidate index (`index.ThreadIndex._candidates`).
PROBE_TERMS = 10


def summed(vectors: Sequence[dict[str, float]]) -> dict[str, float]:
    """The sum of some vectors, term by term in the order they come (a group of one: its
    vector as it is, not a copy)."""
    if len(vectors) == 1:
        return vectors[0]
    total: dict[str, float] = {}
    get = total.get  # (bound once: this runs for every group of a batch)
    for vector in vectors:
        for t, w in vector.items():
            total[t] = get(t, 0.0) + w
    return total


def probe_terms(vectors: Sequence[dict[str, float]]) -> list[str]:
    """A group's PROBE_TERMS strongest terms (of its summed vectors), strongest first (ties:
    first met first)."""
    return [t for t, _ in sorted(summed(vectors).items(), key=_weight, reverse=True)[:PROBE_TERMS]]


def probe_columns(rows: sparse.csr_matrix, groups: Sequence[Sequence[int]]) -> list[list[int]]:
    """`probe_terms` of each group of these sparse rows' vectors (each row's columns in its
    vector's order, as `_gram_of_rows` takes them), as columns: all groups at once. Each
    term's weights are summed in the order `summed` sums them (item after item, from 0.0:
    `np.bincount` adds a bin's weights in their order), and ranked strongest first, ties
    first met first, as the stable sort in `probe_terms`: the same terms in the same order."""
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    members = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(sizes.sum()))
    indptr = np.asarray(rows.indptr, dtype=np.int64)
    lengths = indptr[members + 1] - indptr[members]
    total = int(lengths.sum())
    # Each member's terms, group after group, member after member, in their row's order.
    at = np.repeat(indptr[members] - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    width = max(rows.shape[1], 1)
    key = np.repeat(np.repeat(np.arange(len(groups), dtype=np.int64), sizes), lengths) * width
    key += np.asarray(rows.indices, dtype=np.int64)[at]
    cells, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=np.asarray(rows.data, dtype=np.float64)[at])
    group = cells // width
    order = np.lexsort((first, -sums, group))
    ranked_group = group[order]
    starts = np.searchsorted(ranked_group, np.arange(len(groups)))
    rank = np.arange(len(order)) - starts[ranked_group]
    kept = order[rank < PROBE_TERMS]
    out: list[list[int]] = [[] for _ in groups]
    for g, column in zip(group[kept].tolist(), (cells[kept] % width).tolist(), strict=True):
        out[g].append(column)
    return out


class Grouped(list[list[int]]):
    """A part's groups (lists of its rows), with each group's `probe_terms` where the grouping
    worker found them along (None: to be found by the caller). The worker has each part's
    vectors anyway, and the probes were ~3% of the main process's CPU on the news-like
    corpus."""

    probes: list[list[str]] | None = None


_weight = itemgetter(1)


_INT32_MAX = np.iinfo(np.int32).max


def sparse_rows(
    columns: Sequence[np.ndarray], values: Sequence[np.ndarray] | None, width: int
) -> sparse.csr_matrix:
    """Rows of a sparse matrix `width` wide: row i holds `values[i]` (ones if None) at
    `columns[i]` (each row's columns distinct; int32 or int64 arrays, values float64)."""
    # Imported when first needed: scipy.sparse adds about 0.13 s to a process's start, and
    # most commands (tail, a fetch with nothing new) never score a pair.
    from scipy import sparse

    lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
    indptr = np.zeros(len(columns) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    total = int(indptr[-1])
    # scipy keeps 32-bit indexes where they fit, copying 64-bit ones down after a pass over
    # them: made 32-bit here, they are taken as they are (1,300 rows of 30-60 terms,
    # as a part's known threads: 39 -> 11 us for the matrix).
    small = width <= _INT32_MAX and total <= _INT32_MAX
    kind = np.int32 if small else np.int64
    if small:
        indptr = indptr.astype(np.int32)
    # The rows' arrays joined as bytes (`bytearray.join` takes each array's buffer: half of
    # `np.concatenate`'s ~140 ns an array, and a part's context side has ~1,300 rows of four
    # arrays). The same bytes: the columns are all int32 or all int64 where the joined length
    # says so (an int32 and an int64 array of n items are 4n and 8n bytes), else concatenated.
    # (numpy's stubs do not say that an array is a buffer: the ignores below.)
    index = _joined_columns(columns, total, kind) if len(columns) else np.zeros(0, dtype=kind)
    data = (
        np.frombuffer(bytearray().join(values), dtype=np.float64)  # type: ignore[arg-type]
        if values is not None and len(columns)
        else np.ones(len(index), dtype=np.float64)
    )
    return sparse.csr_matrix((data, index, indptr), shape=(len(columns), width))


def _joined_columns(columns: Sequence[np.ndarray], total: int, kind: type) -> np.ndarray:
    """The rows' columns, `total` in all, end to end as `kind` (`sparse_rows`)."""
    joined = bytearray().join(columns)  # type: ignore[arg-type]  # (arrays are buffers)
    if len(joined) == 4 * total:
        return np.frombuffer(joined, dtype=np.int32).astype(kind, copy=False)
    if len(joined) == 8 * total:
        return np.frombuffer(joined, dtype=np.int64).astype(kind, copy=False)
    return np.concatenate(columns, dtype=kind)


def cross_scores(
    a: Side, b: Side, max_gap_seconds: float, check_headlines: bool = True
) -> np.ndarray:
    """The score of every pair of an item of `a` and an item of `b`, by the rule the grouping
    pairs items with (`story_groups`): a thread's items of an earlier batch are scored against
    a new group exactly as they would have been in one batch, so where a stream is cut into
    batches decides less."""
    if a.terms is not None and b.terms is not None:
        gram = np.asarray((a.terms @ b.terms.T).toarray(), dtype=np.float64)
    else:
        gram = _cross_gram(a.vectors, b.vectors)
    _discount_same_source(gram, a, b)
    _keep_guessed_apart(gram, a, b)
    score = _pair_scores(gram, a, b)
    if check_headlines:
        if a.heads is not None and b.heads is not None:
            titles = np.asarray((a.heads @ b.heads.T).toarray(), dtype=np.float64)
        else:
            titles = _cross_gram(a.headlines, b.headlines)
        named = titles >= _title_floor(np.logical_and.outer(a.teased, b.teased))
        score[np.logical_and.outer(~a.articles, ~b.articles) & ~named] = 0.0
    score[_places_apart_in(score, a, b)] *= PLACES_APART
    gap = np.abs(a.times[:, None] - b.times[None, :])
    score[np.logical_and.outer(a.dated, b.dated) & (gap > max_gap_seconds)] = 0.0
    return score


def cross_scores_at(
    a: Side,
    b: Side,
    max_gap_seconds: float,
    wanted: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of an item of `a` and an item of `b` that share a term (and that `wanted`
    keeps, given their rows and columns), as (rows, columns, scores), each scored as
    `cross_scores` does (the other pairs score 0): the work follows the shared terms, not the
    size of the two sides. Both sides need their sparse rows."""
    a, b = _one_width(a, b)
    assert a.terms is not None and b.terms is not None
    product = (a.terms @ b.terms.T).tocoo()
    r = product.row.astype(np.intp)
    c = product.col.astype(np.intp)
    cos = product.data.astype(np.float64)
    if wanted is not None:
        keep = wanted(r, c)
        r, c, cos = r[keep], c[keep], cos[keep]
    return r, c, _scores_of_pairs(a, b, r, c, cos, max_gap_seconds)


def pair_scores(
    a: Side,
    b: Side,
    rows: np.ndarray,
    cols: np.ndarray,
    max_gap_seconds: float,
    parted: np.ndarray | None = None,
) -> np.ndarray:
    """The scores of these pairs (item `rows[k]` of `a` with item `cols[k]` of `b`), as
    `cross_scores` gives them: the work follows the pairs asked for, not the two sides' sizes
    (a part's groups against their few candidate threads each). Both sides need their sparse
    rows. `parted`: set true (in place) where PLACES_APART put the pair apart."""
    assert a.terms is not None and b.terms is not None
    if not len(rows):
        return np.zeros(0)
    a, b = _one_width(a, b)
    assert a.terms is not None and b.terms is not None
    cos = pair_cosines(a.terms, b.terms, rows, cols)
    return _scores_of_pairs(a, b, rows, cols, cos, max_gap_seconds, parted)


# A listed pair's cosine cost ~1.2 us as an element-wise product of its two sparse rows (the rows
# gathered, multiplied, summed; ~0.5 us now as one sparse product of the listed rows, the threshold
# kept so that each call takes the path it took); the product of the two sides' dense rows over the
# columns both hold costs ~0.02 ns per multiply-add in BLAS, all pairs of the two sides at once. So
# dense rows are taken where all pairs cost less than this many multiply-adds per listed pair. With
# the feeds benchmark's hundred-word vocabulary (300 items against the 40-80 items of their
# candidate threads, ~350 shared columns: ~900 per listed pair) all pairs cost a tenth of the listed
# ones (26 real calls of the 40k run: 230 -> 29 ms); with a news-like vocabulary (~400 items against
# ~900 over ~8,000 shared columns: ~800,000 per pair) the listed pairs alone are fifty times cheaper
# (23 ms against 900-1,400).
DENSE_PRODUCTS_PER_PAIR = 20_000
# The cells of one block of `pair_cosines`' sparse product (16 MB of floats).
PRODUCT_CELLS = 1 << 21


def pair_cosines(
    a: sparse.csr_matrix, b: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """The dot product of row `rows[k]` of `a` with row `cols[k]` of `b`, for each k (the two
    of one width). Over dense rows of the shared columns where that costs less
    (DENSE_PRODUCTS_PER_PAIR), as `_dense_gram` takes the grouping's cosines, else over the
    listed pairs' sparse rows, a pair's products added left to right in the stored order of
    its row of `a`; the two sum in different orders, so they may differ in the last bits."""
    width = a.shape[1]
    in_a = np.zeros(width, dtype=bool)
    in_a[a.indices] = True
    in_b = np.zeros(width, dtype=bool)
    in_b[b.indices] = True
    shared = in_a & in_b
    n_shared = int(np.count_nonzero(shared))
    if a.shape[0] * b.shape[0] * n_shared <= DENSE_PRODUCTS_PER_PAIR * len(rows):
        narrow = np.full(width, -1, dtype=np.int64)
        narrow[shared] = np.arange(n_shared)
        gram = _shared_rows(a, narrow, n_shared) @ _shared_rows(b, narrow, n_shared).T
        return np.asarray(gram[rows, cols], dtype=np.float64)
    if not len(rows):
        return np.zeros(0)
    # The listed pairs' distinct rows of each side multiplied at once (a sparse product adds a
    # cell's products in the stored order of `a`'s row, left to right), in blocks of at most
    # PRODUCT_CELLS cells, and each pair read from its block.
    a_rows, row_at = np.unique(rows, return_inverse=True)
    b_rows, col_at = np.unique(cols, return_inverse=True)
    b_t = b[b_rows].T.tocsr()
    out = np.empty(len(rows))
    step = max(1, PRODUCT_CELLS // len(b_rows))
    for start in range(0, len(a_rows), step):
        block = (a[a_rows[start : start + step]] @ b_t).toarray()
        inside = (row_at >= start) & (row_at < start + step)
        out[inside] = block[row_at[inside] - start, col_at[inside]]
    return out


def _shared_rows(m: sparse.csr_matrix, narrow: np.ndarray, width: int) -> np.ndarray:
    """The rows of `m` as dense rows over the columns `narrow` numbers (the others left out)."""
    cols = narrow[m.indices]
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    kept = cols >= 0
    x = np.zeros((m.shape[0], max(1, width)))
    x[rows[kept], cols[kept]] = m.data[kept]
    return x


def _one_width(a: Side, b: Side) -> tuple[Side, Side]:
    """The two sides with sparse rows of one width (a vocabulary grows while it is used)."""

    from scipy import sparse

    def widen(m: sparse.csr_matrix | None, width: int) -> sparse.csr_matrix | None:
        if m is None or m.shape[1] == width:
            return m
        return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))

    assert a.terms is not None and b.terms is not None
    width = max(a.terms.shape[1], b.terms.shape[1])
    return (
        a._replace(terms=widen(a.terms, width), heads=widen(a.heads, width)),
        b._replace(terms=widen(b.terms, width), heads=widen(b.heads, width)),
    )


def _scores_of_pairs(
    a: Side,
    b: Side,
    r: np.ndarray,
    c: np.ndarray,
    cos: np.ndarray,
    max_gap_seconds: float,
    parted: np.ndarray | None = None,
) -> np.ndarray:
    """`_pair_scores` and the rules of `cross_scores` for a list of pairs and their cosines
    (`parted`: as `pair_scores`)."""
    same = (a.sources[r] == b.sources[c]) & (a.links[r] != b.links[c]) & a.dated[r] & b.dated[c]
    cos[same] *= SAME_SOURCE_DISCOUNT
    if _guesses(a, b):
        assert a.origins is not None and b.origins is not None
        cos[~a.dated[r] & ~b.dated[c] & (a.origins[r] != b.origins[c])] = 0.0
    for k in np.flatnonzero(same & a.teased[r] & b.teased[c]):
        if not _share_entity(a, int(r[k]), b, int(c[k])):
            cos[k] = 0.0
    gap = np.abs(a.times[r] - b.times[c])
    both_dated = a.dated[r] & b.dated[c]
    fade = np.where(both_dated, 1.0 / (1.0 + gap / (86400.0 * FLOOR_FADE_DAYS)), 1.0)
    floor = np.minimum(a.floors[r], b.floors[c])
    hours = np.minimum(a.decay_hours[r], b.decay_hours[c])
    score = cos * (floor * fade + (1.0 - floor) * np.exp(-gap / 3600.0 / hours))
    score /= np.minimum(a.thresholds[r], b.thresholds[c])
    score[both_dated & (gap > max_gap_seconds)] = 0.0
    short = ~a.articles[r] & ~b.articles[c]
    if short.any():
        assert a.heads is not None and b.heads is not None
        at = np.flatnonzero(short)
        titles = np.asarray(a.heads[r[at]].multiply(b.heads[c[at]]).sum(axis=1)).ravel()
        named = titles >= _title_floor(a.teased[r[at]] & b.teased[c[at]])
        score[at[~named]] = 0.0
    if a.leads is not None and b.leads is not None:
        # (After the rules that zero a pair: halving 0 changes nothing, and the pairs left
        # are few.)
        at = np.flatnonzero(_led(a.leads)[r] & _led(b.leads)[c] & (score != 0.0))
        at = at[_apart_at(a.leads, b.leads, r[at], c[at])]
        score[at] *= PLACES_APART
        if parted is not None:
            parted[at] = True
    return score


def story_groups(
    vectors: Sequence[dict[str, float]],
    times: Sequence[int],
    thresholds: Sequence[float],
    decay_hours: Sequence[float],
    floors: Sequence[float],
    dated: Sequence[bool],
    articles: Sequence[bool],
    max_gap_seconds: float,
    headlines: Sequence[Mapping[str, float] | Iterable[str]] | None = None,
    sources: Sequence[int] | None = None,
    links: Sequence[int] | None = None,
    teased: Sequence[bool] | None = None,
) -> list[list[int]]:
    """Groups of indexes into the inputs (unit-length vectors, one per item, in time order),
    each sorted, the groups ordered by their first item.

    `thresholds`, `decay_hours` and `floors` are per item and grow with its length, so the
    values for a pair are those of its shorter item: the minimum of the two. `articles` marks
    the items long enough for the COHESION test; `headlines`, each item's title (its terms, or
    their weights): a pair of two items that are not articles must share a term, and if both
    are `teased` (have a teaser beyond the title) their titles must reach TITLE_MIN."""
    side = Side.of(
        vectors,
        times,
        thresholds,
        decay_hours,
        floors,
        dated,
        articles,
        headlines,
        sources,
        links,
        teased,
    )
    return side_groups(side, max_gap_seconds, titled=headlines is not None)


def side_groups(
    side: Side,
    max_gap_seconds: float,
    titled: bool = True,
    earlier: np.ndarray | None = None,
) -> list[list[int]]:
    """`story_groups` of items already made one `Side` (the thread index has them so);
    `titled`: the side carries the items' titles (without them no title test is made);
    `earlier`: which items are of earlier batches (the thread index regrouping a batch's
    groups with earlier threads). Then the last pass leaves a new short item in the group
    average linkage gave it (with new short items moved too, UCI dev B-cubed F1 0.907 ->
    0.900 in one analysis, 0.906 -> 0.901 in batches of 500; ECB+, all articles, needs the
    pass: 0.910 -> 0.913 in batches of 100), and moves an earlier short item only into a
    group holding new items: what one analysis's last pass would have done with it once the
    reports that suit it came (a story's first teaser joining its later reports; before, it
    stayed where its own batch put it, real feeds' same-thread pairs shared with one
    analysis at 25 per batch 0.958 with FLOOR_FADE_DAYS 3), and nothing else."""
    vectors = side.vectors
    n = len(vectors)
    if n < 2:
        return [[i] for i in range(n)]
    when, has_time = side.times, side.dated
    # From the sparse rows where the side has them (the thread index's), else the dicts.
    gram = _gram(vectors) if side.terms is None else _gram_of_rows(side.terms)
    _discount_same_source(gram, side, side)
    _keep_guessed_apart(gram, side, side)  # (in the gram: the last pass reads it too)
    np.fill_diagonal(gram, 1.0)
    score = _pair_scores(gram, side, side)
    short = np.flatnonzero(~side.articles)
    if titled and len(short) > 1:
        # Titles are compared between short items only (the rows of the others are left).
        titles = (
            _gram([side.headlines[i] for i in short.tolist()])
            if side.heads is None
            else _gram_of_rows(side.heads[short])
        )
        both = side.teased[short]
        unnamed = titles < _title_floor(np.logical_and.outer(both, both))
        block = np.ix_(short, short)
        score[block] = np.where(unnamed, 0.0, score[block])
        gram[block] = np.where(unnamed, 0.0, gram[block])  # for the last pass too
    # (After the title test, which zeroes most pairs of short items: halving 0 changes nothing.)
    parted = _places_apart_in(gram, side, side)
    gram[parted] *= PLACES_APART  # (for the last pass too)
    score[parted] *= PLACES_APART
    dated_times = when[has_time]
    # Only a part whose dated items span more than the gap has pairs too far apart to look for.
    if len(dated_times) and dated_times.max() - dated_times.min() > max_gap_seconds:
        gap = np.abs(when[:, None] - when[None, :])
        score[np.logical_and.outer(has_time, has_time) & (gap > max_gap_seconds)] = 0.0
    # The pairs that pass by themselves; an article may move on its centroid score alone (the
    # COHESION and signature tests guard groups of articles).
    partners = score >= 1.0
    partners[side.articles] = True
    partners[parted] = False  # (never an item's partner: see PLACES_APART)
    labels = average_linkage(score, side.articles.astype(np.float64), vectors)
    named = _named_partners(partners, labels, side)
    pinned = toward_new = None
    if earlier is not None:
        pinned = ~side.articles & ~earlier
        toward_new = earlier & ~side.articles
    if pinned is None or not pinned.all():  # (else nothing may move)
        labels = _reassign(
            gram,
            partners,
            labels,
            when,
            side.thresholds,
            side.decay_hours,
            side.floors,
            has_time,
            pinned,
            toward_new,
            named,
        )
    groups: dict[int, list[int]] = {}
    for item, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(item)
    return sorted(groups.values(), key=lambda g: g[0])


def _named_partners(partners: np.ndarray, labels: np.ndarray, side: Side) -> np.ndarray | None:
    """For each teased short item that average linkage left alone, its partners that hold an
    entity term in common with it (`_share_entity`); every other item's row all True. None
    where no such teaser has a partner (nothing for the last pass to hold). Such a teaser's
    last-pass move needs one of them in the group it moves to, or LONE_TEASER_PARTNERS
    partners there."""
    alone = np.bincount(labels, minlength=len(labels))[labels] == 1
    lone = np.flatnonzero(alone & side.teased & ~side.articles)
    if len(lone):  # (an item's own row and column: no partner of its own)
        held = partners[lone]
        held[np.arange(len(lone)), lone] = False
        lone = lone[held.any(axis=1)]
    if not len(lone):
        return None
    named = np.ones_like(partners)  # (any other item's partners are not asked about)
    named[lone] = False
    for i in lone.tolist():
        for j in np.flatnonzero(partners[i]).tolist():
            if j != i and _share_entity(side, i, side, j):
                named[i, j] = True
    return named


def _title_floor(teased: np.ndarray) -> np.ndarray:
    """The least title cosine a pair of short items needs: TITLE_MIN where both have a
    teaser, else any shared term."""
    return np.where(teased, TITLE_MIN, 1e-9)


def _discount_same_source(gram: np.ndarray, a: Side, b: Side) -> None:
    """Pairs of two dated reports of one outlet, each at a link of its own, count
    SAME_SOURCE_DISCOUNT of their cosine (in place)."""
    same = np.equal.outer(a.sources, b.sources) & np.not_equal.outer(a.links, b.links)
    same &= np.logical_and.outer(a.dated, b.dated)
    gram[same] *= SAME_SOURCE_DISCOUNT
    same &= np.logical_and.outer(a.teased, b.teased)
    same &= gram != 0.0  # (a pair sharing no term has nothing to lose)
    for i, j in zip(*np.nonzero(same), strict=True):
        if not _share_entity(a, int(i), b, int(j)):
            gram[i, j] = 0.0


def _led(leads: Sequence[Lead | None]) -> np.ndarray:
    """Which items have a `Lead`."""
    return np.fromiter((x is not None for x in leads), dtype=bool, count=len(leads))


def _places_apart_in(values: np.ndarray, a: Side, b: Side) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (rows, columns) of an item of `a` and one of `b` whose `values` (cosines or
    scores) are not 0 and which PLACES_APART puts apart: two short teased items whose leads
    name places, none in common (`places_apart`)."""
    none = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))
    if a.leads is None or b.leads is None:
        return none
    ia = np.flatnonzero(_led(a.leads))
    ib = np.flatnonzero(_led(b.leads))
    if not len(ia) or not len(ib):
        return none
    block = values[np.ix_(ia, ib)] != 0.0
    rows = np.flatnonzero(block.any(axis=1))
    cols = np.flatnonzero(block.any(axis=0))
    if not len(rows):
        return none
    apart = np.zeros_like(block)
    apart[np.ix_(rows, cols)] = _apart(
        [a.leads[k] for k in ia[rows].tolist()], [b.leads[k] for k in ib[cols].tolist()]
    )
    i, j = np.nonzero(apart & block)
    return ia[i], ib[j]


def _apart_at(
    xs: Sequence[Lead | None], ys: Sequence[Lead | None], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """`places_apart` of each listed pair (lead `rows[k]` of `xs` with lead `cols[k]` of `ys`,
    all of them leads)."""
    if not len(rows):
        return np.zeros(0, dtype=bool)
    ur, r = np.unique(rows, return_inverse=True)
    uc, c = np.unique(cols, return_inverse=True)
    return _apart([xs[i] for i in ur.tolist()], [ys[j] for j in uc.tolist()])[r, c]


def _apart(xs: Sequence[Lead | None], ys: Sequence[Lead | None]) -> np.ndarray:
    """`places_apart` of every lead of `xs` with every lead of `ys` (all of them leads), as a
    matrix: which pairs share a place, and which hold all the words of a name of the other,
    by products of incidence matrices (a pair at a time cost ~18 us an entry on the news-like
    10k corpus, where a twentieth of the items are teasers naming a place)."""
    assert all(x is not None for x in xs) and all(y is not None for y in ys)
    left: list[Lead] = xs  # type: ignore[assignment]
    right: list[Lead] = ys  # type: ignore[assignment]
    places = _numbered(chain([x.places for x in left], [y.places for y in right]))
    shared = (
        _incidence([x.places for x in left], places)
        @ _incidence([y.places for y in right], places).T
    )
    apart = shared == 0
    return apart & ~_holds(left, right) & ~_holds(right, left).T


def _holds(xs: list[Lead], ys: list[Lead]) -> np.ndarray:
    """Which leads of `ys` hold every word of a name one of `xs` names (a matrix, xs by ys)."""
    names = [(k, n) for k, x in enumerate(xs) for n in x.names]
    if not names:
        return np.zeros((len(xs), len(ys)), dtype=bool)
    words = _numbered(n for _, n in names)
    spelled = _incidence([n for _, n in names], words)  # names by their words
    held = np.zeros((len(ys), len(words)))
    known = words.keys()
    for j, y in enumerate(ys):
        hit = known & y.words  # (a set made in C: a lead's words are mostly no name's)
        if hit:
            held[j, [words[w] for w in hit]] = 1.0
    whole = (spelled @ held.T) >= spelled.sum(axis=1)[:, None]  # names by ys
    owner = np.zeros((len(xs), len(names)))
    owner[[k for k, _ in names], np.arange(len(names))] = 1.0
    return (owner @ whole) > 0


def _numbered(sets: Iterable[Iterable[str]]) -> dict[str, int]:
    """The strings of these sets numbered in order of first appearance."""
    numbers: dict[str, int] = {}
    for one in sets:
        for t in one:
            numbers.setdefault(t, len(numbers))
    return numbers


def _incidence(sets: Sequence[Iterable[str]], numbers: dict[str, int]) -> np.ndarray:
    """A 0/1 matrix of which of the numbered strings each of `sets` holds."""
    out = np.zeros((len(sets), len(numbers)))
    for i, one in enumerate(sets):
        out[i, [numbers[t] for t in one]] = 1.0
    return out


def _guesses(a: Side, b: Side) -> bool:
    """Might a pair of `a` and `b` be two items of two sources whose times are both guesses?
    (Both sides know their items' sources and each holds an undated item.)"""
    return (
        a.origins is not None and b.origins is not None and not a.dated.all() and not b.dated.all()
    )


def _keep_guessed_apart(gram: np.ndarray, a: Side, b: Side) -> None:
    """Pairs of two items whose times are both guesses (the feed gave none: `dated` false)
    and whose sources differ share nothing (in place): an item without a time says nothing of
    when it was written, and a title two sites' undated pages share ("Privacy Policy",
    "About") is boilerplate, not a story. An undated item still pairs with a dated one, and
    with one of its own source."""
    if _guesses(a, b):
        assert a.origins is not None and b.origins is not None
        apart = np.logical_and.outer(~a.dated, ~b.dated)
        apart &= np.not_equal.outer(a.origins, b.origins)
        gram[apart] = 0.0


def _share_entity(a: Side, i: int, b: Side, j: int) -> bool:
    """Whether item i of `a` and item j of `b` hold an entity term in common (an entity term
    starts with "@"): by their sparse rows where both sides have them, else by their vectors;
    or one's multi-word person or organisation is spelled out in the other's terms
    (`name_words`: the extractor missed it there)."""
    if a.terms is not None and b.terms is not None and a.entity_columns is not None:
        ra = a.terms.indices[a.terms.indptr[i] : a.terms.indptr[i + 1]]
        rb = b.terms.indices[b.terms.indptr[j] : b.terms.indptr[j + 1]]
        ea = ra[a.entity_columns[ra]]
        if np.intersect1d(ea, rb).size:
            return True
        if a.column_terms is None or b.column_terms is None or b.entity_columns is None:
            return False
        ta, tb = a.column_terms, b.column_terms
        na = names_of(ta[k] for k in ea.tolist())
        nb = names_of(tb[k] for k in rb[b.entity_columns[rb]].tolist())
        return bool(
            (na and spelled_out(na, {tb[k] for k in rb.tolist()}))
            or (nb and spelled_out(nb, {ta[k] for k in ra.tolist()}))
        )
    u, v = a.vectors[i], b.vectors[j]
    if len(v) < len(u):
        u, v = v, u
    if any(t[0] == "@" and t in v for t in u):
        return True
    nu = names_of(t for t in u if t[0] == "@")
    nv = names_of(t for t in v if t[0] == "@")
    return bool((nu and spelled_out(nu, v)) or (nv and spelled_out(nv, u)))


def _pair_scores(gram: np.ndarray, a: Side, b: Side) -> np.ndarray:
    """Each pair's cosine damped by the time between the two, over the threshold of the pair:
    floor + (1 - floor) * exp(-gap / 3600 / hours), each of floor, hours and threshold the
    smaller of the two items', the floor fading over FLOOR_FADE_DAYS between two items whose
    times their sources gave (a guessed time is weighed, never trusted to keep items apart).
    Worked in place in n x m arrays (each new one costs more to allocate and fault in than the
    arithmetic on it); the same operations on each pair."""
    work = a.times[:, None] - b.times[None, :]
    np.abs(work, out=work)  # the gap
    fade = None
    if a.dated.any() and b.dated.any():
        fade = work / (86400.0 * FLOOR_FADE_DAYS)
        fade += 1.0
        np.reciprocal(fade, out=fade)
        if not (a.dated.all() and b.dated.all()):
            fade[~np.logical_and.outer(a.dated, b.dated)] = 1.0
    np.negative(work, out=work)
    work /= 3600.0
    work /= np.minimum.outer(a.decay_hours, b.decay_hours)
    np.exp(work, out=work)
    pair_floor = np.minimum.outer(a.floors, b.floors)
    score = np.subtract(1.0, pair_floor)
    score *= work
    if fade is not None:
        pair_floor *= fade
    score += pair_floor  # the decay
    score *= gram
    score /= np.minimum.outer(a.thresholds, b.thresholds)
    return score


def _cross_gram(a: Sequence[Mapping[str, float]], b: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Dot products of every vector of `a` with every vector of `b`, over the terms both sides
    hold."""
    in_b = set(chain.from_iterable(b))
    columns: dict[str, int] = {}
    for term in chain.from_iterable(a):
        if term in in_b and term not in columns:
            columns[term] = len(columns)
    return (_matrix(a, columns) @ _matrix(b, columns).T).astype(np.float64)


def _matrix(vectors: Sequence[Mapping[str, float]], columns: dict[str, int]) -> np.ndarray:
    """The vectors as rows over these columns (terms elsewhere left out), single precision:
    the scores are compared with thresholds, not to the last bit."""
    x = np.zeros((len(vectors), max(1, len(columns))), dtype=np.float32)
    # Filled in one assignment, not weight by weight (each a slow numpy call).
    cols = np.fromiter(map(columns.get, chain.from_iterable(vectors), repeat(-1)), dtype=np.intp)
    rows = np.repeat(np.arange(len(vectors)), [len(vec) for vec in vectors])
    weights = np.fromiter(chain.from_iterable(vec.values() for vec in vectors), dtype=np.float64)
    kept = cols >= 0
    x[rows[kept], cols[kept]] = weights[kept]
    return x


# A product of two items' weights costs about this many times more in a sparse product than a
# multiply-add over dense rows does in BLAS (measured on 500-item parts: ~1.1 ns per pair of
# items sharing a term, ~0.08 ns per item pair and shared term), so `_gram` goes sparse only
# where the pairs sharing a term are this much fewer than all pairs times the shared terms.
SPARSE_PRODUCT_COST = 14


def _gram(vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Cosines of every pair (the vectors have unit length; an item with itself: 1), in double
    precision, as the sparse rows of `index.py` that `pair_scores` and `cross_scores_at` score
    with. Only terms that two or more items share add to a pair, and the product is worked
    whichever way costs less (SPARSE_PRODUCT_COST): with a news-like vocabulary (10k corpus,
    500-item parts: ~5,000 shared terms, each in a few items) a sparse product costs only the
    pairs that share a term, 10 ms a part where dense rows over every shared term took 95-110;
    with the feeds benchmark's hundred-word vocabulary (~150 shared terms, each in hundreds of
    items) dense rows take 9 ms and the sparse product 20. Titles go the same way. The groups
    came out the same as with the single-precision dense product this replaced."""
    counts = Counter(chain.from_iterable(vectors))  # in order of first appearance
    columns = dict(zip(counts, count()))
    lengths = [len(v) for v in vectors]
    total = sum(lengths)
    index = np.fromiter(
        map(columns.__getitem__, chain.from_iterable(vectors)), dtype=np.int64, count=total
    )
    data = np.fromiter(
        chain.from_iterable(v.values() for v in vectors), dtype=np.float64, count=total
    )
    holders = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    return _gram_of(data, index, lengths, holders)


def _gram_of_rows(rows: sparse.csr_matrix) -> np.ndarray:
    """`_gram` of the vectors these sparse rows hold (each row's columns in its vector's
    order, any numbering of the terms): the terms numbered again in order of first
    appearance, as `_gram` numbers a dict's, so the same product over the same arrays and
    the same bits, without a dict lookup per term (a part's ~30,000, and a regrouping's
    kept items made dicts again first: ~4% of the main process's CPU on the news-like
    corpus)."""
    ids = np.asarray(rows.indices, dtype=np.int64)
    n = len(ids)
    width = max(rows.shape[1], 1)
    first = np.full(width, n, dtype=np.int64)
    np.minimum.at(first, ids, np.arange(n))
    used = np.flatnonzero(first < n)
    order = used[np.argsort(first[used], kind="stable")]
    rank = np.empty(width, dtype=np.int64)
    rank[order] = np.arange(len(order))
    index = rank[ids]
    holders = np.bincount(index, minlength=len(order))
    lengths = np.diff(rows.indptr).tolist()
    # (A copy of the weights: the sparse product sorts its rows' terms in place.)
    return _gram_of(np.array(rows.data, dtype=np.float64), index, lengths, holders)


def _gram_of(
    data: np.ndarray, index: np.ndarray, lengths: list[int], holders: np.ndarray
) -> np.ndarray:
    """`_gram` of the vectors laid out flat: their weights, their terms numbered in order of
    first appearance, each vector's length, and how many vectors hold each term."""
    n = len(lengths)
    shared = holders > 1
    products = int(np.square(holders[shared]).sum())
    if products * SPARSE_PRODUCT_COST < n * n * int(shared.sum()):
        gram = _sparse_gram(data, index, lengths, len(holders))
    else:
        gram = _dense_gram(data, index, lengths, shared)
    np.fill_diagonal(gram, 1.0)
    return gram


def _sparse_gram(data: np.ndarray, index: np.ndarray, lengths: list[int], width: int) -> np.ndarray:
    """The rows' dot products by a sparse product, each row's terms in column order so that
    both halves of the matrix sum a pair's terms in one order (it comes out symmetric)."""
    from scipy import sparse

    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    x = sparse.csr_matrix((data, index, indptr), shape=(len(lengths), max(1, width)))
    x.sort_indices()
    return np.asarray((x @ x.T).toarray(), dtype=np.float64)


def _dense_gram(
    data: np.ndarray, index: np.ndarray, lengths: list[int], shared: np.ndarray
) -> np.ndarray:
    """The rows' dot products over dense rows of the shared columns alone (BLAS; numpy
    computes one half of a matrix times its own transpose and mirrors it)."""
    narrow = np.full(len(shared), -1, dtype=np.int64)
    narrow[shared] = np.arange(int(shared.sum()))
    cols = narrow[index]
    rows = np.repeat(np.arange(len(lengths)), lengths)
    kept = cols >= 0
    x = np.zeros((len(lengths), max(1, int(shared.sum()))))
    x[rows[kept], cols[kept]] = data[kept]
    return x @ x.T


def fading_decay(
    gap: np.ndarray, hours: np.ndarray, floor: np.ndarray, dated: np.ndarray
) -> np.ndarray:
    """How much of a similarity survives a gap (seconds) at this scale: 1 at once, falling
    over `hours` to the floor, and for a dated item the floor itself over FLOOR_FADE_DAYS."""
    fade = np.where(dated, 1.0 / (1.0 + gap / (86400.0 * FLOOR_FADE_DAYS)), 1.0)
    return floor * fade + (1.0 - floor) * np.exp(-gap / 3600.0 / hours)


def average_linkage(
    score: np.ndarray,
    articles: np.ndarray,
    vectors: Sequence[dict[str, float]],
) -> np.ndarray:
    """A group label per item: groups merge, best pair first, while their average pairwise
    score is at least 1 (UPGMA), groups of articles only if they pass the COHESION test and are
    not two events by their signatures (a pair that fails is never tried again, nor its groups
    once merged with others). Each row remembers its best partner, so a merge costs O(n).
    `score` is worked on in place."""
    n = score.shape[0]
    s = score
    np.fill_diagonal(s, -np.inf)
    # Per group, as plain floats (numpy scalars are slow to add): its size, the sum of the
    # scores of the pairs inside it, and how many articles it holds.
    size = [1.0] * n
    inside = [0.0] * n
    held = articles.tolist()
    joined: list[tuple[int, int]] = []  # (a, b): group b merged into group a
    # Each group's items (named by its row, as `_labels` would find them from `joined`, in the
    # order they joined): `_two_events` asks about the same groups again and again.
    members = [[i] for i in range(n)]
    # Each item's strongest terms, found once: a large part asks `_two_events` about the same
    # items again and again (24,835 times in the feeds benchmark's 40k run).
    strongest: dict[int, list[str]] = {}

    def merge(a: int, b: int) -> np.ndarray:
        cross = float(s[a, b])
        inside[a] += inside[b] + cross * size[a] * size[b]
        held[a] += held[b]
        merged = (s[a] * size[a] + s[b] * size[b]) / (size[a] + size[b])
        s[a, :] = merged
        s[:, a] = merged
        s[b, :] = -np.inf
        s[:, b] = -np.inf
        s[a, a] = -np.inf
        size[a] += size[b]
        joined.append((a, b))
        members[a] += members[b]
        members[b] = []
        return merged

    best_col = s.argmax(axis=1)  # ties: the first, so the outcome is deterministic
    best_val = s[np.arange(n), best_col]
    while True:
        a = int(best_val.argmax())
        if best_val[a] < 1.0:
            break
        a, b = sorted((a, int(best_col[a])))
        cross = float(s[a, b])
        if not _cohesive(
            cross, size[a], size[b], inside[a], inside[b], held[a], held[b]
        ) or _two_events(a, b, size, held, members, vectors, strongest):
            s[a, b] = s[b, a] = -np.inf
            for row in (a, b):
                best_col[row] = s[row].argmax()
                best_val[row] = s[row, best_col[row]]
            continue
        merged = merge(a, b)
        best_val[b] = -np.inf
        stale = (best_col == a) | (best_col == b)
        stale[a] = True
        stale[b] = False
        rows = np.flatnonzero(stale)
        best_col[rows] = s[rows].argmax(axis=1)
        best_val[rows] = s[rows, best_col[rows]]
        # Column a holds `merged` but at a and b (both excluded here).
        closer = merged > best_val
        closer[a] = closer[b] = False
        best_col[closer] = a
        best_val[closer] = merged[closer]
    return _labels(n, joined)


def one_group(
    score: list[list[float]], articles: list[float], vectors: Sequence[dict[str, float]]
) -> bool:
    """Does `average_linkage` make one group of these items? The same merges, best pair
    first (ties: the first row, then the first column), the same tests, in plain floats: a
    few dozen items cost a tenth of the array version's per-merge overhead. `score` is
    worked on in place (its diagonal is never read)."""
    n = len(score)
    s = score
    size = [1.0] * n
    inside = [0.0] * n
    held = list(articles)
    members = [[i] for i in range(n)]
    strongest: dict[int, list[str]] = {}
    alive = list(range(n))
    while len(alive) > 1:
        best, a, b = -math.inf, -1, -1
        for i in alive:
            row = s[i]
            for j in alive:
                if j != i and row[j] > best:
                    best, a, b = row[j], i, j
        if best < 1.0:
            return False
        a, b = (a, b) if a < b else (b, a)
        if not _cohesive(best, size[a], size[b], inside[a], inside[b], held[a], held[b]) or (
            _two_events(a, b, size, held, members, vectors, strongest)
        ):
            s[a][b] = s[b][a] = -math.inf
            continue
        inside[a] += inside[b] + best * size[a] * size[b]
        held[a] += held[b]
        total = size[a] + size[b]
        for j in alive:
            if j != a and j != b:
                s[a][j] = s[j][a] = (s[a][j] * size[a] + s[b][j] * size[b]) / total
        size[a] = total
        members[a] += members[b]
        members[b] = []
        alive.remove(b)
    return True


def _labels(n: int, joined: list[tuple[int, int]]) -> np.ndarray:
    """The group each item ended in (named by its row, as the merges left it), from the merges
    in the order they were made: walked backwards, a merged group ends where its absorber did."""
    labels = list(range(n))
    for a, b in reversed(joined):
        labels[b] = labels[a]
    return np.asarray(labels)


def _cohesive(
    cross: float,
    size_a: float,
    size_b: float,
    inside_a: float,
    inside_b: float,
    articles_a: float,
    articles_b: float,
) -> bool:
    """May two groups merge, their average pair scoring `cross`? Always, unless both are groups
    (not single items) of mostly articles: then `cross` must reach COHESION times the average
    pair inside the looser group."""
    if size_a < 2 or size_b < 2 or articles_a * 2 <= size_a or articles_b * 2 <= size_b:
        return True
    within_a = inside_a / (size_a * (size_a - 1) / 2)
    within_b = inside_b / (size_b * (size_b - 1) / 2)
    return bool(cross >= COHESION * min(within_a, within_b))


def _two_events(
    a: int,
    b: int,
    size: list[float],
    held: list[float],
    members: list[list[int]],
    vectors: Sequence[dict[str, float]],
    strongest: dict[int, list[str]],
) -> bool:
    """Are groups `a` and `b`, both of SIGNATURE_MIN_ITEMS or more, mostly articles, two events
    by their signatures (see SIGNATURE_TERMS)? `members`: each group's items (in any order:
    the answer does not depend on it); their strongest terms are found once per item (kept in
    `strongest`)."""
    for g in (a, b):
        if size[g] < SIGNATURE_MIN_ITEMS or held[g] * 2 <= size[g]:
            return False
    for i in chain(members[a], members[b]):
        if i not in strongest:
            strongest[i] = _strongest(vectors[i])
    group_a = [strongest[i] for i in members[a]]
    group_b = [strongest[i] for i in members[b]]
    return _has_signature(group_a, group_b) and _has_signature(group_b, group_a)


def _strongest(vector: dict[str, float]) -> list[str]:
    """The item's SIGNATURE_TERMS strongest terms, strongest first (ties: first seen first)."""
    return sorted(vector, key=vector.__getitem__, reverse=True)[:SIGNATURE_TERMS]


def _has_signature(group: list[list[str]], other: list[list[str]]) -> bool:
    """Each item's terms come strongest first."""
    led_by_other = frozenset(chain.from_iterable(terms[:LEADING_TERMS] for terms in other))
    counts = Counter(chain.from_iterable(group))
    least = SIGNATURE_SHARE * len(group)
    return any(n >= least and t not in led_by_other for t, n in counts.items())


def _reassign(
    gram: np.ndarray,
    partners: np.ndarray,
    labels: np.ndarray,
    times: np.ndarray,
    thresholds: np.ndarray,
    decay_hours: np.ndarray,
    floors: np.ndarray,
    dated: np.ndarray,
    pinned: np.ndarray | None = None,
    toward_new: np.ndarray | None = None,
    named: np.ndarray | None = None,
) -> np.ndarray:
    """One pass moving each item to the group whose centroid (without the item) suits it best
    by the rule an item joins a thread with: cosine, damped by the time to the group's span at
    the item's own scale, over the item's threshold; at least 1 to move, and only into a group
    holding an item it pairs with by itself (`partners`). `gram` holds no pair that may not
    count (see `story_groups`). `pinned` items never move; a `toward_new` item moves only
    into a group holding an item that is not `toward_new`; where `named` is given
    (`_named_partners`), an item moves only into a group holding a partner it marks, or
    LONE_TEASER_PARTNERS partners."""
    n = len(labels)
    names, group = np.unique(labels, return_inverse=True)
    g = len(names)
    # item . sum of the group's vectors: each row's columns summed group by group (the sums
    # of a one-hot product, without its n x n x groups multiply-adds: 10-20 ms a 500-item part)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(g))
    dots = np.add.reduceat(gram[:, order], starts, axis=1)
    rows = np.arange(n)
    # |sum of the group's vectors|^2
    square = np.bincount(group, weights=dots[rows, group], minlength=g)
    own = np.zeros((n, g), dtype=bool)
    own[rows, group] = True
    # Without the item in its own group: (sum - x) . x = dot - 1, |sum - x|^2 = |sum|^2 - 2 dot + 1
    norm_sq = np.where(own, square[None, :] - 2.0 * dots + 1.0, square[None, :])
    dots = np.where(own, dots - 1.0, dots)
    cos = np.where(norm_sq > 1e-9, dots / np.sqrt(np.maximum(norm_sq, 1e-9)), 0.0)
    first = np.full(g, np.inf)
    last = np.full(g, -np.inf)
    np.minimum.at(first, group, times)
    np.maximum.at(last, group, times)
    gap = np.maximum(np.maximum(first[None, :] - times[:, None], times[:, None] - last[None, :]), 0)
    decay = fading_decay(gap, decay_hours[:, None], floors[:, None], dated[:, None])
    score = cos * decay / thresholds[:, None]
    best = np.argmax(score, axis=1)  # ties: the first group
    moves = (score[np.arange(n), best] >= 1.0) & (best != group)
    if pinned is not None:
        moves &= ~pinned
    movers = np.flatnonzero(moves)
    if len(movers):  # and only beside a partner in the group they move to
        into = group[None, :] == best[movers, None]
        held = partners[movers] & into
        moves[movers] = held.any(axis=1)
        if named is not None:
            moves[movers] &= (named[movers] & into).any(axis=1) | (
                held.sum(axis=1) >= LONE_TEASER_PARTNERS
            )
        if toward_new is not None:
            late = toward_new[movers]
            moves[movers[late]] &= (into[late] & ~toward_new[None, :]).any(axis=1)
    return np.where(moves, names[best], labels)

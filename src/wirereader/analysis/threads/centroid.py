"""A thread's running centroid: the sum of its items' vectors, strongest terms only.

Data flow: the index (`index.py`) makes one per thread it starts, or reads one back from
`store/threads.py` (`encode_centroid` / `decode_centroid`), adds items to it and writes it back
after a batch; threads that are not known item by item are scored against it (`cosine`,
`scoring.dots`). Also the story gap (`STORY_GAP_DAYS`) the centroid's dated span is held to.
Imports no other module of the index but `grouping`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import itemgetter

from wirereader.analysis.features import terms
from wirereader.analysis.sums import ordered_sum
from wirereader.analysis.threads import grouping

KEEP_TERMS = 80
COMPARE_TERMS = 40
STORY_GAP_DAYS = 14


@dataclass(slots=True)
class Centroid:
    """A thread's running centroid (sum of member vectors, strongest terms only). (Slotted:
    a run keeps up to MEMORY_BUDGET's worth of them.)"""

    id: int
    weights: dict[str, float]
    first_at: int
    last_at: int
    size: int = 0
    headline_entry: int | None = None
    headline_score: float = 0.0
    title: str = ""
    top: dict[str, float] = field(default_factory=dict)
    norm: float = 1.0
    dirty: bool = False
    retitled: bool = False  # its title changed since it was last written
    indexed: set[str] = field(default_factory=set)  # its terms in `thread_terms`
    dated_first: int | None = None  # span of the items whose times the sources gave
    dated_last: int | None = None
    used: int = 0  # the last batch of the run that looked at it (for eviction)
    _headline_of: str | None = None
    _headline_vector: dict[str, float] = field(default_factory=dict)

    def too_far(self, dated: list[int]) -> bool:
        """Is one of these source-given times more than STORY_GAP_DAYS from every dated item of
        the thread? (The earliest and the latest decide.)"""
        if not dated or self.dated_first is None or self.dated_last is None:
            return False
        gap = max(self.dated_first - min(dated), max(dated) - self.dated_last, 0)
        return gap > STORY_GAP_DAYS * 86400

    def headline_vector(self) -> dict[str, float]:
        """The thread's headline as a unit title vector, its terms weighted as in the centroid
        (a term the centroid no longer keeps: as its weakest kept term); worked out again when
        the headline changes."""
        if self._headline_of != self.title:
            floor = min(self.weights.values(), default=1.0)
            self._headline_vector = grouping.title_vector(
                {t: self.weights.get(t, floor) for t in terms(self.title)}
            )
            self._headline_of = self.title
        return self._headline_vector

    def refresh(self) -> None:
        ranked = sorted(self.weights.items(), key=_weight, reverse=True)
        if len(ranked) > KEEP_TERMS:
            del ranked[KEEP_TERMS:]
            self.weights = dict(ranked)
        strongest = ranked[:COMPARE_TERMS]
        self.top = dict(strongest)
        self.norm = math.sqrt(ordered_sum([w * w for _, w in strongest])) or 1.0

    def cosine(self, vector: dict[str, float]) -> float:
        # Iterating a dict (not a set of strings) keeps the sum's order, hence its last bits,
        # the same in every process: a borderline decision must not depend on hash seeds.
        top = self.top
        return ordered_sum([w * top[t] for t, w in vector.items() if t in top]) / self.norm


# The weight of a (term, weight) pair, at C speed: it keys the sorts run on every placement.
# The strongest n are `sorted(...)[:n]`, the list `heapq.nlargest` is documented to return
# (ties in first-seen order), 2-3x faster at these sizes (tens to hundreds of terms).
_weight = itemgetter(1)

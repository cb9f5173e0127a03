"""The pure steps of candidate search and scoring, over items and centroids.

Data flow: the index (`index.py`) probes its postings for a group's candidate threads and ranks
them (`top_candidates`); a group is scored against a thread's centroid (`holders`, `dots`,
`cohesive`) or against a known thread's items pair by pair (`listed_pairs`: the pairs of a
part's one sparse product; `articles_tested`: whether the grouping's signature test applies);
the groups and threads that pair are then regrouped together (`components`). Functions of
their arguments only: no index state, no store.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Any

import numpy as np

from wirereader.analysis.sums import ordered_sum
from wirereader.analysis.threads import grouping
from wirereader.analysis.threads.centroid import Centroid
from wirereader.analysis.threads.grouping import COHESION
from wirereader.analysis.threads.item import Item

CANDIDATES = 10


def top_candidates(hits: Counter[int]) -> list[int]:
    """The CANDIDATES ids with most hits, more hits first, then the newest (highest id): the
    order of `sorted(hits.items(), key=lambda kv: (-kv[1], -kv[0]))[:CANDIDATES]`, found by
    sorting the counts alone (plain ints) and the few ids tied at the cut."""
    chosen: list[int]
    if len(hits) > CANDIDATES:
        cut = sorted(hits.values(), reverse=True)[CANDIDATES - 1]
        chosen = [i for i, n in hits.items() if n > cut]
        ties = sorted((i for i, n in hits.items() if n == cut), reverse=True)
        chosen += ties[: CANDIDATES - len(chosen)]
    else:
        chosen = list(hits)
    return sorted(chosen, key=lambda i: (hits[i], i), reverse=True)


def holders(members: list[Item]) -> dict[str, list[tuple[int, float]]]:
    """Which members hold each term, with their weights: a candidate's top terms are then
    looked up once for the whole group, not once per member (a third of the scoring time at
    10k entries). Nothing for a group of one, which `dots` scores without it."""
    holders: dict[str, list[tuple[int, float]]] = {}
    if len(members) == 1:
        return holders
    for k, m in enumerate(members):
        for t, w in m.vector.items():
            held = holders.get(t)
            if held is None:
                holders[t] = [(k, w)]
            else:
                held.append((k, w))
    return holders


def dots(
    members: list[Item], holders: dict[str, list[tuple[int, float]]], top: dict[str, float]
) -> list[float]:
    """Each member's dot product with a centroid's top terms, summed in the centroid's term
    order (fixed, so the last bits never depend on hash seeds). A group of one (44% of the
    groups of the bench's 100k corpus) needs no `holders`: one comprehension over the
    centroid's terms gives the same sum, term for term, in a quarter to half less time."""
    if len(members) == 1:
        vector = members[0].vector
        return [ordered_sum([vector[t] * weight for t, weight in top.items() if t in vector])]
    dots = [0.0] * len(members)
    for t, weight in top.items():
        held = holders.get(t)
        if held is not None:
            for k, w in held:
                dots[k] += w * weight
    return dots


def cohesive(c: Centroid, members: list[Item], dots: list[float]) -> bool:
    """May a group of mostly short items join this thread? Its items must be nearly as alike
    to the thread's items (their average dot product) as those are to each other (worked out
    from the centroid: |sum|^2 = size + 2 x the sum over pairs): a thread of one event is
    tight, and what joins it must be too (grouping.COHESION does the same for groups of
    articles). UCI dev B-cubed F1 0.897 -> 0.908; real feeds unchanged."""
    if c.size < 2 or sum(1 for m in members if not m.article) * 2 <= len(members):
        return True
    within = (c.norm * c.norm - c.size) / (c.size * (c.size - 1))
    return ordered_sum(dots) / (len(members) * c.size) >= COHESION * within


def articles_tested(group: list[Item], thread: list[Item]) -> bool:
    """Would average linkage hold this group and this thread to the signature test of two
    groups of articles (`grouping.SIGNATURE_TERMS`: both of SIGNATURE_MIN_ITEMS or more,
    mostly articles) before merging them? (For groups of two or more, the COHESION test's, the
    same ECB+ figures, and the news-like 10k corpus's threads moved further: 838 -> 862.)"""
    least = grouping.SIGNATURE_MIN_ITEMS
    return (
        len(group) >= least
        and len(thread) >= least
        and sum(1 for m in group if m.article) * 2 > len(group)
        and sum(1 for m in thread if m.article) * 2 > len(thread)
    )


def components(linked: list[dict[int, Any]]) -> list[tuple[list[int], list[int]]]:
    """The groups and known threads that pair with each other (`linked`: per group, the
    threads it pairs with), directly or through others, as (groups, threads), each sorted,
    in the order of their first group."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g, threads in enumerate(linked):
        for t in threads:
            a, b = root((0, g)), root((1, t))
            if a != b:
                parent[max(a, b)] = min(a, b)
    found: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for g, threads in enumerate(linked):
        if threads:
            found.setdefault(root((0, g)), ([], []))[0].append(g)
    for kind, t in list(parent):
        if kind == 1:
            found[root((1, t))][1].append(t)
    return [(gs, sorted(ts)) for gs, ts in sorted(found.values())]


def ranges(lengths: np.ndarray) -> np.ndarray:
    """0 .. n - 1 for each n of `lengths`, one range after the other."""
    total = int(lengths.sum())
    return np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def listed_pairs(
    groups: list[list[int]],
    candidates: list[set[int]],
    column: dict[int, int],
    first: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs `ThreadIndex._by_members` scores, as (rows, columns, cells): each item of a
    group (its row of the part's side) with each item of each of the group's candidate
    threads that are known (`column`: thread -> its number k; its items are the columns
    `first[k]` .. `first[k + 1]` - 1), its cell `g * len(column) + k`; group after group, item
    after item, thread after thread in the order `candidates[g]` gives them (the sums over a
    cell are taken in this order). Laid out by a few array operations for the whole part
    (one per group and thread, a tenth of the threads stage on the feeds corpus at 40k)."""
    # Per group: its known candidate threads, in order.
    ks: list[int] = []
    per_group: list[int] = []
    for ids in candidates:
        before = len(ks)
        ks += [column[i] for i in ids if i in column]
        per_group.append(len(ks) - before)
    threads_of = np.asarray(per_group, dtype=np.int64)
    thread_k = np.asarray(ks, dtype=np.int64)
    sizes = np.asarray([len(group) for group in groups], dtype=np.int64)
    asked = (threads_of > 0) & (sizes > 0)
    if not asked.any():
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0, dtype=np.int64)
    # Each (item, thread) block: the items of the asking groups, each repeated over its
    # group's threads.
    group_ids = np.flatnonzero(asked)
    items = np.fromiter(
        chain.from_iterable(groups[g] for g in group_ids.tolist()),
        dtype=np.int64,
        count=int(sizes[asked].sum()),
    )
    group_of_item = np.repeat(group_ids, sizes[asked])
    threads_per_item = threads_of[group_of_item]
    block_group = np.repeat(group_of_item, threads_per_item)
    block_item = np.repeat(items, threads_per_item)
    thread_start = np.cumsum(threads_of) - threads_of  # each group's first in `ks`
    block_k = thread_k[
        np.repeat(thread_start[group_of_item], threads_per_item) + ranges(threads_per_item)
    ]
    # Each block expanded to its thread's items.
    lengths = (first[1:] - first[:-1])[block_k]
    rows = np.repeat(block_item, lengths).astype(np.intp)
    cols = (np.repeat(first[block_k], lengths) + ranges(lengths)).astype(np.intp)
    cells = np.repeat(block_group * len(column) + block_k, lengths)
    return rows, cols, cells

"""Cosines of the pairs within groups of items, by one sparse product.

The thread index sums the scores of the pairs within each group of a part (its `inside`).
Picking each pair's two sparse rows and multiplying them element by element
(`grouping.pair_scores`) copied both rows for every pair: on the feeds benchmark's 40k corpus
(a hundred-word vocabulary, ~60 terms an item, groups of tens of items, ~48,000 pairs a part)
that was 1.24 of the 1.46 s that pair cosines took in a 12k-entry run. Here each item's row is
taken once, every term is relabelled as (group, term), and one product `rows @ rows.T` gives
every pair of a group and none across groups (they share no relabelled term): the work is what
the shared terms of the pairs asked for cost, 0.25 s for the same pairs.
(Pairs of a group with its candidate threads' items are not done this way: there a group is
mostly one or two items, so each context row would be copied per group anyway, and the
element-wise product measured as fast: 0.22 s against 0.26.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

# Below this many pairs in all, each pair's rows are multiplied element by element (as
# `grouping.pair_scores` does): measured equal at ~2,250 pairs (groups of ten), the product
# 3-5x faster from ~10,000, 5x slower at ~250.
FEW_PAIRS = 2_000


def within_cosines(
    terms: sparse.csr_matrix, groups: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs i < j of each group of rows (as `np.triu_indices` orders them, group after
    group) as (rows, columns, dot products). A pair's sum runs over the terms of its first
    row in their stored order."""
    from scipy import sparse

    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    if int((sizes * (sizes - 1)).sum()) < 2 * FEW_PAIRS:
        # Few pairs (the news-like corpus: ~240 a part): the product's fixed cost (sorting the
        # relabelled terms, building two matrices) is more than the pairs' own.
        first_of, second_of = [], []
        for members in groups:
            one, two = np.triu_indices(len(members), 1)
            first_of.append(members[one])
            second_of.append(members[two])
        first, second = np.concatenate(first_of), np.concatenate(second_of)
        dots = np.asarray(terms[first].multiply(terms[second]).sum(axis=1), dtype=np.float64)
        return first, second, dots.ravel()
    rows = np.concatenate(groups)
    picked = terms[rows]
    group_of_row = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    # Each stored value's term as (group, term): no two groups share one.
    keys = np.repeat(group_of_row, np.diff(picked.indptr)) * terms.shape[1] + picked.indices
    distinct, columns = np.unique(keys, return_inverse=True)
    relabelled = sparse.csr_matrix(
        (picked.data, columns.ravel(), picked.indptr), shape=(len(rows), len(distinct))
    )
    product = (relabelled @ relabelled.T).tocsr()
    # Every value of the product is a pair of one group: its place in that group's m x m.
    first = np.cumsum(sizes) - sizes
    square = np.cumsum(sizes * sizes) - sizes * sizes
    i = np.repeat(np.arange(len(rows)), np.diff(product.indptr))
    j = product.indices
    group = group_of_row[i]
    cells = np.zeros(int((sizes * sizes).sum()), dtype=np.float64)
    cells[square[group] + (i - first[group]) * sizes[group] + (j - first[group])] = product.data
    rows_of, cols_of, at_of = [], [], []
    for g, members in enumerate(groups):
        one, two = np.triu_indices(len(members), 1)
        rows_of.append(members[one])
        cols_of.append(members[two])
        at_of.append(square[g] + one * len(members) + two)
    return np.concatenate(rows_of), np.concatenate(cols_of), cells[np.concatenate(at_of)]

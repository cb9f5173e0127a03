"""MinHash signatures and LSH band keys for near-duplicate lookup.

One-permutation MinHash: each shingle hash is mixed once and falls into one of `BANDS * ROWS`
bins, keeping the minimum per bin; empty bins borrow from the next full one (densification), so a
signature costs one pass over the shingles instead of one per hash function. Two texts whose
shingle sets have Jaccard similarity J share at least one band with probability
1 - (1 - J**ROWS)**BANDS: 0.997 at J=0.8, 0.86 at 0.6, 0.20 at 0.3 (candidates are verified).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from wirereader.analysis.features import (
    HASH_PRIME,
    MASK64,
    MIX_1,
    MIX_2,
    MIX_ADD,
    SHINGLE_FACTORS,
    _word_hash_cache,
    hash_tuple,
)

BANDS = 8
ROWS = 3
BINS = BANDS * ROWS
_EMPTY = MASK64 + 1
_P = HASH_PRIME
_P2 = (_P * _P) & MASK64
_starts: dict[int, list[int]] = {}  # key type -> `_band_starts`
if ROWS != 3:  # `band_keys` is written out for three rows: another value needs it rewritten
    raise ImportError("lsh.band_keys is written for ROWS = 3")


def signature(shingle_hashes: set[int]) -> list[int]:
    """BINS minimum values; all bins empty only for an empty set."""
    mins = [_EMPTY] * BINS
    for h in shingle_hashes:
        v, b = divmod(h, BINS)  # one call: a third faster than `%` and `//` apart
        if v < mins[b]:
            mins[b] = v
    if _EMPTY in mins and len(shingle_hashes):
        # Rotation densification: an empty bin takes the value of the next non-empty bin,
        # tagged with the distance so it does not collide with that bin's own value.
        for i in range(BINS):
            if mins[i] == _EMPTY:
                for step in range(1, BINS):
                    v = mins[(i + step) % BINS]
                    if v != _EMPTY and v < _EMPTY:
                        mins[i] = (v + step * 0x9E3779B97F4A7C15) & MASK64
                        break
    return mins


def band_keys(sig: list[int], tag: int) -> list[int]:
    """One signed 63-bit key per band, distinct per band index and key type `tag`:
    `mix64(hash_tuple([tag, band, *rows])) >> 1`, written out for ROWS = 3 because it runs for
    every entry (the same keys in half the time)."""
    # hash_tuple is a polynomial in _P modulo 2**64: the tag and band terms are constants, and
    # masking once at the end gives the same value as masking after every step.
    start = _band_starts(tag)
    keys = []
    for band in range(BANDS):
        i = band * ROWS
        z = (start[band] + sig[i] * _P2 + sig[i + 1] * _P + sig[i + 2] + MIX_ADD) & MASK64
        z = ((z ^ (z >> 30)) * MIX_1) & MASK64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK64
        keys.append((z ^ (z >> 31)) >> 1)
    return keys


def _band_starts(tag: int) -> list[int]:
    """hash_tuple([tag, band]) * _P**ROWS for each band: the part of a band's hash that does not
    depend on the signature."""
    start = _starts.get(tag)
    if start is None:
        start = [(hash_tuple([tag, band]) * _P2 * _P) & MASK64 for band in range(BANDS)]
        _starts[tag] = start
    return start


# -- a whole batch at once (numpy) -----------------------------------------------------------
#
# The same signatures and band keys as `signature` and `band_keys`, for every long text of a
# batch in a few array operations instead of a Python loop over each shingle: 66 us -> 18 us
# per entry measured on the news-like corpus (bench/news_corpus.py), and identical keys (a test
# compares them on real and generated texts, densified bins included).
#
# A shingle hash is x*A + y*B + z*C of three 32-bit word hashes: below 3 * 2**64, so it is kept
# as its low 64 bits and the carries (0-2) above them; a bin value h // BINS is then below 2**63.

_A, _B, _C = (np.uint64(c) for c in SHINGLE_FACTORS)
_Q = np.uint64((1 << 64) // BINS)  # (2**64) // BINS
_R = np.uint64((1 << 64) % BINS)  # (2**64) % BINS
_NBINS = np.uint64(BINS)
_DENSE = np.uint64(0x9E3779B97F4A7C15)
_NONE = np.uint64(MASK64)  # an empty bin while the minimums are taken
_P_U = np.uint64(_P)
_P2_U = np.uint64(_P2)


def shingle_hashes(token_lists: list[list[str]]) -> tuple[Any, Any, Any]:
    """(low 64 bits, carries, owner) of every 3-word shingle of each list (at least 3 words
    each), in order; duplicates kept (they do not change a minimum)."""
    counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    n = int(counts.sum())
    # Each word's hash from the cache in one C pass (`Memo`) straight into the array: a loop
    # over every word of a chunk was a tenth of the prepare worker's time.
    every = chain.from_iterable(token_lists)
    words = np.fromiter(map(_word_hash_cache.__getitem__, every), dtype=np.uint64, count=n)
    return shingles_of_hashes(words, counts)


def shingles_of_hashes(words: Any, counts: Any) -> tuple[Any, Any, Any]:
    """`shingle_hashes` of texts given as their words' hashes (uint64, text after text) and
    the number of words of each (int64, at least 3 each)."""
    n = len(words)
    per_text = counts - 2
    owner = np.repeat(np.arange(len(counts)), per_text)
    # The shingles of the whole chunk's word stream, those that run past the end of their
    # text then left out: three slices instead of gathering each shingle's words (the same
    # values, 3.5-8 us less per entry).
    ends = np.cumsum(counts)
    inside = np.ones(n, dtype=bool)
    inside[ends - 1] = False
    inside[ends - 2] = False
    inside = inside[:-2]
    with np.errstate(over="ignore"):
        p1 = words[:-2] * _A
        s1 = p1 + words[1:-1] * _B
        s2 = s1 + words[2:] * _C
    carries = (s1 < p1).astype(np.uint64) + (s2 < s1).astype(np.uint64)
    return s2[inside], carries[inside], owner


def signatures(token_lists: list[list[str]]) -> Any:
    """`signature(shingles(tokens))` of each list (each at least 3 words), as an array of
    shape (len(token_lists), BINS), dtype uint64."""
    return signatures_of(*shingle_hashes(token_lists), len(token_lists))


def signatures_of(low: Any, carries: Any, owner: Any, n: int) -> Any:
    """`signatures` of `n` texts from their shingles as `shingle_hashes` gives them."""
    # divmod(carries * 2**64 + low, BINS), without leaving 64 bits.
    rest = carries * _R + low % _NBINS
    bins = (rest % _NBINS).astype(np.int64)
    values = carries * _Q + low // _NBINS + rest // _NBINS
    flat = np.full(n * BINS, _NONE, dtype=np.uint64)
    np.minimum.at(flat, owner * BINS + bins, values)
    mins = flat.reshape(n, BINS)
    full = mins != _NONE
    if full.all():
        return mins
    # Densification as `signature` does it, bin by bin in order: an empty bin takes the next
    # full bin's value plus its distance times _DENSE; past the last bin it wraps to bin 0,
    # whose value is by then its own or the one it took.
    cols = np.arange(BINS)
    marked = np.where(full, cols, BINS)
    at_or_after = np.minimum.accumulate(marked[:, ::-1], axis=1)[:, ::-1]
    after = np.full((n, BINS), BINS)
    after[:, :-1] = at_or_after[:, 1:]
    rows = np.arange(n)
    first_full = np.minimum(at_or_after[:, 0], BINS - 1)
    with np.errstate(over="ignore"):
        bin0 = np.where(
            full[:, 0],
            mins[:, 0],
            mins[rows, first_full] + first_full.astype(np.uint64) * _DENSE,
        )
        forward = (
            mins[rows[:, None], np.minimum(after, BINS - 1)]
            + (after - cols).astype(np.uint64) * _DENSE
        )
        wrapped = bin0[:, None] + (BINS - cols).astype(np.uint64)[None, :] * _DENSE
    filled = np.where(after < BINS, forward, wrapped)
    return np.where(full, mins, filled)


def band_keys_of(signatures: Any, tag: int) -> Any:
    """`band_keys(sig, tag)` of each row of `signatures`: shape (rows, BANDS), dtype int64."""
    start = np.array(_band_starts(tag), dtype=np.uint64)
    rows = signatures.reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        z = start + rows[:, :, 0] * _P2_U + rows[:, :, 1] * _P_U + rows[:, :, 2]
        z = z + np.uint64(MIX_ADD)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX_1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_2)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(1)).astype(np.int64)

"""MinHash signatures and LSH band keys for near-duplicate lookup.

One-permutation MinHash: each shingle hash is mixed once and falls into one of `BANDS * ROWS`
bins, keeping the minimum per bin; empty bins borrow from the next full one (densification), so a
signature costs one pass over the shingles instead of one per hash function. Two texts whose
shingle sets have Jaccard similarity J share at least one band with probability
1 - (1 - J**ROWS)**BANDS: 0.997 at J=0.8, 0.86 at 0.6, 0.20 at 0.3 (candidates are verified).
"""

from __future__ import annotations

from wirereader.analysis.features import MASK64, hash_tuple, mix64

BANDS = 8
ROWS = 3
BINS = BANDS * ROWS
_EMPTY = MASK64 + 1


def signature(shingle_hashes: set[int]) -> list[int]:
    """BINS minimum values; all bins empty only for an empty set."""
    mins = [_EMPTY] * BINS
    for h in shingle_hashes:
        b = h % BINS
        v = h // BINS
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
    """One signed 63-bit key per band, distinct per band index and key type `tag`."""
    keys = []
    for band in range(BANDS):
        h = hash_tuple([tag, band, *sig[band * ROWS : (band + 1) * ROWS]])
        keys.append(mix64(h) >> 1)
    return keys

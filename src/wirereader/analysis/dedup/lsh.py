"""MinHash signatures and LSH band keys for near-duplicate lookup.

One-permutation MinHash: each shingle hash is mixed once and falls into one of `BANDS * ROWS`
bins, keeping the minimum per bin; empty bins borrow from the next full one (densification), so a
signature costs one pass over the shingles instead of one per hash function. Two texts whose
shingle sets have Jaccard similarity J share at least one band with probability
1 - (1 - J**ROWS)**BANDS: 0.997 at J=0.8, 0.86 at 0.6, 0.20 at 0.3 (candidates are verified).
"""

from __future__ import annotations

from wirereader.analysis.features import (
    HASH_PRIME,
    MASK64,
    MIX_1,
    MIX_2,
    MIX_ADD,
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

"""The statements of deduplication (analysis/dedup/reposts.py): lookup keys in `dedup_keys`, and
items as entries whose `repost_of` points straight at their canonical entry. Each runs inside
the caller's transaction.

A key is stored as its top 47 bits (`KEY_SHIFT`, migration 0052): SQLite then stores it in 6
bytes instead of 8, and a row in 15 instead of 17 (12% of the table: 221 -> 194 bytes per
entry on the 40k feed corpus, the largest part of what the analysis writes to the WAL). A
stored key only proposes candidates, each compared on its text before it is taken; two keys
that share their top 47 bits would propose a wrong one. With 12 million keys a year (1M items)
the expected number of such meetings in the whole year is about one, and each is then
compared and turned down.

Two levels (migration 0056): new keys go into `dedup_recent_keys`, small enough that a batch
finds its pages in the cache, and are moved into `dedup_keys` in key order, all at once, when
it holds more than `recent_limit` keys; a lookup reads both. Keys are hashes, so a batch's
~24,000 new keys inserted straight into the large index landed on as many of its pages, and
every page a transaction changes is written whole to the WAL: with 58,000 news-like entries
analysed, a batch wrote 1.35 frames of 4 KB per entry for `dedup_keys`, and the share grows
with the index (a whole 1M run averaged ~11 frames per entry). A move writes each page of the
large index once for hundreds of thousands of keys; the recent level's share was 0.10-0.23.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from math import isqrt
from typing import Any

import numpy as np

from wirereader.store.bulk import execute_flat, select_in

KEY_SHIFT = 16  # keys are non-negative 63-bit values: the top 47 bits fit 6 bytes


# The recent level's size at which it moves into the large one: the square root of (keys in the
# large level x MERGE_SCALE), at least RECENT_MIN. Each batch changes most pages of the recent
# level (its keys are random) and each move every page of the large one, so the WAL frames per
# key are about recent_pages / batch_keys + large_pages / limit, least where the two are equal:
# a limit of sqrt(large_keys x 2 x batch_keys), ~24,000 keys per batch of 2,000 entries.
MERGE_SCALE = 48_000
RECENT_MIN = 50_000
_RECENT_KEY, _SETTLED_KEY = (
    "analysis.dedup_recent_keys",
    "analysis.dedup_settled_keys",
)  # counts kept in `meta`


def recent_limit(settled: int) -> int:
    """Keys the recent level may hold beside `settled` keys in the large one before it moves."""
    return max(RECENT_MIN, isqrt(settled * MERGE_SCALE))


def insert_keys(
    conn: sqlite3.Connection, keys: Any, entries: Any, seen: StoredKeys | None = None
) -> None:
    """Store (key, entry id) pairs given as two int64 arrays, pair by pair (best in key
    order); a pair already stored stays as it is (a pair in the large level may be written
    again into the recent one: `key_holders` reads each pair once, and the move keeps one).
    `seen` (the run's `StoredKeys`) takes the keys in too."""
    recent, settled = _counts(conn)
    before = conn.total_changes
    values = np.asarray(keys, dtype=np.int64) >> KEY_SHIFT
    rows = np.column_stack((values, entries))
    execute_flat(
        conn, "INSERT OR IGNORE INTO dedup_recent_keys (key, entry_id)", 2, rows.ravel().tolist()
    )
    recent += conn.total_changes - before
    if recent > recent_limit(settled):
        before = conn.total_changes
        conn.execute(
            "INSERT OR IGNORE INTO dedup_keys (key, entry_id)"
            " SELECT key, entry_id FROM dedup_recent_keys ORDER BY key, entry_id"
        )
        settled += conn.total_changes - before
        conn.execute("DELETE FROM dedup_recent_keys")
        recent = 0
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(_RECENT_KEY, str(recent)), (_SETTLED_KEY, str(settled))],
    )
    if seen is not None:
        seen.add(values, (recent, settled))


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(keys in the recent level, keys in the large one), as kept in `meta` (counted once where
    they are not, as in a cache from before 0056). Only the moment of a move depends on them:
    a count left stale (`prune`, a recovered cache) moves the keys sooner or later, never
    changes what a lookup finds."""
    stored = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?)", (_RECENT_KEY, _SETTLED_KEY)
        ).fetchall()
    )
    recent = stored.get(_RECENT_KEY)
    settled = stored.get(_SETTLED_KEY)
    if recent is None:
        recent = conn.execute("SELECT count(*) FROM dedup_recent_keys").fetchone()[0]
    if settled is None:
        settled = conn.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]
    return int(recent), int(settled)


def key_holders(
    conn: sqlite3.Connection, keys: Any, seen: StoredKeys | None = None
) -> list[tuple[int, int]]:
    """The (key, entry id) pairs of the entries holding any of `keys` (an int64 array, or
    ints: as stored, see KEY_SHIFT), asked in the keys' order, each pair once (from either
    level). With `seen` (the run's `StoredKeys`), only the keys it may hold are asked: the
    same pairs, in the same order."""
    asked_keys = np.asarray(keys, dtype=np.int64)
    if seen is not None and seen.ready(conn, len(asked_keys)):
        asked_keys = asked_keys[seen.may_hold(asked_keys >> KEY_SHIFT)]
    stored_keys = (asked_keys >> KEY_SHIFT).tolist()
    keys = asked_keys.tolist()
    # Each stored value back to its key: one dict when no two keys share their stored bits
    # (all but always, see KEY_SHIFT); the lists only where some do.
    single = dict(zip(stored_keys, keys, strict=True))
    found: dict[tuple[int, int], None] = {}
    for table in ("dedup_keys", "dedup_recent_keys"):
        found.update(
            dict.fromkeys(select_in(conn, "key, entry_id", table, "key", single, plain=True))
        )
    if len(single) == len(keys):
        return [(single[stored], entry) for stored, entry in found]
    asked: dict[int, list[int]] = {}
    for stored, key in zip(stored_keys, keys, strict=True):
        asked.setdefault(stored, []).append(key)
    return [(key, entry) for stored, entry in found for key in asked[stored]]


# A run's filter of the stored keys (`StoredKeys`). Over 90% of a batch's ~24,000 distinct keys
# are held by no stored entry (the 40k feeds corpus), and each one asked costs two B-tree probes
# (one per level); a filter that says "not stored" for most of them is a few array operations.
FILTER_BITS_PER_KEY = 10  # with three bits a key: ~1.7% of keys not stored pass a full level
FILTER_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64
)
FILTER_MIN_BITS = 1 << 20  # the first level: 128 KB, 104,857 keys
# Past this (~6.7M keys, ~550,000 entries) the newest level takes the later keys, over-full.
FILTER_MAX_BYTES = 8 << 20
# The stored keys are read (once, into the filter) only when they are at most this many times
# the keys the run has asked so far: reading a stored key costs a fraction of asking one.
FILTER_READ_RATIO = 4


class StoredKeys:
    """Which stored values (`key >> KEY_SHIFT`) may be in `dedup_keys` or `dedup_recent_keys`:
    a Bloom filter kept for a run, in levels of doubling size (a scalable Bloom filter: a
    full level stays, a new one takes the next keys). A value it says is not there is not
    there; one it says may be there is asked as before. It stands for what the tables held
    when it read them plus what `insert_keys` stored through it, checked before each use by
    the counts `insert_keys` keeps in `meta` (every insert through any connection moves them):
    where they differ from those of its last write, another connection stored keys, and the
    filter is read again. Keys deleted since (`prune`) only pass it in vain."""

    def __init__(self) -> None:
        self._levels: list[np.ndarray] = []  # bit arrays (uint8), each a power of two bits
        self._room = 0  # keys the newest level takes before the next one begins (-1: all)
        self._counts: tuple[int, int] | None = None  # `_counts` when built or last written
        self._asked = 0  # keys asked in the run so far
        self.off = False  # no first level fits FILTER_MAX_BYTES: every key is asked

    def ready(self, conn: sqlite3.Connection, asked: int) -> bool:
        """Whether the filter stands for what is stored now (built here when the stored keys
        are few enough against the `asked` now and before: FILTER_READ_RATIO)."""
        if self.off:
            return False
        self._asked += asked
        counts = _counts(conn)
        if self._counts is not None:
            if counts == self._counts:
                return True
            self._levels, self._room, self._counts = [], 0, None
        if sum(counts) > FILTER_READ_RATIO * self._asked:
            return False
        cursor = conn.cursor()
        cursor.row_factory = None
        values = np.fromiter(
            chain.from_iterable(
                chain(
                    cursor.execute("SELECT key FROM dedup_keys"),
                    conn.cursor().execute("SELECT key FROM dedup_recent_keys"),
                )
            ),
            dtype=np.int64,
        )
        self._counts = counts
        self._put(values)
        return not self.off

    def add(self, values: np.ndarray, counts: tuple[int, int]) -> None:
        """Stored values just inserted, and the counts in `meta` after them."""
        if self._counts is None:  # (not built: a build reads them from the tables)
            return
        self._counts = counts
        self._put(values)

    def may_hold(self, values: np.ndarray) -> np.ndarray:
        """A bool mask: False where a value is certainly not stored."""
        hit = np.zeros(len(values), dtype=bool)
        for level in self._levels:
            inside = np.ones(len(values), dtype=bool)
            for at in self._positions(values, level):
                inside &= ((level[at >> 3] >> (at & 7).astype(np.uint8)) & 1).astype(bool)
            hit |= inside
        return hit

    def _put(self, values: np.ndarray) -> None:
        while len(values) and not self.off:
            if not self._room:
                last = len(self._levels[-1]) * 8 if self._levels else 0
                needed = len(values) * FILTER_BITS_PER_KEY
                bits = max(FILTER_MIN_BITS, 2 * last, 1 << (needed - 1).bit_length())
                free = FILTER_MAX_BYTES - sum(map(len, self._levels))
                if bits // 8 > free:
                    # Past FILTER_MAX_BYTES the newest level takes every later key (the first
                    # one as large as fits): it lets more absent keys through as it fills (a
                    # stored one always passes), the memory stays bounded, and most keys are
                    # still turned away (at 1M news-like entries, ~12M keys in 8 MB: ~3 in 4 of
                    # the absent ones at the end, where switching the filter off asked all).
                    fits = 1 << (free * 8).bit_length() - 1 if free > 0 else 0
                    if not self._levels and fits >= FILTER_MIN_BITS:
                        self._levels.append(np.zeros(fits // 8, dtype=np.uint8))
                    if not self._levels:  # (not even a first level: no filter)
                        self.off = True
                        self._counts = None
                        return
                    self._room = -1
                else:
                    self._levels.append(np.zeros(bits // 8, dtype=np.uint8))
                    self._room = bits // FILTER_BITS_PER_KEY
            level = self._levels[-1]
            if self._room < 0:
                taken, values = values, values[:0]
            else:
                taken, values = values[: self._room], values[self._room :]
                self._room -= len(taken)
            for at in self._positions(taken, level):
                np.bitwise_or.at(level, at >> 3, np.left_shift(1, at & 7).astype(np.uint8))

    @staticmethod
    def _positions(values: np.ndarray, level: np.ndarray) -> list[np.ndarray]:
        shift = np.uint64(64 - (len(level) * 8).bit_length() + 1)
        spread = values.astype(np.uint64)
        return [(spread * m) >> shift for m in FILTER_MULTIPLIERS]


def entry_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(id, title, body) of these entries, in chunks of `IN_CHUNK` ids (each chunk's rows in
    SQLite's order)."""
    return select_in(
        conn,
        "e.id, e.title, wirereader_body(t.body)",
        "entries e LEFT JOIN entry_texts t ON t.entry_id = e.id",
        "e.id",
        ids,
        plain=True,
    )


def guessed_sources(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, int]:
    """The source of each of these entries whose time is a guess (`time_guessed`)."""
    rows = select_in(conn, "id, source_id, time_guessed", "entries", "id", ids, plain=True)
    return {r[0]: r[1] for r in rows if r[2]}


def items_and_entries(
    conn: sqlite3.Connection, ids: Sequence[int], entries: Sequence[int]
) -> list[Any]:
    """(id, published_at, thread_id) of the canonical entry of each of `ids`' items and of
    each of `entries`, each once: one statement where a repost's join asked two (its matches'
    roots, then their times and threads)."""
    marks = ",".join("?" * len(ids))
    also = " UNION ".join(["SELECT ?"] * len(entries))
    union = f" UNION {also}" if entries else ""
    return conn.execute(
        "SELECT id, published_at, thread_id FROM entries WHERE id IN"
        f" (SELECT coalesce(repost_of, id) FROM entries WHERE id IN ({marks}){union})",
        [*ids, *entries],
    ).fetchall()


def repoint_items(conn: sqlite3.Connection, root: int, old_roots: Sequence[int]) -> None:
    """`old_roots` and their reposts become reposts of `root`."""
    marks = ",".join("?" * len(old_roots))
    conn.execute(
        f"UPDATE entries SET repost_of = ? WHERE (repost_of IN ({marks}) OR id IN ({marks}))"
        f" AND id != ?",
        [root, *old_roots, *old_roots, root],
    )


def make_root(conn: sqlite3.Connection, root: int, thread: int | None) -> None:
    """`root` is an item (not a repost), in `thread` when that is given."""
    conn.execute(
        "UPDATE entries SET repost_of = NULL, thread_id = coalesce(?, thread_id) WHERE id = ?",
        (thread, root),
    )


def move_reposts_to_thread(conn: sqlite3.Connection, root: int, thread: int) -> None:
    """The reposts of `root` follow it into `thread`."""
    conn.execute("UPDATE entries SET thread_id = ? WHERE repost_of = ?", (thread, root))

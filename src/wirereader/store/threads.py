"""The statements of story threads (analysis/threads/index.py): threads, thread_state (headline,
centroid and which of its terms are indexed), the inverted index `thread_postings`, term_df and
the count of items analysed in meta. Each runs inside the caller's transaction.

The candidate index (migration 0051) maps a term to the threads whose compared terms hold it,
and is only ever asked for a term's newest POSTINGS threads. It used to be a row per (term,
thread) with the term's weight, plus an index by thread: 389 bytes per entry on the 40k feed
corpus, 15% of the cache. Now a row holds a term's threads within one block of BLOCK ids (ids
>> BLOCK_BITS), as the ids' low bytes, or as a bitmap once a block holds BITMAP_AT of them; a
thread's own indexed terms are a bitmap over its stored centroid's terms (`thread_state.indexed`),
so no index by thread is needed, and the weights were only ever read from the centroid.

Two levels (migration 0057), as dedup's keys (store/dedup.py): a batch writes the rows it
changes into `thread_recent_postings` (an emptied one as an empty blob, which hides the older
level's row), and those are moved into `thread_postings` in key order, all at once, when there
are more than `recent_postings_limit` of them; a lookup reads both, the recent row first. A
batch of 2,000 news-like entries changes ~10,000 (term, block) rows, one per term of the
threads it made or changed, spread over the whole index, and every page a transaction changes
is written whole to the WAL.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from collections.abc import Collection, Iterable, Sequence
from math import isqrt
from operator import itemgetter
from sys import intern
from typing import Any

from wirereader.store.bulk import IN_CHUNK, execute_flat, execute_rows, select_in

BLOCK_BITS = 8
BLOCK = 1 << BLOCK_BITS  # thread ids per row of `thread_postings`
BITMAP_AT = BLOCK // 8  # a block with this many threads is stored as a bitmap (as many bytes)


def encode_block(offsets: Collection[int]) -> bytes:
    """A block's threads (their ids' offsets in the block) as stored: the offsets in ascending
    order, one byte each, or a bitmap of BLOCK bits when that is no longer (the length tells
    which: a bitmap is exactly BITMAP_AT bytes, a list is shorter)."""
    if len(offsets) < BITMAP_AT:
        return bytes(sorted(offsets))
    bits = 0
    for offset in offsets:
        bits |= 1 << offset
    return bits.to_bytes(BITMAP_AT, "little")


# The set bits of each byte value, lowest first.
_BYTE_BITS = tuple(tuple(k for k in range(8) if value >> k & 1) for value in range(256))


def decode_block(stored: bytes) -> list[int]:
    """The offsets of a stored block, ascending. (A bitmap byte by byte: testing each of
    its BLOCK bits was 40% of the index's writes' Python time on the news-like corpus.)"""
    if len(stored) < BITMAP_AT:
        return list(stored)
    return [8 * at + k for at, value in enumerate(stored) if value for k in _BYTE_BITS[value]]


def encode_centroid(weights: dict[str, float]) -> bytes:
    """A centroid as stored in `thread_state.centroid`: the number of terms (4 bytes), the
    weights as 32-bit floats, then the terms in UTF-8 separated by \\x1f (a control character,
    stripped from all text at ingest, so never part of a term), all little-endian. A batch
    rewrites every centroid it touched: JSON with rounded weights cost 25 us per entry at 100k
    entries, this about 2."""
    values = array("f", weights.values())
    if sys.byteorder == "big":
        values.byteswap()
    return len(values).to_bytes(4, "little") + values.tobytes() + "\x1f".join(weights).encode()


def decode_centroid(stored: bytes | str, interned: bool = True) -> dict[str, float]:
    """The weights of a stored centroid (JSON text, `[[term, weight], ...]`, as written before).
    `interned`: its terms interned, as the analysis interns its items' terms (one string per term
    in memory); without, a decode is ~3x cheaper (the stored centroids of a 3k news-like
    analysis, 80 terms each: 54-63 against 15-19 us), each term then a string of its own."""
    if isinstance(stored, str):
        return {str(t): float(w) for t, w in json.loads(stored)} if stored else {}
    count = int.from_bytes(stored[:4], "little")
    if not count:
        return {}
    values = array("f")
    values.frombytes(stored[4 : 4 + 4 * count])
    if sys.byteorder == "big":
        values.byteswap()
    terms = bytes(stored[4 + 4 * count :]).decode().split("\x1f")
    if interned:
        terms = list(map(intern, terms))
    return dict(zip(terms, values, strict=True))


def encode_indexed(terms: Iterable[str], indexed: Collection[str]) -> bytes:
    """Which of a centroid's terms (in its stored order) are in the candidate index: bit k of
    the value (little-endian) for the k-th term. A term not among them cannot be indexed (the
    index holds a centroid's strongest terms, which it keeps)."""
    bits = 0
    for k, term in enumerate(terms):
        if term in indexed:
            bits |= 1 << k
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def decode_indexed(terms: Iterable[str], stored: bytes | None) -> set[str]:
    """The indexed terms among a centroid's terms (in its stored order)."""
    bits = int.from_bytes(stored or b"", "little")
    return {term for k, term in enumerate(terms) if bits >> k & 1}


def analysed_items(conn: sqlite3.Connection) -> int:
    """Items analysed so far, as the last batch recorded (0 before the first)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'analysis.items'").fetchone()
    return int(row[0]) if row else 0


def save_analysed_items(conn: sqlite3.Connection, docs: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('analysis.items', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(docs),),
    )


def document_frequencies(conn: sqlite3.Connection, terms: Iterable[str]) -> list[Any]:
    """(term, df) of the stored ones among these terms."""
    return select_in(conn, "term, df", "term_df", "term", terms)


def add_document_frequencies(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(term, increment) rows."""
    execute_rows(
        conn,
        "INSERT INTO term_df (term, df)",
        rows,
        "ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
    )


# The recent level moves into the large one past sqrt(rows in the large level x
# POSTINGS_MERGE_SCALE) rows, at least RECENT_POSTINGS_MIN (see store/dedup.py for why the square
# root: ~10,000 rows changed per batch, the WAL frames of the batches' writes to the recent level
# and of the moves then balance).
POSTINGS_MERGE_SCALE = 20_000
RECENT_POSTINGS_MIN = 20_000
_SETTLED_POSTINGS = "analysis.settled_postings"  # rows of `thread_postings`, kept in `meta`
_RECENT_POSTINGS = "analysis.recent_postings"  # rows of `thread_recent_postings`, the same

# A term's blocks from both levels, newest first; of a block in both, the recent row first.
_TERM_BLOCKS = (
    "SELECT block, threads, 0 AS level FROM thread_recent_postings WHERE term = ?1"
    " UNION ALL SELECT block, threads, 1 FROM thread_postings WHERE term = ?1"
    " ORDER BY block DESC, level"
)


def recent_postings_limit(settled: int) -> int:
    """Rows the recent level may hold beside `settled` rows in the large one before it moves."""
    return max(RECENT_POSTINGS_MIN, isqrt(settled * POSTINGS_MERGE_SCALE))


def postings(conn: sqlite3.Connection, term: str, limit: int) -> list[int]:
    """The newest `limit` threads indexed under `term`, newest first."""
    found: list[int] = []
    cursor = conn.execute(_TERM_BLOCKS, (term,))
    last = None
    for block, stored, _ in cursor:
        if block == last:  # the older level's row of a block the recent one holds
            continue
        last = block
        base = block << BLOCK_BITS
        found += [base + k for k in reversed(decode_block(stored))]
        if len(found) >= limit:
            break
    cursor.close()
    return found[:limit]


# `postings_of_terms` reads the newest FIRST_WINDOW blocks of every term asked, then, for the
# terms still short of their threads, windows WINDOW_GROWTH times as deep each time. Most
# terms a batch reads are rare (new to the cache) and go down to the first block: with
# windows twice as deep that took a round of queries per doubling of the threads (8 rounds
# at 1M news-like entries, 330 blocks; 1 at 10k), with 8 times as deep 3. The terms the
# caller knows to hold few threads (`whole`) skip the windows: all their blocks in one round.
FIRST_WINDOW = 4
WINDOW_GROWTH = 8


def postings_of_terms(
    conn: sqlite3.Connection,
    terms: Collection[str],
    limit: int,
    whole: Collection[str] = (),
) -> dict[str, list[int]]:
    """`postings(conn, term, limit)` of each of these terms, read in a few queries per
    IN_CHUNK terms instead of one query per term (the per-term statement was 0.8 s of CPU
    for the 40k news-like corpus). A bulk read of all of a term's blocks would read a common
    term's every block (up to 330 at 1M entries, where the walk stops after a few), so blocks
    are read newest first in windows of FIRST_WINDOW, then WINDOW_GROWTH times as deep each
    time, until a term has `limit` threads or no older block is left: a term's result is made
    of whole blocks, all newer than any block not read, as the walk's.

    The terms of `whole` (those the caller knows to be in at most `limit` threads, whose walk
    goes down to their first block anyway) are read whole, in one round instead of one per
    window (four at 1M news-like entries); any term may be given there, as reading more of a
    term's blocks than its walk would gives the same threads."""
    top = conn.execute("SELECT max(id) FROM threads").fetchone()[0]
    found: dict[str, list[int]] = {t: [] for t in terms}
    if top is None or not found:
        return found
    # term -> block -> its stored threads, the recent level's row kept over the older one's
    blocks: dict[str, dict[int, bytes]] = {t: {} for t in found}
    # Blocks below `high` are still to read; the first window has no upper bound (a block
    # above the newest thread's can only hold emptied rows, but it is read all the same).
    high = (int(top) >> BLOCK_BITS) + 1
    # (Where the first window reaches the first block, it reads every term whole already.)
    at_once = sorted({t for t in whole if t in found}) if high > FIRST_WINDOW else []
    if at_once:
        _read_blocks(conn, at_once, 0, 1 << 62, blocks)
        for term in at_once:
            _take(found[term], blocks[term], limit)
        first = set(at_once)
        waiting = sorted(t for t in found if t not in first)
    else:
        waiting = sorted(found)
    depth, above = FIRST_WINDOW, 1 << 62
    while waiting:
        low = max(0, high - depth)
        _read_blocks(conn, waiting, low, above, blocks)
        still = []
        for term in waiting:
            if not _take(found[term], blocks[term], limit) and low > 0:
                still.append(term)
        waiting, high, depth = still, low, depth * WINDOW_GROWTH
        above = high
    return found


def _read_blocks(
    conn: sqlite3.Connection,
    terms: list[str],
    low: int,
    above: int,
    blocks: dict[str, dict[int, bytes]],
) -> None:
    """The rows of these terms (sorted) in blocks from `low` up to `above` (not included), into
    `blocks`, a recent row over an older one's."""
    for start in range(0, len(terms), IN_CHUNK):
        chunk = terms[start : start + IN_CHUNK]
        marks = ",".join("?" * len(chunk))
        # The older level first, so that the recent row of a block replaces it.
        for table in ("thread_postings", "thread_recent_postings"):
            for term, block, stored in conn.execute(
                f"SELECT term, block, threads FROM {table}"
                f" WHERE term IN ({marks}) AND block >= ? AND block < ?",
                [*chunk, low, above],
            ):
                blocks[term][block] = stored


def _take(ids: list[int], held: dict[int, bytes], limit: int) -> bool:
    """The threads of the blocks `held` (read, all older than those taken before) added to a
    term's `ids`, newest first, up to `limit`; `held` emptied. Whether it has `limit` now."""
    if held:
        for block in sorted(held, reverse=True):
            base = block << BLOCK_BITS
            ids += [base + k for k in reversed(decode_block(held[block]))]
        held.clear()
        if len(ids) >= limit:
            del ids[limit:]
            return True
    return False


class OwnBlocks:
    """What one analysis run knows of the candidate index without reading it: every row of
    the blocks all of whose thread ids are above `above` (the newest thread when the run
    began), which only the run's own `update_postings` calls have written since (a thread of
    the run is created by it, and a thread it drops goes through `forget_threads` with this
    passed on), as written (`encode_block`; an empty blob: an emptied row), by block and term,
    in the recent level (`recent`: not moved yet) or the large one (`settled`); a recent row
    counts over a settled one, as in the table. Most rows a batch writes are rows of the
    newest block, new ones (~10,000 a batch of 2,000 news-like entries), and each was read
    first, in vain; a row of a block known here is not read. Only the newest KNOWN_BLOCKS
    blocks are kept (a row of an older one is read as before). Results are the rows the reads
    would have given (the same rows are written).

    The rows are kept as their blobs in a dict per block, not as sets of offsets keyed by
    (term, block) with a set of the recent keys beside: the three newest blocks hold 18,000-
    29,000 rows on the news-like corpus, 9-13 MB that way, ~2 MB so."""

    KNOWN_BLOCKS = 3

    def __init__(self, above: int) -> None:
        self.low = (above >> BLOCK_BITS) + 1  # the lowest block known here
        self.recent: dict[int, dict[str, bytes]] = {}
        self.settled: dict[int, dict[str, bytes]] = {}

    def known(self, block: int) -> bool:
        return block >= self.low

    def wrote(self, term: str, block: int, blob: bytes) -> None:
        """A row written into the recent level."""
        rows = self.recent.get(block)
        if rows is None:
            rows = self.recent[block] = {}
        rows[term] = blob

    def moved(self) -> None:
        """The recent level moved into the large one, its emptied rows gone."""
        for block, rows in self.recent.items():
            settled = self.settled.setdefault(block, {})
            for term, blob in rows.items():
                if blob:
                    settled[term] = blob
                else:
                    settled.pop(term, None)
        self.recent = {}

    def keep_newest(self, newest_block: int) -> None:
        """Forget the blocks older than the newest KNOWN_BLOCKS (their rows are read again)."""
        low = newest_block - self.KNOWN_BLOCKS + 1
        if low > self.low:
            self.low = low
            self.recent = {block: rows for block, rows in self.recent.items() if block >= low}
            self.settled = {block: rows for block, rows in self.settled.items() if block >= low}


def _encode_mask(bits: int) -> bytes:
    """`encode_block` of the offsets whose bits are set in `bits` (the same bytes)."""
    if bits & (bits - 1) == 0 and BITMAP_AT > 1:  # (one offset: most rows a batch writes)
        return _ONE_OFFSET[bits.bit_length() - 1]
    if bits.bit_count() >= BITMAP_AT:
        return bits.to_bytes(BITMAP_AT, "little")
    offsets = bytearray()
    while bits:
        low = bits & -bits
        offsets.append(low.bit_length() - 1)
        bits ^= low
    return bytes(offsets)


def _decode_mask(stored: bytes) -> int:
    """A stored block's offsets as the bits of an int (`decode_block`'s, as one value)."""
    if len(stored) < BITMAP_AT:
        bits = 0
        for offset in stored:
            bits |= 1 << offset
        return bits
    return int.from_bytes(stored, "little")


_ONE_OFFSET = tuple(bytes((k,)) for k in range(BLOCK))


def update_postings(
    conn: sqlite3.Connection,
    entered: Iterable[tuple[str, int]],
    left: Iterable[tuple[str, int]],
    own: OwnBlocks | None = None,
) -> None:
    """(term, thread id) pairs enter and leave the index: each block they touch is read
    (unless `own` knows it), changed and written once, into the recent level (emptied: as an
    empty blob).

    A row's offsets are the bits of one int while they change, and `own`'s dicts are walked
    here rather than through its methods: a batch of 2,000 news-like entries changes ~8,000
    rows, and a set, a sort and four calls per row were most of this function's time (the
    rows written, their order and what `own` holds are the same)."""
    adding: dict[tuple[str, int], int] = {}
    removing: dict[tuple[str, int], int] = {}
    for changes, pairs in ((adding, entered), (removing, left)):
        get = changes.get
        for term, thread in pairs:
            key = (term, thread >> BLOCK_BITS)
            changes[key] = get(key, 0) | 1 << (thread & (BLOCK - 1))
    # In the index's order, (term, block): sorted by block, then stably by term (two sorts of
    # plain values, 30% less time than one of the tuples).
    keys = list(adding.keys() | removing.keys() if removing else adding)
    if not keys:
        return
    keys.sort(key=itemgetter(1))
    keys.sort(key=itemgetter(0))
    # Each row's offsets as stored (None: no row), for rows `own` knows, and what is read.
    stored: dict[tuple[str, int], bytes] = {}
    recent: set[tuple[str, int]] = set()
    unknown = keys
    low = own.low if own is not None else 1 << 62  # the lowest block `own` knows
    if own is not None:
        # A known block's row: its recent level's, else its settled level's (walked here, not
        # by a method a row: four calls a row were most of this loop's time).
        unknown = []
        own_recent, own_settled = own.recent, own.settled
        for key in keys:
            term, block = key
            if block < low:
                unknown.append(key)
                continue
            rows = own_recent.get(block)
            blob = rows.get(term) if rows is not None else None
            if blob is not None:
                stored[key] = blob
                recent.add(key)
                continue
            rows = own_settled.get(block)
            blob = rows.get(term) if rows is not None else None
            if blob is not None:
                stored[key] = blob
    # The blocks touched, read block by block, a few hundred terms at a time, both levels in
    # one statement (one query per block and term cost 40% more than the row-per-posting table
    # at 10k news-like entries; one range from the lowest block touched read every later block
    # of common terms). Of a block in both levels the recent row counts.
    by_block: dict[int, list[str]] = {}
    for term, block in unknown:
        by_block.setdefault(block, []).append(term)
    for block, terms in sorted(by_block.items()):
        terms.sort()
        for start in range(0, len(terms), IN_CHUNK):
            chunk = terms[start : start + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            for term, blob, level in conn.execute(
                f"SELECT term, threads, 0 FROM thread_recent_postings"
                f" WHERE block = ? AND term IN ({marks}) UNION ALL"
                f" SELECT term, threads, 1 FROM thread_postings"
                f" WHERE block = ? AND term IN ({marks})",
                [block, *chunk, block, *chunk],
            ):
                key = (term, block)
                if not level:
                    stored[key] = blob
                    recent.add(key)
                elif key not in recent:
                    stored[key] = blob
    written: list[object] = []  # flat: term, block, blob, ...
    put = written.extend
    added = 0  # rows written that the recent level did not hold
    stored_get, removing_get = stored.get, removing.get
    known_rows: dict[int, dict[str, bytes]] = own.recent if own is not None else {}
    rows_block, rows = -1, {}
    for key in keys:  # in the index's order: one walk over its pages
        term, block = key
        blob = stored_get(key)
        removed = removing_get(key, 0)
        if blob is None and not removed:  # (most rows a batch writes: new)
            encoded = _encode_mask(adding[key])
            added += 1
        else:
            before = _decode_mask(blob) if blob else 0
            offsets = before & ~removed | adding.get(key, 0)
            if not (offsets or before):
                continue
            encoded = _encode_mask(offsets) if offsets else b""
            if key not in recent:
                added += 1
        put((term, block, encoded))
        if block >= low:  # as `OwnBlocks.wrote`
            if block != rows_block:
                rows_block = block
                found = known_rows.get(block)
                if found is None:
                    found = known_rows[block] = {}
                rows = found
            rows[term] = encoded
    execute_flat(
        conn, "INSERT OR REPLACE INTO thread_recent_postings (term, block, threads)", 3, written
    )
    # Rows of the recent level now: those before and the written ones it did not hold.
    if _move_when_full(conn, added) and own is not None:
        own.moved()


def _move_when_full(conn: sqlite3.Connection, added: int) -> bool:
    """Past its limit, the recent level moves into `thread_postings` (emptied rows removed).
    Its rows are counted once and then kept in `meta` with the rows a batch adds: counting
    them each batch cost ~15 ms at 40k news-like entries, and grows with the square root of
    the index. Whether it moved."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_RECENT_POSTINGS,)).fetchone()
    if row is None:
        recent = int(conn.execute("SELECT count(*) FROM thread_recent_postings").fetchone()[0])
    else:
        recent = int(row[0]) + added
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_SETTLED_POSTINGS,)).fetchone()
    settled = int(row[0]) if row else _count_settled(conn)
    moved = recent > recent_postings_limit(settled)
    if moved:
        conn.execute(
            "INSERT OR REPLACE INTO thread_postings (term, block, threads)"
            " SELECT term, block, threads FROM thread_recent_postings WHERE threads != X''"
            " ORDER BY term, block"
        )
        conn.executemany(
            "DELETE FROM thread_postings WHERE term = ? AND block = ?",
            conn.execute(
                "SELECT term, block FROM thread_recent_postings WHERE threads = X''"
            ).fetchall(),
        )
        conn.execute("DELETE FROM thread_recent_postings")
        _count_settled(conn)
        recent = 0
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_RECENT_POSTINGS, str(recent)),
    )
    return moved


def _count_settled(conn: sqlite3.Connection) -> int:
    """Rows of the large level, counted (once per move: ~0.1 s at 1M entries) and kept."""
    settled = int(conn.execute("SELECT count(*) FROM thread_postings").fetchone()[0])
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_SETTLED_POSTINGS, str(settled)),
    )
    return settled


def forget_threads(
    conn: sqlite3.Connection, threads_sql: str, own: OwnBlocks | None = None
) -> None:
    """Take the threads `threads_sql` selects (their ids) out of the candidate index, by their
    indexed terms; call before their state rows go. (`own`: as `update_postings`.)"""
    left: list[tuple[str, int]] = []
    for thread, centroid, indexed in conn.execute(
        f"SELECT thread_id, centroid, indexed FROM thread_state WHERE thread_id IN ({threads_sql})"
    ):
        left += [(t, thread) for t in decode_indexed(decode_centroid(centroid or b""), indexed)]
    update_postings(conn, [], left, own)


def drop_empty(
    conn: sqlite3.Connection, threads: Iterable[int], own: OwnBlocks | None = None
) -> list[int]:
    """Those of these threads that hold no entry (a regrouping moved all their items to
    other threads) go, with their state and their place in the candidate index; their ids.

    A new thread may take a dropped id again (`threads.id` is a plain rowid), so whatever
    else names a thread by id must be forgotten with it (the entities' thread scopes). `own`:
    the analysis run's knowledge of the candidate index (`update_postings`), kept true."""
    empty = [
        int(t)
        for t in sorted(threads)
        if conn.execute("SELECT 1 FROM entries WHERE thread_id = ? LIMIT 1", (t,)).fetchone()
        is None
    ]
    if not empty:
        return empty
    ids = ",".join(map(str, empty))  # (integers)
    forget_threads(conn, ids, own)
    conn.execute(f"DELETE FROM thread_state WHERE thread_id IN ({ids})")
    conn.execute(f"DELETE FROM threads WHERE id IN ({ids})")
    return empty


def thread_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> sqlite3.Cursor:
    """(id, first_at, last_at, size, title, headline_entry, headline_score, centroid,
    dated_first, dated_last, indexed) of these threads (the state columns None when it has
    none)."""
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT t.id, t.first_at, t.last_at, t.size, t.title, s.headline_entry,"
        f" s.headline_score, s.centroid, s.dated_first, s.dated_last, s.indexed FROM threads t"
        f" LEFT JOIN thread_state s ON s.thread_id = t.id WHERE t.id IN ({marks})",
        ids,
    )


def newest_thread(conn: sqlite3.Connection) -> int:
    """The highest thread id so far (0: none)."""
    return int(conn.execute("SELECT max(id) FROM threads").fetchone()[0] or 0)


def create_thread(conn: sqlite3.Connection, title: str, at: int) -> int:
    """A new empty thread spanning the moment `at`; its id."""
    cur = conn.execute(
        "INSERT INTO threads (title, first_at, last_at, size) VALUES (?, ?, ?, 0)",
        (title, at, at),
    )
    return int(cur.lastrowid or 0)


def add_to_counts(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, int, int]]) -> None:
    """(items added, first, last, thread id) rows: size and span as increments of the stored row."""
    conn.executemany(
        "UPDATE threads SET size = size + ?, first_at = min(first_at, ?),"
        " last_at = max(last_at, ?) WHERE id = ?",
        rows,
    )


def recount(conn: sqlite3.Connection, threads: Iterable[int]) -> None:
    """Size and span of each of these threads, from its items (reposts do not count)."""
    conn.executemany(
        "UPDATE threads SET (size, first_at, last_at) = (SELECT count(*),"
        " coalesce(min(published_at), threads.first_at), coalesce(max(published_at),"
        " threads.last_at) FROM entries WHERE thread_id = threads.id AND repost_of IS NULL)"
        " WHERE id = ?",
        [(t,) for t in threads],
    )


def retitle(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(title, thread id) rows."""
    conn.executemany("UPDATE threads SET title = ? WHERE id = ?", rows)


def save_states(
    conn: sqlite3.Connection,
    rows: Sequence[tuple[int, int | None, float, bytes, int | None, int | None, bytes]],
) -> None:
    """(thread id, headline entry, headline score, centroid, dated first, dated last, indexed)
    rows, replacing each thread's stored state."""
    execute_rows(
        conn,
        "INSERT INTO thread_state (thread_id, headline_entry, headline_score, centroid,"
        " dated_first, dated_last, indexed)",
        rows,
        "ON CONFLICT (thread_id) DO UPDATE SET headline_entry = excluded.headline_entry,"
        " headline_score = excluded.headline_score, centroid = excluded.centroid,"
        " dated_first = excluded.dated_first, dated_last = excluded.dated_last,"
        " indexed = excluded.indexed",
    )


def thread_sources(conn: sqlite3.Connection, thread_id: int, limit: int = 2) -> set[int]:
    """The sources of a thread's items (not reposts), `limit` of them at most."""
    rows = conn.execute(
        "SELECT DISTINCT source_id FROM entries WHERE thread_id = ? AND repost_of IS NULL LIMIT ?",
        (thread_id, limit),
    )
    return {r[0] for r in rows}


def thread_items(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(thread id, id, source_id, title, body, published_at, time_guessed, url) of the items
    (not reposts) of these threads, each thread's in time order, the threads in id order."""
    rows = select_in(
        conn,
        "e.thread_id, e.id, e.source_id, e.title, wirereader_body(t.body), e.published_at,"
        " e.time_guessed, e.url",
        "entries e LEFT JOIN entry_texts t ON t.entry_id = e.id",
        # (`IN` binds before `AND`: the reposts are left out in the query, bodies unread.)
        "e.repost_of IS NULL AND e.thread_id",
        ids,
        plain=True,
    )
    return sorted(rows, key=lambda r: (r[0], r[5], r[1]))

"""The vectors of recent items as their batch made them (migration 0023), and the numbers of
the terms they hold (`term_df.id`). Each runs inside the caller's transaction.

A later run that reads back the items of an earlier run's thread (analysis/threads/index.py,
`ThreadIndex._read_members`) takes their vectors from here: the same terms and weights the run
that placed them used (its document frequencies as of that batch), instead of their text
tokenised and weighed again by the reading run's frequencies (~250 us an item, and a different
vector: real feeds, each batch a run of 100, lost one pair of one analysis's). Only items
within the story window (STORY_GAP_DAYS before the newest item analysed) are stored: an
older item's thread can rarely be met again; its vector is made from its text if it is.

A stored vector (`encode`): its item's distinct terms before the vector kept its strongest
(2 bytes, at most 65,535) and a flag byte (TEASED, HAS_BODY, WIDE_IDS), then each term's
number (3 bytes, or 4 with WIDE_IDS), then each weight as a 32-bit float, all little-endian,
in the vector's order. ~7 bytes a term (a news-like item keeps 60: ~420 bytes), against ~12
with the terms as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from wirereader.store.bulk import execute_rows, select_in

TEASED = 1  # the item has text beyond its title (`threads.item.Item.teased`)
HAS_BODY = 2  # it has a body (not only blanks)
WIDE_IDS = 4  # its term numbers take 4 bytes, not 3
_HEAD = 3
_HORIZON = "analysis.vectors_horizon"  # rows older than this (a time) are gone


def encode_many(
    ids: np.ndarray,
    weights: np.ndarray,
    counts: Sequence[int],
    distinct: Sequence[int],
    flags: Sequence[int],
) -> list[bytes]:
    """The stored form of several vectors: their term numbers and weights one vector after
    the other (`counts` of each), each vector's distinct terms and flags."""
    narrow = ids.astype("<u4")
    id_bytes = narrow.view(np.uint8).reshape(-1, 4)
    three = id_bytes[:, :3].tobytes()
    four = id_bytes.tobytes()
    weight_bytes = weights.astype("<f4").tobytes()
    # Which vectors hold a number past 24 bits, all at once (a slice and its max per vector
    # cost ~3 us each): the largest number of each non-empty vector, by `reduceat` over their
    # starts (an empty vector's start is left out, so each span is one vector's own numbers).
    sizes = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    held = sizes > 0
    wide_of = np.zeros(len(sizes), dtype=bool)
    if held.any():
        wide_of[held] = np.maximum.reduceat(narrow, starts[held]) >= 1 << 24
    out = []
    at = 0
    for n, terms, flag, wide in zip(counts, distinct, flags, wide_of.tolist(), strict=True):
        end = at + n
        head = min(terms, 0xFFFF).to_bytes(2, "little") + bytes([flag | (WIDE_IDS if wide else 0)])
        numbers = four[4 * at : 4 * end] if wide else three[3 * at : 3 * end]
        out.append(head + numbers + weight_bytes[4 * at : 4 * end])
        at = end
    return out


def decode_many(
    stored: Sequence[bytes],
) -> tuple[np.ndarray, np.ndarray, list[int], list[int], list[int]]:
    """(term numbers, weights as float64, count of each vector, distinct terms of each, flags
    of each) of these stored vectors, the numbers and weights one vector after the other."""
    threes: list[bytes] = []
    fours: list[bytes] = []
    weights: list[bytes] = []
    counts: list[int] = []
    distinct: list[int] = []
    flags: list[int] = []
    wide_at: list[int] = []
    for k, blob in enumerate(stored):
        flag = blob[2]
        width = 4 if flag & WIDE_IDS else 3
        n = (len(blob) - _HEAD) // (width + 4)
        split = _HEAD + width * n
        (fours if flag & WIDE_IDS else threes).append(blob[_HEAD:split])
        if flag & WIDE_IDS:
            wide_at.append(k)
        weights.append(blob[split:])
        counts.append(n)
        distinct.append(int.from_bytes(blob[:2], "little"))
        flags.append(flag & ~WIDE_IDS)
    raw = np.frombuffer(b"".join(threes), dtype=np.uint8).reshape(-1, 3).astype(np.int64)
    narrow = raw[:, 0] | raw[:, 1] << 8 | raw[:, 2] << 16
    if wide_at:  # (never below 16.7 million terms) each vector's numbers in their place
        wide = np.frombuffer(b"".join(fours), dtype="<u4").astype(np.int64)
        ids = np.zeros(sum(counts), dtype=np.int64)
        starts = np.cumsum([0, *counts])
        is_wide = set(wide_at)
        a = b = 0
        for k, n in enumerate(counts):
            source = wide if k in is_wide else narrow
            at = b if k in is_wide else a
            ids[starts[k] : starts[k] + n] = source[at : at + n]
            if k in is_wide:
                b += n
            else:
                a += n
    else:
        ids = narrow
    values = np.frombuffer(b"".join(weights), dtype="<f4").astype(np.float64)
    return ids, values, counts, distinct, flags


def save(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, bytes]]) -> None:
    """(time, entry id, stored vector) rows, replacing an entry's row of the same time."""
    execute_rows(conn, "INSERT OR REPLACE INTO thread_item_vectors (at, entry_id, vector)", rows)


def horizon(conn: sqlite3.Connection) -> int | None:
    """Items before this time have no stored vector (None: nothing stored yet)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_HORIZON,)).fetchone()
    return int(row[0]) if row else None


def advance(conn: sqlite3.Connection, until: int) -> int:
    """Rows of items before `until` go (one range at the front of the table), unless an
    earlier call went further; the horizon now."""
    before = horizon(conn)
    if before is not None and before >= until:
        return before
    conn.execute("DELETE FROM thread_item_vectors WHERE at < ?", (until,))
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_HORIZON, str(until)),
    )
    return until


def thread_items(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(thread id, id, source_id, title, body, published_at, time_guessed, url, vector) of
    the items (not reposts) of these threads, each thread's in time order, the threads in id
    order: `vector` as stored (None: none is, and then `body` is read, else it is not)."""
    rows = select_in(
        conn,
        "e.thread_id, e.id, e.source_id, e.title,"
        " CASE WHEN v.vector IS NULL THEN wirereader_body(t.body) END, e.published_at,"
        " e.time_guessed, e.url, v.vector",
        "entries e LEFT JOIN thread_item_vectors v ON v.at = e.published_at"
        " AND v.entry_id = e.id LEFT JOIN entry_texts t ON t.entry_id = e.id",
        # (`IN` binds before `AND`: the reposts are left out in the query.)
        "e.repost_of IS NULL AND e.thread_id",
        ids,
        plain=True,
    )
    return sorted(rows, key=lambda r: (r[0], r[5], r[1]))


def entry_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(thread id, id, source_id, title, body, published_at, time_guessed, url, None) of these
    entries, as `thread_items` gives them with their text, in time order."""
    rows = select_in(
        conn,
        "e.thread_id, e.id, e.source_id, e.title, wirereader_body(t.body), e.published_at,"
        " e.time_guessed, e.url, NULL",
        "entries e LEFT JOIN entry_texts t ON t.entry_id = e.id",
        "e.id",
        ids,
        plain=True,
    )
    return sorted(rows, key=lambda r: (r[5], r[1]))


def bodies(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, body) of these entries that have a text."""
    return select_in(
        conn, "entry_id, wirereader_body(body)", "entry_texts", "entry_id", ids, plain=True
    )


def frequencies_and_ids(conn: sqlite3.Connection, terms: Iterable[str]) -> list[Any]:
    """(term, df, number or None) of the stored ones among these terms."""
    return select_in(conn, "term, df, id", "term_df", "term", terms, plain=True)


def terms_of(conn: sqlite3.Connection, ids: Iterable[int]) -> list[Any]:
    """(number, term) of these term numbers."""
    return select_in(conn, "id, term", "term_df", "id", ids, plain=True)


def next_number(conn: sqlite3.Connection) -> int:
    """The first term number not given yet."""
    top = conn.execute("SELECT max(id) FROM term_df WHERE id IS NOT NULL").fetchone()[0]
    return int(top or 0) + 1


def add_frequencies(conn: sqlite3.Connection, rows: Sequence[tuple[str, int, int]]) -> None:
    """(term, increment, number) rows of terms without a number yet:
    `threads.add_document_frequencies`, each term given the number in its row."""
    execute_rows(
        conn,
        "INSERT INTO term_df (term, df, id)",
        rows,
        "ON CONFLICT (term) DO UPDATE SET df = df + excluded.df, id = excluded.id",
    )


def save_numbers(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(term, number) rows (a term not stored yet is stored with a frequency of 0)."""
    execute_rows(
        conn,
        "INSERT INTO term_df (term, df, id)",
        [(t, 0, i) for t, i in rows],
        "ON CONFLICT (term) DO UPDATE SET id = excluded.id",
    )

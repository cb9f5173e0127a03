"""The analysis pipeline's own statements (analysis/pipeline.py): which entries are pending,
marking them analysed, and the connection settings of a run.

An entry is analysed while `entries.analysed_hash` is `ANALYSED` ('1'), or (as written before
migration 0054, and by anything that still marks that way) equal to its `content_hash`; it is
pending otherwise (`PENDING`). The mark was the 24-character hash itself, 24 of the ~290 bytes
of an `entries` row on the 40k feed corpus; '1' takes one. What the hash told (that the entry
changed since) the trigger `OUTDATED_TRIGGER` now says: a new content hash turns '1' into '0'
(analysed before, pending again), as a changed title or body turns the mark into NULL
(store/texts.py). NULL and '0' both read as "analysed before" the way they did: NULL no, '0' yes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from wirereader.store import texts
from wirereader.store.bulk import select_in, update_rows

ANALYSED = "1"
# Word for word the condition of the partial index `entries_pending_analysis` (migration 0054),
# so that the planner uses it.
PENDING = f"analysed_hash IS NOT '{ANALYSED}' AND analysed_hash IS NOT content_hash"
PENDING_INDEX = (
    f"CREATE INDEX entries_pending_analysis ON entries (published_at, id) WHERE {PENDING}"
)
OUTDATED_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS entries_analysis_outdated AFTER UPDATE OF content_hash ON entries"
    f" WHEN new.analysed_hash = '{ANALYSED}' AND old.content_hash IS NOT new.content_hash BEGIN"
    f" UPDATE entries SET analysed_hash = '0' WHERE id = new.id AND analysed_hash = '{ANALYSED}';"
    " END"
)


def _pending_select(body: str, join: str = "") -> str:
    """The pending entries' rows in analysis order, with `body` as their fourth column."""
    return (
        f"SELECT e.id, e.source_id, e.title, {body}, e.published_at, e.repost_of,"
        " e.thread_id, e.kind, e.analysed_hash IS NOT NULL, e.author, e.time_guessed, e.url"
        f" FROM entries e{join}"
        f" WHERE {PENDING}"
        " ORDER BY e.published_at, e.id LIMIT ?"
    )


# Bodies are packed in `entry_texts` (store/texts.py). The analysis's two reads of a batch's
# bodies take them as stored and unpack them here (`texts.unpack`, as `wirereader_body` does:
# the same text), not through the SQL function: a body it unpacks there crosses to SQLite as
# UTF-8 and back, and the call costs as much again (2.0 against 1.0 us a body already
# unpacked lately, 6.5 against 5.6 us one not).
_PENDING = _pending_select("t.body", " LEFT JOIN entry_texts t ON t.entry_id = e.id")
# The same rows with the entry's content hash where the body was: for a run that holds the
# bodies it was handed as they were stored (`pipeline.Analysis`), the body read only where
# the hash is not that of the text held (`texts_of`).
_PENDING_HASHED = _pending_select("e.content_hash")

# The texts of the batch after the current one (the current one is not marked yet).
_NEXT_TEXTS = (
    "SELECT e.id, e.title, t.body, e.author FROM entries e"
    " LEFT JOIN entry_texts t ON t.entry_id = e.id"
    f" WHERE {PENDING}"
    " ORDER BY e.published_at, e.id LIMIT ? OFFSET ?"
)


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute(f"SELECT count(*) FROM entries WHERE {PENDING}").fetchone()[0])


def pending_entries(conn: sqlite3.Connection, limit: int) -> list[Any]:
    """The first `limit` pending entries, oldest first: (id, source_id, title, body,
    published_at, repost_of, thread_id, kind, analysed before, author, time_guessed, url)."""
    unpack = texts.unpack
    return [
        (r[0], r[1], r[2], unpack(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])
        for r in conn.execute(_PENDING, (limit,))
    ]


def pending_hashed(conn: sqlite3.Connection, limit: int) -> list[Any]:
    """`pending_entries` with each entry's content hash in place of its body (no body read)."""
    return conn.execute(_PENDING_HASHED, (limit,)).fetchall()


def next_ids(conn: sqlite3.Connection, limit: int, offset: int) -> list[int]:
    """The ids of the `limit` pending entries after the first `offset` (no body read)."""
    return [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM entries WHERE {PENDING} ORDER BY published_at, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
    ]


def next_texts(conn: sqlite3.Connection, limit: int, offset: int) -> list[Any]:
    """(id, title, body, author) of the `limit` pending entries after the first `offset`."""
    unpack = texts.unpack
    return [(r[0], r[1], unpack(r[2]), r[3]) for r in conn.execute(_NEXT_TEXTS, (limit, offset))]


def texts_of(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, title, body, author) of these entries (as `next_texts` gives them)."""
    return select_in(
        conn,
        "e.id, e.title, wirereader_body(t.body), e.author",
        "entries e LEFT JOIN entry_texts t ON t.entry_id = e.id",
        "e.id",
        ids,
    )


def repost_and_thread(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, repost_of, thread_id) of these entries."""
    return select_in(conn, "id, repost_of, thread_id", "entries", "id", ids)


def mark_placed(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(thread id, entry id) rows, each of another entry: each entry is in its thread and
    analysed."""
    update_rows(
        conn,
        f"UPDATE entries SET thread_id = v.column1, analysed_hash = '{ANALYSED}'",
        "entries.id = v.column2",
        rows,
    )


def move_items(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(thread id, entry id) rows: each entry, analysed before, and its reposts go to this
    thread."""
    conn.executemany("UPDATE entries SET thread_id = ?1 WHERE id = ?2 OR repost_of = ?2", rows)


def mark_reposts(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(item id, repost id) rows: each repost follows its item into its thread, analysed."""
    conn.executemany(
        "UPDATE entries SET thread_id = (SELECT r.thread_id FROM entries r WHERE r.id = ?),"
        f" analysed_hash = '{ANALYSED}' WHERE id = ?",
        rows,
    )


def mark_analysed(conn: sqlite3.Connection, rows: Sequence[tuple[int]]) -> None:
    """(entry id,) rows: analysed, nothing else changes."""
    conn.executemany(f"UPDATE entries SET analysed_hash = '{ANALYSED}' WHERE id = ?", rows)


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the database (SQLite's `data_version`)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def cache_size(conn: sqlite3.Connection) -> int:
    """The connection's page cache setting (negative: KiB, positive: pages)."""
    return int(conn.execute("PRAGMA cache_size").fetchone()[0])


def set_cache_size(conn: sqlite3.Connection, size: int) -> None:
    conn.execute(f"PRAGMA cache_size = {int(size)}")


def checking_foreign_keys(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])


def check_foreign_keys(conn: sqlite3.Connection, on: bool) -> None:
    conn.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")

"""The analysis pipeline's own statements (analysis/pipeline.py): which entries are pending
(`entries.analysed_hash` differs from `content_hash`), marking them analysed, and the
connection settings of a run."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from wirereader.store.bulk import select_in

# Bodies are packed in `entry_texts` (store/texts.py); `wirereader_body` unpacks them.
_PENDING = (
    "SELECT e.id, e.source_id, e.title, wirereader_body(t.body), e.published_at, e.repost_of,"
    " e.thread_id, e.kind, e.analysed_hash IS NOT NULL, e.author, e.time_guessed, e.url"
    " FROM entries e LEFT JOIN entry_texts t ON t.entry_id = e.id"
    " WHERE e.analysed_hash IS NOT e.content_hash"
    " ORDER BY e.published_at, e.id LIMIT ?"
)

# The texts of the batch after the current one (the current one is not marked yet).
_NEXT_TEXTS = (
    "SELECT e.id, e.title, wirereader_body(t.body), e.author FROM entries e"
    " LEFT JOIN entry_texts t ON t.entry_id = e.id"
    " WHERE e.analysed_hash IS NOT e.content_hash"
    " ORDER BY e.published_at, e.id LIMIT ? OFFSET ?"
)


def pending_count(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM entries WHERE analysed_hash IS NOT content_hash"
        ).fetchone()[0]
    )


def pending_entries(conn: sqlite3.Connection, limit: int) -> list[Any]:
    """The first `limit` pending entries, oldest first: (id, source_id, title, body,
    published_at, repost_of, thread_id, kind, analysed before, author, time_guessed, url)."""
    return conn.execute(_PENDING, (limit,)).fetchall()


def next_texts(conn: sqlite3.Connection, limit: int, offset: int) -> list[Any]:
    """(id, title, body, author) of the `limit` pending entries after the first `offset`."""
    return conn.execute(_NEXT_TEXTS, (limit, offset)).fetchall()


def repost_and_thread(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, repost_of, thread_id) of these entries."""
    return select_in(conn, "id, repost_of, thread_id", "entries", "id", ids)


def mark_placed(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(thread id, entry id) rows: each entry is in its thread and analysed."""
    conn.executemany(
        "UPDATE entries SET thread_id = ?, analysed_hash = content_hash WHERE id = ?", rows
    )


def mark_reposts(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(item id, repost id) rows: each repost follows its item into its thread, analysed."""
    conn.executemany(
        "UPDATE entries SET thread_id = (SELECT r.thread_id FROM entries r WHERE r.id = ?),"
        " analysed_hash = content_hash WHERE id = ?",
        rows,
    )


def mark_analysed(conn: sqlite3.Connection, rows: Sequence[tuple[int]]) -> None:
    """(entry id,) rows: analysed, nothing else changes."""
    conn.executemany("UPDATE entries SET analysed_hash = content_hash WHERE id = ?", rows)


def cache_size(conn: sqlite3.Connection) -> int:
    """The connection's page cache setting (negative: KiB, positive: pages)."""
    return int(conn.execute("PRAGMA cache_size").fetchone()[0])


def set_cache_size(conn: sqlite3.Connection, size: int) -> None:
    conn.execute(f"PRAGMA cache_size = {int(size)}")


def checking_foreign_keys(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])


def check_foreign_keys(conn: sqlite3.Connection, on: bool) -> None:
    conn.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")

"""Statements on `entries` outside saving them (which is `Store.save_entries` in db.py)."""

from __future__ import annotations

import sqlite3


def mark_seen(conn: sqlite3.Connection, source_id: int | None, now: int) -> None:
    """Inside a transaction: every entry of the source was in the document fetched just now."""
    conn.execute(
        "UPDATE entries SET last_seen = ? WHERE source_id = ? AND last_seen < ?",
        (now, source_id, now),
    )


def source_id(conn: sqlite3.Connection, key: str) -> int | None:
    """The id of the source stored under `key`, or None when there is none."""
    row = conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row is not None else None


def source_key(conn: sqlite3.Connection, source_id: int) -> str:
    """The key of the source with id `source_id` (which exists)."""
    return str(conn.execute("SELECT key FROM sources WHERE id = ?", (source_id,)).fetchone()[0])


def counted_entries(conn: sqlite3.Connection, source_id: int) -> int:
    """How many entries of the source are items (not the summary at its head)."""
    return int(
        conn.execute(
            "SELECT count(*) FROM entries WHERE source_id = ? AND kind != 'summary'",
            (source_id,),
        ).fetchone()[0]
    )


def stable_ids(conn: sqlite3.Connection, source_id: int) -> set[str]:
    """The stable ids of every entry the source has stored."""
    return {
        str(r[0])
        for r in conn.execute("SELECT stable_id FROM entries WHERE source_id = ?", (source_id,))
    }


def file_source_holding(conn: sqlite3.Connection, entries: list[tuple[str, str]]) -> str | None:
    """The key of the one file source that stores every (stable id, content hash) of
    `entries` as it is, or None (none does, or more than one)."""
    candidates: set[int] | None = None
    for stable_id, content_hash in dict.fromkeys(entries):
        found = {
            int(r[0])
            for r in conn.execute(
                "SELECT e.source_id FROM sources s JOIN entries e ON e.source_id = s.id"
                " AND e.stable_id = ? WHERE s.kind = 'file' AND e.content_hash = ?",
                (stable_id, content_hash),
            )
        }
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return None
    if candidates is None or len(candidates) != 1:
        return None
    return source_key(conn, next(iter(candidates)))


_CHUNK = 500  # values per IN (...) lookup, well under SQLite's bound-parameter limit


def entries_at(
    conn: sqlite3.Connection,
    epochs: list[int],
    *,
    source_id: int | None = None,
    file_sources_only: bool = False,
) -> list[tuple]:
    """(source_id, published_at, author, stable_id, kind) of the stored entries published at
    one of `epochs`: of one source, or of the file (capture) sources, or of all."""
    where = ""
    params: tuple[object, ...] = ()
    if source_id is not None:
        where, params = " AND e.source_id = ?", (source_id,)
    elif file_sources_only:
        where = " AND e.source_id IN (SELECT id FROM sources WHERE kind = 'file')"
    rows: list[tuple] = []
    for start in range(0, len(epochs), _CHUNK):
        chunk = epochs[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(
            "SELECT e.source_id, e.published_at, e.author, e.stable_id, e.kind FROM entries e"
            f" WHERE e.published_at IN ({marks}){where}",
            (*chunk, *params),
        ).fetchall()
    return rows


def restore_state(
    conn: sqlite3.Connection,
    read_rows: list[tuple[int | None, int, str]],
    star_rows: list[tuple[int, str]],
) -> tuple[int, int]:
    """Inside a transaction: (read_at, source_id, stable_id) rows mark entries read that are not
    read yet, (source_id, stable_id) rows star entries; returns (marked read, starred)."""
    read = conn.executemany(
        "UPDATE entries SET read_at = ? WHERE source_id = ? AND stable_id = ? AND read_at IS NULL",
        read_rows,
    ).rowcount
    starred = conn.executemany(
        "UPDATE entries SET starred = 1 WHERE source_id = ? AND stable_id = ? AND starred = 0",
        star_rows,
    ).rowcount
    return max(read, 0), max(starred, 0)

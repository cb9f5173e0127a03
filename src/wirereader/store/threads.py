"""The statements of story threads (analysis/threads/index.py): threads, thread_state (headline
and centroid), the inverted index thread_terms, term_df and the count of items analysed in meta.
Each runs inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from wirereader.store.bulk import execute_rows, select_in


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


def postings(conn: sqlite3.Connection, term: str, limit: int) -> list[int]:
    """The newest `limit` threads indexed under `term`, newest first."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT thread_id FROM thread_terms WHERE term = ? ORDER BY thread_id DESC LIMIT ?",
            (term, limit),
        )
    ]


def thread_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> sqlite3.Cursor:
    """(id, first_at, last_at, size, title, headline_entry, headline_score, centroid,
    dated_first, dated_last) of these threads (the state columns None when it has none)."""
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT t.id, t.first_at, t.last_at, t.size, t.title, s.headline_entry,"
        f" s.headline_score, s.centroid, s.dated_first, s.dated_last FROM threads t"
        f" LEFT JOIN thread_state s ON s.thread_id = t.id WHERE t.id IN ({marks})",
        ids,
    )


def indexed_terms(conn: sqlite3.Connection, ids: Sequence[int]) -> sqlite3.Cursor:
    """(thread id, term, weight) of these threads' terms in the index."""
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT thread_id, term, weight FROM thread_terms WHERE thread_id IN ({marks})", ids
    )


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


def remove_postings(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(term, thread id) rows leave the index."""
    conn.executemany("DELETE FROM thread_terms WHERE term = ? AND thread_id = ?", rows)


def add_postings(conn: sqlite3.Connection, rows: Sequence[tuple[str, int, float]]) -> None:
    """(term, thread id, weight) rows enter the index (or replace their weight)."""
    execute_rows(conn, "INSERT OR REPLACE INTO thread_terms (term, thread_id, weight)", rows)


def retitle(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(title, thread id) rows."""
    conn.executemany("UPDATE threads SET title = ? WHERE id = ?", rows)


def save_states(
    conn: sqlite3.Connection,
    rows: Sequence[tuple[int, int | None, float, bytes, int | None, int | None]],
) -> None:
    """(thread id, headline entry, headline score, centroid, dated first, dated last) rows,
    replacing each thread's stored state."""
    execute_rows(
        conn,
        "INSERT INTO thread_state (thread_id, headline_entry, headline_score, centroid,"
        " dated_first, dated_last)",
        rows,
        "ON CONFLICT (thread_id) DO UPDATE SET headline_entry = excluded.headline_entry,"
        " headline_score = excluded.headline_score, centroid = excluded.centroid,"
        " dated_first = excluded.dated_first, dated_last = excluded.dated_last",
    )

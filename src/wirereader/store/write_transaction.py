"""One write transaction around a piece of work, for the migration steps that convert a cache
in batches (migrate_dedup, migrate_postings, migrate_texts, migrate_version_meta,
migrate_analysed_mark, migrate_entity_hashes): each batch is its own transaction, so a
conversion killed midway keeps every finished batch and resumes after it."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_write_transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """`work` in one write transaction (IMMEDIATE: the write lock first, then the reads, so a
    second process converting the same cache waits instead of reading a batch that is moving)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return result


def convert_id_ranges(
    conn: sqlite3.Connection,
    *,
    progress_key: str,
    top_sql: str,
    batch: int,
    convert_range: Callable[[sqlite3.Connection, int, int], None],
    progress: Callable[[float], None],
    prepare: Callable[[], object] = lambda: None,
) -> None:
    """`convert_range(conn, lo, hi)` over the ids in (lo, hi], `batch` at a time, up to the
    largest id `top_sql` reads; each range is one write transaction that also records in
    `meta[progress_key]` how far the conversion got, so a killed one resumes after the last
    range that committed. `prepare` runs first, in its own transaction (indexes, triggers)."""

    def start() -> tuple[int, int]:
        prepare()
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (progress_key,)).fetchone()
        top = conn.execute(top_sql).fetchone()[0]
        return (int(row[0]) if row else 0), int(top or 0)

    def one_range(lo: int, hi: int) -> None:
        convert_range(conn, lo, hi)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (progress_key, str(hi))
        )

    done, top = in_write_transaction(conn, start)
    first = done
    while done < top:
        upto = min(done + batch, top)
        in_write_transaction(conn, functools.partial(one_range, done, upto))
        done = upto
        progress(min(0.99, (done - first) / max(1, top - first)))

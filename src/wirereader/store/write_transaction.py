"""One write transaction around a piece of work: the store's own transactions (`Store.transaction`)
and the migrations (migrations.migrate, and the steps that convert a cache in batches:
migrate_dedup, migrate_postings, migrate_texts, migrate_versions, migrate_version_meta,
migrate_analysed_mark, migrate_entity_hashes). A conversion's batches are each their own
transaction, so a conversion killed midway keeps every finished batch and resumes after it.
Every one of them ends a failed transaction the same way, by `roll_back`."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from wirereader.core.interruptible import raise_kept_interrupt

T = TypeVar("T")


def in_write_transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """`work` in one write transaction (IMMEDIATE: the write lock first, then the reads, so a
    second process converting the same cache waits instead of reading a batch that is moving)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        conn.execute("COMMIT")
    except BaseException:
        roll_back(conn)
        raise
    return result


def roll_back(conn: sqlite3.Connection) -> None:
    """Roll the transaction back, then raise an interrupt that SQLite swallowed inside it.

    Ctrl-C or SIGTERM raised inside a function SQLite calls (the full-text index's body
    function) reaches the caller as "user-defined function raised exception"; the function kept
    the interrupt (`core.interruptible.keep_interrupt`), and it is raised here, in place of
    the statement's error, so the command ends as interrupted rather than going on.

    A full disk (SQLITE_FULL) or an I/O error may already have rolled the transaction back:
    a ROLLBACK then raised "cannot rollback - no transaction is active" in place of the
    statement's own error, and a fetch onto a full disk said that of every feed."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    raise_kept_interrupt()


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

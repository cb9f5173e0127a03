"""One write transaction around a piece of work, for the migration steps that convert a cache
in batches (migrate_dedup, migrate_postings, migrate_texts, migrate_version_meta,
migrate_analysed_mark, migrate_entity_hashes): each batch is its own transaction, so a
conversion killed midway keeps every finished batch and resumes after it."""

from __future__ import annotations

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

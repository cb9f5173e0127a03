"""Which statements a piece of code runs, and whether SQLite plans any of them as a full scan of
a big table.

The cache never runs ANALYZE, so SQLite plans a statement the same way on 1,000 items as on
1,000,000: a plan checked on a small cache holds at any size. `record_statements` collects the
SQL every `Store` connection runs while it is active (sqlite3's trace callback, parameters
inlined), so the check covers what the code really runs, not a hand-written copy of it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Tables that grow with the cache; a scan of a small one (sources, feeds, entities) is fine.
BIG_TABLES = ("entries", "entry_versions", "entry_entities", "dedup_keys", "articles")


@contextmanager
def record_statements() -> Iterator[list[str]]:
    """Every statement run on connections opened by `Store` meanwhile (any thread)."""
    from wirereader.store import db

    seen: list[str] = []
    lock = threading.Lock()
    original = db.sqlite3.connect

    def traced_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = original(*args, **kwargs)  # type: ignore[call-overload]

        def keep(statement: str) -> None:
            with lock:
                seen.append(statement)

        conn.set_trace_callback(keep)
        return conn

    db.sqlite3.connect = traced_connect  # type: ignore[assignment]
    try:
        yield seen
    finally:
        db.sqlite3.connect = original


def reads(statements: list[str]) -> list[str]:
    """The distinct SELECT statements among these (reads are what a view's speed depends on)."""
    out: dict[str, None] = {}
    for statement in statements:
        text = statement.strip()
        if text.upper().startswith(("SELECT", "WITH")) and "sqlite_master" not in text:
            out.setdefault(text, None)
    return list(out)


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


def full_scans(details: list[str]) -> list[str]:
    """The plan lines that read a big table row by row without an index."""
    bad = []
    for detail in details:
        words = detail.split()
        if len(words) < 2 or words[0] != "SCAN" or "INDEX" in detail:
            continue
        table = words[1]
        if table in BIG_TABLES or _alias_of_big_table(detail):
            bad.append(detail)
    return bad


def _alias_of_big_table(detail: str) -> bool:
    # "SCAN e" names the alias only; the reader's aliases for its big tables:
    return detail.split()[1] in ("e", "ee", "v", "x", "r")

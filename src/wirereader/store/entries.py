"""Statements on `entries` outside saving them (which is `Store.save_entries` in db.py)."""

from __future__ import annotations

import sqlite3


def mark_seen(conn: sqlite3.Connection, source_id: int | None, now: int) -> None:
    """Inside a transaction: every entry of the source was in the document fetched just now."""
    conn.execute(
        "UPDATE entries SET last_seen = ? WHERE source_id = ? AND last_seen < ?",
        (now, source_id, now),
    )

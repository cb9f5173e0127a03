"""Statements on the `feeds` table (subscriptions) that the front ends need directly."""

from __future__ import annotations

import sqlite3

from wirereader.store.db import Store


def feed_count(store: Store) -> int:
    """How many subscriptions the cache has (removed ones included); 0 for a cache made before
    subscriptions existed, which has no table for them."""
    try:
        row = store.conn.execute("SELECT count(*) FROM feeds").fetchone()
    except sqlite3.OperationalError:  # no subscriptions table in this cache
        return 0
    return int(row[0]) if row else 0

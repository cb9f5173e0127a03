"""Damage done to a cache file the way a failing disk does it, for the tests that must see it
refused or repaired."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path


def damage_a_leaf(path: Path) -> None:
    """Overwrite the second leaf page of `entries` with random bytes (the cache must be
    checkpointed: the page is written in the main file)."""
    with closing(sqlite3.connect(path)) as conn:
        leaf = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf'"
            " ORDER BY pageno LIMIT 1 OFFSET 1"
        ).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((leaf - 1) * size)
        handle.write(os.urandom(size))

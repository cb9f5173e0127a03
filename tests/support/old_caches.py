"""Caches as older versions of wirereader wrote them (frozen schema fixtures), and the searches
whose results a conversion must keep: words as prefixes, phrases whole, read straight from the
full-text index so no code of ours stands between the test and the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.paths import FIXTURES

SEARCHES = ["harbour", "ferries", "cafe", "café", "budget", "council budget", "crews", "levy"]
PHRASES = ["harbour reopened", "school funding"]


def old_cache(path: Path, fixture: str = "schema-v41.sql") -> Path:
    """A cache file at `path` holding what `fixture` (a frozen schema and its data) describes."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / fixture).read_text("utf-8"))
    conn.close()
    return path


def searched(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """The ids each search finds, straight from the index (words as prefixes, phrases whole)."""
    out = {}
    for words in SEARCHES:
        match = " AND ".join(f'"{w}"*' for w in words.split())
        out[words] = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid", (match,)
            )
        ]
    for phrase in PHRASES:
        out[phrase] = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid",
                (f'"{phrase}"',),
            )
        ]
    return out


def searched_file(path: Path) -> dict[str, list[int]]:
    conn = sqlite3.connect(path)
    try:
        return searched(conn)
    finally:
        conn.close()

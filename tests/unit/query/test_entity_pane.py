"""The entity pane of the unfiltered view and `wirereader entities`: entities most mentioned
first, the first ones read off `entities_by_count`, which holds only entities counted above
`INDEXED_ABOVE` (migration 0060), the rest sorted when a list reaches them. Every cut of the
list, of every kind, is the whole list sorted by count and name cut there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from wirereader.query import entities as entity_query
from wirereader.query.entities import entity_counts, entity_listing
from wirereader.query.timeline import Filter
from wirereader.store import plans
from wirereader.store.db import Store

KINDS = ("person", "place", "org")


def fill(store: Store) -> None:
    """Entities counted 0-6 of every kind, names shuffled against their ids (ties by name)."""
    with store.transaction() as conn:
        for i in range(60):
            name = f"N{(i * 37) % 60:02d}"
            conn.execute(
                "INSERT INTO entities (name, kind, count) VALUES (?, ?, ?)",
                (name, KINDS[i % 3], (i * 5) % 7 if i % 11 else 0),
            )


def expected(store: Store, kind: str | None, limit: int) -> list[tuple]:
    """The whole list, sorted by one query that no index serves, cut at `limit`."""
    rows = store.conn.execute(
        "SELECT id, name, kind, +count FROM entities WHERE +count > 0 AND (? IS NULL OR kind = ?)"
        " ORDER BY +count DESC, name",
        (kind, kind),
    ).fetchall()
    return [tuple(r) for r in (rows[:limit] if limit else rows)]


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_every_cut_of_the_list_is_the_whole_list_cut(db_path: Path, kind: str | None) -> None:
    with Store(db_path) as store:
        fill(store)
        whole = expected(store, kind, 0)
        assert any(r[3] > entity_query.INDEXED_ABOVE for r in whole)
        assert any(0 < r[3] <= entity_query.INDEXED_ABOVE for r in whole)
        for limit in range(len(whole) + 2):
            counts = entity_counts(store, Filter(), kind=kind, limit=limit)
            assert [(c.id, c.name, c.kind, c.count) for c in counts] == expected(store, kind, limit)
            listed = entity_listing(store, kind=kind, limit=limit, chunk=4)
            assert [(d["id"], d["name"], d["kind"], d["count"]) for d in listed] == expected(
                store, kind, limit
            )


def test_the_first_part_is_read_off_the_index(db_path: Path) -> None:
    with Store(db_path) as store:
        fill(store)
        with plans.record_statements() as seen, Store(db_path) as traced:
            entity_counts(traced, Filter(), limit=3)
        first = next(s for s in plans.reads(seen) if "FROM entities" in s)
        assert any("entities_by_count" in line for line in plans.plan(store.conn, first))


def test_a_cache_with_the_index_of_every_count_gets_the_smaller_one(db_path: Path) -> None:
    with Store(db_path) as store:
        fill(store)
        before = [expected(store, kind, 0) for kind in (None, *KINDS)]
    # As 0059 left it.
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX entities_by_count")
    conn.execute("CREATE INDEX entities_by_count ON entities (count DESC, name) WHERE count > 0")
    conn.execute("DELETE FROM schema_migrations WHERE version = 60")
    conn.execute("PRAGMA user_version = 59")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        sql = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'entities_by_count'"
        ).fetchone()[0]
        assert sql.endswith("WHERE count > 2")
        after = [
            [(c.id, c.name, c.kind, c.count) for c in entity_counts(store, Filter(), kind=kind)]
            for kind in (None, *KINDS)
        ]
        assert after == before

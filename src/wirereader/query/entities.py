"""People, places and organisations as both front ends list them: the reader's entity pane and
`wirereader entities`, most mentioned first."""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from wirereader.query.timeline import Filter, Query
from wirereader.store.db import Store


@dataclass(frozen=True)
class EntityCount:
    id: int
    name: str
    kind: str
    count: int  # items mentioning it (in the view, when a filter is given)


def entity_counts(
    store: Store, flt: Filter, *, kind: str | None = None, limit: int = 0
) -> list[EntityCount]:
    """Entities mentioned in the view, most items first (then by name); `limit` 0: all."""
    conn = store.conn
    bound = limit or -1  # SQLite: a negative LIMIT is no limit
    only_kind = " AND kind = ?" if kind else ""
    if flt.is_empty():
        rows = list(_most_mentioned(store, kind, limit))
    else:
        sub, params = Query(store, flt).id_subquery()
        rows = conn.execute(
            "SELECT en.id, en.name, en.kind, count(*) AS n FROM entry_entities ee"
            " JOIN entities en ON en.id = ee.entity_id"
            f" WHERE ee.entry_id IN ({sub}){only_kind.replace('kind', 'en.kind')}"
            " GROUP BY en.id ORDER BY n DESC, en.name LIMIT ?",
            [*params, *([kind] if kind else []), bound],
        ).fetchall()
    return [EntityCount(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def entity_aliases(store: Store, ids: list[int]) -> dict[int, list[str]]:
    """Every other spelling merged into each entity, alphabetical."""
    aliases: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows: Any = store.conn.execute(
            f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})"
            f" ORDER BY alias",
            chunk,
        )
        for entity_id, alias in rows:
            aliases.setdefault(entity_id, []).append(alias)
    return aliases


def entity_listing(
    store: Store, *, kind: str | None = None, limit: int = 0, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Every entity as the JSON contract has it (most mentioned first, with its other spellings),
    read from one cursor `chunk` rows at a time: the CLI prints each chunk before reading on."""
    rows = _most_mentioned(store, kind, limit)
    try:
        while part := list(itertools.islice(rows, chunk)):
            aliases = entity_aliases(store, [r[0] for r in part])
            for r in part:
                yield {
                    "id": r[0],
                    "name": r[1],
                    "kind": r[2],
                    "aliases": [a for a in aliases.get(r[0], []) if a != r[1]],
                    "count": r[3],
                }
    finally:
        rows.close()


# The entities index `entities_by_count` (migration 0060) holds counts above this only: most
# entities are named by one or two entries, and leaving them out of it saves the index's
# writes as they appear and grow (99 MB of WAL at 200,000 news-like entries).
INDEXED_ABOVE = 2


def _most_mentioned(store: Store, kind: str | None, limit: int) -> Generator[Any, None, None]:
    """(id, name, kind, count) of the mentioned entities (of one kind), most entries first, then
    by name; `limit` 0: all. Those counted above `INDEXED_ABOVE` come off the index in its
    order; the rest, which all rank after them, are sorted only when the limit reaches them
    (a small cache, or a listing of every entity)."""
    only_kind = " AND kind = ?" if kind else ""
    params = [kind] if kind else []
    left = limit or -1  # SQLite: a negative LIMIT is no limit
    for where in (f"count > {INDEXED_ABOVE}", f"count > 0 AND count <= {INDEXED_ABOVE}"):
        cursor = store.conn.execute(
            f"SELECT id, name, kind, count FROM entities WHERE {where}{only_kind}"
            " ORDER BY count DESC, name LIMIT ?",
            [*params, left],
        )
        try:
            for row in cursor:
                yield row
                left -= 1
                if left == 0:
                    return
        finally:
            cursor.close()


@dataclass(frozen=True)
class EntityWidths:
    """The widest values a listing can print, so a table can fix its columns before streaming."""

    largest_id: int
    largest_count: int
    longest_name: int


def entity_widths(store: Store) -> EntityWidths:
    row = store.conn.execute(
        "SELECT coalesce(max(id), 0), coalesce(max(count), 0),"
        " coalesce(max(length(name)), 0) FROM entities"
    ).fetchone()
    return EntityWidths(int(row[0]), int(row[1]), int(row[2]))

"""People, places and organisations as both front ends list them: the reader's entity pane and
`wirereader entities`, most mentioned first."""

from __future__ import annotations

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
        rows = conn.execute(
            f"SELECT id, name, kind, count FROM entities WHERE count > 0{only_kind}"
            " ORDER BY count DESC, name LIMIT ?",
            [*([kind] if kind else []), bound],
        ).fetchall()
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

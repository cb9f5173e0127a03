"""The side panes' data under the current filter: entity counts, threads, status counts.

Run in a worker thread with its own connection (the UI thread keeps the main one), so a slow
aggregate over 100,000 items never blocks a keystroke. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from wirereader.query.timeline import Filter, Query
from wirereader.store.db import Store


@dataclass(frozen=True)
class EntityCount:
    id: int
    name: str
    kind: str
    count: int


@dataclass(frozen=True)
class ThreadRow:
    id: int
    title: str
    first_at: int
    last_at: int
    size: int  # items in the thread overall
    matching: int  # items of the thread in the current view
    sources: int


@dataclass
class PaneData:
    entities: list[EntityCount]
    threads: list[ThreadRow]
    generation: int = 0


def open_reader(path: Path) -> Store:
    """A second connection for background reads (WAL: readers never block the writer)."""
    return Store(path)


def entity_counts(store: Store, flt: Filter, limit: int = 150) -> list[EntityCount]:
    conn = store.conn
    if _no_entry_filter(flt):
        rows = conn.execute(
            "SELECT id, name, kind, count FROM entities WHERE count > 0"
            " ORDER BY count DESC, name LIMIT ?",
            (limit,),
        ).fetchall()
    else:
        sub, params = Query(store, flt).id_subquery()
        rows = conn.execute(
            "SELECT en.id, en.name, en.kind, count(*) AS n FROM entry_entities ee"
            " JOIN entities en ON en.id = ee.entity_id"
            f" WHERE ee.entry_id IN ({sub}) GROUP BY en.id ORDER BY n DESC, en.name LIMIT ?",
            [*params, limit],
        ).fetchall()
    return [EntityCount(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def thread_rows(store: Store, flt: Filter, limit: int = 100) -> list[ThreadRow]:
    """Threads with items in the view, latest update first. The thread filter itself is left
    out, so the list still offers the other threads while one is selected."""
    view = replace(flt, thread_id=None)
    if view.is_empty():
        # Nothing filters: the threads table has it all, no scan of the entries.
        rows = store.conn.execute(
            "SELECT t.id, t.title, t.first_at, t.last_at, t.size, t.size,"
            " (SELECT count(DISTINCT e.source_id) FROM entries e WHERE e.thread_id = t.id)"
            " FROM threads t WHERE t.size > 0 ORDER BY t.last_at DESC, t.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [ThreadRow(*(r[0], str(r[1]), *r[2:])) for r in rows]
    sub, params = Query(store, view).id_subquery()
    rows = store.conn.execute(
        "SELECT t.id, t.title, t.first_at, t.last_at, t.size, count(*) AS n,"
        " count(DISTINCT e.source_id) AS src FROM entries e JOIN threads t ON t.id = e.thread_id"
        f" WHERE e.id IN ({sub}) GROUP BY t.id ORDER BY t.last_at DESC, t.id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [ThreadRow(*(r[0], str(r[1]), *r[2:])) for r in rows]


def unread_count(store: Store, flt: Filter) -> int:
    return Query(store, replace(flt, unread_only=True)).count()


def view_counts(store: Store, flt: Filter) -> tuple[int, int]:
    """(items, unread items) of the view. Apart from the panes: at a million items each count
    reads a whole index (about 0.3 s), and the panes must not wait for them."""
    return Query(store, flt).count(), unread_count(store, flt)


def gather(store: Store, flt: Filter, generation: int = 0) -> PaneData:
    """The entity and thread panes of the view (their counts are the view's own)."""
    return PaneData(entity_counts(store, flt), thread_rows(store, flt), generation)


def _no_entry_filter(flt: Filter) -> bool:
    return flt.is_empty()

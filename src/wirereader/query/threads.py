"""Story threads as both front ends list them: the reader's thread pane and `wirereader threads`.

One list (threads with an item in the view, latest update first) for the reader's pane, and the
whole listing as the JSON contract has it (`thread_listing`: each thread with its items, sources and
most-mentioned entities), read a chunk at a time for the CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wirereader.query.timeline import Filter, Query, iso_utc
from wirereader.store.db import Store

MAX_THREAD_ENTITIES = 10
# Newest threads a bounded list (the reader's pane) looks through for threads with an item in
# the view before it aggregates the whole view instead (thread_rows). 3,000 threads of ~12
# items cost ~10-15 ms of probes at 1M items; a rare word that finds fewer than a page in them
# pays that beside the aggregate (18 ms for `kakaka`).
WINDOW_THREADS = 3_000
# A thread's span as the lists show and order it: that of its items whose sources gave their
# time (`thread_state.dated_first/last`, kept by the analysis), the whole span when none did.
# An undated page first seen today must not stretch a story of March to today, nor lift it to
# the top of the pane (the analysis keeps the whole span for its own use).
_SPAN = (
    "coalesce((SELECT dated_first FROM thread_state WHERE thread_id = t.id), t.first_at)"
    " AS first_at, coalesce((SELECT dated_last FROM thread_state WHERE thread_id = t.id),"
    " t.last_at) AS last_at"
)
# A thread none of whose items' sources gave a time: its span is made of stand-ins (first-seen
# times, a feed's oldest date), which the lists mark as a guess as they mark such an item's time.
# A thread with no state row is taken as dated (its stored span is shown unmarked, as before).
_GUESSED = "EXISTS (SELECT 1 FROM thread_state WHERE thread_id = t.id AND dated_last IS NULL)"
# The newest N threads by that span without sorting them all (20 ms at 83,000 threads; 0.3 ms
# by the index on `last_at`): a thread's dated last time is never after its `last_at`, so the
# N newest by `last_at` bound the N-th newest by the span, and every thread that may be among
# them has a `last_at` at or after that bound. Parameters: min_size, N.
_AMONG_NEWEST = (
    " AND t.last_at >= (SELECT min(coalesce((SELECT dated_last FROM thread_state"
    " WHERE thread_id = b.id), b.last_at)) FROM (SELECT id, last_at FROM threads"
    " WHERE size >= ? ORDER BY last_at DESC LIMIT ?) b)"
)


@dataclass(frozen=True)
class ThreadRow:
    id: int
    title: str
    first_at: int
    last_at: int
    size: int  # items in the thread overall
    matching: int  # items of the thread in the current view
    sources: int
    guessed: bool = False  # no item's source gave its time: the span is a guess


def _thread_row(r: tuple[Any, ...]) -> ThreadRow:
    return ThreadRow(r[0], str(r[1]), r[2], r[3], r[4], r[5], r[6], bool(r[7]))


def thread_rows(store: Store, flt: Filter, *, min_size: int = 1, limit: int = 0) -> list[ThreadRow]:
    """Threads of `min_size` items or more with an item in the view, latest update first;
    `limit` 0 lists them all."""
    bound = limit or -1  # SQLite: a negative LIMIT is no limit
    if flt.is_empty():
        # Nothing filters: the threads table has it all, no scan of the entries.
        rows = store.conn.execute(
            f"SELECT t.id, t.title, {_SPAN}, t.size, t.size,"
            " (SELECT count(DISTINCT e.source_id) FROM entries e WHERE e.thread_id = t.id),"
            f" {_GUESSED} FROM threads t WHERE t.size >= ?{_AMONG_NEWEST if limit else ''}"
            " ORDER BY 4 DESC, t.id DESC LIMIT ?",
            (min_size, *((min_size, limit) if limit else ()), bound),
        ).fetchall()
        return [_thread_row(r) for r in rows]
    sub, params = Query(store, flt).id_subquery()
    if limit:
        # The newest threads first, each joined to its own items (`+x.id`: tested against the
        # view's set, built once, rather than the set driving a probe per thread). When they
        # hold a whole page, no older thread can be on it: 0.40 -> 0.16 s of CPU for the pane
        # of `harbour` at 1M items, 2.8 -> 0.4 s for the unread view; aggregating every item
        # of the view grouped by thread (below) is left to views that match few threads.
        rows = store.conn.execute(
            "SELECT t.id, t.title, t.first_at, t.last_at, t.size, count(*),"
            f" count(DISTINCT x.source_id), {_GUESSED} FROM (SELECT id, title, {_SPAN}, size"
            f" FROM threads t WHERE size >= ?{_AMONG_NEWEST} ORDER BY 4 DESC, id DESC LIMIT ?) t"
            f" CROSS JOIN entries x ON x.thread_id = t.id WHERE +x.id IN ({sub})"
            " GROUP BY t.id ORDER BY t.last_at DESC, t.id DESC LIMIT ?",
            [min_size, min_size, WINDOW_THREADS, WINDOW_THREADS, *params, limit],
        ).fetchall()
        if len(rows) == limit:
            return [_thread_row(r) for r in rows]
    rows = store.conn.execute(
        f"SELECT t.id, t.title, {_SPAN}, t.size, count(*) AS n,"
        f" count(DISTINCT e.source_id) AS src, {_GUESSED}"
        " FROM entries e JOIN threads t ON t.id = e.thread_id"
        f" WHERE e.id IN ({sub}) AND t.size >= ? GROUP BY t.id"
        " ORDER BY 4 DESC, t.id DESC LIMIT ?",
        [*params, min_size, bound],
    ).fetchall()
    return [_thread_row(r) for r in rows]


def thread_listing(
    store: Store, flt: Filter | None = None, *, min_size: int = 1, limit: int = 0, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Threads as the JSON contract has them, newest activity first, read as they are printed.

    One cursor read `chunk` threads at a time, so the first line comes at once and memory stays
    flat at a million items. A filter selects the threads in SQL (the threads of the entries it
    matches), never by loading its matching entries: a broad filter matches most of them.

    With a filter, threads are walked newest first and each is kept when one of its items is in
    the view's set of ids (built once per statement; `+x.id` keeps SQLite from probing the
    thread's index once per matching id instead). Building the set of matching threads first
    held the first line of `threads harbour` at 1M items for 0.6 s of CPU (69,000 items looked
    up), now 0.09 s; a rare word's listing walks every thread (~0.25 s of CPU at 83,000)."""
    where, params = "t.size >= ?", [min_size]
    if flt is not None and not flt.is_empty():
        sub, sub_params = Query(store, flt).id_subquery()
        where += (
            f" AND EXISTS (SELECT 1 FROM entries x WHERE x.thread_id = t.id AND +x.id IN ({sub}))"
        )
        params += sub_params
    sql = f"SELECT t.id, t.title, {_SPAN}, t.size, {_GUESSED} FROM threads t WHERE {where}"
    if limit and (flt is None or flt.is_empty()):
        sql += _AMONG_NEWEST
        params += [min_size, int(limit)]
    sql += " ORDER BY 4 DESC, t.id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = store.conn.execute(sql, params)
    try:
        while rows := cursor.fetchmany(chunk):
            for t in rows:
                yield {
                    "id": t[0],
                    "title": t[1],
                    "entries": thread_items(store, t[0]),
                    "first": iso_utc(t[2]),
                    "last": iso_utc(t[3]),
                    "time_guessed": bool(t[5]),
                    "sources": thread_sources(store, t[0]),
                    "entities": thread_entities(store, t[0]),
                }
    finally:
        cursor.close()


def largest_thread_id(store: Store) -> int:
    """The widest id a listing can print (0 in a cache without threads)."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM threads").fetchone()[0])


def thread_items(store: Store, thread_id: int) -> list[int]:
    """The thread's items (not reposts), oldest first."""
    return _column(
        store,
        "SELECT id FROM entries WHERE thread_id = ? AND repost_of IS NULL"
        " ORDER BY published_at, id",
        (thread_id,),
    )


def thread_sources(store: Store, thread_id: int) -> list[str]:
    """The sources with an entry in the thread, in the order they joined it."""
    return _column(
        store,
        "SELECT s.name FROM entries e JOIN sources s ON s.id = e.source_id"
        " WHERE e.thread_id = ? GROUP BY s.id ORDER BY min(e.published_at), s.name",
        (thread_id,),
    )


def thread_entities(store: Store, thread_id: int, limit: int = MAX_THREAD_ENTITIES) -> list[str]:
    """The names its items mention most: by items, then by mentions."""
    return _column(
        store,
        "SELECT en.name FROM entries e JOIN entry_entities ee ON ee.entry_id = e.id"
        " JOIN entities en ON en.id = ee.entity_id WHERE e.thread_id = ?"
        " AND e.repost_of IS NULL GROUP BY en.id"
        " ORDER BY count(*) DESC, sum(ee.mentions) DESC, en.name LIMIT ?",
        (thread_id, limit),
    )


def thread_head(store: Store, thread_id: int) -> tuple[str, int] | None:
    """(title, size) of a thread; None for one that is gone."""
    row = store.conn.execute(
        "SELECT title, size FROM threads WHERE id = ?", (thread_id,)
    ).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def _column(store: Store, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """The first column of every row the query returns."""
    return [r[0] for r in store.conn.execute(sql, params)]

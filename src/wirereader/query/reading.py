"""Reading actions over a view: mark every unread item of a filter read, find the next unread.

They select through the timeline query (so they follow exactly the filter the reader shows) and
write through store.reading.
"""

from __future__ import annotations

from dataclasses import replace

from wirereader.query.timeline import EntryRow, Filter, Query
from wirereader.store.db import Store
from wirereader.store.reading import set_read


def mark_all_read(store: Store, flt: Filter) -> int:
    """Every unread item of a view (and its reposts) read, in one transaction."""
    sql, params = Query(store, replace(flt, unread_only=True)).id_subquery()
    ids = [int(r[0]) for r in store.conn.execute(sql, params)]
    changed = 0
    for start in range(0, len(ids), 400):  # stay under SQLite's bound-parameter limit
        changed += set_read(store, ids[start : start + 400], True)
    return changed


def next_unread(
    store: Store, flt: Filter, after: tuple[int, int] | None = None, *, wrap: bool = True
) -> EntryRow | None:
    """The first unread item of the view after the (published_at, id) key, newest first.

    With `wrap`, the search continues from the top when nothing unread is left below.
    """
    query = Query(store, replace(flt, unread_only=True))
    rows = query.page(1, after)
    if not rows and wrap and after is not None:
        rows = query.page(1)
    return rows[0] if rows else None

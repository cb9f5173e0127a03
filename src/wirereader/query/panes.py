"""The side panes' data under the current filter: entity counts, threads, status counts (the
lists come from query.entities and query.threads, which the CLI uses too).

Run in a worker thread with its own connection (the UI thread keeps the main one), so a slow
aggregate over 100,000 items never blocks a keystroke. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from wirereader.query.entities import EntityCount, entity_counts
from wirereader.query.reading import PendingMarks
from wirereader.query.threads import ThreadRow, thread_rows
from wirereader.query.timeline import Filter, Query
from wirereader.store.db import Store


@dataclass
class PaneData:
    entities: list[EntityCount]
    threads: list[ThreadRow]
    generation: int = 0


def open_reader(path: Path) -> Store:
    """A second connection for background reads (WAL: readers never block the writer)."""
    return Store(path)


def unread_count(store: Store, flt: Filter) -> int:
    return Query(store, replace(flt, unread_only=True)).count()


def view_counts(store: Store, flt: Filter, pending: PendingMarks | None = None) -> tuple[int, int]:
    """(items, unread items) of the view, the unread as the reader shows them (with the marks
    `pending` still holds over the file's). Apart from the panes: at a million items each count
    reads a whole index (about 0.3 s), and the panes must not wait for them."""
    unread = unread_count(store, flt) if pending is None else pending.unread_count(store, flt)
    return Query(store, flt).count(), unread


def gather(store: Store, flt: Filter, generation: int = 0) -> PaneData:
    """The entity and thread panes of the view (their counts are the view's own)."""
    return PaneData(
        entity_counts(store, flt, limit=150),
        # The thread filter itself is left out, so the list still offers the other threads
        # while one is selected.
        thread_rows(store, replace(flt, thread_id=None), limit=100),
        generation,
    )

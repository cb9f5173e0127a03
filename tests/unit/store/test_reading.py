"""Reading state in the cache: read with reposts, unread, stars, next unread, mark all."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from wirereader.core.model import RawEntry
from wirereader.query.reading import PendingMarks, mark_all_read, next_unread
from wirereader.query.timeline import Filter, Query
from wirereader.store import reading
from wirereader.store.db import Store


def _fill(store: Store, n: int = 6) -> list[int]:
    source = store.ensure_source("reading-test", "file", name="invented")
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    entries = [
        RawEntry(title=f"Invented item {i}", body=f"Body {i}", published=start + timedelta(hours=i))
        for i in range(n)
    ]
    saved = store.save_entries(source, entries)
    return saved.new  # oldest first


def _read_flags(path: Path) -> dict[int, tuple[bool, bool]]:
    with sqlite3.connect(path) as conn:  # another connection: what is on disk now
        return {
            row[0]: (row[1] is not None, bool(row[2]))
            for row in conn.execute("SELECT id, read_at, starred FROM entries")
        }


def test_marking_an_item_read_marks_its_reposts(store: Store, db_path: Path) -> None:
    ids = _fill(store)
    item, repost_a, repost_b, other = ids[0], ids[1], ids[2], ids[3]
    with store.transaction() as conn:
        conn.execute(
            "UPDATE entries SET repost_of = ? WHERE id IN (?, ?)", (item, repost_a, repost_b)
        )
    assert reading.mark_read(store, item) == 3
    flags = _read_flags(db_path)
    assert flags[item][0] and flags[repost_a][0] and flags[repost_b][0]
    assert not flags[other][0]
    # Marking a repost read reaches its item and the item's other reposts.
    reading.mark_unread(store, item)
    assert not any(_read_flags(db_path)[i][0] for i in (item, repost_a, repost_b))
    reading.mark_read(store, repost_b)
    assert all(_read_flags(db_path)[i][0] for i in (item, repost_a, repost_b))
    assert reading.mark_read(store, item) == 0  # already read: nothing changes


def test_toggle_read_and_star(store: Store, db_path: Path) -> None:
    ids = _fill(store, 2)
    assert reading.toggle_read(store, ids[0]) is True
    assert reading.is_read(store, ids[0])
    assert reading.toggle_read(store, ids[0]) is False
    assert not reading.is_read(store, ids[0])
    assert reading.toggle_star(store, ids[1]) is True
    assert _read_flags(db_path)[ids[1]] == (False, True)
    assert reading.toggle_star(store, ids[1]) is False
    assert _read_flags(db_path)[ids[1]] == (False, False)


def test_next_unread_goes_down_then_wraps(store: Store) -> None:
    ids = _fill(store)  # oldest first; the view is newest first
    newest_first = list(reversed(ids))
    reading.set_read(store, newest_first[1:4])
    rows = {r.id: r for r in Query(store).all()}
    start = rows[newest_first[0]]
    found = next_unread(store, Filter(), (start.published_at, start.id))
    assert found is not None and found.id == newest_first[4]
    last = rows[newest_first[-1]]
    wrapped = next_unread(store, Filter(), (last.published_at, last.id))
    assert wrapped is not None and wrapped.id == newest_first[0]
    assert next_unread(store, Filter(), (last.published_at, last.id), wrap=False) is None
    reading.set_read(store, ids)
    assert next_unread(store, Filter()) is None


def test_mark_all_read_follows_the_filter(store: Store) -> None:
    ids = _fill(store)
    changed = mark_all_read(store, Filter(words=("3",)))
    assert changed == 1
    assert reading.is_read(store, ids[3])
    assert Query(store, Filter(unread_only=True)).count() == len(ids) - 1
    assert mark_all_read(store, Filter()) == len(ids) - 1
    assert Query(store, Filter(unread_only=True)).count() == 0


def test_marks_waiting_to_be_saved_are_counted_and_written_in_the_order_made(
    store: Store, db_path: Path
) -> None:
    """The reader keeps what the user marked until it can be written (a full disk). Its unread
    count is the file's with those marks over it, and the marks are written in the order they
    were made: an item marked unread and then taken by 'A' on its view is read, as the screen
    showed it (the views' marks were written first, so the item came back unread)."""
    ids = _fill(store)
    reading.set_read(store, [ids[0]], True)
    pending = PendingMarks()
    pending.set_read(ids[0], False)  # 'm' on a read item
    pending.set_read(ids[1], True)  # an item opened
    assert pending.unread_count(store, Filter()) == len(ids) - 1
    pending.mark_all_read(Filter(words=("0",)))  # 'A' on a view holding the first item
    assert pending.unread_count(store, Filter()) == len(ids) - 2
    assert pending.unread_count(store, Filter(words=("0",))) == 0
    assert pending.decided(store, ids)[0] == {ids[0]: True, ids[1]: True}
    pending.set_read(ids[2], True)
    pending.set_read(ids[2], False)  # ... and marked unread again
    assert pending.unread_count(store, Filter()) == len(ids) - 2
    assert pending.flush(store) == 4
    assert not len(pending)
    flags = _read_flags(db_path)
    assert [flags[i][0] for i in ids] == [True, True, False, False, False, False]
    assert Query(store, Filter(unread_only=True)).count() == pending.unread_count(store, Filter())

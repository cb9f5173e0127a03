"""The reader before a view is counted: pages are small here (PAGE=5), so the bundled samples
are a view longer than its first pages, as every big view is; the count runs in a worker and
nothing on the screen waits for it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from tests.support.tui import demo_store, make_app, settle
from wirereader.query.timeline import Filter, Query
from wirereader.tui.widgets import timeline as timeline_module


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline_module, "PAGE", 5)


def test_last_row_before_the_count_lands_there_once_counted(
    db_path: Path, small_pages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_store(db_path)
    total = Query(store, Filter()).count()
    assert total > 20
    counted_on: list[str] = []
    original = Query.count

    def count(self: Query) -> int:
        counted_on.append(threading.current_thread().name)
        return original(self)

    monkeypatch.setattr(Query, "count", count)

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.timeline.exact and app.timeline.total == total
            # The unread view is counted by the writer (item_totals): exact at once, before
            # any worker ran.
            await pilot.press("u")
            unread = original(Query(store, Filter(unread_only=True)))
            assert app.timeline.exact and app.timeline.total == unread
            await pilot.press("u")
            await settle(pilot)
            # A view nothing keeps counted: its count waits for typing to stop, so `G` comes
            # before it.
            await pilot.press("slash", *"the", "enter")
            await pilot.press("G")
            await settle(pilot)
            matching = original(Query(store, Filter(words=("the",))))
            assert matching > 10  # longer than two of these pages
            assert app.timeline.exact and app.timeline.total == matching
            assert app.timeline.cursor == matching - 1
            assert app.timeline.current is not None
            # A move after `G` wins over the count landing.
            await pilot.press("escape", "slash", *"the", "enter", "G", "g")
            await settle(pilot)
            assert app.timeline.cursor == 0

    with store:
        asyncio.run(go())
    # Every count ran in a worker, none on the screen's thread.
    assert counted_on and threading.main_thread().name not in counted_on

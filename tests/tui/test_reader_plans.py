"""Every query the reader runs is planned on an index, never as a scan of a big table.

The app is driven through the views a user opens (filter as you type, an entity, a thread,
unread and starred only, the last page, the next unread item, the detail pane), every statement
its connections run is recorded, and each read is explained on the same cache. The cache is
small, but SQLite plans without statistics here (wirereader never runs ANALYZE), so the plans
are those of a 1M-item cache: `python bench/tui_bench.py --plans 1m` prints them there.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.tui import TEST_PERSON, add_entity, add_thread, demo_store, make_app, settle
from wirereader.query.timeline import Query
from wirereader.store.plans import full_scans, plan, reads, record_statements


def test_every_query_of_the_reader_uses_an_index(db_path: Path) -> None:
    store = demo_store(db_path)
    add_entity(store, TEST_PERSON, "person", "Putin")
    add_thread(store, "Invented story headline", [r.id for r in Query(store).page(30)][5:9])

    async def session(seen: list[str]) -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            for keys in (
                ["slash", *"putin", "enter"],  # filter as you type
                ["escape"],
                ["e", "space"],  # an entity from the pane
                ["escape", "escape"],
                ["T", "home", "enter"],  # a thread
                ["escape"],
                ["u"],  # unread only
                ["u", "asterisk"],  # starred only
                ["asterisk", "G", "g", "j", "j", "enter"],  # the last page, the detail pane
                ["n", "m", "s"],  # next unread, read, star
            ):
                await pilot.press(*keys)
                await settle(pilot)

    with record_statements() as seen:
        store.conn.set_trace_callback(seen.append)
        asyncio.run(session(seen))
        store.conn.set_trace_callback(None)
    statements = reads(seen)
    assert len(statements) > 15  # the views above were really opened
    scans = {}
    for sql in statements:
        bad = full_scans(plan(store.conn, sql))
        if bad:
            scans[sql] = bad
    store.close()
    assert scans == {}

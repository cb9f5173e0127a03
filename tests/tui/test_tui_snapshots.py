"""Snapshot tests of the reader app on the bundled samples (pytest-textual-snapshot).

Deterministic: the samples carry fixed dates, times show in UTC, nothing shown is relative to
"now", and each snapshot waits for the background counts to finish. The analysis is left out
(its threads and entities are its own tests' business and may be tuned); invented entities and a
thread stand in for it, so the panes are filled. Update with
`pytest tests/tui/test_tui_snapshots.py --snapshot-update` after a deliberate change of look.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.support.tui import add_entity, add_thread, demo_store, make_app, settle
from wirereader.core.config import Config
from wirereader.core.model import RawEntry
from wirereader.query.timeline import Query


@pytest.fixture
def app(db_path: Path):
    store = demo_store(db_path, analysed=False)
    add_entity(store, "Testperson Putinski", "person", "Putin", count=40)
    add_entity(store, "Testperson Trumpet", "person", "Trump", count=30)
    add_entity(store, "Testplace Crimeaville", "place", "Crimea", count=20)
    add_entity(store, "Testorg Kremlinworks", "org", "Kremlin", count=10)
    ids = [r.id for r in Query(store).page(12)]
    add_thread(store, "Invented story: ceasefire week", [ids[i] for i in (0, 3, 6, 9)])
    add_thread(store, "Invented story: drones overnight", [ids[i] for i in (1, 5, 10)])
    yield make_app(store, Config(topics={"Ceasefire": "ceasefire", "Crimea": "crimea"}))
    store.close()


async def settled(pilot) -> None:
    await settle(pilot)
    await pilot.pause(0.1)  # past the reader's preview delay
    await settle(pilot)


def test_main_screen_120x40(app, snap_compare) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled)


def test_main_screen_80x24(app, snap_compare) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled)


def test_help_screen(app, snap_compare) -> None:
    async def open_help(pilot) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_help)


def test_reader_with_versions(app, snap_compare) -> None:
    store = app.store
    row = Query(store).page(3)[2]
    stable, source_id = store.conn.execute(
        "SELECT stable_id, source_id FROM entries WHERE id = ?", (row.id,)
    ).fetchone()
    store.save_entries(
        source_id,
        [
            RawEntry(
                title=row.title,
                body=row.body + "\n\nAn invented paragraph that a later version added.",
                stable_id=stable,
                author=row.author,
                published=datetime.fromisoformat(row.published) if row.published else None,
            )
        ],
        seen_at=1_745_850_000,  # fixed, so the version's time is the same on every run
    )

    async def read_third(pilot) -> None:
        await settled(pilot)
        await pilot.press("j", "j", "enter", "R")
        await settled(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=read_third)

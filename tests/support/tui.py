"""Helpers for the reader app tests: a demo cache, invented analysis rows, screen text."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timezone
from pathlib import Path

from textual.worker import WorkerCancelled

from wirereader.cli.app import load_samples
from wirereader.core.config import Config
from wirereader.store.db import Store
from wirereader.tui.app import WireReader

# Invented names: the analysis may add real entities to the demo cache; these never collide.
TEST_PERSON = "Testperson Putinski"
TEST_PLACE = "Testplace Crimeaville"


def demo_store(path: Path, *, analysed: bool = True) -> Store:
    store = Store(path)
    load_samples(store, analysed=analysed)
    return store


def make_app(store: Store, config: Config | None = None) -> WireReader:
    return WireReader(store, config or Config(), tz=timezone.utc)


def add_entity(store: Store, name: str, kind: str, word: str, count: int = 10_000) -> set[int]:
    """An entity mentioned by every item whose text has `word`, as the analysis would write it.
    `count` puts it at the top of the pane (the pane orders by count when nothing filters)."""
    ids = {
        int(r[0])
        for r in store.conn.execute(
            "SELECT id FROM entries JOIN entry_texts ON entry_id = id"
            " WHERE repost_of IS NULL AND (title LIKE ? OR wirereader_body(body) LIKE ?)",
            (f"%{word}%", f"%{word}%"),
        )
    }
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO entities (name, kind, count) VALUES (?, ?, ?)", (name, kind, count)
        )
        conn.executemany(
            "INSERT INTO entry_entities (entity_id, entry_id) VALUES (?, ?)",
            [(cur.lastrowid, i) for i in ids],
        )
    return ids


def add_thread(store: Store, title: str, entry_ids: list[int], last_at: int | None = None) -> int:
    """A thread as the analysis would write it; `last_at` far ahead puts it first in the pane
    even when the analysis made threads of its own."""
    with store.transaction() as conn:
        times = [
            conn.execute("SELECT published_at FROM entries WHERE id = ?", (i,)).fetchone()[0]
            for i in entry_ids
        ]
        cur = conn.execute(
            "INSERT INTO threads (title, first_at, last_at, size) VALUES (?, ?, ?, ?)",
            (title, min(times), last_at or max(times), len(entry_ids)),
        )
        conn.executemany(
            "UPDATE entries SET thread_id = ? WHERE id = ?", [(cur.lastrowid, i) for i in entry_ids]
        )
        return int(cur.lastrowid or 0)


def timeline_lines(app: WireReader) -> list[str]:
    """The timeline as the terminal shows it (the visible rows' text)."""
    timeline = app.timeline
    height = timeline.scrollable_content_region.height
    return [timeline.render_line(y).text for y in range(height)]


def reader_timeline(db_path: Path, size: tuple[int, int] = (120, 30)) -> list[str]:
    """The reader opened on the cache at `db_path`: its timeline's visible rows, once settled."""
    with Store(db_path) as store:

        async def go() -> list[str]:
            app = make_app(store)
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                return timeline_lines(app)

        return asyncio.run(go())


def reader_text(app: WireReader) -> str:
    return app.reader.rendered.plain


async def settle(pilot) -> None:
    """Let workers (counts, panes) finish and the screen catch up.

    A worker replaced by a newer one of its exclusive group (a tick starting the article fetch
    again) ends cancelled: that is settled too, not a failure, so each is awaited on its own
    (`wait_for_complete` gathers them and raises the first cancellation).
    """
    await pilot.pause()
    while running := [w for w in pilot.app.workers if not w.is_finished]:
        for worker in running:
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
    await pilot.pause(0.05)


async def until(pilot, condition, what: str, limit: float = 60.0) -> None:
    """Pause until `condition()` holds; the limit only ends a hung test, it measures nothing."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.05)

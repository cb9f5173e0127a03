"""The reader open on a cache while another process writes into it: no 'database is locked',
and the new items appear (the cursor stays on what the user is reading)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.tui import demo_store, make_app, settle


def test_app_shows_items_another_process_fetched(db_path: Path, tmp_path: Path) -> None:
    store = demo_store(db_path)
    news = tmp_path / "news.jsonl"
    news.write_text(
        "".join(
            json.dumps(
                {"id": f"n{n}", "title": f"Harbour bulletin number {n}", "text": "Boats are out.",
                 "published": "2099-01-01T00:00:00Z" if n == 0 else "2025-04-28T20:00:00+00:00"}
            ) + "\n"
            for n in range(3)
        )
    )  # fmt: skip

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            before = app.timeline.total
            await pilot.press("j", "j")
            reading = app.timeline.current.id
            notes_before = len(app._notifications)
            # Another process writes while the app is open and reading.
            proc = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "wirereader", "--db", str(db_path), "import", str(news)],
                capture_output=True,
                text=True,
                env={**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")},
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
            assert "locked" not in proc.stderr

            def landed() -> list[str]:
                notes = [n.message for n in list(app._notifications)[notes_before:]]
                return [m for m in notes if m.startswith("3 new items")]

            # A background count may show the rows before the watch announces them: wait for both.
            deadline = time.monotonic() + 15
            while not landed() and time.monotonic() < deadline:
                await pilot.pause(0.2)
            assert landed(), [n.message for n in app._notifications]
            assert app.timeline.total == before + 3
            assert app.timeline.current.id == reading  # new items landed without moving it

    try:
        asyncio.run(go())
    finally:
        store.close()

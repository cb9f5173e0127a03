"""Alerts in the open reader: its own refresh brings a matching item, and with no desktop
notification service the reader rings the bell and shows the alert; the alert command runs."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.tui import demo_store, make_app
from wirereader.core.config import Config, FeedConfig, TopicAlert


def test_a_refresh_in_the_reader_alerts(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)  # no desktop service: the reader shows it
    log = tmp_path / "alert.json"
    command = [sys.executable, "-c", f"import sys; open({str(log)!r}, 'w').write(sys.stdin.read())"]
    server = FeedServer()
    server.routes["/orchards.xml"] = Route(
        rss("Orchard Post", [
            {"guid": "o1", "title": "Orchard levy vote passes", "link": "http://x.invalid/o1",
             "description": "Growers voted.", "pubDate": "Mon, 28 Apr 2025 19:00:00 +0000"},
            {"guid": "o2", "title": "Cider festival dates", "link": "http://x.invalid/o2",
             "description": "In June.", "pubDate": "Mon, 28 Apr 2025 18:00:00 +0000"},
        ])
    )  # fmt: skip
    server.start()
    store = demo_store(db_path)
    cfg = Config(
        feeds=[FeedConfig(url=server.url("/orchards.xml"), name="orchards")],
        topics={"levy": "levy"},
        alerts={"levy": TopicAlert("levy", "levy", desktop=True, command=command)},
    )
    bells: list[bool] = []

    async def go() -> None:
        app = make_app(store, cfg)
        app.bell = lambda: bells.append(True)  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("r")
            for _ in range(300):
                await pilot.pause(0.1)
                if server.hits("/orchards.xml") and not app.refreshing and bells:
                    break
            shown = [(n.title, n.message) for n in app._notifications]
            assert ("1 new item: levy", "Orchard levy vote passes (orchards)") in shown
            assert bells == [True]

    try:
        asyncio.run(go())
    finally:
        server.stop()
        store.close()
    sent = json.loads(log.read_text())
    assert [i["title"] for i in sent["items"]] == ["Orchard levy vote passes"]

"""Items a feed gives no time for, as a reader meets them: a blog's pages at its first fetch are
its backlog (they do not top the timeline), a page first seen later is new, and a guessed time
never stretches a dated thread's span. Real feeds served on 127.0.0.1, the real cache file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.tui import make_app, settle, timeline_lines
from wirereader.store.db import Store

STRIKE = [
    ("Ferry crews walk out over Harbour Line rosters", "29 Mar 2024 08:10"),
    ("Harbour Line ferry strike enters second day", "30 Mar 2024 09:20"),
    ("Harbour Line ferry strike ends after pay deal", "31 Mar 2024 17:45"),
]


def post(site: str, n: int, title: str, when: str) -> dict[str, str]:
    return {
        "guid": f"urn:{site}:{n}",
        "title": title,
        "link": f"http://{site}.invalid/{n}",
        "description": f"<p>{title}. Ferry crews of the Harbour Line stopped work over rosters;"
        " commuters crowded the Harbour Line buses while union and operator talked pay.</p>",
        "pubDate": f"Sun, {when}:00 +0000",
    }


def page(site: str, slug: str, title: str, text: str) -> dict[str, str]:
    return {
        "guid": f"urn:{site}:{slug}",
        "title": title,
        "link": f"http://{site}.invalid/{slug}",
        "description": f"<p>{text}</p>",
    }


def rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_undated_pages_are_a_backlog_at_first_fetch_and_news_later(
    cli, server: FeedServer, db_path: Path
) -> None:
    pages = [
        page("quay", "privacy", "Privacy Policy", "We keep no cookies and sell no addresses."),
        page("quay", "about", "About", "Quay Notes is written by a commuter on the Harbour Line."),
    ]
    posts = [post("quay", n, title, when) for n, (title, when) in enumerate(STRIKE)]
    server.routes["/quay.xml"] = Route(rss("Quay Notes", [*pages, *posts]))
    before = int(time.time())
    assert cli("add", server.url("/quay.xml")).code == 0

    # The first fetch: the pages take the oldest time the feed gave, flagged as a guess.
    oldest = int(datetime(2024, 3, 29, 8, 10, tzinfo=timezone.utc).timestamp())
    stored = dict(rows(db_path, "SELECT title, published_at FROM entries"))
    assert stored["Privacy Policy"] == stored["About"] == oldest
    listed = json.loads(cli("entries", "--json").out)
    assert [r["title"] for r in listed][:3] == [t for t, _ in reversed(STRIKE)]
    assert {r["title"] for r in listed if r["time_guessed"]} == {"Privacy Policy", "About"}
    assert all(r["published"].startswith("2024-03-") for r in listed)
    assert "Privacy Policy" not in cli("entries").out.splitlines()[1]

    # A later fetch: an undated page newly seen is news, dated when it was first seen.
    news = page("quay", "moved", "Quay Notes has moved", "New posts are at quay.example now.")
    server.routes["/quay.xml"] = Route(rss("Quay Notes", [news, *pages, *posts]))
    assert cli("fetch").code == 0
    stored = dict(rows(db_path, "SELECT title, published_at FROM entries"))
    assert stored["Quay Notes has moved"] >= before
    assert stored["Privacy Policy"] == oldest  # kept
    listed = json.loads(cli("entries", "--json").out)
    assert listed[0]["title"] == "Quay Notes has moved" and listed[0]["time_guessed"]

    # The reader's timeline: the new page first, then the posts newest first, the pages last.
    with Store(db_path) as store:

        async def go() -> list[str]:
            app = make_app(store)
            async with app.run_test(size=(120, 30)) as pilot:
                await settle(pilot)
                return timeline_lines(app)

        lines = [line for line in asyncio.run(go()) if line.strip()]
    # (Same-time items are newest id first: the pages, listed first by the feed, go under.)
    order = ["has moved", " Mar 31 ", " Mar 30 ", "Ferry crews", "~Mar 29", "Privacy Policy"]
    at = [next(i for i, line in enumerate(lines) if t in line) for t in order]
    assert at == sorted(at), lines

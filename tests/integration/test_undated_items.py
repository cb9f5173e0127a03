"""Items a feed gives no time for, as a reader meets them: a blog's pages at its first fetch are
its backlog (they do not top the timeline), a page first seen later is new, and a guessed time
never stretches a dated thread's span. Real feeds served on 127.0.0.1, the real cache file."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.tui import make_app, reader_text, reader_timeline, settle
from wirereader.store.db import Store
from wirereader.tui.widgets.threads import ThreadList

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
    # The table marks a guessed time as the reader does ('~'; it was blank): this year's with
    # its time, the year giving way to the mark, another year's as its day (the pages' 2024
    # stand-in showed '~03-29 08:10', read as this March's).
    table = {line.split("  ")[-1].strip(): line for line in cli("entries").out.splitlines()[1:]}
    moved = table["Quay Notes has moved"]
    assert re.search(r"\s~\d\d-\d\d \d\d:\d\d\s", moved), moved
    for title in ("Privacy Policy", "About"):
        assert re.search(r"\s~2024-03-29\s", table[title]), table[title]
    for title, _ in STRIKE:
        assert re.search(r"\s20\d\d-\d\d-\d\d \d\d:\d\d\s", table[title]), table[title]

    # The reader's timeline: the new page first, then the posts newest first, the pages last.
    lines = [line for line in reader_timeline(db_path) if line.strip()]
    # (Same-time items are newest id first: the pages, listed first by the feed, go under.)
    order = ["has moved", " Mar 31 ", " Mar 30 ", "Ferry crews", "~Mar 29", "Privacy Policy"]
    at = [next(i for i, line in enumerate(lines) if t in line) for t in order]
    assert at == sorted(at), lines


def test_a_guessed_time_does_not_stretch_a_dated_thread(
    cli, server: FeedServer, db_path: Path
) -> None:
    quay = [post("quay", n, title, when) for n, (title, when) in enumerate(STRIKE)]
    pier = [
        post("pier", n, title.replace("Harbour Line", "Harbour Line's"), when)
        for n, (title, when) in enumerate(STRIKE)
    ]
    server.routes["/quay.xml"] = Route(rss("Quay Notes", quay))
    server.routes["/pier.xml"] = Route(rss("Pier Post", pier))
    assert cli("add", server.url("/quay.xml")).code == 0
    assert cli("add", server.url("/pier.xml")).code == 0
    recap = _strike_recap()
    server.routes["/pier.xml"] = Route(rss("Pier Post", [recap, *pier]))
    assert cli("fetch").code == 0
    # The thread of the strike holds the recap (first seen today, its time a guess) ...
    (thread,) = {t for (t,) in rows(db_path, "SELECT thread_id FROM entries")}
    assert rows(db_path, "SELECT title FROM entries WHERE time_guessed = 1") == [(recap["title"],)]
    (last,) = rows(db_path, "SELECT last_at FROM threads")[0]
    assert last > time.time() - 3600  # (the analysis's own span takes it)
    # ... but its span is that of its dated items, in `threads`, `--json` and the pane.
    (listed,) = json.loads(cli("threads", "--json").out)
    assert (listed["id"], listed["first"], listed["last"]) == (
        thread,
        "2024-03-29T08:10:00+00:00",
        "2024-03-31T17:45:00+00:00",
    )
    assert len(listed["entries"]) == 4
    # A story of 2025 is newer: it comes first, in `threads` and in the reader's pane.
    hall = [
        {
            "guid": f"urn:hall:{n}",
            "title": title,
            "link": f"http://hall.invalid/{n}",
            "description": f"<p>{title}. The Riverside Library reading room reopens after the"
            " roof repairs, with longer opening hours on Saturdays.</p>",
            "pubDate": f"Mon, {when} 2025 10:00:00 +0000",
        }
        for n, (title, when) in enumerate(
            [
                ("Riverside Library reading room to reopen", "02 Jun"),
                ("Riverside Library reopens after roof repairs", "09 Jun"),
            ]
        )
    ]
    server.routes["/hall.xml"] = Route(rss("Town Hall", hall))
    assert cli("add", server.url("/hall.xml")).code == 0
    lines = cli("threads").out.splitlines()
    assert "2025-06-02 .. 2025-06-09" in lines[1] and "Riverside Library" in lines[1]
    assert "2024-03-29 .. 2024-03-31" in lines[2] and "Harbour Line" in lines[2]
    assert [t["id"] for t in json.loads(cli("threads", "--json").out)] == [thread + 1, thread]
    with Store(db_path) as store:

        async def go() -> list[str]:
            app = make_app(store)
            async with app.run_test(size=(120, 30)) as pilot:
                pane, lines = await _threads_pane(app, pilot)
                assert list(pane.rows) == [f"t{thread + 1}", f"t{thread}"]
                return lines

        pane = [line.strip() for line in asyncio.run(go()) if line.strip()]
    assert pane[0].startswith("Riverside Library") and pane[2].startswith("Harbour Line"), pane
    assert pane[1].startswith("2025-06-02 10:00–2025-06-09 10:00"), pane
    assert pane[3].startswith("2024-03-29 08:10–2024-03-31 17:45"), pane


def test_a_thread_of_undated_items_shows_its_span_as_a_guess(
    cli, server: FeedServer, db_path: Path
) -> None:
    # A blog's "Privacy Policy" page, given its feed's oldest date at the first fetch, is a
    # thread of its own whose span is that stand-in: `threads` showed "2024-03-29 08:10 ..
    # 08:10" and the pane "2024-03-29 08:10" as if the source had said so.
    privacy = page("quay", "privacy", "Privacy Policy", "We keep no cookies and sell no addresses.")
    posts = [post("quay", n, title, when) for n, (title, when) in enumerate(STRIKE)]
    server.routes["/quay.xml"] = Route(rss("Quay Notes", [privacy, *posts]))
    assert cli("add", server.url("/quay.xml")).code == 0
    listed = {t["title"]: t for t in json.loads(cli("threads", "--json").out)}
    policy = listed["Privacy Policy"]
    assert policy["time_guessed"] is True and policy["first"].startswith("2024-03-29T08:10")
    assert not any(t["time_guessed"] for title, t in listed.items() if title != "Privacy Policy")
    table = {line.split("  ")[-1].strip(): line for line in cli("threads").out.splitlines()[1:]}
    line = next(line for line in cli("threads").out.splitlines() if "Privacy Policy" in line)
    assert re.search(r"\s~2024-03-29\s+Privacy Policy", line), line
    assert not any("~" in row for row in table.values() if "Privacy" not in row), table
    with Store(db_path) as store:

        async def go() -> tuple[list[str], str]:
            app = make_app(store)
            async with app.run_test(size=(120, 30)) as pilot:
                pane, lines = await _threads_pane(app, pilot)
                (policy_id,) = [key for key, t in pane.rows.items() if t.title == "Privacy Policy"]
                pane.highlighted = pane.get_option_index(policy_id)
                await pilot.press("enter")
                await settle(pilot)
                return lines, reader_text(app)

        lines, reader = asyncio.run(go())
    pane = [line.strip() for line in lines if line.strip()]
    at = pane.index(next(line for line in pane if line.startswith("Privacy Policy")))
    assert pane[at + 1].startswith("~2024-03-29 08:10 · 1 item"), pane
    assert all(not line.startswith("~") for i, line in enumerate(pane) if i != at + 1), pane
    # The reader pane's line under the title marks it too, as `show` does.
    assert "Quay Notes · ~2024-03-29 08:10 (a guess)" in reader, reader


def _strike_recap() -> dict[str, str]:
    """The other feed's undated recap of the strike: a page with no time that is one story
    with the dated strike posts."""
    return page(
        "pier",
        "recap",
        "Harbour Line ferry strike: what the pay deal means",
        "Ferry crews of the Harbour Line stopped work over rosters; the pay deal ends the"
        " strike, and commuters leave the Harbour Line buses.",
    )


async def _threads_pane(app: Any, pilot: Any) -> tuple[ThreadList, list[str]]:
    """The reader's threads pane opened with 'T', and its lines as drawn."""
    await settle(pilot)
    await pilot.press("T")
    await settle(pilot)
    pane = app.query_one("#threads", ThreadList)
    height = pane.scrollable_content_region.height
    return pane, [pane.render_line(y).text for y in range(height)]


LIBRARY = [
    ("Riverside Library reopens after flood repairs", "2 Jun 2025 10:00"),
    ("Riverside Library flood repairs cost less than feared", "9 Jun 2025 10:00"),
]


@pytest.mark.parametrize("runs", ["one run", "a run each"])
def test_two_sites_undated_pages_never_thread_together_on_their_titles(
    cli, server: FeedServer, db_path: Path, runs: str
) -> None:
    # Two blogs' "Privacy Policy" pages carry no time: the same title is boilerplate, not a
    # story, and two guessed times say nothing of when either was written. They joined one
    # thread on their titles. An undated page beside a dated report of its story still joins.
    quay = [
        page("quay", "privacy", "Privacy Policy", "We keep no cookies and sell no addresses."),
        {"guid": "urn:quay:contact", "title": "Contact", "link": "http://quay.invalid/contact"},
        *[post("quay", n, title, when) for n, (title, when) in enumerate(STRIKE)],
    ]
    recap = _strike_recap()
    library = [
        {
            **post("pier", n, title, when),
            "description": f"<p>{title}. The Riverside Library reading rooms were flooded in"
            " spring; the council paid for new floors and shelving.</p>",
        }
        for n, (title, when) in enumerate(LIBRARY)
    ]
    pier = [
        page("pier", "privacy", "Privacy Policy", "This site sets one cookie to count visits."),
        {"guid": "urn:pier:contact", "title": "Contact", "link": "http://pier.invalid/contact"},
        recap,
        *library,
    ]
    if runs == "one run":  # both feeds' items analysed together, at one fetch
        server.routes["/quay.xml"] = Route(rss("Quay Notes", []))
        server.routes["/pier.xml"] = Route(rss("Pier Post", []))
        assert cli("add", server.url("/quay.xml")).code == 0
        assert cli("add", server.url("/pier.xml")).code == 0
        server.routes["/quay.xml"] = Route(rss("Quay Notes", quay))
        server.routes["/pier.xml"] = Route(rss("Pier Post", pier))
        assert cli("fetch").code == 0
    else:  # the second site's pages meet the first's threads as read back from the cache
        server.routes["/quay.xml"] = Route(rss("Quay Notes", quay))
        server.routes["/pier.xml"] = Route(rss("Pier Post", pier))
        assert cli("add", server.url("/quay.xml")).code == 0
        assert cli("add", server.url("/pier.xml")).code == 0
    threads = rows(
        db_path,
        "SELECT e.title, s.name, e.thread_id, e.time_guessed, e.repost_of FROM entries e"
        " JOIN sources s ON s.id = e.source_id",
    )
    # (Two pages of a title and no text were one item: the same title and text, a repost.)
    assert len(threads) == 10 and not any(r[4] for r in threads), threads
    contacts = {r[1]: r[2] for r in threads if r[0] == "Contact"}
    assert len(contacts) == 2 and contacts["Quay Notes"] != contacts["Pier Post"], threads
    policies = {r[1]: r[2] for r in threads if r[0] == "Privacy Policy"}
    assert set(policies) == {"Quay Notes", "Pier Post"} and all(
        r[3] for r in threads if r[0] == "Privacy Policy"
    )
    assert policies["Quay Notes"] != policies["Pier Post"], threads
    strike = {r[2] for r in threads if "Harbour Line" in r[0] or "Ferry crews" in r[0]}
    assert len(strike) == 1 and strike.isdisjoint(policies.values()), threads
    listed = [t for t in json.loads(cli("threads", "--json").out) if t["title"] == "Privacy Policy"]
    assert len(listed) == 2, listed

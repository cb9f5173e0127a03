"""A feed whose dates run ahead of the fetch, as a reader meets it: a server whose clock or time
zone is off dates every item ahead by one amount, and its items keep their order and spacing
with the newest at the fetch; one item dated ahead alone (an event's day, a mistyped year)
moves no other item. Real feeds served on 127.0.0.1, the real cache file."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.tui import reader_timeline

HOUR = 3600
STORY = [  # oldest first; each title's first words its own (the list cuts them)
    "Crews vote to strike over Harbour Line rosters",
    "Dawn strike stops Harbour Line ferries",
    "Buses crowded as Harbour Line ferries stay docked",
    "Operator offers Harbour Line talks on rosters",
    "Pay talks: union meets Harbour Line operator",
    "Strike ends after Harbour Line pay deal",
]


def item(n: int, title: str, when: float) -> dict[str, str]:
    return {
        "guid": f"urn:quay:{n}",
        "title": title,
        "link": f"http://quay.invalid/{n}",
        "description": f"<p>{title}. Commuters of the Harbour Line waited for news.</p>",
        "pubDate": format_datetime(datetime.fromtimestamp(when, timezone.utc)),
    }


def stored(db_path: Path) -> dict[str, tuple[int, int]]:
    with sqlite3.connect(db_path) as conn:
        return {
            t: (at, guessed)
            for t, at, guessed in conn.execute(
                "SELECT title, published_at, time_guessed FROM entries"
            )
        }


def test_a_feed_whose_clock_runs_ahead_keeps_its_order_below_the_fetch(
    cli, server: FeedServer, db_path: Path
) -> None:
    # Six posts ten hours apart, the newest an hour old, from a server three days ahead: the
    # three newest were beyond the two days a clock may be off, and every item was stored as
    # a guess at the fetch time (one time for all: their order lost, each marked '~').
    now = time.time()
    skew = 3 * 24 * HOUR
    real = [now - HOUR - 10 * HOUR * k for k in range(len(STORY))]  # newest first
    items = [
        item(k, title, at + skew)
        for k, (title, at) in enumerate(zip(STORY[::-1], real, strict=True))
    ]
    server.routes["/quay.xml"] = Route(rss("Quay Notes", items))
    before = int(time.time())
    assert cli("add", server.url("/quay.xml")).code == 0
    after = int(time.time())

    times = stored(db_path)
    newest = times[STORY[-1]][0]
    assert before <= newest <= after  # the newest at the fetch
    for k, title in enumerate(STORY[::-1]):
        assert times[title] == (newest - 10 * HOUR * k, 0)  # the spacing kept, no guess
    listed = json.loads(cli("entries", "--json").out)
    assert [r["title"] for r in listed] == STORY[::-1]
    assert not any(r["time_guessed"] for r in listed)
    assert "~" not in cli("entries").out
    # The reader's list: newest first, none marked a guess ('~').
    shown = reader_timeline(db_path)
    lines = [line for line in shown if any(t[:15] in line for t in STORY)]
    assert [next(t for t in STORY if t[:15] in line) for line in lines] == STORY[::-1], shown
    assert not any("~" in line for line in lines), lines


def test_one_item_dated_ahead_moves_no_other(cli, server: FeedServer, db_path: Path) -> None:
    now = time.time()
    real = [now - HOUR - 10 * HOUR * k for k in range(4)]
    items = [item(k, title, at) for k, (title, at) in enumerate(zip(STORY[:4], real, strict=True))]
    # An event's day a month ahead, and two more together three weeks ahead (a series of
    # events): apart from the feed's items by more than any gap between them.
    items.append(item(10, "Harbour Line regatta on the first of next month", now + 30 * 86400))
    items.append(item(11, "Harbour Line open day: the ferries' engine rooms", now + 21 * 86400))
    items.append(item(12, "Harbour Line open day: the new pier", now + 21 * 86400 - HOUR))
    server.routes["/quay.xml"] = Route(rss("Quay Notes", items))
    assert cli("add", server.url("/quay.xml")).code == 0

    times = stored(db_path)
    for title, at in zip(STORY[:4], real, strict=True):
        assert times[title] == (int(at), 0)  # as the feed gave them
    ahead = [t for t, (_, guessed) in times.items() if guessed]
    assert sorted(ahead) == sorted(i["title"] for i in items[4:])


def test_a_feed_whose_clock_runs_ahead_keeps_its_lead_at_later_fetches(
    cli, server: FeedServer, db_path: Path
) -> None:
    # The lead is read once: a later fetch whose newest item is another (a new post) or whose
    # items changed their text dates them by the same clock, and moves no stored time.
    now = time.time()
    skew = 4 * 24 * HOUR
    real = [now - HOUR - 10 * HOUR * k for k in range(5)]
    items = [
        item(k, title, at + skew) for k, (title, at) in enumerate(zip(STORY[:5], real, strict=True))
    ]
    server.routes["/quay.xml"] = Route(rss("Quay Notes", items))
    assert cli("add", server.url("/quay.xml")).code == 0
    first = stored(db_path)

    changed = dict(items[2], description="<p>Updated: the operator offered talks at noon.</p>")
    new = item(9, STORY[5], time.time() + skew)  # posted now, by the same clock
    server.routes["/quay.xml"] = Route(rss("Quay Notes", [new, *items[:2], changed, *items[3:]]))
    assert cli("fetch").code == 0
    later = stored(db_path)
    assert all(later[t] == first[t] for t in STORY[:5])  # the changed item's time kept
    # The new post on top, at the fetch (not ahead of it), dated by the feed: no guess. (The
    # first fetch put the feed's newest item at its own time, so two fetches within one second
    # give the new post that same second: it still lists on top, as the newer entry.)
    at, guessed = later[STORY[5]]
    assert first[STORY[0]][0] <= at <= time.time() and not guessed
    listed = json.loads(cli("entries", "--json").out)
    assert [r["title"] for r in listed] == [STORY[5], *STORY[:5]]

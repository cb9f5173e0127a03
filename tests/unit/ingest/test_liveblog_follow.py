"""A live blog followed through a feed item is re-read when its page changes, even while the feed
and the item stay the same: a real server on 127.0.0.1, a real cache file."""

from __future__ import annotations

from tests.support.feedserver import FeedServer, Route, liveblog_page, rss
from wirereader.core.config import Config
from wirereader.ingest.refresh import refresh
from wirereader.store.db import Store
from wirereader.store.subscriptions import subscribe

PAGE = "/news/live/count"
HTML = "text/html; charset=utf-8"


def feed_body(server: FeedServer, *, live: bool = True, extra: int = 0) -> bytes:
    items = [
        {"guid": f"urn:count:{n}", "title": f"Ward {n} declares", "link": f"http://x.invalid/{n}",
         "description": f"<p>Ward {n} has declared its result.</p>",
         "pubDate": "Thu, 07 May 2026 23:00:00 +0000"}
        for n in range(1, 2 + extra)
    ]  # fmt: skip
    if live:
        items.append(
            {
                "guid": "urn:count:live",
                "title": "Count night live",
                "link": server.url(PAGE),
                "description": "<p>Follow the count as it happens.</p>",
                "pubDate": "Thu, 07 May 2026 22:00:00 +0000",
            }
        )
    return rss("Election Desk", items)


def serve_page(server: FeedServer, updates: list[tuple[str, str, str]], version: int) -> None:
    server.routes[PAGE] = Route(
        liveblog_page("Count night live", updates), content_type=HTML, etag=f'"page-{version}"'
    )


def page_titles(store: Store) -> set[str]:
    rows = store.conn.execute(
        "SELECT e.title FROM entries e JOIN sources s ON s.id = e.source_id WHERE s.kind = 'page'"
    )
    return {r[0] for r in rows}


def test_an_update_added_to_the_page_is_read_while_the_feed_is_unchanged(
    server: FeedServer, store: Store
) -> None:
    updates = [("u1", "2026-05-07T22:05:00+01:00", "Ballot boxes arrive at the hall.")]
    serve_page(server, updates, 1)
    server.routes["/feed.xml"] = Route(feed_body(server), etag='"feed-1"')
    subscribe(store, server.url("/feed.xml"))
    cfg = Config(timeout=2.0)
    first = refresh(store, cfg)
    assert first.new == 2 and page_titles(store) == {"Ballot boxes arrive at the hall"}

    # The live blog gains an update; the feed answers 304: the page is asked all the same.
    updates.insert(0, ("u2", "2026-05-07T23:40:00+01:00", "Turnout in the north ward is 61%."))
    serve_page(server, updates, 2)
    second = refresh(store, cfg)
    assert server.hits("/feed.xml")[-1].headers["If-None-Match"] == '"feed-1"'
    assert second.results[0].status == "updated" and second.new == 1
    assert server.hits(PAGE)[-1].headers["If-None-Match"] == '"page-1"'
    assert "Turnout in the north ward is 61%" in page_titles(store)

    # Nothing changed anywhere: one 304 for the feed, one for the page, nothing saved.
    third = refresh(store, cfg)
    assert third.new == 0 and third.updated == 0
    assert server.hits(PAGE)[-1].headers["If-None-Match"] == '"page-2"'
    assert len(server.hits(PAGE)) == 3

    # The feed changes (another item) while the live item stays the same: the page is asked too.
    updates.insert(0, ("u3", "2026-05-08T00:15:00+01:00", "The first ward declares."))
    serve_page(server, updates, 3)
    server.routes["/feed.xml"] = Route(feed_body(server, extra=1), etag='"feed-2"')
    fourth = refresh(store, cfg)
    assert fourth.new == 2  # the new feed item and the new update
    assert "The first ward declares" in page_titles(store)

    # The live item leaves the feed: its page is no longer asked for.
    server.routes["/feed.xml"] = Route(feed_body(server, live=False, extra=1), etag='"feed-3"')
    refresh(store, cfg)
    asked = len(server.hits(PAGE))
    server.routes["/feed.xml"] = Route(feed_body(server, live=False, extra=1), etag='"feed-3"')
    refresh(store, cfg)
    assert len(server.hits(PAGE)) == asked == 4


def test_a_page_that_fails_on_a_recheck_loses_nothing(server: FeedServer, store: Store) -> None:
    serve_page(server, [("u1", "2026-05-07T22:05:00+01:00", "Boxes arrive.")], 1)
    server.routes["/feed.xml"] = Route(feed_body(server), etag='"feed-1"')
    subscribe(store, server.url("/feed.xml"))
    cfg = Config(timeout=2.0)
    refresh(store, cfg)
    server.routes[PAGE] = Route(b"<html><body>maintenance</body></html>", content_type=HTML)
    report = refresh(store, cfg)
    assert not report.failures
    assert any("live blog not re-read" in w for w in report.results[0].warnings)
    assert page_titles(store) == {"Boxes arrive"}
    # the old validators stay, so the page is read again once it is back
    serve_page(server, [("u2", "2026-05-07T23:00:00+01:00", "Counting starts."),
                        ("u1", "2026-05-07T22:05:00+01:00", "Boxes arrive.")], 2)  # fmt: skip
    assert refresh(store, cfg).new == 1
    assert server.hits(PAGE)[-1].headers["If-None-Match"] == '"page-1"'

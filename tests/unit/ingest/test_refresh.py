"""Refreshing subscriptions end to end: a real server on 127.0.0.1, a real cache file."""

from __future__ import annotations

import sqlite3
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer, Route, liveblog_page, rss
from wirereader.core.config import Config, FeedConfig
from wirereader.ingest.refresh import Progress, refresh
from wirereader.sources.fetch import Fetcher, FetchSettings
from wirereader.store.db import Store
from wirereader.store.subscriptions import (
    SubscriptionError,
    feed_by_url,
    list_feeds,
    remove,
    subscribe,
)


def config(**changes: object) -> Config:
    cfg = Config(timeout=2.0)
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


def item(n: int, text: str = "", **extra: str) -> dict[str, str]:
    return {
        "guid": f"urn:test:{n}",
        "title": f"Harbour report number {n}",
        "link": f"http://example.invalid/news/{n}",
        "description": text or f"<p>The harbour master said ferry {n} left on time.</p>",
        "pubDate": f"Mon, 02 Mar 2026 {8 + n % 10:02d}:00:00 +0000",
        **extra,
    }


def entry_rows(store: Store, source_id: int) -> list[tuple[str, str, str]]:
    rows = store.conn.execute(
        "SELECT stable_id, title, wirereader_body(body) AS body FROM entries"
        " JOIN entry_texts ON entry_id = id"
        " WHERE source_id = ? ORDER BY stable_id",
        (source_id,),
    )
    return [tuple(r) for r in rows]


def test_new_then_304_then_changes(server: FeedServer, store: Store) -> None:
    items = [item(1), item(2), item(3)]
    server.routes["/harbour.xml"] = Route(rss("Harbour News", items), etag='"a"')
    feed, created = subscribe(store, server.url("/harbour.xml"))
    assert created and feed.name == "127.0.0.1"  # until the first fetch tells us its title

    first = refresh(store, config())
    assert first.new == 3 and first.updated == 0 and not first.failures
    feed = list_feeds(store)[0]
    assert feed.name == "Harbour News" and feed.title == "Harbour News"
    assert feed.etag == '"a"' and feed.last_status == 200 and feed.last_new == 3
    assert feed.next_attempt and feed.next_attempt > time.time() + 800
    assert len(entry_rows(store, feed.source_id)) == 3

    second = refresh(store, config())
    assert second.results[0].status == "not-modified" and second.new == 0
    assert server.hits("/harbour.xml")[-1].headers["If-None-Match"] == '"a"'

    changed = [
        item(1, "<p>The harbour master said ferry 1 left <b>late</b>.</p>"),
        item(2),
        item(3),
        item(4),
    ]
    server.routes["/harbour.xml"] = Route(rss("Harbour News", changed), etag='"b"')
    third = refresh(store, config())
    assert third.new == 1 and third.updated == 1
    body = dict((r[0], r[2]) for r in entry_rows(store, feed.source_id))["urn:test:1"]
    assert body == "The harbour master said ferry 1 left late."
    versions = store.conn.execute(
        "SELECT COUNT(*) FROM entry_versions v JOIN entries e ON e.id = v.entry_id"
        " WHERE e.stable_id = 'urn:test:1'"
    ).fetchone()[0]
    assert versions == 2  # the old text is kept


def test_failure_is_recorded_others_go_on_and_nothing_is_lost(
    server: FeedServer, store: Store
) -> None:
    server.routes["/good.xml"] = Route(rss("Good", [item(1)]))
    server.routes["/flaky.xml"] = Route(rss("Flaky", [item(5), item(6)]))
    subscribe(store, server.url("/good.xml"))
    flaky, _ = subscribe(store, server.url("/flaky.xml"), name="flaky")
    assert refresh(store, config()).new == 3

    server.routes["/flaky.xml"] = Route(b"oops", status=500, content_type="text/plain")
    server.routes["/good.xml"] = Route(rss("Good", [item(1), item(2)]))
    cfg = config()
    report = refresh(store, cfg, fetcher=Fetcher(FetchSettings(retries=1, backoff=0.01)))
    assert report.new == 1
    [failure] = report.failures
    assert failure.name == "flaky" and "HTTP 500" in failure.error
    assert failure.error.startswith(server.url("/flaky.xml"))
    state = feed_by_url(store, server.url("/flaky.xml"))
    assert state is not None
    assert state.failures == 1 and "HTTP 500" in state.last_error and state.status() == "failing"
    assert state.next_attempt is not None and state.next_attempt > time.time() + 200
    assert len(entry_rows(store, flaky.source_id)) == 2  # cached entries untouched

    # Background refresh leaves the failing feed alone until its next attempt; `fetch` does not.
    assert [r.name for r in refresh(store, cfg, due_only=True).results] == []
    server.routes["/flaky.xml"] = Route(rss("Flaky", [item(5), item(6), item(7)]))
    again = refresh(store, cfg, ["flaky"])
    assert again.new == 1 and not again.failures
    state = feed_by_url(store, server.url("/flaky.xml"))
    assert state is not None and state.failures == 0 and state.last_error == ""
    assert state.last_error_at is not None  # when it last failed stays on record


def test_malformed_feed_and_html_page_are_one_line_errors(server: FeedServer, store: Store) -> None:
    server.routes["/cut.xml"] = Route(rss("Cut", [item(1), item(2)])[:-60])
    server.routes["/junk.xml"] = Route(b"not xml at all { ]")
    server.routes["/page.html"] = Route(
        b"<!DOCTYPE html><html><body><p>Just a page.</p></body></html>",
        content_type="text/html",
    )
    server.routes["/ok.xml"] = Route(rss("Fine", [item(1)]))
    for path in ("/cut.xml", "/junk.xml", "/page.html", "/ok.xml"):
        subscribe(store, server.url(path))
    report = refresh(store, config())
    errors = {r.url.rsplit("/", 1)[1]: r.error for r in report.failures}
    assert set(errors) == {"page.html", "junk.xml"}
    assert "an HTML page, not a feed" in errors["page.html"]
    assert "not XML" in errors["junk.xml"]
    for message in errors.values():
        assert "\n" not in message and "Traceback" not in message
    cut = next(r for r in report.results if r.url.endswith("/cut.xml"))
    # What it could read, it kept; the warning names the URL, as a failure does.
    assert any("cut off" in w and server.url("/cut.xml") in w for w in cut.warnings)
    assert report.new == 1 + len(cut.new)


def test_a_cut_off_feed_is_read_whole_next_time(server: FeedServer, store: Store) -> None:
    # Its validators were kept: the next refresh was a 304 (the ETag matched) and the items
    # after the cut were never read, until the feed changed.
    whole = rss("Cut", [item(1), item(2)])
    server.routes["/cut.xml"] = Route(whole[:-60], etag='"v1"')
    subscribe(store, server.url("/cut.xml"))
    first = refresh(store, config())
    assert first.new == 1 and not first.failures
    server.routes["/cut.xml"] = Route(whole, etag='"v1"')  # the same version, arriving whole
    second = refresh(store, config())
    assert second.new == 1 and not second.failures
    assert server.hits("/cut.xml")[-1].headers.get("If-None-Match") is None
    # The whole body's validators are kept as usual.
    third = refresh(store, config())
    assert third.new == 0 and server.hits("/cut.xml")[-1].headers.get("If-None-Match") == '"v1"'


def test_a_feed_cut_off_before_its_first_item_is_a_failure(
    server: FeedServer, store: Store
) -> None:
    body = rss("Cut", [item(1)])
    server.routes["/cut.xml"] = Route(body[: body.index(b"<item>") + 20])
    subscribe(store, server.url("/cut.xml"))
    report = refresh(store, config())
    [failure] = report.failures
    assert failure.error == (
        f"{server.url('/cut.xml')}: the document ends before its first complete item (cut off?)"
    )
    state = feed_by_url(store, server.url("/cut.xml"))
    assert state is not None and state.failures == 1


def test_permanent_redirect_moves_the_subscription(server: FeedServer, store: Store) -> None:
    server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"})
    server.routes["/new.xml"] = Route(rss("Moved", [item(1)]))
    feed, _ = subscribe(store, server.url("/old.xml"))
    report = refresh(store, config())
    assert report.new == 1 and report.results[0].moved_to == server.url("/new.xml")
    moved = list_feeds(store)[0]
    assert moved.url == server.url("/new.xml") and moved.source_id == feed.source_id
    refresh(store, config())
    assert len(server.hits("/old.xml")) == 1 and len(server.hits("/new.xml")) == 2


def test_temporary_redirect_keeps_the_url(server: FeedServer, store: Store) -> None:
    server.routes["/feed"] = Route(status=302, headers={"Location": "/today.xml"})
    server.routes["/today.xml"] = Route(rss("Today", [item(1)]))
    subscribe(store, server.url("/feed"))
    refresh(store, config())
    assert list_feeds(store)[0].url == server.url("/feed")


def test_retry_after_holds_the_feed_until_forced(server: FeedServer, store: Store) -> None:
    server.routes["/busy.xml"] = Route(b"", status=503, headers={"Retry-After": "7200"})
    subscribe(store, server.url("/busy.xml"), name="busy")
    first = refresh(store, config())
    assert "retry after 7200 s" in first.failures[0].error
    feed = list_feeds(store)[0]
    assert feed.hold_until is not None and feed.hold_until >= time.time() + 7000
    assert feed.status() == "failing"
    second = refresh(store, config())
    assert second.results[0].status == "skipped" and len(server.hits("/busy.xml")) == 1
    refresh(store, config(), force=True)
    assert len(server.hits("/busy.xml")) == 2


def _live_feed(server: FeedServer, description: str) -> bytes:
    return rss(
        "Coast Desk",
        [
            item(1),
            {
                "guid": "urn:test:live",
                "title": "Storm live: the coast braces",
                "link": server.url("/news/live/storm"),
                "description": description,
                "pubDate": "Mon, 02 Mar 2026 10:05:00 +0000",
            },
        ],
    )


def test_live_blog_item_becomes_entries_of_its_page(server: FeedServer, store: Store) -> None:
    updates = [
        ("p2", "2026-03-02T10:05:00+00:00", "Winds reached the pier. Boats stayed in port."),
        ("p1", "2026-03-02T09:00:00Z", "The first warnings went out. Schools closed early."),
    ]
    server.routes["/coast.xml"] = Route(_live_feed(server, "<p>Latest: winds at the pier</p>"))
    server.routes["/news/live/storm"] = Route(
        liveblog_page("Storm live: the coast braces", updates),
        content_type="text/html; charset=utf-8",
        etag='"page-1"',
    )
    feed, _ = subscribe(store, server.url("/coast.xml"))
    report = refresh(store, config())
    assert report.new == 3 and report.results[0].pages == 1
    # The container item is not an entry of the feed; its updates are entries of the page.
    assert [r[0] for r in entry_rows(store, feed.source_id)] == ["urn:test:1"]
    page_source = store.conn.execute(
        "SELECT id, kind, name, title FROM sources WHERE key = ?",
        (server.url("/news/live/storm"),),
    ).fetchone()
    assert page_source["kind"] == "page" and page_source["name"] == "Coast Desk"
    assert page_source["title"] == "Storm live: the coast braces"
    assert {r[2] for r in entry_rows(store, page_source["id"])} == {u[2] for u in updates}

    # Unchanged item: the page is only asked whether it changed (a 304), nothing is added.
    again = refresh(store, config())
    assert again.new == 0 and again.updated == 0
    assert server.hits("/news/live/storm")[-1].headers["If-None-Match"] == '"page-1"'
    assert len(server.hits("/news/live/storm")) == 2

    # The page gains an update and the item changes: only the new update is added.
    updates.insert(0, ("p3", "2026-03-02T11:30:00+01:00", "The pier reopened. Ferries resume."))
    server.routes["/news/live/storm"] = Route(
        liveblog_page("Storm live: the coast braces", updates),
        content_type="text/html; charset=utf-8",
        etag='"page-2"',
    )
    server.routes["/coast.xml"] = Route(_live_feed(server, "<p>Latest: the pier reopened</p>"))
    third = refresh(store, config())
    assert third.new == 1 and third.updated == 0
    assert server.hits("/news/live/storm")[-1].headers["If-None-Match"] == '"page-1"'
    newest = store.conn.execute(
        "SELECT wirereader_body(body) AS body, published FROM entries"
        " JOIN entry_texts ON entry_id = id"
        " WHERE source_id = ? AND stable_id LIKE '%p3'",
        (page_source["id"],),
    ).fetchone()
    assert newest["body"] == "The pier reopened. Ferries resume."
    assert newest["published"].startswith("2026-03-02T11:30:00+01:00")
    assert [r[0] for r in entry_rows(store, feed.source_id)] == ["urn:test:1"]


def test_live_blog_item_whose_page_fails_is_kept_as_an_item(
    server: FeedServer, store: Store
) -> None:
    server.routes["/coast.xml"] = Route(_live_feed(server, "<p>Latest: winds</p>"))
    server.routes["/news/live/storm"] = Route(
        b"<!DOCTYPE html><html><body><p>No JSON-LD here.</p></body></html>",
        content_type="text/html",
    )
    feed, _ = subscribe(store, server.url("/coast.xml"))
    report = refresh(store, config())
    assert report.new == 2 and not report.failures
    assert any("live blog kept as one item" in w for w in report.results[0].warnings)
    assert {r[0] for r in entry_rows(store, feed.source_id)} == {"urn:test:1", "urn:test:live"}


def test_a_feed_from_the_web_has_no_local_file_read_as_a_live_blog_page(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    """A served feed whose live-blog item links a file of this machine: the file was read as
    the item's page and its updates imported. The item is now kept as one item, its page
    "failed" in one line; a page on the web is still read."""
    page = tmp_path / "live" / "storm.html"
    page.parent.mkdir()
    page.write_bytes(liveblog_page("Storm live", [("p1", "2026-03-02T09:00:00Z", "Secret.")]))
    body = _live_feed(server, "<p>Latest: winds</p>").replace(
        server.url("/news/live/storm").encode(), page.as_uri().encode()
    )
    server.routes["/coast.xml"] = Route(body)
    feed, _ = subscribe(store, server.url("/coast.xml"))
    report = refresh(store, config())
    assert report.new == 2 and not report.failures
    assert report.results[0].pages == 0
    assert any(f"{page.as_uri()}: a local file" in w for w in report.results[0].warnings)
    assert {r[0] for r in entry_rows(store, feed.source_id)} == {"urn:test:1", "urn:test:live"}
    assert not store.conn.execute("SELECT 1 FROM sources WHERE kind = 'page'").fetchone()


def test_a_live_blog_page_can_be_subscribed_directly(server: FeedServer, store: Store) -> None:
    server.routes["/live/vote"] = Route(
        liveblog_page("Vote count live", [("a", "2026-03-02T21:00:00Z", "Polls closed.")]),
        content_type="text/html",
    )
    subscribe(store, server.url("/live/vote"))
    report = refresh(store, config())
    assert report.new == 1
    feed = list_feeds(store)[0]
    assert feed.format == "liveblog-html" and feed.name == "Vote count live"


def test_file_feeds_and_local_paths(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "local.xml"
    path.write_bytes(rss("Local", [item(1), item(2)]))
    subscribe(store, str(path))
    assert refresh(store, config()).new == 2
    assert refresh(store, config()).results[0].status == "not-modified"
    path.write_bytes(rss("Local", [item(1), item(2), item(3)]))
    assert refresh(store, config()).new == 1
    other = tmp_path / "other.xml"
    other.write_bytes(rss("Other", [item(9)]))
    subscribe(store, other.as_uri())
    assert refresh(store, config(), ["Other"]).new == 1
    assert feed_by_url(store, str(other.resolve())) is not None


def test_config_feeds_are_subscribed_and_removal_keeps_entries(
    server: FeedServer, store: Store
) -> None:
    server.routes["/cfg.xml"] = Route(rss("Configured", [item(1), item(2)]))
    cfg = config(feeds=[FeedConfig(url=server.url("/cfg.xml"), name="cfg", interval=300)])
    assert refresh(store, cfg).new == 2
    feed = list_feeds(store)[0]
    assert feed.name == "cfg" and feed.from_config and feed.interval == 300
    with pytest.raises(SubscriptionError, match="config file"):
        remove(store, feed)

    report = refresh(store, config(feeds=[]))
    assert report.results == [] and list_feeds(store) == []
    gone = list_feeds(store, include_removed=True)[0]
    assert gone.removed_at is not None
    assert len(entry_rows(store, feed.source_id)) == 2  # the entries stay

    assert refresh(store, cfg).results[0].status in ("not-modified", "unchanged")
    assert list_feeds(store)[0].id == feed.id  # back in the config, same feed


def test_removed_feed_keeps_entries_and_comes_back(server: FeedServer, store: Store) -> None:
    server.routes["/r.xml"] = Route(rss("Removable", [item(1)]))
    feed, _ = subscribe(store, server.url("/r.xml"))
    refresh(store, config())
    remove(store, list_feeds(store)[0])
    assert list_feeds(store) == [] and refresh(store, config()).results == []
    assert len(entry_rows(store, feed.source_id)) == 1
    again, created = subscribe(store, server.url("/r.xml"))
    assert created and again.id == feed.id and again.active


def test_unknown_feed_name_is_an_error(store: Store) -> None:
    with pytest.raises(SubscriptionError, match="no feed named"):
        refresh(store, config(), ["nothing-like-it"])


def test_progress_reports_every_feed(server: FeedServer, store: Store) -> None:
    for n in range(5):
        server.routes[f"/p{n}.xml"] = Route(rss(f"Paper {n}", [item(n)]))
        subscribe(store, server.url(f"/p{n}.xml"))
    server.routes["/p4.xml"] = Route(b"", status=404)
    seen: list[Progress] = []
    report = refresh(store, config(), progress=seen.append)
    assert [p.done for p in seen] == [0, 1, 2, 3, 4, 5, 5]
    assert all(p.total == 5 for p in seen) and seen[0].result is None
    assert seen[-1].analysing == 4 and seen[-1].result is None  # then the analysis of the 4
    assert sum(1 for p in seen if p.result and p.result.failed) == 1
    assert report.new == 4 and len(report.failures) == 1


def test_analysis_step_runs_after_saving_when_present(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def analyse_pending(s: Store) -> None:
        calls.append(s.conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    module = types.ModuleType("wirereader.analysis.pipeline")
    module.analyse_pending = analyse_pending  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wirereader.analysis.pipeline", module)
    import wirereader.analysis

    monkeypatch.setattr(wirereader.analysis, "pipeline", module, raising=False)
    server.routes["/a.xml"] = Route(rss("A", [item(1), item(2)]), etag='"x"')
    subscribe(store, server.url("/a.xml"))
    refresh(store, config())
    assert calls == [2]  # once, after the entries were saved
    refresh(store, config())  # 304: nothing new, nothing to analyse
    assert calls == [2]


def test_analysis_runs_while_later_feeds_are_fetched_and_items_show_before_it(
    server: FeedServer, store: Store, db_path: Path
) -> None:
    """A large refresh analyses whole batches as they are stored, between two feeds' saves,
    not once after the last feed: a reader (its own connection, as the TUI has) sees each
    feed's items as soon as they are stored, before they are analysed, and the cache is fully
    analysed when `refresh` returns."""
    from wirereader.analysis.pipeline import pending_count

    places = ["Ashgrove", "Bellmouth", "Corrin", "Dunmere", "Elstow", "Farrowby"]
    for f, place in enumerate(places):
        stories = [
            item(
                10 * f + n,
                f"<p>In {place} the council voted {n} times on the {place} bypass, and the"
                f" {place} rail depot plan number {n} went to a public inquiry.</p>",
                guid=f"urn:overlap:{f}:{n}",
            )
            for n in range(5)
        ]
        server.routes[f"/o{f}.xml"] = Route(rss(place, stories))
        subscribe(store, server.url(f"/o{f}.xml"))
    seen: list[tuple[int, int, int]] = []  # (feeds done, entries a reader sees, analysed)
    with Store(db_path) as reader:

        def watch(progress: Progress) -> None:
            if progress.result is None:
                return
            visible = reader.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            seen.append((progress.done, visible, visible - pending_count(reader)))

        report = refresh(store, config(), progress=watch, analysis_batch=5)
    assert report.new == 30 and not report.warnings
    assert [done for done, _, _ in seen] == [1, 2, 3, 4, 5, 6]
    # Each feed's entries are visible the moment its save is reported ...
    assert [visible for _, visible, _ in seen] == [5, 10, 15, 20, 25, 30]
    # ... before the analysis has reached them (the latest feed's are still pending) ...
    assert all(analysed < visible for _, visible, analysed in seen)
    # ... while the earlier feeds' were analysed before the last feed was fetched and stored.
    assert [analysed for _, _, analysed in seen[:-1]] == [0, 5, 10, 15, 20]
    assert pending_count(store) == 0
    threads = store.conn.execute("SELECT count(*) FROM entries WHERE thread_id IS NULL")
    assert threads.fetchone()[0] == 0


def test_a_large_refresh_sends_entries_to_the_analysis_worker_as_they_are_stored(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once half a batch is stored, each feed's new entries go to the analysis's worker
    (`Analysis.stored`) before the step that analyses them, so their fingerprints, names and
    terms are prepared while later feeds are fetched and saved. Their texts go as the save
    stored them, none read back from the cache."""
    from wirereader.analysis import pipeline
    from wirereader.analysis.pipeline import Analysis
    from wirereader.store import analysis as analysis_store

    events: list[tuple[str, int]] = []
    handed: list[tuple[int, str, str, str]] = []
    stored, step = Analysis.stored, Analysis.step

    def sent(self: Analysis, texts: list[tuple[int, str, str, str]]) -> None:
        events.append(("stored", len(texts)))
        handed.extend(texts)
        stored(self, texts)

    def read_back(*args: object) -> None:
        raise AssertionError("a text read back from the cache")

    def stepped(self: Analysis) -> int:
        events.append(("step", 0))
        return step(self)

    monkeypatch.setattr(Analysis, "stored", sent)
    monkeypatch.setattr(Analysis, "step", stepped)
    monkeypatch.setattr(pipeline.analysis_store, "texts_of", read_back)
    for f in range(4):
        stories = [item(10 * f + n, guid=f"urn:ahead:{f}:{n}") for n in range(5)]
        server.routes[f"/a{f}.xml"] = Route(rss(f"Ahead {f}", stories))
        subscribe(store, server.url(f"/a{f}.xml"))
    report = refresh(store, config(), analysis_batch=12)
    assert report.new == 20 and not report.warnings
    # The first feed's 5 entries wait for the second's (half a batch: 6), then each feed's go,
    # and the step after the third feed finds its batch sent.
    assert events == [("stored", 10), ("stored", 5), ("step", 0), ("stored", 5)]
    monkeypatch.undo()
    # What was handed over is what the cache holds, feed after feed, in the order saved.
    assert [r[0] for r in handed] == [i for r in report.results for i in r.new]
    assert handed == [tuple(r) for r in analysis_store.texts_of(store.conn, [r[0] for r in handed])]
    assert all(r.texts == [] for r in report.results)  # (not kept in the report)
    assert (
        store.conn.execute("SELECT count(*) FROM entries WHERE thread_id IS NULL").fetchone()[0]
        == 0
    )


@pytest.mark.parametrize("up_after", [3, None])
def test_the_analysis_s_worker_is_asked_for_once_the_parse_workers_are_up(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, up_after: int | None
) -> None:
    """While the parse workers are starting, the refresh saves the next feeds and hands
    nothing to the analysis (whose worker would wait for the same forkserver, in the writing
    thread), up to STEP_DEFERRED_UP_TO batches; once they are up, everything stored so far goes
    at once. Workers never up: the end of the run analyses every entry, as a small refresh's."""
    from wirereader.analysis.pipeline import Analysis
    from wirereader.ingest import parse_pool
    from wirereader.ingest import refresh as refresh_module

    events: list[tuple[str, int]] = []
    saved: list[int] = []
    stored, step, process_feed = Analysis.stored, Analysis.step, refresh_module.process_feed

    def sent(self: Analysis, texts: list[tuple[int, str, str, str]]) -> None:
        events.append(("stored", len(texts)))
        stored(self, texts)

    def stepped(self: Analysis) -> int:
        events.append(("step", 0))
        return step(self)

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = process_feed(*args, **kwargs)
        saved.append(result.feed_id)
        return result

    def starting(self: Any) -> bool:
        return up_after is None or len(saved) < up_after

    monkeypatch.setattr(Analysis, "stored", sent)
    monkeypatch.setattr(Analysis, "step", stepped)
    monkeypatch.setattr(refresh_module, "process_feed", counted)
    monkeypatch.setattr(parse_pool.ParsePool, "starting", property(starting))
    for f in range(4):
        stories = [item(10 * f + n, guid=f"urn:starting:{f}:{n}") for n in range(5)]
        server.routes[f"/s{f}.xml"] = Route(rss(f"Starting {f}", stories))
        subscribe(store, server.url(f"/s{f}.xml"))
    report = refresh(store, config(), analysis_batch=12)
    assert report.new == 20 and not report.warnings and len(saved) == 4
    if up_after is None:
        assert events == []  # (3 batches are 36 entries: never reached)
    else:
        # Held after the second feed (half a batch, but the workers not up), all 15 handed
        # over after the third, then its step; the fourth's as they come.
        assert events == [("stored", 15), ("step", 0), ("stored", 5)]
    unplaced = "SELECT count(*) FROM entries WHERE thread_id IS NULL"
    assert store.conn.execute(unplaced).fetchone()[0] == 0


@pytest.mark.parametrize("failing", ["stored", "step"])
def test_an_analysis_that_fails_mid_refresh_is_one_warning_and_the_entries_stay(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """Sending entries ahead or a step failing (a full disk, a broken worker) gives up the
    analysis's steps for the run with one warning line; every feed is still saved, and the end
    of the run analyses what is pending."""
    from wirereader.analysis.pipeline import Analysis

    def broken(self: Analysis, *args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Analysis, failing, broken)
    for f in range(4):
        stories = [item(10 * f + n, guid=f"urn:broken:{f}:{n}") for n in range(5)]
        server.routes[f"/b{f}.xml"] = Route(rss(f"Broken {f}", stories))
        subscribe(store, server.url(f"/b{f}.xml"))
    report = refresh(store, config(), analysis_batch=12)
    assert report.new == 20
    assert store.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 20
    assert report.warnings[0] == (
        "analysis of the new entries failed (OSError: [Errno 28] No space left on device)"
    )
    assert len(report.warnings) == 1 and "\n" not in report.warnings[0]
    unplaced = "SELECT count(*) FROM entries WHERE thread_id IS NULL"
    assert store.conn.execute(unplaced).fetchone()[0] == 0


def test_a_first_refresh_s_parse_workers_prepare_new_feeds_for_the_analysis(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds never parsed before: the parse workers also prepare their entries for the
    analysis, which gets them with the stored texts (not from its own worker); the feeds
    parsed in this process (before the workers are up) go to the analysis's worker. Every
    entry ends analysed; a second refresh of changed feeds prepares nothing in the parse
    workers (most of a known feed's entries are not new)."""
    from wirereader.analysis import pipeline
    from wirereader.ingest import parse_pool

    monkeypatch.setattr(parse_pool, "MIN_BYTES", 2000)  # the first feed or two inline
    monkeypatch.setattr(parse_pool, "START_IN_BACKGROUND", False)
    came: list[tuple[int, int]] = []  # (texts, of which prepared) per call
    stored = pipeline.Analysis.stored

    def counting(self: Any, texts: list[Any], prepared: Any = None) -> None:
        came.append((len(texts), len(prepared.texts) if prepared is not None else 0))
        stored(self, texts, prepared)

    monkeypatch.setattr(pipeline.Analysis, "stored", counting)
    count = 8
    for n in range(count):
        items = [item(100 * n + k) for k in range(12)]
        server.routes[f"/w{n}.xml"] = Route(rss(f"Wire {n}", items))
        subscribe(store, server.url(f"/w{n}.xml"))
    report = refresh(store, config(), analysis_batch=40)
    assert report.new == 12 * count and not report.warnings
    assert sum(p for _, p in came) > 0  # prepared by parse workers
    assert sum(t for t, _ in came) >= sum(p for _, p in came)
    assert (
        store.conn.execute("SELECT count(*) FROM entries WHERE thread_id IS NULL").fetchone()[0]
        == 0
    )
    assert pipeline.pending_count(store) == 0

    came.clear()
    for n in range(count):
        items = [item(100 * n + k) for k in range(12, 20)]
        server.routes[f"/w{n}.xml"] = Route(rss(f"Wire {n}", items))
    report = refresh(store, config(), analysis_batch=40)
    assert report.new == 8 * count and not report.warnings
    assert came and sum(p for _, p in came) == 0
    assert pipeline.pending_count(store) == 0


def test_a_parse_worker_s_prepared_entries_are_those_prepared_from_the_texts() -> None:
    """A parse worker prepares a document's entries with the content hashes it has already
    worked out (`prepare_packed`'s `text_hashes`): the same prints, weights and mentions,
    each with the same text hash, as preparing the texts alone (authors and none, names,
    repeated texts)."""
    import pickle

    from wirereader.analysis.prepare_pool import prepare_packed
    from wirereader.ingest.parse_pool import _parse

    items = [
        item(n, f"<p>Mayor Ann Lee of Northport said ferry {n % 3} left Kingsbridge.</p>")
        for n in range(12)
    ]
    items += [item(20, author="Bo Chan"), item(21, author="Bo Chan"), item(1)]
    document = _parse(rss("Harbour", items), "http://example.invalid/h.xml", "", None, True)
    rows = [(k, e.title, e.body, e.author) for k, e in enumerate(document.entries)]
    assert document.prepared is not None and len(rows) == len(items)
    made, alone = (
        pickle.loads(pickle.dumps(p)).unpack() for p in (document.prepared, prepare_packed(rows))
    )
    assert made.mentions == alone.mentions and made.prints == alone.prints
    assert {k: w.as_dict() for k, w in made.weights.items()} == {
        k: w.as_dict() for k, w in alone.weights.items()
    }
    assert any(ms for _, ms in made.mentions.values())


def test_many_feeds_parse_in_worker_processes(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirereader.ingest import parse_pool
    from wirereader.ingest.parse_pool import ParsePool

    in_workers: list[str] = []

    def counting(submit: Any) -> Any:
        def counting_submit(self, body, url, content_type, tz, **options):
            future = submit(self, body, url, content_type, tz, **options)
            if future is not None:
                in_workers.append(url)
            return future

        return counting_submit

    # (by this thread, or by a fetch thread as the body arrived)
    monkeypatch.setattr(ParsePool, "submit", counting(ParsePool.submit))
    monkeypatch.setattr(ParsePool, "submit_if_started", counting(ParsePool.submit_if_started))

    count = 8
    monkeypatch.setattr(parse_pool, "MIN_BYTES", 2000)  # the first feed or two inline
    monkeypatch.setattr(parse_pool, "START_IN_BACKGROUND", False)
    for n in range(count):
        server.routes[f"/w{n}.xml"] = Route(rss(f"Wire {n}", [item(n), item(n + 100)]))
        subscribe(store, server.url(f"/w{n}.xml"))
    server.routes["/w0.xml"] = Route(b"not xml at all { ]")
    seen: list[Progress] = []
    report = refresh(store, config(), progress=seen.append)
    assert report.new == 2 * (count - 1)
    [failure] = report.failures
    assert failure.url == server.url("/w0.xml") and "not XML" in failure.error
    assert [p.done for p in seen if not p.analysing] == list(range(count + 1))
    titles = {f.title for f in list_feeds(store)}
    assert {f"Wire {n}" for n in range(1, count)} <= titles
    assert 0 < len(in_workers) < count  # the first ones in this process, the rest in workers


def test_same_bytes_without_validators_are_not_parsed_again(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wirereader.ingest.refresh as refresh_module

    parsed: list[str] = []
    real_parse = refresh_module.parse_document

    def counting_parse(body: bytes, **kwargs):
        parsed.append(kwargs["url"])
        return real_parse(body, **kwargs)

    monkeypatch.setattr(refresh_module, "parse_document", counting_parse)
    server.routes["/plain.xml"] = Route(rss("No Validators", [item(1), item(2)]))
    subscribe(store, server.url("/plain.xml"))
    assert refresh(store, config()).new == 2 and len(parsed) == 1
    second = refresh(store, config())
    assert second.results[0].status == "unchanged" and len(parsed) == 1  # hashed, not parsed
    assert "If-None-Match" not in server.hits("/plain.xml")[-1].headers
    server.routes["/plain.xml"] = Route(rss("No Validators", [item(1), item(2), item(3)]))
    assert refresh(store, config()).new == 1 and len(parsed) == 2


def test_live_blog_page_that_failed_is_retried_with_the_same_feed(
    server: FeedServer, store: Store
) -> None:
    server.routes["/coast.xml"] = Route(_live_feed(server, "<p>Latest: winds</p>"))
    server.routes["/news/live/storm"] = Route(b"", status=503)
    subscribe(store, server.url("/coast.xml"))
    quick = Fetcher(FetchSettings(timeout=2.0, retries=0))
    first = refresh(store, config(), fetcher=quick)
    assert any("live blog kept as one item" in w for w in first.results[0].warnings)
    server.routes["/news/live/storm"] = Route(
        liveblog_page("Storm live", [("p1", "2026-03-02T09:00:00Z", "Warnings went out.")]),
        content_type="text/html",
    )
    second = refresh(store, config())
    assert second.new == 1 and second.results[0].pages == 1


def test_a_parser_bug_fails_one_feed_not_the_refresh(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wirereader.sources.feeds as feeds_module

    real_parse = feeds_module.parse_feed

    def fragile_parse(data: bytes, **kwargs):
        if b"Trap" in data:
            raise AttributeError("'NoneType' object has no attribute 'text'")
        return real_parse(data, **kwargs)

    monkeypatch.setattr(feeds_module, "parse_feed", fragile_parse)
    server.routes["/trap.xml"] = Route(rss("Trap", [item(1)]))
    server.routes["/fine.xml"] = Route(rss("Fine", [item(2)]))
    subscribe(store, server.url("/trap.xml"))
    subscribe(store, server.url("/fine.xml"))
    report = refresh(store, config())
    [failure] = report.failures
    assert failure.error == (
        f"{server.url('/trap.xml')}: cannot parse the feed "
        "(AttributeError: 'NoneType' object has no attribute 'text')"
    )
    assert report.new == 1


def test_304s_are_recorded_together_and_a_locked_cache_fails_them_clearly(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from wirereader.ingest import refresh as refresh_module

    for n in range(5):
        server.routes[f"/f{n}.xml"] = Route(rss(f"Feed {n}", [item(10 * n)]), etag=f'"{n}"')
        subscribe(store, server.url(f"/f{n}.xml"))
    assert refresh(store, config()).new == 5
    before = {f.id: f.last_attempt for f in list_feeds(store)}
    time.sleep(1.1)  # the state is kept in whole seconds
    second = refresh(store, config())
    assert {r.status for r in second.results} == {"not-modified"}
    for feed in list_feeds(store):  # each feed's state written, though not one by one
        assert feed.last_status == 304 and (feed.last_attempt or 0) > (before[feed.id] or 0)

    # Another process holds the write lock when the 304s are written: those feeds fail with a
    # line naming them, nothing is raised, and their stored state is untouched.
    monkeypatch.setattr(refresh_module, "RECORD_TOGETHER", 2)
    store.set_busy_timeout(50)
    blocker = sqlite3.connect(store.path)
    real_record = refresh_module.record_later
    calls = 0

    def locked_once(store_: Store, unchanged: list[refresh_module._Unchanged]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1 and unchanged:
            blocker.execute("BEGIN IMMEDIATE")
            try:
                real_record(store_, unchanged)
            finally:
                blocker.execute("ROLLBACK")
        else:
            real_record(store_, unchanged)

    monkeypatch.setattr(refresh_module, "record_later", locked_once)
    state = {f.id: f.last_attempt for f in list_feeds(store)}
    time.sleep(1.1)
    third = refresh(store, config())
    blocker.close()
    failed = [r for r in third.results if r.status == "failed"]
    assert len(failed) == 2 and len(third.results) == 5
    for result in failed:
        assert result.error.startswith(result.url) and "cannot save to the cache" in result.error
        assert "\n" not in result.error
    after = {f.id: f.last_attempt for f in list_feeds(store)}
    assert all(after[r.feed_id] == state[r.feed_id] for r in failed)
    assert all(after[r.feed_id] != state[r.feed_id] for r in third.results if r not in failed)


def test_fetch_at_a_terminal_analyses_while_it_fetches(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress bar's refresh (`wirereader fetch` at a terminal) analyses whole batches
    between the feeds' saves, as the plain one does, and says what it still analyses after the
    last feed; the cache is fully analysed when it returns."""
    from rich.progress import Progress, TaskID

    from wirereader.analysis import pipeline
    from wirereader.analysis.pipeline import pending_count
    from wirereader.cli import feeds as feeds_cli
    from wirereader.ingest import refresh as refresh_module

    for f in range(4):
        stories = [
            item(10 * f + n, f"<p>Desk {f} reports on the quay, number {n}.</p>") for n in range(5)
        ]
        server.routes[f"/t{f}.xml"] = Route(rss(f"Desk {f}", stories))
        subscribe(store, server.url(f"/t{f}.xml"))
    stored_at_step: list[int] = []
    step = pipeline.Analysis.step

    def recording_step(self: pipeline.Analysis) -> object:
        stored_at_step.append(store.conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        return step(self)

    monkeypatch.setattr(pipeline.Analysis, "step", recording_step)
    monkeypatch.setattr(refresh_module, "ANALYSIS_BATCH", 15)
    descriptions: list[str] = []
    update = Progress.update

    def recording_update(self: Progress, task: TaskID, **fields: Any) -> None:
        if "description" in fields:
            descriptions.append(str(fields["description"]))
        update(self, task, **fields)

    monkeypatch.setattr(Progress, "update", recording_update)
    report = feeds_cli._refresh_with_bar(store, config(), [], False, None)
    assert report.new == 20 and not report.warnings
    assert stored_at_step[0] == 15  # a whole batch, analysed before the last feed was stored
    assert pending_count(store) == 0
    assert any(d.startswith("analysing 5 entries") for d in descriptions), descriptions


def test_the_fetch_bar_shows_a_feed_name_as_text_never_as_markup(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rich.progress
    from rich.progress import TextColumn

    from wirereader.cli import feeds as feeds_cli

    server.routes["/m.xml"] = Route(rss("[bold red]Wire[/bold red]", [item(1)]))
    subscribe(store, server.url("/m.xml"))
    shown: list[str] = []
    real = rich.progress.Progress  # (what the bar is made of, imported as it starts)

    class Recording(real):  # type: ignore[misc,valid-type]
        def update(self, task: Any, **fields: Any) -> None:
            super().update(task, **fields)
            if "description" in fields:
                for column in self.columns:
                    if isinstance(column, TextColumn) and "description" in column.text_format:
                        shown.append(column.render(self.tasks[0]).plain)

    monkeypatch.setattr(rich.progress, "Progress", Recording)
    feeds_cli._refresh_with_bar(store, config(), [], False, None)
    assert "[bold red]Wire[/bold red]" in shown, shown


def test_feeds_parsed_at_the_same_moment_are_saved_together_each_whole(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds whose parsed documents wait together are saved in one transaction of a few; a
    group the cache refuses part way (a full disk) keeps nothing of any of its feeds, each
    failing with its own line, and nothing hides behind a 304 the next time."""
    import sqlite3
    from concurrent.futures import Future

    from wirereader.ingest import refresh as refresh_module
    from wirereader.ingest.parse_pool import ParsePool, _parse

    class Waiting(Future[Any]):
        """Parsed, but not done until asked for: the parsed feeds pile up and wait together."""

        def done(self) -> bool:
            return False

    def submit(
        self: ParsePool, body: bytes, url: str, content_type: str, tz: Any, **options: Any
    ) -> Future[Any]:
        future = Waiting()
        future.set_result(_parse(body, url, content_type, tz))
        return future

    monkeypatch.setattr(ParsePool, "submit", submit)
    monkeypatch.setattr(ParsePool, "result", staticmethod(lambda future: future.result()))
    monkeypatch.setattr(refresh_module, "SAVE_TOGETHER", 3)
    feeds = 12
    for n in range(feeds):
        items = [item(100 * n + k) for k in range(3)]
        server.routes[f"/g{n}.xml"] = Route(rss(f"Group {n}", items), etag=f'"g{n}"')
        subscribe(store, server.url(f"/g{n}.xml"))
    feeds_per_transaction: list[int] = []  # (each save reads its known entries once)

    def trace(sql: str) -> None:
        if sql.startswith("BEGIN"):
            feeds_per_transaction.append(0)
        elif sql.startswith("SELECT stable_id, id, content_hash FROM entries"):
            feeds_per_transaction[-1] += 1

    broken: list[str] = []  # the second feed of the first group of three fills the disk
    process_feed = refresh_module.process_feed

    def disk_fills(
        store_: Store, cfg: Config, fetcher: Any, feed: Any, *args: Any, **kw: Any
    ) -> Any:
        result = process_feed(store_, cfg, fetcher, feed, *args, **kw)
        if not broken and feeds_per_transaction[-1] == 2:
            broken.append(feed.url)
            raise sqlite3.OperationalError("database or disk is full")
        return result

    monkeypatch.setattr(refresh_module, "process_feed", disk_fills)
    store.conn.set_trace_callback(trace)
    report = refresh(store, config(), analyse=False)
    store.conn.set_trace_callback(None)
    saving = [n for n in feeds_per_transaction if n]
    failed = report.failures  # the whole group that failed (2 or 3 feeds, as they arrived)
    assert len(failed) in (2, 3) and broken[0] in {r.url for r in failed}
    # (the failed group stopped at two: a third feed of it was never tried)
    assert sum(saving) == feeds - (len(failed) - 2) and max(saving) == 3
    for result in failed:
        assert result.error == f"{result.url}: cannot save to the cache (database or disk is full)"
    stored = {r.url for r in report.results if r.status == "updated"}
    assert len(stored) == feeds - len(failed) and report.new == 3 * len(stored)
    for feed in list_feeds(store):
        rows = entry_rows(store, feed.source_id)
        assert len(rows) == (3 if feed.url in stored else 0), feed.url

    monkeypatch.setattr(refresh_module, "process_feed", process_feed)
    again = refresh(store, config(), analyse=False)
    assert again.new == 3 * len(failed) and not again.failures
    assert all(len(entry_rows(store, f.source_id)) == 3 for f in list_feeds(store))


def test_the_parse_pool_closes_when_an_interrupt_left_its_starter_unstarted() -> None:
    """Ctrl-C can land inside `submit` after the starter thread is made and before its start()
    returns; the refresh's `finally` then closes the pool, which must end cleanly (it raised
    "cannot join thread before it is started", an internal error on screen), and a starter that
    runs after all must shut the workers it made down itself."""
    import threading

    from wirereader.ingest.parse_pool import ParsePool

    pool = ParsePool()
    pool.enabled = True
    starter = threading.Thread(target=pool._start, name="parse-pool-start", daemon=True)
    pool._starter = starter  # made, never started: the state the interrupt leaves
    pool.close()
    starter.start()  # it runs late, after the close
    starter.join(timeout=60)
    assert not starter.is_alive()
    assert pool._pool is None  # it found the pool closed and shut its workers down


def test_a_live_blog_page_not_read_is_reported_without_its_password(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page fetched but not read is reported with its cause. A cause is a parser's message,
    # and a parser's unexpected exception is written out whole (dispatch._describe), so it may
    # quote a URL: its password is redacted as in a fetch error.
    from wirereader.ingest import refresh as refresh_module
    from wirereader.sources.dispatch import ParseFailure

    host = server.url("/").removeprefix("http://").rstrip("/")
    parse = refresh_module.parse_document

    def failing(body: bytes, *, url: str, **kwargs: Any) -> Any:
        if "/news/live/" in url:
            folder = url.rsplit("/", 1)[0]
            raise ParseFailure(f"cannot read the live-blog page (ValueError: bad base {folder})")
        return parse(body, url=url, **kwargs)

    monkeypatch.setattr(refresh_module, "parse_document", failing)
    # Two pages failing for one cause (one line for both), then a feed of one such page.
    for feed_path, numbers in (("/coast.xml", (1, 2)), ("/bay.xml", (3,))):
        lives = []
        for n in numbers:
            server.routes[f"/news/live/storm-{n}"] = Route(
                b"<html></html>", content_type="text/html"
            )
            link = f"http://desk:s3cret@{host}/news/live/storm-{n}"
            lives.append({**item(n), "guid": f"urn:test:live{n}", "link": link})
        server.routes[feed_path] = Route(rss("Coast Desk", lives))
        subscribe(store, server.url(feed_path))
        report = refresh(store, config())
        [result] = [r for r in report.results if r.url.endswith(feed_path)]
        [warning] = [w for w in result.warnings if "live blog" in w]
        assert ("2 live blogs" in warning) is (len(numbers) == 2), warning
        assert "s3cret" not in warning and "desk:***@" in warning, warning


def test_an_analysis_stopped_by_a_full_disk_says_so_as_every_command_does(
    server: FeedServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `add` on a full disk ended "analysis of the new entries failed (OperationalError:
    # database or disk is full)", the one line of a full disk that did not say what it meant.
    from wirereader.analysis import pipeline

    def full(*args: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    for step in ("stored", "step", "finish"):
        monkeypatch.setattr(pipeline.Analysis, step, full)
    monkeypatch.setattr(pipeline, "analyse_pending", full)
    server.routes["/full.xml"] = Route(rss("Full Disk", [item(1), item(2)]))
    subscribe(store, server.url("/full.xml"))
    report = refresh(store, config())
    assert report.new == 2
    assert report.warnings == [
        f"analysis of the new entries failed: {store.path}: the disk is full; nothing more could"
        " be written (what was saved is kept); it is tried again next time"
    ]

"""Full-text fetching against a real server on 127.0.0.1: a feed of teasers read offline after
the server is gone, versions, politeness (two per host, Retry-After), failures and retries."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.paths import ARTICLE_PAGES as PAGES
from tests.support.tui import settle
from wirereader.core.config import Config, FeedConfig
from wirereader.core.model import Link, RawEntry
from wirereader.ingest.articles import (
    decode_page,
    fetch_articles,
    settings_for,
    subscribed_sources,
)
from wirereader.ingest.refresh import RefreshReport, refresh
from wirereader.sources.fetch import Fetcher, Response
from wirereader.store import articles as state
from wirereader.store.db import Store
from wirereader.store.texts import body_of
from wirereader.store.versions import versions_of

HTML = "text/html; charset=utf-8"
FAST = replace(settings_for(None), backoff=0.01, timeout=2.0, deadline=5.0)
FULL_BODY = "\n\n".join(
    "The regatta committee published its full results this morning, with every crew's time "
    "and the order of finish in each of the seven classes raced over the weekend."
    for _ in range(4)
)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def html_route(body: bytes, **options: object) -> Route:
    return Route(body, content_type=HTML, **options)  # type: ignore[arg-type]


def article_page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>© Example</footer></body></html>"
    ).encode()


def filler(topic: str) -> str:
    return (
        f"The {topic} was discussed at length by the committee on Tuesday evening, and members "
        "agreed to publish a full report with costs and a timetable before the summer."
    )


def refresh_feed(
    store: Store, server: FeedServer, path: str = "/feed.xml", full_text: str = "auto"
) -> RefreshReport:
    """The feed refresh as the app runs it, for one subscribed feed."""
    cfg = Config(feeds=[FeedConfig(url=server.url(path), name="teasers", full_text=full_text)])
    report = refresh(store, cfg, fetcher=Fetcher(FAST))
    assert report.new or report.updated or report.results, report
    return report


def teaser_feed(server: FeedServer, corpus: Path) -> dict[str, str]:
    """A feed of teaser items (and one full-text item) whose links the server also serves."""
    server.routes["/news/bridge"] = Route(page("harbour-bridge.html"), content_type=HTML)
    server.routes["/news/ferry"] = Route(page("ferry-strike.html"), content_type=HTML)
    cork = (corpus / "liveblog-html" / "corkbeo.ie.level.html").read_bytes()
    server.routes["/news/cork"] = Route(cork, content_type=HTML)
    server.routes["/news/regatta"] = Route(
        article_page("Regatta", filler("regatta")), content_type=HTML
    )
    items = [
        {"guid": "bridge", "title": "Harbour bridge reopens", "link": server.url("/news/bridge"),
         "description": "The bridge reopened on Friday…"},
        {"guid": "ferry", "title": "Ferry strike ends", "link": server.url("/news/ferry"),
         "description": "Crews returned to work. Read more"},
        {"guid": "cork", "title": "Cork moves to Level 3", "link": server.url("/news/cork"),
         "description": "Live updates as the county adapts."},
        {"guid": "regatta", "title": "Regatta results", "link": server.url("/news/regatta"),
         "description": "".join(f"<p>{p}</p>" for p in FULL_BODY.split("\n\n"))},
    ]  # fmt: skip
    server.routes["/feed.xml"] = Route(rss("Teasers", items))
    return {
        "bridge": "The Lantern Street bridge over the harbour reopened to traffic",
        "ferry": "Crews on the island ferries returned to work on Monday",
        "cork": "Tonight at midnight Cork will be moved into Level 3",
    }


def entry_ids(store: Store) -> dict[str, int]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT stable_id, id FROM entries")}


def versions(store: Store, entry_id: int) -> list[tuple[str, str]]:
    return [(v.origin, v.body) for v in versions_of(store.conn, [entry_id])]


# -- the issue's end-to-end check ---------------------------------------------------------------


def test_feed_of_teasers_is_readable_offline(
    server: FeedServer, corpus: Path, db_path: Path, cli
) -> None:
    expected = teaser_feed(server, corpus)
    with Store(db_path) as store:
        refresh_feed(store, server)
        report = fetch_articles(store, settings=FAST)
        assert report.failed == []
        assert report.fetched == 3  # the three teasers; the full-text item is left alone
    assert server.hits("/news/regatta") == []
    server.stop()  # offline from here on

    with Store(db_path) as store:
        ids = entry_ids(store)
        for guid, sentence in expected.items():
            shown = state.article_state(store, ids[guid])
            assert shown is not None and shown.full, guid
            assert sentence in shown.body
            assert shown.marker == ""
            assert shown.url.endswith(f"/news/{guid}")
            assert shown.fetched_at is not None
            # the teaser is kept as the earlier version; the article is the current text
            (feed_origin, teaser), (article_origin, article) = versions(store, ids[guid])
            assert (feed_origin, article_origin) == ("feed", "article")
            assert sentence not in teaser and sentence in article
        regatta = state.article_state(store, ids["regatta"])
        assert regatta is not None and not regatta.full and regatta.status == "skipped"
        assert regatta.marker == ""  # the feed carries the whole text: nothing is missing

    # a fresh process, no network: entries and search serve the articles from the cache
    listed = {e["title"]: e for e in json.loads(cli("entries", "--json").out)}
    assert expected["bridge"] in listed["Harbour bridge reopens"]["body"]
    assert "relies on readers like you" not in listed["Harbour bridge reopens"]["body"]
    assert "Never miss the latest news by signing" not in listed["Cork moves to Level 3"]["body"]
    found = json.loads(cli("search", "harbourmaster", "--json").out)
    assert [e["title"] for e in found] == ["Harbour bridge reopens"]
    embedded = listed["Ferry strike ends"]
    assert "> — Island Ferries (@islandferries_ex), June 2, 2025" in embedded["body"]
    # `show` prints the article, and its versions say where the full text came from
    bridge_id = str(listed["Harbour bridge reopens"]["id"])
    shown = cli("show", bridge_id)
    assert shown.code == 0, shown.err
    assert expected["bridge"] in shown.out and "Teaser only" not in shown.out
    assert "full article from http://127.0.0.1:" in shown.out
    detail = json.loads(cli("show", bridge_id, "--json").out)
    assert detail["item"]["article"]["full"] is True
    assert [v["origin"] for v in detail["versions"]] == ["feed", "article"]
    # the analysis saw the article text: a name only the article mentions is an entity
    bridge_entities = listed["Harbour bridge reopens"]["entities"]
    assert "Ilse Brandvold" in bridge_entities, bridge_entities


def test_refetch_unchanged_stores_nothing_and_a_change_keeps_both(
    server: FeedServer, store: Store
) -> None:
    first = article_page("Quay", filler("quay wall"), filler("footbridge"))
    server.routes["/quay"] = Route(first, content_type=HTML, etag='"v1"')
    server.routes["/feed.xml"] = Route(
        rss("f", [{"guid": "q", "title": "Quay", "link": server.url("/quay"), "description": "…"}])
    )
    refresh_feed(store, server)
    assert fetch_articles(store, settings=FAST).fetched == 1
    entry_id = entry_ids(store)["q"]

    # the feed brings the same teaser: nothing is due
    refresh_feed(store, server)
    assert fetch_articles(store, settings=FAST).attempted == 0

    # the feed's teaser changes: the article is due again; the server says 304
    server.routes["/feed.xml"] = Route(
        rss("f", [{"guid": "q", "title": "Quay", "link": server.url("/quay"),
                   "description": "Updated teaser…"}])
    )  # fmt: skip
    refresh_feed(store, server)
    shown = state.article_state(store, entry_id)
    assert shown is not None and shown.full  # the last article still beats the new teaser
    report = fetch_articles(store, settings=FAST)
    assert (report.attempted, report.fetched, report.unchanged) == (1, 0, 1)
    assert server.hits("/quay")[-1].headers.get("If-None-Match") == '"v1"'
    origins = [origin for origin, _ in versions(store, entry_id)]
    assert origins == ["feed", "article", "feed"]  # no second copy of the same article
    body = body_of(store.conn, entry_id)
    assert "quay wall" in body  # the entry reads the article again, not the teaser

    # the page itself changes: a new version, the old one kept
    second = article_page("Quay", filler("quay wall"), filler("new crane"))
    server.routes["/quay"] = Route(second, content_type=HTML, etag='"v2"')
    server.routes["/feed.xml"] = Route(
        rss("f", [{"guid": "q", "title": "Quay", "link": server.url("/quay"),
                   "description": "Teaser, third edition…"}])
    )  # fmt: skip
    refresh_feed(store, server)
    assert fetch_articles(store, settings=FAST).fetched == 1
    article_bodies = [b for origin, b in versions(store, entry_id) if origin == "article"]
    assert len(article_bodies) == 2
    assert "footbridge" in article_bodies[0] and "new crane" in article_bodies[1]
    shown = state.article_state(store, entry_id)
    assert shown is not None and "new crane" in shown.body

    # the page changes while the feed does not: fetched again only when asked
    third = article_page("Quay", filler("quay wall"), filler("night ferry"))
    server.routes["/quay"] = Route(third, content_type=HTML, etag='"v3"')
    assert fetch_articles(store, settings=FAST).attempted == 0
    assert state.request_refetch(store, [entry_id, 999_999]) == 1
    assert fetch_articles(store, settings=FAST).fetched == 1
    assert len([o for o, _ in versions(store, entry_id) if o == "article"]) == 3


# -- politeness and limits ----------------------------------------------------------------------


def test_at_most_two_requests_at_a_time_per_host(server: FeedServer, store: Store) -> None:
    source_id = store.ensure_source("polite", "feed")
    entries = []
    for n in range(8):
        path = f"/slow/{n}"
        server.routes[path] = Route(
            article_page(f"Story {n}", filler(f"item {n}")), content_type=HTML, delay=0.2
        )
        host = "127.0.0.1" if n % 2 else "localhost"
        entries.append(RawEntry(title=f"Story {n}", body="…", url=server.url(path, host)))
    store.save_entries(source_id, entries)
    report = fetch_articles(store, Config(per_host=5))  # capped at two for article pages
    assert report.fetched == 8
    assert max(server.peak_per_host.values()) == 2
    assert server.peak_total > 2  # two hosts were fetched side by side


def test_retry_after_is_honoured_for_the_whole_host(server: FeedServer, store: Store) -> None:
    server.routes["/busy"] = Route(b"slow down", status=429, headers={"Retry-After": "600"})
    for n in range(3):
        server.routes[f"/later/{n}"] = Route(
            article_page("Later", filler("later")), content_type=HTML
        )
    source_id = store.ensure_source("busy", "feed")
    store.save_entries(
        source_id,
        [RawEntry(title="Busy", body="…", url=server.url("/busy"))]
        + [RawEntry(title=f"L{n}", body="…", url=server.url(f"/later/{n}")) for n in range(3)],
    )
    now = int(time.time())
    report = fetch_articles(store, settings=replace(FAST, per_host=1), now=now)
    assert len(report.failed) == 1 and "429" in report.failed[0][1]
    assert report.deferred == 3
    assert all(not server.hits(f"/later/{n}") for n in range(3))  # not asked while told to wait
    rows = store.conn.execute("SELECT status, next_attempt FROM articles").fetchall()
    assert all(r[0] == "failed" and r[1] >= now + 590 for r in rows)
    # not due before the delay; due after it
    assert fetch_articles(store, settings=FAST, now=now + 60).attempted == 0
    server.routes["/busy"] = Route(article_page("Busy", filler("busy")), content_type=HTML)
    later = fetch_articles(store, settings=FAST, now=now + 3600)
    assert (later.attempted, later.fetched) == (4, 4)


def test_failures_are_recorded_and_retried_with_backoff(
    server: FeedServer, store: Store, cli
) -> None:
    server.routes["/flaky"] = Route(b"oops", status=500, content_type="text/plain")
    server.routes["/huge"] = Route(b"<html><body><p>" + b"x" * 40_000 + b"</p></body></html>",
                                   content_type=HTML)  # fmt: skip
    server.routes["/stall"] = Route(article_page("Stall", filler("stall")), content_type=HTML,
                                    delay=3.0)  # fmt: skip
    server.routes["/pdf"] = Route(b"%PDF-1.4", content_type="application/pdf")
    source_id = store.ensure_source("bad", "feed")
    urls = {name: server.url(f"/{name}") for name in ("flaky", "huge", "stall", "pdf", "gone")}
    store.save_entries(source_id, [RawEntry(title=n, body="…", url=u) for n, u in urls.items()])
    settings = replace(FAST, max_bytes=10_000, timeout=0.5, deadline=1.0, retries=0)
    now = int(time.time())
    report = fetch_articles(store, settings=settings, now=now)
    assert report.fetched == 0 and len(report.failed) == 5
    for _entry_id, message in report.failed:
        assert "\n" not in message and message.startswith("http://127.0.0.1:")
    rows = {
        r["entry_id"]: r
        for r in store.conn.execute("SELECT entry_id, status, failures, next_attempt, last_error"
                                    " FROM articles")
    }  # fmt: skip
    by_name = {r["last_error"].split("/")[3].split(":")[0]: r for r in rows.values()}
    assert set(by_name) == set(urls)
    assert all(r["status"] == "failed" and r["failures"] == 1 for r in rows.values())
    assert "500" in by_name["flaky"]["last_error"]
    assert by_name["flaky"]["next_attempt"] == now + state.FIRST_RETRY
    assert by_name["gone"]["next_attempt"] == now + state.FIRST_RETRY * 16  # 404: later
    assert "not an HTML page" in by_name["pdf"]["last_error"]
    shown = state.article_state(store, by_name["flaky"]["entry_id"])
    assert shown is not None and not shown.full
    assert shown.marker.startswith("Teaser only: the full article could not be fetched")
    printed = cli("show", str(by_name["flaky"]["entry_id"]))
    assert "Teaser only: the full article could not be fetched" in printed.out

    # not due yet; then due, the server mended: the flaky one is stored, backoff grows for others
    assert fetch_articles(store, settings=settings, now=now + 60).attempted == 0
    server.routes["/flaky"] = Route(article_page("Flaky", filler("flaky")), content_type=HTML)
    report = fetch_articles(store, settings=settings, now=now + state.FIRST_RETRY)
    assert report.fetched == 1
    flaky = store.conn.execute(
        "SELECT status, failures FROM articles WHERE entry_id = ?", (by_name["flaky"]["entry_id"],)
    ).fetchone()
    assert tuple(flaky) == ("ok", 0)


def test_article_fetch_never_blocks_a_feed_refresh(server: FeedServer, db_path: Path) -> None:
    server.routes["/slow"] = Route(article_page("Slow", filler("slow")), content_type=HTML,
                                   delay=2.0)  # fmt: skip
    with Store(db_path) as store:
        source_id = store.ensure_source("slow", "feed")
        store.save_entries(source_id, [RawEntry(title="Slow", body="…", url=server.url("/slow"))])

    def background() -> None:
        with Store(db_path) as own:
            fetch_articles(own, settings=replace(FAST, timeout=10.0, deadline=20.0))

    worker = threading.Thread(target=background)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not server.hits("/slow") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.hits("/slow"), "the article fetch never started"
        with Store(db_path) as refresher:  # the feed refresh, while the page is on its way
            saved = refresher.save_entries(
                refresher.ensure_source("other", "feed"), [RawEntry(title="New", body="x")]
            )
        assert len(saved.new) == 1
        assert worker.is_alive()  # the refresh did not wait for the article
    finally:
        worker.join(timeout=15)
    with Store(db_path) as store:
        assert store.conn.execute("SELECT status FROM articles").fetchone()[0] == "ok"


def test_full_text_setting_per_feed(server: FeedServer, corpus: Path, store: Store) -> None:
    teaser_feed(server, corpus)
    # the setting recorded with the subscription is enough (no config at article time)
    refresh_feed(store, server, full_text="never")
    assert fetch_articles(store, settings=FAST).attempted == 0
    assert {r[0] for r in store.conn.execute("SELECT reason FROM articles")} == {"never"}
    assert not any(hit.path.startswith("/news/") for hit in server.requests)
    # switched to "always": every item with a link, the full-text one too
    feed_url = server.url("/feed.xml")
    always = Config(feeds=[FeedConfig(url=feed_url, name="teasers", full_text="always")])
    report = fetch_articles(store, always, settings=FAST)
    assert report.fetched == 4
    assert server.hits("/news/regatta")
    # and back to "auto": nothing new to do, what was fetched stays
    assert fetch_articles(store, settings=FAST).attempted == 0


def test_full_report_of_a_live_blog_post_becomes_its_own_entry(
    server: FeedServer, store: Store
) -> None:
    server.routes["/report"] = Route(
        article_page("Dam inquiry report", filler("dam inquiry"), filler("spillway")),
        content_type=HTML,
    )
    source_id = store.ensure_source("live", "page")
    post = RawEntry(
        title="Inquiry findings published",
        body="The inquiry has published its findings.",
        stable_id="post-1",
        links=[Link(url=server.url("/report"), title="Read the full report", rel="full-report")],
    )
    store.save_entries(source_id, [post])
    report = fetch_articles(store, settings=FAST)
    assert report.fetched == 1
    rows = store.conn.execute(
        "SELECT id, kind, title, wirereader_body(body) AS body, stable_id FROM entries"
        " JOIN entry_texts ON entry_id = id"
        " WHERE source_id = ? ORDER BY id",
        (source_id,),
    ).fetchall()
    assert len(rows) == 2
    assert rows[0]["body"] == "The inquiry has published its findings."  # the post is unchanged
    assert rows[1]["kind"] == "article" and rows[1]["title"] == "Dam inquiry report"
    assert "spillway" in rows[1]["body"]
    shown = state.article_state(store, rows[0]["id"])
    assert shown is not None and shown.report_entry == rows[1]["id"]


def test_cli_articles_fetches_and_reports(server: FeedServer, db_path: Path, cli) -> None:
    server.routes["/ok"] = Route(article_page("Fine", filler("fine")), content_type=HTML)
    with Store(db_path) as store:
        source_id = store.ensure_source("cli", "feed", name="cli")
        store.save_entries(
            source_id,
            [RawEntry(title="Fine", body="…", url=server.url("/ok")),
             RawEntry(title="Gone", body="…", url=server.url("/missing"))],
        )  # fmt: skip
    result = cli("articles")
    assert result.code == 1  # one failed
    assert "articles: 1 stored, 0 unchanged, 1 failed" in result.out
    assert "/missing: HTTP 404" in result.err and "Traceback" not in result.err
    status = json.loads(cli("articles", "--status", "--json").out)
    assert [(s["title"], s["status"], s["failures"]) for s in status] == [("Gone", "failed", 1)]
    again = cli("articles", "--json")
    assert json.loads(again.out)["attempted"] == 0  # the failure waits for its retry time


def test_cli_status_counts_items_not_yet_checked(db_path: Path, cli) -> None:
    """After a plain `fetch`, no item has been planned: `show` calls a teaser not fetched yet,
    so `articles --status` must not say every article is in the cache."""
    with Store(db_path) as store:
        source_id = store.ensure_source("plain", "feed", name="plain")
        store.save_entries(
            source_id, [RawEntry(title="Teaser", body="Short…", url="https://news.example/t")]
        )
    result = cli("articles", "--status")
    assert result.code == 0 and result.out == ""
    assert "1 item(s) not yet checked for a missing article" in result.err
    assert "every article wanted is in the cache" not in result.err


def test_reader_state_of_items_never_fetched(store: Store) -> None:
    source_id = store.ensure_source("offline", "feed")
    saved = store.save_entries(
        source_id,
        [RawEntry(title="Teaser", body="Short…", url="https://news.example/t", stable_id="t"),
         RawEntry(title="Full", body=FULL_BODY, url="https://news.example/f", stable_id="f"),
         RawEntry(title="Post", body="A post without a link.", stable_id="p")],
    )  # fmt: skip
    teaser, full, post = (state.article_state(store, i) for i in saved.new)
    assert teaser is not None and not teaser.full
    assert teaser.marker == "Teaser only: the full article has not been fetched yet"
    assert teaser.body == "Short…"
    assert full is not None and full.marker == "" and full.body == FULL_BODY
    assert post is not None and post.marker == ""
    assert state.article_state(store, 999_999) is None


def teasers_config(server: FeedServer, tmp_path: Path) -> Path:
    """A config subscribing to the server's teaser feed (`teaser_feed`)."""
    config = tmp_path / "config.toml"
    config.write_text(f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\nname = "teasers"\n')
    return config


def id_titled(cli, title: str) -> int:
    """The id of the cached entry with this title, as `entries --json` lists it."""
    return next(e["id"] for e in json.loads(cli("entries", "--json").out) if e["title"] == title)


def test_cli_fetch_with_articles_then_offline(
    server: FeedServer, corpus: Path, tmp_path: Path, cli
) -> None:
    expected = teaser_feed(server, corpus)
    config = teasers_config(server, tmp_path)
    fetched = cli("--config", str(config), "fetch", "--articles")
    assert fetched.code == 0, fetched.err
    assert "articles: 3 stored, 0 unchanged, 0 failed" in fetched.out
    as_json = cli("--config", str(config), "fetch", "--json", "--articles")
    json.loads(as_json.out)  # stdout stays one JSON document; the articles line goes to stderr
    assert "articles: 0 stored" in as_json.err
    server.stop()
    listed = {e["title"]: e["body"] for e in json.loads(cli("entries", "--json").out)}
    assert expected["bridge"] in listed["Harbour bridge reopens"]
    assert expected["ferry"] in listed["Ferry strike ends"]
    assert expected["cork"] in listed["Cork moves to Level 3"]
    # nothing missing any more: a second run has nothing to do, even offline
    again = cli("--config", str(config), "articles")
    assert again.code == 0 and "articles: 0 stored" in again.out
    # asked to fetch one again while offline: one clear failure, the article stays readable
    bridge_id = id_titled(cli, "Harbour bridge reopens")
    refetch = cli("--config", str(config), "articles", "--again", str(bridge_id))
    assert refetch.code == 1 and "connection refused" in refetch.err
    shown = cli("show", str(bridge_id))
    assert expected["bridge"] in shown.out and "Teaser only" not in shown.out


def test_cli_articles_again_fetches_only_the_pages_asked_for(
    server: FeedServer, corpus: Path, tmp_path: Path, cli
) -> None:
    expected = teaser_feed(server, corpus)
    config = teasers_config(server, tmp_path)
    assert cli("--config", str(config), "fetch").code == 0  # the feed only, no articles yet
    bridge_id = id_titled(cli, "Harbour bridge reopens")
    asked = cli("--config", str(config), "articles", "--again", str(bridge_id), "--json")
    assert asked.code == 0, asked.err
    report = json.loads(asked.out)
    # the one page asked for, not the two other teasers' pages that are also due
    assert (report["attempted"], report["stored"], report["missing"]) == (1, 1, 2)
    assert len(server.hits("/news/bridge")) == 1
    assert not server.hits("/news/ferry") and not server.hits("/news/cork")
    assert expected["bridge"] in cli("show", str(bridge_id)).out
    # the others are still fetched by a plain run
    rest = json.loads(cli("--config", str(config), "articles", "--json").out)
    assert (rest["attempted"], rest["missing"]) == (2, 0)


LATIN = "Café crème à Genève, déjà vu, naïve façade : ça coûte cher."
CYRILLIC = "Правительство объявило о новых мерах поддержки для жителей северных районов."


@pytest.mark.parametrize(
    ("text", "encoding", "content_type"),
    [
        (LATIN, "utf-8", "text/html"),
        (LATIN, "cp1252", "text/html"),  # no label, not UTF-8: what browsers assume
        (LATIN, "iso-8859-1", "text/html; charset=ISO-8859-1"),
        (CYRILLIC, "koi8-r", "text/html"),
        (CYRILLIC, "cp1251", "text/html"),
        (CYRILLIC, "cp1251", "text/html; charset=nonsense-label"),
    ],
)
def test_page_encodings(text: str, encoding: str, content_type: str) -> None:
    page = f"<html><body><p>{text}</p></body></html>".encode(encoding)
    decoded = decode_page(Response(url="http://x.example/", status=200, body=page,
                                   content_type=content_type))  # fmt: skip
    assert text in decoded


def test_page_declaring_its_charset_in_a_meta_tag() -> None:
    page = f'<html><head><meta charset="koi8-r"></head><body><p>{CYRILLIC}</p></body></html>'
    response = Response(
        url="http://x.example/", status=200, body=page.encode("koi8-r"), content_type="text/html"
    )
    decoded = decode_page(response)
    assert CYRILLIC in decoded


def test_background_run_covers_subscriptions_and_stops_when_asked(
    server: FeedServer, corpus: Path, db_path: Path
) -> None:
    teaser_feed(server, corpus)
    released = threading.Event()

    def held(handler) -> None:  # a page that arrives only when the test says so
        released.wait(10)
        handler.send(200, article_page("Held", filler("held")), HTML)

    server.routes["/held"] = held
    with Store(db_path) as store:
        refresh_feed(store, server, full_text="never")  # the feed's own items: not wanted
        imported = store.ensure_source("/tmp/saved-feed.xml", "file")
        store.save_entries(imported, [RawEntry(title="Imported", body="…", url=server.url("/x"))])
        subscribed = subscribed_sources(store)
        assert imported not in subscribed and len(subscribed) == 1
        extra = store.ensure_source("held", "feed")
        store.conn.execute(
            "INSERT INTO feeds (url, name, source_id, added_at) VALUES (?, 'held', ?, 0)",
            (server.url("/held-feed"), extra),
        )
        store.save_entries(extra, [RawEntry(title="Held", body="…", url=server.url("/held"))])

    stop = threading.Event()
    reports: list[object] = []

    def background() -> None:
        with Store(db_path) as own:
            reports.append(fetch_articles(own, settings=FAST, source_ids=subscribed_sources(own),
                                          stop=stop))  # fmt: skip

    worker = threading.Thread(target=background)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not server.hits("/held") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.hits("/held")
        assert not server.hits("/x")  # the imported file's item is not fetched in the background
        stop.set()
        worker.join(timeout=3)
        assert not worker.is_alive()  # returned without waiting for the held page
    finally:
        released.set()
        worker.join(timeout=15)
    assert reports and reports[0].fetched == 0  # type: ignore[attr-defined]


def test_reader_pane_shows_the_article_or_the_teaser_marker(
    server: FeedServer, store: Store
) -> None:
    from wirereader.query.detail import load_detail
    from wirereader.tui.widgets.reader import render_detail

    server.routes["/fine"] = html_route(article_page("Fine", filler("pier lights")))
    source_id = store.ensure_source("reader", "feed")
    saved = store.save_entries(
        source_id,
        [RawEntry(title="Fine", body="Pier…", url=server.url("/fine"), stable_id="fine"),
         RawEntry(title="Gone", body="Gone…", url=server.url("/gone"), stable_id="gone")],
    )  # fmt: skip
    fine_id, gone_id = saved.new
    before = load_detail(store, fine_id)
    assert before is not None
    assert before.article_marker == "Teaser only: the full article has not been fetched yet"
    assert before.article_marker in render_detail(before, None).plain
    fetch_articles(store, settings=FAST)
    fine, gone = load_detail(store, fine_id), load_detail(store, gone_id)
    assert fine is not None and gone is not None
    assert fine.article_marker == "" and "pier lights" in fine.entry.body
    assert "pier lights" in render_detail(fine, None).plain
    assert gone.article_marker.startswith("Teaser only: the full article could not be fetched")
    assert gone.article_marker in render_detail(gone, None).plain


def test_app_refresh_brings_articles_in_the_background(
    server: FeedServer, corpus: Path, store: Store
) -> None:
    import asyncio

    from tests.support.tui import make_app, reader_text

    expected = teaser_feed(server, corpus)
    cfg = Config(feeds=[FeedConfig(url=server.url("/feed.xml"), name="teasers")])

    def stored() -> int:
        query = "SELECT count(*) FROM articles WHERE status = 'ok' AND version_id IS NOT NULL"
        return int(store.conn.execute(query).fetchone()[0])

    async def go() -> None:
        app = make_app(store, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("r")
            for _ in range(150):  # refresh, then the article worker: at most ~15 s
                await pilot.pause(0.1)
                if stored() == 3 and not app.workers:
                    break
            await settle(pilot)
            assert stored() == 3
            await pilot.press("g")
            for _ in range(app.timeline.total):
                await pilot.pause(0.3)  # the reader follows the cursor after a short delay
                if app.timeline.current.title == "Harbour bridge reopens":
                    break
                await pilot.press("j")
            await pilot.pause(0.5)
            shown = reader_text(app)
            assert expected["bridge"] in shown and "Teaser only" not in shown

    asyncio.run(go())

"""The subscription commands as a user runs them: a real subprocess against a real server."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.feedserver import FeedServer, Route, liveblog_page, rss
from tests.support.paths import FIXTURES
from wirereader.sources.opml import parse_opml


def items(*numbers: int) -> list[dict[str, str]]:
    return [
        {
            "guid": f"urn:cli:{n}",
            "title": f"Library opening hours change {n}",
            "link": f"http://example.invalid/library/{n}",
            "description": f"<p>The reading room opens at {n} o'clock from Monday.</p>",
            "pubDate": f"Tue, 03 Mar 2026 {n:02d}:15:00 +0000",
        }
        for n in numbers
    ]


def home_page(feed_href: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Town Crier</title>"
        '<link rel="stylesheet" href="/style.css">'
        f'<link rel="alternate" type="application/rss+xml" title="All news" href="{feed_href}">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        "</head><body><p>Welcome.</p></body></html>"
    ).encode()


def test_add_discovers_the_feed_of_a_page(cli, server: FeedServer) -> None:
    server.routes["/"] = Route(home_page("/news/feed.xml"), content_type="text/html")
    server.routes["/news/feed.xml"] = Route(rss("Town Crier", items(1, 2, 3)), etag='"t1"')
    result = cli("add", server.url("/"))
    assert result.code == 0, result.err
    assert result.out.strip() == f"added Town Crier ({server.url('/news/feed.xml')}): 3 entries"
    listed = json.loads(cli("feeds", "--json").out)
    assert len(listed) == 1
    feed = listed[0]
    assert feed["url"] == server.url("/news/feed.xml") and feed["name"] == "Town Crier"
    assert feed["status"] == "ok" and feed["entries"] == 3 and feed["last_error"] == ""
    assert feed["last_success"] and feed["next_attempt"]
    again = cli("add", server.url("/news/feed.xml"))
    assert again.code == 0 and again.out.startswith("already subscribed: Town Crier")
    entries = json.loads(cli("entries", "--json").out)
    assert {e["source"] for e in entries} == {"Town Crier"} and len(entries) == 3


def test_add_a_page_without_feed_is_a_clear_error(cli, server: FeedServer) -> None:
    server.routes["/plain"] = Route(
        b"<!DOCTYPE html><html><body><p>Nothing to follow.</p></body></html>",
        content_type="text/html",
    )
    result = cli("add", server.url("/plain"))
    assert result.code == 1
    assert result.err.strip() == (
        f"wirereader: {server.url('/plain')}: no feed found: the page links to no RSS, Atom or "
        'JSON feed (<link rel="alternate">) and carries no live blog'
    )
    assert json.loads(cli("feeds", "--json").out) == []


def test_add_a_page_whose_feed_fails_says_it_is_the_pages_feed(cli, server: FeedServer) -> None:
    # It said only "http://.../news/feed.xml: HTTP 404 Not Found", a URL the user never typed.
    server.routes["/"] = Route(home_page("/news/feed.xml"), content_type="text/html")
    result = cli("add", server.url("/"))
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith(f"wirereader: {server.url('/news/feed.xml')}: HTTP 404")
    assert line.endswith(f" (the feed {server.url('/')} links to)")
    assert json.loads(cli("feeds", "--json").out) == []


def test_add_a_live_blog_page_follows_the_page(cli, server: FeedServer) -> None:
    server.routes["/live/count"] = Route(
        liveblog_page("Count night live", [("u1", "2026-03-02T22:00:00Z", "Boxes arrive.")]),
        content_type="text/html",
    )
    result = cli("add", server.url("/live/count"), "--name", "count")
    assert result.code == 0, result.err
    assert result.out.startswith("added count (") and result.out.rstrip().endswith(": 1 entry")


def test_add_unreachable_or_bad_url(cli, server: FeedServer) -> None:
    missing = cli("add", server.url("/nope.xml"))
    assert missing.code == 1 and "HTTP 404" in missing.err and "Traceback" not in missing.err
    scheme = cli("add", "gopher://example.invalid/feed")
    assert scheme.code == 1 and "unsupported URL scheme" in scheme.err
    assert len(scheme.err.strip().splitlines()) == 1


def test_add_of_a_web_address_without_its_scheme_says_how_to_write_it(
    cli, server: FeedServer
) -> None:
    # `add feeds.bbci.co.uk/news/rss.xml`, copied without https://, said "no such file".
    server.routes["/news/rss.xml"] = Route(rss("Town Crier", items(1)))
    bare = server.url("/news/rss.xml").removeprefix("http://")  # 127.0.0.1:PORT/news/rss.xml
    result = cli("add", bare)
    assert result.code == 1 and result.out == ""
    [line] = result.err.splitlines()
    assert line.endswith(f"; for a web address, write http://{bare}")
    named = cli("add", "feeds.example.invalid/news/rss.xml")
    assert named.err.strip() == (
        "wirereader: feeds.example.invalid/news/rss.xml: no such file; for a web address,"
        " write https://feeds.example.invalid/news/rss.xml"
    )
    # A missing file named like one is only a missing file; what the hint says works.
    assert cli("add", "feed.xml").err.strip() == "wirereader: feed.xml: no such file"
    assert cli("add", f"http://{bare}").code == 0


def test_a_feed_is_named_by_its_site_or_its_title_without_a_dangling_separator(
    cli, server: FeedServer
) -> None:
    # Real feeds: an Atom feed with no title was named after the host serving it ("127.0.0.1
    # (2)"), and "Rest of World - " gave the name "Rest of World -".
    server.routes["/untitled.xml"] = Route(
        rss("", items(1), link="https://www.rest-of-town.example/blog/")
    )
    server.routes["/dash.xml"] = Route(rss("Rest of Town - ", items(2)))
    server.routes["/plain.xml"] = Route(rss("", items(3), link=""))
    assert cli("add", server.url("/untitled.xml")).out.startswith("added rest-of-town.example (")
    assert cli("add", server.url("/dash.xml")).out.startswith("added Rest of Town (")
    assert cli("add", server.url("/plain.xml")).out.startswith("added 127.0.0.1 (")
    names = {f["url"]: f["name"] for f in json.loads(cli("feeds", "--json").out)}
    assert names[server.url("/untitled.xml")] == "rest-of-town.example"
    # A title the feed gains later still takes the made-up name's place.
    server.routes["/untitled.xml"] = Route(rss("Town Notes", items(1, 4)))
    assert cli("fetch").code == 0
    names = {f["url"]: f["name"] for f in json.loads(cli("feeds", "--json").out)}
    assert names[server.url("/untitled.xml")] == "Town Notes"
    assert {e["source"] for e in json.loads(cli("entries", "--json").out)} == {
        "Town Notes",
        "Rest of Town",
        "127.0.0.1",
    }


def test_fetch_summary_failures_and_error_state(cli, server: FeedServer) -> None:
    server.routes["/a.xml"] = Route(rss("Alpha", items(1)))
    server.routes["/b.xml"] = Route(rss("Bravo", items(5, 6)))
    assert cli("add", server.url("/a.xml")).code == 0
    assert cli("add", server.url("/b.xml"), "--no-fetch", "--name", "bravo").code == 0

    server.routes["/a.xml"] = Route(b"down for maintenance", status=500, content_type="text/plain")
    result = cli("fetch")
    assert result.code == 1
    assert "2 feeds fetched" in result.out and "2 new entries, 0 updated, 1 failed" in result.out
    problems = [line for line in result.err.splitlines() if "HTTP 500" in line]
    expected = f"wirereader: Alpha: {server.url('/a.xml')}: HTTP 500 Internal Server Error"
    assert problems == [expected]

    feeds = {f["name"]: f for f in json.loads(cli("feeds", "--json").out)}
    alpha = feeds["Alpha"]
    assert alpha["status"] == "failing" and alpha["failures"] == 1
    assert "HTTP 500" in alpha["last_error"] and alpha["last_error_at"]
    assert alpha["next_attempt"] > alpha["last_error_at"]
    assert alpha["entries"] == 1  # cached entries stay
    assert feeds["bravo"]["status"] == "ok" and feeds["bravo"]["entries"] == 2

    table = cli("feeds")
    assert "failing ×1" in table.out and "HTTP 500" in table.out

    server.routes["/a.xml"] = Route(rss("Alpha", items(1, 2)))
    ok = cli("fetch", "alpha", "--json")
    assert ok.code == 0
    report = json.loads(ok.out)
    assert report["new"] == 1 and report["failed"] == 0
    assert [f["name"] for f in report["feeds"]] == ["Alpha"]
    server.routes["/a.xml"] = Route(rss("Alpha", items(1, 2, 3)))
    one = cli("fetch", "alpha").out  # was "1 new entries"
    assert "1 feed fetched" in one and "1 new entry, 0 updated, 0 failed" in one


def test_fetch_finds_a_feed_by_a_part_of_its_url(cli, server: FeedServer) -> None:
    # Two feeds added with --no-fetch are named after their host ('127.0.0.1', '127.0.0.1 (2)')
    # until their first fetch: 'fetch b.xml' said there was no such feed.
    server.routes["/a.xml"] = Route(rss("Alpha", items(1)))
    server.routes["/b.xml"] = Route(rss("Bravo", items(1, 2)))
    for path in ("/a.xml", "/b.xml"):
        assert cli("add", "--no-fetch", server.url(path)).code == 0
    result = cli("fetch", "b.xml", "--json")
    assert result.code == 0, result.err
    assert [f["url"] for f in json.loads(result.out)["feeds"]] == [server.url("/b.xml")]
    # A part of several URLs is ambiguous, as a part of several names is.
    both = cli("fetch", ".xml")
    assert both.code == 1 and "matches several feeds" in both.err


def test_fetch_unknown_name(cli) -> None:
    result = cli("fetch", "no-such-feed")
    assert result.code == 1 and "no feed named or at 'no-such-feed'" in result.err


def test_remove_keeps_entries(cli, server: FeedServer) -> None:
    server.routes["/r.xml"] = Route(rss("Gone Soon", items(1, 2)))
    assert cli("add", server.url("/r.xml")).code == 0
    result = cli("remove", "gone")
    assert result.code == 0 and result.out.strip() == (
        "removed Gone Soon; its 2 entries stay in the cache"
    )
    assert json.loads(cli("feeds", "--json").out) == []
    assert len(json.loads(cli("feeds", "--json", "--all").out)) == 1
    assert len(json.loads(cli("entries", "--json").out)) == 2
    assert cli("fetch").out.startswith("nothing to fetch")
    assert cli("remove", "gone").code == 1


def test_opml_round_trip(cli, server: FeedServer, tmp_path: Path) -> None:
    server.routes["/one.xml"] = Route(rss("One", items(1), link="http://example.invalid/one"))
    server.routes["/two.xml"] = Route(rss("Two", items(2)))
    local = tmp_path / "three.xml"
    local.write_bytes(rss("Three", items(3)))
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="News"><outline text="Local">'
        f'<outline type="rss" text="Paper One" xmlUrl="{server.url("/one.xml")}"'
        ' htmlUrl="http://example.invalid/one"/>'
        "</outline></outline>"
        f'<outline type="rss" text="Paper Two" xmlUrl="{server.url("/two.xml")}"/>'
        f'<outline type="rss" text="Paper Three" xmlUrl="{local.as_uri()}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    result = cli("add", "--opml", str(opml))
    assert result.code == 0, result.err
    assert "3 feeds added, 0 already subscribed" in result.out
    assert "3 new entries" in result.out
    again = cli("add", str(opml))  # recognised as OPML without --opml
    assert "0 feeds added, 3 already subscribed" in again.out

    exported = cli("export", "--format", "opml")
    assert exported.code == 0
    outlines = {o.url: o for o in parse_opml(exported.out)}
    assert set(outlines) == {server.url("/one.xml"), server.url("/two.xml"), local.as_uri()}
    one = outlines[server.url("/one.xml")]
    assert one.title == "Paper One" and one.category == "News/Local"
    assert one.html_url == "http://example.invalid/one"
    assert outlines[server.url("/two.xml")].category == ""

    # The export imports into a fresh cache with the same subscriptions.
    saved = tmp_path / "export.opml"
    saved.write_text(exported.out, encoding="utf-8")
    other = cli("--db", str(tmp_path / "other.sqlite3"), "add", "--opml", "--no-fetch", str(saved))
    assert other.code == 0 and "3 feeds added" in other.out
    # Without --opml, `--no-fetch` subscribed to the list itself, as a feed named "export".
    bare = cli("--db", str(tmp_path / "bare.sqlite3"), "add", "--no-fetch", str(saved))
    assert bare.code == 0 and "3 feeds added" in bare.out, bare.out
    listed = json.loads(cli("--db", str(tmp_path / "bare.sqlite3"), "feeds", "--json").out)
    assert sorted(f["name"] for f in listed) == ["Paper One", "Paper Three", "Paper Two"]


def test_config_feeds_listed_and_not_removable(cli, server: FeedServer, tmp_path: Path) -> None:
    server.routes["/cfg.xml"] = Route(rss("Configured", items(4)))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("/cfg.xml")}"\nname = "cfg"\ninterval = "5m"\n',
        encoding="utf-8",
    )
    fetched = cli("--config", str(config), "fetch")
    assert fetched.code == 0 and "1 new entry," in fetched.out
    [feed] = json.loads(cli("--config", str(config), "feeds", "--json").out)
    assert feed["name"] == "cfg" and feed["from_config"] and feed["interval"] == 300
    refused = cli("--config", str(config), "remove", "cfg")
    assert refused.code == 1 and "config file" in refused.err
    config.write_text("", encoding="utf-8")
    assert json.loads(cli("--config", str(config), "feeds", "--json").out) == []
    assert len(json.loads(cli("entries", "--json").out)) == 1


def test_add_without_fetching_accepts_a_server_that_is_down(cli, server: FeedServer) -> None:
    url = server.url("/later.xml")  # nothing served there yet
    added = cli("add", url, "--no-fetch", "--name", "later")
    assert added.code == 0 and added.out.strip() == f"added later ({url})"
    [feed] = json.loads(cli("feeds", "--json").out)
    assert feed["status"] == "new" and feed["last_success"] is None
    failed = cli("fetch")
    assert failed.code == 1 and "HTTP 404" in failed.err
    server.routes["/later.xml"] = Route(rss("Later", items(7)))
    assert cli("fetch", "later").code == 0
    [feed] = json.loads(cli("feeds", "--json").out)
    assert feed["status"] == "ok" and feed["entries"] == 1 and feed["name"] == "later"


def test_add_leaves_the_cache_analysed(cli, server: FeedServer) -> None:
    """`add URL` stores the feed's entries and analyses them before it returns, as `fetch`
    and `import` do: the repost is folded, the items have threads, and a person filter finds
    them at once."""
    body = (
        "<p>Harbour pilot Maria Olsen said on Tuesday that the northern quay would stay closed"
        " for repairs until the end of the month, after inspectors found cracks in two of the"
        " mooring posts along the ferry berth.</p>"
    )
    story = [
        {
            "guid": f"urn:quay:{n}",
            "title": "Northern quay closed for repairs",
            "link": f"http://example.invalid/quay/{n}",
            "description": body,
            "pubDate": f"Tue, 03 Mar 2026 {9 + n:02d}:15:00 +0000",
        }
        for n in (1, 2)  # the same story twice under two guids: one repost
    ]
    server.routes["/quay.xml"] = Route(rss("Harbour News", story))
    result = cli("add", server.url("/quay.xml"))
    assert result.code == 0, result.err
    assert result.out.strip().endswith("2 entries")
    items = json.loads(cli("entries", "--json").out)
    assert len(items) == 1, items  # the repost folded into its item
    assert len(items[0]["reposts"]) == 1 and items[0]["thread"] is not None
    assert "Maria Olsen" in items[0]["entities"]
    found = json.loads(cli("entries", "+person:Maria_Olsen", "--json").out)
    assert [e["id"] for e in found] == [items[0]["id"]]


def test_error_lines_carry_no_escape_sequences(cli, server: FeedServer) -> None:
    # A line quotes what it names: an argument, a server's answer. `fetch $'\e[31m...'` put
    # the escape sequence on the terminal as it was.
    server.routes["/broken.xml"] = Route(
        b"\x1b]0;owned\x07\x1b[31mdown for maintenance\x1b[0m",
        status=503,
        content_type="text/plain",
    )
    assert cli("add", "--no-fetch", server.url("/broken.xml"), "--name", "broken").code == 0
    for args in (("fetch", "a\x1b[31mb\x07c"), ("fetch", "broken"), ("remove", "\x1b[2Jx")):
        result = cli(*args)
        assert result.code == 1 and result.err, args
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.err), (args, result.err)


def test_add_offline_says_once_that_the_live_blog_pages_failed(cli, server: FeedServer) -> None:
    # Three live blogs whose pages are on a host that cannot be found (no network): one line
    # naming the cause, the count and one page, not three lines of the same "host not found".
    lives = [
        {
            "guid": f"urn:cli:live{n}",
            "title": f"Storm live: day {n} on the coast",
            "link": f"http://live.example.invalid/news/live/storm-{n}",
            "description": f"<p>Latest: winds on day {n}</p>",
            "pubDate": f"Tue, 03 Mar 2026 0{n}:15:00 +0000",
        }
        for n in (1, 2, 3)
    ]
    server.routes["/coast.xml"] = Route(rss("Coast Desk", items(1) + lives))
    result = cli("add", server.url("/coast.xml"))
    assert result.code == 0, result.err
    lines = result.err.strip().splitlines()
    assert lines == [
        "wirereader: Coast Desk: 3 live blogs kept as one item each, their pages failed:"
        " host not found (e.g. http://live.example.invalid/news/live/storm-1)"
    ], result.err
    assert result.out.strip().endswith(": 4 entries")


def test_a_feed_that_gave_no_item_is_listed_empty_not_ok(cli, server: FeedServer) -> None:
    # A legal feed of no item said "ok" with 0 entries: it is "empty" (not called broken, not
    # red), a feed with items "ok".
    server.routes["/quiet.xml"] = Route(rss("Quiet Parish", []))
    server.routes["/busy.xml"] = Route(rss("Busy Harbour", items(1, 2)))
    for path in ("/quiet.xml", "/busy.xml"):
        assert cli("add", server.url(path)).code == 0
    listed = {f["url"]: f for f in json.loads(cli("feeds", "--json").out)}
    assert listed[server.url("/quiet.xml")]["status"] == "empty"
    assert listed[server.url("/busy.xml")]["status"] == "ok"
    assert all(f["failures"] == 0 and f["last_success"] for f in listed.values())
    table = cli("feeds").out.splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert rows["Quiet"][2:4] == ["empty", "0"] and rows["Busy"][2:4] == ["ok", "2"]
    again = json.loads(cli("add", "--json", server.url("/quiet.xml")).out)
    assert again[0]["status"] == "empty" and again[0]["created"] is False


def test_a_list_from_the_web_subscribes_to_no_local_file(
    cli, server: FeedServer, tmp_path: Path
) -> None:
    """An OPML list served from the web named '/etc/passwd' and a file:// URL beside a real
    feed: both files were subscribed to and read at each fetch. A redirect to a file was
    already refused; so are these now, each skipped in one line. The same list read from a
    local file, which the user chose, still subscribes to local files."""
    local = tmp_path / "local.xml"
    local.write_bytes(rss("Local", [{"guid": "l1", "title": "A local item"}]))
    server.routes["/feed.xml"] = Route(rss("Web", [{"guid": "w1", "title": "A web item"}]))
    body = (
        '<opml version="2.0"><body>'
        f'<outline type="rss" xmlUrl="{server.url("/feed.xml")}" text="web"/>'
        '<outline type="rss" xmlUrl="/etc/passwd" text="passwd"/>'
        f'<outline type="rss" xmlUrl="{local.as_uri()}" text="local"/>'
        "</body></opml>"
    )
    server.routes["/list.opml"] = Route(body.encode(), content_type="text/x-opml")
    result = cli("add", "--opml", server.url("/list.opml"))
    assert result.code == 0  # the list's feed was added and fetched; the skips are warned of
    assert result.err.splitlines() == [
        "wirereader: skipped: /etc/passwd: a local file, named by a list from the web",
        f"wirereader: skipped: {local.as_uri()}: a local file, named by a list from the web",
    ]
    assert [f["url"] for f in json.loads(cli("feeds", "--json").out)] == [server.url("/feed.xml")]
    mine = tmp_path / "mine.opml"
    mine.write_text(body.replace('xmlUrl="/etc/passwd"', f'xmlUrl="{local}"'))
    assert cli("add", "--opml", "--no-fetch", str(mine)).code == 0
    assert len(json.loads(cli("feeds", "--json").out)) == 2


def test_json_says_which_item_times_are_guesses(cli, server: FeedServer) -> None:
    # An item its feed gave no time for is dated when it was first seen; `export` said so
    # (`time_guessed`) but `entries`, `search`, `show` and `tail --json` (the same rows as
    # `entries`) gave that time as if the feed had: every JSON item now carries the flag.
    undated = {
        "guid": "urn:cli:about",
        "title": "About the library opening hours",
        "link": "http://example.invalid/library/about",
        "description": "<p>The reading room opens at nine o'clock from Monday.</p>",
    }
    server.routes["/hours.xml"] = Route(rss("Library Notices", [*items(1), undated]))
    assert cli("add", server.url("/hours.xml")).code == 0
    rows = json.loads(cli("entries", "--json").out)
    guessed = {row["title"]: row["time_guessed"] for row in rows}
    assert guessed == {
        "About the library opening hours": True,
        "Library opening hours change 1": False,
    }
    found = json.loads(cli("search", "--json", "reading room").out)
    assert {row["title"]: row["time_guessed"] for row in found} == guessed
    exported = json.loads(cli("export").out)
    assert {row["title"]: row["time_guessed"] for row in exported} == guessed
    for row in rows:
        shown = json.loads(cli("show", "--json", str(row["id"])).out)
        assert shown["item"]["time_guessed"] is guessed[row["title"]]
        assert [v["time_guessed"] for v in shown["versions"]] == [guessed[row["title"]]]
        text = cli("show", str(row["id"])).out.splitlines()[1]
        assert ("~" in text and "no time" in text) is guessed[row["title"]], text


def test_feeds_still_says_why_nothing_was_read_after_an_unchanged_fetch(
    cli, server: FeedServer
) -> None:
    # A document that is not XML said why only on the fetch that parsed it; on the next fetch
    # (the same bytes, or a 304) `feeds` showed it "empty" like a legal feed of no item.
    broken = (FIXTURES / "feeds" / "undeclared-prefix.rss").read_bytes()
    server.routes["/broken.xml"] = Route(broken, etag='"b1"')
    server.routes["/quiet.xml"] = Route(rss("Quiet Parish", []))
    for path in ("/broken.xml", "/quiet.xml"):
        assert cli("add", "--name", path[1:-4], server.url(path)).code == 0
    why = "no item could be read: not well-formed XML at line 2, column 6 (invalid token)"
    for _ in range(2):  # after the first fetch, and after a forced one answered by 304
        listed = {f["name"]: f for f in json.loads(cli("feeds", "--json").out)}
        assert listed["broken"]["status"] == "empty" and listed["broken"]["problem"] == why
        assert listed["quiet"]["status"] == "empty" and listed["quiet"]["problem"] == ""
        rows = {line.split()[0]: line for line in cli("feeds").out.splitlines()[1:]}
        assert rows["broken"].rstrip().endswith(why) and "no item" not in rows["quiet"]
        fetched = cli("fetch", "--force", "--json")
        assert fetched.code == 0 and not json.loads(fetched.out)["warnings"], fetched.out
    # Once the feed gives items, the problem is gone.
    server.routes["/broken.xml"] = Route(rss("Mended Parish", items(1)))
    assert cli("fetch", "--force", "broken").code == 0
    listed = {f["name"]: f for f in json.loads(cli("feeds", "--json").out)}
    assert listed["broken"]["status"] == "ok" and listed["broken"]["problem"] == ""


def test_an_rss_author_address_is_shown_by_its_name(cli, server: FeedServer) -> None:
    # The tables and `show` printed RSS's "address (Name)" whole; JSON keeps the feed's text.
    story = {**items(1)[0], "author": "desk@harbour.example (Ann Lee, Harbour Desk)"}
    server.routes["/harbour.xml"] = Route(rss("Harbour", [story]))
    assert cli("add", server.url("/harbour.xml")).code == 0
    [row] = json.loads(cli("entries", "--json").out)
    assert row["author"] == "desk@harbour.example (Ann Lee, Harbour Desk)"
    shown = cli("show", str(row["id"])).out.splitlines()
    assert shown[1].endswith("  Ann Lee, Harbour Desk") and "@" not in "\n".join(shown)
    wide = cli("entries", env={"COLUMNS": "160"}).out.splitlines()
    assert wide[1].rstrip().endswith("Ann Lee, Harbour Desk"), wide


def test_add_of_a_feed_already_subscribed_says_when_its_name_changed(
    cli, server: FeedServer
) -> None:
    # `add URL --name x` of a feed already subscribed renamed it and said only
    # "already subscribed: x (URL)": the user looked for the feed under its old name.
    server.routes["/hours.xml"] = Route(rss("Library Notices", items(1)))
    url = server.url("/hours.xml")
    assert cli("add", url).code == 0
    renamed = cli("add", url, "--name", "library")
    assert (
        renamed.out.strip() == f"already subscribed: library ({url}), renamed from Library Notices"
    )
    again = cli("add", "--no-fetch", url, "--name", "books")
    assert again.out.strip() == f"already subscribed: books ({url}), renamed from library"
    same = cli("add", url)
    assert same.out.strip() == f"already subscribed: books ({url})"


def test_feeds_says_now_of_a_feed_whose_next_fetch_is_past(
    cli, server: FeedServer, db_path: Path
) -> None:
    # The "next" column said "9 s ago" of a feed due at the next fetch.
    import sqlite3

    server.routes["/hours.xml"] = Route(rss("Library Notices", items(1)))
    assert cli("add", server.url("/hours.xml")).code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE feeds SET next_attempt = strftime('%s', 'now') - 30")
    [row] = cli("feeds").out.splitlines()[1:]
    assert row.split()[-2:] == ["now", server.url("/hours.xml")], row


def test_a_text_capture_served_on_the_web_points_to_import(cli, server: FeedServer) -> None:
    # `add URL` of a live blog's text capture subscribed to it and said only "the first fetch
    # failed: not XML (no root element found)", and every fetch failed so.
    from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED

    hint = "save it to a file and read it with 'wirereader import FILE'"
    server.routes["/capture.txt"] = Route(LIVEBLOG_SEED.read_bytes(), content_type="text/plain")
    server.routes["/article.txt"] = Route(ARTICLE_SEED.read_bytes(), content_type="text/plain")
    capture = server.url("/capture.txt")
    result = cli("add", capture)
    assert result.code == 1 and result.out == ""
    assert result.err == (
        f"wirereader: {capture}: a live blog's text capture (plain text, its updates under"
        f" 'HH:MM , ' time lines), not a feed: not subscribed; {hint}\n"
    )
    article = cli("add", server.url("/article.txt"))
    assert article.code == 1 and "an article as plain text" in article.err and hint in article.err
    assert json.loads(cli("feeds", "--json").out) == []
    # A subscription that starts serving such a file says the same at each fetch.
    assert cli("add", "--no-fetch", capture).code == 0
    fetched = cli("fetch")
    assert fetched.code == 1 and "text capture" in fetched.err and hint in fetched.err
    assert "not XML" not in fetched.err
    # `import URL` said "http:/127.0.0.1:.../capture.txt: no such file".
    imported = cli("import", capture)
    assert imported.code == 1
    assert imported.err.splitlines()[0] == (
        f"wirereader: {capture}: a web address; 'import' reads files: save it first"
        f" (curl -o FILE URL), or follow a feed or live-blog page with 'wirereader add {capture}'"
    )


def test_a_feed_behind_junk_or_in_utf16_is_not_taken_for_a_text_file(cli, server) -> None:
    # The text-capture check must not refuse a feed: one a server prefixes with a warning
    # line, or one in UTF-16, is subscribed to as before.
    from tests.support.paths import LIVEBLOG_SEED
    from wirereader.sources.dispatch import import_only

    feed = rss("Town Crier", items(1, 2))
    warned = b"Warning: Undefined variable $x in /var/www/feed.php on line 3 of the page\n" + feed
    utf16 = feed.decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert import_only(warned) == "" and import_only(utf16) == ""
    assert import_only(LIVEBLOG_SEED.read_bytes()).startswith("a live blog's text capture")
    server.routes["/warned.xml"] = Route(warned)
    result = cli("add", server.url("/warned.xml"))
    assert "not subscribed" not in result.err
    assert [f["url"] for f in json.loads(cli("feeds", "--json").out)] == [server.url("/warned.xml")]


def test_piped_feeds_lines_end_without_padding(cli, db_path: Path) -> None:
    # Piped, each line was padded with spaces to the longest last error: 45 of 46 lines of a
    # real list ended in spaces, shown as blank lines on a terminal under `| head`.
    from wirereader.store.db import Store
    from wirereader.store.subscriptions import record_failure, record_success, subscribe

    with Store(db_path) as store:
        bad, _ = subscribe(store, "http://127.0.0.1:8765/000.txt", name="Town Notes")
        error = "http://127.0.0.1:8765/000.txt: " + "no feed here " * 12
        record_failure(store, bad, error.strip(), interval=900)
        fine, _ = subscribe(store, "http://news.example.org/feed.xml", name="Harbour Gazette")
        record_success(store, fine, status=200, interval=900)
    result = cli("feeds")
    lines = result.out.splitlines()
    assert result.code == 0 and len(lines) == 3
    assert [line for line in lines if line != line.rstrip()] == []
    assert lines[1].startswith("Harbour Gazette") and lines[1].endswith("/feed.xml")
    assert lines[2].startswith("Town Notes") and lines[2].endswith("no feed here")


def test_a_feed_with_bare_ampersands_keeps_its_words_and_links(cli, server: FeedServer) -> None:
    """Hand-made feeds write 'AT&T', 'Q&A' and a link's '?id=7&page=2' without escaping them.
    The recovering parser dropped each '&' with what followed: the title became 'AT profits Q
    with the CEO' and the link '?id=7=2', a page that is not there, and nothing was said."""
    server.routes["/hand.rss"] = Route(
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<title>Markets & Money</title><link>http://example.org/</link>"
        b"<item><guid>q1</guid><title>AT&T profits & Q&A with the CEO</title>"
        b"<link>http://example.org/story?id=7&page=2</link>"
        b"<description>Shares rose 3% &amp; bonds fell &mdash; R&D spending &#8364;2bn"
        b"</description><pubDate>Tue, 03 Mar 2026 09:00:00 +0000</pubDate></item>"
        b"<item><guid>q2</guid><title><![CDATA[Fish & chips &amp; more]]></title>"
        b"<pubDate>Tue, 03 Mar 2026 08:00:00 +0000</pubDate></item>"
        b"</channel></rss>"
    )
    added = cli("add", server.url("/hand.rss"))
    assert added.code == 0, added.err
    assert "added Markets & Money" in added.out
    first, second = json.loads(cli("entries", "--json").out)
    assert first["title"] == "AT&T profits & Q&A with the CEO"
    assert first["url"] == "http://example.org/story?id=7&page=2"
    assert first["body"] == "Shares rose 3% & bonds fell — R&D spending €2bn"
    assert second["title"] == "Fish & chips & more"  # a CDATA section is read as before

"""Conformance against the outside corpus (../shared/corpus): feedparser's own test feeds, the
extruct JSON-LD edge cases, real news feeds and a real live-blog page.

Each test walks a whole folder and reports every file that fails, so a missing corpus fails (the
`corpus` fixture) instead of collecting zero tests.
"""

from __future__ import annotations

import calendar
import io
import json
import re
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest

from wirereader.core.text import clean_line
from wirereader.sources.feeds import FeedError, parse_feed
from wirereader.sources.htmltext import html_to_text, plain_to_text
from wirereader.sources.liveblog_html import NotALiveBlog, json_ld_blocks, parse_page


def _feedparser_items(data: bytes) -> list[dict[str, Any]]:
    """feedparser's view of each item, in our terms (title and text as our body format)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # feedparser's own deprecation notices
        return _items_of(feedparser.parse(io.BytesIO(data)))


def _items_of(parsed: Any) -> list[dict[str, Any]]:
    items = []
    for entry in parsed.entries:
        title_type = (entry.get("title_detail") or {}).get("type", "")
        title = entry.get("title", "")
        if title_type not in ("", "text", "text/plain"):
            title = html_to_text(title)[0]
        content = entry.get("content") or []
        if content:
            body, body_type = content[0].get("value", ""), content[0].get("type", "")
        else:
            body = entry.get("summary", "")
            body_type = (entry.get("summary_detail") or {}).get("type", "")
        text = plain_to_text(body) if body_type in ("text", "text/plain") else html_to_text(body)[0]
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc) if stamp else None
        item = {
            "title": clean_line(title),
            "link": entry.get("link", ""),
            "id": entry.get("id", ""),
            "published": published,
            "text": text,
        }
        # Items with nothing a reader could show (only an author or a category) are skipped
        # by design, with a warning.
        if any(item.values()):
            items.append(item)
    return items


def _disagreements(path: Path) -> list[str]:
    data = path.read_bytes()
    expected = _feedparser_items(data)
    try:
        document = parse_feed(data)
    except FeedError as exc:
        return [f"rejected: {exc}"] if expected else []
    problems = []
    if len(document.entries) != len(expected):
        problems.append(f"{len(document.entries)} entries, feedparser has {len(expected)}")
    for ours, theirs in zip(document.entries, expected, strict=False):
        if theirs["title"] and ours.title != theirs["title"]:
            problems.append(f"title {ours.title!r} != {theirs['title']!r}")
        # We keep only web links; feedparser also copies a non-URL id into `link`.
        their_link = theirs["link"] if "://" in theirs["link"] else ""
        if ours.url != their_link:
            problems.append(f"link {ours.url!r} != {their_link!r}")
        their_id = theirs["id"] or their_link
        if their_id and ours.stable_id != their_id:
            problems.append(f"id {ours.stable_id!r} != {their_id!r}")
        if ours.published != theirs["published"]:
            problems.append(f"published {ours.published} != {theirs['published']}")
        if ours.body != theirs["text"]:
            problems.append(f"text {ours.body!r} != {theirs['text']!r}")
    return problems


def test_every_wellformed_feed_parses_and_agrees_with_feedparser(corpus: Path) -> None:
    files = sorted((corpus / "feedparser-tests" / "wellformed").rglob("*.xml"))
    assert len(files) > 400
    failures = {}
    compared = 0
    for path in files:
        problems = _disagreements(path)
        if problems:
            failures[str(path.relative_to(corpus))] = problems
        compared += 1
    assert not failures, json.dumps(failures, indent=1, default=str)[:6000]
    assert compared == len(files)


def test_wellformed_items_really_compared(corpus: Path) -> None:
    """The agreement above is not vacuous: most files with items give the same items."""
    files = sorted((corpus / "feedparser-tests" / "wellformed").rglob("*.xml"))
    with_items = [p for p in files if _feedparser_items(p.read_bytes())]
    assert len(with_items) >= 100
    titled = sum(1 for p in with_items if any(e.title for e in parse_feed(p.read_bytes()).entries))
    assert titled >= 50


def test_illformed_feeds_parse_or_fail_with_one_line(corpus: Path) -> None:
    files = sorted((corpus / "feedparser-tests" / "illformed").rglob("*.xml"))
    assert len(files) >= 15
    outcomes = {}
    for path in files:
        try:
            document = parse_feed(path.read_bytes())
        except FeedError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message, path
            outcomes[path.name] = "rejected"
        else:
            outcomes[path.name] = f"{len(document.entries)} entries"
    # Feeds in an undeclared legacy encoding are read in the right one, not as mojibake.
    koi8 = parse_feed((corpus / "feedparser-tests/illformed/chardet/koi8r.xml").read_bytes())
    assert any("\u0400" <= ch <= "\u04ff" for ch in koi8.entries[0].title)
    # A document cut off before its closing tag still gives its complete items, flagged.
    cut = parse_feed(
        (corpus / "feedparser-tests/illformed/rdf_channel_empty_textinput.xml").read_bytes()
    )
    assert cut.truncated and cut.entries[0].title == "crashes here"
    assert outcomes["rss_empty_document.xml"] == "rejected"


def test_jsonld_edge_cases_read_like_extruct_and_are_not_live_blogs(corpus: Path) -> None:
    from wirereader.sources.liveblog_html import _tree

    pages = sorted((corpus / "extruct-jsonld-edge-cases").glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        html = page.read_text(encoding="utf-8")
        expected = json.loads(page.with_suffix(".jsonld").read_text(encoding="utf-8"))
        assert list(json_ld_blocks(_tree(html))) == expected, page.name
        with pytest.raises(NotALiveBlog) as caught:
            parse_page(html)
        assert "\n" not in str(caught.value)


def test_jsonld_edge_cases_import_or_fail_cleanly_through_the_cli(corpus: Path, cli) -> None:
    for page in sorted((corpus / "extruct-jsonld-edge-cases").glob("*.html")):
        result = cli("import", str(page))
        assert "Traceback" not in result.err, result.err
        if result.code != 0:
            first_line = result.err.splitlines()[0]
            assert page.name in first_line and "cannot parse as html" in first_line, result.err


def test_every_real_feed_imports_all_its_items_through_the_cli(corpus: Path, cli) -> None:
    feeds = sorted((corpus / "feeds").iterdir())
    assert len(feeds) == 7
    expected_total = 0
    for path in feeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            count = len(feedparser.parse(io.BytesIO(path.read_bytes())).entries)
        assert count > 0
        expected_total += count
        result = cli("import", str(path))
        assert result.code == 0, result.err
        assert f"{count} new" in result.out + result.err, (path.name, result.out, result.err)
    listed = json.loads(cli("entries", "--all", "--json").out)
    assert len(listed) == expected_total
    assert all(entry["title"] and entry["published"] for entry in listed)


def test_guardian_feed_marks_its_two_live_blogs(corpus: Path) -> None:
    path = corpus / "feeds" / "guardian-us-frontpage-2018-01-31.rss"
    document = parse_feed(path.read_bytes())
    live = [entry for entry in document.entries if entry.live_blog]
    assert len(live) == 2
    assert all("/live/" in entry.url for entry in live)
    assert document.format == "rss"  # the fast path


def test_corkbeo_live_blog_gives_26_updates_with_times_and_headlines(corpus: Path) -> None:
    page = corpus / "liveblog-html" / "corkbeo.ie.level.html"
    document = parse_page(page.read_text(encoding="utf-8"))
    raw = json.loads(
        (corpus / "liveblog-html" / "corkbeo.ie.level.liveblogposting.jsonld").read_text(
            encoding="utf-8"
        )
    )
    updates = raw["liveBlogUpdate"]
    assert len(document.entries) == len(updates) == 26
    html = page.read_text(encoding="utf-8")
    # An independent clock: the page's HTML stamps each entry with epoch milliseconds.
    post_times = {
        match[0]: datetime.fromtimestamp(int(match[1]) / 1000, timezone.utc)
        for match in re.findall(r'id="(\d+)"[^>]*data-post-time="(\d+)"', html)
    }
    edited = 0
    for entry, update in zip(document.entries, updates, strict=True):
        # datePublished is local (+01:00), dateModified UTC (Z).
        assert entry.published is not None and entry.published.utcoffset() is not None
        assert entry.published == datetime.fromisoformat(update["datePublished"])
        assert entry.published == post_times[update["url"].rsplit("#", 1)[1]], entry.title
        modified = datetime.fromisoformat(update["dateModified"].replace("Z", "+00:00"))
        if modified == entry.published:
            assert entry.updated is None
        else:
            assert entry.updated == modified and modified > entry.published
            edited += 1
        assert entry.title == clean_line(update["headline"])
        assert entry.stable_id == update["url"] and "#" in entry.stable_id
    assert edited >= 1
    first = document.entries[0]
    assert first.title == "Goodnight"
    assert first.published == datetime(2020, 10, 6, 20, 22, 53, 212000, tzinfo=timezone.utc)
    assert first.published.utcoffset() == timedelta(hours=1)
    # Newest first, strictly.
    times = [entry.published for entry in document.entries if entry.published is not None]
    assert len(times) == len(document.entries)
    assert times == sorted(times, reverse=True)
    # Entity-escaped text is unescaped; the JSON-LD author merely repeats the posting's author,
    # so the page's own per-entry author wins.
    assert "NPHET's advice" in document.entries[-1].body
    authors = {entry.author for entry in document.entries}
    assert len(authors) == 2 and all(authors) and "KEY EVENT" not in authors
    # Tweets the page embeds by script are kept as links.
    assert sum(any("twitter.com" in link.url for link in e.links) for e in document.entries) >= 3
    # An update with an empty articleBody gets its text from the page's HTML.
    shop = next(e for e in document.entries if e.title.startswith("Another Cork favourite"))
    assert "facebook.com" in shop.body
    assert document.title.startswith("Level 3 LIVE from Cork")


def test_corkbeo_imports_through_the_cli(corpus: Path, cli) -> None:
    result = cli("import", str(corpus / "liveblog-html" / "corkbeo.ie.level.html"))
    assert result.code == 0, result.err
    entries = json.loads(cli("entries", "--all", "--json").out)
    assert len(entries) == 26
    assert {entry["published"][-6:] for entry in entries} <= {"+00:00", "+01:00"}


def test_illformed_feeds_through_the_cli_never_give_a_traceback(corpus: Path, cli) -> None:
    files = sorted((corpus / "feedparser-tests" / "illformed").rglob("*.xml"))
    result = cli("import", *map(str, files))
    assert "Traceback" not in result.err and "Error:" not in result.err, result.err
    imported = result.out + result.err
    for path in files:
        # Each file is named: what was imported from it, or why it was not.
        assert path.name in imported, path.name
    for line in result.err.splitlines()[:-1]:  # the last line is the summary
        assert ".xml: " in line, line  # every message names its file

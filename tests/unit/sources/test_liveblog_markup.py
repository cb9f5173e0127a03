"""Live blogs written as microdata or RDFa (not JSON-LD): one entry per update, with its time,
author and text, through the parser, `import` and `add`. The pages are written here."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route
from wirereader.sources.liveblog_html import NotALiveBlog, parse_page

MICRODATA_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Storm Ellen live: ferries cancelled</title></head>
<body>
<main itemscope itemtype="https://schema.org/LiveBlogPosting">
  <h1 itemprop="headline">Storm Ellen live: ferries cancelled</h1>
  <meta itemprop="coverageStartTime" content="2026-03-02T06:00:00+00:00">
  <div itemprop="author" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Harbour Gazette</span></div>
  <p itemprop="description">Updates as the storm crosses the coast.</p>
  <article id="update-3" itemprop="liveBlogUpdate" itemscope
           itemtype="https://schema.org/BlogPosting" itemid="#update-3">
    <h2 itemprop="headline">Harbour wall breached at Kilmore</h2>
    <time itemprop="datePublished" datetime="2026-03-02T09:41:00+00:00">09:41</time>
    <span itemprop="author" itemscope itemtype="https://schema.org/Person">
      <span itemprop="name">Orla Byrne</span></span>
    <div itemprop="articleBody"><p>Waves broke through the harbour wall at Kilmore Quay
      shortly after high tide.</p><p>The coastguard asked people to
      <a href="/advice">stay away from the seafront</a>.</p></div>
  </article>
  <article id="update-2" itemprop="liveBlogUpdate" itemscope
           itemtype="https://schema.org/BlogPosting" itemid="#update-2">
    <time itemprop="datePublished" datetime="2026-03-02T08:15:00+00:00">08:15</time>
    <span itemprop="author" itemscope itemtype="https://schema.org/Person">
      <span itemprop="name">Tom Keane</span></span>
    <div itemprop="articleBody"><p>All sailings from Rosslare are cancelled until further
      notice, the ferry operator said.</p></div>
  </article>
  <article id="update-1" itemprop="liveBlogUpdate" itemscope
           itemtype="http://schema.org/BlogPosting">
    <meta itemprop="datePublished" content="2026-03-02T06:05:00Z">
    <p itemprop="articleBody">A red wind warning is in force for the south-east coast.</p>
  </article>
</main>
</body></html>
"""

RDFA_PAGE = """<!DOCTYPE html>
<html><head><title>Count night as it happened</title></head>
<body vocab="https://schema.org/">
<div typeof="LiveBlogPosting" resource="https://news.example/live/count">
  <h1 property="headline">Count night as it happened</h1>
  <section property="liveBlogUpdate" typeof="BlogPosting" resource="#p2">
    <time property="datePublished" datetime="2026-05-08T01:30:00+01:00">01:30</time>
    <p property="author" typeof="Person"><span property="name">Priya Shah</span></p>
    <div property="articleBody">Turnout in the north ward reached 61 per cent, the highest in
      a decade.</div>
  </section>
  <section property="liveBlogUpdate" typeof="BlogPosting" resource="#p1">
    <time property="datePublished" datetime="2026-05-07T23:05:00+01:00">23:05</time>
    <p property="author" typeof="Person"><span property="name">Priya Shah</span></p>
    <div property="articleBody">The first ballot boxes have arrived at the count centre.</div>
  </section>
</div>
</body></html>
"""

# RDFa with a prefix instead of a vocabulary, and the text only in the update's HTML
PREFIXED_RDFA_PAGE = """<html><body prefix="schema: https://schema.org/">
<div typeof="schema:LiveBlogPosting">
  <h1 property="schema:headline">Marathon live</h1>
  <div property="schema:liveBlogUpdate" typeof="schema:BlogPosting">
    <span property="schema:datePublished" content="2026-04-12T10:02:00+02:00">10:02</span>
    <span property="schema:articleBody">The leaders pass the halfway mark in 1:03:12.</span>
  </div>
</div></body></html>"""


def test_microdata_live_blog_gives_one_entry_per_update() -> None:
    document = parse_page(MICRODATA_PAGE, url="https://gazette.example/live/storm")
    assert document.format == "liveblog-html"
    assert document.title == "Storm Ellen live: ferries cancelled"
    first, second, third = document.entries
    assert first.title == "Harbour wall breached at Kilmore"
    assert first.published == datetime(2026, 3, 2, 9, 41, tzinfo=timezone.utc)
    assert first.author == "Orla Byrne"
    assert first.body.startswith("Waves broke through the harbour wall at Kilmore Quay")
    assert "\n\nThe coastguard asked people to stay away from the seafront." in first.body
    assert [link.url for link in first.links] == ["https://gazette.example/advice"]
    assert first.stable_id == "#update-3"
    assert second.title.startswith("All sailings from Rosslare are cancelled")
    assert second.author == "Tom Keane"
    assert second.published == datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc)
    assert third.published == datetime(2026, 3, 2, 6, 5, tzinfo=timezone.utc)
    assert third.body == "A red wind warning is in force for the south-east coast."
    # the posting's own author is not any update's, and its description is no update
    assert all("Updates as the storm" not in e.body for e in document.entries)


def test_rdfa_live_blog_gives_one_entry_per_update() -> None:
    document = parse_page(RDFA_PAGE)
    assert document.url == "https://news.example/live/count"
    newest, oldest = document.entries
    offset = timezone(timedelta(hours=1))
    assert newest.published == datetime(2026, 5, 8, 1, 30, tzinfo=offset)
    assert newest.author == "Priya Shah"
    assert newest.body.startswith("Turnout in the north ward reached 61 per cent")
    assert oldest.published == datetime(2026, 5, 7, 23, 5, tzinfo=offset)
    assert oldest.body == "The first ballot boxes have arrived at the count centre."
    assert [e.stable_id for e in document.entries] == ["#p2", "#p1"]

    prefixed = parse_page(PREFIXED_RDFA_PAGE).entries
    assert len(prefixed) == 1 and prefixed[0].body.startswith("The leaders pass the halfway")
    assert prefixed[0].published == datetime(
        2026, 4, 12, 10, 2, tzinfo=timezone(timedelta(hours=2))
    )


def test_other_markup_is_still_not_a_live_blog() -> None:
    article = (
        '<html><body><article itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">Not live</h1><div itemprop="articleBody">Text.</div>'
        "</article></body></html>"
    )
    with pytest.raises(NotALiveBlog):
        parse_page(article)
    # a LiveBlogPosting without any update is no live blog either (an empty shell page)
    empty = (
        '<div itemscope itemtype="https://schema.org/LiveBlogPosting">'
        '<h1 itemprop="headline">x</h1></div>'
    )
    with pytest.raises(NotALiveBlog):
        parse_page(f"<html><body>{empty}</body></html>")


def test_import_reads_a_microdata_page_as_a_live_blog(cli, tmp_path: Path) -> None:
    page = tmp_path / "storm.html"
    page.write_text(MICRODATA_PAGE, encoding="utf-8")
    result = cli("import", str(page))
    assert result.code == 0, result.err
    entries = json.loads(cli("entries", "--all", "--json").out)
    assert len(entries) == 3  # one per update, not one article
    by_author = {e["author"]: e for e in entries if e["author"]}
    assert by_author["Orla Byrne"]["published"] == "2026-03-02T09:41:00+00:00"
    assert by_author["Tom Keane"]["body"].startswith("All sailings from Rosslare")


def test_add_follows_an_rdfa_live_blog(cli, server: FeedServer) -> None:
    server.routes["/live/count"] = Route(RDFA_PAGE.encode(), content_type="text/html")
    result = cli("add", server.url("/live/count"), "--name", "count")
    assert result.code == 0, result.err
    assert result.out.rstrip().endswith("2 entries")
    titles = [e["body"] for e in json.loads(cli("entries", "--json").out)]
    assert any(t.startswith("The first ballot boxes") for t in titles)

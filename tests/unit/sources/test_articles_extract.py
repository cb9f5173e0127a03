"""Article extraction on real pages: the corkbeo live blog read as an article, and invented pages
with the furniture news sites put inside their articles (support appeal, newsletter box, share
bar, "Read more", related list, cookie banner, embedded posts)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.paths import ARTICLE_PAGES as PAGES
from wirereader.sources.articles.extract import ExtractionError, extract_article
from wirereader.sources.articles.page import parse_article_page
from wirereader.sources.articles.teaser import is_teaser, wants_full_text
from wirereader.sources.context import ParseContext

BRIDGE_URL = "https://courier.example/news/harbour-bridge-reopens"


@pytest.fixture(scope="module")
def corkbeo_html(corpus: Path) -> str:
    return (corpus / "liveblog-html" / "corkbeo.ie.level.html").read_text("utf-8")


def bridge() -> str:
    return (PAGES / "harbour-bridge.html").read_text("utf-8")


def ferry() -> str:
    return (PAGES / "ferry-strike.html").read_text("utf-8")


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


# -- corkbeo (outside corpus) -------------------------------------------------------------------


def test_corkbeo_as_article_keeps_the_story_and_drops_furniture(corkbeo_html: str) -> None:
    article = extract_article(corkbeo_html)
    assert "Tonight at midnight Cork will be moved into Level 3" in article.body
    assert "Never miss the latest news by signing" not in article.body
    assert "Corrections and Clarifications" not in article.body
    # the whole newsletter box goes, but the story after it stays
    assert "Sign up for the CorkBeo newsletter" not in article.body
    assert "unsubscribe from this service" not in article.body
    assert "From tonight many of them will be forced to close again" in article.body
    assert article.title.startswith("Level 3 LIVE news from Cork")
    assert article.author == "Gavin O'Callaghan"
    assert article.published is not None and article.published.date().isoformat() == "2020-10-06"
    assert article.published.tzinfo is not None
    assert article.url.startswith("https://www.corkbeo.ie/news/")


def test_corkbeo_body_format_and_captions(corkbeo_html: str) -> None:
    body = extract_article(corkbeo_html).body
    assert "\n\n\n" not in body and "<" not in body.split("\n", 1)[0]
    assert "## Goodnight" in body.split("\n")  # update headlines are sub-headings
    # a list of the council's services, items on consecutive lines
    assert re.search(r"\n\n- Libraries will return to .+\n- Council owned tourism", body)
    # the picture caption kept as text
    assert any(p.startswith("Image: 18/05/2020 Dr Tony Holohan") for p in paragraphs(body))


def test_corkbeo_imported_as_an_article_page(corkbeo_html: str) -> None:
    document = parse_article_page(corkbeo_html, ParseContext("corkbeo.ie.level.html"))
    assert len(document.entries) == 1
    entry = document.entries[0]
    assert entry.kind.value == "article"
    assert "Tonight at midnight Cork will be moved into Level 3" in entry.body
    assert "Never miss the latest news by signing" not in entry.body
    assert "Corrections and Clarifications" not in entry.body
    assert entry.stable_id == f"url:{entry.url}"
    assert document.title == "Cork Beo"


# -- an invented article with a support appeal, a newsletter box and the rest ------------------


def test_support_appeal_newsletter_and_furniture_are_dropped() -> None:
    body = extract_article(bridge(), url=BRIDGE_URL).body
    for furniture in (
        "Support independent local journalism",
        "relies on readers like you",
        "Get the Morning Briefing",
        "Sign up to our free newsletter",
        "We use cookies",
        "Share on Social",
        "Read more",
        "Storm leaves harbour bridge closed",  # the "Read more" link's title
        "Related stories",
        "Ferry timetable changes",  # a related-story link
        "Corrections and Clarifications",  # the footer
        "Weather",  # the navigation
        "© 2025",
    ):
        assert furniture not in body, furniture


def test_story_structure_is_kept_in_our_body_format() -> None:
    article = extract_article(bridge(), url=BRIDGE_URL)
    parts = paragraphs(article.body)
    assert parts[0].startswith("The Lantern Street bridge over the harbour reopened")
    assert "Image: The repaired eastern pier seen from the ferry landing on Thursday." in parts
    assert "## What changed" in parts
    assert (
        "- New steel railings along both footpaths\n"
        "- A reinforced foundation for the eastern pier\n"
        "- Wider cycle lanes on the southern side"
    ) in parts
    assert any(p.startswith('> "We are relieved to have our crossing back') for p in parts)
    assert parts[-1].startswith("The council said a full review of the storm response")
    # links are not inlined; they are Link objects, furniture links gone with their text
    assert "http" not in article.body
    urls = {link.url: link for link in article.links}
    assert urls["https://courier.example/reports/storm-review"].title == (
        "its annual infrastructure report"
    )
    assert urls["https://courier.example/img/bridge.jpg"].rel == "media"
    assert not any("donate" in u or "storm-damage" in u for u in urls)


def test_metadata_of_the_invented_article() -> None:
    article = extract_article(bridge(), url=BRIDGE_URL)
    assert article.title == "Harbour bridge reopens after storm repairs"
    assert article.author == "Marta Quillfeather"
    assert article.published == datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
    assert article.url == BRIDGE_URL


def test_appeal_without_telling_markup_is_caught_by_its_words() -> None:
    page = """<html><head><title>Lighthouse keeper retires</title></head><body><article>
    <h1>Lighthouse keeper retires</h1>
    <p>After thirty-one years at the Grey Point light, keeper Osric Lindqvist handed over the keys
    on Saturday to the coastguard, which will run the light automatically from now on.</p>
    <h2>Support our journalism</h2>
    <p>Please consider supporting us with a contribution today. It takes only a minute.</p>
    <p>He said the hardest winters were the best ones, when the supply boat could not land for
    weeks and the radio was the only voice from the mainland.</p>
    <div class="box"><p>Never miss a story: sign up to our weekly newsletter.</p></div>
    <p>A small exhibition of his logbooks opens at the harbour museum next month, with the
    lamp's original brass burner on loan from the coastguard.</p>
    </article></body></html>"""
    body = extract_article(page).body
    assert "Please consider supporting" not in body
    assert "Support our journalism" not in body
    assert "Never miss a story" not in body
    # the story on both sides of the appeal survives
    assert body.startswith("After thirty-one years at the Grey Point light")
    assert "He said the hardest winters were the best ones" in body
    assert body.endswith("on loan from the coastguard.")


def test_news_that_mentions_a_newsletter_is_not_furniture() -> None:
    page = """<html><body><article><h1>Parish archive goes online</h1>
    <p>The parish council said its monthly newsletter, printed since 1952, has been scanned
    page by page and can now be read in the library, where volunteers spent two winters on it.</p>
    <p>Volunteers from the history society also digitised the parish registers, which go back to
    the early eighteenth century and were kept in the vestry until last year.</p>
    </article></body></html>"""
    body = extract_article(page).body
    assert "its monthly newsletter, printed since 1952" in body


# -- embedded posts ---------------------------------------------------------------------------


def test_embedded_posts_become_quotes() -> None:
    article = extract_article(ferry(), url="https://gazette.example/news/ferry")
    parts = paragraphs(article.body)
    assert (
        "> Agreement reached. Sailings resume from 10:00 today. Thank you to everyone for your "
        "patience.\n> — Island Ferries (@islandferries_ex), June 2, 2025"
    ) in parts
    assert (
        "> First boat out of the harbour this morning! Back to normal at last.\n"
        "> — Outer Isles Bakery (@outerislesbakery)"
    ) in parts
    assert "pic.twitter.com" not in article.body
    assert "A post shared by" not in article.body
    first, second = article.quotes
    assert (first.author, first.handle, first.date) == (
        "Island Ferries",
        "@islandferries_ex",
        "June 2, 2025",
    )
    assert first.url == "https://x.example/islandferries_ex/status/1"
    assert second.handle == "@outerislesbakery"
    assert second.url == "https://photos.example/p/xyz/"
    # as an entry: the posts stay in the body only; their URLs are numbered links
    entry = article.to_entry()
    assert entry.quotes == []
    post_links = {link.url: link.title for link in entry.links}
    assert post_links[first.url] == "post by Island Ferries (@islandferries_ex)"
    # the story between and after the embeds is intact, furniture is not
    assert parts[-1].startswith("Operator spokeswoman Rhian Falkenrath said")
    assert "Share this article" not in article.body
    assert "Read more" not in article.body and "Never miss" not in article.body
    assert not any("ferry-strike-day-one" in link.url for link in article.links)


def test_dates_with_time_and_offset_from_json_ld() -> None:
    article = extract_article(ferry())
    assert article.published is not None and article.published.isoformat() == (
        "2025-06-02T07:15:00+02:00"
    )
    assert article.updated is not None and article.updated.isoformat() == (
        "2025-06-02T09:40:00+02:00"
    )
    assert article.author == "Tomas Winterberry"


# -- hostile and empty pages --------------------------------------------------------------------


def test_hostile_text_is_cleaned_and_markup_kept_as_text() -> None:
    page = """<html><body><article><h1>Council \x1b]0;pwned\x07vote [bold]tonight[/bold]</h1>
    <p>The council votes tonight on the harbour plan \x1b[31mafter\x1b[0m a long debate in which
    members argued for hours about the cost, the [link=x]timetable[/link] and the parking.</p>
    <p>The vote is expected after nine o'clock, when the public gallery closes for the evening
    and the clerk reads the final amendments.</p></article></body></html>"""
    article = extract_article(page)
    # the HTML parser already drops the ESC and BEL bytes; what is left is inert text
    for text in (article.body, article.title):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert "[link=x]timetable[/link]" in article.body


@pytest.mark.parametrize(
    "page",
    ["", "   ", "<html><body><nav><a href='/'>Home</a></nav></body></html>"],
)
def test_page_without_article_text_raises_one_line_error(page: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(page)
    assert "\n" not in str(caught.value)


# -- the teaser rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "teaser"),
    [
        ("", True),
        ("The harbour bridge reopened on Friday.", True),
        ("A long first paragraph about the bridge works that goes on " * 30 + "…", True),
        ("Council approves the plan. Continue reading", True),
        ("The ferry crews voted on Monday. Read more »", True),
        ("Stand-first one.\n\nStand-first two.", True),
        ("One.\n\nTwo.\n\nThree short paragraphs are a full brief.", False),
        ("word " * 160, False),
    ],
)
def test_teaser_rule(body: str, teaser: bool) -> None:
    assert is_teaser(body) is teaser


def test_full_text_modes() -> None:
    long_body = "word " * 200
    url = "https://courier.example/a"
    assert wants_full_text("auto", "Short teaser.", url) == (True, "teaser")
    assert wants_full_text("auto", long_body, url) == (False, "full body")
    assert wants_full_text("always", long_body, url) == (True, "always")
    assert wants_full_text("never", "Short teaser.", url) == (False, "never")
    assert wants_full_text("always", "x", "") == (False, "no link")
    assert wants_full_text("always", "x", "javascript:alert(1)") == (False, "no link")


# -- import through the real CLI ----------------------------------------------------------------


def test_cli_imports_a_saved_article_page_as_one_entry(cli, tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(bridge(), "utf-8")
    first = cli("import", str(page))
    assert first.code == 0, first.err
    assert "1 new" in first.out
    again = cli("import", str(page))
    assert "0 new, 0 updated, 1 unchanged" in again.out
    listed = cli("entries", "--json")
    (entry,) = json.loads(listed.out)
    assert entry["kind"] == "article"
    assert entry["title"] == "Harbour bridge reopens after storm repairs"
    assert entry["author"] == "Marta Quillfeather"
    assert entry["published"] == "2025-03-14T09:30:00+00:00"
    assert "## What changed" in entry["body"]
    assert "relies on readers like you" not in entry["body"]
    found = cli("search", "harbourmaster", "--json")
    assert [e["id"] for e in json.loads(found.out)] == [entry["id"]]


def test_cli_import_of_a_page_without_text_is_one_clear_line(cli, tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", "utf-8")
    result = cli("import", str(page))
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if str(page) in line]
    assert lines and "no article text" in lines[0]


def test_cli_import_dispatches_live_blogs_and_articles(cli, corpus: Path, tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(bridge(), "utf-8")
    live = corpus / "liveblog-html" / "corkbeo.ie.level.html"
    result = cli("import", str(live), str(page))
    assert result.code == 0, result.err
    assert f"{live}: 26 new" in result.out  # LiveBlogPosting data: one entry per update
    assert f"{page}: 1 new" in result.out  # any other page: one article
    entries = json.loads(cli("entries", "--all", "--json").out)
    articles = [e for e in entries if e["kind"] == "article"]
    assert [a["title"] for a in articles] == ["Harbour bridge reopens after storm repairs"]
    assert len(entries) == 27


def test_furniture_sections_inside_the_article_body() -> None:
    page = """<html><head><title>Tram line extension approved</title></head><body>
    <header><a href="/">The Riverside Post</a><ul><li><a href="/a">Politics</a></li></ul></header>
    <article><h1>Tram line extension approved</h1>
    <p>The city assembly approved the long-debated tram extension to the northern suburbs on
    Wednesday, ending six years of studies and consultations.</p>
    <figure><img src="/t.jpg"><figcaption>Photograph: Hana Oyelaran</figcaption></figure>
    <p>Construction of the eleven new stops is expected to begin next spring and to take three
    years, with the first section open by the end of the decade.</p>
    <aside><h2>Sign up to The Morning Line</h2><p>Our free daily email: the news you need to
    start your day.</p><a href="/signup">Sign up</a></aside>
    <p>Opponents said the route through the old market square would harm traders, and promised
    to challenge the decision in court.</p>
    <p>Follow us on Social for the latest updates.</p>
    <h2>More on this story</h2>
    <ul><li><a href="/x">Tram plan: what we know</a></li><li><a href="/y">Traders fear tram
    works</a></li></ul>
    <h2>What happens next</h2>
    <p>The transport authority will publish the tender documents in the autumn, and bidders will
    have three months to respond.</p>
    </article>
    <div class="most-read"><h2>Most read</h2><ol><li><a href="/m1">Chef opens</a></li></ol></div>
    </body></html>"""
    article = extract_article(page, url="https://post.example/tram")
    assert paragraphs(article.body) == [
        "The city assembly approved the long-debated tram extension to the northern suburbs on "
        "Wednesday, ending six years of studies and consultations.",
        "Image: Photograph: Hana Oyelaran",
        "Construction of the eleven new stops is expected to begin next spring and to take three "
        "years, with the first section open by the end of the decade.",
        "Opponents said the route through the old market square would harm traders, and promised "
        "to challenge the decision in court.",
        "## What happens next",
        "The transport authority will publish the tender documents in the autumn, and bidders "
        "will have three months to respond.",
    ]
    assert [link.url for link in article.links] == ["https://post.example/t.jpg"]


def test_a_link_python_cannot_split_is_dropped_not_the_article() -> None:
    """The bridge page with one link written 'http://[::1' (an IPv6 bracket never closed):
    `urljoin` raised ValueError and the article was lost; now only that link is."""
    page = bridge().replace("https://courier.example/reports/storm-review", "http://[::1")
    article = extract_article(page, url=BRIDGE_URL)
    assert article.body == extract_article(bridge(), url=BRIDGE_URL).body
    assert not any("[::1" in link.url for link in article.links)

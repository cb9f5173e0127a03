"""Live-blog pages written here: every JSON-LD shape real sites use, and the HTML fallbacks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from wirereader.sources.liveblog_html import NotALiveBlog, loads_lenient, parse_page, parse_time

PAGE_URL = "https://valley.example/news/flood-live"


def page(*blocks: Any, body: str = "", raw: str = "") -> str:
    # Pages escape "</" inside JSON-LD so that "</script>" in a string cannot end the block.
    encoded = [json.dumps(block).replace("</", "<\\/") for block in blocks]
    scripts = "".join(f'<script type="application/ld+json">{text}</script>' for text in encoded)
    return f"<!DOCTYPE html><html><head>{scripts}{raw}</head><body>{body}</body></html>"


def posting(updates: Any, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "url": PAGE_URL,
        "headline": "River flooding: latest updates",
        "description": "Follow the latest on the flooding.",
        "author": {"@type": "Person", "name": "Desk Editor"},
        "liveBlogUpdate": updates,
        **extra,
    }


def update(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "@type": "BlogPosting",
        "url": f"{PAGE_URL}#post-{number}",
        "headline": f"Update {number}",
        "datePublished": f"2024-02-0{number}T10:00:00+01:00",
        "articleBody": f"<p>Text of update {number}.</p>",
        **fields,
    }


def test_plain_posting_gives_one_entry_per_update_in_order() -> None:
    document = parse_page(page(posting([update(3), update(2), update(1)])))
    assert document.format == "liveblog-html"
    assert document.title == "River flooding: latest updates" and document.url == PAGE_URL
    assert [e.title for e in document.entries] == ["Update 3", "Update 2", "Update 1"]
    assert [e.body for e in document.entries] == [f"Text of update {n}." for n in (3, 2, 1)]
    assert document.entries[0].stable_id == f"{PAGE_URL}#post-3"
    assert document.entries[0].published == datetime(2024, 2, 3, 9, tzinfo=timezone.utc)


def test_graph_wrapper_list_type_and_single_update_object() -> None:
    wrapped = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": PAGE_URL},
            {**posting(update(1)), "@type": ["LiveBlogPosting", "NewsArticle"]},
        ],
    }
    document = parse_page(page(wrapped))
    assert [e.title for e in document.entries] == ["Update 1"]


def test_top_level_list_and_blog_post_keys() -> None:
    for key in ("blogPost", "blogPosts"):
        blog = posting([])
        del blog["liveBlogUpdate"]
        blog[key] = [update(2), update(1)]
        document = parse_page(page([{"@type": "Organization", "name": "X"}, blog]))
        assert len(document.entries) == 2, key


def test_article_body_missing_object_list_and_entity_escaped() -> None:
    updates = [
        update(4, articleBody={"@type": "Text", "@value": "From an object &amp; more"}),
        update(3, articleBody=None, text="From the text field"),
        update(2, articleBody=["First part.", "Second part."]),
        update(
            1,
            headline="Council&apos;s &quot;plan&quot;",
            articleBody="NPHET&apos;s advice &amp; the <b>reply</b>",
        ),
    ]
    for u in updates:
        if u["articleBody"] is None:
            del u["articleBody"]
    entries = parse_page(page(posting(updates))).entries
    assert entries[0].body == "From an object & more"
    assert entries[1].body == "From the text field"
    assert entries[2].body == "First part.\n\nSecond part."
    assert entries[3].title == 'Council\'s "plan"'
    assert entries[3].body == "NPHET's advice & the reply"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-02-01T10:00:00+01:00", datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        ("2024-02-01T10:00:00+0100", datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        ("2024-02-01T10:00:00-0530", datetime(2024, 2, 1, 15, 30, tzinfo=timezone.utc)),
        ("2024-02-01T09:00:00Z", datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        ("2024-02-01T09:00:00.123Z", datetime(2024, 2, 1, 9, 0, 0, 123000, tzinfo=timezone.utc)),
        ("2024-02-01 09:00:00+00:00", datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        (1706778000, datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        ("1706778000000", datetime(2024, 2, 1, 9, tzinfo=timezone.utc)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_time_offsets(written: Any, expected: datetime | None) -> None:
    assert parse_time(written) == expected


def test_naive_times_take_the_given_zone() -> None:
    zone = timezone(timedelta(hours=-5))
    assert parse_time("2024-02-01T04:00:00", zone) == datetime(2024, 2, 1, 9, tzinfo=timezone.utc)


def test_fields_repeating_the_parent_give_way() -> None:
    updates = [
        # The parent's headline and description repeated: no news, the text's first line leads.
        update(
            2,
            headline="River flooding: latest updates",
            articleBody="Water levels are falling in the town centre. More soon.",
            author={"name": "Desk Editor"},
        ),
        update(
            1,
            headline="River flooding: latest updates",
            articleBody="",
            description="Follow the latest on the flooding.",
        ),
    ]
    document = parse_page(page(posting(updates)))
    first = document.entries[0]
    assert first.title == "Water levels are falling in the town centre. More soon."
    assert first.author == "Desk Editor"  # nothing better on the page: keep the repeat
    assert len(document.entries) == 1  # the second update holds nothing of its own


def test_html_fallback_by_fragment_for_time_author_and_text() -> None:
    updates = [
        {
            "@type": "BlogPosting",
            "url": f"{PAGE_URL}#2002",
            "headline": "Roads reopen",
            "author": {"name": "Desk Editor"},
        },
        {
            "@type": "BlogPosting",
            "url": f"{PAGE_URL}#2001",
            "headline": "Sandbags handed out",
            "articleBody": "At the fire station.",
        },
    ]
    body = (
        '<div class="entry" id="2002" data-post-time="1706781600000">'
        '<div class="meta"><time>10:00</time><span>Rosa Lindqvist</span></div>'
        "<h3>Roads reopen</h3><p>The A12 is clear.</p><p>Drive carefully.</p></div>"
        '<article id="entry-2001"><time datetime="2024-02-01T09:30:00+01:00">09:30</time>'
        '<span class="byline">By Tomas Berg</span><p>At the fire station.</p></article>'
    )
    document = parse_page(page(posting(updates), body=body))
    roads, sandbags = document.entries
    assert roads.published == datetime(2024, 2, 1, 10, tzinfo=timezone.utc)
    assert roads.author == "Rosa Lindqvist"  # JSON-LD only repeated the parent's author
    assert roads.body == "The A12 is clear.\n\nDrive carefully."
    assert sandbags.published == datetime(2024, 2, 1, 8, 30, tzinfo=timezone.utc)
    assert sandbags.author == "Tomas Berg"
    assert sandbags.body == "At the fire station."


def test_html_fallback_by_position_when_ids_do_not_match() -> None:
    updates = [
        {"@type": "BlogPosting", "headline": f"Post {n}", "articleBody": f"Body {n}"}
        for n in (2, 1)
    ]
    body = (
        '<li data-timestamp="1706778000">Post 2</li>'
        '<li data-timestamp="2024-02-01T08:00:00Z">Post 1</li>'
    )
    entries = parse_page(page(posting(updates), body=body)).entries
    assert [e.published for e in entries] == [
        datetime(2024, 2, 1, 9, tzinfo=timezone.utc),
        datetime(2024, 2, 1, 8, tzinfo=timezone.utc),
    ]
    # No ids anywhere: the stable id is a hash of (time, title), the same on every parse.
    again = parse_page(page(posting(updates), body=body)).entries
    assert entries[0].stable_id.startswith("h:") and entries[0].stable_id == again[0].stable_id


def test_json_ld_with_comments_control_characters_and_trailing_commas() -> None:
    raw = (
        '<script type="application/ld+json">\n'
        "// the CMS writes comments\n"
        '{"@type": "LiveBlogPosting", /* and block ones */ "headline": "Storm",\n'
        ' "liveBlogUpdate": [{"headline": "Gusts", "articleBody": "line one\n\tline two",\n'
        '   "datePublished": "2024-02-01T09:00:00Z",},],}\n'
        "</script>"
    )
    document = parse_page(page(raw=raw))
    (entry,) = document.entries
    assert entry.title == "Gusts" and entry.body == "line one\nline two"
    assert loads_lenient('{"url": "http://x.example/a//b", "n": [1,2,],}') == {
        "url": "http://x.example/a//b",
        "n": [1, 2],
    }


def test_pages_without_live_blog_data_raise_not_a_live_blog() -> None:
    article = {"@type": "NewsArticle", "headline": "Just an article"}
    for html in (
        "<html><body><p>No JSON-LD here</p></body></html>",
        page(article),
        page(posting([])),  # a posting without updates
        page(raw='<script type="application/ld+json">{not json at all</script>'),
        page(raw='<script type="application/ld+json">null</script>'),
        "",
    ):
        with pytest.raises(NotALiveBlog):
            parse_page(html)


def test_hostile_text_is_cleaned() -> None:
    updates = [
        update(
            1,
            headline="Evil\x1b[31m title\u202e",
            articleBody="<script>alert(1)</script><p>safe\x07 text</p>",
            author={"name": "Mal\x1b]0;x\x07lory"},
        )
    ]
    (entry,) = parse_page(page(posting(updates))).entries
    assert entry.title == "Evil title" and entry.body == "safe text"
    assert "\x1b" not in entry.author and "\x07" not in entry.author


def test_many_updates_and_deep_json_are_bounded() -> None:
    updates = [update(1, headline=f"Item {n}") for n in range(3000)]
    document = parse_page(page(posting(updates)))
    assert len(document.entries) == 3000
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(NotALiveBlog):
        parse_page(page(raw=f'<script type="application/ld+json">{deep}</script>'))


def test_entry_element_wins_over_a_key_events_link_with_the_same_id() -> None:
    updates = [
        {
            "@type": "BlogPosting",
            "url": f"{PAGE_URL}#3003",
            "headline": "Bridge closed",
            "author": {"name": "Desk Editor"},
            "image": {"url": "https://valley.example/top.jpg"},
        },
    ]
    body = (
        '<ul class="key-events"><li><a href="#3003" id="3003">Bridge closed</a></li></ul>'
        '<div class="entry" id="3003" data-post-time="1706781600000">'
        "<div><time>10:00</time><mark>KEY EVENT</mark></div><h3>Bridge closed</h3>"
        '<div class="tweet" data-url="https://social.example/status/42"></div></div>'
    )
    blog = posting(updates, image={"url": "https://valley.example/top.jpg"})
    (entry,) = parse_page(page(blog, body=body)).entries
    assert entry.published == datetime(2024, 2, 1, 10, tzinfo=timezone.utc)
    assert entry.author == "Desk Editor"  # a label in the author's place is not a name
    assert entry.body == ""
    # The embedded post is kept as a link; the posting's own picture, repeated, is not.
    assert [link.url for link in entry.links] == ["https://social.example/status/42"]


def test_an_update_linking_a_url_python_cannot_split_keeps_the_page() -> None:
    """An update whose url is 'http://[::1' (an IPv6 bracket never closed) and whose body links
    one: `urljoin` raised ValueError and the whole page failed; now only the bad links go."""
    bad = update(2, url="http://[::1", articleBody='<p>Text of <a href="http://[::1">two</a>.</p>')
    document = parse_page(page(posting([update(3), bad, update(1)])), url=PAGE_URL)
    assert [e.title for e in document.entries] == ["Update 3", "Update 2", "Update 1"]
    assert document.entries[1].body == "Text of two."
    assert not any("[::1" in e.url + "".join(x.url for x in e.links) for e in document.entries)

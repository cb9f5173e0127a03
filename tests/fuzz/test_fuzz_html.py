"""Property-based tests of the HTML / JSON-LD live-blog parser and the HTML-to-text converter:
pages rendered from random updates come back update for update, in every wrapping real pages
use, and no input whatsoever makes them raise anything but their documented refusal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirereader.sources.htmltext import html_to_text
from wirereader.sources.liveblog_html import NotALiveBlog, parse_page

LOWER = "abcdefghijklmnopqrstuvwxyz"
word = st.text(LOWER, min_size=2, max_size=9)
sentence = st.builds(
    lambda first, rest: first.capitalize() + " " + " ".join(rest) + ".",
    word,
    st.lists(word, min_size=3, max_size=12),
)
offsets = st.sampled_from([0, 60, -300, 330, 120])
update = st.tuples(
    st.lists(word, min_size=2, max_size=8),  # headline words
    sentence,  # body
    st.integers(0, 10**6),  # minutes after a base time
    offsets,
    st.sampled_from(["colon", "compact", "zulu"]),
    st.one_of(st.none(), st.builds(lambda a, b: f"{a.title()} {b.title()}", word, word)),
)
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def stamp(minutes: int, offset: int, style: str) -> tuple[str, datetime]:
    moment = BASE + timedelta(minutes=minutes)
    if style == "zulu":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment
    local = moment.astimezone(timezone(timedelta(minutes=offset)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    if style == "colon":
        text = text[:-2] + ":" + text[-2:]
    return text, moment


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(update, min_size=1, max_size=8, unique_by=lambda u: u[2]),
    st.sampled_from(["top", "graph", "list"]),
    st.sampled_from(["liveBlogUpdate", "blogPost", "blogPosts"]),
    st.booleans(),
)
def test_rendered_live_blog_parses_back_update_for_update(updates, wrap, key, list_type) -> None:
    expected = []
    items = []
    for n, (words, body, minutes, offset, style, author) in enumerate(updates):
        headline = f"Update {n} " + " ".join(words)
        when, moment = stamp(minutes, offset, style)
        item = {"@type": "BlogPosting", "@id": f"#u{n}", "headline": headline,
                "articleBody": body, "datePublished": when}  # fmt: skip
        if author:
            item["author"] = {"@type": "Person", "name": author}
        items.append(item)
        expected.append((headline, body, moment, author or ""))
    posting = {
        "@context": "https://schema.org",
        "@type": ["LiveBlogPosting", "NewsArticle"] if list_type else "LiveBlogPosting",
        "headline": "The blog itself",
        key: items,
    }
    block = {"top": posting, "graph": {"@graph": [posting]}, "list": [posting]}[wrap]
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps(block).replace("</", "<\\/")
        + "</script></head><body><p>page</p></body></html>"
    )
    doc = parse_page(page, url="https://example.invalid/live")
    got = sorted(
        ((e.title, e.body, e.published, e.author) for e in doc.entries), key=lambda x: x[0]
    )
    assert got == sorted(expected, key=lambda x: x[0])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "liveBlogUpdate",
                    "blogPost",
                    "headline",
                    "articleBody",
                    "datePublished",
                    "author",
                    "name",
                    "@id",
                    "url",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_any_json_ld_is_parsed_or_refused_cleanly(value, as_live_blog) -> None:
    if as_live_blog and isinstance(value, dict):
        value["@type"] = "LiveBlogPosting"
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps(value).replace("</", "<\\/")
        + "</script></head><body></body></html>"
    )
    try:
        doc = parse_page(page)
    except NotALiveBlog:
        return
    for entry in doc.entries:
        assert isinstance(entry.title, str) and "\x1b" not in entry.title + entry.body


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_converts_without_raising(fragment: str) -> None:
    body, links = html_to_text(fragment, base_url="https://example.invalid/")
    assert "\x1b" not in body and "\x00" not in body
    assert all(isinstance(link.url, str) for link in links)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<ul><li>", "</li></ul>",
                                 "<blockquote>", "</blockquote>", "<h2>", "</h2>", "text ",
                                 "<a href='javascript:x'>", "</a>", "<script>", "</script>",
                                 "&amp;", "&#x1b;", "<br>"]), max_size=400))  # fmt: skip
def test_tag_soup_converts_without_raising(parts: list[str]) -> None:
    body, _ = html_to_text("".join(parts))
    assert "\x1b" not in body

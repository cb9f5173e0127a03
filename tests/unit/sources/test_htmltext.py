"""HTML fragments -> body text format: paragraphs, lists, headings, quotes, links."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from wirereader.core.model import Link
from wirereader.core.text import clean_text
from wirereader.sources.htmltext import (
    _is_simple,
    _simple_to_text,
    _tree_to_text,
    html_to_text,
    looks_like_html,
    plain_to_text,
)


def test_blocks_become_the_body_format() -> None:
    text, _ = html_to_text(
        "<h2>Road closures</h2><p>The <b>bridge</b> is shut &amp; traffic is slow.</p>"
        "<ul><li>North lane</li><li>South <i>lane</i></li></ul>"
        "<blockquote><p>We are working on it</p><p>Please be patient</p></blockquote>"
        "<p>Final paragraph.</p>"
    )
    assert text == (
        "## Road closures\n\n"
        "The bridge is shut & traffic is slow.\n\n"
        "- North lane\n- South lane\n\n"
        "> We are working on it\n> Please be patient\n\n"
        "Final paragraph."
    )


def test_line_breaks_and_double_breaks() -> None:
    text, _ = html_to_text("first line<br>second line<br><br>new paragraph")
    assert text == "first line\nsecond line\n\nnew paragraph"


def test_html_whitespace_is_folded_but_pre_is_kept() -> None:
    text, _ = html_to_text("<p>spread\n   over\tlines</p><pre>a  b\n  c</pre>")
    assert text.startswith("spread over lines\n\n")
    assert "a b\nc" in text  # clean_text folds runs of spaces inside lines too


def test_links_are_collected_not_inlined() -> None:
    text, links = html_to_text(
        '<p>Read <a href="/report">the full report</a> and '
        '<a href="https://other.example/x">this</a>.</p>'
        '<img src="pic.jpg" alt="A bridge"><a href="javascript:alert(1)">bad</a> '
        '<a href="/report">same again</a>',
        base_url="https://news.example/live/1",
    )
    assert text == "Read the full report and this.\n\nbad same again"
    assert links == [
        Link(url="https://news.example/report", title="the full report", rel="related"),
        Link(url="https://other.example/x", title="this", rel="related"),
        Link(url="https://news.example/live/pic.jpg", title="A bridge", rel="media"),
    ]


def test_scripts_styles_and_comments_are_dropped() -> None:
    text, _ = html_to_text(
        "<style>p{color:red}</style><p>kept<script>document.write('no')</script> text</p>"
        "<!-- hidden --><noscript>enable js</noscript><template><p>never</p></template>"
    )
    assert text == "kept text"


def test_entities_are_unescaped_and_controls_removed() -> None:
    text, _ = html_to_text("<p>caf&eacute; &#8220;quoted&#8221; &lt;tag&gt; \x1b[31mred\x07</p>")
    assert text == "café “quoted” <tag> red"


def test_entities_without_tags_take_the_fast_path() -> None:
    assert html_to_text("AT&amp;T &gt; all") == ("AT&T > all", [])
    assert html_to_text("") == ("", [])


def test_deep_nesting_keeps_the_words() -> None:
    fragment = "<div>" * 20_000 + "deep words" + "</div>" * 20_000 + "<p>after</p>"
    started = time.perf_counter()
    text, _ = html_to_text(fragment)
    assert "deep words" in text and "after" in text
    assert time.perf_counter() - started < 5


def test_garbage_markup_does_not_crash() -> None:
    for fragment in [
        "<p><b>unclosed <i>tags",
        "</div></p>stray closers",
        "<<<>>>&&&;;",
        "<a href=>empty</a>",
        "<p>" * 5000,
        "<![CDATA[x]]>",
        "\x00<p>nul</p>",
    ]:
        text, links = html_to_text(fragment)
        assert isinstance(text, str) and isinstance(links, list)
    assert html_to_text("<p><b>unclosed <i>tags")[0] == "unclosed tags"


def test_huge_fragment_is_cut_and_bounded_in_time() -> None:
    fragment = "<p>" + "word " * 2_000_000 + "</p>"
    started = time.perf_counter()
    text, _ = html_to_text(fragment)
    assert 0 < len(text) <= 2_000_000
    assert time.perf_counter() - started < 10


def test_plain_text_keeps_its_paragraphs_and_markup_characters() -> None:
    assert plain_to_text("a <b> literal\n\n\n\nnext") == "a <b> literal\n\nnext"
    assert looks_like_html("x <b>y</b>") and looks_like_html("AT&amp;T")
    assert not looks_like_html("3 < 4 and 5 > 2")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<br>",
                "<b>",
                "</b>",
                "<li>",
                "<ul>",
                "</ul>",
                "<h2>",
                "</h2>",
                "<blockquote>",
                "</blockquote>",
                "&amp;",
                "&#10;",
                " ",
                "\n",
                "word",
                "\x1b",
                "<a href='/x'>",
                "</a>",
            ]
        ),
        max_size=30,
    )
)
def test_any_tag_soup_gives_clean_body_text(parts: list[str]) -> None:
    text, links = html_to_text("".join(parts), base_url="https://site.example/")
    assert text == clean_text(text)  # already clean: nothing left for clean_text to change
    assert "\n\n\n" not in text and "<b>" not in text
    assert all(link.url == "https://site.example/x" for link in links)


_SIMPLE_TOKENS = [
    "word",
    "Other",
    " ",
    "\n",
    "  ",
    ">",
    '"q"',
    "'",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&nbsp;",
    "&#8217;",
    "&#x2014;",
    "&#39;",
    "<p>",
    "</p>",
    '<p class="lead">',
    "<br>",
    "<br/>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<em>",
    "</em>",
    "<strong>",
    "</strong>",
    "<span>",
    "</span>",
    '<a href="/rel?a=1&amp;b=2">',
    '<a href="https://x.example/abs" title="t">',
    "</a>",
    '<img src="/pic.jpg" alt="A &amp; B">',
    '<img src="https://i.example/p.png"/>',
    "é",
    "\u00a0",
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    '<li class="x">',
    "&#133;",
    "&#x85;",
    "&#127;",
    "&#160;",
    "&#xd800;",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_SIMPLE_TOKENS), max_size=25))
def test_simple_fragments_read_the_same_without_a_tree(parts: list[str]) -> None:
    """The regex path for plain paragraphs-and-links fragments equals the tree walk exactly."""
    fragment = "".join(parts)
    if _is_simple(fragment):
        base = "https://site.example/dir/"
        assert _simple_to_text(fragment, base) == _tree_to_text(fragment, base)


def test_lists_on_the_simple_path() -> None:
    fragment = "<p>Key points:</p><ul><li>One <b>x</b></li> <li></li><li>Two</li></ul>after"
    assert _is_simple(fragment)
    assert html_to_text(fragment) == ("Key points:\n\n- One x\n- Two\n\nafter", [])
    assert html_to_text(fragment) == _tree_to_text(fragment, "")


def test_simple_path_is_taken_for_ordinary_items() -> None:
    assert _is_simple('<p>One <a href="https://a.example/x?y=1&amp;z=2">link</a>.</p><p>Two</p>')
    assert _is_simple("<p>Key points:</p><ul><li>One</li><li>Two</li></ul>")
    for odd in (
        "<ul><li>a<li>b</ul>",
        "<ol><li>x</li></ul>",
        "<li>x</li>",
        "<ul><li>a<br>b</li></ul>",
        "&#133;",
        "<ul><li><ul><li>deep</li></ul></li></ul>",
        "<p>x<ul><li>y</li></ul>",
        "<em><p>x</p></em>",
        "x</p>y",
        "<b><i>x</b></i>",
        "<P>upper</P>",
        "a < b",
        "&copy;",
        "<p onclick='x'>y</p>",
        "<!-- c --><p>x</p>",
    ):
        assert not _is_simple(odd), odd

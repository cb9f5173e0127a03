"""OPML subscription lists: nested folders, round trips, hostile documents, the import hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirereader.sources.opml import OpmlError, OpmlOutline, parse_opml, render_opml

NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="Harbour &amp; Sea" xmlUrl="https://harbour.example/rss?a=1&amp;b=2"
                 htmlUrl="https://harbour.example/"/>
      </outline>
      <outline type="rss" title="Valley Courier" text="ignored when title is set"
               xmlUrl="https://courier.example/atom.xml"/>
    </outline>
    <outline type="rss" text="Loose feed" xmlUrl="https://loose.example/feed"
             category="/Tech/Radio"/>
    <outline type="rss" text="Duplicate" xmlUrl="https://loose.example/feed"/>
    <outline text="Empty folder"/>
    <outline text="A page, not a feed" htmlUrl="https://page.example/"/>
  </body>
</opml>
"""


def test_nested_outlines_become_categories() -> None:
    assert parse_opml(NESTED) == [
        OpmlOutline(
            "https://harbour.example/rss?a=1&b=2",
            "Harbour & Sea",
            "https://harbour.example/",
            "News/World",
        ),
        OpmlOutline("https://courier.example/atom.xml", "Valley Courier", "", "News"),
        OpmlOutline("https://loose.example/feed", "Loose feed", "", "Tech/Radio"),
    ]


def test_render_then_parse_round_trips() -> None:
    feeds = [
        OpmlOutline("https://a.example/rss", 'A <&> "quoted"', "https://a.example/", "News/World"),
        OpmlOutline("https://b.example/feed?x=1&y=2", "", "", ""),
        OpmlOutline("https://c.example/atom", "C", "", "News"),
    ]
    text = render_opml(feeds)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    back = parse_opml(text)
    assert {f.url for f in back} == {f.url for f in feeds}
    by_url = {f.url: f for f in back}
    assert by_url["https://a.example/rss"].title == 'A <&> "quoted"'
    assert by_url["https://a.example/rss"].category == "News/World"
    assert by_url["https://b.example/feed?x=1&y=2"].title == "https://b.example/feed?x=1&y=2"
    assert by_url["https://c.example/atom"].category == "News"


def test_bytes_and_other_encodings() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body>'
        '<outline text="Café" xmlUrl="https://cafe.example/rss"/></body></opml>'
    ).encode("latin-1")
    assert parse_opml(data)[0].title == "Café"


def test_hostile_documents_are_refused_in_one_line(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("SECRET")
    bomb = (
        '<!DOCTYPE opml [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>'
    )
    external = (
        f'<!DOCTYPE opml [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<opml><body><outline text="&e;" xmlUrl="https://x.example/"/></body></opml>'
    )
    for document in (bomb, external, "", "not xml", "<html><body/></html>", "<opml/>"):
        with pytest.raises(OpmlError) as caught:
            parse_opml(document)
        assert "\n" not in str(caught.value) and "SECRET" not in str(caught.value)


def test_deep_nesting_and_control_characters() -> None:
    def nested(depth: int) -> str:
        return (
            "<opml><body>"
            + '<outline text="f">' * depth
            + '<outline text="Deep\x1b[31m" xmlUrl="https://deep.example/"/>'
            + "</outline>" * depth
            + "</body></opml>"
        )

    (found,) = parse_opml(nested(100))
    assert found.title == "Deep" and found.url == "https://deep.example/"
    assert found.category.count("f") == 64  # folder paths are capped, the feed is kept
    with pytest.raises(OpmlError, match="nested too deeply"):
        parse_opml(nested(300))


def test_importing_an_opml_file_points_to_subscriptions(tmp_path: Path, cli) -> None:
    path = tmp_path / "subs.opml"
    path.write_text(NESTED, encoding="utf-8")
    result = cli("import", str(path))
    assert result.code != 0
    first = result.err.splitlines()[0]
    assert "subs.opml" in first and "OPML" in first and "3 feeds" in first
    assert f"wirereader add --opml {path}" in first
    assert "Traceback" not in result.err

"""The same live blog captured again under another file name updates its entries as new
versions (the source is the live blog, not the file name); a title edit shows the new title."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED

IMPORT = ("import", "--date", "2025-04-28", "--tz", "Europe/London")
OLD_TITLE = "Russia launches 166 drones at Ukraine through Monday"
NEW_TITLE = "Russia launched 166 drones at Ukraine overnight into Monday"


def _import(cli, *files: Path) -> list[dict]:
    result = cli(*IMPORT, *map(str, files), "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["files"]


def test_a_capture_saved_again_under_another_name_updates_its_entries(cli, tmp_path: Path) -> None:
    text = LIVEBLOG_SEED.read_text("utf-8")
    assert text.count(OLD_TITLE) == 1
    first = tmp_path / "live-1100.txt"
    first.write_text(text, "utf-8")
    later = tmp_path / "Ukraine live (2).txt"
    later.write_text(text.replace(OLD_TITLE, NEW_TITLE), "utf-8")

    [one] = _import(cli, first)
    before = json.loads(cli("entries", "--all", "--json").out)
    [two] = _import(cli, later)
    assert (two["new"], two["updated"], two["unchanged"]) == (0, 1, one["new"] - 1)
    after = json.loads(cli("entries", "--all", "--json").out)
    assert len(after) == len(before)
    assert {e["source"] for e in after} == {"live-1100"}
    # The edited item shows its newest title and keeps the old one as a version.
    [item] = [e for e in json.loads(cli("entries", "drones", "--json").out) if "166" in e["title"]]
    assert item["title"] == NEW_TITLE
    shown = json.loads(cli("show", str(item["id"]), "--json").out)
    assert [v["title"] for v in shown["versions"]] == [OLD_TITLE, NEW_TITLE]
    # A third copy under yet another name changes nothing.
    [three] = _import(cli, tmp_path / "Ukraine live (2).txt")
    assert (three["new"], three["updated"]) == (0, 0)


def _capture(entries: list[tuple[str, str, str, str]]) -> str:
    """A capture in the browser-copy format: title line, `HH:MM , Author` glued to the body."""
    lines = ["Harbour strike live: crane operators walk out at dawn across the port.", ""]
    for time, author, title, body in entries:
        lines += [title, f"{time} , {author}{body}", ""]
    return "\n".join(lines)


def test_a_different_live_blog_stays_its_own_source(cli, tmp_path: Path) -> None:
    seed = tmp_path / "ukraine.txt"
    seed.write_text(LIVEBLOG_SEED.read_text("utf-8"), "utf-8")
    # One entry at the same minute by the same reporter is not the same live blog.
    other = tmp_path / "harbour.txt"
    other.write_text(
        _capture(
            [
                ("16:28", "Alex Croft", "Cranes stop", "The cranes stopped at dawn today."),
                ("14:02", "Mara Quell", "Pickets form", "Pickets formed at the main gate."),
                ("13:10", "Mara Quell", "Talks fail", "Talks failed late last night again."),
            ]
        ),
        "utf-8",
    )
    _import(cli, seed)
    [harbour] = _import(cli, other)
    assert harbour["new"] >= 3 and harbour["updated"] == 0
    sources = {e["source"] for e in json.loads(cli("entries", "--all", "--json").out)}
    assert sources == {"ukraine", "harbour"}


def _page(updates: list[tuple[str, str, str]]) -> str:
    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Harbour strike live",
        "url": "https://news.example.org/live/harbour-strike",
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": f"https://news.example.org/live/harbour-strike#{uid}",
                "headline": headline,
                "datePublished": when,
                "articleBody": f"{headline}. The port stays shut while the talks go on.",
            }
            for uid, when, headline in updates
        ],
    }
    script = json.dumps(posting)
    return f'<html><head><script type="application/ld+json">{script}</script></head></html>'


def test_a_saved_live_blog_page_is_filed_under_its_url(cli, tmp_path: Path) -> None:
    morning = tmp_path / "harbour.html"
    morning.write_text(
        _page(
            [
                ("p2", "2025-04-28T09:10:00+01:00", "Pickets form at the gate"),
                ("p1", "2025-04-28T08:00:00+01:00", "Cranes stop"),
            ]
        ),
        "utf-8",
    )
    noon = tmp_path / "harbour (1).html"
    noon.write_text(
        _page(
            [
                ("p3", "2025-04-28T12:00:00+01:00", "Talks resume"),
                ("p2", "2025-04-28T09:10:00+01:00", "Pickets form at the main gate"),
                ("p1", "2025-04-28T08:00:00+01:00", "Cranes stop"),
            ]
        ),
        "utf-8",
    )
    [first] = _import(cli, morning)
    [second] = _import(cli, noon)
    assert first["new"] == 2
    assert (second["new"], second["updated"], second["unchanged"]) == (1, 1, 1)
    rows = json.loads(cli("entries", "--all", "--json").out)
    assert len(rows) == 3 and len({r["source"] for r in rows}) == 1
    assert "Pickets form at the main gate" in {r["title"] for r in rows}


def test_the_bundled_article_imported_again_by_its_path_is_the_same_entry(
    cli, db_path: Path, tmp_path: Path
) -> None:
    # The demo files the bundled samples under 'article-sample' and 'liveblog-sample'. The
    # capture imported again by its path joined its source; the article (one entry, no URL)
    # became a second entry under its path, folded as a repost of the first.
    from wirereader.cli.app import load_samples
    from wirereader.store.db import Store

    with Store(db_path) as store:
        assert load_samples(store) == 56
    before = json.loads(cli("entries", "--all", "--json").out)
    copy = tmp_path / "North Korea article.txt"
    copy.write_text(ARTICLE_SEED.read_text("utf-8"), "utf-8")
    for path in (ARTICLE_SEED, copy):
        [again] = _import(cli, path)
        assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 1)
    after = json.loads(cli("entries", "--all", "--json").out)
    assert len(after) == len(before)
    assert {e["source"] for e in after} == {"article-sample", "liveblog-sample"}
    # An article of other text is its own file's entry, as before.
    other = tmp_path / "other.txt"
    text = ARTICLE_SEED.read_text("utf-8")
    other.write_text(text.replace("confirmed for the first time", "said again"), "utf-8")
    [new] = _import(cli, other)
    assert new["new"] == 1

"""`import` says how it read a file that is not UTF-8, as `fetch` says it of a feed, and reads a
saved page that names no charset as browsers do (Windows-1252 unless the bytes clearly say
otherwise)."""

from __future__ import annotations

import json
from pathlib import Path

LATIN_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Latin news'
    b"</title><item><title>Ni\xf1o storm closes the caf\xe9s</title><description>The storm"
    b" reached the coast.</description><guid>latin-1</guid></item></channel></rss>\n"
)
LATIN_PAGE = (
    b"<html><head><title>Caf\xe9</title></head><body>"
    b"<p>Ni\xf1o storm caf\xe9 closes early today.</p></body></html>"
)


def test_import_notes_a_feed_read_as_another_encoding(cli, tmp_path: Path) -> None:
    feed = tmp_path / "latin.xml"
    feed.write_bytes(LATIN_FEED)
    result = cli("import", str(feed))
    assert result.code == 0, result.err
    assert f"{feed}: not valid UTF-8 (byte 0xf1 at offset 107); read as cp1252" in result.err
    again = cli("import", "--json", str(feed))
    report = json.loads(again.out)["files"][0]
    assert report["warnings"] == [
        f"{feed}: not valid UTF-8 (byte 0xf1 at offset 107); read as cp1252"
    ]
    [item] = json.loads(cli("entries", "--json").out)
    assert item["title"] == "Niño storm closes the cafés"


def test_import_reads_a_latin_page_as_browsers_do(cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(LATIN_PAGE)
    result = cli("import", str(page))
    assert result.code == 0, result.err
    assert f"{page}: not valid UTF-8 (byte 0xe9 at offset 22); read as cp1252" in result.err
    [item] = json.loads(cli("entries", "--json").out)
    assert item["body"] == "Niño storm café closes early today."  # (guessed: Nińo)


def test_import_reads_a_saved_page_in_its_meta_charset(cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    text = "<html><head><meta charset='koi8-r'><title>Новости</title></head><body><p>{}</p>"
    page.write_bytes(text.format("Президент рассказал о планах.").encode("koi8-r"))
    result = cli("import", str(page))
    assert result.code == 0, result.err
    assert "UTF-8" not in result.err  # it said what it is: nothing to note
    [item] = json.loads(cli("entries", "--json").out)
    assert item["body"] == "Президент рассказал о планах."

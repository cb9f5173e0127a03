"""The CLI contract for import / entries / search / export, and every bad input, end to end."""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path

import pytest

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED

ENTRY_KEYS = {
    "id", "source", "url", "published", "time_guessed", "updated", "author", "title", "body",
    "kind", "thread", "reposts", "entities", "quotes", "links",
}  # fmt: skip


def capture_lines(path: Path) -> list[tuple[str, str]]:
    """(HH:MM, author) straight from the capture text, independent of the parser."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^(\d\d:\d\d) , (Alex Croft|Rebecca Whittaker|Arpan Rai)", line)
        if match:
            out.append((match.group(1), match.group(2)))
    return out


def test_import_then_entries_all_json_matches_the_capture(cli) -> None:
    result = cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London")
    assert result.code == 0, result.err
    assert "55 new" in result.out

    listed = cli("entries", "--all", "--json")
    assert listed.code == 0, listed.err
    entries = json.loads(listed.out)
    timeline = [e for e in entries if e["kind"] != "summary"]
    assert len(timeline) == 54
    for e in entries:
        assert set(e) == ENTRY_KEYS | {"canonical"}
    got = [(e["published"][11:16], e["author"]) for e in timeline]
    assert got == capture_lines(LIVEBLOG_SEED)
    for e in timeline:
        assert e["published"].startswith("2025-04-28T") and e["published"].endswith("+01:00")
        assert e["author"] and not e["body"].startswith(e["author"])
        assert "pic.twitter.com" not in e["body"] and "(@" not in e["body"]
    titles = {e["published"][11:16]: e["title"] for e in timeline}
    assert titles["15:23"] == "Ukraine offers assistance to Spain and Portugal blackouts"
    assert titles["04:39"] == (
        "North Korea confirms it sent troops to Russia to support Putin's war efforts"
    )

    again = cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London")
    assert again.code == 0 and "0 new, 0 updated, 55 unchanged" in again.out
    assert len(json.loads(cli("entries", "--all", "--json").out)) == 55


def test_entries_json_shape_and_search(cli) -> None:
    assert cli("import", str(ARTICLE_SEED), "--date", "2025-04-28", "--tz", "UTC").code == 0
    items = json.loads(cli("entries", "--json").out)
    assert len(items) == 1
    assert set(items[0]) == ENTRY_KEYS
    assert items[0]["kind"] == "article"
    assert items[0]["published"] == "2025-04-28T00:00:00+00:00"
    assert isinstance(items[0]["reposts"], list) and isinstance(items[0]["entities"], list)

    found = json.loads(cli("search", "Lavrov", "--json").out)
    assert [x["title"] for x in found] == ["North Korea admits sending troops to Russia"]
    assert json.loads(cli("search", "zzzunknownword", "--json").out) == []
    human = cli("search", "Lavrov")
    assert "North Korea admits sending troops" in human.out


def test_export_json_has_every_entry(cli) -> None:
    cli("import", str(LIVEBLOG_SEED), str(ARTICLE_SEED), "--tz", "Europe/London")
    exported = json.loads(cli("export", "--format", "json").out)
    assert len(exported) == 56
    assert all("canonical" in e for e in exported)


def test_jsonl_import_by_content_not_extension(cli, tmp_path: Path) -> None:
    data = tmp_path / "notes.dat"
    data.write_text(
        '{"id": "n1", "title": "Harbour reopens", "text": "Boats are out again.",'
        ' "published": "2024-01-09T09:15:00+01:00", "author": "Eva Horn"}\n'
        '{"title": "Council meets", "body": "Shelters stay open.", "url": "https://example.org/c"}\n'
    )
    result = cli("import", str(data))
    assert result.code == 0, result.err
    assert "2 new" in result.out and "(jsonl)" in result.out
    rows = json.loads(cli("entries", "--json").out)
    harbour = next(r for r in rows if r["title"] == "Harbour reopens")
    assert harbour["published"] == "2024-01-09T09:15:00+01:00"
    assert harbour["author"] == "Eva Horn" and harbour["body"] == "Boats are out again."
    assert cli("import", str(data)).out.count("0 new") == 1


def test_bad_inputs_each_give_one_line_and_nonzero_exit(cli, tmp_path: Path) -> None:
    assert cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London").code == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Caf\xe9 headline\n10:00 , Ana SilvaBody text here.\n".encode("latin-1"))
    unknown = tmp_path / "table.csv"
    unknown.write_text("a,b,c\n1,2,3\n")
    cases = {
        str(tmp_path / "missing.txt"): "no such file",
        str(tmp_path): "is a directory",
        str(empty): "empty file",
        str(binary): "binary file",
        str(latin): "not valid UTF-8",
        str(unknown): "unknown format",
    }
    for path, problem in cases.items():
        result = cli("import", path)
        assert result.code != 0, path
        lines = [x for x in result.err.splitlines() if x.strip()]
        assert lines[0].startswith(f"wirereader: {path}: {problem}"), (path, result.err)
        # One line: "1 of 1 files failed or were incomplete; ..." followed it.
        assert len(lines) == 1, result.err
        assert "Traceback" not in result.err
    # Nothing already in the cache was lost.
    assert len(json.loads(cli("entries", "--all", "--json").out)) == 55


def test_truncated_capture_imports_what_is_there_and_says_so(cli, tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    text = LIVEBLOG_SEED.read_text("utf-8")
    cut.write_text(text[: text.index("04:39 , ") + 3])
    result = cli("import", str(cut), "--tz", "Europe/London")
    assert result.code != 0
    assert f"{cut}: truncated" in result.err
    timeline = [e for e in json.loads(cli("entries", "--all", "--json").out)]
    assert len(timeline) == 54  # 53 complete entries and the summary


def test_one_bad_file_does_not_stop_the_others(cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = cli("import", str(missing), str(ARTICLE_SEED), str(LIVEBLOG_SEED))
    assert result.code == 1
    assert f"{missing}: no such file" in result.err
    assert "1 of 3 files failed or were incomplete" in result.err
    assert len(json.loads(cli("entries", "--all", "--json").out)) == 56


def test_hostile_title_is_plain_text_in_the_table(cli, tmp_path: Path) -> None:
    data = tmp_path / "hostile.jsonl"
    data.write_text(
        json.dumps(
            {"title": "[bold red]x[/] \x1b[2J[link=file:///etc/passwd]y[/link] [/", "text": "z"}
        )
        + "\n"
    )
    assert cli("import", str(data)).code == 0
    out = cli("entries").out
    assert "[bold red]x[/]" in out and "[link=file:///etc/passwd]y[/link] [/" in out
    assert "\x1b" not in out


def test_feeds_and_pages_in_legacy_encodings_import(cli, tmp_path: Path) -> None:
    feed = tmp_path / "latin.xml"
    feed.write_bytes(
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Café'
        "</title><item><guid>1</guid><title>Crème brûlée for the café</title>"
        "<description>Déjà vu in the square.</description></item></channel></rss>".encode(
            "iso-8859-1"
        )
    )
    page = tmp_path / "page.html"
    page.write_bytes(
        (
            '<html><head><meta charset="windows-1252"><title>Le café</title></head><body>'
            "<article><h1>Le café rouvre ses portes</h1>"
            + "<p>Après des mois de travaux, le café de la place rouvre ce matin à huit heures, "
            "et les habitués sont déjà là pour le premier café de la journée.</p>"
            * 4
            + "</article></body></html>"
        ).encode("cp1252")
    )
    result = cli("import", str(feed), str(page))
    assert result.code == 0, result.err
    titles = {e["title"] for e in json.loads(cli("entries", "--json").out)}
    assert "Crème brûlée for the café" in titles
    assert any("café" in t for t in titles - {"Crème brûlée for the café"})


def test_minus_kind_excludes_that_kind(cli) -> None:
    assert cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London").code == 0
    kinds = {
        e["kind"] for e in json.loads(cli("entries", "-kind:summary", "-kind:post", "--json").out)
    }
    assert kinds and not kinds & {"summary", "post"}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["entries", "--limit", "-1"], "--limit: expected 0 or more, not -1"),
        (["search", "harbour", "--limit", "-3"], "--limit: expected 0 or more, not -3"),
        (["threads", "--limit", "-1"], "--limit: expected 0 or more, not -1"),
        (["entities", "--limit", "ten"], "--limit: expected a whole number, not 'ten'"),
        (["tail", "-n", "-3"], "-n/--lines: expected 0 or more, not -3"),
        (["articles", "--again", "0"], "--again: expected 1 or more, not 0"),
        # `threads --min-size 0` was accepted (every thread has one item or more).
        (["threads", "--min-size", "0"], "--min-size: expected 1 or more, not 0"),
        (["show", "0"], "ID: expected 1 or more, not 0"),
        # Beyond SQLite's integers: "internal error: OverflowError" / islice's ValueError.
        (["show", "99999999999999999999"], "ID: expected at most 9223372036854775807"),
        (
            ["entries", "--limit", "99999999999999999999"],
            "--limit: expected at most 9223372036854775807",
        ),
        (
            ["threads", "--min-size", "99999999999999999999"],
            "--min-size: expected at most 9223372036854775807",
        ),
    ],
)
def test_a_negative_count_is_a_usage_error(cli, args: list[str], said: str) -> None:
    # `entries --limit -1` was "internal error: ValueError: Stop argument for islice()...",
    # and `tail -n -3` waited in silence.
    feed = Path(__file__).parent.parent / "fixtures" / "feeds" / "cdata-html-author.rss"
    assert cli("import", str(feed)).code == 0
    result = cli(*args)
    assert result.code == 2
    [line] = result.err.splitlines()  # one line, no usage block before it
    assert line.startswith(f"wirereader: {args[0]} {said}; see 'wirereader {args[0]} --help'")
    assert "internal error" not in result.err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--db"], "wirereader: --db: expected one argument; see 'wirereader --help'"),
        (["bogus"], "wirereader: unknown command 'bogus' (choose from 'import', 'entries',"),
        (["entries", "--bogus"], "wirereader: entries: unrecognized arguments: --bogus; see"),
        (["show"], "wirereader: show: the following arguments are required: ID; see 'wirer"),
        (["entities", "--kind", "x"], "wirereader: entities --kind: invalid choice: 'x' (cho"),
        (["prune"], "wirereader: prune: the following arguments are required: --older-than;"),
        (["entries", "--limit", "\x1b[31mred"], "wirereader: entries --limit: expected a who"),
    ],
)
def test_a_usage_error_is_one_line(cli, args: list[str], line: str) -> None:
    # argparse printed its usage block and then the error: two to four lines, the problem last
    # (`--db` without a path, twice over).
    result = cli(*args)
    assert result.code == 2 and result.out == ""
    [said] = result.err.splitlines()
    assert said.startswith(line) and "\x1b" not in said
    assert "usage:" not in result.err


def test_help_is_still_the_usage_and_the_options(cli) -> None:
    result = cli("entries", "--help")
    assert result.code == 0 and result.out.startswith("usage: wirereader entries")
    assert "--limit LIMIT" in result.out and result.err == ""


def test_every_number_option_uses_the_shared_count_checks() -> None:
    # A bare `type=int` takes 0, negatives and numbers SQLite cannot hold.
    from wirereader.cli import build_parser
    from wirereader.cli.common import count_arg, nonempty_arg, positive_arg

    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    typed = {
        (name, action.dest): action.type
        for name, command in sub.choices.items()
        for action in command._actions
        if action.type is not None
    }
    assert typed and all(
        kind in (count_arg, positive_arg, nonempty_arg) for kind in typed.values()
    ), typed


@pytest.mark.parametrize("args", [("add", ""), ("add", "  "), ("import", "x.txt", "")])
def test_an_empty_url_or_path_is_a_usage_error(cli, args: tuple[str, ...]) -> None:
    # `add ''` opened the current directory: ": is a directory, not a file", exit 1.
    result = cli(*args)
    assert result.code == 2 and result.out == ""
    assert "expected a URL or a path, not an empty string" in result.err
    assert "directory" not in result.err


@pytest.mark.parametrize("query", ['"', "*", '""', "-"])
def test_a_search_for_nothing_says_so(cli, query: str) -> None:
    # These parse to no term at all: `search '"'` listed every entry, as a search that
    # matched them all.
    feed = Path(__file__).parent.parent / "fixtures" / "feeds" / "cdata-html-author.rss"
    assert cli("import", str(feed)).code == 0
    result = cli("search", query)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"wirereader: nothing to search for in {query!r}")
    assert cli("search", "--json", query).code == 2


def test_a_utf16_or_gzip_compressed_feed_file_is_imported_as_fetch_reads_it(
    cli, corpus: Path, tmp_path: Path
) -> None:
    """A feed saved as UTF-16 (some Windows tools write it so) and one saved gzip-compressed
    (a server that compresses whatever was asked, saved as it came) were each "binary file,
    not a capture, feed or page", though `fetch` reads both. They are imported as the plain
    file is: the same entries as the plain file."""
    plain = (corpus / "feeds" / "bbc-news-world.rss").read_bytes()
    declared = plain.replace(b'encoding="UTF-8"', b'encoding="UTF-16"', 1)
    wide = tmp_path / "bbc-world-utf16.xml"
    wide.write_bytes(declared.decode("utf-8").encode("utf-16"))  # with its BOM
    packed = tmp_path / "bbc-world.xml"  # no .gz: the name says nothing
    packed.write_bytes(gzip.compress(plain))
    first = cli("import", str(wide))
    assert first.code == 0, first.err
    counted = re.search(r": (\d+) new", first.out)
    assert counted is not None, first.out
    new = int(counted.group(1))
    assert new > 10 and "(xml-feed)" in first.out
    again = cli("import", str(packed))
    assert again.code == 0, again.err
    assert f": {new} new, 0 updated, 0 unchanged (xml-feed)" in again.out
    rows = json.loads(cli("entries", "--all", "--json").out)
    titles = {source: sorted(r["title"] for r in rows if r["source"] == source)
              for source in {r["source"] for r in rows}}  # fmt: skip
    assert len(titles) == 2 and len(set(map(tuple, titles.values()))) == 1, titles.keys()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"\x1f\x8b" + b"not deflate data" * 4)
    bad = cli("import", str(broken))
    assert bad.code == 1 and bad.err.splitlines() == [
        f"wirereader: {broken}: damaged gzip-compressed file (Error -3 while decompressing data:"
        " unknown compression method)"
    ]
    # A download stopped half way: zlib gives what it could inflate, which was "unknown format".
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gzip.compress(plain)[: len(gzip.compress(plain)) // 2])
    short = cli("import", str(cut))
    assert short.code == 1 and short.err.splitlines() == [
        f"wirereader: {cut}: the gzip-compressed file is cut off (its end is missing)"
    ]


def test_a_filter_read_otherwise_than_written_is_said_on_stderr(cli) -> None:
    """Two unbalanced quotes (`person:"Kim place:"North Korea"`) are read as the user meant,
    each keyed value ending before the next key; the reader's chips say "read as ...", the
    command line said nothing. It says it in one line on stderr, never in --json's output."""
    assert cli("import", str(ARTICLE_SEED), "--date", "2025-04-28", "--tz", "UTC").code == 0
    said = 'wirereader: filter read as person:"Kim" place:"North Korea"'
    for command in ("entries", "search"):
        listed = cli(command, "--json", 'person:"Kim place:"North Korea"')
        assert listed.code == 0, listed.err
        assert isinstance(json.loads(listed.out), list)
        assert listed.err.splitlines() == [said], listed.err
    table = cli("entries", 'person:"Kim place:"North Korea')
    assert table.err.splitlines()[0] == said, table.err
    # Read as written: nothing said.
    found = cli("search", "--json", 'Lavrov "North Korea"')
    assert found.err == "" and len(json.loads(found.out)) == 1


def test_a_read_command_on_a_db_that_does_not_exist_says_so_and_makes_nothing(
    cli, db_path: Path
) -> None:
    # It made the file and said "no entries", so a mistyped --db looked like an empty cache.
    for command in (("entries",), ("search", "ceasefire"), ("threads",), ("feeds",), ("export",)):
        result = cli(*command)
        assert result.code == 2, (command, result)
        assert result.out == ""
        assert result.err == (
            f"wirereader: {db_path}: no such cache file (it is made by a command that writes:"
            " import, add, fetch or demo)\n"
        )
        assert not db_path.exists() and not list(db_path.parent.glob("cache.sqlite3*"))
    # A command that writes makes it, as before.
    assert cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London").code == 0
    assert db_path.exists()
    assert cli("entries").code == 0

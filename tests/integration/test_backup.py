"""`export --format json` as a backup: a move to another cache keeps every entry and its reading
state; `import`, `add` and `remove` speak JSON. Real CLI, real seeds, a feed on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.store.db import Store
from wirereader.store.reading import set_read, set_starred

# What analysis recomputes in the other cache (ids, threads, reposts, entities) is left out.
_RECOMPUTED = ("id", "canonical", "thread", "reposts", "entities")


def _comparable(export: list[dict]) -> list[str]:
    return sorted(
        json.dumps({k: v for k, v in row.items() if k not in _RECOMPUTED}, sort_keys=True)
        for row in export
    )


def _state(db: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    with Store(db) as store:
        rows = store.conn.execute(
            "SELECT s.key, e.stable_id, e.read_at IS NOT NULL, e.starred FROM entries e"
            " JOIN sources s ON s.id = e.source_id"
        ).fetchall()
    return {(r[0], r[1]) for r in rows if r[2]}, {(r[0], r[1]) for r in rows if r[3]}


@pytest.fixture
def read_some(cli, db_path: Path) -> list[int]:
    result = cli("import", "--tz", "Europe/London", str(LIVEBLOG_SEED), str(ARTICLE_SEED))
    assert result.code == 0, result.err
    with Store(db_path) as store:
        ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
        set_read(store, ids[:7])
        set_starred(store, ids[3], True)
        set_starred(store, ids[-1], True)
    return ids


def test_export_and_import_move_entries_and_reading_state(
    cli, read_some, db_path: Path, tmp_path: Path
) -> None:
    exported = cli("export", "--format", "json")
    assert exported.code == 0, exported.err
    rows = json.loads(exported.out)
    assert len(rows) == len(read_some)
    assert sum(row["read_at"] is not None for row in rows) >= 7
    assert sum(row["starred"] for row in rows) == 2
    backup = tmp_path / "backup.json"
    backup.write_text(exported.out, "utf-8")

    other = tmp_path / "other.sqlite3"
    moved = cli("--db", str(other), "import", str(backup))
    assert moved.code == 0, moved.err
    read, starred = _state(db_path)
    assert moved.out.strip() == (
        f"{backup}: {len(rows)} new, 0 updated, 0 unchanged "
        f"(wirereader-export; {len(read)} marked read, 2 starred)"
    )
    # The other cache holds the same entries, under the same sources and ids, read and starred
    # as they were: exporting it again gives the same document.
    assert _state(other) == (read, starred)
    again = json.loads(cli("--db", str(other), "export").out)
    assert _comparable(again) == _comparable(rows)
    unread_here = json.loads(cli("entries", "is:unread", "--json").out)
    unread_there = json.loads(cli("--db", str(other), "entries", "is:unread", "--json").out)
    assert [r["title"] for r in unread_there] == [r["title"] for r in unread_here]
    # Importing it twice adds nothing.
    twice = cli("--db", str(other), "import", str(backup), "--json")
    assert json.loads(twice.out)["files"][0]["unchanged"] == len(rows)


def test_an_old_backup_never_marks_unread_what_was_read_since(
    cli, read_some, db_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text(cli("export").out, "utf-8")
    with Store(db_path) as store:
        set_read(store, read_some)  # everything read after the backup
        set_starred(store, read_some[10], True)
    before = _state(db_path)
    result = cli("import", str(backup), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)["files"][0]
    assert summary["marked_read"] == 0 and summary["starred"] == 0
    assert _state(db_path) == before


def test_a_cut_export_is_one_line_and_changes_nothing(cli, read_some, tmp_path: Path) -> None:
    text = cli("export").out
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2], "utf-8")
    other = tmp_path / "other.sqlite3"
    result = cli("--db", str(other), "import", str(cut))
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert first.startswith(f"wirereader: {cut}: not a complete wirereader export")
    assert json.loads(cli("--db", str(other), "entries", "--json").out) == []


def _items(n: int) -> list[dict[str, str]]:
    return [
        {
            "guid": f"urn:backup:{i}",
            "title": f"Tram line closes for repairs {i}",
            "link": f"http://example.invalid/tram/{i}",
            "description": f"<p>Line {i} closes for a week.</p>",
            "pubDate": f"Tue, 03 Mar 2026 {i:02d}:15:00 +0000",
        }
        for i in range(1, n + 1)
    ]


def test_add_and_remove_speak_json(cli, server: FeedServer) -> None:
    server.routes["/t.xml"] = Route(rss("Tram News", _items(3)))
    added = cli("add", server.url("/t.xml"), "--json")
    assert added.code == 0, added.err
    [feed] = json.loads(added.out)
    assert feed["name"] == "Tram News" and feed["url"] == server.url("/t.xml")
    assert feed["created"] is True and feed["new"] == 3 and feed["error"] is None
    again = json.loads(cli("add", server.url("/t.xml"), "--json").out)
    assert again[0]["created"] is False and again[0]["new"] == 0
    removed = cli("remove", "Tram News", "--json")
    assert removed.code == 0, removed.err
    [gone] = json.loads(removed.out)
    assert gone["name"] == "Tram News" and gone["status"] == "removed" and gone["entries"] == 3
    assert gone["removed_at"]


def test_import_json_reports_each_file(cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = cli("import", "--tz", "Europe/London", str(LIVEBLOG_SEED), str(missing), "--json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["failed"] == 1
    good, bad = report["files"]
    assert good["format"] == "text-capture" and good["new"] > 40 and good["error"] is None
    assert bad == {"file": str(missing), "error": f"{missing}: no such file"}
    assert result.err.splitlines()[0] == f"wirereader: {missing}: no such file"

"""`wirereader prune` and `wirereader rename` as a user runs them, on real caches: the live-blog
seed, JSON Lines written here, a feed served on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.paths import LIVEBLOG_SEED
from wirereader.store.db import Store
from wirereader.store.reading import set_starred


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("entries", "entry_versions", "threads", "entry_entities")
        }


@pytest.fixture
def aged_cache(cli, tmp_path: Path, db_path: Path) -> dict[str, int]:
    """The live-blog seed (April 2025), an old unthreaded note, and today's notes, one of which
    repeats an old note word for word (a repost: its story is not old)."""
    assert (
        cli("import", "--tz", "Europe/London", "--date", "2025-04-28", str(LIVEBLOG_SEED)).code == 0
    )
    now = datetime.now(timezone.utc)
    old = (now - timedelta(days=400)).isoformat()
    fresh = now.isoformat()
    reposted = "Harbour crane operators vote to accept the revised pay offer after talks."
    _jsonl(
        tmp_path / "old.jsonl",
        [
            {
                "id": "o1",
                "title": "Quarry zebrafish",
                "text": "Quarry zebrafish survey.",
                "published": old,
            },
            {"id": "o2", "title": "Crane pay vote", "text": reposted, "published": old},
        ],
    )
    _jsonl(
        tmp_path / "new.jsonl",
        [
            {
                "id": "n1",
                "title": "Bakery reopens",
                "text": "The bakery reopens.",
                "published": fresh,
            },
            {"id": "n2", "title": "Crane pay vote", "text": reposted, "published": fresh},
        ],
    )
    for name in ("old.jsonl", "new.jsonl"):
        assert cli("import", str(tmp_path / name)).code == 0
    with Store(db_path) as store:
        ids = {
            str(r[0]): int(r[1])
            for r in store.conn.execute(
                "SELECT e.stable_id, e.id FROM entries e JOIN sources s ON s.id = e.source_id"
                " WHERE s.key LIKE '%.jsonl'"
            )
        }
        # A starred old item in a thread of the live blog keeps that whole thread.
        starred, thread = store.conn.execute(
            "SELECT id, thread_id FROM entries WHERE thread_id IS NOT NULL AND repost_of IS NULL"
            " GROUP BY thread_id HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        set_starred(store, int(starred), True)
    return {**ids, "starred": int(starred), "thread": int(thread)}


def test_prune_dry_run_says_what_goes_and_deletes_nothing(cli, aged_cache, db_path: Path) -> None:
    before = _counts(db_path)
    result = cli("prune", "--older-than", "90d", "--dry-run")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("would delete ") and "threads, from 2025-04-28 to " in lines[0]
    assert "002_ecee820a5713ae14" in result.out and "old" in result.out
    assert "kept, though older: " in result.out and "starred" in result.out
    assert lines[-1] == "nothing was deleted (--dry-run)"
    assert _counts(db_path) == before
    summary = json.loads(cli("prune", "--older-than", "90d", "--dry-run", "--json").out)
    assert summary["dry_run"] is True and summary["items"] >= 2 and summary["kept_starred"] >= 2


def test_prune_keeps_starred_threads_reposted_stories_and_new_items(
    cli, aged_cache, db_path: Path
) -> None:
    planned = json.loads(cli("prune", "--older-than", "90d", "--dry-run", "--json").out)
    before = _counts(db_path)
    result = cli("prune", "--older-than", "90d")
    assert result.code == 0, result.err
    assert result.out.startswith(f"deleted {planned['items']} items ({planned['entries']} entries")
    after = _counts(db_path)
    assert before["entries"] - after["entries"] == planned["entries"]
    assert before["threads"] - after["threads"] == planned["threads"]
    with Store(db_path) as store:
        conn = store.conn
        left = {int(r[0]) for r in conn.execute("SELECT id FROM entries")}
        # Gone: the old unthreaded note. Kept: today's notes, the old note today repeats.
        assert aged_cache["o1"] not in left
        assert {aged_cache["n1"], aged_cache["n2"], aged_cache["o2"]} <= left
        # The starred item's thread is whole.
        thread = [
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM entries WHERE thread_id = ?", (aged_cache["thread"],)
            )
        ]
        assert aged_cache["starred"] in thread and len(thread) > 1
        assert conn.execute(
            "SELECT size FROM threads WHERE id = ?", (aged_cache["thread"],)
        ).fetchone()
        # Nothing points at a deleted row; the search index and entity counts agree.
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')")
        stale = conn.execute(
            "SELECT count(*) FROM entities WHERE count !="
            " (SELECT count(*) FROM entry_entities m WHERE m.entity_id = entities.id)"
        ).fetchone()[0]
        assert stale == 0
    assert json.loads(cli("search", "zebrafish", "--json").out) == []
    assert cli("doctor").code == 0
    again = cli("prune", "--older-than", "90d")
    assert again.code == 0 and again.out.startswith("nothing older than ")


@pytest.mark.parametrize("duration", ["soon", "99999999999999999999d"])
def test_prune_needs_a_duration(cli, aged_cache, db_path: Path, duration: str) -> None:
    # A duration SQLite cannot hold was "internal error: OverflowError".
    before = _counts(db_path)
    result = cli("prune", "--older-than", duration)
    assert result.code != 0 and result.out == ""
    assert result.err.strip() == (
        f"wirereader: --older-than {duration!r}: expected a duration such as 90d (at most 365000d)"
    )
    assert cli("prune").code == 2  # --older-than is required: never a prune of everything
    assert _counts(db_path) == before


def _items(n: int) -> list[dict[str, str]]:
    return [
        {
            "guid": f"urn:rename:{i}",
            "title": f"Ferry timetable changes {i}",
            "link": f"http://example.invalid/ferry/{i}",
            "description": f"<p>The {i} o'clock ferry leaves earlier.</p>",
            "pubDate": f"Tue, 03 Mar 2026 {i:02d}:15:00 +0000",
        }
        for i in range(1, n + 1)
    ]


def test_rename_a_feed_everywhere_it_shows(cli, server: FeedServer) -> None:
    server.routes["/a.xml"] = Route(rss("Harbour Gazette > World", _items(2)))
    server.routes["/b.xml"] = Route(rss("Ferry News", _items(1)))
    assert cli("add", server.url("/a.xml")).code == 0
    assert cli("add", server.url("/b.xml")).code == 0
    result = cli("rename", "Harbour Gazette > World", "Gazette")
    assert result.code == 0, result.err
    assert result.out.strip() == "renamed Harbour Gazette > World to Gazette"
    names = {f["name"] for f in json.loads(cli("feeds", "--json").out)}
    assert names == {"Gazette", "Ferry News"}
    sources = {e["source"] for e in json.loads(cli("entries", "source:gazette", "--json").out)}
    assert sources == {"Gazette"}
    # The feed's own title does not take the name back at the next fetch.
    server.routes["/a.xml"] = Route(rss("Harbour Gazette > World", _items(3)))
    fetched = cli("fetch", "Gazette", "--json")
    assert fetched.code == 0 and json.loads(fetched.out)["feeds"][0]["name"] == "Gazette"
    as_json = json.loads(cli("rename", "gazette", "Gazette Daily", "--json").out)
    assert as_json["name"] == "Gazette Daily" and as_json["old_name"] == "Gazette"


def test_rename_refuses_a_taken_or_unknown_name_in_one_line(cli, server: FeedServer) -> None:
    server.routes["/a.xml"] = Route(rss("Gazette", _items(1)))
    server.routes["/b.xml"] = Route(rss("Ferry News", _items(1)))
    assert cli("add", server.url("/a.xml")).code == 0
    assert cli("add", server.url("/b.xml")).code == 0
    taken = cli("rename", "Gazette", "ferry news")
    assert (
        taken.code == 1 and taken.err == "wirereader: another feed is already named 'Ferry News'\n"
    )
    unknown = cli("rename", "Nope", "X")
    assert unknown.code == 1 and unknown.err.count("\n") == 1 and "no feed named" in unknown.err
    assert {f["name"] for f in json.loads(cli("feeds", "--json").out)} == {"Gazette", "Ferry News"}


def test_prune_counts_one_of_a_kind_in_the_singular() -> None:
    # "deleted 1 items (1 entries with their reposts, 1 versions) and 1 threads".
    from wirereader.cli.housekeeping import describe
    from wirereader.store.prune import PruneSummary

    one = PruneSummary(1_745_800_000, 1, 1, 1, 1, 1_745_800_000, 1_745_800_000, {"Desk": 1})
    assert (
        describe(one, dry_run=False)
        .splitlines()[0]
        .startswith("deleted 1 item (1 entry with their reposts, 1 version) and 1 thread, from ")
    )
    two = PruneSummary(1_745_800_000, 2, 3, 4, 0, 1_745_800_000, 1_745_800_000, {"Desk": 2})
    assert (
        describe(two, dry_run=True)
        .splitlines()[0]
        .startswith(
            "would delete 2 items (3 entries with their reposts, 4 versions) and 0 threads, from "
        )
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prune", "--older-than", "abc"], "--older-than 'abc': expected a duration such as 90d"),
        (["add", "--no-fetch", "--interval", "often", "http://127.0.0.1:9/feed.xml"], "--interval"),
    ],
)
def test_a_duration_option_that_means_nothing_is_a_usage_error(
    cli, db_path: Path, argv: list[str], message: str
) -> None:
    # 'prune --older-than abc' exited 1, the code of a failed run: a script could not tell it
    # from a full disk. A value that means nothing is a usage error (2), as argparse's own are,
    # and nothing is read or written.
    result = cli(*argv)
    assert result.code == 2 and result.out == ""
    assert len(result.err.splitlines()) == 1 and message in result.err
    assert "Traceback" not in result.err and not db_path.exists()

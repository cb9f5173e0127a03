"""Each text stored once: old caches converted in place, every version readable, searches
unchanged, old versions packed, and the current text kept once (in `entry_texts` since migration
0050, see test_texts.py)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.support.old_caches import old_cache, searched_file
from wirereader.core.model import RawEntry
from wirereader.query.detail import item_json, load_detail
from wirereader.query.timeline import Filter, Query
from wirereader.store import migrate_versions
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version
from wirereader.store.versions import VersionTextError, pack, unpack, versions_of


def raw_versions(path: Path) -> dict[int, list[tuple]]:
    """Every version of every entry, read the way the old schema stored them."""
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(entry_versions)")}
    extra = ", origin, url" if "origin" in columns else ", 'feed', ''"
    out: dict[int, list[tuple]] = {}
    for row in conn.execute(
        f"SELECT id, entry_id, title, body, author, published, updated, content_hash, seen_at"
        f"{extra} FROM entry_versions ORDER BY id"
    ):
        out.setdefault(row[1], []).append(tuple(row))
    conn.close()
    return out


def converted_versions(store: Store) -> dict[int, list[tuple]]:
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT entry_id FROM entry_versions")]
    out: dict[int, list[tuple]] = {}
    for v in versions_of(store.conn, ids):
        out.setdefault(v.entry_id, []).append(
            (
                v.id,
                v.entry_id,
                v.title,
                v.body,
                v.author,
                v.published,
                v.updated,
                v.content_hash,
                v.seen_at,
                v.origin,
                v.url,
            )
        )
    return out


@pytest.mark.parametrize("fixture", ["schema-v41.sql", "schema-v1.sql"])
def test_an_old_cache_converts_without_loss(tmp_path: Path, fixture: str) -> None:
    path = old_cache(tmp_path / "old.sqlite3", fixture)
    before, searches = raw_versions(path), searched_file(path)
    assert sum(len(v) for v in before.values()) >= 1
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        assert converted_versions(store) == before
        # Searches (the reader's and the CLI's) find exactly what they found before.
        for words, ids in searches.items():
            got = sorted(
                r.id
                for r in Query(store, Filter(words=tuple(words.split()), all_entries=True)).all()
            )
            assert got == ids, words
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(entry_versions)")]
        assert "body" not in columns and "title" not in columns
    assert searched_file(path) == searches


def test_only_earlier_texts_are_stored_and_they_are_packed(tmp_path: Path) -> None:
    path = old_cache(tmp_path / "old.sqlite3")
    with Store(path) as store:
        rows = store.conn.execute(
            "SELECT v.id, v.text FROM entry_versions v ORDER BY v.id"
        ).fetchall()
        packed = {r[0]: unpack(r[1]) for r in rows if r[1] is not None}
        # Entry 1's two earlier edits and entry 2's feed teaser; every current text is NULL.
        assert sorted(packed) == [1, 2, 4]
        assert packed[1] == ("Harbour to reopen", "The harbour reopened on Friday.")
        assert packed[4][1] == "The council approved the budget…"
        # The article stays the version `articles` points at, and is what `show` presents.
        version_id = store.conn.execute("SELECT version_id FROM articles").fetchone()[0]
        assert version_id == 5
        found = item_json(store, 2)
        assert found is not None and found.damaged == []
        shown = found.document
        assert [v["origin"] for v in shown["versions"] if v["entry"] == 2] == ["feed", "article"]
        assert shown["item"]["body"].endswith("school funding.")
        # The reader's detail pane: what changed between entry 1's three versions.
        detail = load_detail(store, 1)
        assert detail is not None
        assert [change.added for change in detail.versions] == [
            ["Ferries resume at noon."],
            ["The mayor thanked the crews."],
        ]


def test_a_conversion_killed_midway_resumes_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_cache(tmp_path / "old.sqlite3")
    before = raw_versions(path)
    monkeypatch.setattr(migrate_versions, "BATCH", 2)
    original = migrate_versions._move_batch
    calls = []

    def dies_after_two(conn: sqlite3.Connection, keep: list[str]) -> bool:
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return original(conn, keep)

    monkeypatch.setattr(migrate_versions, "_move_batch", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        Store(path)
    conn = sqlite3.connect(path)
    moved = conn.execute("SELECT count(*) FROM entry_versions_packed").fetchone()[0]
    left = conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0]
    conn.close()
    assert (moved, left) == (4, 3)
    monkeypatch.setattr(migrate_versions, "_move_batch", original)
    with Store(path) as store:
        assert converted_versions(store) == before
        assert current_version(store.conn) == latest_version()


def test_a_process_that_finds_the_conversion_done_by_another_stops_cleanly(
    tmp_path: Path,
) -> None:
    """Two processes opening one old cache at once: the second read the old shape before the
    first converted it, and must then neither read columns that are gone nor leave a table
    behind (seen as 'no such column: v.title' when three imports opened a new cache at once)."""
    path = old_cache(tmp_path / "old.sqlite3")
    late = sqlite3.connect(path, isolation_level=None)
    keep = [
        c for c in migrate_versions._columns(late, "entry_versions") if c not in ("title", "body")
    ]
    first = sqlite3.connect(path, isolation_level=None)
    migrate_versions.convert(first)
    first.close()
    # The late process goes on from where its first look left it.
    migrate_versions._create_new_table(late, keep)
    assert migrate_versions._move_batch(late, keep) is False
    migrate_versions._swap(late)
    tables = {r[0] for r in late.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    late.close()
    assert "entry_versions_packed" not in tables
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()


def test_a_big_conversion_needs_no_second_copy_of_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 entries with three long versions each: the file does not grow, and the WAL stays
    small between batches (each batch is its own transaction)."""
    path = old_cache(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    words = ["harbour", "council", "ferry", "budget", "storm", "river", "bridge", "market"]
    for n in range(10, 2010):
        body = " ".join(words[(n + k) % len(words)] + str(k % 97) for k in range(300))
        conn.execute(
            "INSERT INTO entries (id, source_id, stable_id, title, body, author, published_at,"
            " content_hash, first_seen, last_seen) VALUES (?, 1, ?, ?, ?, '', 1704791700,"
            " 'h', 0, 0)",
            (n, f"s{n}", f"Story {n}", body + " final"),
        )
        conn.executemany(
            "INSERT INTO entry_versions (entry_id, title, body, author, content_hash, seen_at)"
            " VALUES (?, ?, ?, '', 'h', ?)",
            [(n, f"Story {n}", body + end, k) for k, end in enumerate(["", " more", " final"])],
        )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size_before = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    largest_wal = []
    original = migrate_versions._move_batch

    def measured(conn: sqlite3.Connection, keep: list[str]) -> bool:
        moved = original(conn, keep)
        largest_wal.append(wal.stat().st_size if wal.exists() else 0)
        return moved

    monkeypatch.setattr(migrate_versions, "_move_batch", measured)
    with Store(path) as store:
        assert store.conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0] == 6007
        assert len(versions_of(store.conn, [1500])) == 3
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(largest_wal) > 2
    # At most one batch's new pages on top (the first batch cannot reuse freed pages yet).
    assert path.stat().st_size <= size_before * 1.1
    assert max(largest_wal) < size_before / 2


def test_a_changed_entry_packs_its_old_text_and_keeps_the_new_one_once(tmp_path: Path) -> None:
    with Store(tmp_path / "c.sqlite3") as store:
        source = store.ensure_source("test", "file")
        first = RawEntry(title="Harbour closes", body="The harbour closed.", stable_id="a")
        second = RawEntry(title="Harbour closes", body="Ferries wait.", stable_id="a")
        store.save_entries(source, [first])
        store.save_entries(source, [second])
        texts = store.conn.execute("SELECT text FROM entry_versions ORDER BY id").fetchall()
        assert unpack(texts[0][0]) == ("Harbour closes", "The harbour closed.")
        assert texts[1][0] is None  # the current text lives in `entries` only
        assert [v.body for v in versions_of(store.conn, [1])] == [
            "The harbour closed.",
            "Ferries wait.",
        ]


def test_a_damaged_packed_text_is_reported_not_misread(db_path: Path, cli) -> None:
    assert unpack(pack("T", "B")) == ("T", "B")
    with pytest.raises(VersionTextError):
        unpack(b"z" + b"not zlib")
    with pytest.raises(VersionTextError):
        unpack(b"?")
    old_cache(db_path)
    with Store(db_path) as store, store.transaction() as conn:
        conn.execute("UPDATE entry_versions SET text = x'7a00ff' WHERE id = 1")
    result: CliResult = cli("show", "1", "--json")
    assert result.code == 0
    assert "version 1 is damaged" in result.err and "Traceback" not in result.err
    first = json.loads(result.out)["versions"][0]
    assert first["damaged"] is True and first["body"] == ""


def test_show_prints_every_version_of_a_converted_cache(tmp_path: Path, db_path: Path, cli) -> None:
    old_cache(db_path)
    result: CliResult = cli("show", "1", "--json")
    assert result.code == 0, result.err
    shown = json.loads(result.out)
    assert [v["title"] for v in shown["versions"]] == [
        "Harbour to reopen",
        "Harbour reopens after storm",
        "Harbour reopens after storm",
    ]

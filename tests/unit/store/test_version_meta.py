"""A version's metadata stored once (migration 0053, store/versions.py SAME_AS_ENTRY): an old
cache's version rows convert without loss (every version reads the same, searches find the
same), the table gets smaller, a conversion cut short resumes, and a version keeps its metadata
when its entry's changes later."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.core.model import RawEntry
from wirereader.store import migrate_version_meta, versions
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
SEARCHES = ['"harbour"', '"ferry" AND "council"', '"report 3"*', '"edition"']


def _entry(n: int, *, edition: int = 1, author: str = "Ana Ruiz") -> RawEntry:
    words = ["harbour", "ferry", "storm", "council", "bridge"]
    return RawEntry(
        title=f"Report {n} {words[n % 5]}",
        body=f"Paragraph about the {words[n % 5]} and the {words[(n + 2) % 5]}, number {n}."
        + (f" Updated: edition {edition}." if edition > 1 else ""),
        stable_id=f"item-{n}",
        author=author,
        published=T0 + timedelta(minutes=n),
        updated=T0 + timedelta(hours=edition) if edition > 1 else None,
    )


def _every_version(conn: sqlite3.Connection) -> list[versions.Version]:
    ids = [r[0] for r in conn.execute("SELECT id FROM entries ORDER BY id")]
    return versions.versions_of(conn, ids)


def _found(conn: sqlite3.Connection) -> dict[str, list[int]]:
    return {
        q: [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid", (q,)
            )
        ]
        for q in SEARCHES
    }


def _as_before_0053(path: Path) -> None:
    """The cache as the version before 0053 wrote it: every version row holds its metadata,
    no trigger, the migration not recorded."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER entry_versions_keep_meta")
        conn.execute(
            "UPDATE entry_versions AS v SET author = e.author, published = e.published,"
            " updated = e.updated, content_hash = e.content_hash FROM entries e"
            " WHERE e.id = v.entry_id AND v.content_hash = ''"
        )
        conn.execute("DELETE FROM meta WHERE key = ?", (migrate_version_meta.PROGRESS_KEY,))
        conn.execute("DELETE FROM schema_migrations WHERE version = 53")
        conn.execute("PRAGMA user_version = 52")
        conn.commit()
    finally:
        conn.close()


def _short_rows(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(*) FROM entry_versions WHERE content_hash = ''").fetchone()[0]
    )


@pytest.fixture
def old_cache(tmp_path: Path) -> tuple[Path, list[versions.Version], dict[str, list[int]]]:
    """300 entries; 40 of them changed twice (new text, new author), so they have three
    versions, two of them earlier texts with metadata of their own."""
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, [_entry(n) for n in range(300)], seen_at=1_770_000_000)
        for edition, author in ((2, "Ana Ruiz and Bo Lin"), (3, "Bo Lin")):
            changed = [_entry(n, edition=edition, author=author) for n in range(0, 200, 5)]
            store.save_entries(source, changed, seen_at=1_770_000_000 + edition)
        assert _short_rows(store.conn) == 300  # first versions, written short
        before = _every_version(store.conn)
        found = _found(store.conn)
    _as_before_0053(path)
    conn = sqlite3.connect(path)
    assert _short_rows(conn) == 0
    conn.close()
    assert len(before) == 380 and len({v.author for v in before}) == 3
    assert all(found.values())
    return path, before, found


def _table_pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute("SELECT count(*) FROM dbstat WHERE name = 'entry_versions'").fetchone()[0]
        )
    finally:
        conn.close()


def test_old_versions_convert_without_loss_and_the_table_shrinks(
    old_cache: tuple[Path, list[versions.Version], dict[str, list[int]]],
) -> None:
    path, before, found = old_cache
    pages_before = _table_pages(path)
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        assert _every_version(store.conn) == before
        assert _found(store.conn) == found
        # Only rows that repeat their entry are short: the 260 unchanged entries' only version
        # and the 40 changed entries' newest; the 80 earlier ones keep their own metadata.
        assert _short_rows(store.conn) == 300
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert _table_pages(path) < pages_before


def test_a_version_keeps_its_metadata_when_the_entry_changes(
    old_cache: tuple[Path, list[versions.Version], dict[str, list[int]]],
) -> None:
    path, before, _found_before = old_cache
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        # Entry 1 was never changed: its one version reads its metadata from the entry.
        store.save_entries(source, [_entry(1, edition=2, author="Cy Park")], seen_at=1_770_000_009)
        # A change of metadata alone, written by hand as any writer could.
        store.conn.execute("UPDATE entries SET author = 'Di Wu' WHERE stable_id = 'item-2'")
        after = {v.id: v for v in _every_version(store.conn)}
    for old in before:
        assert after[old.id] == old or old.entry_id in (2, 3)  # (ids 1, 2 hold items 1, 2)
    first = [v for v in after.values() if v.entry_id == 2]
    assert [(v.author, v.title) for v in first] == [
        ("Ana Ruiz", "Report 1 ferry"),
        ("Cy Park", "Report 1 ferry"),
    ]
    assert first[0].body != first[1].body and first[0].updated is None
    (only,) = [v for v in after.values() if v.entry_id == 3]
    assert only.author == "Ana Ruiz"  # the version as it was seen, not the entry's new author


def test_a_conversion_cut_short_resumes(
    old_cache: tuple[Path, list[versions.Version], dict[str, list[int]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, before, found = old_cache
    monkeypatch.setattr(migrate_version_meta, "BATCH", 50)
    real_rewrite, calls = migrate_version_meta._rewrite, 0

    def killed_after_two(conn: sqlite3.Connection, lo: int, hi: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise KeyboardInterrupt
        real_rewrite(conn, lo, hi)

    monkeypatch.setattr(migrate_version_meta, "_rewrite", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        Store(path).close()
    conn = sqlite3.connect(path)
    # Two batches of 50 ids: the first versions of items 0-99, less the 20 changed since.
    assert _short_rows(conn) == 80
    assert int(conn.execute("PRAGMA foreign_keys").fetchone()[0]) == 0  # (a new connection)
    conn.close()
    monkeypatch.setattr(migrate_version_meta, "_rewrite", real_rewrite)
    with Store(path) as store:
        assert _every_version(store.conn) == before
        assert _found(store.conn) == found
        assert _short_rows(store.conn) == 300
        # Run again (as a second process would): nothing changes.
        migrate_version_meta.convert(store.conn)
        assert _every_version(store.conn) == before
        assert int(store.conn.execute("PRAGMA foreign_keys").fetchone()[0]) == 1

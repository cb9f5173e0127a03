"""Entity text hashes stored as bytes (migration 0055, store/entities.py): an old cache's hex
hashes convert without loss (the same hashes read back, no entry extracted again), the table
gets smaller, a conversion cut short resumes, and a hash written before is still read."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.analysis.entities.record import record_entities
from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.store import entities, migrate_entity_hashes
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
PEOPLE = ["Maria Olsen", "Tomas Reyes", "Priya Nair", "Jonah Whitfield"]


def _entry(n: int) -> RawEntry:
    return RawEntry(
        title=f"{PEOPLE[n % 4]} visits Northport harbour, report {n}",
        body=f"{PEOPLE[(n + 1) % 4]} met the council in Kingsbridge on Monday about ferry {n}.",
        stable_id=f"item-{n}",
        published=T0 + timedelta(minutes=n),
    )


def _hashes(conn: sqlite3.Connection) -> dict[int, object]:
    ids = [r[0] for r in conn.execute("SELECT id FROM entries")]
    return dict(entities.extracted_hashes(conn, ids))


def _types(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT typeof(text_hash) FROM entity_extracted")}


@pytest.fixture
def old_cache(tmp_path: Path) -> tuple[Path, dict[int, object]]:
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, [_entry(n) for n in range(400)], seen_at=1_770_000_000)
        analyse_pending(store, workers=False)
        assert _types(store.conn) == {"blob"}
        hashes = _hashes(store.conn)
    assert len(hashes) == 400 and all(isinstance(h, str) and len(h) == 24 for h in hashes.values())
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT entry_id, hex(text_hash) FROM entity_extracted").fetchall()
    conn.execute("DELETE FROM entity_extracted")
    conn.executemany(
        "INSERT INTO entity_extracted (entry_id, text_hash) VALUES (?, ?)",
        [(entry_id, text.lower()) for entry_id, text in rows],
    )
    conn.execute("DELETE FROM meta WHERE key = ?", (migrate_entity_hashes.PROGRESS_KEY,))
    conn.execute("DELETE FROM schema_migrations WHERE version = 55")
    conn.execute("PRAGMA user_version = 54")
    conn.commit()
    conn.close()
    return path, hashes


def _pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT count(*) FROM dbstat WHERE name = 'entity_extracted'"
        return int(conn.execute(query).fetchone()[0])
    finally:
        conn.close()


def test_old_hashes_convert_without_loss_and_nothing_is_extracted_again(
    old_cache: tuple[Path, dict[int, object]],
) -> None:
    path, hashes = old_cache
    before = _pages(path)
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        assert _types(store.conn) == {"blob"}
        assert _hashes(store.conn) == hashes
        report = record_entities(store.conn, list(hashes))
        assert report.skipped == 400
    assert _pages(path) < before


def test_a_conversion_cut_short_resumes_and_both_forms_read(
    old_cache: tuple[Path, dict[int, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, hashes = old_cache
    monkeypatch.setattr(migrate_entity_hashes, "BATCH", 150)
    real_pack, calls = migrate_entity_hashes._pack, 0

    def killed_after_one(conn: sqlite3.Connection, lo: int, hi: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise KeyboardInterrupt
        real_pack(conn, lo, hi)

    monkeypatch.setattr(migrate_entity_hashes, "_pack", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        Store(path).close()
    conn = sqlite3.connect(path)
    assert _types(conn) == {"blob", "text"}
    assert _hashes(conn) == hashes  # half converted, every hash reads the same
    conn.close()
    monkeypatch.setattr(migrate_entity_hashes, "_pack", real_pack)
    with Store(path) as store:
        assert _types(store.conn) == {"blob"}
        assert _hashes(store.conn) == hashes

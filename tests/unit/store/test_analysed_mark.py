"""The analysed mark ('1' instead of a copy of the content hash; migration 0054,
store/analysis.py): an old cache converts without anything becoming pending or analysed by
mistake, the planner still finds pending entries through the partial index, a conversion cut
short resumes, and a changed entry is pending again whatever changed."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.store import analysis, migrate_analysed_mark
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
OLD_INDEX = (
    "CREATE INDEX entries_pending_analysis ON entries (published_at, id)"
    " WHERE analysed_hash IS NOT content_hash"
)


def _entry(n: int, *, author: str = "Ana Ruiz", title: str = "") -> RawEntry:
    return RawEntry(
        title=title or f"Harbour report {n}",
        body=f"The harbour master said ferry {n} left on time after the storm.",
        stable_id=f"item-{n}",
        author=author,
        published=T0 + timedelta(minutes=n),
    )


def _marks(conn: sqlite3.Connection) -> list[tuple[str, object]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT stable_id, analysed_hash FROM entries")]


def _pending(conn: sqlite3.Connection) -> set[str]:
    ids = {r[0] for r in analysis.pending_entries(conn, 10_000)}
    assert analysis.pending_count(conn) == len(ids)
    return {r[1] for r in conn.execute("SELECT id, stable_id FROM entries") if r[0] in ids}


@pytest.fixture
def old_cache(tmp_path: Path) -> Path:
    """60 entries analysed, and 5 more stored after (pending), as a cache before 0054 held
    them: analysed ones marked with their content hash, the old index, no trigger."""
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, [_entry(n) for n in range(60)], seen_at=1_770_000_000)
        analyse_pending(store, workers=False)
        store.save_entries(source, [_entry(n) for n in range(60, 65)], seen_at=1_770_000_001)
        assert {m for _, m in _marks(store.conn)} == {analysis.ANALYSED, None}
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER entries_analysis_outdated")
    conn.execute("DROP INDEX entries_pending_analysis")
    conn.execute(OLD_INDEX)
    conn.execute("UPDATE entries SET analysed_hash = content_hash WHERE analysed_hash = '1'")
    conn.execute("DELETE FROM meta WHERE key = ?", (migrate_analysed_mark.PROGRESS_KEY,))
    conn.execute("DELETE FROM schema_migrations WHERE version = 54")
    conn.execute("PRAGMA user_version = 53")
    conn.commit()
    conn.close()
    return path


def test_an_old_cache_converts_and_nothing_changes_state(old_cache: Path) -> None:
    with Store(old_cache) as store:
        assert current_version(store.conn) == latest_version()
        marks = dict(_marks(store.conn))
        assert {marks[f"item-{n}"] for n in range(60)} == {analysis.ANALYSED}
        assert {marks[f"item-{n}"] for n in range(60, 65)} == {None}
        assert _pending(store.conn) == {f"item-{n}" for n in range(60, 65)}
        plan = " ".join(
            str(r[3])
            for r in store.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM entries WHERE {analysis.PENDING}"
                " ORDER BY published_at, id"
            )
        )
        assert "entries_pending_analysis" in plan
        analyse_pending(store, workers=False)
        assert _pending(store.conn) == set()


def test_a_conversion_cut_short_resumes_and_leaves_nothing_pending_meanwhile(
    old_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate_analysed_mark, "BATCH", 20)
    real_mark, calls = migrate_analysed_mark._mark, 0

    def killed_after_one(conn: sqlite3.Connection, lo: int, hi: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise KeyboardInterrupt
        real_mark(conn, lo, hi)

    monkeypatch.setattr(migrate_analysed_mark, "_mark", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        Store(old_cache).close()
    conn = sqlite3.connect(old_cache)
    marks = [m for _, m in _marks(conn)]
    assert marks.count(analysis.ANALYSED) == 20  # the first batch; the rest still hashes
    # Half converted, the same entries are pending: the new condition reads both marks.
    assert {r[0] for r in conn.execute(f"SELECT id FROM entries WHERE {analysis.PENDING}")} == set(
        range(61, 66)
    )
    conn.close()
    monkeypatch.setattr(migrate_analysed_mark, "_mark", real_mark)
    with Store(old_cache) as store:
        assert [m for _, m in _marks(store.conn)].count(analysis.ANALYSED) == 60
        assert _pending(store.conn) == {f"item-{n}" for n in range(60, 65)}


def test_a_changed_entry_is_pending_again_whatever_changed(tmp_path: Path) -> None:
    with Store(tmp_path / "c.sqlite3") as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, [_entry(n) for n in range(6)], seen_at=1_770_000_000)
        analyse_pending(store, workers=False)
        assert _pending(store.conn) == set()
        # The author alone (the content hash changes, the text does not): analysed before.
        store.save_entries(source, [_entry(1, author="Bo Lin")], seen_at=1_770_000_001)
        # The title: the text changed.
        store.save_entries(source, [_entry(2, title="Ferry back")], seen_at=1_770_000_002)
        # Marked as before 0054 (the 1M bench builder does): still analysed.
        store.conn.execute(
            "UPDATE entries SET analysed_hash = content_hash WHERE stable_id = 'item-3'"
        )
        marks = dict(_marks(store.conn))
        assert marks["item-1"] == "0" and marks["item-2"] is None
        assert _pending(store.conn) == {"item-1", "item-2"}
        before = {r[0]: bool(r[8]) for r in analysis.pending_entries(store.conn, 10)}
        assert sorted(before.values()) == [False, True]  # "analysed before": item-1 only
        analyse_pending(store, workers=False)
        assert _pending(store.conn) == set()
        assert dict(_marks(store.conn))["item-1"] == analysis.ANALYSED

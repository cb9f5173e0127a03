"""Dedup keys stored narrow (migration 0052, store/dedup.py KEY_SHIFT): an old cache's full keys
convert without loss (each key narrowed, every holder kept), a conversion cut short resumes,
one finished is never narrowed twice, and reposts are still found through the stored keys."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.analysis.dedup.reposts import fingerprint
from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.store import migrate_dedup
from wirereader.store.db import Store
from wirereader.store.dedup import KEY_SHIFT
from wirereader.store.migrations import current_version, latest_version

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
_WORDS = [f"{a}{b}" for a in ("har", "kel", "mor", "tas", "vin") for b in ("bo", "da", "ni", "ru")]


def _entries(tag: str, count: int) -> list[RawEntry]:
    """Texts of their own (two paragraphs of words drawn per entry), long enough for every
    kind of key: the exact text, each paragraph, the MinHash bands."""
    out = []
    for n in range(count):
        rng = random.Random(f"{tag}{n}")
        paragraphs = [" ".join(rng.choice(_WORDS) for _ in range(24)) for _ in range(2)]
        out.append(
            RawEntry(
                title=f"Report {tag} {n}",
                body="\n\n".join(paragraphs),
                stable_id=f"{tag}-{n}",
                published=T0 + timedelta(minutes=n),
            )
        )
    return out


def _wide_keys(path: Path) -> set[tuple[int, int]]:
    """The keys as the version before 0052 stored them (whole), from each entry's text."""
    with Store(path) as store:
        rows = store.conn.execute(
            "SELECT e.id, e.title, wirereader_body(t.body) FROM entries e"
            " JOIN entry_texts t ON t.entry_id = e.id"
        ).fetchall()
    return {(k, r[0]) for r in rows for k in fingerprint(r[1], r[2]).keys}


def _as_before_0052(path: Path, wide: set[tuple[int, int]]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TABLE dedup_keys")
        conn.execute(migrate_dedup.TABLE)
        conn.executemany("INSERT INTO dedup_keys (key, entry_id) VALUES (?, ?)", sorted(wide))
        # Before 0056 too: one level, no counts.
        conn.execute("DROP TABLE dedup_recent_keys")
        conn.execute("DELETE FROM meta WHERE key LIKE 'analysis.dedup_%_keys'")
        conn.execute("DELETE FROM meta WHERE key = ?", (migrate_dedup.DONE_KEY,))
        conn.execute("DELETE FROM schema_migrations WHERE version IN (52, 56)")
        conn.execute("PRAGMA user_version = 51")
        conn.commit()
    finally:
        conn.close()


def _stored(conn: sqlite3.Connection) -> set[tuple[int, int]]:
    return {(r[0], r[1]) for r in conn.execute("SELECT key, entry_id FROM dedup_keys")}


def _narrowed(wide: set[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(key >> KEY_SHIFT, entry) for key, entry in wide}


@pytest.fixture
def old_cache(tmp_path: Path) -> tuple[Path, set[tuple[int, int]]]:
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, _entries("a", 60), seen_at=1_770_000_000)
        analyse_pending(store, workers=False)
    wide = _wide_keys(path)
    assert len(wide) > 100 and any(key >= 1 << 47 for key, _ in wide)  # (narrowing changes them)
    _as_before_0052(path, wide)
    return path, wide


def test_old_keys_convert_without_loss_and_reposts_are_still_found(
    old_cache: tuple[Path, set[tuple[int, int]]],
) -> None:
    path, wide = old_cache
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        assert _stored(store.conn) == _narrowed(wide)
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "dedup_keys_wide" not in names
        # A later copy of a converted entry's text, from another source, is the same item.
        other = store.ensure_source("test:other", "feed", name="other")
        (copy,) = [e for e in _entries("a", 60) if e.stable_id == "a-7"]
        store.save_entries(
            other,
            [RawEntry(copy.title, copy.body, stable_id="copy", published=T0 + timedelta(hours=2))],
            seen_at=1_770_000_100,
        )
        analyse_pending(store, workers=False)
        original, repost = store.conn.execute(
            "SELECT (SELECT coalesce(repost_of, id) FROM entries WHERE stable_id = 'a-7'),"
            " (SELECT repost_of FROM entries WHERE stable_id = 'copy')"
        ).fetchone()
        assert repost is not None and repost == original


def test_a_conversion_cut_short_resumes_and_is_never_done_twice(
    old_cache: tuple[Path, set[tuple[int, int]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, wide = old_cache
    monkeypatch.setattr(migrate_dedup, "BATCH", 40)
    real_move, calls = migrate_dedup._move_batch, 0

    def killed_after_two(conn: sqlite3.Connection) -> bool:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise KeyboardInterrupt
        return real_move(conn)

    monkeypatch.setattr(migrate_dedup, "_move_batch", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        Store(path).close()
    conn = sqlite3.connect(path)
    moved = conn.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]
    left = conn.execute("SELECT count(*) FROM dedup_keys_wide").fetchone()[0]
    conn.close()
    assert moved == 80 and left == len(wide) - 80
    monkeypatch.setattr(migrate_dedup, "_move_batch", real_move)
    with Store(path) as store:
        assert _stored(store.conn) == _narrowed(wide)
        # Run again (as a second process would after the first recorded nothing): no change.
        migrate_dedup.convert(store.conn)
        assert _stored(store.conn) == _narrowed(wide)

"""Dedup keys in two levels (migration 0056, store/dedup.py): new keys go into the small
`dedup_recent_keys` and move into `dedup_keys` now and then. Where a key sits never changes what
the analysis finds; a cache from before 0056 keeps its keys and finds reposts through them; a
run killed in the batch that moves the keys leaves both levels and their counts as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.reposts import fill_with_reposts, repost_entry
from wirereader.analysis import pipeline
from wirereader.analysis.pipeline import analyse_pending
from wirereader.store import dedup as dedup_store
from wirereader.store.db import Store


def _keys(conn: sqlite3.Connection, table: str) -> set[tuple[int, int]]:
    return {(r[0], r[1]) for r in conn.execute(f"SELECT key, entry_id FROM {table}")}


def _outcome(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT stable_id, repost_of, thread_id, analysed_hash FROM entries ORDER BY id"
    ).fetchall()


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        str(k): int(v)
        for k, v in conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'analysis.dedup_%_keys'"
        )
    }


def test_keys_move_into_the_large_level_and_the_outcome_stays_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "one.sqlite3") as store:  # every key stays recent (60,000 allowed)
        fill_with_reposts(store)
        analyse_pending(store, batch_size=20, workers=False)
        one_level = _outcome(store.conn)
        all_keys = _keys(store.conn, "dedup_recent_keys")
        assert _keys(store.conn, "dedup_keys") == set()
    monkeypatch.setattr(dedup_store, "RECENT_MIN", 300)
    monkeypatch.setattr(dedup_store, "MERGE_SCALE", 100)
    with Store(tmp_path / "two.sqlite3") as store:
        fill_with_reposts(store)
        analyse_pending(store, batch_size=20, workers=False)
        assert _outcome(store.conn) == one_level
        assert sum(1 for r in one_level if r[1] is not None) == 30  # every copy found
        settled, recent = _keys(store.conn, "dedup_keys"), _keys(store.conn, "dedup_recent_keys")
        assert settled and not settled & recent
        assert settled | recent == all_keys
        # The counts kept in meta are the tables' own, and the recent level is under its limit.
        assert _counts(store.conn) == {
            "analysis.dedup_recent_keys": len(recent),
            "analysis.dedup_settled_keys": len(settled),
        }
        assert len(recent) <= dedup_store.recent_limit(len(settled))


def test_a_cache_from_before_0056_keeps_its_keys_and_finds_reposts_through_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(
            source, [repost_entry("a", n, n) for n in range(40)], seen_at=1_770_000_000
        )
        analyse_pending(store, workers=False)
        keys = _keys(store.conn, "dedup_recent_keys")
    # As written before 0056: every key in dedup_keys, no second level, no counts.
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO dedup_keys SELECT key, entry_id FROM dedup_recent_keys")
    conn.execute("DROP TABLE dedup_recent_keys")
    conn.execute("DELETE FROM meta WHERE key LIKE 'analysis.dedup_%_keys'")
    conn.execute("DELETE FROM schema_migrations WHERE version = 56")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert _keys(store.conn, "dedup_keys") == keys
        assert _keys(store.conn, "dedup_recent_keys") == set()
        other = store.ensure_source("test:other", "feed", name="other")
        store.save_entries(other, [repost_entry("b", 0, 300, copy_of=7)], seen_at=1_770_000_100)
        analyse_pending(store, workers=False)
        original, repost = store.conn.execute(
            "SELECT (SELECT id FROM entries WHERE stable_id = 'a-7'),"
            " (SELECT repost_of FROM entries WHERE stable_id = 'b-0')"
        ).fetchone()
        assert repost == original
        # The old level was counted once and left as it was; the new keys are recent.
        assert _counts(store.conn)["analysis.dedup_settled_keys"] == len(keys)
        assert _keys(store.conn, "dedup_keys") == keys
        assert _keys(store.conn, "dedup_recent_keys")


def test_a_run_killed_in_the_batch_that_moves_the_keys_leaves_both_levels_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup_store, "RECENT_MIN", 300)
    monkeypatch.setattr(dedup_store, "MERGE_SCALE", 0)
    path = tmp_path / "killed.sqlite3"
    with Store(path) as store:
        fill_with_reposts(store)
        # Batches of 20 entries, ~10 keys each: the second batch passes 300 keys and moves.
        real_record = pipeline.record_entities
        calls = 0

        def killed_in_the_second_batch(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == 2:
                assert store.conn.execute("SELECT count(*) FROM dedup_keys").fetchone()[0] > 0
                raise KeyboardInterrupt
            return real_record(*args, **kwargs)

        monkeypatch.setattr(pipeline, "record_entities", killed_in_the_second_batch)
        with pytest.raises(KeyboardInterrupt):
            analyse_pending(store, batch_size=20, workers=False)
        assert _keys(store.conn, "dedup_keys") == set()
        recent = _keys(store.conn, "dedup_recent_keys")
        assert 0 < len(recent) <= 300
        assert _counts(store.conn) == {
            "analysis.dedup_recent_keys": len(recent),
            "analysis.dedup_settled_keys": 0,
        }
        monkeypatch.setattr(pipeline, "record_entities", real_record)
        analyse_pending(store, batch_size=20, workers=False)
        killed = _outcome(store.conn)
    with Store(tmp_path / "whole.sqlite3") as store:
        fill_with_reposts(store)
        analyse_pending(store, batch_size=20, workers=False)
        assert killed == _outcome(store.conn)

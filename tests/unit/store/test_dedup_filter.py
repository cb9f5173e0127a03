"""The run's filter of the stored dedup keys (store/dedup.py `StoredKeys`): a key it turns away is
never stored, so the run asks SQLite only for the keys it lets through and finds the same reposts
in the same order; keys another connection stores are read again; a large cache is not read for
a small run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.support.reposts import fill_with_reposts
from wirereader.analysis.pipeline import analyse_pending
from wirereader.store import dedup as dedup_store
from wirereader.store.db import Store


def _outcome(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT stable_id, repost_of, thread_id, analysed_hash FROM entries ORDER BY id"
    ).fetchall()


def _asked(store: Store) -> list[int]:
    """Counts the keys each lookup statement of `dedup_keys` asks, as the run goes."""
    asked: list[int] = []

    def trace(sql: str) -> None:
        if sql.startswith("SELECT key, entry_id FROM dedup_keys WHERE key IN"):
            asked.append(sql.count(","))

    store.conn.set_trace_callback(trace)
    return asked


def test_the_run_asks_only_the_keys_the_filter_lets_through_and_finds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "filtered.sqlite3") as store:
        fill_with_reposts(store)
        asked = _asked(store)
        analyse_pending(store, batch_size=20, workers=False)
        filtered, asked_filtered = _outcome(store.conn), sum(asked)
    monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", 0)  # no filter: every key asked
    with Store(tmp_path / "all.sqlite3") as store:
        fill_with_reposts(store)
        asked = _asked(store)
        analyse_pending(store, batch_size=20, workers=False)
        assert _outcome(store.conn) == filtered
        asked_all = sum(asked)
    assert sum(1 for r in filtered if r[1] is not None) == 30  # every copy found
    # Most keys are new (each entry has a text of its own, but for the 30 copies).
    assert asked_filtered < asked_all / 4


def test_keys_another_connection_stored_are_read_again(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        fill_with_reposts(store)
        analyse_pending(store, workers=False)
        conn = store.conn
        seen = dedup_store.StoredKeys()
        stored = np.array([r[0] for r in conn.execute("SELECT key FROM dedup_recent_keys")])
        assert seen.ready(conn, len(stored) // dedup_store.FILTER_READ_RATIO + 1)
        assert seen.may_hold(stored).all()
        entry = conn.execute("SELECT min(id) FROM entries").fetchone()[0]
        keys = np.array([(1 << 62) + 12_345 * n for n in range(1, 200)], dtype=np.int64)
        values = keys >> dedup_store.KEY_SHIFT
        assert not seen.may_hold(values).any()  # (chosen so: ~2% would pass by chance)
        assert dedup_store.key_holders(conn, keys, seen) == []
        # Another process's analysis stores keys.
        with Store(path) as other, other.transaction() as writing:
            dedup_store.insert_keys(writing, keys, np.full(len(keys), entry))
        assert seen.ready(conn, 1)  # read again: the counts in meta moved
        assert seen.may_hold(values).all()
        assert dedup_store.key_holders(conn, keys, seen) == [(int(k), entry) for k in keys]


def test_a_large_cache_is_not_read_for_a_small_run(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite3") as store:
        fill_with_reposts(store)
        analyse_pending(store, workers=False)
        conn = store.conn
        stored = conn.execute("SELECT count(*) FROM dedup_recent_keys").fetchone()[0]
        few = stored // dedup_store.FILTER_READ_RATIO - 1
        reads: list[str] = []
        conn.set_trace_callback(reads.append)
        seen = dedup_store.StoredKeys()
        assert not seen.ready(conn, few)  # every key is asked, as without a filter
        assert not any(sql.startswith("SELECT key FROM dedup") for sql in reads)
        assert seen.ready(conn, 2)  # the run has asked enough by now: read
        assert any(sql.startswith("SELECT key FROM dedup") for sql in reads)


def test_a_full_filter_passes_every_stored_value_and_few_others() -> None:
    rng = np.random.default_rng(7)
    seen = dedup_store.StoredKeys()
    seen.add(np.zeros(0, dtype=np.int64), (0, 0))  # (not built: nothing kept)
    assert not seen.may_hold(np.arange(10, dtype=np.int64)).any()
    seen._counts = (0, 0)  # as `ready` leaves it on an empty cache
    batches = [rng.integers(0, 1 << 47, 30_000, dtype=np.int64) for _ in range(12)]
    for n, values in enumerate(batches):
        seen.add(values, (0, n))
    assert all(seen.may_hold(values).all() for values in batches)  # three levels by now
    others = rng.integers(0, 1 << 47, 100_000, dtype=np.int64)
    assert seen.may_hold(others).mean() < 0.06


def test_past_its_memory_cap_the_filter_still_passes_every_stored_value_and_turns_most_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Room for the first level and not the second: the first takes every key, over-full.
    monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", dedup_store.FILTER_MIN_BITS // 8 * 2)
    rng = np.random.default_rng(11)
    seen = dedup_store.StoredKeys()
    seen._counts = (0, 0)  # as `ready` leaves it on an empty cache
    batches = [rng.integers(0, 1 << 47, 40_000, dtype=np.int64) for _ in range(6)]
    for n, values in enumerate(batches):
        seen.add(values, (0, n))
    assert not seen.off
    assert sum(map(len, seen._levels)) <= dedup_store.FILTER_MAX_BYTES
    assert all(seen.may_hold(values).all() for values in batches)  # 2.3x its design's keys
    others = rng.integers(0, 1 << 47, 100_000, dtype=np.int64)
    assert 0.06 < seen.may_hold(others).mean() < 0.5  # (over-full: more pass, most do not)


def test_a_first_read_larger_than_the_cap_fills_one_level_as_large_as_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", dedup_store.FILTER_MIN_BITS // 8 * 3)
    rng = np.random.default_rng(12)
    seen = dedup_store.StoredKeys()
    seen._counts = (0, 0)
    values = rng.integers(0, 1 << 47, 300_000, dtype=np.int64)  # would want 4x the first level
    seen.add(values, (0, 1))
    assert [len(level) for level in seen._levels] == [dedup_store.FILTER_MIN_BITS // 8 * 2]
    assert seen.may_hold(values).all()
    monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", dedup_store.FILTER_MIN_BITS // 8 - 1)
    small = dedup_store.StoredKeys()
    small._counts = (0, 0)
    small.add(values, (0, 1))
    assert small.off  # no first level fits: every key is asked


def test_a_run_past_the_filters_cap_finds_the_same_as_without_a_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "all.sqlite3") as store:
        fill_with_reposts(store)
        monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", 0)  # no filter: every key asked
        asked = _asked(store)
        analyse_pending(store, batch_size=20, workers=False)
        unfiltered, asked_all = _outcome(store.conn), sum(asked)
    # A first level of 8,192 bits (819 keys) and no room for a second: it takes every key.
    monkeypatch.setattr(dedup_store, "FILTER_MIN_BITS", 1 << 13)
    monkeypatch.setattr(dedup_store, "FILTER_MAX_BYTES", (1 << 13) // 8 * 2)
    with Store(tmp_path / "capped.sqlite3") as store:
        fill_with_reposts(store)
        asked = _asked(store)
        seen: list[dedup_store.StoredKeys] = []
        made = dedup_store.StoredKeys.__init__

        def kept(self: dedup_store.StoredKeys) -> None:
            made(self)
            seen.append(self)

        monkeypatch.setattr(dedup_store.StoredKeys, "__init__", kept)
        analyse_pending(store, batch_size=20, workers=False)
        assert _outcome(store.conn) == unfiltered
        stored = store.conn.execute(
            "SELECT (SELECT count(*) FROM dedup_keys) + (SELECT count(*) FROM dedup_recent_keys)"
        ).fetchone()[0]
    assert stored > 2 * 819  # the level is over-full
    assert [len(level) for s in seen for level in s._levels] == [(1 << 13) // 8]
    assert not any(s.off for s in seen)
    assert sum(asked) < asked_all / 2  # still turns most new keys away

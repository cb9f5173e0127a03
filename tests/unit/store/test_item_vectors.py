"""Stored item vectors (migration 0023, store/item_vectors.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from wirereader.analysis.pipeline import analyse_pending
from wirereader.analysis.threads import index as threads
from wirereader.core.model import RawEntry
from wirereader.store import item_vectors
from wirereader.store.db import Store

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)


def test_vectors_come_back_as_stored() -> None:
    """Term numbers of 3 bytes, and of 4 past 16.7 million, side by side; weights as 32-bit
    floats; each vector's distinct terms and flags."""
    ids = np.asarray([1, 70_000, 5, 1 << 24, 3, 2, 16_777_215], dtype=np.int64)
    weights = np.asarray([0.5, 0.25, 0.125, 0.1, 0.2, 0.3, 0.4])
    counts, distinct, flags = [2, 2, 0, 3], [80, 2, 0, 70_000], [1, 2, 3, 0]
    blobs = item_vectors.encode_many(ids, weights, counts, distinct, flags)
    assert [len(b) for b in blobs] == [3 + 14, 3 + 16, 3, 3 + 21]
    got_ids, got_weights, got_counts, got_distinct, got_flags = item_vectors.decode_many(blobs)
    assert got_ids.tolist() == ids.tolist()
    assert got_weights.tolist() == weights.astype(np.float32).astype(np.float64).tolist()
    assert got_counts == counts
    assert got_distinct == [80, 2, 0, 0xFFFF]
    assert got_flags == flags


def test_empty_vectors_anywhere_leave_each_vector_its_own_width() -> None:
    """Which vectors need 4-byte numbers is worked out for all at once: an empty vector first,
    last or before a wide one takes no number of its neighbours."""
    ids = np.asarray([1 << 24, 7, 1 << 25, 9], dtype=np.int64)
    weights = np.asarray([0.5, 0.25, 0.125, 0.1])
    counts, distinct, flags = [0, 1, 1, 0, 1, 1, 0], [0, 1, 1, 0, 1, 1, 0], [0] * 7
    blobs = item_vectors.encode_many(ids, weights, counts, distinct, flags)
    assert [len(b) for b in blobs] == [3, 3 + 8, 3 + 7, 3, 3 + 8, 3 + 7, 3]
    got_ids, _, got_counts, _, got_flags = item_vectors.decode_many(blobs)
    assert got_ids.tolist() == ids.tolist()
    assert got_counts == counts
    assert got_flags == flags
    assert item_vectors.encode_many(ids[:0], weights[:0], [], [], []) == []


def _entry(n: int, outlet: str, when: datetime) -> RawEntry:
    return RawEntry(
        title=f"Velmar dock workers strike over night-shift pay ({outlet})",
        body=f"Dock workers in Velmar walked out over night-shift pay, {outlet} reports. "
        + (
            "Three container ships wait at anchor outside the harbour."
            if outlet == "north"
            else "The union says the strike lasts until Velmar Quays restores the allowance."
        ),
        stable_id=f"{outlet}-{n}",
        published=when,
    )


def test_a_cache_from_before_stored_vectors_migrates(tmp_path: Path) -> None:
    """A cache analysed before 0023 (no `thread_item_vectors`, no `term_df.id`) migrates: its
    items have no stored vector, so a later run reads its threads back from their text, and
    stores the vectors of what it analyses."""
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        north = store.ensure_source("test:north", "feed", name="north")
        store.save_entries(north, [_entry(1, "north", T0)])
        analyse_pending(store)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(
            """
            DROP TABLE thread_item_vectors;
            DROP INDEX term_df_by_id;
            ALTER TABLE term_df DROP COLUMN id;
            DELETE FROM meta WHERE key = 'analysis.vectors_horizon';
            DELETE FROM schema_migrations WHERE version = 23;
            """
        )
        conn.commit()
    finally:
        conn.close()
    read: list[int] = []
    real = threads.ThreadIndex._items_from_text

    def from_text(self: threads.ThreadIndex, rows: list, at: list, items: list) -> None:
        read.extend(r[1] for r in rows)
        real(self, rows, at, items)

    with pytest.MonkeyPatch.context() as patch, Store(path) as store:
        patch.setattr(threads.ThreadIndex, "_items_from_text", from_text)
        conn = store.conn
        assert conn.execute("SELECT count(*) FROM thread_item_vectors").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM term_df WHERE id IS NOT NULL").fetchone()[0] == 0
        south = store.ensure_source("test:south", "feed", name="south")
        store.save_entries(south, [_entry(1, "south", T0 + timedelta(hours=1))])
        analyse_pending(store)
        threads_of = {r[0]: r[1] for r in conn.execute("SELECT stable_id, thread_id FROM entries")}
        assert threads_of["north-1"] == threads_of["south-1"]
        assert len(read) == 1  # the earlier run's item, from its text
        assert conn.execute("SELECT count(*) FROM thread_item_vectors").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM term_df WHERE id IS NOT NULL").fetchone()[0] > 0

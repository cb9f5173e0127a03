"""The thread candidate index packed (migration 0051, store/threads.py): a cache with the old
row-per-posting `thread_terms` converts without loss (the same postings, the same indexed terms,
the same threads for what comes next), a centroid from before 0022 keeps its exact weights, a
conversion cut short is done again, and a prune takes its threads out of the index."""

from __future__ import annotations

import random
import shutil
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.store import migrate_postings
from wirereader.store import threads as thread_store
from wirereader.store.bulk import IN_CHUNK
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version
from wirereader.store.prune import prune

_WORDS = [
    "harbour",
    "council",
    "ferry",
    "storm",
    "bridge",
    "election",
    "court",
    "market",
    "police",
    "hospital",
    "school",
    "strike",
    "budget",
    "energy",
    "flood",
    "rescue",
    "mayor",
    "housing",
    "train",
    "station",
    "museum",
    "festival",
    "league",
    "coach",
]
_PLACES = ["Velmar", "Ostrand", "Kettleby", "Durnholm", "Praia Nova", "Lindqvist"]


def _items(count: int, seed: int) -> dict[str, list[RawEntry]]:
    """Items of many small stories over three feeds, a few hours apart: enough threads (and
    enough change in their strongest terms) for the index to gain and lose postings."""
    rng = random.Random(seed)
    start = datetime(2026, 2, 1, tzinfo=timezone.utc)
    out: dict[str, list[RawEntry]] = {"a": [], "b": [], "c": []}
    for n in range(count):
        story = n // 4 + rng.randint(0, 2)
        srng = random.Random(story)
        own = [f"{srng.choice(_PLACES).lower()}{story}{k}" for k in range(6)]
        words = own + srng.sample(_WORDS, 4)
        body = " ".join(rng.choice(words) for _ in range(rng.randint(15, 60)))
        feed = "abc"[n % 3]
        out[feed].append(
            RawEntry(
                title=" ".join(rng.sample(words, 5)).capitalize(),
                body=body,
                stable_id=f"{seed}-{n}",
                published=start + timedelta(hours=story * 3, minutes=rng.randint(0, 90)),
            )
        )
    return out


def _save(store: Store, items: dict[str, list[RawEntry]], seen_at: int | None = None) -> None:
    for feed, entries in items.items():
        source = store.ensure_source(f"test:{feed}", "feed", name=feed)
        store.save_entries(source, entries, seen_at=seen_at or SEEN_AT)


# After the items' own times (2026-02-01 .. 2026-02-20), so that the times are theirs: seen before
# them, a feed running ahead as a whole is read as a clock that is off and moved below the fetch.
SEEN_AT = int(datetime(2026, 2, 25, tzinfo=timezone.utc).timestamp())


# Both levels of the index (migration 0057): a recent row replaces the older level's.
ALL_POSTINGS = (
    "SELECT term, block, threads FROM thread_recent_postings UNION ALL"
    " SELECT term, block, threads FROM thread_postings p WHERE NOT EXISTS (SELECT 1 FROM"
    " thread_recent_postings r WHERE r.term = p.term AND r.block = p.block)"
)


def _postings(conn: sqlite3.Connection) -> set[tuple[str, int]]:
    return {
        (term, (block << thread_store.BLOCK_BITS) + k)
        for term, block, stored in conn.execute(ALL_POSTINGS)
        for k in thread_store.decode_block(stored)
    }


def _outcome(conn: sqlite3.Connection) -> list[list[tuple[object, ...]]]:
    queries = [
        "SELECT id, repost_of, thread_id FROM entries ORDER BY id",
        "SELECT id, title, size, first_at, last_at FROM threads ORDER BY id",
        "SELECT thread_id, headline_entry, headline_score, centroid, indexed, dated_first,"
        " dated_last FROM thread_state ORDER BY thread_id",
    ]
    return [[tuple(r) for r in conn.execute(q)] for q in queries]


def _as_before_0051(path: Path, weights: bool = True) -> set[tuple[str, int]]:
    """Turn a cache back into the layout before 0051 (one `thread_terms` row per posting with
    its weight, an index by thread, no bitmaps), as that version wrote it; its postings."""
    conn = sqlite3.connect(path)
    try:
        postings = _postings(conn)
        conn.executescript(
            """
            CREATE TABLE thread_terms (
                term       TEXT NOT NULL,
                thread_id  INTEGER NOT NULL REFERENCES threads(id),
                weight     REAL NOT NULL,
                PRIMARY KEY (term, thread_id)
            ) WITHOUT ROWID;
            CREATE INDEX thread_terms_by_thread ON thread_terms (thread_id);
            """
        )
        centroids = {
            r[0]: thread_store.decode_centroid(r[1])
            for r in conn.execute("SELECT thread_id, centroid FROM thread_state")
        }
        conn.executemany(
            "INSERT INTO thread_terms (term, thread_id, weight) VALUES (?, ?, ?)",
            [(t, i, centroids[i][t] if weights else 0.0) for t, i in sorted(postings)],
        )
        conn.execute("DROP TABLE thread_postings")
        conn.execute("DROP TABLE thread_recent_postings")  # (0057)
        conn.execute("DELETE FROM meta WHERE key = 'analysis.settled_postings'")
        conn.execute("ALTER TABLE thread_state DROP COLUMN indexed")
        conn.execute("DELETE FROM schema_migrations WHERE version IN (51, 57)")
        conn.execute("PRAGMA user_version = 50")
        conn.commit()
    finally:
        conn.close()
    return postings


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


@pytest.fixture(params=[thread_store.BLOCK_BITS, 3], ids=["blocks", "small-blocks"])
def block_bits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The stored block size, and one of 8 ids (one-byte bitmaps from 1 thread), so that a
    small cache has many blocks, in both forms."""
    bits = int(request.param)
    monkeypatch.setattr(thread_store, "BLOCK_BITS", bits)
    monkeypatch.setattr(thread_store, "BLOCK", 1 << bits)
    monkeypatch.setattr(thread_store, "BITMAP_AT", (1 << bits) // 8)
    return bits


def test_an_old_index_converts_without_loss_and_threads_go_on_the_same(
    tmp_path: Path, block_bits: int
) -> None:
    first, later = _items(600, seed=1), _items(120, seed=2)
    kept, old = tmp_path / "kept.sqlite3", tmp_path / "old.sqlite3"
    with Store(kept) as store:
        _save(store, first)
        analyse_pending(store, batch_size=40, workers=False)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _outcome(store.conn)
        shutil.copy(kept, old)
    postings = _as_before_0051(old)
    assert len(postings) > 500 and len({i for _, i in postings}) > 40
    assert "thread_terms" in _tables(old) and "thread_postings" not in _tables(old)
    with Store(old) as store:
        assert current_version(store.conn) == latest_version()
        assert "thread_terms" not in _tables(old)
        assert _postings(store.conn) == postings
        assert _outcome(store.conn) == before  # bitmaps included
        # What comes next is placed as in the cache that never had the old layout.
        _save(store, later)
        analyse_pending(store, batch_size=40, workers=False)
        converted = _outcome(store.conn), _postings(store.conn)
    with Store(kept) as store:
        _save(store, later)
        analyse_pending(store, batch_size=40, workers=False)
        assert (_outcome(store.conn), _postings(store.conn)) == converted
    # (the later items joined threads of the first run, so the reloaded index was used)
    assert {r[2] for r in converted[0][0][-120:]} & {r[2] for r in before[0]}


def test_a_centroid_from_before_0022_keeps_its_exact_weights(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with Store(path) as store:
        _save(store, _items(60, seed=3))
        analyse_pending(store, workers=False)
        thread = store.conn.execute("SELECT max(thread_id) FROM thread_state").fetchone()[0]
    _as_before_0051(path)
    conn = sqlite3.connect(path)
    exact = {"velmar7": 0.1 + 0.2, "ferry": 1 / 3, "storm": 2.0**-30}  # not float32 values
    conn.execute("DELETE FROM thread_terms WHERE thread_id = ?", (thread,))
    conn.executemany(
        "INSERT INTO thread_terms (term, thread_id, weight) VALUES (?, ?, ?)",
        [(t, thread, w) for t, w in exact.items()],
    )
    conn.execute("UPDATE thread_state SET centroid = '' WHERE thread_id = ?", (thread,))
    conn.commit()
    conn.close()
    with Store(path) as store:
        centroid, indexed = store.conn.execute(
            "SELECT centroid, indexed FROM thread_state WHERE thread_id = ?", (thread,)
        ).fetchone()
        weights = thread_store.decode_centroid(centroid)
        assert weights == dict(sorted(exact.items()))
        assert thread_store.decode_indexed(weights, indexed) == set(exact)
        assert {t for t, i in _postings(store.conn) if i == thread} == set(exact)


def test_a_conversion_cut_short_is_done_again(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cut.sqlite3"
    with Store(path) as store:
        _save(store, _items(240, seed=4))
        analyse_pending(store, batch_size=40, workers=False)
        before = _outcome(store.conn)
    postings = _as_before_0051(path)
    monkeypatch.setattr(migrate_postings, "BATCH", 7)
    calls = 0

    def fails_on_the_last_step(conn: sqlite3.Connection) -> None:
        nonlocal calls
        calls += 1
        raise KeyboardInterrupt  # a kill after the bitmaps, before the postings

    real_fill = migrate_postings._fill_postings
    monkeypatch.setattr(migrate_postings, "_fill_postings", fails_on_the_last_step)
    with pytest.raises(KeyboardInterrupt):
        Store(path).close()
    assert calls == 1 and "thread_terms" in _tables(path)
    monkeypatch.setattr(migrate_postings, "_fill_postings", real_fill)
    with Store(path) as store:
        assert _postings(store.conn) == postings
        assert _outcome(store.conn) == before


def test_pruned_threads_leave_the_index(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        _save(store, _items(120, seed=5))
        analyse_pending(store, workers=False)
        threads = {r[0] for r in store.conn.execute("SELECT id FROM threads")}
        middle = store.conn.execute(
            "SELECT published_at FROM entries ORDER BY published_at LIMIT 1 OFFSET 60"
        ).fetchone()[0]
        summary = prune(store, cutoff=middle)
        assert summary.entries
        left = {r[0] for r in store.conn.execute("SELECT id FROM threads")}
        assert left < threads
        named = {i for _, i in _postings(store.conn)}
        assert named and named <= left
        state = dict(store.conn.execute("SELECT thread_id, indexed FROM thread_state"))
        centroids = dict(store.conn.execute("SELECT thread_id, centroid FROM thread_state"))
        expected = {
            (t, i)
            for i in left
            for t in thread_store.decode_indexed(
                thread_store.decode_centroid(centroids[i]), state[i]
            )
        }
        assert _postings(store.conn) == expected


def test_blocks_round_trip_in_both_forms() -> None:
    for offsets in ([], [0], [3, 255], list(range(0, 256, 9)), list(range(256))):
        stored = thread_store.encode_block(offsets)
        assert thread_store.decode_block(stored) == sorted(offsets)
        assert len(stored) <= thread_store.BITMAP_AT


def test_offsets_as_the_bits_of_an_int_encode_and_decode_as_the_blocks_do(
    block_bits: int,
) -> None:
    """`update_postings` keeps a row's offsets as the bits of an int: the same bytes as
    `encode_block` of the offsets, and the same offsets back as `decode_block`."""
    rng = random.Random(5)
    block = thread_store.BLOCK
    for size in (1, 2, 3, block // 8 - 1, block // 8, block // 8 + 1, block - 1, block):
        for _ in range(20):
            offsets = rng.sample(range(block), min(size, block))
            bits = sum(1 << k for k in offsets)
            stored = thread_store.encode_block(offsets)
            assert thread_store._encode_mask(bits) == stored
            assert thread_store._decode_mask(stored) == bits


UNDATED_SEEN_AT = 1_770_000_000  # 2026-02-02 02:40


def _undated(entry: RawEntry) -> RawEntry:
    """The item without its time when that is more than two days after UNDATED_SEEN_AT."""
    late = entry.published and entry.published.timestamp() > UNDATED_SEEN_AT + 2 * 86_400
    return replace(entry, published=None) if late else entry


def test_the_index_in_two_levels_gives_the_same_threads_wherever_its_rows_sit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bits: int
) -> None:
    """Migration 0057: rows move from `thread_recent_postings` into `thread_postings` now and
    then; an emptied recent row hides the older level's. Neither changes a lookup. (1,200
    items: with 600 in batches of 40 no row empties since later batches regroup with earlier
    threads, which then no longer gather several stories and churn their strongest terms.
    One feed of items most of which give no time, so their times are guesses (the oldest
    time the feed gives), and two feeds' undated items never pair.)"""
    items = {"a": [_undated(e) for entries in _items(1200, seed=1).values() for e in entries]}
    with Store(tmp_path / "recent.sqlite3") as store:  # nothing moves (20,000 rows allowed)
        _save(store, items, seen_at=UNDATED_SEEN_AT)
        analyse_pending(store, batch_size=40, workers=False)
        one_level, postings = _outcome(store.conn), _postings(store.conn)
        assert store.conn.execute("SELECT count(*) FROM thread_postings").fetchone()[0] == 0
        emptied = "SELECT count(*) FROM thread_recent_postings WHERE threads = X''"
        assert store.conn.execute(emptied).fetchone()[0] > 0  # postings did leave the index
    monkeypatch.setattr(thread_store, "RECENT_POSTINGS_MIN", 50)
    monkeypatch.setattr(thread_store, "POSTINGS_MERGE_SCALE", 10)
    with Store(tmp_path / "moved.sqlite3") as store:
        _save(store, items, seen_at=UNDATED_SEEN_AT)
        analyse_pending(store, batch_size=40, workers=False)
        assert _outcome(store.conn) == one_level
        assert _postings(store.conn) == postings
        conn = store.conn
        settled = conn.execute("SELECT count(*) FROM thread_postings").fetchone()[0]
        assert settled > 0
        assert (
            conn.execute("SELECT count(*) FROM thread_postings WHERE threads = X''").fetchone()[0]
            == 0
        )  # a move removes what an emptied row hid, and never stores an empty one
        kept = conn.execute("SELECT value FROM meta WHERE key = 'analysis.settled_postings'")
        assert int(kept.fetchone()[0]) == settled
        recent = conn.execute("SELECT count(*) FROM thread_recent_postings").fetchone()[0]
        assert recent <= thread_store.recent_postings_limit(settled)
        # Each lookup the analysis makes reads the same threads as from one level.
        for term in sorted({t for t, _ in postings})[:50]:
            expected = sorted({i for t, i in postings if t == term}, reverse=True)[:20]
            assert thread_store.postings(conn, term, 20) == expected


@pytest.mark.parametrize("first_window", [1, thread_store.FIRST_WINDOW])
@pytest.mark.parametrize("growth", [2, thread_store.WINDOW_GROWTH])
def test_terms_read_together_give_each_term_its_own_lookup(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    block_bits: int,
    first_window: int,
    growth: int,
) -> None:
    """`postings_of_terms` reads many terms' blocks in windows, newest first: each term gets
    what `postings` walking its blocks one by one gives, with rows in both levels (emptied
    recent rows hiding older ones), whatever the windows and the limit, the same where some or
    all terms are read whole, and a term with no thread gets none."""
    monkeypatch.setattr(thread_store, "RECENT_POSTINGS_MIN", 50)
    monkeypatch.setattr(thread_store, "POSTINGS_MERGE_SCALE", 10)
    monkeypatch.setattr(thread_store, "FIRST_WINDOW", first_window)
    monkeypatch.setattr(thread_store, "WINDOW_GROWTH", growth)
    items = _items(1200, seed=1)
    with Store(tmp_path / "cache.sqlite3") as store:
        _save(store, {feed: entries[: len(entries) * 3 // 4] for feed, entries in items.items()})
        analyse_pending(store, batch_size=40, workers=False)
        # The later batches' rows stay in the recent level.
        monkeypatch.setattr(thread_store, "RECENT_POSTINGS_MIN", 1_000_000)
        _save(store, {feed: entries[len(entries) * 3 // 4 :] for feed, entries in items.items()})
        analyse_pending(store, batch_size=40, workers=False)
        conn = store.conn
        levels = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("thread_postings", "thread_recent_postings")
        ]
        assert min(levels) > 0
        terms = [*sorted({t for t, _ in _postings(conn)}), "no-such-term"]
        if block_bits == 3:  # (8 threads a block: windows of 1 block are many windows)
            blocks = conn.execute("SELECT count(DISTINCT block) FROM thread_postings")
            assert blocks.fetchone()[0] > 3 * first_window  # (three windows or more)
        for limit in (1, 3, 20, 10_000):
            together = thread_store.postings_of_terms(conn, terms, limit)
            assert together == {t: thread_store.postings(conn, t, limit) for t in terms}
            # Terms read whole, in one round, whether they hold few threads or many.
            for whole in (terms[::3], terms):
                assert thread_store.postings_of_terms(conn, terms, limit, whole) == together
        assert together["no-such-term"] == []
        assert max(len(v) for v in together.values()) > 20
        # Read whole, a term takes one round of queries (a statement per level and IN_CHUNK
        # terms) where its windows take one per window down to its first block.
        counts = []
        for read_whole in ([], terms):
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            thread_store.postings_of_terms(conn, terms, 10_000, read_whole)
            conn.set_trace_callback(None)
            counts.append(sum("FROM thread_" in s for s in statements))
        assert counts[1] == 2 * -(-len(terms) // IN_CHUNK)
        if block_bits == 3:
            assert counts[0] > 2 * counts[1]


@pytest.mark.parametrize("moves", [False, True], ids=["one-level", "moving"])
def test_rows_of_the_run_s_own_blocks_are_written_as_if_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bits: int, moves: bool
) -> None:
    """A run does not read the candidate index's rows of the blocks only its own threads fill
    (`thread_store.OwnBlocks`) before writing them again: the same rows in both levels, the same
    counts in `meta`, the same threads and states as when every row is read, over two runs (the
    second starts in the first's last block), with threads emptied by regroupings and, where
    the recent level is small, moves between the levels."""
    if moves:
        monkeypatch.setattr(thread_store, "RECENT_POSTINGS_MIN", 50)
        monkeypatch.setattr(thread_store, "POSTINGS_MERGE_SCALE", 10)
    items = _items(1200, seed=1)
    halves = [
        {feed: entries[: len(entries) // 2] for feed, entries in items.items()},
        {feed: entries[len(entries) // 2 :] for feed, entries in items.items()},
    ]
    update = thread_store.update_postings
    asked: list[bool] = []

    def counted(
        conn: sqlite3.Connection,
        entered: list[tuple[str, int]],
        left: list[tuple[str, int]],
        own: thread_store.OwnBlocks | None = None,
    ) -> None:
        if own is not None:
            bits = thread_store.BLOCK_BITS
            asked.extend(own.known(thread >> bits) for _, thread in [*entered, *left])
        update(conn, entered, left, own)

    start = thread_store.OwnBlocks.__init__

    def knowing_nothing(self: thread_store.OwnBlocks, above: int) -> None:
        start(self, above)
        self.low = 1 << 62  # no block known: every row is read

    def run(path: Path) -> list[object]:
        with Store(path) as store:
            for half in halves:
                _save(store, half)
                analyse_pending(store, batch_size=40, workers=False)
            conn = store.conn
            return [
                _outcome(conn),
                sorted(map(tuple, conn.execute("SELECT * FROM thread_recent_postings"))),
                sorted(map(tuple, conn.execute("SELECT * FROM thread_postings"))),
                sorted(map(tuple, conn.execute("SELECT * FROM meta WHERE key LIKE 'analysis.%'"))),
            ]

    monkeypatch.setattr(thread_store, "update_postings", counted)
    with_known = run(tmp_path / "known.sqlite3")
    assert any(asked) and not all(asked)  # rows known, and rows read
    monkeypatch.setattr(thread_store, "update_postings", update)
    monkeypatch.setattr(thread_store.OwnBlocks, "__init__", knowing_nothing)
    assert run(tmp_path / "read.sqlite3") == with_known

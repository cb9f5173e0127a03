"""The analysis pipeline: incremental, idempotent, one transaction per batch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis.pipeline import analyse_pending, pending_count
from wirereader.core.model import RawEntry
from wirereader.ingest.files import import_file
from wirereader.store import threads as thread_store
from wirereader.store.db import Store
from wirereader.store.texts import body_of, set_body
from wirereader.store.threads import decode_block

# Dedup's keys, both levels (migration 0056: recent keys move into dedup_keys now and then).
ALL_KEYS = (
    "(SELECT key, entry_id FROM dedup_keys UNION ALL SELECT key, entry_id FROM dedup_recent_keys)"
)

T0 = datetime(2025, 4, 28, 17, 0, tzinfo=timezone.utc)


def _state(store: Store) -> list[tuple]:
    return [
        tuple(r)
        for r in store.conn.execute(
            "SELECT id, repost_of, thread_id, analysed_hash FROM entries ORDER BY id"
        )
    ]


def _threads(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT * FROM threads ORDER BY id")]


def _seeded(store: Store) -> None:
    import_file(store, LIVEBLOG_SEED, analyse=False)
    import_file(store, ARTICLE_SEED, analyse=False)
    assert pending_count(store) == 56
    report = analyse_pending(store)
    assert report.entries == 56
    assert report.reposts == 5
    assert report.items == 51


def test_rerunning_does_nothing(store: Store) -> None:
    _seeded(store)
    before = (_state(store), _threads(store))
    keys = store.conn.execute(f"SELECT count(*) FROM {ALL_KEYS}").fetchone()[0]
    again = analyse_pending(store)
    assert again.entries == 0 and again.threads_created == 0
    assert (_state(store), _threads(store)) == before
    assert store.conn.execute(f"SELECT count(*) FROM {ALL_KEYS}").fetchone()[0] == keys
    # Importing the same files again changes nothing either.
    import_file(store, LIVEBLOG_SEED)
    assert (_state(store), _threads(store)) == before


def test_adding_one_entry_touches_only_it(store: Store) -> None:
    _seeded(store)
    before = {row[0]: row for row in _state(store)}
    threads_before = {row[0]: row for row in _threads(store)}
    src = store.ensure_source("test:wire", "feed", name="wire")
    store.save_entries(
        src,
        [
            RawEntry(
                title="North Korea says its troops will stay in Kursk",
                body=(
                    "North Korea's state media said on Tuesday that its troops deployed to "
                    "Russia's Kursk region would remain there, a day after Pyongyang first "
                    "admitted sending soldiers to fight for Russia against Ukraine. Kim Jong Un "
                    "praised the troops as heroes."
                ),
                stable_id="nk-1",
                published=T0,
            )
        ],
    )
    report = analyse_pending(store)
    assert report.entries == 1
    after = {row[0]: row for row in _state(store)}
    new_id = max(after)
    assert set(after) - set(before) == {new_id}
    assert {i: after[i] for i in before} == before  # no other entry moved
    # It joined the North Korea thread: that thread's size and span changed, no other.
    thread = after[new_id][2]
    nk_thread = store.conn.execute(
        "SELECT thread_id FROM entries WHERE kind = 'article'"
    ).fetchone()[0]
    assert thread == nk_thread
    threads_after = {row[0]: row for row in _threads(store)}
    changed = {i for i in threads_after if threads_after[i] != threads_before.get(i)}
    assert changed == {thread}


def test_a_changed_text_is_analysed_again(store: Store) -> None:
    src = store.ensure_source("test:wire", "feed", name="wire")
    entry = RawEntry(
        title="Ferry service to Karvik suspended",
        body="The ferry to Karvik was suspended after a storm damaged the landing stage. "
        "Repairs are expected to take a week, the operator said on Monday.",
        stable_id="f1",
        published=T0,
    )
    store.save_entries(src, [entry])
    analyse_pending(store)
    entry.body += " A replacement bus service runs twice a day."
    store.save_entries(src, [entry])
    assert pending_count(store) == 1
    assert analyse_pending(store).entries == 1
    assert pending_count(store) == 0
    # A text change that keeps the feed's content hash (a fetched article replacing a teaser)
    # is picked up too.
    with store.transaction() as conn:
        entry_id = conn.execute("SELECT id FROM entries").fetchone()[0]
        set_body(conn, entry_id, body_of(conn, entry_id) + " Full article text.")
    assert pending_count(store) == 1
    analyse_pending(store)
    row = store.conn.execute("SELECT thread_id, repost_of FROM entries").fetchone()
    assert row["thread_id"] is not None and row["repost_of"] is None


def test_batches_cover_everything_and_match_one_big_batch(tmp_path) -> None:
    def run(batch: int) -> list[tuple]:
        with Store(tmp_path / f"b{batch}.sqlite3") as store:
            import_file(store, LIVEBLOG_SEED, analyse=False)
            report = analyse_pending(store, batch_size=batch)
            assert report.entries == 55
            assert pending_count(store) == 0
            return [
                tuple(r)
                for r in store.conn.execute(
                    "SELECT stable_id, repost_of IS NULL, thread_id IS NULL FROM entries"
                    " ORDER BY stable_id"
                )
            ]

    small, large = run(7), run(5000)
    assert small == large  # same items; every entry has a thread either way


def test_import_file_analyses_by_default(store: Store) -> None:
    import_file(store, LIVEBLOG_SEED)
    assert pending_count(store) == 0
    assert (
        store.conn.execute("SELECT count(*) FROM entries WHERE thread_id IS NULL").fetchone()[0]
        == 0
    )


def test_entities_are_recorded_once_per_entry(store: Store) -> None:
    _seeded(store)
    counted = store.conn.execute("SELECT count(*) FROM entry_entities").fetchone()[0]
    assert counted > 0
    analyse_pending(store)
    assert store.conn.execute("SELECT count(*) FROM entry_entities").fetchone()[0] == counted
    later = T0 + timedelta(hours=1)
    src = store.ensure_source("test:wire", "feed", name="wire")
    store.save_entries(
        src, [RawEntry(title="Putin meets Lavrov", body="", stable_id="x", published=later)]
    )
    analyse_pending(store)
    assert store.conn.execute("SELECT count(*) FROM entry_entities").fetchone()[0] > counted


def test_odd_entries_are_analysed_without_error(store: Store) -> None:
    src = store.ensure_source("test:odd", "feed", name="odd")
    huge = " ".join(f"token{i}" for i in range(400_000))
    odd = [
        RawEntry(title="", body="", stable_id="empty", published=T0),
        RawEntry(title="...", body="!!! ??? ---", stable_id="punctuation", published=T0),
        RawEntry(title="Huge", body=huge, stable_id="huge", published=T0),
        RawEntry(
            title="Смотрите: Киев и Москва",
            body="Переговоры о перемирии продолжаются.",
            stable_id="cyrillic",
            published=T0,
        ),
        RawEntry(
            title="東京で地震", body="気象庁によると、震源は東京湾。", stable_id="cjk", published=T0
        ),
        RawEntry(title="🔥🔥🔥", body="🚒 " * 50, stable_id="emoji", published=T0),
    ]
    store.save_entries(src, odd)
    report = analyse_pending(store)
    assert report.entries == len(odd)
    assert pending_count(store) == 0
    assert analyse_pending(store).entries == 0


def _outcome(store: Store) -> list[list[tuple]]:
    queries = [
        "SELECT stable_id, repost_of, thread_id, analysed_hash FROM entries ORDER BY id",
        "SELECT id, title, size, first_at, last_at FROM threads ORDER BY id",
        "SELECT thread_id, headline_entry, centroid FROM thread_state ORDER BY thread_id",
        "SELECT id, name, kind, count FROM entities ORDER BY id",
        "SELECT entity_id, entry_id, mentions FROM entry_entities ORDER BY entity_id, entry_id",
        "SELECT alias, entity_id FROM entity_aliases ORDER BY alias, entity_id",
        f"SELECT key, entry_id FROM {ALL_KEYS} ORDER BY key, entry_id",
    ]
    return [[tuple(r) for r in store.conn.execute(q)] for q in queries]


def test_a_worker_process_gives_the_same_outcome_as_in_process(tmp_path) -> None:
    def run(workers: bool) -> tuple[list[list[tuple]], dict[str, float]]:
        with Store(tmp_path / f"w{workers}.sqlite3") as store:
            _seeded_without_analysis(store)
            report = analyse_pending(store, batch_size=9, workers=workers)
            assert pending_count(store) == 0
            return _outcome(store), report.cpu

    alone, alone_cpu = run(False)
    helped, helped_cpu = run(True)
    assert helped == alone
    assert "prepare (worker)" not in alone_cpu
    assert helped_cpu["prepare (worker)"] > 0  # the worker did prepare batches


def _seeded_without_analysis(store: Store) -> None:
    import_file(store, LIVEBLOG_SEED, analyse=False)
    import_file(store, ARTICLE_SEED, analyse=False)


def test_prepared_work_is_used_only_for_the_text_it_came_from(store: Store) -> None:
    from wirereader.analysis.dedup.reposts import fingerprint
    from wirereader.analysis.entities.record import record_entities, text_mentions
    from wirereader.analysis.prepare_pool import prepare

    sid = store.ensure_source("test:one", "feed", name="one")
    store.save_entries(
        sid,
        [RawEntry(title="Mayor Ilse Varga opens the Tormund bridge", body="", stable_id="a")],
        seen_at=1_700_000_000,
    )
    entry_id = store.conn.execute("SELECT id FROM entries").fetchone()[0]
    stale = prepare([(entry_id, "Old title about Orwen Pask", "", "")])
    stale.texts = {entry_id: ("Old title about Orwen Pask", "")}
    now = ("Mayor Ilse Varga opens the Tormund bridge", "")
    assert stale.prints_for([(entry_id, *now)]) == {}
    assert stale.prints_for([(entry_id, "Old title about Orwen Pask", "")]) == {
        entry_id: fingerprint("Old title about Orwen Pask", "").without_shingles()
    }
    assert text_mentions(*now, "")[0] != stale.mentions[entry_id][0]
    with store.transaction() as conn:
        record_entities(conn, [entry_id], extracted=stale.mentions)
    names = {r[0] for r in store.conn.execute("SELECT name FROM entities")}
    assert "Ilse Varga" in names and "Orwen Pask" not in names


def test_the_cache_keeps_its_foreign_keys_though_the_run_does_not_check_them(tmp_path) -> None:
    # The run writes with per-row foreign key checks off (see analyse_pending); every row it
    # wrote must still point at a row that exists, and the checks are back on afterwards.
    with Store(tmp_path / "fk.sqlite3") as store:
        _seeded_without_analysis(store)
        analyse_pending(store, batch_size=9, workers=True)
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in (ALL_KEYS, "entry_entities", "thread_recent_postings", "thread_state"):
            assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
        # The candidate index names threads by value (no foreign key): each is a thread.
        threads = {r[0] for r in store.conn.execute("SELECT id FROM threads")}
        for block, stored in store.conn.execute(
            "SELECT block, threads FROM thread_postings UNION ALL"
            " SELECT block, threads FROM thread_recent_postings WHERE threads != X''"
        ):
            named = {(block << thread_store.BLOCK_BITS) + k for k in decode_block(stored)}
            assert named and named <= threads
        reposts = "SELECT count(*) FROM entries WHERE repost_of IS NOT NULL"
        assert store.conn.execute(reposts).fetchone()[0] == 5


def test_a_failed_run_puts_every_setting_back(store: Store, monkeypatch) -> None:
    import gc

    import pytest

    from wirereader.analysis import pipeline

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    _seeded_without_analysis(store)
    cache_size = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    monkeypatch.setattr(pipeline.Analysis, "_run_batches", broken)
    with pytest.raises(RuntimeError):
        analyse_pending(store)
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == cache_size
    assert gc.isenabled()


def test_the_collector_is_back_as_it_was_after_a_run(store: Store) -> None:
    import gc

    _seeded_without_analysis(store)
    assert gc.isenabled()
    analyse_pending(store)
    assert gc.isenabled()
    gc.disable()
    try:
        store.conn.execute("UPDATE entries SET analysed_hash = NULL")
        analyse_pending(store)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_prepared_terms_are_used_only_for_the_text_they_came_from() -> None:
    from wirereader.analysis.prepare_pool import prepare

    done = prepare([(7, "Old title about Orwen Pask", "", "")])
    done.texts = {7: ("Old title about Orwen Pask", "")}
    assert done.weights_for(7, "Old title about Orwen Pask", "") is not None
    assert done.weights_for(7, "Mayor Ilse Varga opens the Tormund bridge", "") is None
    assert done.weights_for(8, "Old title about Orwen Pask", "") is None


def _seed_rows(store: Store) -> list[tuple[int, str, str, str]]:
    import_file(store, LIVEBLOG_SEED, analyse=False)
    return [
        (r[0], r[1], r[2], r[3] or "")
        for r in store.conn.execute(
            "SELECT id, title, wirereader_body(body), author FROM entries"
            " JOIN entry_texts ON entry_id = id"
            " ORDER BY id"
        )
    ]


def test_chunks_the_worker_has_not_started_are_prepared_here(store: Store) -> None:
    """The pool sends a batch in chunks; what the worker has not started when the batch is
    needed is prepared in this process, with the same result, and counted as this process's."""
    from wirereader.analysis.prepare_pool import CHUNK, PreparePool, prepare

    rows = _seed_rows(store)
    assert len(rows) > CHUNK // 10
    small = [rows[i : i + 5] for i in range(0, len(rows), 5)]
    pool = PreparePool()
    try:
        first = pool.submit(rows * (CHUNK * 8 // len(rows) + 1))  # keeps the worker busy
        later = [pool.submit(chunk) for chunk in small]
        assert first is not None and all(p is not None for p in later)
        # Asked for at once: most of these chunks are still queued behind `first`.
        got = [pool.result(p) for p in later]
        done = pool.result(first)
    finally:
        pool.close()
    assert done is not None and done.cpu > 0  # the worker prepared `first`'s chunks
    stolen = 0
    for chunk, prepared in zip(small, got, strict=True):
        assert prepared is not None
        alone = prepare(chunk)
        assert prepared.prints == alone.prints
        assert prepared.mentions == alone.mentions
        assert prepared.weights == alone.weights
        assert set(prepared.texts) == {r[0] for r in chunk}
        stolen += prepared.cpu == 0.0
    assert stolen >= len(small) - 2  # at most two chunks were on their way to the worker


def test_prints_cross_back_from_the_worker_as_arrays_unchanged() -> None:
    """The worker packs a chunk's fingerprints into flat arrays; unpacked after pickling they
    are the very prints `prepare` made (short texts, long texts with bands, empty texts)."""
    import pickle

    from wirereader.analysis.prepare_pool import PackedPrints, prepare, prepare_packed

    body = "The harbour master said the night ferry left on time despite the storm. " * 4
    rows = [
        (3, "Ferry leaves on time", body, "Desk"),
        (9, "Short note", "Boxes arrive.", ""),
        (4, "", "", ""),
        (12, "Ferry update", body + "\n\nMore boats follow in the morning from the quay.", ""),
    ]
    made = prepare(rows).prints
    sent = pickle.loads(pickle.dumps(prepare_packed(rows), protocol=5))
    assert sent.prints == {} and isinstance(sent.packed, PackedPrints)
    assert sent.unpack().prints == made
    assert list(made) == [3, 9, 4, 12] and made[3].bands and not made[9].bands

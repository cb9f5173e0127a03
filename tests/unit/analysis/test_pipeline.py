"""The analysis pipeline: incremental, idempotent, one transaction per batch."""

from __future__ import annotations

import json
import math
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis.pipeline import analyse_pending, pending_count
from wirereader.analysis.threads import item as threads_item
from wirereader.analysis.threads.index import GROUP_ITEMS
from wirereader.core.model import RawEntry
from wirereader.ingest.files import import_file
from wirereader.store import analysis as analysis_store
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


def _rechecks_apart(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A list that holds an item while the re-check of young threads reads their items afresh
    from their text (`ThreadIndex._recheck_young`, by today's counts, by design in the main
    process): what a test counts as a batch's preparing leaves that out."""
    from wirereader.analysis.threads import index

    rechecking: list[bool] = []
    made_fresh = index.ThreadIndex._fresh_items

    def fresh_items(self: index.ThreadIndex, ids: list[int]) -> Any:
        rechecking.append(True)
        try:
            return made_fresh(self, ids)
        finally:
            rechecking.pop()

    monkeypatch.setattr(index.ThreadIndex, "_fresh_items", fresh_items)
    return rechecking


def test_entries_sent_ahead_are_prepared_by_the_worker_before_their_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh sends entries to the worker as they are stored (`Analysis.stored`): every
    batch then finds its entries prepared (nothing is fingerprinted, extracted or weighed in
    this process), and the outcome is that of an analysis in-process."""
    from wirereader.analysis import pipeline, prepare_pool
    from wirereader.analysis.dedup import reposts
    from wirereader.analysis.entities import record
    from wirereader.analysis.threads import index

    with Store(tmp_path / "alone.sqlite3") as store:
        _seeded_without_analysis(store)
        analyse_pending(store, batch_size=9, workers=False)
        alone = _outcome(store)

    here: list[str] = []
    rechecking = _rechecks_apart(monkeypatch)

    def counted(name: str, work: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if not rechecking:
                here.append(name)
            return work(*args, **kwargs)

        return run

    with Store(tmp_path / "ahead.sqlite3") as store:
        _seeded_without_analysis(store)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
        monkeypatch.setattr(pipeline, "AHEAD_CHUNK", 10)
        for module, name in [
            (prepare_pool, "prepare"),  # a chunk taken back from the worker
            (record, "extract"),
            (index, "text_weights"),
        ]:
            monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
        made_prints = reposts.fingerprints

        def fingerprints(texts: list[tuple[str, str]]) -> Any:
            if texts:  # (asked with none when every print came ready)
                here.append("fingerprints")
            return made_prints(texts)

        monkeypatch.setattr(reposts, "fingerprints", fingerprints)
        texts = [tuple(r) for r in analysis_store.texts_of(store.conn, ids)]
        with pipeline.Analysis(store, batch_size=9) as analysis:
            analysis.stored(texts[:30])
            analysis.stored(texts[30:])
            # The worker has every chunk done before the run asks (as in a refresh whose
            # feeds take longer to come than their entries to prepare).
            for pending in analysis._ahead:
                for future, _ in pending.chunks:
                    future.result(timeout=120)
            report = analysis.finish()
        assert report.entries == len(ids) and pending_count(store) == 0
        assert here == []
        assert report.cpu["prepare (worker)"] > 0
        assert _outcome(store) == alone


def test_a_run_s_first_batch_goes_to_the_worker_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`analyse_pending` sends its first batch to the worker as well (before, this process
    prepared all of it while the worker took the second): with the worker let finish every
    chunk before the batch asks for it, nothing at all is fingerprinted, extracted or weighed
    in this process, and the outcome is that of an analysis in-process."""
    from wirereader.analysis import prepare_pool
    from wirereader.analysis.dedup import reposts
    from wirereader.analysis.entities import record
    from wirereader.analysis.threads import index

    with Store(tmp_path / "alone.sqlite3") as store:
        _seeded_without_analysis(store)
        analyse_pending(store, batch_size=9, workers=False)
        alone = _outcome(store)

    here: list[str] = []
    sent: list[list[int]] = []
    rechecking = _rechecks_apart(monkeypatch)

    def counted(name: str, work: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if not rechecking:
                here.append(name)
            return work(*args, **kwargs)

        return run

    submit, result = prepare_pool.PreparePool.submit, prepare_pool.PreparePool.result

    def submitted(pool: Any, rows: list[Any]) -> Any:
        sent.append([r[0] for r in rows])
        return submit(pool, rows)

    def waited(pool: Any, pending: Any) -> Any:
        for future, _ in pending.chunks if pending is not None else []:
            future.result(timeout=120)  # (a chunk done is never taken back)
        return result(pool, pending)

    monkeypatch.setattr(prepare_pool.PreparePool, "submit", submitted)
    monkeypatch.setattr(prepare_pool.PreparePool, "result", waited)
    with Store(tmp_path / "first.sqlite3") as store:
        _seeded_without_analysis(store)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
        for module, name in [
            (prepare_pool, "prepare"),
            (record, "extract"),
            (index, "text_weights"),
        ]:
            monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
        made_prints = reposts.fingerprints

        def fingerprints(texts: list[tuple[str, str]]) -> Any:
            if texts:
                here.append("fingerprints")
            return made_prints(texts)

        monkeypatch.setattr(reposts, "fingerprints", fingerprints)
        report = analyse_pending(store, batch_size=9, workers=True)
        assert report.entries == len(ids) and pending_count(store) == 0
        # The first batch, sent first (then the second, sent while the first is analysed).
        assert len(sent[0]) == 9 and set(sent[0]).isdisjoint(sent[1])
        assert here == []
        assert _outcome(store) == alone


def test_entries_a_parse_worker_prepared_are_used_as_the_worker_s_and_give_the_same_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh's parse worker prepares a new feed's entries as it parses them (keyed by their
    places in the document), and the refresh hands them to the analysis by the ids they were
    saved with (`prepare_pool.prepared_as_saved`): none of them is prepared again (here or by
    the analysis's worker); a text the save changed, and a text saved twice (its second
    entry), are left to the analysis; the outcome is that of an analysis in-process."""
    from wirereader.analysis import pipeline, prepare_pool

    with Store(tmp_path / "alone.sqlite3") as store:
        _seeded_without_analysis(store)
        analyse_pending(store, batch_size=9, workers=False)
        alone = _outcome(store)

    here: list[int] = []
    made = prepare_pool.prepare

    def counted(rows: list[Any]) -> Any:
        here.extend(r[0] for r in rows)
        return made(rows)

    with Store(tmp_path / "parsed.sqlite3") as store:
        _seeded_without_analysis(store)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
        texts = [tuple(r) for r in analysis_store.texts_of(store.conn, ids)]
        # As a parse worker sends them: by place in a document holding these texts in another
        # order, the last one twice.
        document = [(t, b, a) for _, t, b, a in reversed(texts)]
        document.append(document[0])
        packed = prepare_pool.prepare_packed([(k, *text) for k, text in enumerate(document)])
        saved = [(texts[0][0], texts[0][1] + " (as saved)", *texts[0][2:]), *texts[1:]]
        saved.append((ids[-1] + 1000, *texts[-1][1:]))
        prepared = prepare_pool.prepared_as_saved(packed, document, saved)
        first: dict[tuple[str, str, str], int] = {}
        for entry_id, *text in texts[1:]:  # (the seeds repeat a few texts too)
            first.setdefault(tuple(text), entry_id)
        assert sorted(prepared.texts) == sorted(first.values())
        left = [i for i in ids if i not in prepared.texts]
        assert ids[0] in left and ids[-1] + 1000 not in prepared.texts
        monkeypatch.setattr(prepare_pool, "prepare", counted)
        with pipeline.Analysis(store, batch_size=9) as analysis:
            analysis.stored(texts, prepared)
            assert [row[0] for row in analysis._fresh] == left  # for the worker
            report = analysis.finish()
        assert set(here) <= set(left)
        assert report.entries == len(ids) and pending_count(store) == 0
        assert report.cpu["prepare (worker)"] > 0
        assert _outcome(store) == alone


def test_a_batch_takes_the_bodies_it_was_handed_until_another_writer_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a refresh the analysis holds the texts it was handed as they were stored: a batch
    reads its rows with their content hashes and no body, the same rows as read with their
    bodies; a text saved again since (another hash) is read from the store, and so is every
    text once another connection has committed (it may have changed a body)."""
    from wirereader.analysis import pipeline
    from wirereader.analysis.prepare_pool import Pending, Prepared
    from wirereader.core.model import text_hash

    path = tmp_path / "held.sqlite3"
    with Store(path) as store:
        _seeded_without_analysis(store)
        conn = store.conn
        ids = [r[0] for r in conn.execute("SELECT id FROM entries ORDER BY id")]
        texts = [tuple(r) for r in analysis_store.texts_of(conn, ids)]
        read: list[int] = []
        texts_of = analysis_store.texts_of

        def counted(c: sqlite3.Connection, wanted: list[int]) -> Any:
            read.extend(wanted)
            return texts_of(c, wanted)

        monkeypatch.setattr(analysis_store, "texts_of", counted)
        analysis = pipeline.Analysis(store, batch_size=len(ids))
        half = len(texts) // 2
        ready = Prepared({}, {}, {}, 0.0, {})  # as a parse worker prepared them
        for entry_id, title, body, author in texts[:half]:
            ready.texts[entry_id] = (title or "", body or "")
            ready.authors[entry_id] = author or ""
            ready.mentions[entry_id] = (text_hash(title or "", body or "", author or ""), [])
        ahead = Pending([], {r[0]: (r[1] or "", r[2] or "") for r in texts[half:]})
        ahead.authors = {r[0]: r[3] or "" for r in texts[half:]}  # as sent to the worker
        stale = texts[1]
        ready.texts[stale[0]] = (stale[1], stale[2] + " (an earlier save)")
        ready.mentions[stale[0]] = (text_hash(stale[1], stale[2] + " (an earlier save)", ""), [])
        analysis._ready, analysis._ahead = ready, [ahead]
        assert not analysis._note_other_writers()  # (the first look)
        analysis._trusted = set(ids)
        want = [tuple(r) for r in analysis_store.pending_entries(conn, len(ids))]
        assert [tuple(r) for r in analysis._pending(conn, len(ids), True)] == want
        assert read == [stale[0]]

        with Store(path) as other, other.transaction():  # another writer changes a body
            set_body(other.conn, ids[0], "Changed by another writer.")
        read.clear()
        want = [tuple(r) for r in analysis_store.pending_entries(conn, len(ids))]
        assert [r[3] for r in want if r[0] == ids[0]] == ["Changed by another writer."]
        assert [tuple(r) for r in analysis._pending(conn, len(ids), True)] == want
        assert sorted(read) == sorted(ids)
        assert analysis._pending(conn, len(ids) + 1, True) == []  # not a whole batch
        analysis.close()


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


def test_a_text_hash_from_the_worker_is_used_only_for_the_text_and_author_it_came_from(
    store: Store,
) -> None:
    """The worker's text hash stands for the one worked out here only where the title, body
    and author are those it was sent (the hash covers all three); entities are then recorded
    as from the hashes worked out here."""
    from wirereader.analysis.entities.record import _text_hash, record_entities
    from wirereader.analysis.prepare_pool import PreparePool

    import_file(store, ARTICLE_SEED, analyse=False)
    import_file(store, LIVEBLOG_SEED, analyse=False)
    rows = [
        tuple(r)
        for r in store.conn.execute(
            "SELECT e.id, e.source_id, NULL, e.title, wirereader_body(t.body), e.author"
            " FROM entries e JOIN entry_texts t ON t.entry_id = e.id ORDER BY e.id"
        )
    ]
    sent = [(r[0], r[3], r[4], r[5]) for r in rows]
    sent[0] = (sent[0][0], sent[0][1], sent[0][2], "Another Author")  # its author changed since
    sent[1] = (sent[1][0], sent[1][1] + " (updated)", sent[1][2], sent[1][3])  # its title
    pool = PreparePool()
    try:
        prepared = pool.result(pool.submit(sent))
    finally:
        pool.close()
    assert prepared is not None
    hashes = prepared.text_hashes(rows)
    assert set(hashes) == {r[0] for r in rows[2:]}
    assert hashes == {r[0]: _text_hash(r) for r in rows[2:]}
    with store.transaction() as conn:
        with_hashes = record_entities(conn, rows, extracted=prepared.mentions, hashes=hashes)
    mentions = "SELECT entry_id, entity_id, mentions FROM entry_entities ORDER BY 1, 2"
    kept = store.conn.execute(mentions).fetchall()
    store.conn.execute("DELETE FROM entry_entities")
    store.conn.execute("DELETE FROM entity_extracted")
    with store.transaction() as conn:
        without = record_entities(conn, rows, extracted=prepared.mentions)
    assert with_hashes.per_entry == without.per_entry and with_hashes.entries == len(rows)
    assert store.conn.execute(mentions).fetchall() == kept


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


def test_the_collector_stays_paused_between_a_run_s_steps_and_is_back_after_it(
    store: Store,
) -> None:
    """A refresh saves feeds between two steps: the collector, let run there, walked all the
    run's state again. It pauses from the first step to the run's end, also when the run is
    given up (closed without finishing)."""
    import gc

    from wirereader.analysis import pipeline

    import_file(store, ARTICLE_SEED, analyse=False)
    import_file(store, LIVEBLOG_SEED, analyse=False)
    assert gc.isenabled()
    with pipeline.Analysis(store, batch_size=20, workers=False) as analysis:
        assert analysis.step() == 40
        assert not gc.isenabled()  # (a feed would be saved here)
        import_file(store, LIVEBLOG_SEED, analyse=False)  # nothing new: the same entries
        assert analysis.finish().entries == 56
        assert not gc.isenabled()
    assert gc.isenabled()
    assert pending_count(store) == 0

    store.conn.execute("UPDATE entries SET analysed_hash = NULL")
    analysis = pipeline.Analysis(store, batch_size=20, workers=False)
    analysis.step()
    analysis.close()  # given up after a step
    assert gc.isenabled()


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
        assert _as_dicts(prepared.weights) == alone.weights
        assert set(prepared.texts) == {r[0] for r in chunk}
        stolen += prepared.cpu == 0.0
    assert stolen >= len(small) - 2  # at most two chunks were on their way to the worker


def _as_dicts(weights: dict[int, Any]) -> dict[int, dict[str, float]]:
    """TF weights as dicts, whether worked out here or crossed back from the worker as rows of
    its arrays."""
    from wirereader.analysis.features import TermRow

    return {i: w.as_dict() if isinstance(w, TermRow) else w for i, w in weights.items()}


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


def test_term_weights_cross_back_from_the_worker_as_arrays_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker packs a chunk's TF weights into one vocabulary and flat arrays; each entry's
    row, after pickling, holds the very weights `prepare` worked out, in their order.

    This process is both sender and receiver here, so each starts afresh: packs an earlier
    test pickled and never unpickled (a refresh's in-process prepare) would leave this
    sender's numbering ahead of what was received, and the pack would rightly be unresolvable
    (its texts weighed again by the receiver, `PackedWeights.resolvable`)."""
    import pickle

    from wirereader.analysis import features
    from wirereader.analysis.features import TermRow

    monkeypatch.setattr(features, "_SENT", None)
    monkeypatch.setattr(features, "_RECEIVED", features._ReceivedTerms())
    from wirereader.analysis.prepare_pool import prepare, prepare_packed

    rows = [
        (3, "Ferry leaves on time", "The harbour master said the ferry left on time.", ""),
        (4, "", "", ""),
        (9, "Ferry update", "More boats follow in the morning from the quay.", "Desk"),
    ]
    made = prepare(rows).weights
    sent = pickle.loads(pickle.dumps(prepare_packed(rows), protocol=5))
    assert sent.weights == {} and sent.packed_weights is not None
    got = sent.unpack().weights
    assert all(isinstance(w, TermRow) for w in got.values())
    assert {i: list(w.as_dict().items()) for i, w in got.items()} == {
        i: list(w.items()) for i, w in made.items()
    }
    assert made[3] and made[4] == {}


def test_mentions_cross_back_from_the_worker_as_columns_unchanged() -> None:
    """The worker sends a chunk's mentions as columns of strings and flags; after pickling they
    are the very (text hash, mentions) `prepare` made: Mention tuples with bool shorts, in
    order, entries without any kept."""
    import pickle

    from wirereader.analysis.entities.extract import Mention
    from wirereader.analysis.prepare_pool import PackedMentions, prepare, prepare_packed

    rows = [
        (3, "Putin meets Macron in Paris", "Vladimir Putin met Emmanuel Macron. Putin spoke.", ""),
        (4, "", "", ""),
        (9, "Storm hits coast", "The storm hit the coast at dawn, police said.", "Ann Lee"),
        (5, "Mr Kim visits Seoul", "Mr Kim arrived in Seoul on Monday, by Ann Lee.", "Ann Lee"),
    ]
    made = prepare(rows).mentions
    sent = pickle.loads(pickle.dumps(prepare_packed(rows), protocol=5))
    assert sent.mentions == {} and isinstance(sent.packed_mentions, PackedMentions)
    got = sent.unpack().mentions
    assert list(got) == [3, 4, 9, 5] and got == made
    every = [m for _, found in got.values() for m in found]
    assert len(every) >= 4 and all(type(m) is Mention and type(m.short) is bool for m in every)
    assert got[4][1] == [] and any(m.short for m in every) and not all(m.short for m in every)
    empty = pickle.loads(pickle.dumps(PackedMentions({7: ("h", [])}), protocol=5))
    assert empty.unpacked() == {7: ("h", [])}


def _ecbplus_entries(corpus: Path) -> list[RawEntry]:
    path = corpus / "stories" / "ecbplus-dev.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [RawEntry(title=r["title"], body=r["text"], stable_id=r["doc_id"]) for r in rows]


def test_a_batch_s_vectors_as_arrays_are_the_vectors_item_by_item(corpus: Path) -> None:
    """`ThreadIndex._vectors` (a batch's TF-IDF weights as arrays) gives each item the dict
    `ThreadIndex.vector` gives it alone: the same terms in the same order, the same bits
    (articles of more than ITEM_TERMS terms, headlines, empty texts, ties in weight), whether
    its TF weights crossed back from the worker as arrays or were worked out here."""
    from wirereader.analysis.dedup.reposts import Entry
    from wirereader.analysis.prepare_pool import prepare_packed
    from wirereader.analysis.threads.index import ITEM_TERMS, ThreadIndex

    texts = [(e.title or "", e.body) for e in _ecbplus_entries(corpus)[:300]]
    texts += [("Ferry leaves on time", ""), ("", ""), ("Storm storm storm", "Storm ferry.")]
    rows = [(k, title, body, "") for k, (title, body) in enumerate(texts)]
    packed = prepare_packed(rows[:200]).unpack().weights  # as the worker sends them
    items = [
        Entry(k, 1, title, body, 0, weights=packed.get(k) if k % 2 else None)
        for k, (title, body) in enumerate(texts)
    ]
    entities = {3: ["@org:coast guard", "@place:dover", "@org:coast guard"], 7: ["@person:x"]}
    # A long item's entity named four times among seventy named once (`rank_weights`).
    entities[5] = ["@person:ana ortega"] * 4 + [f"@place:p{k}" for k in range(70)]
    index = ThreadIndex(sqlite3.connect(":memory:"))
    numbers, tf, counts, factors = index._batch_tf(items, entities)
    idf = [1.0 + (k % 7) / 3 for k in range(len(index._term_list))]  # ties among the weights
    made = index._vectors(numbers, tf * np.asarray(idf)[numbers], counts, factors)
    terms = {t: idf[k] for k, t in enumerate(index._term_list)}
    expected = [
        ThreadIndex.vector(
            ThreadIndex.tf_weights(e, entities.get(e.id, [])),
            terms,
            ThreadIndex.rank_weights(entities.get(e.id, [])),
        )
        for e in items
    ]
    assert [list(v.items()) for v, _, _ in made] == [list(v.items()) for v in expected]
    assert any(n > ITEM_TERMS for n in counts.tolist()) and made[-2][0] == {}
    assert "@person:ana ortega" in made[5][0] and "@org:coast guard" in made[3][0]
    # Each vector's terms by number and its weights as arrays too (for its sparse row).
    for vector, numbers_of, weights_of in made:
        assert [index._term_list[i] for i in numbers_of.tolist()] == list(vector)
        assert weights_of.tolist() == list(vector.values())


def test_parts_grouped_by_the_worker_are_the_groups_made_here(corpus: Path) -> None:
    """`GroupPool.groups` hands back each part's groups in order, those `side_groups` makes in
    this process, whether the worker grouped the part or this process did (no pool), and with
    the worker's parts their groups' probe terms, those `probe_terms` finds here."""
    from wirereader.analysis.prepare_pool import GroupPool
    from wirereader.analysis.threads.grouping import Side, probe_terms
    from wirereader.analysis.threads.index import group_here
    from wirereader.analysis.threads.item import decay_scale, threshold
    from wirereader.analysis.threads.term_weights import text_weights

    sides = []
    entries = _ecbplus_entries(corpus)
    for start in (0, GROUP_ITEMS, 600, 700):
        part = entries[start : start + (GROUP_ITEMS if start == 0 else 100)]
        weights = [text_weights(e.title or "", e.body) for e in part]
        norms = [math.sqrt(sum(w * w for w in v.values())) or 1.0 for v in weights]
        vectors = [{t: w / n for t, w in v.items()} for v, n in zip(weights, norms, strict=True)]
        scales = [decay_scale(len(v)) for v in vectors]
        sides.append(
            Side.of(
                vectors,
                [1_700_000_000 + 60 * k for k in range(len(part))],
                [threshold(len(v)) for v in vectors],
                [hours for hours, _ in scales],
                [floor for _, floor in scales],
                [False] * len(part),
                [len(v) >= 40 for v in vectors],
            )
        )
    gap = 14 * 86400
    made_here = list(group_here(sides, gap))
    assert any(len(group) > 1 for groups in made_here for group in groups)
    pool = GroupPool()
    try:
        # The worker grouped later parts (queued at once while this process grouped the
        # first), where there is a second core for it; a part it has not started when this
        # process needs it is grouped here (the worker's first start takes a while, and a busy
        # machine may hold it back: a few tries).
        for _ in range(10):
            grouped = list(pool.groups(sides, gap))
            assert grouped == made_here
            # The worker's parts come with each group's probe terms, those found here.
            for side, groups in zip(sides, grouped, strict=True):
                probes = getattr(groups, "probes", None)
                if probes is not None:
                    assert probes == [probe_terms([side.vectors[i] for i in g]) for g in groups]
            if pool.cpu > 0:
                break
        assert pool.cpu > 0 or (os.cpu_count() or 1) < 2
        assert pool.cpu == 0 or any(getattr(g, "probes", None) is not None for g in grouped)
    finally:
        pool.close()
    assert list(pool.groups(sides, gap)) == made_here  # closed: all grouped here


def test_a_part_taken_back_is_skipped_by_the_grouping_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A part this process took back (claimed in the shared array) is skipped by the worker
    when its queued task comes up, and a part the worker claimed first is not taken back."""
    import multiprocessing

    from wirereader.analysis import prepare_pool
    from wirereader.analysis.threads.grouping import Side

    claims = multiprocessing.get_context("spawn").Array("b", 4)
    monkeypatch.setattr(prepare_pool, "_claims", claims)
    side = Side.of([{"a": 1.0}, {"a": 1.0}], [0, 60], [0.5, 0.5], [1.0, 1.0], [0.0, 0.0],
                   [False, False], [False, False])  # fmt: skip
    assert prepare_pool._claim(claims, 0, prepare_pool.BY_CALLER)
    assert prepare_pool._group(side, 86400.0, 0) is None
    done = prepare_pool._group(side, 86400.0, 1)
    assert done is not None and claims[1] == prepare_pool.BY_WORKER
    assert not prepare_pool._claim(claims, 1, prepare_pool.BY_CALLER)


def test_sparse_rows_from_the_batch_s_arrays_have_the_columns_given_term_by_term(
    corpus: Path,
) -> None:
    """The rows `_side_of` builds from a batch's arrays (`_rows_of_batch`) hold the columns
    and weights that `_columns`, item after item, gives the same items: the run's vocabulary
    is numbered in the same order (scipy's element-wise product sums in another order when
    columns happen to ascend, so the numbering is kept)."""
    from wirereader.analysis.dedup.reposts import Entry
    from wirereader.analysis.threads.index import ThreadIndex

    texts = [(e.title or "", e.body) for e in _ecbplus_entries(corpus)[:120]]
    texts += [(f"Ferry {k} leaves on time", "") for k in range(5)]
    made = []
    for arrays in (True, False):
        index = ThreadIndex(sqlite3.connect(":memory:"))
        items = [Entry(k, 1 + k % 3, t, b, 1_700_000_000 + k) for k, (t, b) in enumerate(texts)]
        numbers, tf, counts, _ = index._batch_tf(items, {})
        built = index._vectors(numbers, tf, counts)
        if arrays:
            index._vector_rows = {e.id: (r[1], r[2]) for e, r in zip(items, built, strict=True)}
        placed = [
            threads_item.Item.of(e, r[0], n)
            for e, r, n in zip(items, built, counts.tolist(), strict=True)
        ]
        side = index._side_of(placed[::-1])  # the later items first, as a part's might be
        made.append((dict(index.vocabulary), side.terms, side.heads))
    assert made[0][0] == made[1][0] and len(made[0][0]) > 100
    for ours, theirs in ((made[0][1], made[1][1]), (made[0][2], made[1][2])):
        assert ours.indptr.tolist() == theirs.indptr.tolist()
        assert ours.indices.tolist() == theirs.indices.tolist()
        assert ours.data.tolist() == theirs.data.tolist()


def test_a_step_is_ready_only_when_the_worker_holds_none_of_its_first_batch(
    store: Store,
) -> None:
    """`can_step_without_waiting` (a refresh saves more feeds rather than wait): a chunk sent
    ahead that holds one of the oldest `batch_size` entries and is with the worker (running,
    not done) means a step would wait; a chunk done, not yet taken by the worker (the step
    prepares it itself) or holding only later entries does not."""
    from concurrent.futures import Future

    from wirereader.analysis import pipeline
    from wirereader.analysis.prepare_pool import Pending, Prepared

    def chunk(ids: range, state: str) -> Pending:
        future: Future[Prepared] = Future()
        if state in ("running", "done"):
            future.set_running_or_notify_cancel()
        if state == "done":
            future.set_result(Prepared({}, {}, {}, 0.0, {}))
        rows = [(i, f"title {i}", "", "") for i in ids]
        return Pending([(future, rows)], {i: (f"title {i}", "") for i in ids})

    analysis = pipeline.Analysis(store, batch_size=10, workers=False)
    analysis._sent = set(range(1, 31))
    assert analysis.can_step_without_waiting()  # nothing sent ahead
    for first, later, ready in [
        ("running", "running", False),
        ("done", "running", True),  # the running chunk holds entries 11-30 only
        ("queued", "done", True),
        ("done", "done", True),
    ]:
        analysis._ahead = [chunk(range(1, 11), first), chunk(range(11, 31), later)]
        assert analysis.can_step_without_waiting() is ready, (first, later)
    analysis._ahead = [chunk(range(5, 15), "running")]  # the batch's last entries among them
    assert not analysis.can_step_without_waiting()
    analysis._sent = set(range(1, 6))  # fewer than a batch sent: a step takes what is stored
    assert analysis.can_step_without_waiting()


def test_a_run_hands_freed_pages_back_where_glibc_can() -> None:
    """Where the C library is glibc, each batch ends with `malloc_trim` (the 1M peak fell
    503 -> 480 MB with it); elsewhere the call is a no-op."""
    import platform

    from wirereader.analysis import pipeline

    if platform.libc_ver()[0] == "glibc":
        assert pipeline._malloc_trim() is not None
    pipeline._release_freed_memory()  # never raises, with or without glibc


def test_a_sender_s_numbers_map_to_the_run_s_as_its_terms_would(monkeypatch: Any) -> None:
    """The thread index maps a pack that came with its sender's numbers to the very numbers
    its terms would get (new terms numbered in order of first appearance), pack after pack."""
    import pickle
    import sqlite3

    import numpy as np

    from wirereader.analysis import features
    from wirereader.analysis.threads.index import ThreadIndex
    from wirereader.analysis.threads.term_weights import text_weights

    monkeypatch.setattr(features, "_SENT", None)  # (a sender of its own)
    features.forget_received_terms()
    texts = [
        ("Storm hits coast", "The storm hit the coast at dawn."),
        ("Coast road shut", "Police shut the coast road after the storm."),
        ("Ferry late", "The ferry left the coast late."),
    ]
    packs = [features.PackedWeights({k: text_weights(*t)}) for k, t in enumerate(texts)]
    received = [pickle.loads(pickle.dumps(p)) for p in packs]
    by_number = ThreadIndex(sqlite3.connect(":memory:"))
    by_string = ThreadIndex(sqlite3.connect(":memory:"))
    by_number._term_numbers(["ferry", "@person:someone"])  # numbered before the packs
    by_string._term_numbers(["ferry", "@person:someone"])
    for pack, got in zip(packs, received, strict=True):
        assert got.vocabulary is not None
        mapped = by_number._pack_numbers(got)
        assert mapped is not None and mapped.tolist() == by_string._term_numbers(pack.terms)
        assert isinstance(mapped, np.ndarray)
    assert by_number._term_list == by_string._term_list
    features.forget_received_terms()  # (then a sender's packs are weighed by the caller)
    assert by_number._pack_numbers(received[0]) is None


def test_a_long_report_keeps_the_names_it_names_most(
    store: Store, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long item keeps its ITEM_TERMS strongest terms; an entity term weighs one entity's
    weight however often the text names it, so a long report's people and organisations fell
    behind its words and out of its vector. A person or organisation named more than once now
    ranks by its mentions (`ThreadIndex.rank_weights`), from a batch's fresh mentions and from
    the stored ones alike (`entry_entities.mentions`). The Guardian's NBA column names the NBA
    eight times and Russell Westbrook three: both were cut from its vector before."""
    from wirereader.analysis.pipeline import _entity_terms

    made: dict[int, dict[str, float]] = {}
    real = threads_item.Item.of

    def of(entry: Any, vector: dict[str, float], *args: Any, **kwargs: Any) -> Any:
        made[entry.id] = vector
        return real(entry, vector, *args, **kwargs)

    monkeypatch.setattr(threads_item.Item, "of", of)
    import_file(store, corpus / "feeds" / "guardian-us-frontpage-2018-01-31.rss")
    (entry,) = store.conn.execute(
        "SELECT id FROM entries WHERE title LIKE 'The NBA is mad as hell%'"
    ).fetchone()
    assert {"@org:nba", "@person:russell westbrook"} <= made[entry].keys()
    # Read back from the store (an earlier run's item): each term once a mention, as fresh.
    terms = _entity_terms(store.conn, [entry], {}, {})[entry]
    assert terms.count("@org:nba") >= 2 and terms.count("@person:russell westbrook") >= 2
    assert terms == sorted(terms)

"""What a run keeps between batches is bounded (analysis/threads/index.py, MEMORY_BUDGET): past
the budget, threads that no item of the batch can join (their dated items end a story gap
before it) leave memory first, and the threads come out as without the bound. The run's cache
of thread postings always says what the table says, so its bound decides nothing either."""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.paths import REPO
from wirereader.analysis import pipeline
from wirereader.analysis.pipeline import analyse_pending
from wirereader.analysis.threads import index
from wirereader.core.model import RawEntry
from wirereader.store import threads as thread_store
from wirereader.store.db import Store

sys.path.insert(0, str(REPO / "bench"))
from news_corpus import news_chunks

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _stories(count: int, per_story: int) -> list[RawEntry]:
    """`count` stories a month apart, each `per_story` reports within two hours, in words of
    its own and a few shared ones."""
    out = []
    shared = ["council", "harbour", "vote", "storm", "court", "budget"]
    for s in range(count):
        own = [f"{w}{s}" for w in ("velm", "ostr", "kett", "durn", "pria", "lind", "brae")]
        rng = random.Random(s)
        for n in range(per_story):
            words = own + rng.sample(shared, 3)
            out.append(
                RawEntry(
                    title=" ".join(rng.sample(words, 5)).capitalize(),
                    body=" ".join(rng.choice(words) for _ in range(rng.randint(20, 50))),
                    stable_id=f"{s}-{n}",
                    published=T0 + timedelta(days=30 * s, minutes=6 * n),
                )
            )
    return out


def _threads(path: Path, entries: list[RawEntry]) -> list[tuple[str, int | None]]:
    with Store(path) as store:
        source = store.ensure_source("test:wire", "feed", name="wire")
        store.save_entries(source, entries, seen_at=1_800_000_000)  # (after them all)
        # One story per batch: each batch comes a month after the threads kept before it.
        analyse_pending(store, batch_size=20, workers=False)
        return [
            (r[0], r[1])
            for r in store.conn.execute("SELECT stable_id, thread_id FROM entries ORDER BY id")
        ]


def test_ended_threads_leave_memory_first_and_threads_come_out_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _stories(5, 20)
    unbounded = _threads(tmp_path / "a.sqlite3", entries)
    assert len({t for _, t in unbounded}) >= 5

    held: list[int] = []
    evict = index.ThreadIndex._evict

    def measured(self: index.ThreadIndex, horizon: int | None) -> None:
        evict(self, horizon)
        assert horizon is not None  # every item here is dated
        # Nothing that ended before the batch is kept once memory is short...
        assert all(c.dated_last is None or c.dated_last >= horizon for c in self.centroids.values())
        assert set(self.members) <= set(self.centroids)
        held.append(len(self.centroids))

    # A budget of a thread or two: every earlier story's threads must go at each batch.
    monkeypatch.setattr(index, "MEMORY_BUDGET", index.CENTROID_BYTES + index.KEPT_ITEM_BYTES)
    monkeypatch.setattr(index.ThreadIndex, "_evict", measured)
    bounded = _threads(tmp_path / "b.sqlite3", entries)
    assert len(held) == 5 and max(held[1:]) == 0
    # ...and since none of them could be joined, the threads are the same.
    assert bounded == unbounded


# First seen after the corpus's newest time (June 2025), so its times are the sources' own:
# seen in March 2025, each was more than FUTURE_SLACK ahead and stored as a guess (undated).
SEEN_AT = 1_749_000_000


def _news_threads(path: Path, total: int, batch_size: int) -> list[tuple[int, int | None]]:
    """The threads of the bench's news-like corpus (Zipfian words, stories, reposts)."""
    with Store(path) as store:
        sources: dict[str, int] = {}
        for chunk in news_chunks(total, 50):
            for feed, entries in chunk.items():
                if feed not in sources:
                    sources[feed] = store.ensure_source(f"bench:{feed}", "feed", name=feed)
                store.save_entries(sources[feed], entries, seen_at=SEEN_AT)
        analyse_pending(store, batch_size=batch_size, workers=False)
        return [(r[0], r[1]) for r in store.conn.execute("SELECT id, thread_id FROM entries")]


def test_cached_postings_are_the_tables_and_clearing_them_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _news_threads(tmp_path / "a.sqlite3", 3_000, 200)

    checked: list[int] = []
    begin = index.ThreadIndex.begin_batch

    def compared(self: index.ThreadIndex) -> None:
        begin(self)
        # At each batch, every cached term's postings are those the table gives after the
        # batches before (threads leave terms, and regroupings empty threads, in every batch
        # here: a cache that kept them would differ).
        cached = dict(self._db_postings)
        for term, threads in cached.items():
            assert list(threads) == thread_store.postings(self.conn, term, index.POSTINGS), term
        checked.append(len(cached))

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", compared)
    assert _news_threads(tmp_path / "b.sqlite3", 3_000, 200) == kept
    assert len(checked) == 15 and min(checked[1:]) > 0

    # A cache bound of a few terms (half of them go at every batch, as on a long run), or the
    # cache emptied at every batch: the same threads.
    monkeypatch.setattr(index.ThreadIndex, "begin_batch", begin)
    monkeypatch.setattr(index, "POSTINGS_CACHED", 20)
    assert _news_threads(tmp_path / "c.sqlite3", 3_000, 200) == kept

    def forgetful(self: index.ThreadIndex) -> None:
        begin(self)
        self._db_postings.clear()

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", forgetful)
    assert _news_threads(tmp_path / "d.sqlite3", 3_000, 200) == kept


def test_kept_items_rows_are_their_own_arrays_and_their_vectors_only_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []
    in_rows: list[int] = []
    held: list[int] = []
    # Each item's vector and headline as it was placed (the dicts `_remember` is given).
    placed: dict[int, tuple[list[tuple[str, float]], list[tuple[str, float]]]] = {}
    begin, remember = index.ThreadIndex.begin_batch, index.ThreadIndex._remember
    own_row = index._own_row

    def remembered(
        self: index.ThreadIndex, c: index.Centroid, members: list[Any], created: bool
    ) -> None:
        for m in members:
            assert m.vector is not index._IN_ROW  # (a kept item is unpacked before it moves)
            placed.setdefault(m.entry.id, (list(m.vector.items()), list(m.headline.items())))
        remember(self, c, members, created)

    def compared(self: index.ThreadIndex) -> None:
        begin(self)
        # Every row kept into a later batch holds arrays of its own (a view would keep its
        # whole batch's arrays alive), and says what the kept item's vector and headline say.
        term_of = {column: term for term, column in self.vocabulary.items()}
        kept = {m.entry.id: m for ms in self.members.values() for m in ms}
        for entry_id, (columns, weights, heads, head_weights) in self._rows.items():
            assert all(a.base is None for a in (columns, weights, heads, head_weights))
            vector, headline = placed[entry_id]
            assert [term_of[c] for c in columns.tolist()] == [t for t, _ in vector]
            assert weights.tolist() == [w for _, w in vector]
            assert [term_of[c] for c in heads.tolist()] == [t for t, _ in headline]
            assert head_weights.tolist() == [w for _, w in headline]
        # A kept item with a row keeps no dicts of its own, and gets back the very ones it was
        # placed with: the same terms in the same order, the same bits.
        for entry_id, m in kept.items():
            assert (m.vector is index._IN_ROW) == (entry_id in self._rows)
            unpacked = self._unpacked(m)
            assert (list(unpacked.vector.items()), list(unpacked.headline.items())) == placed[
                entry_id
            ]
        checked.append(len(self._rows))
        in_rows.append(sum(m.vector is index._IN_ROW for m in kept.values()))
        held.append(len(kept))

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", compared)
    monkeypatch.setattr(index.ThreadIndex, "_remember", remembered)
    own = _news_threads(tmp_path / "a.sqlite3", 3_000, 200)
    assert len(checked) == 15 and min(checked[2:]) > 100
    # (Most kept items have a row: one is made when a later group meets their thread.)
    assert sum(in_rows[2:]) > 0.9 * sum(held[2:])

    # Rows kept as the views they were made as (64-bit columns): the same threads.
    monkeypatch.setattr(index.ThreadIndex, "begin_batch", begin)
    monkeypatch.setattr(index, "_own_row", lambda row: row)
    assert _news_threads(tmp_path / "b.sqlite3", 3_000, 200) == own

    # Kept items holding their vectors and headlines as dicts, as placed: the same threads.
    def as_dicts(self: index.ThreadIndex) -> None:
        begin(self)
        for kept in self.members.values():
            kept[:] = [self._unpacked(m) for m in kept]

    monkeypatch.setattr(index, "_own_row", own_row)
    monkeypatch.setattr(index.ThreadIndex, "begin_batch", as_dicts)
    assert _news_threads(tmp_path / "c.sqlite3", 3_000, 200) == own


def test_the_runs_entity_terms_are_bounded_and_the_bound_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    terms_of = pipeline._entity_terms

    def measured(
        conn: Any, ids: list[int], known: dict[int, list[int]], cache: dict[int, str]
    ) -> dict[int, list[str]]:
        found = terms_of(conn, ids, known, cache)
        sizes.append(len(cache))
        return found

    monkeypatch.setattr(pipeline, "_entity_terms", measured)
    unbounded = _news_threads(tmp_path / "a.sqlite3", 3_000, 200)
    met = max(sizes)  # (the corpus's people, places and organisations)

    # A bound below one batch's entities: the cache starts afresh at every batch, so it holds
    # one batch's entities at most; the threads are the same.
    sizes.clear()
    monkeypatch.setattr(pipeline, "ENTITY_TERMS_CACHED", 50)
    assert _news_threads(tmp_path / "b.sqlite3", 3_000, 200) == unbounded
    assert met > 2 * max(sizes)
    assert sum(1 for a, b in pairwise(sizes) if b < a) >= 5


def test_one_numbering_gives_each_term_its_column_and_document_frequency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run numbers its terms once: a term's column in the sparse rows and its document
    frequency are kept by its number (arrays), not in dicts keyed by the term beside it."""
    checked: list[tuple[int, int, int]] = []
    begin = index.ThreadIndex.begin_batch

    def compared(self: index.ThreadIndex) -> None:
        begin(self)
        numbers, columns = self._term_ids, self._column_terms
        # Each column names its term, whose number maps back to that column, and no other
        # term has a column; columns are given in order of first use, so a term numbered
        # later may have an earlier column.
        assert [int(self._column_of[numbers[t]]) for t in columns] == list(range(len(columns)))
        assert int((self._column_of >= 0).sum()) == len(columns)
        # Every document frequency the run holds is the table's, as of the batches before.
        known = np.flatnonzero(self._df >= 0).tolist()
        terms = [self._term_list[i] for i in known]
        stored = dict(thread_store.document_frequencies(self.conn, terms))
        assert [int(self._df[i]) for i in known] == [stored.get(t, 0) for t in terms]
        checked.append((len(columns), len(known), len(self._term_list)))

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", compared)
    _news_threads(tmp_path / "a.sqlite3", 3_000, 200)
    assert len(checked) == 15
    # (The first batch's items meet no thread of an earlier batch: no rows, no columns.)
    assert all(0 < columns <= terms and 0 < known <= terms for columns, known, terms in checked[2:])


def test_names_of_threads_gone_for_good_go_and_the_threads_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event joins' postings (a multi-word person or organisation -> the kept threads naming
    it) drop a name once none of its threads is kept or may be again (evicted or grown past
    MEMBERS_KEPT; an emptied thread's id may be given again): a story's people are mostly names
    of their own, so the names of threads long gone grew with the run. The threads are the same
    as with every name kept, with a budget tight enough that threads are evicted each batch."""
    monkeypatch.setattr(index, "MEMORY_BUDGET", 40 * index.CENTROID_BYTES)
    sizes: list[tuple[int, int]] = []
    begin = index.ThreadIndex.begin_batch

    def measured(self: index.ThreadIndex) -> None:
        begin(self)
        postings = self._anchor_postings
        # Every name left holds a thread that is kept, or emptied (its id may come back).
        for name, held in postings.items():
            assert any(t in self.members or t in self._emptied_ids for t in held), name
        sizes.append((len(postings), self.evicted))

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", measured)
    dropped = _news_threads(tmp_path / "a.sqlite3", 3_000, 200)
    names_dropped, evicted = sizes[-1]
    assert evicted > 0

    sizes.clear()
    monkeypatch.setattr(index.ThreadIndex, "_drop_dead_anchors", lambda self: None)
    monkeypatch.setattr(index.ThreadIndex, "begin_batch", begin)
    check = index.ThreadIndex._event_joins

    def counted(self: index.ThreadIndex, out: Any) -> None:
        sizes.append((len(self._anchor_postings), 0))
        check(self, out)

    monkeypatch.setattr(index.ThreadIndex, "_event_joins", counted)
    assert _news_threads(tmp_path / "b.sqlite3", 3_000, 200) == dropped
    assert 0 < names_dropped < sizes[-1][0] // 2


def test_kept_entries_and_centroids_carry_no_attribute_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run keeps its threads' items and centroids up to MEMORY_BUDGET: both are slotted (an
    entry's attribute dict was 296 of its 352 bytes)."""
    seen: list[tuple[int, int]] = []
    begin = index.ThreadIndex.begin_batch

    def looked(self: index.ThreadIndex) -> None:
        begin(self)
        kept = [m.entry for items in self.members.values() for m in items]
        assert not any(hasattr(e, "__dict__") for e in kept)
        assert not any(hasattr(c, "__dict__") for c in self.centroids.values())
        seen.append((len(kept), len(self.centroids)))

    monkeypatch.setattr(index.ThreadIndex, "begin_batch", looked)
    _news_threads(tmp_path / "a.sqlite3", 1_000, 200)
    assert seen[-1][0] > 0 and seen[-1][1] > 0


def _runs_of(path: Path, total: int, run: int) -> list[tuple[int, int | None]]:
    """The news-like corpus analysed as refreshes do: `run` new entries saved, then a run of
    their own, which reads back the threads of the runs before."""
    stream = [
        (feed, e) for chunk in news_chunks(total, 50) for feed, es in chunk.items() for e in es
    ]
    stream.sort(key=lambda pair: pair[1].published or T0)
    with Store(path) as store:
        sources: dict[str, int] = {}
        for start in range(0, len(stream), run):
            for feed, entry in stream[start : start + run]:
                if feed not in sources:
                    sources[feed] = store.ensure_source(f"bench:{feed}", "feed", name=feed)
                store.save_entries(sources[feed], [entry], seen_at=SEEN_AT + start)
            analyse_pending(store, workers=False)
        return [(r[0], r[1]) for r in store.conn.execute("SELECT id, thread_id FROM entries")]


def test_centroids_read_back_by_a_small_run_keep_their_terms_uninterned_and_place_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run far below its memory budget decodes the stored centroids it reads back without
    interning their terms (the cheaper decode); above PLAIN_DECODE_BELOW of the budget it
    interns them, as always before. The threads are the same either way."""
    decoded: list[tuple[bool, dict[str, float]]] = []
    decode = index.decode_centroid

    def watched(stored: bytes | str, interned: bool = True) -> dict[str, float]:
        weights = decode(stored, interned)
        decoded.append((interned, weights))
        return weights

    monkeypatch.setattr(index, "decode_centroid", watched)
    plain = _runs_of(tmp_path / "a.sqlite3", 1_200, 300)
    assert decoded and not any(interned for interned, _ in decoded)
    # (A decoded term equal to an interned one is another string: not interned.)
    assert any(sys.intern(t.encode().decode()) is not t for _, weights in decoded for t in weights)
    decoded.clear()
    monkeypatch.setattr(index, "PLAIN_DECODE_BELOW", 0.0)
    interned = _runs_of(tmp_path / "b.sqlite3", 1_200, 300)
    assert decoded and all(interned for interned, _ in decoded)
    assert all(sys.intern(t.encode().decode()) is t for _, weights in decoded for t in weights)
    assert plain == interned

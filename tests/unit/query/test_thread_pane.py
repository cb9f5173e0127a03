"""The thread pane's bounded list (`thread_rows` with a limit): found among the newest threads
when they hold a page, else by aggregating the whole view; either way the same list as the
whole listing cut to the page.

The window is shrunk to a few threads so both paths, and the switch between them, run on the
bundled samples (a real live-blog capture and an article, analysed into threads)."""

from __future__ import annotations

import pytest

from tests.support.tui import TEST_PERSON, add_entity, demo_store
from tests.unit.query.test_timeline_pages import common_and_rare_words
from wirereader.query import threads
from wirereader.query.threads import thread_rows
from wirereader.query.timeline import EntityRef, Filter
from wirereader.store import reading
from wirereader.store.db import Store


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = demo_store(tmp_path_factory.mktemp("threads") / "cache.sqlite3")
    add_entity(store, TEST_PERSON, "person", "Putin")
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
    reading.set_read(store, ids[::3])  # an unread view that is not every item
    return store


@pytest.mark.parametrize("window", [1, 2, 4, 100_000])
def test_the_pane_lists_the_views_newest_threads_whatever_the_window(
    samples: Store, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads, "WINDOW_THREADS", window)
    common, rare = common_and_rare_words(samples)
    filters = [
        Filter(words=(common,)),
        Filter(words=(rare,)),
        Filter(words=(common[:3],)),
        Filter(unread_only=True),
        Filter(entities=(EntityRef(TEST_PERSON, "person"),)),
        Filter(words=(common,), unread_only=True),
    ]
    seen_found_in_window = False
    for flt in filters:
        every = thread_rows(samples, flt)  # no limit: the whole view aggregated
        assert every, flt
        for limit in (1, 2, 3, 5):
            for min_size in (1, 2):
                whole = [t for t in every if t.size >= min_size][:limit]
                assert thread_rows(samples, flt, min_size=min_size, limit=limit) == whole
                seen_found_in_window |= len(whole) == limit and window < len(every)
    assert seen_found_in_window or window == 100_000


@pytest.mark.parametrize("window", [1, 2, 100_000])
def test_a_guessed_time_that_stretched_threads_moves_none_of_them_up(
    tmp_path, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Undated items first seen long after their stories stretched every other thread's
    # `last_at` (the analysis's span): the lists order by the dated span, and the bounded ones
    # (found from the newest threads by `last_at`) are the whole list cut to the page.
    monkeypatch.setattr(threads, "WINDOW_THREADS", window)
    store = demo_store(tmp_path / "cache.sqlite3")
    dated = dict(store.conn.execute("SELECT thread_id, dated_last FROM thread_state"))
    ids = sorted(t for t, last in dated.items() if last is not None)
    assert len(ids) >= 4
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE threads SET last_at = ? WHERE id = ?",
            [(4_000_000_000 + i, t) for i, t in enumerate(ids[::2])],
        )
    common, _ = common_and_rare_words(store)
    for flt in (Filter(), Filter(words=(common,)), Filter(unread_only=True)):
        every = thread_rows(store, flt)
        assert [t.last_at for t in every] == sorted((t.last_at for t in every), reverse=True)
        assert all(t.last_at < 4_000_000_000 for t in every if t.id in dated)
        for limit in (1, 2, 3, 5):
            assert thread_rows(store, flt, limit=limit) == every[:limit]
            listed = list(threads.thread_listing(store, flt, limit=limit))
            assert [t["id"] for t in listed] == [t.id for t in every[:limit]]
    store.close()

"""The timeline's pages under a text or entity filter: the walk over the newest rows of the time
index (Query._newest_keys) and the sort of the whole matching set give the same pages.

The window is shrunk to a few rows so both paths, and the switch between them, run on the
bundled samples (a real live-blog capture and an article); every page is compared with the
view read in one go (`Query.all`, which sorts the matching keys by another plan).
"""

from __future__ import annotations

import pytest

from tests.support.tui import TEST_PERSON, add_entity, demo_store
from wirereader.query import timeline
from wirereader.query.timeline import EntityRef, Filter, Query
from wirereader.store.db import Store


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = demo_store(tmp_path_factory.mktemp("pages") / "cache.sqlite3")
    add_entity(store, TEST_PERSON, "person", "Putin")
    return store


def walked(query: Query, size: int) -> list[int]:
    """Every id of the view, page by page as the timeline reads it (keyset after each page)."""
    ids: list[int] = []
    keys = query.page_keys(size)
    while keys:
        ids += [key[1] for key in keys]
        keys = query.page_keys(size, keys[-1])
    return ids


def common_and_rare_words(store: Store) -> tuple[str, str]:
    """A word on many items and one on a few, taken from the samples' own text."""
    counts: dict[str, int] = {}
    for (title,) in store.conn.execute("SELECT title FROM entries WHERE repost_of IS NULL"):
        for word in set(timeline.fts_words(title.lower())):
            if len(word) > 3:
                counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    rare = next(w for w in reversed(ranked) if counts[w] >= 2)
    return ranked[0], rare


@pytest.mark.parametrize(
    ("window", "more"), [(3, 0), (3, 100_000), (12, 30), (12, 100_000), (40, 0), (100_000, 0)]
)
def test_pages_of_a_filter_are_the_view_in_order_whatever_the_window(
    samples: Store, window: int, more: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "WINDOW", window)
    monkeypatch.setattr(timeline, "MORE", more)
    common, rare = common_and_rare_words(samples)
    filters = [
        Filter(words=(common,)),
        Filter(words=(rare,)),
        Filter(words=(common[:3],)),  # a prefix, as typed
        Filter(words=(common,), all_entries=True),
        Filter(words=(common,), exclude_words=(rare,)),
        Filter(words=(common,), unread_only=True),
        Filter(entities=(EntityRef(TEST_PERSON, "person"),)),
        Filter(words=("nosuchwordanywhere",)),
    ]
    for flt in filters:
        query = Query(samples, flt)
        expected = [row.id for row in query.all(details=False)]
        assert len(expected) == query.count(), flt
        for size in (1, 4, 25):
            assert walked(query, size) == expected, (flt, size)
        # A jump far down the list (offset) lands on the same rows.
        for offset in (0, 5, 17):
            keys = query.page_keys(4, offset=offset)
            assert [key[1] for key in keys] == expected[offset : offset + 4], (flt, offset)
    assert Query(samples, filters[0]).count() > 12  # more than a window's worth at 3 and 12


def test_the_walk_answers_a_common_word_and_a_rare_one_falls_back(
    samples: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word's first page is found among the newest rows; a rare word's is not, and the
    whole (small) matching set is sorted instead."""
    monkeypatch.setattr(timeline, "WINDOW", 12)
    monkeypatch.setattr(timeline, "MORE", 0)
    common, rare = common_and_rare_words(samples)
    assert Query(samples, Filter(words=(common,)))._newest_keys(2, None, 0) is not None
    assert Query(samples, Filter(words=(rare,)))._newest_keys(2, None, 0) is None
    assert len(Query(samples, Filter(words=(rare,))).page_keys(2)) == 2


def test_a_second_window_finds_the_rest_of_a_page_the_first_began(
    samples: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page begun in the first window and ended in a second one is the view's first page."""
    common, _ = common_and_rare_words(samples)
    query = Query(samples, Filter(words=(common,)))
    expected = [row.id for row in query.all(details=False)]
    first_window = [key[1] for key in query._newest_keys(len(expected), None, 0) or []]
    assert first_window == expected  # the whole view fits the default window
    # A first window that ends just after the second match: it holds two rows of the page.
    items = [row.id for row in Query(samples, Filter()).all(details=False)]
    window = items.index(expected[1]) + 1
    page = len(expected) // 2
    assert page > 2
    monkeypatch.setattr(timeline, "WINDOW", window)
    found = Query(samples, Filter(words=(common,)))._newest_keys(page, None, 0)
    assert found is not None and [key[1] for key in found] == expected[:page]
    monkeypatch.setattr(timeline, "MORE", 0)  # no second window: the caller sorts the set
    assert Query(samples, Filter(words=(common,)))._newest_keys(page, None, 0) is None


def test_a_page_in_the_older_half_read_from_the_oldest_end_is_the_same_page(
    samples: Store,
) -> None:
    """With the view's size known, a page past the middle is read oldest first and turned
    round (the reader's last page at 1M items skipped 999,900 index entries): every page,
    the last one short, matches the view read in one go, for an unfiltered view, a word and
    unread only; a page past the end is empty."""
    common, _ = common_and_rare_words(samples)
    for flt in (
        Filter(),
        Filter(words=(common,)),
        Filter(unread_only=True),
        Filter(kinds=("post",)),
    ):
        query = Query(samples, flt)
        expected = [row.id for row in query.all(details=False)]
        total = len(expected)
        assert total > 8, flt
        for size in (1, 3, 7):
            for offset in range(0, total + size, size):
                keys = query.page_keys(size, offset=offset, total=total)
                assert [key[1] for key in keys] == expected[offset : offset + size], (
                    flt,
                    size,
                    offset,
                )


@pytest.mark.parametrize("window", [3, 12])
def test_a_share_carried_from_a_wider_filter_sizes_the_window_and_pages_stay_exact(
    samples: Store, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A narrower filter typed after a wider one starts with a window sized from the wider
    one's share of matches: whatever that share (right, far too small, far too large), the
    first page is the view's; a window that held part of a page records its share."""
    monkeypatch.setattr(timeline, "WINDOW", window)
    common, rare = common_and_rare_words(samples)
    for flt in (Filter(words=(common,)), Filter(words=(rare,)), Filter(words=(common[:3],))):
        expected = [row.id for row in Query(samples, flt).all(details=False)]
        for share in (None, 0.01, 0.2, 0.5, 1.0):
            for size in (1, 4, 25):
                query = Query(samples, flt)
                query.expected_share = share
                assert [key[1] for key in query.page_keys(size)] == expected[:size], (
                    flt,
                    share,
                    size,
                )
    items = Query(samples, Filter()).count()
    query = Query(samples, Filter(words=(common,)))
    matches = query.count()
    assert matches < items  # not every item: a window holds part of a page
    query.page_keys(matches)
    assert query.share is not None and 0 < query.share <= 1

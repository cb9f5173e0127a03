"""Typing a filter and taking it back: the first page of a filter seen a moment ago is shown
again without its query while the cache is unchanged, and never once the cache changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.tui import demo_store, make_app, settle
from wirereader.core.model import RawEntry
from wirereader.query.timeline import Filter, Query, narrows
from wirereader.store.db import Store


def test_narrowing_is_words_typed_further_or_added() -> None:
    har = Filter(words=("har",))
    assert narrows(Filter(words=("harb",)), har)
    assert narrows(Filter(words=("Harbour", "cou")), har)
    assert narrows(har, har)
    assert not narrows(har, Filter(words=("harb",)))  # backspace widens
    assert not narrows(Filter(words=("bar",)), har)
    assert not narrows(Filter(words=("harb",), unread_only=True), har)
    assert not narrows(Filter(words=("harb",)), Filter(words=("har",), unread_only=True))


def shown_ids(app) -> list[int]:
    timeline = app.timeline
    return [row.id for row in (timeline.row(i) for i in range(min(timeline.total, 20))) if row]


def newest_ids(store: Store, flt: Filter) -> list[int]:
    return [key[1] for key in Query(store, flt).page_keys(20)]


def test_a_filter_taken_back_shows_the_cache_as_it_is_now(db_path: Path) -> None:
    store = demo_store(db_path)
    typed: list[str] = []

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            everything = shown_ids(app)
            await pilot.press("slash", *"crimea")
            await settle(pilot)
            assert shown_ids(app) == newest_ids(store, Filter(words=("crimea",)))
            await pilot.press(*["backspace"] * 6)
            await settle(pilot)
            assert shown_ids(app) == everything
            # Another process saves a newer item about Crimea: typing the same filter again
            # shows it, not the page remembered a moment ago.
            with Store(db_path) as other:
                source = other.ensure_source("typing-test", "file", name="typing")
                saved = other.save_entries(
                    source,
                    [RawEntry(title="Crimea ferry resumes", body="Crimea ferry.", stable_id="x")],
                )
            await pilot.press(*"crimea")
            await settle(pilot)
            typed.append(app.state.text)
            assert shown_ids(app)[0] == saved.new[0]
            assert shown_ids(app) == newest_ids(store, Filter(words=("crimea",)))

    with store:
        asyncio.run(go())
    assert typed == ["crimea"]

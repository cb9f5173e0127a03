"""Typing a filter and taking it back: the first page of a filter seen a moment ago is shown
again without its query while the cache is unchanged, and never once the cache changed."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.tui import demo_store, make_app, settle, until
from wirereader.core.model import RawEntry
from wirereader.query.entities import entity_counts
from wirereader.query.panes import PaneData
from wirereader.query.timeline import EntityRef, Filter, Query, narrows
from wirereader.store.db import Store
from wirereader.tui import app as app_module
from wirereader.tui.widgets.entities import EntityList


def test_narrowing_is_words_typed_further_or_added_or_a_restriction_added() -> None:
    har = Filter(words=("har",))
    assert narrows(Filter(words=("harb",)), har)
    assert narrows(Filter(words=("Harbour", "cou")), har)
    assert narrows(har, har)
    assert not narrows(har, Filter(words=("harb",)))  # backspace widens
    assert not narrows(Filter(words=("bar",)), har)
    assert narrows(Filter(words=("harb",), unread_only=True), har)
    assert not narrows(Filter(words=("harb",)), Filter(words=("har",), unread_only=True))
    # Each restriction added narrows; the same one taken away (or loosened) widens.
    person = EntityRef("Arlo Varga", "person")
    pairs = [
        (Filter(kinds=("breaking",)), Filter()),
        (Filter(kinds=("breaking",)), Filter(kinds=("breaking", "analysis"))),
        (Filter(exclude_kinds=("video",)), Filter()),
        (Filter(sources=("wire-03",)), Filter()),
        (Filter(exclude_sources=("wire-03",)), Filter()),
        (Filter(phrases=("harbour council",)), Filter()),
        (Filter(any_of=(("ferry", "port"),)), Filter()),
        (Filter(exclude_words=("ferry",)), Filter()),
        (Filter(entities=(person,)), Filter()),
        (Filter(exclude_entities=(person,)), Filter()),
        (Filter(thread_id=7), Filter()),
        (Filter(since=200), Filter(since=100)),
        (Filter(until=100), Filter(until=200)),
        (Filter(since=100), Filter()),
        (Filter(starred_only=True), Filter()),
    ]
    for narrower, wider in pairs:
        assert narrows(replace(narrower, words=("harbour",)), har), narrower
        assert not narrows(wider, narrower), (wider, narrower)
    # Reposts folded or not are different views: neither narrows the other.
    assert not narrows(Filter(all_entries=True), Filter())
    assert not narrows(Filter(), Filter(all_entries=True))
    assert not narrows(Filter(thread_id=8), Filter(thread_id=7))
    # A changed group is never taken as narrower (the list is walked again): safe, if slower.
    assert not narrows(Filter(any_of=(("ferry", "port"),)), Filter(any_of=(("ferry", "po"),)))


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


def test_side_panes_wait_for_a_pause_in_typing_and_say_they_are_counting(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys that leave the filter as it was (a space, the first letters of the next word) still
    put off the panes' refill, so no key waits for it; meanwhile the status line says counts
    are coming (the panes' numbers are the last view's); after the pause the panes hold the
    new view's counts and the status line says nothing more."""
    monkeypatch.setattr(app_module, "PANES_DELAY", 1.5)
    store = demo_store(db_path)
    fills: list[str] = []
    seen: dict[str, object] = {}

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            entities = app.query_one(EntityList)
            assert "counting" not in str(app.status.render())
            original = entities.show_counts

            def show_counts(*args, **kwargs) -> None:
                fills.append(app.state.text)
                original(*args, **kwargs)

            entities.show_counts = show_counts  # type: ignore[method-assign]
            await pilot.press("slash", *"crimea")
            await pilot.pause()
            seen["typing"] = "counting…" in str(app.status.render())
            # Each key lands well inside the pause the panes wait for, and together they
            # last longer than it: the panes may only refill once the keys stop.
            for key in ("space", "x", "y", "backspace"):
                await pilot.pause(0.5)
                await pilot.press(key)
                assert fills == [], key
                assert "counting…" in str(app.status.render()), key
            await until(pilot, lambda: bool(fills), "the panes' refill")
            await settle(pilot)
            seen["after"] = "counting" in str(app.status.render())
            seen["shown"] = (
                [(c.name, c.count) for c in entities._shown[0]] if entities._shown else []
            )

    with store:
        asyncio.run(go())
        expected = entity_counts(store, Filter(words=("crimea",)), limit=150)
    assert seen["typing"] is True
    assert fills == ["crimea x"]
    assert seen["after"] is False
    assert seen["shown"] == [(c.name, c.count) for c in expected]
    assert expected  # the view has entities to count


def test_a_new_theme_redraws_the_rows_in_its_colours(db_path: Path) -> None:
    """Rows' lines are remembered between frames; a change of theme must not reuse them."""
    store = demo_store(db_path)
    seen: dict[str, list[str]] = {}

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            first = app.timeline.render_line(0)
            app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
            await settle(pilot)
            again = app.timeline.render_line(0)
            seen["text"] = [first.text, again.text]
            seen["styles"] = [str([s.style for s in first]), str([s.style for s in again])]

    with store:
        asyncio.run(go())
    assert seen["text"][0] == seen["text"][1]
    assert seen["styles"][0] != seen["styles"][1]


def test_side_panes_are_read_during_the_first_frame_and_drawn_after_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panes' lists are asked for before the first frame (read in a worker while it is
    drawn), so they are ready once it is out; they are drawn only after it (drawing them would
    hold that frame back), read once, with counts that are the view's own; the status line's
    view count is exact at once (the writer keeps it)."""
    store = demo_store(db_path)
    events: list[str] = []
    cls = app_module.WireReader
    original_ask, original_paint = cls._gather_panes, cls._first_paint
    original_fill = cls._fill_panes

    def ask(self: app_module.WireReader, *args: object) -> object:
        events.append("asked")
        return original_ask(self, *args)

    def first_paint(self: app_module.WireReader) -> None:
        events.append("painted")
        assert self.status.exact and self.status.total == Query(store, Filter()).count()
        original_paint(self)

    def fill(self: app_module.WireReader, data: PaneData) -> None:
        events.append("drawn")
        original_fill(self, data)

    monkeypatch.setattr(cls, "_gather_panes", ask)
    monkeypatch.setattr(cls, "_first_paint", first_paint)
    monkeypatch.setattr(cls, "_fill_panes", fill)

    async def go() -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert events == ["asked", "painted", "drawn"]
            shown = app.query_one(EntityList)._shown
            assert shown is not None and shown[0]
            assert shown[0] == entity_counts(store, Filter(), limit=len(shown[0]))

    with store:
        asyncio.run(go())

"""The reader app driven through Pilot on real caches: the bundled samples imported into a
SQLite file, invented rows where a case needs them, a feed served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
import webbrowser
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.tui import (
    TEST_PERSON,
    TEST_PLACE,
    add_entity,
    add_thread,
    demo_store,
    make_app,
    reader_text,
    settle,
    timeline_lines,
    until,
)
from wirereader.core.config import Config, FeedConfig
from wirereader.core.model import Link, RawEntry
from wirereader.query.detail import load_entry
from wirereader.query.timeline import Filter, Query
from wirereader.store.db import Store
from wirereader.tui.actions import ACTIONS
from wirereader.tui.app import WireReader
from wirereader.tui.screens.feeds import FeedsScreen
from wirereader.tui.screens.help import HelpScreen
from wirereader.tui.widgets.entities import EntityList
from wirereader.tui.widgets.filterbar import FilterInput


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def demo(db_path: Path):
    store = demo_store(db_path)
    yield store
    store.close()


def items(store: Store, flt: Filter | None = None) -> int:
    return Query(store, flt or Filter()).count()


def test_opens_the_demo_cache_and_moves(demo: Store) -> None:
    total = items(demo)
    assert total > 40  # the samples: a live blog and an article

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            timeline = app.timeline
            assert timeline.total == total
            assert app.status.total == total
            first = timeline.current
            assert first is not None
            assert reader_text(app).startswith(first.title)
            await pilot.press("j", "j")
            await settle(pilot)
            assert timeline.cursor == 2
            assert app.reader.detail is not None
            assert app.reader.detail.entry.id == timeline.current.id
            assert reader_text(app).startswith(timeline.current.title)
            await pilot.press("G")
            assert timeline.cursor == total - 1
            await pilot.press("g")
            assert timeline.cursor == 0
            # The rows on screen are the newest items, newest first.
            newest = Query(demo).page(3)
            lines = timeline_lines(app)
            for row, line in zip(newest, lines, strict=False):
                assert row.title[:8] in line  # 40 columns: marks, date, source, kind, title

    run(go())


def test_text_filter_is_incremental_and_esc_clears(demo: Store) -> None:
    expected = items(demo, Filter(words=("crimea",)))
    assert 0 < expected < items(demo)

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"crim")
            await settle(pilot)
            assert app.timeline.total == items(demo, Filter(words=("crim",)))
            await pilot.press(*"ea")
            await settle(pilot)
            assert app.timeline.total == expected
            for index in range(app.timeline.total):
                row = app.timeline.row(index)
                assert row.body == ""  # the list never unpacks bodies; the reader pane does
                entry = load_entry(demo, row.id)
                assert entry is not None
                assert re.search(r"\bcrimea", f"{entry.title} {entry.body}", re.IGNORECASE)
            chips = [chip.label for chip in app.state.chips()]
            assert chips == ["/ crimea"]
            await pilot.press("enter")  # keep the filter, back to the list
            assert app.focused is app.timeline
            assert app.timeline.total == expected
            await pilot.press("escape")
            await settle(pilot)
            assert app.timeline.total == items(demo)
            assert app.state.chips() == []

    run(go())


def test_an_interrupted_count_ends_quietly_whatever_sqlite_calls_it(demo: Store) -> None:
    # Interrupted while FTS5 opens its table, SQLite reports "vtable constructor failed", not
    # "interrupted": a newer filter must still end the stale count without an error.
    app = make_app(demo)

    def stale_count(store: Store) -> int:
        app._interrupt_background()
        raise sqlite3.OperationalError("vtable constructor failed: entries_fts")

    def broken_disk(store: Store) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    assert app._background(stale_count) is None
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        app._background(broken_disk)  # a real error, with no interrupt before it, still shows


def test_query_language_in_the_filter(demo: Store) -> None:
    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"source:article")
            await settle(pilot)
            assert app.timeline.total == 1
            assert app.timeline.current.source == "article-sample"
            await pilot.press(*' -"north korea"')
            await settle(pilot)
            assert app.timeline.total == 1  # excluding a phrase is a word exclusion
            app.query_one("#filter-input", FilterInput).value = "since:later kind:analysis"
            await settle(pilot)
            assert app.timeline.total == items(demo, Filter(kinds=("analysis",))) > 0
            assert app.problems and "since:later" in app.problems[0]  # shown in the filter bar

    run(go())


def test_space_toggles_the_entity_under_the_cursor(demo: Store) -> None:
    mentioned = add_entity(demo, TEST_PERSON, "person", "Putin")
    assert 0 < len(mentioned) < items(demo)

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            entities = app.query_one("#entities", EntityList)
            assert app.focused is entities
            assert entities.highlighted_option.id is not None
            assert entities.refs[entities.highlighted_option.id].name == TEST_PERSON
            await pilot.press("space")
            await settle(pilot)
            assert app.timeline.total == len(mentioned)
            assert [c.label for c in app.state.chips()] == [f"+person: {TEST_PERSON}"]
            shown = {app.timeline.row(i).id for i in range(app.timeline.total)}
            assert shown == mentioned
            # The pane's count follows the filter: every shown item mentions the person.
            counts = {ref.name: ref for ref in entities.refs.values()}
            assert TEST_PERSON in counts
            await pilot.press("space")
            await settle(pilot)
            assert app.timeline.total == items(demo)
            await pilot.press("x")
            await settle(pilot)
            assert app.timeline.total == items(demo) - len(mentioned)
            assert app.state.chips()[0].negative
            await pilot.press("escape", "escape")  # back to the timeline, then clear
            await settle(pilot)
            assert app.timeline.total == items(demo)

    run(go())


def test_entities_compose_with_text_and_query_language(demo: Store) -> None:
    putin = add_entity(demo, TEST_PERSON, "person", "Putin")
    crimea = add_entity(demo, TEST_PLACE, "place", "Crimea", count=9_000)
    both = putin - crimea

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            query = f"+person:{TEST_PERSON.replace(' ', '_')} -place:{TEST_PLACE.replace(' ', '_')}"
            await pilot.press("slash", *query)
            await settle(pilot)
            assert app.timeline.total == len(both)

    run(go())


async def _open_from_thread_pane(app: WireReader, pilot: Pilot[None], *keys: str) -> None:
    """'T' focuses the thread pane; then `keys` and Enter open the highlighted thread."""
    await settle(pilot)
    await pilot.press("T")
    await settle(pilot)
    assert app.focused is app.query_one("#threads")
    await pilot.press(*keys, "enter")
    await settle(pilot)


def test_selecting_a_thread_filters_the_timeline(demo: Store) -> None:
    ids = [r.id for r in Query(demo).page(30)][5:9]
    add_thread(demo, "Invented story headline", ids, last_at=4_000_000_000)

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await _open_from_thread_pane(app, pilot, "home")
            assert app.timeline.total == len(ids)
            assert app.focused is app.timeline
            assert [c.label for c in app.state.chips()] == ["thread: Invented story headline"]
            # The reader lists the other items of the thread.
            text = reader_text(app)
            assert "Thread: Invented story headline" in text
            others = [r.title for r in Query(demo, Filter(thread_id=app.state.thread_id)).all()]
            shown = app.timeline.current.title
            for title in others:
                if title != shown:
                    assert title[:30] in text
            # The timeline marks thread size.
            assert f"≡{len(ids)}" in timeline_lines(app)[0]

    run(go())


def test_enter_on_the_thread_pane_opens_its_first_thread(demo: Store) -> None:
    # The bundled samples' own threads (the analysis made them): 'T' then Enter, as for the
    # entity pane's 'e' then space, with no key to move the cursor first.
    assert demo.conn.execute("SELECT count(*) FROM threads").fetchone()[0] > 0

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await _open_from_thread_pane(app, pilot)
            assert app.state.thread_id is not None
            assert next(c.label for c in app.state.chips()).startswith("thread: ")
            assert app.timeline.total == Query(demo, Filter(thread_id=app.state.thread_id)).count()

    run(go())


def test_reader_shows_versions_and_what_changed(demo: Store) -> None:
    row = Query(demo).page(1)[0]
    stable, source_id = demo.conn.execute(
        "SELECT stable_id, source_id FROM entries WHERE id = ?", (row.id,)
    ).fetchone()
    added = "An invented paragraph added by the second version."
    second = RawEntry(
        title=row.title + " (updated)",
        body=row.body + "\n\n" + added,
        stable_id=stable,
        author=row.author,
        published=datetime.fromisoformat(row.published) if row.published else None,
    )
    result = demo.save_entries(source_id, [second])
    assert result.updated == [row.id]

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.timeline.current.id == row.id
            text = reader_text(app)
            assert "Versions (2)" in text
            assert f"+ {added}" in text
            assert f"title: {row.title} → {row.title} (updated)" in text
            assert "✎2" in timeline_lines(app)[0]

    run(go())


def test_star_and_read_state_are_written_at_once(demo: Store, db_path: Path) -> None:
    # A repost of the second item, as dedup marks it.
    first, second, third = Query(demo).page(3)
    with demo.transaction() as conn:
        conn.execute("UPDATE entries SET repost_of = ? WHERE id = ?", (second.id, third.id))

    def state(entry_id: int) -> tuple[bool, bool]:
        # A separate connection: what another process (or a crash right now) would see.
        with sqlite3.connect(db_path) as other:
            read_at, starred = other.execute(
                "SELECT read_at, starred FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        return read_at is not None, bool(starred)

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.timeline.current.id == first.id
            await pilot.press("s")
            assert state(first.id) == (False, True)
            assert "★" in timeline_lines(app)[0]
            await pilot.press("s")
            assert state(first.id) == (False, False)
            assert "★" not in timeline_lines(app)[0]  # the row's remembered line is not reused
            await pilot.press("j", "enter")
            await settle(pilot)
            assert app.timeline.current.id == second.id
            assert state(second.id) == (True, False)
            assert state(third.id) == (True, False)  # the repost went with it
            assert "●" not in timeline_lines(app)[1][:3]
            assert app.status.unread == items(demo, Filter(unread_only=True))
            await pilot.press("m")
            assert state(second.id) == (False, False)
            assert state(third.id) == (False, False)
            await pilot.press("u")
            await settle(pilot)
            await pilot.press("enter")  # read the first unread item while filtering unread
            await settle(pilot)
            assert state(app.timeline.current.id)[0]

    run(go())


def test_next_unread_skips_read_items(demo: Store) -> None:
    rows = Query(demo).page(5)
    from wirereader.store import reading

    reading.set_read(demo, [rows[1].id, rows[2].id])

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            assert app.timeline.current.id == rows[3].id
            assert reading.is_read(demo, rows[3].id)

    run(go())


HOSTILE = [
    "[bold red]x[/]",
    "[/",
    "[link=file:///etc/passwd]x[/link]",
    "before \x1b]52;c;aGVsbG8=\x07 after",
    "clear \x1b[2J screen",
    "rtl \u202egnp.exe\u202c override",
    "[@click=app.quit]quit[/]",
]


def test_hostile_titles_render_as_plain_text(store: Store) -> None:
    # Written raw, past ingest's cleaning: the widgets must hold on their own.
    source = store.ensure_source("hostile", "file", name="[red]src[/red]")
    entries = [
        RawEntry(
            title=title,
            body=f"{title}\n\n> {title}\n\n- {title}",
            published=datetime(2025, 4, 28, 12, i, tzinfo=timezone.utc),
            author="[b]author[/b]",
            url="file:///etc/passwd",
        )
        for i, title in enumerate(HOSTILE)
    ]
    store.save_entries(source, entries)
    opened: list[str] = []

    async def go():
        app = make_app(store)
        app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            assert app.is_running
            lines = timeline_lines(app)
            screen = "\n".join(lines)
            assert "\x1b" not in screen and "\x07" not in screen and "\u202e" not in screen
            assert "[bold red]x[/]" in screen
            assert "[link=file:///etc/passwd]x[/link]" in screen
            assert "[@click=app.quit]quit[/]" in screen
            assert "before  after" in screen or "before after" in screen
            for _ in HOSTILE:
                text = reader_text(app)
                assert "\x1b" not in text and "\u202e" not in text
                await pilot.press("enter", "j")
                await settle(pilot)
            # Title text with markup stays text in the reader too.
            await pilot.press("g")
            await settle(pilot)
            assert app.timeline.current.title == HOSTILE[-1]
            assert reader_text(app).startswith("[@click=app.quit]quit[/]")
            await pilot.press("o")  # a file:// link is never opened
            assert opened == []
            # No markup was interpreted: no segment on screen carries a link or an action.
            timeline = app.timeline
            for y in range(timeline.scrollable_content_region.height):
                for segment in timeline.render_line(y):
                    style = segment.style
                    assert style is None or (not style.link and not style.meta), segment
            for span in app.reader.rendered.spans:
                span_style = span.style
                assert isinstance(span_style, str) or not (span_style.link or span_style.meta), span
            assert app.is_running

    run(go())


def test_open_in_browser_only_for_web_links(store: Store) -> None:
    source = store.ensure_source("links", "file", name="links")
    store.save_entries(
        source,
        [
            RawEntry(
                title="web",
                url="https://example.org/a",
                published=datetime(2025, 1, 2, tzinfo=timezone.utc),
            ),
            RawEntry(
                title="script",
                url="javascript:alert(1)",
                published=datetime(2025, 1, 1, tzinfo=timezone.utc),
            ),
        ],
    )
    opened: list[str] = []
    copied: list[str] = []

    async def go():
        app = make_app(store)
        app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("o", "y")
            assert opened == ["https://example.org/a"]
            assert copied == ["https://example.org/a"]
            await pilot.press("j", "o")
            assert opened == ["https://example.org/a"]

    run(go())


def test_a_terminal_browser_gets_the_terminal(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no desktop (over ssh), webbrowser finds lynx or w3m, which runs in this terminal in
    the foreground: the reader suspends for it instead of drawing over it; a desktop browser
    runs in the background with the reader left as it is."""
    source = store.ensure_source("links", "file", name="links")
    when = datetime(2025, 1, 2, tzinfo=timezone.utc)
    store.save_entries(source, [RawEntry(title="web", url="https://example.org/a", published=when)])
    events: list[str] = []

    class Terminal(webbrowser.GenericBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            events.append(f"terminal {url}")
            return True

    class Desktop(webbrowser.BackgroundBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            events.append(f"desktop {url}")
            return True

    @contextmanager
    def suspend():
        events.append("suspend")
        yield
        events.append("resume")

    browser: webbrowser.BaseBrowser = Terminal("lynx")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)

    async def go():
        app = make_app(store)
        app.suspend = suspend  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("o")
            assert events == ["suspend", "terminal https://example.org/a", "resume"]
            nonlocal browser
            browser = Desktop("xdg-open")
            events.clear()
            await pilot.press("o")
            assert events == ["desktop https://example.org/a"]
            assert app.is_running

    run(go())


def test_saved_topics_from_the_config(demo: Store) -> None:
    cfg = Config(topics={"Crimea talk": "crimea", "Korea": '"north korea"'})

    async def go():
        app = make_app(demo, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            assert app.timeline.total == items(demo, Filter(words=("crimea",)))
            assert [c.label for c in app.state.chips()] == ["topic: Crimea talk"]
            await pilot.press("2")
            await settle(pilot)
            assert app.timeline.total == items(demo, Filter(phrases=("north korea",)))
            await pilot.press("2")  # again: off
            await settle(pilot)
            assert app.timeline.total == items(demo)
            await pilot.press("t")
            await settle(pilot)
            assert app.focused is app.query_one("#topics")
            await pilot.press("down", "enter")
            await settle(pilot)
            assert app.state.topic == "Korea"
            await pilot.press("9")  # no such topic: a warning, nothing changes
            await settle(pilot)
            assert app.state.topic == "Korea"

    run(go())


def test_help_lists_every_binding_and_keys_follow_the_config(demo: Store) -> None:
    cfg = Config(keys={"star": "f", "no_such_action": "z"})

    async def go():
        app = make_app(demo, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            first = app.timeline.current.id
            await pilot.press("f")
            from wirereader.store import reading

            assert (
                demo.conn.execute("SELECT starred FROM entries WHERE id = ?", (first,)).fetchone()[
                    0
                ]
                == 1
            )
            await pilot.press("s")  # no longer bound
            assert (
                demo.conn.execute("SELECT starred FROM entries WHERE id = ?", (first,)).fetchone()[
                    0
                ]
                == 1
            )
            assert reading.is_read(demo, first) is False
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            from wirereader.tui.screens.help import help_text

            text = help_text(app.keymap_in_force).plain
            for action in ACTIONS:
                if not action.id.startswith("topic_"):
                    assert action.description in text
            assert re.search(r"^\s+f\s+Star / unstar the item$", text, re.MULTILINE)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "Star / unstar the item" in commands
            assert "Refresh the feeds now" in commands
            assert "Theme" in commands

    run(go())


def test_command_palette_offers_topics(demo: Store) -> None:
    cfg = Config(topics={"Crimea talk": "crimea"})

    async def go():
        app = make_app(demo, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert "Topic: Crimea talk" in commands
            commands["Topic: Crimea talk"].callback()
            await settle(pilot)
            assert app.state.topic == "Crimea talk"

    run(go())


def test_narrow_terminal_stays_usable(demo: Store) -> None:
    async def go():
        app = make_app(demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.screen.has_class("-narrow")
            assert not app.query_one("#sidebar").display
            assert app.timeline.region.height >= 6 and app.reader.region.height >= 6
            assert app.timeline.region.width == 80
            lines = timeline_lines(app)
            assert app.timeline.current.title[:20] in lines[0]
            await pilot.press("e")
            await settle(pilot)
            assert app.query_one("#sidebar").display
            assert app.query_one("#entities").region.width > 40
            await pilot.press("escape")
            await settle(pilot)
            assert app.focused is app.timeline
            assert not app.query_one("#sidebar").display

    run(go())


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Invented Wire</title><link>http://example.invalid/</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><guid>{guid}</guid><link>https://example.invalid/{guid}</link>
<pubDate>{date}</pubDate><description>{body}</description></item>"""


def _rss(entries: list[tuple[str, str, str]]) -> bytes:
    items = "\n".join(
        ITEM.format(guid=g, title=t, body=f"Invented text about {t.lower()}.", date=d)
        for g, t, d in entries
    )
    return RSS.format(items=items).encode()


def test_refresh_from_a_feed_on_localhost_keeps_the_cursor(demo: Store) -> None:
    server = FeedServer()
    old = [("a1", "Harbour council meets", "Mon, 28 Apr 2025 09:00:00 +0000")]
    route = Route(_rss(old))
    server.routes["/feed.xml"] = route
    server.start()
    try:
        cfg = Config(feeds=[FeedConfig(url=server.url("/feed.xml"), name="invented")])

        async def go():
            app = make_app(demo, cfg)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                before = app.timeline.total
                await pilot.press("r")
                await settle(pilot)
                assert app.timeline.total == before + 1
                # The user moves to some item and reads it; new items then land above.
                await pilot.press("j", "j", "j")
                reading_id = app.timeline.current.id
                line = app.timeline.cursor - round(app.timeline.scroll_y)
                route.body = _rss(
                    [
                        *old,
                        ("a2", "Ferry strike ends", "Mon, 28 Apr 2025 18:00:00 +0000"),
                        ("a3", "Ferry strike talks", "Mon, 28 Apr 2025 18:30:00 +0000"),
                    ]
                )
                notes_before = len(app._notifications)
                await pilot.press("r")
                await settle(pilot)
                assert app.timeline.total == before + 3
                assert app.timeline.current.id == reading_id
                assert app.timeline.cursor - round(app.timeline.scroll_y) == line
                messages = [n.message for n in list(app._notifications)[notes_before:]]
                assert any(m.startswith("2 new items") for m in messages), messages
                assert app.status.last_refresh
                assert app.status.errors == 0
                titles = [app.timeline.row(i).title for i in range(3)]
                assert "Ferry strike talks" in titles

        run(go())
    finally:
        server.stop()


def test_refresh_failure_is_reported_not_raised(demo: Store) -> None:
    server = FeedServer()
    server.routes["/broken.xml"] = Route(b"not a feed at all", content_type="text/plain")
    server.start()
    try:
        cfg = Config(feeds=[FeedConfig(url=server.url("/broken.xml"), name="broken")])

        async def go():
            app = make_app(demo, cfg)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("r")
                await settle(pilot)
                assert app.is_running
                assert app.status.errors == 1
                assert not app.refreshing

        run(go())
    finally:
        server.stop()


def test_a_refresh_with_many_failing_feeds_says_where_the_rest_are(demo: Store) -> None:
    # Three notices and "5 feed errors" in the status line, and nothing said of the other two:
    # the count's notice now points at 'F', which lists every feed's last error.
    server = FeedServer()
    for n in range(5):
        server.routes[f"/broken{n}.xml"] = Route(b"not a feed", content_type="text/plain")
    server.start()
    try:
        cfg = Config(
            feeds=[FeedConfig(url=server.url(f"/broken{n}.xml"), name=f"b{n}") for n in range(5)]
        )

        async def go():
            app = make_app(demo, cfg)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                notes_before = len(app._notifications)
                await pilot.press("r")
                await settle(pilot)
                assert app.status.errors == 5
                notes = list(app._notifications)[notes_before:]
                errors = [n.message for n in notes if n.severity == "error"]
                assert len(errors) == 4, errors
                assert sum("broken" in m for m in errors[:3]) == 3
                assert errors[3] == (
                    "2 more problems not shown: press F for every feed and its last error"
                )
                await pilot.press("F")
                await until(pilot, lambda: isinstance(app.screen, FeedsScreen), "the pane")
                screen = app.screen
                assert isinstance(screen, FeedsScreen)
                await until(pilot, lambda: len(screen.feeds) == 5, "the feeds")
                options = screen.query_one(OptionList)
                listed = [options.get_option_at_index(i).prompt for i in range(5)]
                assert all("failing" in str(p) and "not XML" in str(p) for p in listed)

        run(go())
    finally:
        server.stop()


def _quit_while_stalled(
    demo: Store, monkeypatch: pytest.MonkeyPatch, server: FeedServer, cfg: Config, path: str
) -> None:
    """Press `r`, and `q` once the server has the request for `path` (which never answers):
    the closed reader must return within 5 s, its refresh ended."""
    import wirereader.ingest.refresh as refresh_module

    returned = threading.Event()
    real = refresh_module.refresh

    def refresh(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        finally:
            returned.set()

    monkeypatch.setattr(refresh_module, "refresh", refresh)

    async def go():
        app = make_app(demo, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await until(pilot, lambda: server.hits(path), f"the request for {path}")
            quit_at.append(time.monotonic())
            await pilot.press("q")

    quit_at: list[float] = []
    run(go())  # returns once asyncio's executor has joined its threads, as at exit
    assert time.monotonic() - quit_at[0] < 5, "the closed reader waited for the refresh"
    assert returned.is_set()


def _stall(handler) -> None:  # accepts the request and never answers
    handler.feed_server.stopping.wait(60)


def test_quitting_during_a_refresh_does_not_wait_for_a_stalled_server(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The refresh runs in a thread worker, in asyncio's default executor, which the
    # interpreter joins at exit: behind a server that accepts and never answers, the closed
    # reader stayed a process for 60 s (three attempts of the 20 s read timeout).
    server = FeedServer()
    server.routes["/stalled.xml"] = _stall
    server.start()
    try:
        cfg = Config(feeds=[FeedConfig(url=server.url("/stalled.xml"), name="stalled")])
        _quit_while_stalled(demo, monkeypatch, server, cfg, "/stalled.xml")
    finally:
        server.stop()


def test_quitting_while_a_live_blog_page_stalls_does_not_wait_for_it(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The feed answers; its live-blog item's page never does. The feeds' fetch stopped waiting
    # when the reader closed, but the feed being saved went on waiting for its page: the closed
    # reader stayed a process for 60 s (three attempts of the 20 s read timeout).
    server = FeedServer()
    live = {
        "guid": "urn:test:live",
        "title": "Storm live: the coast braces",
        "link": server.url("/news/live/storm"),
        "description": "<p>Latest: winds at the pier</p>",
        "pubDate": "Mon, 02 Mar 2026 10:05:00 +0000",
    }
    server.routes["/coast.xml"] = Route(rss("Coast Desk", [live]))
    server.routes["/news/live/storm"] = _stall
    server.start()
    try:
        cfg = Config(feeds=[FeedConfig(url=server.url("/coast.xml"), name="coast")])
        _quit_while_stalled(demo, monkeypatch, server, cfg, "/news/live/storm")
        # Not kept as one item as if its page had failed: the next refresh reads it again.
        live_rows = demo.conn.execute(
            "SELECT count(*) FROM entries WHERE stable_id LIKE '%urn:test:live%'"
        ).fetchone()[0]
        assert live_rows == 0
    finally:
        server.stop()


def test_empty_cache_says_what_to_do(store: Store) -> None:
    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.timeline.total == 0
            shown = " ".join(line.strip() for line in timeline_lines(app))
            assert "The cache is empty" in shown and "'wirereader demo'" in shown
            await pilot.press("j", "enter", "s", "m", "n", "o", "y")
            assert app.is_running

    run(go())


def test_filter_state_round_trip() -> None:
    from wirereader.query.filters import FilterState
    from wirereader.query.timeline import EntityRef

    state = FilterState(text="ceasefire source:wire", unread_only=True)
    state = state.toggle_entity(EntityRef("A", "person"))
    state = state.toggle_entity(EntityRef("B", "place"), exclude=True)
    flt, problems = state.compose()
    assert problems == []
    assert flt.words == ("ceasefire",) and flt.sources == ("wire",)
    assert flt.entities == (EntityRef("A", "person"),)
    assert flt.exclude_entities == (EntityRef("B", "place"),)
    assert flt.unread_only
    keys = [c.key for c in state.chips()]
    for key in keys:
        state = state.without(key)
    assert not state.active
    assert replace(state, text="since:later").compose()[1]  # a problem is reported


def test_a_word_being_typed_filters_from_its_third_letter() -> None:
    from wirereader.query.filters import FilterState

    def words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        flt, _ = FilterState(text=text).compose()
        return flt.words, flt.phrases

    assert words("h") == ((), ())
    assert words("ha") == ((), ())
    assert words("har") == (("har",), ())
    assert words("ha ") == (("ha",), ())  # a finished short word filters
    assert words("crimea k") == (("crimea",), ())
    assert words('"ab') == ((), ())
    assert words("source:x") == ((), ())
    # A wide letter counts two: a two-character Chinese or Japanese word is a whole word.
    assert words("大") == ((), ())
    assert words("大海") == (("大海",), ())
    # An alternative being typed waits as well: `ebola OR ch` is ebola until `cho`.
    assert FilterState(text="ebola OR ch").compose()[0].any_of == (("ebola",),)
    assert FilterState(text="ebola OR cho").compose()[0].any_of == (("ebola", "cho"),)


def test_typing_the_first_letters_keeps_the_list(demo: Store) -> None:
    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            total = app.timeline.total
            await pilot.press("slash", "u")
            await settle(pilot)
            assert app.timeline.total == total
            await pilot.press("k", "r")
            await settle(pilot)
            assert app.timeline.total == items(demo, Filter(words=("ukr",))) < total
            # Enter finishes a short word: it filters, where being typed it waited.
            await pilot.press("escape", "slash", "u", "k")
            await settle(pilot)
            assert app.timeline.total == total
            await pilot.press("enter")
            await settle(pilot)
            assert app.state.compose()[0].words == ("uk",)
            assert app.timeline.total == items(demo, Filter(words=("uk",))) < total

    run(go())


def test_feeds_refresh_on_their_own_while_open(demo: Store, monkeypatch) -> None:
    import wirereader.tui.app as tui_app

    monkeypatch.setattr(tui_app, "TICK_SECONDS", 0.2)
    ticks: list[int] = []
    real_tick = tui_app.WireReader._tick

    def counted_tick(self: tui_app.WireReader) -> None:
        ticks.append(1)
        real_tick(self)

    monkeypatch.setattr(tui_app.WireReader, "_tick", counted_tick)
    server = FeedServer()
    server.routes["/auto.xml"] = Route(
        _rss([("b1", "Orchard levy vote", "Mon, 28 Apr 2025 19:00:00 +0000")])
    )
    server.start()
    try:
        cfg = Config(feeds=[FeedConfig(url=server.url("/auto.xml"), name="auto", interval=60)])

        before = items(demo)

        async def go():
            app = make_app(demo, cfg)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                # No key pressed: the feed is due, a tick fetches it, its item lands.
                await until(pilot, lambda: app.timeline.total == before + 1, "the new item")
                assert len(server.hits("/auto.xml")) == 1
                # Its interval has not passed: three more ticks (counted, not timed) leave it be.
                seen = len(ticks)
                await until(pilot, lambda: len(ticks) >= seen + 3, "three more ticks")
                await until(pilot, lambda: not app.refreshing, "the last tick's refresh")
                await settle(pilot)
                assert len(server.hits("/auto.xml")) == 1

        run(go())
    finally:
        server.stop()


def test_theme_from_the_config(demo: Store) -> None:
    async def go():
        app = make_app(demo, Config(theme="nord"))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.theme == "nord"
        bad = make_app(demo, Config(theme="no-such-theme"))
        async with bad.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert bad.theme != "no-such-theme"
            assert any("no-such-theme" in n.message for n in bad._notifications)

    run(go())


def test_clicking_a_chip_removes_that_filter(demo: Store) -> None:
    add_entity(demo, TEST_PERSON, "person", "Putin")

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("u", "e", "space")
            await settle(pilot)
            assert len(app.state.chips()) == 2
            # The chips read " +person: ... ×  unread ×": a click on the first removes it.
            await pilot.click("#chips", offset=(3, 0))
            await settle(pilot)
            assert [c.key for c in app.state.chips()] == ["unread"]
            assert app.timeline.total == items(demo, Filter(unread_only=True))

    run(go())


def test_clicking_an_entity_toggles_it(demo: Store) -> None:
    mentioned = add_entity(demo, TEST_PERSON, "person", "Putin")

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            # Row 0 of the pane is the "People" heading, row 1 the invented person.
            await pilot.click("#entities", offset=(4, 2))
            await settle(pilot)
            assert app.timeline.total == len(mentioned)
            await pilot.press("e", "enter")  # enter toggles it off again (once, not twice)
            await settle(pilot)
            assert app.timeline.total == items(demo)

    run(go())


def test_palette_opens_numbered_links_and_escapes_outside_text(store: Store) -> None:
    source = store.ensure_source("links2", "file", name="links")
    store.save_entries(
        source,
        [
            RawEntry(
                title="linked",
                url="https://example.org/item",
                links=[
                    Link(url="https://example.org/report", title="[b]report[/b]"),
                    Link(url="file:///etc/passwd", title="local"),
                ],
                published=datetime(2025, 1, 2, tzinfo=timezone.utc),
            )
        ],
    )
    opened: list[str] = []

    async def go():
        app = make_app(store, Config(topics={"[red]odd[/red] name": "linked"}))
        app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            text = reader_text(app)
            assert "[1] this item https://example.org/item" in text
            assert "[2] [b]report[/b] https://example.org/report" in text
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert r"Topic: \[red]odd\[/red] name" in commands
            commands[r"Open link 2: \[b]report\[/b]"].callback()
            commands["Open link 3: local"].callback()
            assert opened == ["https://example.org/report"]

    run(go())


def test_keys_typed_in_one_burst_after_slash_reach_the_input(demo: Store) -> None:
    from textual import events

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            # As a terminal delivers a fast typist's keys: all queued before any is handled.
            app.post_message(events.Key("slash", "/"))
            for ch in "crimea":
                app.post_message(events.Key(ch, ch))
            await settle(pilot)
            assert app.query_one("#filter-input", FilterInput).value == "crimea"
            assert app.timeline.total == items(demo, Filter(words=("crimea",)))
            assert app.refreshing is False and app.state.unread_only is False  # r, u not run

    run(go())


def test_config_warnings_show_in_the_app(demo: Store) -> None:
    cfg = Config(warnings=["config.toml:3: unknown key 'general.colour'"])

    async def go():
        app = make_app(demo, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert any("general.colour" in n.message for n in app._notifications)

    run(go())


def test_dates_of_another_year_carry_the_year() -> None:
    """Feeds carry posts of years ago: the reader and the threads pane say the year of a date
    that is not this year's, where 'Nov 04' read as this November."""
    from wirereader.tui.widgets.reader import when
    from wirereader.tui.widgets.threads import span

    old = int(datetime(2000, 11, 4, 9, 30, tzinfo=timezone.utc).timestamp())
    assert when(old, timezone.utc) == "2000-11-04 09:30"
    assert span(old, old + 3600, timezone.utc) == "2000-11-04 09:30–10:30"
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    assert when(int(now.timestamp()), timezone.utc) == now.strftime("%b %d %H:%M")

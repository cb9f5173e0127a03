"""The reader's rough edges, through Pilot on real caches: an unknown filter term is a red chip,
the timeline's columns fit what is in view and times are in one stated zone, the feeds pane."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import OptionList, Static

from tests.support.subscriptions import LONG_ERROR, failing_and_empty_feeds
from tests.support.tui import demo_store, make_app, reader_text, settle, timeline_lines, until
from wirereader.ingest.files import import_file
from wirereader.query.timeline import EntityRef, Filter, Query
from wirereader.store.db import Store
from wirereader.store.subscriptions import record_failure, record_success, subscribe
from wirereader.tui.screens.feeds import FeedsScreen
from wirereader.tui.widgets.filterbar import PROBLEM_STYLE, FilterBar


def test_an_unknown_filter_term_is_a_red_chip(db_path: Path) -> None:
    store = demo_store(db_path)
    wanted = Query(store, Filter(words=("ceasefire",))).count()
    assert 0 < wanted < Query(store).count()

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"since:xyz ceasefire", "enter")
            await settle(pilot)
            assert app.problems == [
                "'since:xyz': expected a duration (6h, 2d) or a date (2025-04-28)"
            ]
            chips = app.query_one(FilterBar).query_one("#chips", Static).content
            assert isinstance(chips, Text)
            red = [
                chips.plain[span.start : span.end]
                for span in chips.spans
                if span.style == PROBLEM_STYLE
            ]
            assert red == [" 'since:xyz': expected a duration (6h, 2d) or a date (2025-04-28) "]
            # The rest of the filter still applies.
            assert app.timeline.total == wanted
            # A term fixed is a chip gone.
            await pilot.press("slash", *(["backspace"] * 20), *"ceasefire", "enter")
            await settle(pilot)
            assert app.problems == []

    asyncio.run(go())
    store.close()


def test_an_operator_typed_in_the_filter_is_a_red_chip_until_its_alternative(
    db_path: Path,
) -> None:
    # `ceasefire OR` filtered by a word starting with "or" as well: most items vanished.
    store = demo_store(db_path)
    wanted = Query(store, Filter(words=("ceasefire",))).count()
    either = Query(store, Filter(any_of=(("ceasefire", "kyiv"),))).count()
    assert either > wanted > 0

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"ceasefire OR", "enter")
            await settle(pilot)
            assert len(app.problems) == 1 and app.problems[0].startswith("'OR' needs a word")
            assert app.timeline.total == wanted  # the rest of the filter still applies
            await pilot.press("slash", "end", *"kyiv", "enter")  # `/` selects the text
            await settle(pilot)
            assert app.state.text == "ceasefire OR kyiv "
            assert app.problems == []
            assert app.timeline.total == either

    asyncio.run(go())
    store.close()


def test_the_filter_box_joins_two_people_with_or(db_path: Path) -> None:
    # `person:Putin OR person:Zelensky` was a red chip: entities were no alternatives.
    store = demo_store(db_path)
    putin = Query(store, Filter(entities=(EntityRef("Putin", "person"),))).count()
    zelensky = Query(store, Filter(entities=(EntityRef("Zelensky", "person"),))).count()
    both = Query(
        store,
        Filter(entities=(EntityRef("Putin", "person"), EntityRef("Zelensky", "person"))),
    ).count()
    either = putin + zelensky - both
    assert 0 < putin < either and 0 < zelensky < either

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"person:Putin OR person:Zelensky", "enter")
            await settle(pilot)
            assert app.problems == []
            assert app.timeline.total == either
            # The help screen names what OR joins.
            await pilot.press("question_mark")
            await settle(pilot)
            assert "person:A OR person:B" in str(app.screen.query_one(Static).content)

    asyncio.run(go())
    store.close()


def _notes(path: Path, rows: list[tuple[str, str, datetime]]) -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {"id": uid, "title": title, "text": f"{title}.", "published": when.isoformat()}
            )
            + "\n"
            for uid, title, when in rows
        ),
        "utf-8",
    )
    return path


def test_timeline_columns_fit_the_view_and_times_state_their_zone(
    db_path: Path, tmp_path: Path
) -> None:
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    today = now.replace(hour=0, minute=5) if now.hour else now  # early today, in UTC
    long_ago = datetime(2024, 3, 9, 7, 45, tzinfo=timezone.utc)
    with Store(db_path) as store:
        import_file(
            store,
            _notes(tmp_path / "a.jsonl", [("t1", "Tram line reopens", today)]),
            source="NYT > World News",
        )
        import_file(
            store,
            _notes(tmp_path / "b.jsonl", [("o1", "Harbour dredging starts", long_ago)]),
            source="Gazette",
        )

    async def go(size: tuple[int, int], store: Store) -> list[str]:
        app = make_app(store)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert "times in UTC" in str(app.status.render())
            return [line.rstrip() for line in timeline_lines(app) if line.strip()]

    with Store(db_path) as store:
        # Under 100 columns the timeline spans the screen; at 120 it is the narrow centre pane.
        wide = asyncio.run(go((90, 30), store))
        narrow = asyncio.run(go((120, 30), store))
    # The whole source name, and the date for the item not from today (with its year when the
    # list has room); today's item shows its time only.
    assert wide[0].startswith(f" ●            {today:%H:%M} NYT > World News Tram line reopens")
    assert wide[1].startswith(" ● 2024-03-09 07:45 Gazette          Harbour dredging starts")
    # The narrow centre pane cuts the source to 14 cells so the title keeps its room.
    assert narrow[0].startswith(f" ●  {today:%H:%M} NYT > World N… Tram line")
    assert narrow[1].startswith(" ● Mar 09 Gazette        Harbour dredgin…")
    # All from today: no date column at all.
    with Store(db_path) as store:
        store.conn.execute("DELETE FROM entries_fts")
        rows = asyncio.run(_today_only(store, today))
    assert rows[0].startswith(f" ● {today:%H:%M} NYT > World News Tram line reopens")


async def _today_only(store: Store, today: datetime) -> list[str]:
    app = make_app(store)
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"source:nyt", "enter")
        await settle(pilot)
        return [line.rstrip() for line in timeline_lines(app) if line.strip()]


def test_feeds_pane_lists_unread_and_last_error_and_opens_a_feed(
    db_path: Path, tmp_path: Path
) -> None:
    with Store(db_path) as store:
        good, _ = subscribe(store, "http://news.example.org/feed.xml", name="Harbour Gazette")
        bad, _ = subscribe(store, "http://down.example.org/rss", name="Down Daily")
        record_failure(store, bad, "http://down.example.org/rss: HTTP 503", interval=900)
        source = store.conn.execute("SELECT key FROM sources WHERE id = ?", (good.source_id,))
        key = source.fetchone()[0]
        when = datetime.now(timezone.utc) - timedelta(hours=2)
        notes = _notes(
            tmp_path / "g.jsonl", [(f"g{i}", f"Ferry timetable {i}", when) for i in range(3)]
        )
        # The feed's items, filed under its source as a fetch would.
        import_file(store, notes, source="x")
        store.conn.execute(
            "UPDATE entries SET source_id = ? WHERE source_id ="
            " (SELECT id FROM sources WHERE key = 'name:x')",
            (good.source_id,),
        )
        first = store.conn.execute(
            "SELECT min(id) FROM entries WHERE source_id = ?", (good.source_id,)
        ).fetchone()[0]
        store.conn.execute("UPDATE entries SET read_at = 1 WHERE id = ?", (first,))
        assert key

        async def go():
            app = make_app(store)
            async with app.run_test(size=(140, 40)) as pilot:
                screen = await _feeds_pane(pilot, app, 2)
                options = screen.query_one(OptionList)
                lines = [str(options.get_option_at_index(i).prompt) for i in range(2)]
                assert lines[0].startswith("Down Daily ") and "failing" in lines[0]
                assert lines[0].endswith("http://down.example.org/rss: HTTP 503")
                assert lines[1].split()[:4] == ["Harbour", "Gazette", "2", "/"]
                assert "new" in lines[1]
                await pilot.press("j", "enter")
                await settle(pilot)
                assert not isinstance(app.screen, FeedsScreen)
                assert app.state.text == 'source:"Harbour Gazette"'
                assert app.timeline.total == 3
                titles = {app.timeline.row(i).title for i in range(3)}
                assert titles == {"Ferry timetable 0", "Ferry timetable 1", "Ferry timetable 2"}

        asyncio.run(go())


async def _feeds_pane(pilot, app, feeds: int) -> FeedsScreen:
    """The feeds pane opened with its key, once it lists `feeds` feeds."""
    await settle(pilot)
    await pilot.press("F")
    await until(pilot, lambda: isinstance(app.screen, FeedsScreen), "the pane")
    screen = app.screen
    assert isinstance(screen, FeedsScreen)
    await until(pilot, lambda: len(screen.feeds) == feeds, "the feeds")
    return screen


def test_feeds_pane_says_empty_of_a_fetched_feed_with_no_item(db_path: Path) -> None:
    # Fetched without a failure but holding no item: "empty" (yellow), not "ok" in green.
    with Store(db_path) as store:
        quiet, _ = subscribe(store, "http://quiet.example.org/feed.xml", name="Quiet Parish")
        record_success(store, quiet, status=200, interval=900)

        async def go():
            app = make_app(store)
            async with app.run_test(size=(140, 40)) as pilot:
                screen = await _feeds_pane(pilot, app, 1)
                prompt = screen.query_one(OptionList).get_option_at_index(0).prompt
                assert isinstance(prompt, Text)
                assert prompt.plain.split()[:6] == ["Quiet", "Parish", "0", "/", "0", "empty"]
                styled = [prompt.plain[x.start : x.end].strip() for x in prompt.spans]
                assert "empty" in styled
                span = next(x for x in prompt.spans if "empty" in prompt.plain[x.start : x.end])
                assert span.style == "yellow"

        asyncio.run(go())


def test_an_undated_item_shows_its_guessed_time_marked(db_path: Path, server) -> None:
    # A site's pages without dates take, at its first fetch, the oldest time the feed gave
    # (they are its backlog, not news; test_undated_items.py); the list marks that time with
    # '~', a dated item's time is unmarked.
    from tests.support.feedserver import Route, rss
    from wirereader.core.config import Config
    from wirereader.ingest.refresh import refresh

    now = datetime.now(timezone.utc)
    dated = {
        "guid": "urn:site:dated",
        "title": "Ferry timetable changes",
        "link": "http://example.invalid/ferry",
        "description": "<p>The ferry leaves at nine.</p>",
        "pubDate": (now - timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
    }
    undated = {
        "guid": "urn:site:about",
        "title": "About the parish council",
        "link": "http://example.invalid/about",
        "description": "<p>The council meets monthly.</p>",
    }
    server.routes["/site.xml"] = Route(rss("Parish Site", [dated, undated]))
    with Store(db_path) as store:
        subscribe(store, server.url("/site.xml"))
        assert refresh(store, Config()).new == 2

        async def go():
            app = make_app(store)
            async with app.run_test(size=(120, 30)) as pilot:
                await settle(pilot)
                lines = [line for line in timeline_lines(app) if line.strip()]
                about = next(line for line in lines if "About the parish" in line)
                ferry = next(line for line in lines if "Ferry timetable" in line)
                given = now - timedelta(minutes=5)
                assert f"~{given:%H:%M}" in about and f" {given:%H:%M}" in ferry
                assert "~" not in ferry
                assert ferry.index(":") == about.index(":")  # the columns still align

        asyncio.run(go())


def test_the_reader_shows_a_quoted_post_with_one_at(db_path: Path) -> None:
    store = demo_store(db_path)
    [item] = [
        row
        for row in Query(store, Filter(words=("sybiha",))).all(details=False)
        if row.embeds.get("quotes")
    ]

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"sybiha", "enter")
            await settle(pilot)
            for _ in range(app.timeline.total):
                if app.timeline.current is not None and app.timeline.current.id == item.id:
                    break
                await pilot.press("j")
            assert app.timeline.current is not None and app.timeline.current.id == item.id
            await pilot.press("enter")
            await settle(pilot)
            text = reader_text(app)
            assert "— Andrii Sybiha (@andrii_sybiha) April 28, 2025" in text
            assert "@@" not in text

    asyncio.run(go())
    store.close()


def test_the_reader_counts_a_thread_of_one_item_as_one_item(db_path: Path) -> None:
    # "Thread: Website links  (1 items)" on every item of a feed of one-off pages.
    from tests.support.tui import add_thread
    from wirereader.query.detail import load_detail
    from wirereader.tui.widgets.reader import render_detail

    store = demo_store(db_path)
    ids = [r.id for r in Query(store).page(10)]
    add_thread(store, "A story told once", ids[:1], last_at=4_000_000_000)
    add_thread(store, "A story told three times", ids[1:4], last_at=4_000_000_001)
    one, three = (load_detail(store, i) for i in (ids[0], ids[1]))
    assert one is not None and three is not None
    assert "A story told once  (1 item)\n" in render_detail(one, timezone.utc).plain + "\n"
    assert "A story told three times  (3 items)" in render_detail(three, timezone.utc).plain
    # A sibling's source longer than its 12 cells is cut with "…", not mid-word in silence.
    from wirereader.tui.widgets.cells import cut

    assert cut("Deutsche Welle", 12) == "Deutsche We…" and cut("BBC", 12) == "BBC"
    store.close()


def test_feeds_pane_names_fit_their_column_in_cells_and_a_cut_says_so() -> None:
    # The pane cut a long name bare ("Society of Gilbert Keith Chest") and counted characters,
    # so a name in wide characters pushed its counts out of line with the others'.
    from rich.cells import cell_len

    from wirereader.query.feeds import FeedStatus
    from wirereader.tui.screens.feeds import feed_line

    names = ["Society of Gilbert Keith Chesterton", "朝日新聞デジタル 速報ニュース", "Frisk"]
    lines = [
        feed_line(FeedStatus(n, name, "http://example.invalid/", 3, 9, "ok", ""), 30).plain
        for n, name in enumerate(names)
    ]
    assert lines[0].startswith("Society of Gilbert Keith Ches…")
    assert lines[2].startswith("Frisk" + " " * 25)
    assert len({cell_len(line.split("/")[0]) for line in lines}) == 1  # the counts line up
    # Why a feed's last body gave no item is said in the pane too (after later 304s).
    empty = FeedStatus(
        4, "Arts", "http://example.invalid/", 0, 0, "empty", "", "no item could be read"
    )
    assert feed_line(empty, 10).plain.endswith("empty    no item could be read")


def test_the_reader_reads_a_cache_on_a_read_only_file_system(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It stopped at once on "internal error: WorkerFailed ... attempt to write a readonly
    # database" (the check before the first write). It now reads, says once that nothing read
    # or starred is saved, and exits cleanly with the marks left unsaved.
    from wirereader.store import db

    demo_store(db_path).close()
    monkeypatch.setattr(db, "on_read_only_mount", lambda p: Path(p) == db_path)
    store = Store(db_path)
    assert store.read_only
    total = Query(store).count()

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.timeline.total == total
            notes = [n.message for n in app._notifications]
            assert any("read-only file system" in n for n in notes), notes
            await pilot.press("j", "j", "s", "r")
            await settle(pilot)
            assert not app.refreshing
        assert app.return_code in (0, None) and not app.fatal_error and not app.unsaved_error

    asyncio.run(go())
    store.close()
    with Store(db_path) as fresh:  # nothing was written
        assert fresh.read_only
        starred = fresh.conn.execute("SELECT count(*) FROM entries WHERE starred").fetchone()
        assert starred[0] == 0


def _help_lines(db_path: Path, columns: int) -> list[str]:
    """The help screen's lines on a terminal `columns` wide, each checked to fit its view."""
    from textual.containers import VerticalScroll

    from wirereader.tui.screens.help import HelpScreen

    store = demo_store(db_path)
    lines: list[str] = []

    async def go():
        app = make_app(store)
        async with app.run_test(size=(columns, 30)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            scroll = app.screen.query_one(VerticalScroll)
            width = scroll.scrollable_content_region.width - 2  # (its scrollbar)
            text = app.screen.query_one(Static).content
            assert isinstance(text, Text)
            lines.extend(text.plain.splitlines())
            assert all(cell_len(line) <= width for line in lines), width

    asyncio.run(go())
    store.close()
    return lines


def test_the_help_wraps_a_description_under_itself_on_a_narrow_terminal(db_path: Path) -> None:
    # At 60 columns a description too long for its line went on at the left edge, under the
    # keys ("(incremental)", "requiring it"): the help now wraps each line to its width.
    from wirereader.tui.screens.help import KEYS_WIDTH

    lines = _help_lines(db_path, 60)
    at = lines.index("  /                  Filter by text / query language")
    assert lines[at + 1] == " " * KEYS_WIDTH + "(incremental)"
    # Every line is a heading, a key, a description's rest, or the query language.
    assert all(not line or line[0] != " " or line.startswith("  ") for line in lines)


def test_the_help_puts_each_description_under_its_keys_at_40_columns(db_path: Path) -> None:
    # At 40 columns a description had 11 cells beside the keys, and a word longer than that
    # was cut in two: "language (i" / "ncremental)". There each description now goes on the
    # lines under its keys, indented, and no word is cut.
    lines = _help_lines(db_path, 40)
    at = lines.index("  /")
    assert lines[at + 1 : at + 3] == [
        "    Filter by text / query",
        "    language (incremental)",
    ]
    words = {w for line in lines for w in line.split()}
    assert {"(incremental)", "(toggle)"} <= words and "(i" not in words


def test_the_status_line_shows_its_hints_and_zone_whole_or_not_at_all(db_path: Path) -> None:
    # At 60 columns the status line ended "? help  ^p commands  times in": the zone was cut
    # off. Each part after the counts is now shown whole while there is room, "? help" first.
    store = demo_store(db_path)

    async def go():
        app = make_app(store)
        async with app.run_test(size=(60, 30)) as pilot:
            await settle(pilot)
            status = app.status
            status.zone = "Europe/London"
            status.show()
            narrow = status.content
            assert isinstance(narrow, Text)
            assert narrow.cell_len <= status.content_region.width
            assert "? help" in narrow.plain and "times in" not in narrow.plain
            await pilot.resize_terminal(140, 30)
            await settle(pilot)
            wide = status.content
            assert isinstance(wide, Text)
            assert wide.plain.endswith("? help  ^p commands  times in Europe/London")

    asyncio.run(go())
    store.close()


def test_tab_goes_from_pane_to_pane_past_the_filter(db_path: Path) -> None:
    # Tab from the reader went into the filter box, and the pane keys typed next ("jj")
    # filtered the list to nothing. The filter is opened with '/'; tab cycles the panes.
    from wirereader.tui.widgets.filterbar import FilterInput

    store = demo_store(db_path)
    total = Query(store).count()

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            seen = []
            for key in ["tab"] * 6 + ["shift+tab"] * 6:
                await pilot.press(key)
                await settle(pilot)
                seen.append(type(app.focused).__name__)
                assert not isinstance(app.focused, FilterInput), seen
            assert len(set(seen)) >= 4, seen  # it does go round the panes
            await pilot.press("j", "j")
            await settle(pilot)
            assert app.state.text == "" and app.timeline.total == total
            await pilot.press("slash", *"kyiv")  # the filter is still one key away
            await settle(pilot)
            assert isinstance(app.focused, FilterInput) and app.state.text == "kyiv"

    asyncio.run(go())
    store.close()


def test_a_key_the_config_gives_two_actions_is_said(db_path: Path) -> None:
    # `[keys] star = "f"` beside `quit = "f"` (or `star = "q"`, quit's own key) ran one of the
    # two and lost the other without a word.
    from wirereader.core.config import Config
    from wirereader.tui.actions import key_conflicts

    assert key_conflicts({"star": "f"}) == [] and key_conflicts({}) == []
    assert key_conflicts({"star": "q"}) == [
        "[keys] 'q' is bound to star and quit: it runs only one of them; give each its own key"
    ]
    store = demo_store(db_path)

    async def go():
        app = make_app(store, Config(keys={"star": "f", "quit": "f", "unread": "U"}))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            notes = [n.message for n in app._notifications]
            assert notes == [
                "[keys] 'f' is bound to star and quit: it runs only one of them;"
                " give each its own key"
            ], notes

    asyncio.run(go())
    store.close()


def test_feeds_pane_keeps_each_feed_on_one_line_on_a_narrow_screen(db_path: Path) -> None:
    # At 40 columns the names kept their 30 cells and each feed took two lines, its counts
    # and status under its name: the name gives way now.
    with Store(db_path) as store:
        for name in ("Society of Gilbert Keith Chesterton", "Frisk"):
            feed, _ = subscribe(store, f"http://{name[:4].lower()}.example.org/rss", name=name)
            record_success(store, feed, status=200, interval=900)

        async def go():
            app = make_app(store)
            async with app.run_test(size=(40, 20)) as pilot:
                screen = await _feeds_pane(pilot, app, 2)
                options = screen.query_one(OptionList)
                for i in range(2):
                    prompt = options.get_option_at_index(i).prompt
                    assert isinstance(prompt, Text)
                    assert prompt.cell_len <= options.content_region.width, prompt.plain
                    assert prompt.plain.split()[-1] == "empty", prompt.plain

        asyncio.run(go())


@pytest.mark.parametrize("width", [120, 60, 40])
def test_the_filter_box_hint_is_never_cut(db_path: Path, width: int) -> None:
    # The hint was cut mid-word on narrow screens ('/ filter: words "a', '/ filter: word'):
    # the box now shows the longest of its hints that fits whole.
    from wirereader.tui.widgets.filterbar import FilterInput

    whole = '/ filter: words "a phrase" +person:X source:S since:6h'
    store = demo_store(db_path)

    def cut(shown: str) -> bool:
        """A hint cut inside a term or a quoted phrase."""
        terms = whole.split()
        return any(t not in terms and f"{t}:" not in terms for t in shown.split()) or bool(
            shown.count('"') % 2
        )

    async def go():
        app = make_app(store)
        async with app.run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            box = app.query_one(FilterInput)
            shown = box.render_line(0).text.strip()
            assert shown.startswith("/ filter") and not cut(shown), shown
            assert len(shown) < box.content_size.width
            await pilot.press("slash")  # with the cursor in it, the hint is still whole
            await settle(pilot)
            assert box.render_line(0).text.strip() == shown

    asyncio.run(go())
    store.close()


@pytest.mark.parametrize("width", [120, 60])
def test_a_long_last_error_in_the_feeds_pane_wraps_under_itself(db_path: Path, width: int) -> None:
    # It wrapped to the line's start, under the feed's name, where it read as the next feed.
    with Store(db_path) as store:
        failing_and_empty_feeds(store)

        async def go():
            app = make_app(store)
            async with app.run_test(size=(width, 40)) as pilot:
                screen = await _feeds_pane(pilot, app, 2)
                prompt = screen.query_one(OptionList).get_option_at_index(1).prompt
                assert isinstance(prompt, Text)
                first, *more = prompt.plain.split("\n")
                assert first.startswith("Town Notes") and "failing" in first and more
                # beside the status where there is room, else under the name, indented
                indent = first.index("http") if width == 120 else 2
                assert all(line.startswith(" " * indent) for line in more)
                assert all(not line[indent].isspace() for line in more)
                assert all(cell_len(line) <= min(110, width) - 6 for line in [first, *more])
                assert " ".join(line.strip() for line in [first, *more]).endswith(LONG_ERROR)

        asyncio.run(go())


def test_a_term_still_being_typed_is_a_quiet_hint_until_enter(db_path: Path) -> None:
    # 'person:' typed in the box (which filters as you type) showed a red problem chip before
    # the name could be typed.
    store = demo_store(db_path)
    wanted = Query(store, Filter(words=("ceasefire",))).count()
    assert 0 < wanted < Query(store).count()

    def chips(app) -> Text:
        content = app.query_one(FilterBar).query_one("#chips", Static).content
        assert isinstance(content, Text)
        return content

    def red(app) -> list[str]:
        text = chips(app)
        return [text.plain[s.start : s.end] for s in text.spans if s.style == PROBLEM_STYLE]

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"ceasefire -source:")
            await settle(pilot)
            assert app.problems == [] and red(app) == []
            assert "e.g. -source:bbc" in chips(app).plain
            assert app.timeline.total == wanted  # the word's filter, not the word 'source'
            await pilot.press("enter")  # Enter on the empty term says what is wrong
            await settle(pilot)
            problem = "'-source:': nothing after 'source:' (write source:bbc)"
            assert app.problems == [problem] and red(app) == [f" {problem} "]
            assert "e.g." not in chips(app).plain
            assert app.timeline.total == wanted
            # Typed again and left with Tab: unfinished, so a problem.
            await pilot.press("slash", "end", *(["backspace"] * 9), *"person:")
            await settle(pilot)
            assert app.state.text == "ceasefire person:"
            assert app.problems == [] and "e.g. person:Putin" in chips(app).plain
            await pilot.press("tab")
            await settle(pilot)
            assert app.problems == ["'person:': nothing after 'person:' (write person:Putin)"]
            # Nor can an OR's right-hand side be a problem before it is typed: "'OR' cannot
            # join 'person:'" showed at once.
            await pilot.press("slash", "end", *(["backspace"] * 7), *"OR person:")
            await settle(pilot)
            assert app.state.text == "ceasefire OR person:"
            assert app.problems == [] and red(app) == []
            assert "e.g. person:Putin" in chips(app).plain
            assert app.timeline.total == wanted
            await pilot.press("enter")
            await settle(pilot)
            assert app.problems[0] == "'OR' cannot join 'person:'"
            # An empty term before the cursor is not the one being typed.
            await pilot.press("slash", "end", *(["backspace"] * 30), *"since:", "home")
            await pilot.press(*"kyiv ")
            await settle(pilot)
            assert app.state.text == "kyiv since:"
            assert app.problems == ["'since:': nothing after 'since:' (write since:6h)"]

    asyncio.run(go())
    store.close()


def test_a_long_source_gives_way_to_titles_at_60_columns(db_path: Path, tmp_path: Path) -> None:
    # A 20-character file name imported as a source took a third of a 60-column list.
    when = datetime(2024, 3, 9, 7, 45, tzinfo=timezone.utc)
    title = "Harbour dredging starts after the long council dispute"
    with Store(db_path) as store:
        import_file(store, _notes(tmp_path / "harbour-town-gazette.jsonl", [("o1", title, when)]))
        import_file(store, _notes(tmp_path / "b.jsonl", [("o2", "Tram line reopens", when)]))

    async def go(size: tuple[int, int], store: Store) -> list[str]:
        app = make_app(store)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            return [line.rstrip() for line in timeline_lines(app) if line.strip()]

    with Store(db_path) as store:
        lines = asyncio.run(go((60, 20), store))
        wide = asyncio.run(go((90, 20), store))  # the list spans the screen under 100
    row = next(line for line in lines if "Harbour" in line)
    # The source cut with '…' to the entries table's 14 cells; the title keeps the rest.
    assert "harbour-town-… Harbour dredging starts after" in row
    assert " ● Mar 09 " + "b".ljust(14) + " Tram line reopens" in lines
    # A list of 70 cells or more still shows the whole name.
    assert any("harbour-town-gazette Harbour" in line for line in wide)


def test_a_two_megabyte_body_is_shown_in_part_and_says_how_to_read_the_rest(
    db_path: Path, tmp_path: Path
) -> None:
    """A feed item of 2 MB of text (the most a body keeps) was laid out whole by the reader:
    6-7 s of CPU in which no key answered, and again on leaving it. The reader now shows its
    first 200,000 characters, cut at a paragraph's end, and says how to read the whole."""
    from wirereader.tui.widgets.reader import READER_BODY_CHARS

    paragraph = "The council met again on Tuesday to hear the harbour report. " * 16
    feed = tmp_path / "long.rss"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Long</title>'
        "<item><guid>long-1</guid><title>The whole harbour report</title>"
        "<pubDate>Tue, 03 Mar 2026 09:00:00 +0000</pubDate><description><![CDATA["
        + "".join(f"<p>{n}. {paragraph}</p>" for n in range(2_200))
        + "]]></description></item></channel></rss>",
        encoding="utf-8",
    )
    with Store(db_path) as store:
        import_file(store, feed)
        entry_id, size = store.conn.execute(
            "SELECT e.id, length(wirereader_body(t.body)) FROM entries e"
            " JOIN entry_texts t ON t.entry_id = e.id"
        ).fetchone()
        assert size > 1_900_000

        async def go() -> str:
            app = make_app(store)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("i", "enter")
                await until(pilot, lambda: "harbour report" in reader_text(app), "the item")
                return reader_text(app)

        shown = asyncio.run(go())
    assert len(shown) < READER_BODY_CHARS + 2_000
    body_end = shown.index("… ")
    assert shown[:body_end].rstrip().endswith("harbour report.")  # a whole paragraph
    assert f"more characters not shown here: 'wirereader show {entry_id}' prints the whole" in shown


def test_a_quoted_name_being_typed_is_no_problem(db_path: Path) -> None:
    """`place:"North Korea` typed in the filter box, its closing quote still to come, was
    'place:' with nothing after it (a red chip while typing) and the words north and korea."""
    store = demo_store(db_path)

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *'place:"North Korea')
            await settle(pilot)
            assert app.state.text == 'place:"North Korea'
            assert app.problems == []
            assert app.filter.entities == (EntityRef("North Korea", "place"),)
            assert app.filter.words == ()
            await pilot.press('"', "enter")
            await settle(pilot)
            assert app.problems == []
            assert app.filter.entities == (EntityRef("North Korea", "place"),)

    asyncio.run(go())
    store.close()


def test_a_quote_forgotten_before_the_next_keyed_term_is_read_as_meant(db_path: Path) -> None:
    """`person:"Kim place:"North Korea"` (the quote after Kim forgotten) was 'person:' with
    nothing after it (a red chip once entered) and the word kim; the person's value ends where
    the place's term begins, and the chips say how the text was read."""
    store = demo_store(db_path)

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *'person:"Kim place:"North Korea"', "enter")
            await settle(pilot)
            assert app.problems == []
            assert app.filter.entities == (
                EntityRef("Kim", "person"),
                EntityRef("North Korea", "place"),
            )
            assert app.filter.words == ()
            chips = str(app.query_one(FilterBar).query_one("#chips", Static).content)
            assert 'read as person:"Kim" place:"North Korea"' in chips, chips

    asyncio.run(go())
    store.close()


def test_escape_in_a_side_pane_goes_back_to_the_timeline_as_the_help_says(
    db_path: Path,
) -> None:
    # The help said "Clear every filter" for esc, yet in a side pane the first esc went back
    # to the timeline and kept the filters (a user leaving a pane keeps what they picked
    # there): the help, built from the same table as the palette, now says so.
    from wirereader.tui.screens.help import help_text

    store = demo_store(db_path)
    total = Query(store).count()
    wanted = Query(store, Filter(words=("ceasefire",))).count()
    assert 0 < wanted < total

    async def go():
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            esc = [
                line
                for line in help_text(app.keymap_in_force).plain.splitlines()
                if line.split()[:1] == ["esc"]
            ]
            assert len(esc) == 1 and "back to the timeline first" in esc[0], esc
            for pane_key, pane_id in (("e", "entities"), ("T", "threads"), ("R", "reader")):
                await pilot.press("slash", *"ceasefire", "enter")
                await settle(pilot)
                assert app.state.text and app.timeline.total == wanted
                await pilot.press(pane_key)
                await settle(pilot)
                assert app.focused is not None and app.focused.id == pane_id
                await pilot.press("escape")
                await settle(pilot)
                assert app.focused is app.timeline
                assert app.state.text and app.timeline.total == wanted
                await pilot.press("escape")
                await settle(pilot)
                assert not app.state.active and app.timeline.total == total

    asyncio.run(go())
    store.close()


def test_keys_with_nothing_to_act_on_say_so(db_path: Path) -> None:
    """On an empty cache 'o' and 'y' said "this item has no link" (there was no item) and 'A'
    said "0 entries marked read"; 'A' on a view already read said the same. They now say
    there is no item, or no unread item; one item is "1 entry"."""
    Store(db_path).close()

    async def empty() -> list[str]:
        with Store(db_path) as store:
            app = make_app(store)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("o", "y", "A")
                await pilot.pause(0.2)
                return [str(n.message) for n in app._notifications]

    assert asyncio.run(empty()) == [
        "no item selected",
        "no item selected",
        "no unread items in this view",
    ]
    db_path.unlink()
    with demo_store(db_path) as store:
        unread = Query(store).count()

        async def demo() -> list[str]:
            app = make_app(store)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("A")
                await settle(pilot)
                await pilot.press("A")  # nothing left unread
                await settle(pilot)
                await pilot.press("m")  # the first row unread again: one to mark
                await settle(pilot)
                await pilot.press("A")
                await settle(pilot)
                return [str(n.message) for n in app._notifications]

        said = asyncio.run(demo())
    assert said == [
        f"{unread} entries marked read",
        "no unread items in this view",
        "marked unread",
        "1 entry marked read",
    ], said

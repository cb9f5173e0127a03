"""The wirereader app: entities & topics, threads, timeline and reader over the local cache.

The app only composes panes and routes messages; what to show comes from the query layer
(`Query`), reading state from `wirereader.store.reading`, pane counts from `query.panes` in a
worker thread with its own connection.
Outside text is only ever rendered as `Text`, never as markup.
"""

from __future__ import annotations

import gc
import importlib
import os
import sqlite3
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from textual import events, work
from textual.app import App, ComposeResult, ScreenStackError, SuspendNotSupported, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.markup import escape as escape_markup
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from wirereader.core.config import Config
from wirereader.core.timezones import zone_label
from wirereader.query.changes import NewItem, data_version, new_items, newest_entry_id, thread_title
from wirereader.query.detail import all_links, load_detail
from wirereader.query.filters import FilterState
from wirereader.query.panes import PaneData, gather, view_counts
from wirereader.query.reading import PendingMarks, next_unread
from wirereader.query.timeline import EntryRow, Filter, Query
from wirereader.store.db import CacheError, Store, describe_database_error
from wirereader.store.subscriptions import feed_count
from wirereader.tui.actions import ACTIONS, KNOWN_IDS, key_conflicts
from wirereader.tui.messages import (
    AlertRaised,
    ArticlesFailed,
    ArticlesFetched,
    CacheFailed,
    PanesGathered,
    ReadingStateSaved,
    RefreshFinished,
    RefreshProgressed,
    ViewCounted,
)
from wirereader.tui.widgets.entities import EntityList
from wirereader.tui.widgets.filterbar import FilterBar, FilterInput
from wirereader.tui.widgets.reader import Reader
from wirereader.tui.widgets.status import StatusLine
from wirereader.tui.widgets.threads import ThreadList
from wirereader.tui.widgets.timeline import Timeline
from wirereader.tui.widgets.topics import TopicList

if TYPE_CHECKING:
    from wirereader.ingest.refresh import Progress as RefreshProgress

T = TypeVar("T")

LAST_REFRESH_KEY = "reader.last_refresh"
ARTICLES_MODULE = "wirereader.store.articles"
TICK_SECONDS = 30  # how often the feeds' own intervals are checked
WATCH_SECONDS = 2.0  # how often the cache is checked for another process's writes
MARKS_NOW_MS = 100  # the first write of a star or read mark waits this long for the lock ...
MARKS_BUSY_MS = 1000  # ... the retries (in a thread) this long
MARKS_RETRY_SECONDS = 3.0  # ... this often, until it is written
COUNT_DELAY = 0.12  # seconds of calm before the view is counted (scrollbar, status)
PANES_DELAY = 0.25  # seconds of calm before the side panes are recounted
SHOWN_PROBLEMS = 3  # a refresh's problems shown as notices; the rest are counted and pointed to
PREVIEW_DELAY = 0.02  # the reader follows the cursor once it settles
PREVIEW_DELAY_TYPING = 0.3  # ... and waits longer while the filter is being typed


def _while_open(method: Callable[..., None]) -> Callable[..., None]:
    """For callbacks from timers and workers: once the app is closing its widgets are gone,
    and a late result has nowhere to go."""

    @wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except (NoMatches, ScreenStackError):
            closing = self._exit or self._closing or self._closed or not self.is_running
            if not closing:
                raise

    return guarded


def _bindings() -> list[BindingType]:
    return [
        Binding(a.keys, a.action, a.description, show=False, id=a.id) for a in ACTIONS if a.action
    ]


class WireReader(App[None]):
    """The reader. `store` is open on the cache; `config` gives topics, keys, theme and feeds."""

    CSS_PATH = "app.tcss"
    TITLE = "wirereader"
    BINDINGS: ClassVar[list[BindingType]] = _bindings()
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual's own declaration
        (0, "-narrow"),
        (100, "-wide"),
        (150, "-xwide"),
    ]

    def __init__(
        self,
        store: Store,
        config: Config | None = None,
        *,
        tz: tzinfo | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config or Config()
        self.tz = tz
        self.demo = demo
        self.state = FilterState()
        self.filter, self.problems = self.state.compose()
        self.typing_term = False  # the filter text's last term is still being typed
        self.pane_generation = 0
        self.keymap_in_force: dict[str, str] = {}
        self.refreshing = False
        self.articles_stop = threading.Event()  # set on exit: the article fetch stops at once
        self.refresh_stop = threading.Event()  # set on exit: the refresh stops waiting at once
        # Jobs waiting for a pause in typing (count, panes, preview), by name; see _when_calm.
        self._waiting: dict[str, Any] = {}
        self._typed_at = 0.0  # time.monotonic() of the last change to the filter's text
        self._background_conns: set[sqlite3.Connection] = set()
        self._interrupted_conns: set[sqlite3.Connection] = set()
        self._marks: dict[str, float] = {}
        self._painted = False  # the first frame is out (_first_paint)
        self._early_panes: PaneData | None = None  # read before it, drawn once it is out
        self._articles_loading = False
        # Reading state is written from a thread on a connection of its own (see PendingMarks).
        self.pending = PendingMarks()
        self._writer: Store | None = None
        self._saving = False
        self._save_failing = ""
        self._tell_saved = False  # a notice said "not saved yet": say when it is
        self.unsaved_error = ""  # set at exit when reading state could not be written at all
        self.fatal_error = ""  # the one line for an error that stopped the reader

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filterbar")
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                topics = TopicList(self.config.topics, id="topics")
                topics.border_title = "Topics"
                yield topics
                entities = EntityList(id="entities")
                entities.border_title = "Entities"
                yield entities
            with Vertical(id="centre"):
                threads = ThreadList(self.tz, id="threads")
                threads.border_title = "Threads"
                yield threads
                timeline = Timeline(self.tz, id="timeline")
                timeline.border_title = "Timeline"
                yield timeline
            reader = Reader(self.tz, id="reader")
            reader.border_title = "Reader"
            yield reader
        yield StatusLine(id="status")

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#timeline", Timeline)

    @property
    def reader(self) -> Reader:
        return self.query_one("#reader", Reader)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        if self.store.read_only:  # (the check guards writes: none can be made)
            self.notify(
                "The cache is on a read-only file system: it can be read, not written. What"
                " you read or star is not saved, and nothing is fetched.",
                title="Read-only",
                severity="warning",
                timeout=10,
                markup=False,
            )
        else:
            self._verify_cache()
        self._apply_config()
        self.query_one(FilterInput).on_text = self.filter_text_changed
        self.timeline.marks_over = self._marks_over
        self.status.last_refresh = self._last_refresh_text()
        self.status.zone = zone_label(self.tz)
        self.show_view(background=False)
        self.timeline.focus()
        # The side panes are read while the first frame is drawn (a few ms of SQLite in a
        # thread, which lets go of the GIL), so they are ready to draw once that frame is out:
        # read after it, they came 0.15-0.4 s later at 1M items (a connection opened, both
        # lists read beside the count worker). They are drawn only after the first frame.
        self.refresh_panes()
        # Counting starts once the first frame is out: it would compete with it for the CPU.
        self.call_after_refresh(self._first_paint)
        if not self.demo and not self.store.read_only and self._has_feeds():
            self.set_interval(TICK_SECONDS, self._tick)
        # Another process (`wirereader fetch` from cron, a second terminal) may write to the
        # cache while the app is open: its new items appear as if the app had fetched them.
        self._data_version, self._seen_max_id = self._cache_marks()
        self.set_interval(WATCH_SECONDS, self._watch_cache)

    @work(thread=True, group="verify")
    def _verify_cache(self) -> None:
        """The cache's quick check, off the UI thread (it reads every page): a damaged cache
        ends the reader with the one line naming doctor, before anything is written to it."""
        try:
            self.store.verify()
        except CacheError as exc:
            self.post_message(CacheFailed(str(exc)))

    @_while_open
    def on_cache_failed(self, message: CacheFailed) -> None:
        self.fatal_error = message.problem
        self.exit(return_code=1)

    def _cache_marks(self) -> tuple[int, int]:
        """(SQLite's data_version, the newest entry id): the first changes on any other
        connection's commit, so checking it costs one cheap pragma."""
        return data_version(self.store), newest_entry_id(self.store)

    def _watch_cache(self) -> None:
        if self.refreshing:
            return  # our own refresh reports what it brought when it is done
        version = data_version(self.store)
        if version == self._data_version:
            return
        self._data_version = version
        new_rows = new_items(self.store, self._seen_max_id)
        self._seen_max_id = max([self._seen_max_id, *(row[0] for row in new_rows)])
        if new_rows:
            self.show_view(keep=self.timeline.current)
            self.notify(self._landed(new_rows), title="New items", markup=False)

    def _apply_config(self) -> None:
        cfg = self.config
        for message in cfg.warnings[:3]:  # also on stderr, which the app's screen hides
            self.notify(message, severity="warning", timeout=8, markup=False)
        if cfg.theme:
            if cfg.theme in self.available_themes:
                self.theme = cfg.theme
            else:
                self.notify(
                    f"unknown theme {cfg.theme!r} in the config", severity="warning", markup=False
                )
        keymap: dict[str, str] = {}
        for binding_id, keys in cfg.keys.items():
            if binding_id in KNOWN_IDS:
                keymap[binding_id] = keys
            else:
                self.notify(
                    f"[keys] {binding_id}: no such action (see ? for the list)",
                    severity="warning",
                    markup=False,
                )
        if keymap:
            self.keymap_in_force = keymap
            self.set_keymap(keymap)
        for conflict in key_conflicts(keymap):
            self.notify(conflict, severity="warning", timeout=8, markup=False)

    def _first_paint(self) -> None:
        """The first frame (filter bar, timeline, reader, status) is on screen."""
        self._bench_mark("paint")
        # What exists now (modules, styles, widgets: a few hundred thousand objects) lives as
        # long as the app. Left to the garbage collector, each of its full collections walked
        # them all: 20-50 ms of the main thread at random moments, the slowest filter keystroke
        # of a typed word (measured at 1M items). Frozen, they are never walked again.
        gc.freeze()
        gc.enable()  # the command that started the reader turned it off for the start
        self._painted = True
        early, self._early_panes = self._early_panes, None
        if early is not None:
            self._fill_panes(early)
        self._start_count()

    def _bench_mark(self, what: str) -> None:
        """Startup benchmark hook: WIREREADER_PAINT_REPORT names a file that gets the time of
        the first paint and of the first filled panes; with WIREREADER_EXIT_AFTER_PAINT the app
        quits once both happened."""
        report = os.environ.get("WIREREADER_PAINT_REPORT")
        if not report or what in self._marks:
            return
        self._marks[what] = time.time()
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{what} {self._marks[what]:.6f} {time.process_time():.6f}\n")
        if len(self._marks) == 2 and os.environ.get("WIREREADER_EXIT_AFTER_PAINT"):
            self.exit()

    # -- filters -------------------------------------------------------------------------------

    def set_state(
        self, state: FilterState, *, keep_cursor: bool = False, typing: bool = False
    ) -> None:
        """`typing`: the filter box has the focus and the edit was at the end of its text, so
        a last term with nothing after its colon yet ('person:') is unfinished: a quiet hint,
        not a problem (Enter, or leaving the box, makes it one)."""
        self.state = state
        self.typing_term = typing
        before = self.filter
        self.filter, self.problems, hint = state.composed(typing=typing)
        if self.filter != before:  # e.g. the first two letters of a word change nothing
            self.show_view(keep=self.timeline.current if keep_cursor else None)
        self.query_one(FilterBar).show(state.chips(), self.problems, hint)
        self.query_one(TopicList).show_active(state.topic)

    def show_view(self, keep: EntryRow | None = None, *, background: bool = True) -> None:
        """Re-read the timeline for the current filter; counts and panes follow in workers."""
        self.pane_generation += 1
        self.timeline.empty_message = (
            "Nothing matches these filters. Press esc to clear them."
            if self.state.active
            else "The cache is empty. Add feeds with 'wirereader add URL', import files with "
            "'wirereader import FILE', or try 'wirereader demo'."
        )
        query = Query(self.store, self.filter)
        # The unfiltered view's size (and its unread) the writer keeps counted: exact at once.
        self.timeline.set_query(query, keep=keep, total=query.known_count())
        self.status.total = self.timeline.total
        self.status.exact = self.timeline.exact
        self.status.unread = None
        self.status.counting = True
        self.status.show()
        self._panes_counting(True)
        if not background:
            return
        # While the user types, counts and panes wait for a pause: their aggregates over the
        # whole view are the costly part, and a keystroke makes the previous ones stale.
        self._interrupt_background()
        self._cancel("fill")  # panes counted for an earlier view
        self._when_calm("count", COUNT_DELAY, self._start_count)
        self._when_calm("panes", PANES_DELAY, self.refresh_panes)

    def _when_calm(
        self, name: str, delay: float, job: Callable[[], None], *, calm: float | None = None
    ) -> None:
        """Run `job` in `delay` seconds, and not before the filter's text has been left alone
        for `calm` seconds (`delay` unless given): each key typed into the filter puts it off
        again, including keys that leave the filter as it was (a space, a word's first two
        letters) and so start no new view. A job of the same name still waiting is replaced.

        A refill of the side panes costs the main thread 7-10 ms at any size (16-19 ms before
        their prompts were measured by line count) and drawing them a few ms more: a key that
        landed meanwhile waited for it, which made the tail of the keystroke latency."""
        self._cancel(name)
        quiet = delay if calm is None else calm

        def due() -> None:
            wait = quiet - (time.monotonic() - self._typed_at)
            if wait > 0.001:
                self._waiting[name] = self.set_timer(wait, due)
                return
            self._waiting.pop(name, None)
            job()

        if delay > 0:
            self._waiting[name] = self.set_timer(delay, due)
        else:
            due()

    def _cancel(self, name: str) -> None:
        timer = self._waiting.pop(name, None)
        if timer is not None:
            timer.stop()

    def _start_count(self) -> None:
        self._count(self.filter, self.pane_generation)

    def on_timeline_count_wanted(self, _: Timeline.CountWanted) -> None:
        """`G` before the view was counted: count now rather than after the pause that waits
        for typing to stop (a count already running for this view posts its total too)."""
        self._cancel("count")
        self._start_count()

    def _interrupt_background(self) -> None:
        """Stop the SQL of counts that a newer filter made useless (sqlite3 interrupt)."""
        for conn in list(self._background_conns):
            self._interrupted_conns.add(conn)
            conn.interrupt()

    def action_search(self) -> None:
        field = self.query_one(FilterInput)
        field.value = self.state.text
        # At once, not via focus() (deferred): keys typed right after `/` are already queued
        # and must reach the input, not the app's bindings.
        self.screen.set_focus(field)

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and event.is_forwarded
            and event.is_printable
            and event.character
            and isinstance(field := self.focused, FilterInput)
        ):
            # Keys typed right after `/` (a fast typist, a paste, a script) were already queued
            # for the list when the input took the focus; they bubble back up here, and they
            # belong in the input, not to the app's single-letter bindings.
            event.stop()
            field.insert_text_at_cursor(event.character)
            return
        await super().on_event(event)

    def filter_text_changed(self, value: str, at_end: bool = False) -> None:
        self._typed_at = time.monotonic()
        typing = at_end and self.focused is self.query_one(FilterInput)
        if value != self.state.text or typing != self.typing_term:
            self.set_state(replace(self.state, text=value), typing=typing)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # A term left unfinished in the box (Tab, a click on the list) is then a problem.
        if self.typing_term and isinstance(event.widget, FilterInput):
            self.set_state(self.state)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter-input":
            text = self.state.text
            if text and not text[-1].isspace():
                # Enter finishes the last word: a short one ('EU', 'UN') now filters too, where
                # while it was being typed it waited for a third letter (query/filters.py).
                self.set_state(replace(self.state, text=text + " "))
            self._close_input()

    def on_filter_input_cancelled(self, _: FilterInput.Cancelled) -> None:
        if self.state.text:
            self.set_state(replace(self.state, text=""))
        self._close_input()

    def _close_input(self) -> None:
        self.timeline.focus()

    def action_clear_filters(self) -> None:
        focused = self.focused
        if focused is not None and focused.id in ("entities", "topics", "threads", "reader"):
            self.action_focus_timeline()
            return
        if self.state.active:
            self.set_state(FilterState())
            self.query_one(FilterInput).value = ""

    def action_remove_chip(self, key: str) -> None:
        self.set_state(self.state.without(key))
        if key == "text":
            self.query_one(FilterInput).value = ""

    def action_toggle_unread(self) -> None:
        self.set_state(replace(self.state, unread_only=not self.state.unread_only))

    def action_toggle_starred(self) -> None:
        self.set_state(replace(self.state, starred_only=not self.state.starred_only))

    def action_topic(self, number: int) -> None:
        names = list(self.config.topics)
        if not 1 <= number <= len(names):
            self.notify(
                f"no saved topic {number}: add topics under [topics] in the config",
                severity="warning",
                markup=False,  # "[topics]" is text, not a style
            )
            return
        self.apply_topic(names[number - 1])

    def apply_topic(self, name: str) -> None:
        if self.state.topic == name:  # the same topic again switches it off
            self.set_state(replace(self.state, topic="", topic_query=""))
        else:
            query = self.config.topics.get(name, "")
            self.set_state(replace(self.state, topic=name, topic_query=query))

    def on_topic_list_picked(self, event: TopicList.Picked) -> None:
        self.apply_topic(event.name)

    def on_entity_list_toggled(self, event: EntityList.Toggled) -> None:
        self.set_state(self.state.toggle_entity(event.ref, exclude=event.exclude))

    def on_thread_list_picked(self, event: ThreadList.Picked) -> None:
        if self.state.thread_id == event.thread.id:
            self.set_state(replace(self.state, thread_id=None, thread_title=""))
        else:
            state = replace(self.state, thread_id=event.thread.id, thread_title=event.thread.title)
            self.set_state(state)
        self.action_focus_timeline()

    # -- panes (worker thread, own connection) ---------------------------------------------------

    @_while_open  # also run from a timer, which may fire while the app closes
    def refresh_panes(self) -> None:
        self._panes_counting(True)
        self._gather_panes(self.filter, self.pane_generation)

    def _panes_counting(self, counting: bool) -> None:
        """Every count on screen is the view's own, or the status line says `counting…`: from
        the moment the view changes until the side panes' counts are drawn (at 1M items ~1 s
        for a word's view, several for the unread view) the panes show the last view's. The
        mark is in the status line, which says so for the view's own count already: a mark on
        the panes themselves repainted both on the first key typed after a pause (6-8 ms)."""
        if self.status.panes_counting != counting:
            self.status.panes_counting = counting
            self.status.show()

    @work(thread=True, exclusive=True, group="count")
    def _count(self, flt: Filter, generation: int) -> None:
        counts = self._background(lambda store: view_counts(store, flt, self.pending))
        if counts is not None:
            self.post_message(ViewCounted(*counts, generation))

    @_while_open
    def on_view_counted(self, message: ViewCounted) -> None:
        if message.generation == self.pane_generation:
            self.timeline.set_total(message.total)
            self.status.total, self.status.exact = message.total, True
            self.status.unread, self.status.counting = message.unread, False
            self.status.show()

    @work(thread=True, exclusive=True, group="panes")
    def _gather_panes(self, flt: Filter, generation: int) -> None:
        data = self._background(lambda store: gather(store, flt, generation))
        if data is not None:
            self.post_message(PanesGathered(data))

    def _background(self, job: Callable[[Store], T]) -> T | None:
        """Run `job(store)` on a connection of its own (in a worker thread); None when a newer
        filter interrupted it."""
        with Store(self.store.path) as store:
            self._background_conns.add(store.conn)
            try:
                return job(store)
            except sqlite3.OperationalError:
                # An interrupt does not always say so: caught while FTS5 opens its table, it
                # surfaces as "vtable constructor failed". Any error after one is the interrupt.
                if store.conn in self._interrupted_conns:
                    return None
                raise
            finally:
                self._background_conns.discard(store.conn)
                self._interrupted_conns.discard(store.conn)

    @_while_open
    def on_panes_gathered(self, message: PanesGathered) -> None:
        if message.data.generation != self.pane_generation:
            return  # a newer filter is already being counted
        if not self._painted:
            self._early_panes = message.data  # drawn with the first frame out (_first_paint)
            return
        # Counted while keys were still arriving (ones that left the filter as it was): drawn
        # once the typing pauses, so that no key waits for them.
        self._when_calm("fill", 0, partial(self._fill_panes, message.data), calm=PANES_DELAY)

    @_while_open
    def _fill_panes(self, data: PaneData) -> None:
        if data.generation != self.pane_generation:
            return
        states = {ref: "+" for ref in self.state.entities}
        states.update({ref: "-" for ref in self.state.excluded})
        self.query_one(EntityList).show_counts(data.entities, states)
        self.query_one(ThreadList).show_threads(data.threads, self.state.thread_id)
        self._panes_counting(False)
        self.call_after_refresh(self._bench_mark, "panes")

    # -- timeline and reader ---------------------------------------------------------------------

    def on_timeline_highlighted(self, event: Timeline.Highlighted) -> None:
        row = event.row
        self._cancel("preview")
        if row is None:
            self.reader.show(None)
            return
        # Holding j down moves many rows: show only the row the cursor settles on.
        typing = isinstance(self.focused, FilterInput)
        delay = PREVIEW_DELAY_TYPING if typing else PREVIEW_DELAY
        self._when_calm("preview", delay, partial(self._show, row.id))

    @_while_open
    def _show(self, entry_id: int) -> None:
        # The article layer pulls in the HTML extraction stack (trafilatura, lxml: a second or
        # more of imports). It loads in a worker; until then the reader shows the feed text and
        # the keys stay live.
        ready = ARTICLES_MODULE in sys.modules
        self.reader.show(load_detail(self.store, entry_id, articles=ready))
        if not ready and not self._articles_loading:
            self._articles_loading = True
            self._load_articles_layer()

    @work(thread=True, group="articles-import")
    def _load_articles_layer(self) -> None:
        importlib.import_module(ARTICLES_MODULE)  # slow (trafilatura): off the UI thread
        gc.freeze()  # its modules live as long as the app too (see _first_paint)
        self.post_message(ArticlesFetched())

    def on_timeline_opened(self, event: Timeline.Opened) -> None:
        if not self.pending.is_read(self.store, event.row.id):
            self.pending.set_read(event.row.id, True)
            self.timeline.mark_rows({event.row.id}, read=True)
            self._save_marks()
        self._show(event.row.id)
        if self.screen.has_class("-narrow"):
            self.reader.focus()

    def _after_state_change(self) -> None:
        self.refresh_panes()
        self._start_count()  # the unread count

    def _current(self) -> EntryRow | None:
        row = self.timeline.current
        if row is None:
            self.notify("no item selected", severity="warning")
        return row

    def action_star(self) -> None:
        row = self._current()
        if row is None:
            return
        starred = not self.pending.is_starred(self.store, row.id)
        self.pending.set_starred(row.id, starred)
        self.timeline.mark_rows({row.id}, starred=starred)
        saved = self.save_reading_state()
        self._show(row.id)
        self._tell_mark("starred" if starred else "unstarred", saved)

    def action_toggle_read(self) -> None:
        row = self._current()
        if row is None:
            return
        now_read = not self.pending.is_read(self.store, row.id)
        self.pending.set_read(row.id, now_read)
        self.timeline.mark_rows({row.id}, read=now_read)
        saved = self._save_marks()
        self._show(row.id)
        self._tell_mark("marked read" if now_read else "marked unread", saved)

    def action_mark_all_read(self) -> None:
        changed = self.pending.unread_count(self.store, self.filter)
        if not changed:  # (it said "0 entries marked read")
            self.notify("no unread items in this view", timeout=2)
            return
        self.pending.mark_all_read(self.filter)
        self.timeline.mark_rows(None, read=True)
        items = f"{changed:,} {'entry' if changed == 1 else 'entries'}"
        self._tell_mark(f"{items} marked read", self._save_marks(), timeout=None)

    def _tell_mark(self, done: str, saved: bool, timeout: float | None = 1.5) -> None:
        """The notice of a mark the user made ('s', 'm', 'A'): it says the mark is saved only
        once the write has landed (`saved`), and otherwise why not yet."""
        if self.store.read_only:  # kept for this session only
            self.notify(
                f"{done} here, not saved: the cache is on a read-only file system",
                severity="warning",
                markup=False,
            )
        elif saved:
            if timeout is None:
                self.notify(done, markup=False)
            else:
                self.notify(done, timeout=timeout, markup=False)
        elif self._save_failing:  # (a full disk, a lock held): shown, written on a retry
            self.notify(
                f"{done}, not saved yet: kept, and saved once the cache can be written",
                severity="warning",
                markup=False,
            )
        else:  # the first write waits for the cache's start-up check (seconds on a big
            # cache), or for the write already under way: "reading state saved" follows
            self._tell_saved = True
            why = (
                "saved once the cache's start-up check has passed"
                if not self.store.verified
                else "saved once the write under way has ended"
            )
            self.notify(f"{done}, not saved yet: {why}", markup=False)

    # -- writing reading state -------------------------------------------------------------------

    def save_reading_state(self) -> bool:
        """Write what the user marked; a failure is a notice and a retry, never a crash.
        True when everything marked is in the file on return.

        The first try is made at once, waiting at most MARKS_NOW_MS for the lock (so another
        process sees the star the moment it is pressed); while writes fail, and before the
        cache's start-up check has passed, the tries run in a thread with a longer wait, so
        the screen never freezes.
        """
        if self._saving or not len(self.pending) or self.store.read_only:
            return not len(self.pending)  # (read-only: said once when the reader opened)
        if self.store.verified and not self._save_failing:
            try:
                self.pending.flush(self._mark_writer(MARKS_NOW_MS))
                error = ""
            except (sqlite3.Error, CacheError, OSError) as exc:
                error = self._write_problem(exc)
            self._saved(error)
            return not error and not len(self.pending)
        self._saving = True
        self._save_worker()
        return False

    def _save_marks(self) -> bool:
        """A mark the user just made written, or (not written yet) counted as shown: the
        status line's unread count is the file's with the marks waiting over it."""
        if self.save_reading_state():
            return True
        self._start_count()
        return False

    def _marks_over(self, store: Store, rows: list[EntryRow]) -> None:
        """Rows just read from the file, shown with the reading state still waiting to be
        saved (a view left and come back to while the disk is full)."""
        if not len(self.pending):
            return
        read, starred = self.pending.decided(store, [row.id for row in rows])
        for row in rows:
            row.read = read.get(row.id, row.read)
            row.starred = starred.get(row.id, row.starred)

    def _mark_writer(self, busy_ms: int) -> Store:
        """The connection reading state is written on (not the one the screen reads on)."""
        if self._writer is None:
            self._writer = self.store.another()
        self._writer.verified = self._writer.verified or self.store.verified
        self._writer.set_busy_timeout(busy_ms)
        return self._writer

    @work(thread=True, group="reading-state")
    def _save_worker(self) -> None:
        error = ""
        try:
            self.pending.flush(self._mark_writer(MARKS_BUSY_MS))
        except (sqlite3.Error, CacheError, OSError) as exc:
            error = self._write_problem(exc)
        self.post_message(ReadingStateSaved(error))

    def _write_problem(self, exc: BaseException) -> str:
        if isinstance(exc, sqlite3.Error):
            return describe_database_error(self.store.path, exc)
        if isinstance(exc, OSError):
            return f"{self.store.path}: {exc.strerror or exc}"
        return str(exc)

    @_while_open
    def on_reading_state_saved(self, message: ReadingStateSaved) -> None:
        self._saved(message.error)

    def _saved(self, error: str) -> None:
        """A write of reading state ended (`error` empty when it succeeded)."""
        self._saving = False
        if error:
            if error != self._save_failing:
                self.notify(
                    f"not saved yet, retrying: {error}",
                    title="Reading state",
                    severity="warning",
                    timeout=6,
                    markup=False,
                )
            self._save_failing = error
            self.set_timer(MARKS_RETRY_SECONDS, self.save_reading_state)
            return
        if len(self.pending):  # marks made while this write ran: "saved" once they are too
            self._after_state_change()
            self.save_reading_state()
            return
        if self._save_failing or self._tell_saved:
            self.notify("reading state saved", timeout=2)
            self._save_failing = ""
            self._tell_saved = False
        self._after_state_change()

    def _final_save(self) -> None:
        """At exit: one last write with the full busy timeout; what still fails is reported."""
        if not len(self.pending) or self.store.read_only:
            return
        try:
            with self.store.another() as store:
                self.pending.flush(store)
        except (sqlite3.Error, CacheError, OSError) as exc:
            self.unsaved_error = (
                f"{len(self.pending)} reading-state changes not saved: {self._write_problem(exc)}"
            )

    def action_next_unread(self) -> None:
        row = self.timeline.current
        after = (row.published_at, row.id) if row is not None else None
        target = next_unread(self.store, self.filter, after)
        if target is None:
            self.notify("no unread items in this view", timeout=2)
            return
        query = self.timeline.query_obj
        assert query is not None
        self.timeline.move_to(query.position((target.published_at, target.id)))
        self.timeline.action_open()

    def _link(self) -> str:
        row = self.timeline.current
        if row is None:
            return ""
        if row.url:
            return row.url
        detail = load_detail(self.store, row.id)
        links = all_links(detail) if detail is not None else []
        return links[0][1] if links else ""

    def action_open_link(self) -> None:
        if self._current() is not None:  # (none: "no item selected", not "no link")
            self.open_web_link(self._link())

    def open_web_link(self, url: str) -> None:
        if not url:
            self.notify("this item has no link", severity="warning")
            return
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            # Only web links: never file://, javascript: or anything a handler might run.
            self.notify("only http and https links are opened", severity="warning")
            return
        self.open_url(url)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open the link in the browser `webbrowser` finds. With no desktop (over ssh, on a
        console) that is a terminal browser (lynx, w3m, links) running in the foreground in
        this very terminal: Textual's own open_url ran it from the UI thread under the live
        screen, which froze while both read the keyboard. The reader now hands the terminal
        over until that browser exits, as mail and news readers do."""
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            self.notify(
                "no web browser found (set $BROWSER); y copies the link", severity="warning"
            )
            return
        terminal = isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
            browser, webbrowser.BackgroundBrowser
        )
        if not terminal:  # a desktop browser, started in the background
            opened = browser.open(url, new=2 if new_tab else 0)
        else:
            try:
                with self.suspend():
                    opened = browser.open(url)
            except SuspendNotSupported:
                self.notify("cannot hand the terminal to a browser here; y copies the link")
                return
        if opened:
            self.notify("opened in the browser", timeout=1.5)
        else:
            self.notify("the browser could not open the link; y copies it", severity="warning")

    def action_copy_link(self) -> None:
        if self._current() is None:
            return
        url = self._link()
        if not url:
            self.notify("this item has no link", severity="warning")
            return
        self.copy_to_clipboard(url)
        self.notify("link copied", timeout=1.5)

    # -- focus -----------------------------------------------------------------------------------

    def _focus_pane(self, widget: Widget, reveal: str = "") -> None:
        self.screen.remove_class("-show-side", "-show-threads")
        if reveal:
            self.screen.add_class(reveal)
        self.call_after_refresh(widget.focus)

    def action_focus_next(self) -> None:
        """Tab goes from pane to pane, past the filter, which `/` opens: tabbing into it, the
        pane keys typed next became filter text ('jj' matched nothing, the list emptied)."""
        self.screen.focus_next()
        if isinstance(self.focused, FilterInput):
            self.screen.focus_next()

    def action_focus_previous(self) -> None:
        self.screen.focus_previous()
        if isinstance(self.focused, FilterInput):
            self.screen.focus_previous()

    def action_focus_entities(self) -> None:
        self._focus_pane(self.query_one(EntityList), "-show-side")

    def action_focus_topics(self) -> None:
        self._focus_pane(self.query_one(TopicList), "-show-side")

    def action_focus_threads(self) -> None:
        self._focus_pane(self.query_one(ThreadList), "-show-threads")

    def action_focus_timeline(self) -> None:
        self._focus_pane(self.timeline)

    def action_focus_reader(self) -> None:
        self._focus_pane(self.reader)

    def action_show_feeds(self) -> None:
        from wirereader.tui.screens.feeds import FeedsScreen

        self.push_screen(FeedsScreen(self.store, self.pending), self._feed_chosen)

    def _feed_chosen(self, name: str | None) -> None:
        """Enter in the feeds pane: the timeline shows that feed's items (a source: filter,
        shown as a chip like any other and removed the same way)."""
        if not name:
            return
        text = 'source:"{}"'.format(name.replace('"', " "))
        self.set_state(replace(self.state, text=text))
        self.query_one(FilterInput).value = text
        self.timeline.focus()

    def action_help(self) -> None:
        from wirereader.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.keymap_in_force))

    # -- live refresh ----------------------------------------------------------------------------

    def _has_feeds(self) -> bool:
        return bool(self.config.feeds) or feed_count(self.store) > 0

    def _tick(self) -> None:
        """Background refresh: only the feeds whose own interval has come (due_only)."""
        if not self.refreshing:
            self.start_refresh(due_only=True)

    def action_refresh(self) -> None:
        if self.refreshing:
            self.notify("a refresh is already running", timeout=2)
            return
        if self.demo or not self._has_feeds():
            self.notify("no feeds to refresh: add some with 'wirereader add URL'", timeout=3)
            return
        if self.store.read_only:
            self.notify(
                "the cache is on a read-only file system: nothing can be fetched", timeout=3
            )
            return
        self.start_refresh(due_only=False)

    def start_refresh(self, *, due_only: bool) -> None:
        self.refreshing = True
        if not due_only:
            self.status.activity = "refreshing…"
            self.status.show()
        self._refresh_worker(due_only)

    @work(thread=True, exclusive=True, group="refresh")
    def _refresh_worker(self, due_only: bool) -> None:
        errors: list[str] = []
        new_rows: list[NewItem] = []
        try:
            from wirereader.ingest.refresh import problem_lines, refresh

            # Its own connection: the refresh writes from this thread while the UI reads.
            with self.store.another() as store:
                before = newest_entry_id(store)
                report = refresh(
                    store,
                    self.config,
                    progress=self._progress,
                    due_only=due_only,
                    stop=self.refresh_stop,
                )
                if self.refresh_stop.is_set():
                    return  # closing: what arrived is saved, the rest is for the next run
                # A full disk is one line of the cache, not one a feed (as `fetch` says it).
                told: set[str] = set()
                errors = [
                    line for r in report.failures for line in problem_lines(r, store.path, told)
                ]
                errors += list(report.warnings)
                new_rows = new_items(store, before)
                if report.results or not due_only:
                    store.set_meta(LAST_REFRESH_KEY, str(int(time.time())))
                errors += self._alert([row[0] for row in new_rows], store)
        except Exception as exc:  # a refresh must never take the app down
            # (the cache named, as for a read mark: it said "database or disk is full")
            errors.append(f"refresh failed: {self._write_problem(exc)}")
        self.post_message(RefreshFinished(new_rows, errors))

    def _alert(self, new_ids: list[int], store: Store) -> list[str]:
        """Saved topics with `alert`: a desktop notification, else the bell and a toast here;
        `alert_command`s run. In the refresh worker thread; returns problems to show."""
        if not self.config.alerts or not new_ids:
            return []
        from wirereader.query.alerts import Notifier, check_alerts

        def in_the_app(summary: str, body: str) -> None:
            self.post_message(AlertRaised(summary, body))

        return check_alerts(store, self.config, new_ids, Notifier(in_the_app)).warnings

    @_while_open
    def on_alert_raised(self, message: AlertRaised) -> None:
        self.bell()
        self.notify(message.body, title=message.summary, timeout=10, markup=False)

    def _progress(self, progress: RefreshProgress) -> None:
        """Called in the worker after each feed: shown in the status line."""
        if progress.total:
            self.post_message(RefreshProgressed(progress.done, progress.total, progress.analysing))

    @_while_open
    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self.status.activity = (
            f"analysing {message.analysing} new entr{'y' if message.analysing == 1 else 'ies'}…"
            if message.analysing
            else f"refreshing {message.done}/{message.total} feeds…"
        )
        self.status.show()

    @_while_open
    def on_refresh_finished(self, message: RefreshFinished) -> None:
        new_rows, errors = message.new_items, message.errors
        self.refreshing = False
        self.status.activity = ""
        self.status.errors = len(errors)
        self.status.last_refresh = self._last_refresh_text()
        self.status.show()
        for problem in errors[:SHOWN_PROBLEMS]:
            self.notify(problem, severity="error", timeout=6, markup=False)
        if len(errors) > SHOWN_PROBLEMS:
            # The rest are counted in the status line: say where they are ('F': every feed
            # with its last error), or 200 failing feeds showed three and a number.
            more = len(errors) - SHOWN_PROBLEMS
            self.notify(
                f"{more:,} more problem{'s' if more != 1 else ''} not shown:"
                " press F for every feed and its last error",
                severity="error",
                timeout=10,
                markup=False,
            )
        if new_rows:
            # New items land above: the cursor stays on the item being read.
            self.show_view(keep=self.timeline.current)
            self.notify(self._landed(new_rows), title="New items", markup=False)
        self._data_version, self._seen_max_id = self._cache_marks()  # already announced
        # A run still going goes on: restarting it would only mark it cancelled (a thread cannot
        # be stopped) and start a second fetcher beside it.
        if not any(
            worker.group == "articles" and not worker.is_finished for worker in self.workers
        ):
            self._articles_worker()

    # -- offline articles ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="articles")
    def _articles_worker(self) -> None:
        """After the feeds, the full text of their teaser items, in the background: never holds
        up the refresh or a key; failures wait in the cache for their retry time."""
        try:
            from wirereader.ingest.articles import fetch_articles, subscribed_sources

            with self.store.another() as store:
                sources = subscribed_sources(store)
                if not sources:
                    return
                report = fetch_articles(
                    store, self.config, source_ids=sources, stop=self.articles_stop
                )
        except (sqlite3.Error, CacheError) as exc:  # the cache: say which, and why
            if not self.articles_stop.is_set():
                problem = self._write_problem(exc)
                self.post_message(ArticlesFailed(f"articles not fetched: {problem}"))
            return
        except Exception as exc:  # offline copies are a bonus: never take the app down
            if not self.articles_stop.is_set():
                self.post_message(ArticlesFailed(f"articles: {exc}"))
            return
        if report.fetched and not self.articles_stop.is_set():
            self.post_message(ArticlesFetched())

    def on_articles_failed(self, message: ArticlesFailed) -> None:
        self.notify(message.problem, severity="warning", timeout=4, markup=False)

    @_while_open
    def on_articles_fetched(self, _: ArticlesFetched) -> None:
        """New full texts: the item being read may now have its article."""
        current = self.timeline.current
        if current is not None:
            self._show(current.id)

    # -- errors ----------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing handled stops the reader with one line (printed by the CLI after the
        terminal is restored), not Textual's traceback with its local variables, which may hold
        text from the cache. WIREREADER_DEBUG=1 keeps the traceback."""
        if isinstance(error, sqlite3.Error | CacheError | OSError):
            self.fatal_error = self._write_problem(error)
        else:
            self.fatal_error = f"the reader stopped on an internal error: {type(error).__name__}"
            self.fatal_error += f": {error}" if str(error) else ""
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        if os.environ.get("WIREREADER_DEBUG"):
            super()._fatal_error()
            return
        self.bell()
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        # Thread workers run in asyncio's default executor, which the interpreter joins at
        # exit: a refresh still waiting on a stalled server held the closed reader for a minute.
        self.refresh_stop.set()
        self.articles_stop.set()
        self._final_save()
        if self._writer is not None:
            self._writer.close()

    def _landed(self, new_rows: list[NewItem]) -> str:
        per_thread: dict[int | None, int] = {}
        for _, thread in new_rows:
            per_thread[thread] = per_thread.get(thread, 0) + 1
        parts = []
        titled = sorted(((n, t) for t, n in per_thread.items() if t is not None), reverse=True)
        for count, thread in titled[:3]:
            title = thread_title(self.store, thread) or f"thread {thread}"
            parts.append(f"{count} in “{title[:50]}”")
        if len(titled) > 3:
            parts.append(f"{sum(n for n, _ in titled[3:])} in {len(titled) - 3} more threads")
        if per_thread.get(None):
            parts.append(f"{per_thread[None]} outside threads")
        total = len(new_rows)
        return f"{total} new item{'s' if total != 1 else ''}: " + ", ".join(parts)

    def _last_refresh_text(self) -> str:
        value = self.store.get_meta(LAST_REFRESH_KEY)
        if not value.isdigit():
            return ""
        moment = datetime.fromtimestamp(int(value), self.tz).astimezone(self.tz)
        return moment.strftime("%b %d %H:%M")

    # -- command palette -------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            if action.palette and action.action:
                yield SystemCommand(
                    action.description,
                    f"key: {self.keymap_in_force.get(action.id, action.keys)}",
                    partial(self.run_action, action.action),
                )
        # The palette parses its titles as markup: everything from outside is escaped.
        for number, (name, query) in enumerate(self.config.topics.items(), 1):
            yield SystemCommand(
                f"Topic: {escape_markup(name)}",
                escape_markup(f"{query}  (key {number})" if number <= 9 else query),
                partial(self.apply_topic, name),
            )
        for number, (title, url) in enumerate(self.reader.links, 1):
            yield SystemCommand(
                f"Open link {number}: {escape_markup(title[:60] or url[:60])}",
                escape_markup(url[:200]),
                partial(self.open_web_link, url),
            )

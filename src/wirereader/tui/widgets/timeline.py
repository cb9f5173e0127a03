"""The timeline: every item of the view, newest first, rendered on demand.

A Line API widget (a `ScrollView`, as Toolong renders huge logs): only the visible lines are
rendered, and rows come from the cache in pages of `PAGE` (keyset pagination from the previous
page, OFFSET only for a jump far ahead), with at most `MAX_PAGES` kept, so 100,000 items cost
what 100 cost. Titles are untrusted: they become `rich.text.Text`, never markup.
"""

from __future__ import annotations

import textwrap
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from wirereader.core.text import strip_controls
from wirereader.query.changes import data_version
from wirereader.query.timeline import (
    EntryRow,
    Filter,
    Query,
    attach_badges,
    narrows,
    thread_sizes,
)
from wirereader.tui.widgets.cells import fit

if TYPE_CHECKING:
    from collections.abc import Callable

    from wirereader.store.db import Store

PAGE = 100
MAX_PAGES = 40
FIRST_PAGES_KEPT = 32  # filters whose first page's keys are remembered (a few KB each)
STRIPS_KEPT = 400  # rows' rendered lines kept (a few screens' worth, ~1 KB each)

KIND_LABELS = {
    "post": "",
    "article": "article",
    "summary": "summary",
    "breaking": "BREAKING",
    "analysis": "analysis",
    "video": "video",
    "gallery": "gallery",
    "map": "map",
    "recap": "recap",
    "reminder": "reminder",
}


class Timeline(ScrollView, can_focus=True):
    """The list of items; the cursor row is the one the reader shows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="up"),
        Binding("g,home", "first", "First", show=False, id="first"),
        Binding("G,end", "last", "Last", show=False, id="last"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="page_up"),
        Binding("enter,l", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--cursor",
        "timeline--unread",
        "timeline--read",
        "timeline--time",
        "timeline--source",
        "timeline--kind",
        "timeline--breaking",
        "timeline--badge",
        "timeline--star",
        "timeline--dot",
        "timeline--empty",
    }

    DEFAULT_CSS = """
    Timeline {
        overflow-x: hidden;
        overflow-y: scroll;
        & > .timeline--cursor { background: $block-cursor-blurred-background; }
        &:focus > .timeline--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
        }
        & > .timeline--unread { text-style: bold; }
        & > .timeline--read { color: $text-muted; }
        & > .timeline--time { color: $text-muted; }
        & > .timeline--source { color: $secondary; }
        & > .timeline--kind { color: $accent; }
        & > .timeline--breaking { color: $error; text-style: bold; }
        & > .timeline--badge { color: $text-muted; }
        & > .timeline--star { color: $warning; }
        & > .timeline--dot { color: $accent; }
        & > .timeline--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, init=False, always_update=True)

    class Highlighted(Message):
        """The cursor moved onto a row (or the list became empty: row None)."""

        def __init__(self, row: EntryRow | None) -> None:
            self.row = row
            super().__init__()

    class Opened(Message):
        def __init__(self, row: EntryRow) -> None:
            self.row = row
            super().__init__()

    class CountWanted(Message):
        """The view's exact size is wanted now (`G` before the count arrived): the app counts
        it in a worker and the cursor goes to the last row when `set_total` gets it."""

    def __init__(self, tz: tzinfo | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.query_obj: Query | None = None
        self.total = 0
        self.exact = True  # False while the view's size is an estimate
        self._pages: OrderedDict[int, list[EntryRow]] = OrderedDict()
        self._thread_sizes: dict[int, int] = {}
        self.empty_message = "Nothing here yet."
        # The columns fit the rows in view: computed once per frame, not once per line.
        self._columns_key: tuple[int, ...] = ()
        self._columns = Columns(source=8, time=5, today=None)
        self._loads = 0  # bumped whenever rows are (re)read, so the columns are measured again
        # Set by the app: marks rows just read with reading state not saved yet.
        self.marks_over: Callable[[Store, list[EntryRow]], None] | None = None
        self._last_wanted = False  # `G` waits for the count: the cursor goes last when it lands
        self._first_pages: OrderedDict[
            tuple[Filter, int, int], tuple[list[tuple[int, int]], bool, float | None]
        ]
        self._first_pages = OrderedDict()
        self._strips: OrderedDict[tuple[object, ...], Strip] = OrderedDict()

    # -- data ---------------------------------------------------------------------------------

    def set_query(
        self, query: Query, *, keep: EntryRow | None = None, total: int | None = None
    ) -> None:
        """Show a new view. With `keep`, the cursor stays on that item (and on the same screen
        line), so new items landing above it do not move what the user is reading.

        Only the first page is read here; unless it is the whole view (or `total` is given) the
        count is left to `set_total` from a worker, so a keystroke in the filter costs one
        page query, not a count over 100,000 rows.
        """
        screen_line = self.cursor - round(self.scroll_y)
        previous = self.query_obj
        if previous is not None and narrows(query.filter, previous.filter):
            # A narrower filter matches at most as often as the last one: if that one's walk
            # over the newest rows came back short, this one's would too; if it held part of a
            # page, this one's window is sized from that share.
            query.sparse = previous.sparse
            query.expected_share = previous.share
        self.query_obj = query
        self._last_wanted = False
        self._pages.clear()
        first = self._load(0)
        if total is not None:
            self.total, self.exact = total, True
        elif len(first) < PAGE:
            self.total, self.exact = len(first), True
        else:
            self.total, self.exact = PAGE * 2, False  # until the count arrives
        index = 0
        if keep is not None and self.total:
            index = query.position((keep.published_at, keep.id))
            if index >= self.total and not self.exact:
                # Deeper than the first pages: the view is at least this long. Its exact size
                # comes from the app's count worker (counting here held the screen for 0.3 s
                # at 1M items).
                self.total = index + PAGE
            index = min(index, self.total - 1)
        self._set_height(self.total)
        self.set_reactive(Timeline.cursor, index)
        if keep is not None:
            self.scroll_to(y=max(0, index - max(0, screen_line)), animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.row(index) if self.total else None))

    def set_total(self, total: int) -> None:
        """The exact size of the view, counted in the background."""
        self.total, self.exact = total, True
        self._set_height(total)
        if self._last_wanted:
            self.move_to(total - 1)
        elif self.cursor >= total and total:
            self.cursor = total - 1
        self.refresh()

    def _set_height(self, rows: int) -> None:
        size = Size(self.scrollable_content_region.width, rows)
        if size != self.virtual_size:
            # No layout pass: the vertical scrollbar is always shown (overflow-y: scroll), so a
            # new row count changes nothing but the scrollbar; a layout would cost a full
            # reflow of the screen on every keystroke in the filter.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)

    def invalidate(self) -> None:
        """Re-read the visible rows from the cache."""
        self._pages.clear()
        self._first_pages.clear()
        self.refresh()

    def mark_rows(
        self, ids: set[int] | None, *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Reading state changed: update the rows in place (ids None: every loaded row).

        The view is not re-queried, so an item just read stays where it is in an unread-only
        view instead of vanishing under the cursor; it leaves at the next change of filter.
        """
        for page in self._pages.values():
            for row in page:
                if ids is None or row.id in ids:
                    if read is not None:
                        row.read = read
                    if starred is not None:
                        row.starred = starred
        self.refresh()

    def row(self, index: int) -> EntryRow | None:
        if self.query_obj is None or not 0 <= index < self.total:
            return None
        number, offset = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self._load(number)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _load(self, number: int) -> list[EntryRow]:
        assert self.query_obj is not None
        previous = self._pages.get(number - 1)
        # Keys first (from an index when the filter is a set of ids), then only the page's rows.
        if previous and len(previous) == PAGE:
            last = previous[-1]
            keys = self.query_obj.page_keys(PAGE, (last.published_at, last.id))
        elif number == 0:
            keys = self._first_page_keys()
        else:
            total = self.total if self.exact else None
            keys = self.query_obj.page_keys(PAGE, offset=number * PAGE, total=total)
        rows = self.query_obj.rows(keys, bodies=False)
        store = self.query_obj.store
        attach_badges(store, rows)
        if self.marks_over is not None:
            self.marks_over(store, rows)
        threads = {r.thread for r in rows if r.thread is not None} - set(self._thread_sizes)
        if threads:
            self._thread_sizes.update(thread_sizes(store, threads))
        self._pages[number] = rows
        self._loads += 1
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _first_page_keys(self) -> list[tuple[int, int]]:
        """The first page's keys, remembered for the last few filters while the cache does not
        change: a filter typed and then taken back (backspace, a chip removed and put back)
        shows again without its query. Any commit on another connection moves
        `data_version`, one on this connection `total_changes`; either forgets them."""
        query = self.query_obj
        assert query is not None
        key = (query.filter, data_version(query.store), query.store.conn.total_changes)
        known = self._first_pages.get(key)
        if known is not None:
            self._first_pages.move_to_end(key)
            keys, query.sparse, query.share = known
            return keys
        keys = query.page_keys(PAGE)
        self._first_pages[key] = (keys, query.sparse, query.share)
        while len(self._first_pages) > FIRST_PAGES_KEPT:
            self._first_pages.popitem(last=False)
        return keys

    @property
    def current(self) -> EntryRow | None:
        return self.row(self.cursor)

    # -- rendering ----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        base = self.rich_style
        if self.total == 0:
            lines = textwrap.wrap(self.empty_message, max(10, width - 4))
            if 1 <= y <= len(lines):
                style = self.get_component_rich_style("timeline--empty")
                text = Text("  " + lines[y - 1], style=style, no_wrap=True)
                return self._strip(text, width, base)
            return Strip.blank(width, base)
        row = self.row(index)
        if row is None:
            return Strip.blank(width, base)
        strip = self._row_strip(row, width, base)
        if index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("timeline--cursor"))
        return strip

    def _row_strip(self, row: EntryRow, width: int, base: Style) -> Strip:
        """A row's line, remembered: a filter keystroke shows mostly rows shown a moment ago
        (`harb` then `harbo`; backspace), and laying a row out costs ~0.2 ms, 5-6 ms of each
        keystroke's frame for the 28 rows in view (measured at 120x40). Everything the line
        shows is in the key, so a changed row (read, starred, a new version) is laid out again;
        a change of styles (theme, CSS) forgets them all (`notify_style_update`)."""
        columns = self.columns(width)
        thread = self._thread_sizes.get(row.thread) if row.thread is not None else None
        key = (
            row.id,
            row.title,
            row.source,
            row.kind,
            row.published_at,
            row.published is None,
            row.read,
            row.starred,
            len(row.reposts),
            row.version_count,
            thread,
            width,
            columns,
            base,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strip(self.format_row(row, width), width, base)
            self._strips[key] = strip
            if len(self._strips) > STRIPS_KEPT:
                self._strips.popitem(last=False)
        else:
            self._strips.move_to_end(key)
        return strip

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        text.end = ""
        segments = [Segment(s.text, base + s.style if s.style else base) for s in self._segs(text)]
        return Strip(segments, width)

    def _segs(self, text: Text) -> list[Segment]:
        return list(text.render(self.app.console))

    def format_row(self, row: EntryRow, width: int) -> Text:
        """One line: marks, time, source, kind, title and badges (reposts, versions, thread)."""
        cls = self.get_component_rich_style
        unread = not row.read
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("★" if row.starred else " ", cls("timeline--star"))
        line.append("●" if unread else " ", cls("timeline--dot"))
        # An item its feed gave no time for shows when it was first seen, as newsboat does;
        # '~' before that time says so (a site's undated pages sat at the top of the list
        # looking as new as the news of that minute).
        columns = self.columns(width)
        when = self.format_time(row.published_at, width)
        if row.time_guessed:  # '~' in the time's padding, else in the space before it
            shown = when.lstrip()
            pad = len(when) - len(shown)
            line.append(" " if pad else "")
            line.append(f"{' ' * (pad - 1)}~{shown}" if pad else f"~{when}", cls("timeline--time"))
        else:
            line.append(" ")
            line.append(when, cls("timeline--time"))
        line.append(" ")
        if width >= 40:  # the source stays down to a 40-column list, as wide as its names
            line.append(fit(one_line(row.source), columns.source), cls("timeline--source"))
            line.append(" ")
        label = KIND_LABELS.get(row.kind, row.kind)
        if label:
            kind_style = cls("timeline--breaking" if row.kind == "breaking" else "timeline--kind")
            line.append(label[:9], kind_style)
            line.append(" ")
        badges = self._badges(row)
        room = max(8, width - line.cell_len - badges.cell_len)
        title = Text(one_line(row.title) or "(untitled)", no_wrap=True)
        title.stylize(cls("timeline--unread" if unread else "timeline--read"))
        title.truncate(room, overflow="ellipsis", pad=True)
        line.append_text(title)
        line.append_text(badges)
        return line

    def _badges(self, row: EntryRow) -> Text:
        """Reposts, versions and thread size, after the title."""
        style = self.get_component_rich_style("timeline--badge")
        badges = Text(no_wrap=True)
        if row.reposts:
            badges.append(f" ⇄{len(row.reposts)}", style)
        if row.version_count > 1:
            badges.append(f" ✎{row.version_count}", style)
        size = self._thread_sizes.get(row.thread) if row.thread is not None else None
        if size and size > 1:
            badges.append(f" ≡{size}", style)
        return badges

    def columns(self, width: int) -> Columns:
        """Column widths for the rows now in view: the source as wide as the longest name in
        view (up to two fifths of the line), the time as wide as the longest time in view (a
        date appears as soon as one item in view is not from today, in the reader's zone)."""
        top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        today = datetime.now(self.tz).date()
        key = (top, height, width, self.total, self._loads, today.toordinal())
        if key == self._columns_key:
            return self._columns
        rows = [r for r in (self.row(i) for i in range(top, min(self.total, top + height))) if r]
        widest = max((cell_len(one_line(r.source)) for r in rows), default=6)
        time = max([len(self._time_text(r.published_at, width, today)) for r in rows], default=5)
        # The title keeps a quarter of the line (ten cells at least) after the widest kind in
        # view: a narrow list gives the source no more than eight cells rather than leave the
        # title a few letters.
        kind = max((len(KIND_LABELS.get(r.kind, r.kind)[:9]) + 1 for r in rows), default=0)
        badges = max((self._badges(r).cell_len for r in rows), default=0)
        room = width - 3 - time - 2 - kind - badges - max(10, width // 4)
        # A list under 70 cells (a 60-column terminal, the centre pane of a wide one) gives the
        # source no more than the entries table's column (14 cells, cut with '…') and never
        # more than the title keeps: a 20-character file name took the titles' room.
        if width < NARROW_LIST:
            room = min(room, SOURCE_NARROW, (width - 3 - time - 2 - kind - badges - 1) // 2)
        self._columns = Columns(
            source=max(min(widest, 8), min(widest, width * 2 // 5, SOURCE_MAX, room)),
            time=time,
            today=today,
        )
        self._columns_key = key
        return self._columns

    def _time_text(self, epoch: int, width: int, today: date) -> str:
        """Today's items show their time, older ones their date too (with the year when it is
        not this one); a narrow list shows an older item's month and day instead."""
        moment = datetime.fromtimestamp(epoch, self.tz)
        wide = width >= 70
        if moment.date() == today:
            return moment.strftime("%H:%M")
        if not wide:  # a narrow list has no room for the year: the title needs it more
            return moment.strftime("%b %d")
        if moment.year != today.year:
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.strftime("%b %d %H:%M")

    def format_time(self, epoch: int, width: int) -> str:
        """The time column: every row in view the same width, so the columns after it align."""
        columns = self.columns(width)
        today = columns.today or datetime.now(self.tz).date()
        return self._time_text(epoch, width, today).rjust(columns.time)

    # -- movement -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_cursor()
        self.post_message(self.Highlighted(self.row(new)))

    def move_to(self, index: int) -> None:
        self._last_wanted = False  # a move after `G` wins over the count landing
        if self.total:
            self.cursor = max(0, min(self.total - 1, index))

    def scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if not self.exact and self.query_obj is not None:
            # The last row's index is the view's size, not counted yet: counting it here held
            # the screen for 0.3 s at 1M items. The app counts in a worker; set_total moves.
            self._last_wanted = True
            self.post_message(self.CountWanted())
            return
        self.move_to(self.total - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.move_to(round(self.scroll_y) + offset.y)
        if event.chain >= 2:
            self.action_open()


def one_line(text: str) -> str:
    """Outside text for one terminal line. Ingest already cleaned it; this is the second lock
    on the door, so a row written by a buggy parser still cannot move the cursor or retitle the
    terminal."""
    return strip_controls(text).replace("\n", " ").replace("\t", " ")


@dataclass(frozen=True)
class Columns:
    source: int  # cells of the source column
    time: int  # cells of the time column (5 while every item in view is from today)
    today: date | None


SOURCE_MAX = 28  # a source name longer than this is cut even on a wide screen
NARROW_LIST = 70  # a list narrower than this (as the short times) cuts its sources
SOURCE_NARROW = 14  # as the source column of `entries` (cli/library.py)

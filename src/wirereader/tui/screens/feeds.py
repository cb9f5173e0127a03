"""The feeds pane (`F`): every subscription with its unread items and its last error, as
newsboat opens on its feed list; enter shows that feed's items, esc goes back."""

from __future__ import annotations

import io
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wirereader.query.feeds import FeedStatus, feed_statuses
from wirereader.query.reading import PendingMarks
from wirereader.store.db import Store
from wirereader.tui.widgets.cells import fit
from wirereader.tui.widgets.timeline import one_line

STATUS_STYLES = {
    "ok": "green",
    "failing": "bold red",
    "waiting": "yellow",
    "new": "blue",
    "empty": "yellow",
}


def feed_line(feed: FeedStatus, name_width: int, width: int = 0) -> Text:
    """name, unread count, status and the last error: outside text as Text, never markup.

    `width`: the cells a line has. A last error longer than the rest of the line wraps under
    itself, or, when the line leaves it too little room, on lines of its own under the name
    (it wrapped to the line's start, under the name)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    name = one_line(feed.name)
    line.append(fit(name, name_width), "bold" if feed.unread else "")
    line.append(f" {feed.unread:>6,}", "bold" if feed.unread else "dim")
    line.append(f" / {feed.items:<6,}", "dim")
    line.append(f" {feed.status:<8}", STATUS_STYLES.get(feed.status, ""))
    # the last error, else why its last body gave no item (kept over later 304s)
    note, style = (feed.last_error, "red") if feed.last_error else (feed.problem, "yellow")
    if not note:
        return line
    note = one_line(note)
    start = cell_len(line.plain) + 1
    if not width or start + cell_len(note) <= width:
        line.append(f" {note}", style)
        return line
    if width - start >= NOTE_MIN_WIDTH:  # beside the status, each line under the first
        pieces, indent = _wrapped(note, width - start), start
        line.append(" ")
    else:  # below the name, indented
        pieces, indent = _wrapped(note, width - 2), 2
        line.append("\n" + " " * indent)
    for n, piece in enumerate(pieces):
        line.append(("\n" + " " * indent) * bool(n) + piece, style)
    return line


NOTE_MIN_WIDTH = 24  # the fewest cells a last error wraps in beside a feed's status


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words where it can be."""
    console = Console(width=max(width, 1), file=io.StringIO(), color_system=None)
    return [piece.plain.rstrip() for piece in Text(text).wrap(console, max(width, 1))]


class FeedsScreen(ModalScreen[str | None]):
    """Dismissed with the chosen feed's name, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,F", "dismiss_none", "Close"),
        Binding("j", "cursor('down')", show=False),
        Binding("k", "cursor('up')", show=False),
    ]
    DEFAULT_CSS = """
    FeedsScreen { align: center middle; }
    FeedsScreen > OptionList {
        width: 110; max-width: 100%; height: 80%; border: round $accent; background: $surface;
    }
    """

    def __init__(self, store: Store, pending: PendingMarks | None = None) -> None:
        super().__init__()
        self.store = store
        self.pending = pending  # the reader's marks not written yet: counted as shown
        self.feeds: list[FeedStatus] = []

    def compose(self) -> ComposeResult:
        options = OptionList(id="feeds")
        options.border_title = "Feeds: unread / items, status, last error (enter: its items)"
        yield options

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="feeds-pane")
    def _load(self) -> None:
        # Its own connection: the counts run in this thread while the UI stays responsive.
        with Store(self.store.path) as store:
            change = self.pending.unread_by_source(store) if self.pending else None
            feeds = feed_statuses(store, unread_change=change)
        self.app.call_from_thread(self._show, feeds)

    def _show(self, feeds: list[FeedStatus]) -> None:
        self.feeds = feeds
        options = self.query_one(OptionList)
        highlighted = options.highlighted  # kept when the pane is drawn again for a new width
        options.clear_options()
        if not feeds:
            options.add_option(
                Option(Text("No subscriptions: add one with 'wirereader add URL'", "dim"))
            )
            return
        # The counts and status take 25 cells: on a narrow screen the name gives way, so each
        # feed stays one line (at 40 columns it took two, its counts under its name).
        line = min(110, self.app.size.width) - 6
        width = min(30, max(8, line - 25), max(cell_len(one_line(f.name)) for f in feeds))
        options.add_options([Option(feed_line(f, width, line), id=str(f.id)) for f in feeds])
        options.highlighted = highlighted or 0

    def on_resize(self) -> None:
        if self.feeds:  # each last error wrapped again for the new width
            self._show(self.feeds)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = next((f for f in self.feeds if str(f.id) == event.option.id), None)
        self.dismiss(chosen.name if chosen else None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        if direction == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()

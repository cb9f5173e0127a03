"""The feeds pane (`F`): every subscription with its unread items and its last error, as
newsboat opens on its feed list; enter shows that feed's items, esc goes back."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wirereader.query.feeds import FeedStatus, feed_statuses
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


def feed_line(feed: FeedStatus, name_width: int) -> Text:
    """name, unread count, status and the last error: outside text as Text, never markup."""
    line = Text(no_wrap=True, overflow="ellipsis")
    name = one_line(feed.name)
    line.append(fit(name, name_width), "bold" if feed.unread else "")
    line.append(f" {feed.unread:>6,}", "bold" if feed.unread else "dim")
    line.append(f" / {feed.items:<6,}", "dim")
    line.append(f" {feed.status:<8}", STATUS_STYLES.get(feed.status, ""))
    if feed.last_error:
        line.append(f" {one_line(feed.last_error)}", "red")
    elif feed.problem:  # why its last body gave no item (kept over later 304s)
        line.append(f" {one_line(feed.problem)}", "yellow")
    return line


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

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
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
            feeds = feed_statuses(store)
        self.app.call_from_thread(self._show, feeds)

    def _show(self, feeds: list[FeedStatus]) -> None:
        self.feeds = feeds
        options = self.query_one(OptionList)
        options.clear_options()
        if not feeds:
            options.add_option(
                Option(Text("No subscriptions: add one with 'wirereader add URL'", "dim"))
            )
            return
        # The counts and status take 25 cells: on a narrow screen the name gives way, so each
        # feed stays one line (at 40 columns it took two, its counts under its name).
        room = min(110, self.app.size.width) - 6 - 25
        width = min(30, max(8, room), max(cell_len(one_line(f.name)) for f in feeds))
        options.add_options([Option(feed_line(f, width), id=str(f.id)) for f in feeds])
        options.highlighted = 0

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

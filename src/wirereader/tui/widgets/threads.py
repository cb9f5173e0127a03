"""The threads pane: stories of the view, latest update first; selecting one filters to it."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wirereader.query.threads import ThreadRow
from wirereader.tui.widgets.prompts import Lines
from wirereader.tui.widgets.timeline import one_line


def span(first: int, last: int, tz: tzinfo | None) -> str:
    a = datetime.fromtimestamp(first, tz).astimezone(tz)
    b = datetime.fromtimestamp(last, tz).astimezone(tz)
    year = datetime.now(tz).year
    # The year when it is not this one (a thread of 2024 posts is not this November's).
    day = "%b %d %H:%M" if a.year == b.year == year else "%Y-%m-%d %H:%M"
    if a.date() == b.date():
        return f"{a:{day}}–{b:%H:%M}" if a != b else f"{a:{day}}"
    return f"{a:{day}}–{b:{day}}"


class ThreadList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    class Picked(Message):
        def __init__(self, thread: ThreadRow) -> None:
            self.thread = thread
            super().__init__()

    def __init__(self, tz: tzinfo | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.rows: dict[str, ThreadRow] = {}
        self.selected_id: int | None = None
        self._shown: tuple[list[ThreadRow], int | None] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show_threads(*self._shown)  # titles are cut to the width

    def show_threads(self, threads: list[ThreadRow], selected: int | None) -> None:
        self._shown = (threads, selected)
        if not self.scrollable_content_region.width:
            return  # not laid out yet: on_resize shows them
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        self.selected_id = selected
        self.rows = {f"t{t.id}": t for t in threads}
        options: list[Option] = []
        width = max(12, self.scrollable_content_region.width - 1)
        for t in threads:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("▶ " if t.id == selected else "  ", "bold green")
            title = Text(one_line(t.title) or f"thread {t.id}")
            title.truncate(width - 2, overflow="ellipsis")
            title.stylize("bold" if t.id == selected else "")
            line.append_text(title)
            line.append("\n    ")
            noun = "item" if t.size == 1 else "items"
            counts = f"{t.matching}/{t.size} {noun}" if t.matching != t.size else f"{t.size} {noun}"
            sources = f"{t.sources} source{'s' if t.sources != 1 else ''}"
            # The time span first: it is what tells a live story from an old one.
            # '~' when no item's source gave a time (the span is stand-ins), as items mark it.
            when = "~" * t.guessed + span(t.first_at, t.last_at, self.tz)
            facts = Text(f"{when} · {counts} · {sources}", "dim")
            facts.truncate(width - 4, overflow="ellipsis")
            line.append_text(facts)
            options.append(Option(Lines(line, self.app.console), id=f"t{t.id}"))
        if not options:
            options.append(
                Option(
                    Text("No story threads in this view yet.", style="dim italic"), disabled=True
                )
            )
        self.set_options(options)
        if keep is not None and keep in self.rows:
            self.highlighted = self.get_option_index(keep)
        elif self.option_count:
            # As the entity pane does: with nothing highlighted, Enter on the pane (the first
            # key after 'T') picked nothing.
            self.action_first()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.rows.get(event.option.id or "")
        if row is not None:
            self.post_message(self.Picked(row))

"""The filter bar: every active filter as a chip (click one to remove it), and the `/` input.

Chip labels hold user and outside text, so they are `Text`; the click action carries only the
chip's own key, never the text.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from wirereader.tui.filters import Chip


def chips_text(chips: list[Chip], problems: list[str]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    if not chips:
        out.append(" all items", "dim")
        out.append("   / search · space entity · t topics · u unread · ? help", "dim")
        return out
    for chip in chips:
        style = Style(color="red" if chip.negative else None, bold=True)
        click = Style.from_meta({"@click": f"app.remove_chip({chip.key!r})"})
        out.append(" ")
        out.append(f" {chip.label} ×", style + click + Style(reverse=True))
    out.append("   esc clears", "dim")
    if problems:
        out.append("   ")
        out.append(problems[0], "bold red")
    return out


class FilterInput(Input):
    """The incremental filter: the query language, applied as you type."""

    BINDINGS = [Binding("escape", "cancel", "Clear the text filter", show=False)]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class FilterBar(Vertical):
    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar > #chips { height: 1; }
    FilterBar > FilterInput { display: none; border: none; height: 1; padding: 0 1; }
    FilterBar.-typing > FilterInput { display: block; }
    """

    def compose(self):
        yield Static(chips_text([], []), id="chips")
        yield FilterInput(placeholder="filter: words \"a phrase\" +person:X -place:Y source:S since:6h is:unread", id="filter-input")

    def show(self, chips: list[Chip], problems: list[str]) -> None:
        self.query_one("#chips", Static).update(chips_text(chips, problems))

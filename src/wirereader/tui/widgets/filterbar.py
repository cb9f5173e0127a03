"""The filter bar: every active filter as a chip (click one to remove it), and the `/` input.

Chip labels hold user and outside text, so they are `Text`; the click action carries only the
chip's own key, never the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Static

from wirereader.query.filters import Chip


def chips_text(chips: list[Chip], problems: list[str], hint: str = "") -> Text:
    """The chips right of the input (the typed text is in the input itself); `hint`, dim
    before them, says what a term still being typed wants ('e.g. person:Putin')."""
    out = Text(no_wrap=True, overflow="ellipsis")
    shown = [chip for chip in chips if chip.key != "text"]
    if hint:
        out.append(f" {hint}", "dim")
    # A term the language does not understand is a red chip of its own: never silently dropped.
    for problem in problems:
        out.append(" ")
        out.append(f" {problem} ", PROBLEM_STYLE)
    if not chips:
        out.append(" all items", "dim")
        out.append(" · space entity · t topics · u unread · ? help", "dim")
        return out
    for chip in shown:
        style = Style(color="red" if chip.negative else None, bold=True)
        click = Style.from_meta({"@click": f"app.remove_chip({chip.key!r})"})
        out.append(" ")
        out.append(f" {chip.label} ×", style + click + Style(reverse=True))
    out.append("   esc clears", "dim")
    return out


PROBLEM_STYLE = Style(color="red", bold=True, reverse=True)


# The filter box's hint, longest first: the box shows the longest that fits whole (it was cut
# mid-word on narrow screens: '/ filter: words "a').
PLACEHOLDERS = (
    '/ filter: words "a phrase" +person:X source:S since:6h',
    '/ filter: words "a phrase" +person:X source:S',
    '/ filter: words "a phrase" +person:X',
    "/ filter: words +person:X",
    "/ filter: +person:X",
    "/ filter",
    "/",
)


def placeholder_for(width: int) -> str:
    """The longest hint of PLACEHOLDERS that fits in `width` cells ('' when none does)."""
    return next((hint for hint in PLACEHOLDERS if len(hint) <= width), "")


class FilterInput(Input):
    """The incremental filter: the query language, applied as you type."""

    # Set by the app: called on every change with the text and whether the edit was at its
    # end (the cursor was at the end of the text before it: typing, backspace, a paste there).
    on_text: Callable[[str, bool], None] | None = None
    _before = ""  # the text before the change being watched

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear the text filter", show=False)
    ]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_resize(self) -> None:
        # One cell is kept for the cursor, drawn after the hint's end when the box has focus.
        self.placeholder = placeholder_for(self.content_size.width - 1)

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size on every change, which asks for a layout of the whole
        # screen; this one-line input has a fixed size, so only its scroll range changes.
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Input.virtual_size, size)
            self._scroll_update(size)
        self.refresh()
        # Input moves the cursor after it sets the value: here it is still where the edit was.
        at_end = self.cursor_position >= min(len(self._before), len(value))
        self._before = value
        if self.on_text is not None:
            # Straight to the app, in this same turn: through the message queue the echo of
            # the key would paint one frame and the filtered list another, a frame later.
            self.on_text(value, at_end)
        else:
            self.post_message(self.Changed(self, value, None))
        if self._initial_value:
            self.cursor_position = len(self.value)
            self._initial_value = False


class FilterBar(Horizontal):
    """One line: the text filter on the left (always there, so keys typed right after `/`
    land in it), the other filters as chips on the right."""

    DEFAULT_CSS = """
    FilterBar { height: 1; }
    FilterBar > FilterInput, FilterBar > FilterInput:focus {
        border: none; height: 1; width: 40%; padding: 0 1; background: $boost;
    }
    FilterBar > FilterInput:focus { background: $primary 30%; }
    FilterBar > #chips { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._chips = chips_text([], [])

    def compose(self):
        yield FilterInput(placeholder=PLACEHOLDERS[0], id="filter-input")
        yield Static(self._chips, id="chips")

    def show(self, chips: list[Chip], problems: list[str], hint: str = "") -> None:
        text = chips_text(chips, problems, hint)
        if text != self._chips:  # typing changes only the input, not the chips beside it
            self._chips = text
            self.query_one("#chips", Static).update(text, layout=False)

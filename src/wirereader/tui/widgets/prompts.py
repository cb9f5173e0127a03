"""Option prompts whose height is known before they are drawn.

`OptionList.set_options` measures every option it is given: each prompt becomes a `Content`
and is wrapped at the list's width to count its lines. The entity pane (up to 150 names) and
the thread pane (100 two-line stories) paid 16-19 ms of main-thread CPU for that each time they
were refilled (measured at 1M items: `show_counts` 5-6 ms, `show_threads` 10-13 ms), and a
filter keystroke landing meanwhile waited for it. Our prompts are lines already cut to the
pane's width, so their height is their number of lines; the `Content` is made only for the
options that are drawn (the dozen or so in view), and it is the same `Content` as before, so
they look exactly as they did.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Lines(Visual):
    """A `Text` of one or more lines, each already no wider than the list."""

    def __init__(self, text: Text, console: Console) -> None:
        self.text = text
        self._console = console
        self._content: Content | None = None
        self._lines = text.plain.split("\n")

    def __str__(self) -> str:
        return self.text.plain

    @property
    def content(self) -> Content:
        if self._content is None:
            self._content = Content.from_rich_text(self.text, console=self._console)
        return self._content

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.content.render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max(cell_len(line) for line in self._lines)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if all(cell_len(line) <= width for line in self._lines):
            return len(self._lines)
        return self.content.get_height(rules, width)  # a pane narrower than its lines: wraps

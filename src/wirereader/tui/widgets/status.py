"""The status line: counts of the view, refresh progress, last refresh and errors."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.total = 0
        self.exact = True  # False: `total` is a lower bound while the count runs
        self.unread: int | None = None
        self.counting = False  # the view's counts are being computed: shown as such
        self.panes_counting = False  # ... or the side panes' counts (still the last view's)
        self.activity = ""  # "refreshing 3/12 feeds..."
        self.last_refresh = ""
        self.errors = 0
        self.note = ""
        self.zone = ""  # the one zone every time in the reader is shown in
        self._shown: Text | None = None

    def show(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        more = "" if self.exact else "+"
        line.append(f"{self.total:,}{more} item{'s' if self.total != 1 else ''}", "bold")
        if self.unread is not None:
            line.append(f" · {self.unread:,} unread")
        if self.counting or self.panes_counting:
            line.append(" · counting…", "dim")
        if self.activity:
            line.append(f" · {self.activity}", "bold")
        if self.errors:
            line.append(f" · {self.errors} feed error{'s' if self.errors != 1 else ''}", "bold red")
        if self.note:
            line.append(f" · {self.note}", "dim")
        # The rest is shown part by part, each whole or not at all, kept in this order of need
        # while the line has room (at 60 columns it ended "^p commands  times in", the zone cut
        # off), then written in the line's order: the last refresh comes after the counts.
        refreshed = (
            "" if self.activity or not self.last_refresh else f" · refreshed {self.last_refresh}"
        )
        help_, commands = "  ? help", "  ^p commands"
        zone = f"  times in {self.zone}" if self.zone else ""
        room = (self.content_region.width or 10_000) - line.cell_len
        kept = set()
        for part in (help_, refreshed, commands, zone):
            if part and len(part) <= room:
                kept.add(part)
                room -= len(part)
        for part in (refreshed, help_, commands, zone):
            if part in kept:
                line.append(part, "dim")
        if line == self._shown:
            # Most filter keystrokes leave the line as it was ("200+ items · counting…"): not
            # repainting it keeps the bottom row out of the frame's dirty region.
            return
        self._shown = line
        self.update(line, layout=False)

    def on_resize(self) -> None:
        self.show()

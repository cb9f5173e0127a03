"""The `?` screen: every binding, with the keys in force (config overrides included)."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from wirereader.tui.actions import ACTIONS, PANE_KEYS

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "asterisk": "*",
    "escape": "esc",
    "minus": "-",
}


def pretty(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


KEYS_WIDTH = 21  # "  " and the keys in 18 cells, then a space before the description
NARROW_DESCRIPTION = 24  # fewer cells beside the keys: each description goes under its keys


def _wrapped(text: str, width: int, indent: int) -> str:
    """`text` as lines of `width` cells at most, the lines after the first indented by
    `indent` (a description continues under itself, not under the keys); 0: one line."""
    if width <= indent + 10:
        return text
    lines = textwrap.wrap(text, width - indent, break_on_hyphens=False, break_long_words=False)
    return ("\n" + " " * indent).join(lines)


def help_text(keymap: dict[str, str], width: int = 0) -> Text:
    """The help's text; with `width` (its cells) a line too long for it wraps under itself:
    on a narrow terminal a description went on at the left edge, under the keys."""
    out = Text()
    rows: dict[str, list[tuple[str, str]]] = {}
    for action in ACTIONS:
        if action.id.startswith("topic_"):
            continue
        keys = keymap.get(action.id, action.keys)
        rows.setdefault(action.group, []).append((pretty(keys), action.description))
    rows["Filter"].append(("1-9", "Saved topic 1 to 9 (from the config's [topics])"))
    for binding_id, keys, description, group in PANE_KEYS:
        shown = pretty(keymap[binding_id]) if binding_id in keymap else keys
        rows.setdefault(group, []).append((shown, description))
    order = ["Timeline", "Filter", "Entities", "Threads", "Panes", "Reading", "Live", "App"]
    for group in order:
        out.append(f"{group}\n", "bold underline")
        for keys, description in rows.get(group, []):
            if width and width - KEYS_WIDTH < NARROW_DESCRIPTION:
                # Beside the keys it had 11 cells at 40 columns, '(incremental)' cut in two:
                # under them, indented, it has the width of the screen.
                out.append(f"  {keys}\n", "bold")
                out.append(" " * 4 + _wrapped(description, width, 4) + "\n")
                continue
            out.append(f"  {keys:<18}", "bold")
            shown = _wrapped(description, width - KEYS_WIDTH, 0) if width else description
            out.append(" " + shown.replace("\n", "\n" + " " * KEYS_WIDTH) + "\n")
        out.append("\n")
    heading = "Query language (after /, in topics and on the command line):"
    out.append((_wrapped(heading, width, 0) if width else heading) + "\n", "bold")
    for line in (
        'words "a phrase" -word +person:Name -place:Name org:Name source:name kind:breaking',
        "since:6h until:2025-04-28 is:unread is:starred thread:12",
        'ebola OR "bird flu"   person:A OR person:B   source:a OR source:b OR kyiv',
        "(OR in capitals joins its two neighbours: words, phrases and keyed terms)",
    ):
        out.append("  " + (_wrapped(line, width - 2, 2) if width else line) + "\n")
    keys_note = 'Keys can be changed in the config\'s [keys] table: star = "f".'
    out.append("\n" + (_wrapped(keys_note, width, 0) if width else keys_note) + "\n", "dim")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        Binding("j,down", "scroll('down')", show=False),
        Binding("k,up", "scroll('up')", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 90%; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "wirereader keys (esc closes)"
            yield Static(help_text(self.keymap))

    def on_resize(self, event: events.Resize) -> None:
        scroll = self.query_one(VerticalScroll)
        width = scroll.scrollable_content_region.width - scroll.styles.scrollbar_size_vertical
        self.query_one(Static).update(help_text(self.keymap, width))

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if direction == "down":
            scroll.scroll_down(animate=False)
        else:
            scroll.scroll_up(animate=False)

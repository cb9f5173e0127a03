"""The `?` screen: every binding, with the keys in force (config overrides included)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
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


def help_text(keymap: dict[str, str]) -> Text:
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
            out.append(f"  {keys:<18}", "bold")
            out.append(f" {description}\n")
        out.append("\n")
    out.append("Query language (after /, in topics and on the command line):\n", "bold")
    out.append(
        '  words "a phrase" -word +person:Name -place:Name org:Name source:name kind:breaking\n'
        "  since:6h until:2025-04-28 is:unread is:starred thread:12\n"
        '  ebola OR "bird flu"   person:A OR person:B   source:a OR source:b OR kyiv\n'
        "  (OR in capitals joins its two neighbours: words, phrases and keyed terms)\n"
    )
    out.append('\nKeys can be changed in the config\'s [keys] table: star = "f".\n', "dim")
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

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if direction == "down":
            scroll.scroll_down(animate=False)
        else:
            scroll.scroll_up(animate=False)

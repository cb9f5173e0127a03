"""Every key binding of the app in one table: the help screen, the command palette and the
config's [keys] overrides all read it, so they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    id: str  # binding id: the name used in the config's [keys]
    keys: str  # default keys, comma-separated (Textual key names)
    action: str  # the action to run ("" for keys a pane handles itself)
    description: str
    group: str
    palette: bool = True  # offered in the command palette


ACTIONS: tuple[Action, ...] = (
    Action("search", "slash", "search", "Filter by text / query language (incremental)", "Filter"),
    Action(
        "clear",
        "escape",
        "clear_filters",
        "Clear every filter (in a side pane or the reader: back to the timeline first)",
        "Filter",
    ),
    Action("topics", "t", "focus_topics", "Go to the saved topics", "Filter"),
    *(
        Action(f"topic_{n}", str(n), f"topic({n})", f"Saved topic {n}", "Filter", palette=False)
        for n in range(1, 10)
    ),
    Action("unread", "u", "toggle_unread", "Unread items only (toggle)", "Filter"),
    Action("starred", "asterisk", "toggle_starred", "Starred items only (toggle)", "Filter"),
    Action("entities", "e", "focus_entities", "Go to the entities (people, places, orgs)", "Panes"),
    Action("threads", "T", "focus_threads", "Go to the story threads", "Panes"),
    Action("timeline", "i", "focus_timeline", "Go to the timeline", "Panes"),
    Action("reader", "R", "focus_reader", "Go to the reader", "Panes"),
    Action("feeds", "F", "show_feeds", "Feeds: unread items and last errors", "Panes"),
    Action("next_unread", "n", "next_unread", "Next unread item", "Reading"),
    Action("toggle_read", "m", "toggle_read", "Mark the item read / unread", "Reading"),
    Action("mark_all_read", "A", "mark_all_read", "Mark every item of the view read", "Reading"),
    Action("star", "s", "star", "Star / unstar the item", "Reading"),
    Action("open_link", "o", "open_link", "Open the item in the browser", "Reading"),
    Action("copy_link", "y", "copy_link", "Copy the item's link", "Reading"),
    Action("refresh", "r", "refresh", "Refresh the feeds now", "Live"),
    Action("help", "question_mark,f1", "help", "Show every key binding", "App"),
    Action("quit", "q", "quit", "Quit", "App"),
)

# Keys handled by the panes (listed in the help screen; ids usable in [keys] too).
PANE_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("down", "j, down", "Next item", "Timeline"),
    ("up", "k, up", "Previous item", "Timeline"),
    ("first", "g, home", "First item", "Timeline"),
    ("last", "G, end", "Last item", "Timeline"),
    ("page_down", "pagedown, ctrl+f", "Page down", "Timeline"),
    ("page_up", "pageup, ctrl+b", "Page up", "Timeline"),
    ("open", "enter, l", "Read the item (marks it read)", "Timeline"),
    ("toggle_entity", "space, enter", "Require the entity / stop requiring it", "Entities"),
    ("exclude_entity", "x, minus", "Exclude the entity / stop excluding it", "Entities"),
    ("", "enter", "Filter the timeline to the thread", "Threads"),
    ("", "tab, shift+tab", "Next / previous pane", "App"),
    ("", "ctrl+p", "Command palette (every action, topics, themes)", "App"),
)

BY_ID = {a.id: a for a in ACTIONS}
KNOWN_IDS = set(BY_ID) | {k[0] for k in PANE_KEYS if k[0]}


def key_conflicts(keymap: dict[str, str]) -> list[str]:
    """Keys the config's [keys] (`keymap`: id -> keys) gives two of the app's actions, each as
    one line: such a key runs only one of them, and the other was lost without a word
    (`star = "f"` beside `quit = "f"`, or `star = "q"` with quit on its default 'q')."""
    actions: dict[str, list[str]] = {}
    for action in ACTIONS:
        for key in keymap.get(action.id, action.keys).split(","):
            if key.strip():
                actions.setdefault(key.strip(), []).append(action.id)
    return [
        f"[keys] '{key}' is bound to {' and '.join(ids)}: it runs only one of them;"
        " give each its own key"
        for key, ids in actions.items()
        if len(ids) > 1 and any(i in keymap for i in ids)
    ]

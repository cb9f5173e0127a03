"""Saved topics from the config's [topics]: `1`-`9` apply them, `t` focuses this list."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class TopicList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Picked(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    def __init__(self, topics: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.topics = topics
        self.names = list(topics)
        self.active: str | None = None

    def on_mount(self) -> None:
        self.show_active("")

    def show_active(self, active: str) -> None:
        if active == self.active:
            return  # set_options costs a layout pass: not on every keystroke in the filter
        self.active = active
        options: list[Option] = []
        for number, name in enumerate(self.names, 1):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{number if number <= 9 else ' '} ", "dim")
            line.append(name, "bold green" if name == active else "")
            options.append(Option(line, id=f"topic{number}"))
        if not options:
            hint = "No saved topics: add them under [topics] in the config."
            options.append(Option(Text(hint, style="dim italic"), disabled=True))
        highlighted = self.highlighted or 0
        self.set_options(options)
        if highlighted < len(options):
            self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("topic"):
            self.post_message(self.Picked(self.names[int(option_id[5:]) - 1]))

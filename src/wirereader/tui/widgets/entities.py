"""The entities pane: people, places and organisations of the view, with counts.

`space` requires the entity under the cursor (again: no longer), `x` excludes it. Names come from
the outside world: prompts are `Text`, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wirereader.query.entities import EntityCount
from wirereader.query.timeline import EntityRef
from wirereader.tui.widgets.prompts import Lines
from wirereader.tui.widgets.timeline import one_line

GROUPS = (("person", "People"), ("place", "Places"), ("org", "Organisations"))


class EntityList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
        Binding("space,enter", "toggle_entity", "Toggle entity", id="toggle_entity"),
        Binding("x,minus", "exclude_entity", "Exclude entity", id="exclude_entity"),
    ]

    class Toggled(Message):
        def __init__(self, ref: EntityRef, exclude: bool) -> None:
            self.ref = ref
            self.exclude = exclude
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.refs: dict[str, EntityRef] = {}
        self._shown: tuple[list[EntityCount], dict[EntityRef, str]] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show_counts(*self._shown)  # names are cut to the width

    def show_counts(self, counts: list[EntityCount], states: dict[EntityRef, str]) -> None:
        """Fill the list grouped by kind; keep the cursor on the same entity when it is there."""
        self._shown = (counts, states)
        if not self.scrollable_content_region.width:
            return  # not laid out yet: on_resize shows them
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option | None] = []
        self.refs = {}
        width = max(12, self.scrollable_content_region.width - 1)
        console = self.app.console
        for kind, heading in GROUPS:
            group = [c for c in counts if c.kind == kind]
            if not group:
                continue
            options.append(Option(Lines(Text(heading, style="bold"), console), disabled=True))
            for count in group[:100]:
                ref = EntityRef(count.name, count.kind)
                key = f"e{count.id}"
                self.refs[key] = ref
                mark = states.get(ref, "")
                number = f" {count.count}"
                name = Text(one_line(count.name), style="strike" if mark == "-" else "")
                name.truncate(max(4, width - 2 - len(number)), overflow="ellipsis")
                line = Text(no_wrap=True, overflow="ellipsis")
                line.append(f"{mark or ' '} ", "bold green" if mark == "+" else "bold red")
                line.append_text(name)
                line.append(number, "dim")
                options.append(Option(Lines(line, console), id=key))
        if not options:
            options.append(
                Option(Text("No entities in this view.", style="dim italic"), disabled=True)
            )
        self.set_options(options)
        if keep is not None and keep in self.refs:
            self.highlighted = self.get_option_index(keep)
        elif self.option_count:
            self.action_first()

    def _current(self) -> EntityRef | None:
        option = self.highlighted_option
        return self.refs.get(option.id or "") if option is not None else None

    def action_toggle_entity(self) -> None:
        ref = self._current()
        if ref is not None:
            self.post_message(self.Toggled(ref, False))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on an entity toggles it, as space does (keys are bound above)."""
        event.stop()
        ref = self.refs.get(event.option.id or "")
        if ref is not None:
            self.post_message(self.Toggled(ref, False))

    def action_exclude_entity(self) -> None:
        ref = self._current()
        if ref is not None:
            self.post_message(self.Toggled(ref, True))

"""The app's filter state: what the user typed, toggled and picked, composed into one `Filter`.

Every part is shown as a chip in the filter bar and can be removed on its own; `esc` clears them
all. A plain value (no Textual), so composition is tested without the app.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from wirereader.query import language as querylang
from wirereader.query.timeline import EntityRef, Filter

KIND_LABEL = {"person": "person", "place": "place", "org": "org", "": "entity"}


@dataclass(frozen=True)
class Chip:
    key: str  # what removing it clears: "text", "topic", "thread", "unread", "starred", "entity:N"
    label: str
    negative: bool = False


@dataclass(frozen=True)
class FilterState:
    text: str = ""  # query language typed after `/`
    topic: str = ""  # name of the saved topic in force
    topic_query: str = ""
    entities: tuple[EntityRef, ...] = ()  # toggled in the entities pane
    excluded: tuple[EntityRef, ...] = ()
    thread_id: int | None = None
    thread_title: str = ""
    unread_only: bool = False
    starred_only: bool = False

    @property
    def active(self) -> bool:
        return self != FilterState()

    def compose(self, now: float | None = None) -> tuple[Filter, list[str]]:
        """The `Filter` for the query layer, and what the typed text did not make sense of."""
        flt, problems, _hint = self.composed(now)
        return flt, problems

    def composed(
        self, now: float | None = None, *, typing: bool = False
    ) -> tuple[Filter, list[str], str]:
        """`compose`, read once with the reader's hint. `typing`: the text's last term is still
        being typed (see `querylang.parse`): what it would be told is the hint ('e.g.
        person:Putin'), not a problem; '' otherwise."""
        problems: list[str] = []
        hint = ""
        flt = Filter()
        if self.topic_query:
            parsed = querylang.parse(self.topic_query, flt, now)
            flt = parsed.filter
            problems += [f"topic {self.topic}: {p}" for p in parsed.problems]
        if self.text.strip():
            parsed = querylang.parse(self.text, flt, now, typing=typing)
            flt = _short_last_word_exact(self.text, parsed.filter)
            problems += parsed.problems
            hint = parsed.hint
        flt = replace(
            flt,
            entities=(*flt.entities, *self.entities),
            exclude_entities=(*flt.exclude_entities, *self.excluded),
            unread_only=flt.unread_only or self.unread_only,
            starred_only=flt.starred_only or self.starred_only,
        )
        if self.thread_id is not None:
            flt = replace(flt, thread_id=self.thread_id)
        return flt, problems, hint

    def chips(self) -> list[Chip]:
        out: list[Chip] = []
        if self.topic:
            out.append(Chip("topic", f"topic: {self.topic}"))
        if self.text.strip():
            out.append(Chip("text", f"/ {self.text.strip()}"))
        for i, ref in enumerate(self.entities):
            out.append(Chip(f"entity:{i}", f"+{KIND_LABEL.get(ref.kind, 'entity')}: {ref.name}"))
        for i, ref in enumerate(self.excluded):
            label = f"-{KIND_LABEL.get(ref.kind, 'entity')}: {ref.name}"
            out.append(Chip(f"exclude:{i}", label, negative=True))
        if self.thread_id is not None:
            out.append(Chip("thread", f"thread: {self.thread_title or self.thread_id}"))
        if self.unread_only:
            out.append(Chip("unread", "unread"))
        if self.starred_only:
            out.append(Chip("starred", "starred"))
        return out

    def without(self, key: str) -> FilterState:
        """This state with one chip removed."""
        if key == "topic":
            return replace(self, topic="", topic_query="")
        if key == "text":
            return replace(self, text="")
        if key == "thread":
            return replace(self, thread_id=None, thread_title="")
        if key == "unread":
            return replace(self, unread_only=False)
        if key == "starred":
            return replace(self, starred_only=False)
        kind, _, index = key.partition(":")
        if kind == "entity" and index.isdigit():
            return replace(self, entities=_drop(self.entities, int(index)))
        if kind == "exclude" and index.isdigit():
            return replace(self, excluded=_drop(self.excluded, int(index)))
        return self

    def toggle_entity(self, ref: EntityRef, *, exclude: bool = False) -> FilterState:
        """Space on an entity: require it, or stop requiring it (and likewise for exclusion)."""
        same = [r for r in self.entities if _same(r, ref)]
        same_ex = [r for r in self.excluded if _same(r, ref)]
        entities = tuple(r for r in self.entities if not _same(r, ref))
        excluded = tuple(r for r in self.excluded if not _same(r, ref))
        if exclude and not same_ex:
            excluded = (*excluded, ref)
        elif not exclude and not same:
            entities = (*entities, ref)
        return replace(self, entities=entities, excluded=excluded)

    def entity_state(self, ref: EntityRef) -> str:
        """'+' when required, '-' when excluded, '' otherwise."""
        if any(_same(r, ref) for r in self.entities):
            return "+"
        if any(_same(r, ref) for r in self.excluded):
            return "-"
        return ""


MIN_PREFIX = 3  # a word being typed matches as a prefix from this many characters on


def _short_last_word_exact(text: str, flt: Filter) -> Filter:
    """While a word is being typed, it filters from its third letter on (its second in a wide
    script; at once when Enter submits the filter: the reader then adds the finishing space).

    A one- or two-letter prefix such as `h*` expands to most of the index (he, his, has, ...):
    it would make the first keystrokes the slowest and narrow almost nothing. So the list stays
    as it was until the word has MIN_PREFIX letters (or is finished with a space).
    """
    if not text or text[-1].isspace() or not (flt.words or flt.any_of):
        return flt
    last = text.split()[-1].lstrip("\"'+")
    if _typed_width(last) >= MIN_PREFIX or not last.isalnum():
        return flt
    if flt.words and flt.words[-1] == last:
        return replace(flt, words=flt.words[:-1])
    if flt.any_of and flt.any_of[-1][-1] == last:  # `ebola OR ch`: ebola until a third letter
        return replace(flt, any_of=(*flt.any_of[:-1], flt.any_of[-1][:-1]))
    return flt


def _typed_width(word: str) -> int:
    """Letters, a wide one (Chinese, Japanese, Korean) counting two: a two-character word
    there is a whole word ('大海', '東京'), and the index holds few tokens that start with it."""
    if word.isascii():
        return len(word)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in word)


def _drop(refs: tuple[EntityRef, ...], index: int) -> tuple[EntityRef, ...]:
    return refs[:index] + refs[index + 1 :]


def _same(a: EntityRef, b: EntityRef) -> bool:
    return a.name.casefold() == b.name.casefold() and a.kind == b.kind

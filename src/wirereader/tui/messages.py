"""What the app's worker threads tell the UI thread, as typed Textual messages.

A worker posts one of these (`post_message` is thread-safe) and the app handles it on its own
thread in `on_<name>`, instead of calling back into the app with `call_from_thread`: each result
has one type that says what it carries, and progress that arrives faster than the UI draws
replaces the progress still waiting in the queue (`can_replace`), as Harlequin's
`ResultsFetched` and Toolong's messages do.
"""

from __future__ import annotations

from textual.message import Message

from wirereader.query.changes import NewItem
from wirereader.query.panes import PaneData


class ViewCounted(Message):
    """The items and unread items in the view, counted for the filter of `generation`."""

    def __init__(self, total: int, unread: int, generation: int) -> None:
        super().__init__()
        self.total = total
        self.unread = unread
        self.generation = generation


class PanesGathered(Message):
    """Entity and thread panes for the filter of `data.generation`."""

    def __init__(self, data: PaneData) -> None:
        super().__init__()
        self.data = data


class RefreshProgressed(Message):
    """`done` of `total` feeds refreshed, then `analysing` entries left to analyse; only the
    latest is worth drawing."""

    def __init__(self, done: int, total: int, analysing: int = 0) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.analysing = analysing

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgressed)


class RefreshFinished(Message):
    """A refresh ended: the items it brought (id, thread) and one line per problem."""

    def __init__(self, new_items: list[NewItem], errors: list[str]) -> None:
        super().__init__()
        self.new_items = new_items
        self.errors = errors


class ArticlesFetched(Message):
    """New full texts are in the cache (or the article layer finished loading): the item being
    read may now show its article."""


class ArticlesFailed(Message):
    """The background article fetch failed; `problem` is one line for a notification."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class AlertRaised(Message):
    """A saved topic's alert with no desktop service to show it: the app rings and shows it."""

    def __init__(self, summary: str, body: str) -> None:
        super().__init__()
        self.summary = summary
        self.body = body


class CacheFailed(Message):
    """The cache's quick check failed: `problem` is the one line the reader ends with."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class ReadingStateSaved(Message):
    """A background write of reading state ended; `error` is one line, empty when it worked."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error

"""A cache with one failing feed whose last error is longer than any terminal line, and one
feed that was fetched and is empty: what the feeds table and the reader's feeds pane must lay
out without squeezing the status or wrapping the error under the next feed."""

from __future__ import annotations

from wirereader.store.db import Store
from wirereader.store.subscriptions import record_failure, record_success, subscribe

LONG_ERROR = (
    "http://127.0.0.1:8765/000_6456d62e45da5321.txt: an article as plain text (a title"
    " line, then its paragraphs), not a feed; save it to a file and read it with"
    " 'wirereader import FILE'"
)


def failing_and_empty_feeds(store: Store) -> None:
    """'Town Notes' failing once with `LONG_ERROR`, 'Harbour Gazette' fetched and empty."""
    bad, _ = subscribe(store, "http://127.0.0.1:8765/000.txt", name="Town Notes")
    record_failure(store, bad, LONG_ERROR, interval=900)
    fine, _ = subscribe(store, "http://news.example.org/feed.xml", name="Harbour Gazette")
    record_success(store, fine, status=200, interval=900)

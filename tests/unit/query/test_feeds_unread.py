"""The feeds screen's unread counts with the reader's marks not written yet over the file's
(`PendingMarks.unread_by_source`): the same counts the file holds once the marks are written,
on the corpus's real feeds fetched into a real cache."""

from __future__ import annotations

from pathlib import Path

from tests.support.feedserver import FeedServer, serve_feeds
from wirereader.core.config import Config, FeedConfig
from wirereader.ingest.refresh import refresh
from wirereader.query.feeds import feed_statuses
from wirereader.query.filters import FilterState
from wirereader.query.reading import PendingMarks
from wirereader.query.timeline import Query
from wirereader.store.db import Store
from wirereader.store.subscriptions import sync_config


def _counts(store: Store, change: dict[int, int] | None = None) -> dict[str, int]:
    return {f.name: f.unread for f in feed_statuses(store, unread_change=change)}


def test_the_feeds_unread_counts_are_what_the_marks_will_write(
    corpus: Path, server: FeedServer, db_path: Path
) -> None:
    config = Config(feeds=[FeedConfig(url=url) for url in serve_feeds(server, corpus / "feeds")])
    with Store(db_path) as store:
        sync_config(store, config)
        assert refresh(store, config).new > 100
        before = _counts(store)
        assert sum(n > 0 for n in before.values()) >= 5
        pending = PendingMarks()
        assert pending.unread_by_source(store) == {}
        bbc = FilterState(text="source:bbc").compose()[0]
        assert not FilterState(text="source:bbc").compose()[1]
        every = Query(store).page(400)
        in_bbc = Query(store, bbc).page(3)
        elsewhere = [row for row in every if row.source != in_bbc[0].source]
        pending.set_read(in_bbc[0].id, False)  # an own mark the view's 'A' then overrides
        pending.mark_all_read(bbc)
        pending.set_read(in_bbc[1].id, False)  # marked unread after the view: unread
        pending.set_read(elsewhere[0].id, True)
        pending.set_read(elsewhere[1].id, True)
        pending.set_read(elsewhere[1].id, False)  # read and unread again: as it was
        for row in elsewhere[2:30:3]:
            pending.set_read(row.id, True)
        pending.set_starred(elsewhere[40].id, True)  # a star changes no count
        shown = _counts(store, pending.unread_by_source(store))
        assert shown != before
        assert pending.flush(store)
        assert _counts(store) == shown
        # Items read in the file and marked unread count again, before the write as after.
        again = PendingMarks()
        for row in elsewhere[2:30:3]:
            again.set_read(row.id, False)
        again.mark_all_read(bbc)
        shown = _counts(store, again.unread_by_source(store))
        assert again.flush(store)
        assert _counts(store) == shown

"""The feeds pane's read model: every subscription with its unread items and its last error."""

from __future__ import annotations

import time
from dataclasses import dataclass

from wirereader.store.db import Store


@dataclass(frozen=True)
class FeedStatus:
    id: int
    name: str
    url: str
    unread: int  # unread items (reposts folded) of the feed and of its live-blog pages
    items: int
    status: str  # 'ok', 'failing', 'waiting', 'new', 'empty'
    last_error: str  # '' once a fetch succeeds again
    problem: str = ""  # why the last body parsed gave no item (subscriptions.Feed.problem)


def feed_statuses(
    store: Store, now: int | None = None, unread_change: dict[int, int] | None = None
) -> list[FeedStatus]:
    """Subscribed feeds by name, each counted over its own source and its live-blog pages'
    sources (one grouped pass over those sources' items, not one count per feed).

    `unread_change` (source id -> items) is added to the file's unread counts: the reader's
    marks not written yet (`PendingMarks.unread_by_source`), so the counts are what it shows."""
    now = int(time.time()) if now is None else now
    conn = store.conn
    feeds = conn.execute(
        "SELECT id, name, url, source_id, last_error, failures, last_success, hold_until,"
        " problem"
        " FROM feeds WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE, id"
    ).fetchall()
    if not feeds:
        return []
    owner = {int(f["source_id"]): int(f["id"]) for f in feeds}
    for feed_id, source_id in conn.execute(
        "SELECT feed_id, source_id FROM liveblog_pages WHERE source_id IS NOT NULL"
    ):
        owner.setdefault(int(source_id), int(feed_id))
    marks = ",".join("?" * len(owner))
    unread: dict[int, int] = {}
    items: dict[int, int] = {}
    kept: set[int] = set()  # feeds with an entry, reposts too
    for source_id, total, fresh in conn.execute(
        "SELECT source_id, sum(repost_of IS NULL), sum(repost_of IS NULL AND read_at IS NULL)"
        f" FROM entries WHERE source_id IN ({marks}) GROUP BY source_id",
        list(owner),
    ):
        feed_id = owner[int(source_id)]
        kept.add(feed_id)
        items[feed_id] = items.get(feed_id, 0) + int(total or 0)
        unread[feed_id] = unread.get(feed_id, 0) + int(fresh or 0)
    for source_id, change in (unread_change or {}).items():
        if source_id in owner:
            feed_id = owner[source_id]
            unread[feed_id] = max(0, unread.get(feed_id, 0) + change)
    out = []
    for f in feeds:
        # The words of `wirereader feeds` (subscriptions.Feed.status), in the same order.
        if f["failures"]:
            status = "failing"
        elif (f["hold_until"] or 0) > now:
            status = "waiting"
        elif f["last_success"] is None:
            status = "new"
        elif int(f["id"]) not in kept:
            status = "empty"
        else:
            status = "ok"
        out.append(
            FeedStatus(
                id=int(f["id"]),
                name=str(f["name"]),
                url=str(f["url"]),
                unread=unread.get(int(f["id"]), 0),
                items=items.get(int(f["id"]), 0),
                status=status,
                last_error=str(f["last_error"] or ""),
                problem=str(f["problem"] or ""),
            )
        )
    return out

"""Statements on `liveblog_pages`: the pages of live-blog items in feeds, followed on refresh."""

from __future__ import annotations

import sqlite3

from wirereader.store.db import Store


def known_pages(store: Store, feed_id: int) -> dict[str, sqlite3.Row]:
    """item id -> what the last refresh knew of that item's page (url, source, hash, validators)."""
    return {
        row["item_id"]: row
        for row in store.conn.execute(
            "SELECT id, item_id, url, source_id, item_hash, etag, last_modified, in_feed"
            " FROM liveblog_pages WHERE feed_id = ?",
            (feed_id,),
        )
    }


def feeds_with_pages_in_feed(store: Store) -> set[int]:
    """Feeds with a followed page whose item is still in the feed: the only ones an unchanged
    feed's refresh has pages to re-check for (`known_pages` read per 304 cost a statement a
    feed, most of them finding nothing)."""
    return {
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT feed_id FROM liveblog_pages WHERE in_feed AND source_id IS NOT NULL"
        )
    }


def record_page(
    store: Store,
    *,
    feed_id: int,
    item_id: str,
    url: str,
    source_id: int | None,
    item_hash: str,
    etag: str | None,
    last_modified: str | None,
    fetched_at: int,
) -> None:
    """Inside the feed's transaction: what we now know of one live-blog page (its item is in the
    feed)."""
    store.conn.execute(
        "INSERT INTO liveblog_pages (feed_id, item_id, url, source_id, item_hash, etag,"
        " last_modified, last_fetch, in_feed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (feed_id, item_id) DO UPDATE SET url = excluded.url,"
        " source_id = COALESCE(excluded.source_id, source_id), item_hash = excluded.item_hash,"
        " etag = excluded.etag, last_modified = excluded.last_modified,"
        " last_fetch = excluded.last_fetch, in_feed = 1",
        (feed_id, item_id, url, source_id, item_hash, etag, last_modified, fetched_at),
    )


def mark_in_feed(store: Store, feed_id: int, item_ids: set[str]) -> None:
    """Record which followed pages' items are still in the feed (only the rows that change)."""
    rows = store.conn.execute(
        "SELECT id, item_id, in_feed FROM liveblog_pages WHERE feed_id = ?", (feed_id,)
    ).fetchall()
    for row in rows:
        present = int(row["item_id"] in item_ids)
        if present != row["in_feed"]:
            store.conn.execute(
                "UPDATE liveblog_pages SET in_feed = ? WHERE id = ?", (present, row["id"])
            )

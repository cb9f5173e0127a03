"""The unfiltered view's counts kept by the writer (`item_totals`, migration 0059): equal to a
count of the rows after every kind of write, on a new cache and on one converted from 0052."""

from __future__ import annotations

import sqlite3
from datetime import date, timezone
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.ingest.files import import_file
from wirereader.query.reading import mark_all_read
from wirereader.query.timeline import Filter, Query
from wirereader.store import prune, reading
from wirereader.store.db import Store

ITEMS = "SELECT count(*) FROM entries WHERE repost_of IS NULL"
UNREAD = ITEMS + " AND read_at IS NULL"


def counted(store: Store) -> tuple[int, int]:
    conn = store.conn
    return int(conn.execute(ITEMS).fetchone()[0]), int(conn.execute(UNREAD).fetchone()[0])


def kept(store: Store) -> tuple[int | None, int | None]:
    """What the reader is told without counting (None: it would count)."""
    return (
        Query(store, Filter()).known_count(),
        Query(store, Filter(unread_only=True)).known_count(),
    )


def fill(store: Store) -> None:
    """The bundled live blog (reposts folded by the analysis) and article, as a user imports."""
    import_file(store, LIVEBLOG_SEED, day=date(2025, 3, 1), tz=timezone.utc)
    import_file(store, ARTICLE_SEED, day=date(2025, 3, 1), tz=timezone.utc)


def test_the_writer_keeps_the_totals_exact_through_every_kind_of_write(store: Store) -> None:
    assert kept(store) == (0, 0) == counted(store)
    fill(store)
    items, unread = counted(store)
    reposts = store.conn.execute("SELECT count(*) FROM entries WHERE repost_of IS NOT NULL")
    assert items > 10 and reposts.fetchone()[0] > 0  # the analysis folded some reposts
    assert kept(store) == (items, unread)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
    # A repost marked read reaches its item; marking read twice changes nothing.
    repost = store.conn.execute("SELECT id FROM entries WHERE repost_of IS NOT NULL").fetchone()[0]
    reading.mark_read(store, repost)
    reading.mark_read(store, ids[0])
    reading.mark_read(store, ids[0])
    assert kept(store) == counted(store) and counted(store)[1] < unread
    reading.mark_unread(store, ids[0])
    assert kept(store) == counted(store)
    # An item becoming a repost, and a repost becoming an item again (the analysis re-run).
    with store.transaction() as conn:
        conn.execute("UPDATE entries SET repost_of = ? WHERE id = ?", (ids[1], ids[2]))
        conn.execute("UPDATE entries SET repost_of = NULL WHERE id = ?", (repost,))
    assert kept(store) == counted(store)
    mark_all_read(store, Filter(words=("the",)))
    assert kept(store) == counted(store)
    # Pruning deletes items and reposts.
    newest = store.conn.execute("SELECT max(published_at) FROM entries").fetchone()[0]
    assert prune.prune(store, newest - 600).entries > 0
    assert kept(store) == counted(store)
    mark_all_read(store, Filter())
    assert kept(store) == (counted(store)[0], 0)


def test_a_cache_from_before_0059_gets_its_totals_and_counts_without_the_triggers(
    db_path: Path,
) -> None:
    with Store(db_path) as store:
        fill(store)
        reading.mark_read(store, 1)
        expected = counted(store)
    # As 0052 left it: no table, no triggers, no record of 0059.
    conn = sqlite3.connect(db_path)
    for name in ("item_totals_insert", "item_totals_delete", "item_totals_update"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE item_totals")
    conn.execute("DROP INDEX entities_by_count")
    conn.execute("DELETE FROM schema_migrations WHERE version = 59")
    conn.execute("PRAGMA user_version = 52")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert kept(store) == expected
        # A trigger lost (a rebuild of `entries` that did not create it again): the reader
        # counts instead of trusting a row nothing keeps any more.
        store.conn.execute("DROP TRIGGER item_totals_update")
        assert kept(store) == (None, None)
        assert Query(store, Filter()).count() == expected[0]
        assert Query(store, Filter(unread_only=True)).count() == expected[1]

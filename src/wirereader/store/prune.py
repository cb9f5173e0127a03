"""Explicit pruning, on request only (`wirereader prune --older-than 90d`).

wirereader never deletes behind the user's back; this is the one way to make a cache smaller.
What goes is decided per story, never half of one:

- an item goes with its reposts and every version of its text, and only when the newest of them
  is older than the cutoff (a repost last week keeps a story from March);
- an item in a story thread goes only with its whole thread, and the thread goes only when every
  item of it is old: a running story keeps its history, and no thread is left with a headline,
  a centroid or a size that points at deleted rows;
- anything starred is kept, and so is every thread holding a starred item.

Rows that point at what goes are found from the schema (`PRAGMA foreign_key_list`), not from a
list written here, so a table a later migration adds is handled too: a reference that cannot be
NULL (or is the row's key) goes with the row it points at, a nullable one is cleared.
Document frequencies (`term_df`) stay as they are: they describe the text seen so far, and
lowering them for deleted items would shift the weights of every thread still in the cache.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field

from wirereader.store import threads as thread_store
from wirereader.store.db import Store


@dataclass
class PruneSummary:
    cutoff: int  # UTC epoch seconds: items whose newest version is older go
    items: int = 0  # items (reposts folded) that go
    entries: int = 0  # raw entries that go: the items and their reposts
    versions: int = 0  # stored versions of their texts
    threads: int = 0  # story threads that go whole
    oldest: int | None = None  # the oldest and newest time among what goes
    newest: int | None = None
    per_source: dict[str, int] = field(default_factory=dict)  # source name -> items
    kept_starred: int = 0  # old items kept: starred, or in a thread with a starred item
    kept_running: int = 0  # old items kept: their thread has newer items

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def prune(store: Store, cutoff: int, *, dry_run: bool = False) -> PruneSummary:
    """Delete (or, with `dry_run`, only count) what is older than `cutoff`; one transaction."""
    with store.transaction() as conn:
        summary = _select(conn, cutoff)
        if not dry_run and summary.entries:
            _delete(conn)
        conn.execute("DROP TABLE IF EXISTS temp.prune_entries")
        conn.execute("DROP TABLE IF EXISTS temp.prune_threads")
        conn.execute("DROP TABLE IF EXISTS temp.prune_groups")
    return summary


def _select(conn: sqlite3.Connection, cutoff: int) -> PruneSummary:
    # One row per item: its newest time and whether any entry of it is starred.
    conn.execute(
        "CREATE TEMP TABLE prune_groups AS"
        " SELECT coalesce(e.repost_of, e.id) AS item, max(e.published_at) AS newest,"
        " max(e.starred) AS starred FROM entries e GROUP BY item"
    )
    conn.execute(
        "CREATE TEMP TABLE prune_threads AS"
        " SELECT i.thread_id AS id FROM temp.prune_groups g JOIN entries i ON i.id = g.item"
        " WHERE i.thread_id IS NOT NULL GROUP BY i.thread_id"
        " HAVING max(g.newest) < ? AND max(g.starred) = 0",
        (cutoff,),
    )
    conn.execute(
        "CREATE TEMP TABLE prune_entries AS SELECT e.id AS id FROM entries e"
        " JOIN temp.prune_groups g ON g.item = coalesce(e.repost_of, e.id)"
        " JOIN entries i ON i.id = g.item"
        " WHERE g.newest < ? AND g.starred = 0 AND (i.thread_id IS NULL"
        " OR i.thread_id IN (SELECT id FROM temp.prune_threads))",
        (cutoff,),
    )
    summary = PruneSummary(cutoff=cutoff)
    row = conn.execute(
        "SELECT count(*), sum(e.repost_of IS NULL), min(e.published_at), max(e.published_at)"
        " FROM entries e WHERE e.id IN (SELECT id FROM temp.prune_entries)"
    ).fetchone()
    summary.entries, summary.items = int(row[0]), int(row[1] or 0)
    summary.oldest, summary.newest = row[2], row[3]
    summary.versions = int(
        conn.execute(
            "SELECT count(*) FROM entry_versions"
            " WHERE entry_id IN (SELECT id FROM temp.prune_entries)"
        ).fetchone()[0]
    )
    summary.threads = int(conn.execute("SELECT count(*) FROM temp.prune_threads").fetchone()[0])
    summary.per_source = {
        str(name): int(count)
        for name, count in conn.execute(
            "SELECT coalesce(nullif(s.name, ''), s.key), count(*) FROM entries e"
            " JOIN sources s ON s.id = e.source_id"
            " WHERE e.repost_of IS NULL AND e.id IN (SELECT id FROM temp.prune_entries)"
            " GROUP BY s.id ORDER BY count(*) DESC, 1"
        )
    }
    # Old items that stay, and why: a star (theirs or their thread's), or a thread still running.
    kept = conn.execute(
        "SELECT sum(g.starred = 1 OR i.thread_id IN (SELECT i2.thread_id FROM temp.prune_groups"
        " g2 JOIN entries i2 ON i2.id = g2.item WHERE g2.starred = 1 AND i2.thread_id IS NOT"
        " NULL)), count(*) FROM temp.prune_groups g JOIN entries i ON i.id = g.item"
        " WHERE g.newest < ? AND g.item NOT IN (SELECT id FROM temp.prune_entries)",
        (cutoff,),
    ).fetchone()
    summary.kept_starred = int(kept[0] or 0)
    summary.kept_running = int(kept[1]) - summary.kept_starred
    return summary


def _references(conn: sqlite3.Connection, target: str) -> list[tuple[str, str, bool]]:
    """(table, column, deletes) for every foreign key pointing at `target`: `deletes` when the
    column cannot be NULL or is the row's key, so the row cannot outlive what it points at."""
    found = []
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        columns = {
            str(c[1]): (bool(c[3]), bool(c[5]))
            for c in conn.execute(f'PRAGMA table_info("{table}")')
        }
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            if str(fk[2]) != target or table == target:
                continue
            column = str(fk[3])
            not_null, is_key = columns.get(column, (False, False))
            found.append((table, column, not_null or is_key))
    return found


def _clear(conn: sqlite3.Connection, target: str, doomed: str) -> None:
    for table, column, deletes in _references(conn, target):
        if deletes:
            conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({doomed})')
        else:
            conn.execute(f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" IN ({doomed})')


def _delete(conn: sqlite3.Connection) -> None:
    entries = "SELECT id FROM temp.prune_entries"
    # Entity counts are mentions by entries: lowered by the mentions that go.
    conn.execute(
        "UPDATE entities SET count = max(0, count - (SELECT count(*) FROM entry_entities m"
        f" WHERE m.entity_id = entities.id AND m.entry_id IN ({entries})))"
        f" WHERE id IN (SELECT entity_id FROM entry_entities WHERE entry_id IN ({entries}))"
    )
    versions = f"SELECT id FROM entry_versions WHERE entry_id IN ({entries})"
    _clear(conn, "entry_versions", versions)
    _clear(conn, "entries", entries)
    conn.execute(f"DELETE FROM entries WHERE id IN ({entries})")  # FTS rows: by its trigger
    threads = "SELECT id FROM temp.prune_threads"
    thread_store.forget_threads(conn, threads)  # (the candidate index names them by value)
    _clear(conn, "threads", threads)
    conn.execute(f"DELETE FROM threads WHERE id IN ({threads})")

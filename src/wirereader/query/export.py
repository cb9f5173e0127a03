"""`export --format json`: every raw entry as `entries --all --json` prints it (embedded posts
and links included), plus what a move to another cache needs: the entry's identity (its
source's key and its stable id, the keys the cache itself uses, so a later fetch of the same
feed recognises the entries) and its reading state (`read_at`, `starred`). `ingest/restore.py`
reads it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wirereader.query.timeline import EntryRow, Filter, Query, iso_utc
from wirereader.store.db import Store

# The first keys of every exported entry: an import recognises an export by its first bytes.
IDENTITY_KEYS = ("source_key", "stable_id")


def export_entries(store: Store) -> list[dict[str, Any]]:
    """Every raw entry, oldest first within the timeline order, with identity and state."""
    rows = Query(store, Filter(all_entries=True)).all(details=True)
    extra = {
        int(r[0]): r
        for r in store.conn.execute(
            "SELECT e.id, s.key, s.kind, s.name, s.title, s.url, e.stable_id, e.read_at,"
            " e.starred FROM entries e"
            " JOIN sources s ON s.id = e.source_id"
        )
    }
    return [_exported(row, extra[row.id]) for row in rows]


def _exported(row: EntryRow, ident: Any) -> dict[str, Any]:
    return {
        "source_key": ident[1],
        "stable_id": ident[6],
        "source_kind": ident[2],
        "source_title": ident[4],
        "source_url": ident[5],
        **row.to_json(with_canonical=True),
        "read_at": iso_utc(int(ident[7])) if ident[7] is not None else None,
        "starred": bool(ident[8]),
    }


def export_stream(store: Store) -> Iterator[dict[str, Any]]:
    """`export_entries` read a chunk at a time (the rows stream; each entry's identity and
    state is one lookup by primary key)."""
    lookup = store.conn.cursor()
    for row in Query(store, Filter(all_entries=True)).stream(details=True):
        ident = lookup.execute(
            "SELECT e.id, s.key, s.kind, s.name, s.title, s.url, e.stable_id, e.read_at,"
            " e.starred FROM entries e JOIN sources s ON s.id = e.source_id"
            " WHERE e.id = ?",
            (row.id,),
        ).fetchone()
        yield _exported(row, ident)

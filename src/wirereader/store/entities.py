"""The statements of entities (analysis/entities/record.py, and the pipeline's entity terms):
entities, entity_keys, entity_aliases, entity_scoped_keys, entry_entities, entity_extracted
(0020_analysis.sql, 0025_entities.sql). Each runs inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from wirereader.store.bulk import MAX_PARAMETERS, execute_rows, select_in, update_rows

_CHUNK = 500  # rows per statement, well under SQLite's parameter limit


# A text hash (core.model.text_hash, 24 hex digits) is stored as its 12 bytes: 37 -> 25 bytes
# per entry on the 40k feed corpus. Rows written before hold the hex text, read as it is.


def _stored_hash(text_hash: str) -> bytes | str:
    try:
        return bytes.fromhex(text_hash)
    except ValueError:  # not a hash this module wrote: kept as it is
        return text_hash


def _read_hash(stored: object) -> object:
    return stored.hex() if isinstance(stored, bytes) else stored


def extracted_hashes(conn: sqlite3.Connection, entry_ids: Iterable[int]) -> list[Any]:
    """(entry id, text hash) of these entries' texts whose entities were extracted."""
    rows = select_in(conn, "entry_id, text_hash", "entity_extracted", "entry_id", entry_ids)
    return [(row[0], _read_hash(row[1])) for row in rows]


def entry_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, source_id, thread_id, title, body, author) of these entries."""
    cols = "e.id, e.source_id, e.thread_id, e.title, wirereader_body(t.body), e.author"
    return select_in(
        conn, cols, "entries e LEFT JOIN entry_texts t ON t.entry_id = e.id", "e.id", ids
    )


def entities_by_key(conn: sqlite3.Connection, keys: Iterable[str]) -> list[Any]:
    """(kind, key, entity id, name) of the entities these folded name keys find."""
    return select_in(
        conn,
        "k.kind, k.key, k.entity_id, e.name",
        "entity_keys k JOIN entities e ON e.id = k.entity_id",
        "k.key",
        keys,
    )


def scoped_names(
    conn: sqlite3.Connection, pairs: Sequence[tuple[str, str]]
) -> Iterator[tuple[str, str, str | None]]:
    """(scope, key, name) of the stored short forms among these (scope, key) pairs (the name
    None where a short form is known to be ambiguous), asked in chunks in the pairs' order."""
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        values = ",".join("(?, ?)" for _ in chunk)
        yield from conn.execute(
            f"SELECT s.scope, s.key, e.name FROM (VALUES {values}) v"
            " JOIN entity_scoped_keys s ON s.scope = v.column1 AND s.key = v.column2"
            " LEFT JOIN entities e ON e.id = s.entity_id",
            [v for pair in chunk for v in pair],
        )


def insert_entity_keys(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, int]]) -> None:
    """(kind, key, entity id) rows; a key already stored stays as it is."""
    conn.executemany(
        "INSERT OR IGNORE INTO entity_keys (kind, key, entity_id) VALUES (?, ?, ?)", rows
    )


def insert_aliases(conn: sqlite3.Connection, rows: Sequence[tuple[str, int]]) -> None:
    """(alias, entity id) rows of a batch, in multi-row statements; known ones stay as they are."""
    execute_rows(conn, "INSERT OR IGNORE INTO entity_aliases (alias, entity_id)", rows)


def entity_id(conn: sqlite3.Connection, name: str, kind: str) -> int:
    """The id of the entity of this name and kind, created when it is new."""
    row = conn.execute(
        "INSERT INTO entities (name, kind) VALUES (?, ?)"
        " ON CONFLICT (name, kind) DO UPDATE SET name = excluded.name RETURNING id",
        (name, kind),
    ).fetchone()
    return int(row[0])


def entity_ids(
    conn: sqlite3.Connection, rows: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The ids of the entities of these (name, kind) pairs (each once), creating the new ones
    in the pairs' order (so they are numbered as `entity_id` one by one would number them), in
    multi-row statements."""
    ids: dict[tuple[str, str], int] = {}
    per_chunk = MAX_PARAMETERS // 2
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        found = conn.execute(
            f"INSERT INTO entities (name, kind) VALUES {','.join(['(?, ?)'] * len(chunk))}"
            " ON CONFLICT (name, kind) DO UPDATE SET name = excluded.name"
            " RETURNING id, name, kind",
            [v for pair in chunk for v in pair],
        ).fetchall()
        for entity, name, kind in found:
            ids[(name, kind)] = int(entity)
    return ids


def newest_entity(conn: sqlite3.Connection) -> int:
    """The highest entity id (0 in a cache without entities): it moves whenever an entity is
    created, and back when a transaction that created some is rolled back."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM entities").fetchone()[0])


def save_scoped_keys(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, int | None]]) -> None:
    """(scope, key, entity id or None) rows, replacing what each (scope, key) held."""
    execute_rows(
        conn,
        "INSERT INTO entity_scoped_keys (scope, key, entity_id)",
        rows,
        "ON CONFLICT (scope, key) DO UPDATE SET entity_id = excluded.entity_id",
    )


def forget_scopes(conn: sqlite3.Connection, scopes: Sequence[str]) -> None:
    """The short forms learned in these scopes go (the scopes no longer exist)."""
    conn.executemany("DELETE FROM entity_scoped_keys WHERE scope = ?", [(s,) for s in scopes])


def mark_extracted(conn: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
    """(entry id, text hash) rows: these texts' entities are now stored."""
    execute_rows(
        conn,
        "INSERT INTO entity_extracted (entry_id, text_hash)",
        [(entry_id, _stored_hash(text_hash)) for entry_id, text_hash in rows],
        "ON CONFLICT (entry_id) DO UPDATE SET text_hash = excluded.text_hash",
    )


def mentioned_entities(conn: sqlite3.Connection, entry_ids: Sequence[int]) -> list[Any]:
    """(entity id, entry id) of the stored mentions of these entries."""
    return select_in(conn, "entity_id, entry_id", "entry_entities", "entry_id", entry_ids)


def entities_of_entries(conn: sqlite3.Connection, entry_ids: Sequence[int]) -> list[Any]:
    """(entry id, entity id, mentions) of the stored mentions of these entries."""
    return select_in(conn, "entry_id, entity_id, mentions", "entry_entities", "entry_id", entry_ids)


def kinds_and_names(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, kind, name) of these entities."""
    return select_in(conn, "id, kind, name", "entities", "id", ids)


def delete_mentions(conn: sqlite3.Connection, entry_ids: Sequence[int]) -> None:
    """Forget the stored mentions of these entries (counts are the caller's to move)."""
    for start in range(0, len(entry_ids), _CHUNK):
        chunk = entry_ids[start : start + _CHUNK]
        conn.execute(
            f"DELETE FROM entry_entities WHERE entry_id IN ({','.join('?' * len(chunk))})", chunk
        )


def insert_mentions(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, int]]) -> None:
    """(entity id, entry id, mentions) rows."""
    execute_rows(conn, "INSERT INTO entry_entities (entity_id, entry_id, mentions)", rows)


def add_to_counts(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """(difference, entity id) rows, each of another entity: each entity's count of entries
    moves by its difference."""
    update_rows(
        conn, "UPDATE entities SET count = count + v.column1", "entities.id = v.column2", rows
    )

"""Every text an entry ever had, each stored once.

`entries` holds an entry's current title and `entry_texts` its current body, packed (the
full-text index is built over them; store/texts.py).
`entry_versions` holds one row per version: its metadata always, its text only when that text is
no longer the entry's current one. A version row whose `text` is NULL means "the entry's current
title and body"; an earlier text is kept zlib-compressed (`pack`). Before an entry's title or body
changes, `keep_current_text` packs the text that is about to be replaced into the rows that
pointed at it, so nothing is lost and no text is ever stored twice.

Why zlib (the standard library) and not zstd: old versions are a small share of a cache (most
entries never change, and a current text is never packed), so a better codec would save little
of the file for a dependency on every install. Measured on the corpus's real feed and live-blog
texts over 200 characters (124 items, split in two halves): zlib keeps 68% / 57% of the bytes at
level 6; level 9 gains nothing more and level 1 is within 1%.

A version's metadata (author, published, updated, content_hash) is stored once too: a row whose
`content_hash` is `SAME_AS_ENTRY` ('', never a real hash) takes all four from its entry's
current row (its own `author` is '' and `published`, `updated` NULL). That is what nearly every
version row is: an entry's first version, written as the entry is (most entries never change).
The full row was 82 bytes of the 2,175 per item a 40k feed cache took; this form is ~22.
Before an entry's metadata changes, the trigger `META_TRIGGER` writes the values being replaced
into the rows that took them from it, so no version's metadata ever changes with its entry
(migration 0053, store/migrate_version_meta.py, converts older caches).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from wirereader.store import texts

# The first byte names the encoding, so a later format (a delta, another codec) can sit beside it.
_ZLIB = b"z"
_LEVEL = 6  # zlib's default; level 9 saved nothing more on the corpus's news texts

# `content_hash` of a version row whose metadata is its entry's current metadata (see above).
SAME_AS_ENTRY = ""
# Keeps a version's metadata when its entry's changes: the values being replaced are written
# into the rows that read them from the entry. A trigger, so no writer can forget it.
META_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS entry_versions_keep_meta"
    " AFTER UPDATE OF author, published, updated, content_hash ON entries"
    " WHEN old.author IS NOT new.author OR old.published IS NOT new.published"
    " OR old.updated IS NOT new.updated OR old.content_hash IS NOT new.content_hash BEGIN"
    " UPDATE entry_versions SET author = old.author, published = old.published,"
    " updated = old.updated, content_hash = old.content_hash"
    f" WHERE entry_id = old.id AND content_hash = '{SAME_AS_ENTRY}';"
    " END"
)


class VersionTextError(ValueError):
    """A stored version text that cannot be decoded (a damaged cache)."""


def pack(title: str, body: str) -> bytes:
    """A version's title and body as one compressed value."""
    raw = json.dumps([title, body], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _ZLIB + zlib.compress(raw, _LEVEL)


def unpack(blob: bytes) -> tuple[str, str]:
    """The (title, body) of a packed version text."""
    if not blob or blob[:1] != _ZLIB:
        raise VersionTextError("unknown version text encoding")
    try:
        title, body = json.loads(zlib.decompress(blob[1:]).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise VersionTextError(f"damaged version text ({exc})") from exc
    return str(title), str(body)


@dataclass
class Version:
    """One text an entry had, with when and where it was seen."""

    id: int
    entry_id: int
    title: str
    body: str
    author: str
    published: str | None
    updated: str | None
    content_hash: str
    seen_at: int
    origin: str  # 'feed', or 'article': the full text fetched from `url`
    url: str
    damaged: bool = False  # its packed text could not be decoded: title and body are empty


_SAME = f"v.content_hash = '{SAME_AS_ENTRY}'"
_SELECT = (
    f"SELECT v.id, v.entry_id, CASE WHEN {_SAME} THEN e.author ELSE v.author END,"
    f" CASE WHEN {_SAME} THEN e.published ELSE v.published END,"
    f" CASE WHEN {_SAME} THEN e.updated ELSE v.updated END,"
    f" CASE WHEN {_SAME} THEN e.content_hash ELSE v.content_hash END, v.seen_at,"
    " v.origin, v.url, v.text, e.title AS current_title, t.body AS current_body"
    " FROM entry_versions v JOIN entries e ON e.id = v.entry_id"
    " LEFT JOIN entry_texts t ON t.entry_id = v.entry_id"
)


def _version(row: sqlite3.Row | tuple) -> Version:
    damaged = False
    if row[9] is None:
        title, body = row[10], texts.unpack(row[11])
    else:
        try:
            title, body = unpack(row[9])
        except VersionTextError:
            # A damaged page: say so where the version is shown, never show another text.
            title, body, damaged = "", "", True
    return Version(
        damaged=damaged,
        id=row[0],
        entry_id=row[1],
        title=title,
        body=body,
        author=row[2],
        published=row[3],
        updated=row[4],
        content_hash=row[5],
        seen_at=row[6],
        origin=row[7],
        url=row[8],
    )


def versions_of(conn: sqlite3.Connection, entry_ids: Iterable[int]) -> list[Version]:
    """Every version of these entries, in the order they were stored (by id)."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return []
    out: list[Version] = []
    # Chunks stay under SQLite's variable limit; an item has few members, this is one query.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"{_SELECT} WHERE v.entry_id IN ({marks}) ORDER BY v.id", chunk)
        out += [_version(row) for row in rows]
    out.sort(key=lambda v: v.id)
    return out


def latest_version(
    conn: sqlite3.Connection, entry_id: int, *, origin: str | None = None
) -> Version | None:
    """The newest version of an entry (of one origin, when given)."""
    where = "v.entry_id = ?" + (" AND v.origin = ?" if origin is not None else "")
    params: list[object] = [entry_id] if origin is None else [entry_id, origin]
    row = conn.execute(f"{_SELECT} WHERE {where} ORDER BY v.id DESC LIMIT 1", params).fetchone()
    return _version(row) if row is not None else None


def keep_current_text(conn: sqlite3.Connection, entry_id: int) -> None:
    """Pack the entry's current title and body into the version rows that point at it.

    Call inside the write transaction, before the entry's title or body is changed."""
    if conn.execute(
        "SELECT 1 FROM entry_versions WHERE entry_id = ? AND text IS NULL LIMIT 1", (entry_id,)
    ).fetchone():
        row = conn.execute("SELECT title FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is not None:
            conn.execute(
                "UPDATE entry_versions SET text = ? WHERE entry_id = ? AND text IS NULL",
                (pack(row[0], texts.body_of(conn, entry_id)), entry_id),
            )


def make_current(conn: sqlite3.Connection, version_id: int) -> None:
    """Mark a version as the entry's current text (which the caller has just written to
    `entries`): its packed copy is dropped, the text lives in `entries` alone."""
    conn.execute("UPDATE entry_versions SET text = NULL WHERE id = ?", (version_id,))


def add_version(
    conn: sqlite3.Connection,
    entry_id: int,
    *,
    author: str,
    published: str | None,
    updated: str | None,
    content_hash: str,
    seen_at: int,
    origin: str = "feed",
    url: str = "",
) -> int:
    """A version row for the text the entry holds now (write `entries` first); short when its
    metadata is the entry's (SAME_AS_ENTRY)."""
    current = conn.execute(
        "SELECT author, published, updated, content_hash FROM entries WHERE id = ?", (entry_id,)
    ).fetchone()
    if current is not None and tuple(current) == (author, published, updated, content_hash):
        author, published, updated, content_hash = "", None, None, SAME_AS_ENTRY
    cur = conn.execute(
        "INSERT INTO entry_versions (entry_id, author, published, updated, content_hash, seen_at,"
        " origin, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (entry_id, author, published, updated, content_hash, seen_at, origin, url),
    )
    return int(cur.lastrowid or 0)


def version_counts(conn: sqlite3.Connection, entry_ids: list[int]) -> dict[int, int]:
    """How many versions each of these entries has (metadata only: no text is read)."""
    if not entry_ids:
        return {}
    marks = ",".join("?" * len(entry_ids))
    return {
        row[0]: row[1]
        for row in conn.execute(
            f"SELECT entry_id, count(*) FROM entry_versions WHERE entry_id IN ({marks})"
            " GROUP BY entry_id",
            entry_ids,
        )
    }

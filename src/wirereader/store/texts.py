"""Entry bodies, compressed, in a table of their own (`entry_texts`), and the full-text index over
them.

Why a table of its own: the body was most of an `entries` row (1,305 of ~1,600 bytes per item on
the 40k feed corpus), so a 4 KB page held two rows. Every update of an entry's small fields (the
analysis setting `thread_id` and `analysed_hash`, marking read) rewrote a page per two items, and
every body was stored in full beside the index built from it. With the body moved out, an
`entries` row is ~300 bytes (13 to a page): the analysis's writes shrink in proportion, and the
~44 readers of `thread_id` and the other columns are unchanged. A narrow table for the analysis
state alone (issue 17's first idea) would have cut the same writes but put a join into every
one of those readers, and left the body uncompressed.

Why zlib (standard library): measured on the 40k feed corpus's bodies, level 6 keeps 41% of the
bytes (level 1: 42%, level 9: the same as 6); on real news texts (the corpus's feeds and live
blogs) it kept 57-68%. A body whose compressed form would not be smaller (short teasers) is kept
as plain text: SQLite's type says which (`TEXT` plain, `BLOB` packed). The deflate is ISA-L's
(`isal`, level 3) where its wheel installs: the same zlib format, so zlib reads every body and
older caches need nothing, at 8.0 against zlib 6's 20.3 us a body on the feed corpus (41.5% of
the bytes kept against 41.2%) and 15.9 against 67.4 us on 200 real feeds' bodies (44.8% / 43.5%).

Readers get the text back with the SQL function `wirereader_body(entry_texts.body)`, registered
on every connection the store opens (`register`). The full-text index (`entries_fts`) is an
external-content FTS5 table over the view `entries_fts_source` (title from `entries`, body
unpacked), so `rebuild` and the content integrity check work as before; its rows are kept by
triggers on `entry_texts` (insert, delete, a changed body) and on `entries` (a changed title),
which give FTS5 the old values its deletes need. Every entry has a text row (an empty body
included), so every title is indexed. A connection without the function (the `sqlite3` shell)
can read everything except bodies and cannot change a title or a body: it fails with "no such
function", never silently.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import cast

from wirereader.core.interruptible import keep_interrupt
from wirereader.core.text import fts_text

_compress: Callable[[bytes, int], bytes]
_decompress: Callable[[bytes], bytes]
_DAMAGED: tuple[type[Exception], ...]  # what a decompress raises for bytes that are no body
try:  # ISA-L's deflate: zlib's format (zlib reads it back), a third of zlib's CPU on bodies
    from isal.isal_zlib import compress as _compress
    from isal.isal_zlib import decompress as _decompress
    from isal.isal_zlib import error as _isal_error

    _LEVEL = 3  # ISA-L's highest: within 0.3-1.3 points of zlib 6's share of the bytes
    # ISA-L's inflate reads any zlib stream (zlib's own bodies of older caches too), to the
    # same bytes, and fails where zlib fails (a wrong header, check or block), at two thirds
    # of zlib's CPU: 4.2 against 6.1 us a body of the news-like corpus (~520 packed bytes).
    # (isal's stubs declare its `error` an instance; it is the class the inflate raises.)
    _DAMAGED = (zlib.error, cast("type[Exception]", _isal_error), UnicodeDecodeError)
except ImportError:  # a platform with no wheel of it: zlib's default, as before
    _compress = zlib.compress
    _decompress = zlib.decompress
    _LEVEL = 6
    _DAMAGED = (zlib.error, UnicodeDecodeError)

FUNCTION = "wirereader_body"
_ZLIB = b"z"  # the first byte names the encoding (as in versions.pack), so another can follow
_MIN_PACKED = 64  # characters: below this zlib's own overhead (~11 bytes) rarely pays


def pack(body: str) -> str | bytes:
    """A body as stored: packed when that is smaller, else the text itself."""
    if len(body) < _MIN_PACKED:
        return body
    raw = body.encode("utf-8")
    packed = _ZLIB + _compress(raw, _LEVEL)
    return packed if len(packed) < len(raw) else body


# Bodies packed before they came here (`prepacked`: by a parse worker), by body.
_prepacked: Mapping[str, str | bytes] = {}


@contextmanager
def prepacked(bodies: Mapping[str, str | bytes]) -> Iterator[None]:
    """Within: a body in `bodies` is stored as given there (what `pack` made of it in another
    process: the same bytes) instead of being packed again."""
    global _prepacked
    before, _prepacked = _prepacked, bodies
    try:
        yield
    finally:
        _prepacked = before


def _packed(body: str) -> str | bytes:
    given = _prepacked.get(body)
    return pack(body) if given is None else given


# Bodies packed by the statement running now, by their packed bytes: the index trigger unpacks
# what `insert_bodies` has just packed, and this spares it the decompression (7 of the 30 us a
# new body cost on the 40k feed corpus). A hit is always right: the key is the packed value.
_just_packed: dict[bytes, str] = {}
# Whether those bodies also go into the cache of recent bodies (`_remember`): not when the
# caller keeps the texts it saved and hands them on itself (`insert_bodies(remember=False)`).
_remember_just_packed = True


def unpack(stored: object) -> str:
    """The body a stored value holds. Never raises: a value that cannot be decoded (a damaged
    page) reads as an empty body, always the same for the same bytes, so the full-text index's
    delete of that row matches its insert."""
    if stored is None:
        return ""
    if isinstance(stored, str):
        return stored
    if isinstance(stored, bytes) and stored in _just_packed:
        new = _just_packed[stored]
        if _remember_just_packed:
            _remember(stored, new)  # (the analysis after a save reads it back next)
        return new
    if isinstance(stored, bytes) and stored[:1] == _ZLIB:
        known = _recent.get(stored)
        if known is not None:
            return known
        try:
            body = _decompress(stored[1:]).decode("utf-8")
        except _DAMAGED:
            return ""
        _remember(stored, body)
        return body
    return ""


# Bodies unpacked (or stored) lately, by their packed bytes: the analysis reads each pending
# body twice (the worker's texts for the next batch, then the batch's own rows; in a refresh,
# the texts sent ahead right after the feed's save, then the batch), and unpacking was 3.7% of
# its process's CPU on the 40k feed corpus. A hit is always right: the key is the packed value.
# Bounded by count (the second read comes within two batches) and by size.
_RECENT_BODIES = 4_096
_RECENT_CHARS = 8 << 20
_recent: OrderedDict[bytes, str] = OrderedDict()  # oldest first
_recent_chars = 0


_recent_lock = threading.Lock()  # (readers on other threads unpack through their connections)


def _remember(stored: bytes, body: str) -> None:
    global _recent_chars
    if len(body) > _RECENT_CHARS // 64:
        return  # (a long article: it would push out many)
    with _recent_lock:
        while _recent and (
            len(_recent) >= _RECENT_BODIES or _recent_chars + len(body) > _RECENT_CHARS
        ):
            _recent_chars -= len(_recent.popitem(last=False)[1])
        if stored not in _recent:
            _recent[stored] = body
            _recent_chars += len(body)


def is_stored_body(value: object) -> bool:
    """Whether a value read off a damaged page can be a stored body (plain, or packed and
    whole): what tells `entry_texts` rows from the index's blobs in a recovery."""
    if isinstance(value, str):
        return True
    if not isinstance(value, bytes) or value[:1] != _ZLIB:
        return False
    try:
        _decompress(value[1:]).decode("utf-8")
    except _DAMAGED:
        return False
    return True


def register(conn: sqlite3.Connection) -> None:
    """Make `wirereader_body(x)` and `wirereader_fts(text)` callable on this connection (the
    view, the triggers and the readers use them)."""
    conn.create_function(FUNCTION, 1, _unpack_for_sqlite, deterministic=True)
    conn.create_function(FTS_FUNCTION, 1, _fts_for_sqlite, deterministic=True)


def _fts_for_sqlite(value: object) -> str | None:
    return fts_text(value) if isinstance(value, str) else None if value is None else str(value)


def _unpack_for_sqlite(value: object) -> str:
    """`unpack`, as SQLite calls it. Ctrl-C's handler can raise inside it (the index's trigger
    calls it for every row a save inserts); SQLite turns any exception into an error of the
    statement, so the interrupt is kept for the transaction's rollback to raise (the run ends
    as interrupted, not with one feed failed and the fetch going on)."""
    try:
        return unpack(value)
    except KeyboardInterrupt as interrupt:
        keep_interrupt(interrupt)
        raise


# The text the full-text index is given for a title or a body: each character of a Chinese or
# Japanese run stands apart (`core.text.fts_text`), so a word inside a run is found as a
# phrase of its characters; FTS5's unicode61 took a whole run as one token, and "日本" found
# nothing in "第二次世界大戦における日本のコンクリート船". Migration 0062 (store/migrate_fts_cjk.py)
# indexes the entries an older cache holds with such runs again.
FTS_FUNCTION = "wirereader_fts"

# The schema this module keeps; migration 0050 (store/migrate_texts.py) creates it.
# Every entry has one row: its current body, packed (see pack). `entries` keeps the title.
TABLE = (
    "CREATE TABLE IF NOT EXISTS entry_texts ("
    " entry_id INTEGER PRIMARY KEY REFERENCES entries(id),"
    " body NOT NULL DEFAULT '')"
)
VIEW = (
    "CREATE VIEW IF NOT EXISTS entries_fts_source AS"
    f" SELECT e.id AS id, {FTS_FUNCTION}(e.title) AS title,"
    f" {FTS_FUNCTION}({FUNCTION}(t.body)) AS body"
    " FROM entries e JOIN entry_texts t ON t.entry_id = e.id"
)
INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5 (title, body,"
    " content='entries_fts_source', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')"
)
TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS entry_texts_fts_insert AFTER INSERT ON entry_texts BEGIN"
    " INSERT INTO entries_fts (rowid, title, body)"
    f" SELECT new.entry_id, {FTS_FUNCTION}(e.title), {FTS_FUNCTION}({FUNCTION}(new.body))"
    " FROM entries e"
    " WHERE e.id = new.entry_id;"
    " END",
    "CREATE TRIGGER IF NOT EXISTS entry_texts_fts_delete AFTER DELETE ON entry_texts BEGIN"
    " INSERT INTO entries_fts (entries_fts, rowid, title, body)"
    f" SELECT 'delete', old.entry_id, {FTS_FUNCTION}(e.title),"
    f" {FTS_FUNCTION}({FUNCTION}(old.body)) FROM entries e"
    " WHERE e.id = old.entry_id;"
    " END",
    # A changed body: the index follows, and the entry is analysed again (as a changed title is).
    "CREATE TRIGGER IF NOT EXISTS entry_texts_changed AFTER UPDATE OF body ON entry_texts"
    " WHEN old.body IS NOT new.body BEGIN"
    " INSERT INTO entries_fts (entries_fts, rowid, title, body)"
    f" SELECT 'delete', old.entry_id, {FTS_FUNCTION}(e.title),"
    f" {FTS_FUNCTION}({FUNCTION}(old.body)) FROM entries e"
    " WHERE e.id = old.entry_id;"
    " INSERT INTO entries_fts (rowid, title, body)"
    f" SELECT new.entry_id, {FTS_FUNCTION}(e.title), {FTS_FUNCTION}({FUNCTION}(new.body))"
    " FROM entries e"
    " WHERE e.id = new.entry_id;"
    " UPDATE entries SET analysed_hash = NULL"
    " WHERE id = new.entry_id AND analysed_hash IS NOT NULL;"
    " END",
    "CREATE TRIGGER IF NOT EXISTS entries_title_changed AFTER UPDATE OF title ON entries"
    " WHEN old.title IS NOT new.title BEGIN"
    " INSERT INTO entries_fts (entries_fts, rowid, title, body)"
    f" SELECT 'delete', old.id, {FTS_FUNCTION}(old.title),"
    f" {FTS_FUNCTION}({FUNCTION}(t.body)) FROM entry_texts t"
    " WHERE t.entry_id = old.id;"
    " INSERT INTO entries_fts (rowid, title, body)"
    f" SELECT new.id, {FTS_FUNCTION}(new.title), {FTS_FUNCTION}({FUNCTION}(t.body))"
    " FROM entry_texts t"
    " WHERE t.entry_id = new.id;"
    " UPDATE entries SET analysed_hash = NULL WHERE id = new.id AND analysed_hash IS NOT NULL;"
    " END",
    # An entry's text goes with it (its index row is deleted while the title is still there).
    "CREATE TRIGGER IF NOT EXISTS entries_text_follows BEFORE DELETE ON entries BEGIN"
    " DELETE FROM entry_texts WHERE entry_id = old.id;"
    " END",
]
SCHEMA = [TABLE, VIEW, INDEX, *TRIGGERS]


def insert_bodies(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, str]], *, remember: bool = True
) -> None:
    """(entry id, body) rows for entries just inserted (their titles are in `entries`).

    Many rows per statement: the index trigger flushes FTS5's pending terms at every statement,
    and one statement per row made indexing cost twice as much (measured on 40,000 feed items).

    `remember` False: the bodies are not put in the cache of recent bodies as the index trigger
    unpacks them, because the caller holds the texts it saved (a refresh hands them to the
    analysis, which then reads none of them back: none of 40,000 in the feeds benchmark's
    fetch). Remembering each one was ~3 us of the writing thread's CPU (a lock, an ordered
    dict's insert and, once it was full, an eviction), 0.1 s of a 40k fetch, and pushed out
    bodies someone might read again."""
    global _remember_just_packed
    chunk = 400  # two values a row, under SQLite's variable limit
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values: list[object] = []
        for entry_id, body in part:
            packed = _packed(body)
            if isinstance(packed, bytes):
                _just_packed[packed] = body
            values += (entry_id, packed)
        marks = ", ".join(["(?, ?)"] * len(part))
        _remember_just_packed = remember
        try:
            conn.execute(f"INSERT INTO entry_texts (entry_id, body) VALUES {marks}", values)
        finally:
            _just_packed.clear()
            _remember_just_packed = True


def set_body(conn: sqlite3.Connection, entry_id: int, body: str) -> None:
    """Replace an entry's current body (the index follows by trigger)."""
    conn.execute(
        "INSERT INTO entry_texts (entry_id, body) VALUES (?, ?)"
        " ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body",
        (entry_id, _packed(body)),
    )


def body_of(conn: sqlite3.Connection, entry_id: int) -> str:
    """An entry's current body ('' when it has none)."""
    row = conn.execute("SELECT body FROM entry_texts WHERE entry_id = ?", (entry_id,)).fetchone()
    return unpack(row[0]) if row is not None else ""

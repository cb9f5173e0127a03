"""Migration 0062: the full-text index reads Chinese and Japanese characters one by one.

FTS5's unicode61 tokenizer took a run of them as one token, so a search found a word only at
the start of a run: on the 200 real feeds captured in February 2026, "大海战" found its two
items but "海战" none, "日本" nothing in "第二次世界大戦における日本のコンクリート船". The index
is now given `core.text.fts_text` of each title and body (store/texts.py: the view and the
triggers call `wirereader_fts`), which sets each such character apart.

In place, in one transaction: the view and the triggers are made again with the function, and
only the entries whose title or body holds such a character are indexed again (the index's
'delete' is given the text as it was indexed, then the new text is inserted). Every other
entry's tokens are the same either way. A cache whose view already calls the function (new, or
converted by another process) is left alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.core.text import fts_text
from wirereader.store import texts
from wirereader.store.write_transaction import in_write_transaction

NAME = "0062_fts_cjk"
_TRIGGERS = (
    "entry_texts_fts_insert",
    "entry_texts_fts_delete",
    "entry_texts_changed",
    "entries_title_changed",
)


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    def work() -> None:
        view = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'entries_fts_source'"
        ).fetchone()
        if view is None or texts.FTS_FUNCTION in str(view[0]):
            return
        again = []
        for entry_id, title, packed in conn.execute(
            "SELECT e.id, e.title, t.body FROM entries e JOIN entry_texts t ON t.entry_id = e.id"
        ):
            body = texts.unpack(packed)
            if fts_text(title) != title or fts_text(body) != body:
                again.append((int(entry_id), str(title), body))
        for name in _TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute("DROP VIEW IF EXISTS entries_fts_source")
        conn.execute(texts.VIEW)
        for statement in texts.TRIGGERS:
            conn.execute(statement)
        for entry_id, title, body in again:
            conn.execute(
                "INSERT INTO entries_fts (entries_fts, rowid, title, body)"
                " VALUES ('delete', ?, ?, ?)",
                (entry_id, title, body),
            )
            conn.execute(
                "INSERT INTO entries_fts (rowid, title, body) VALUES (?, ?, ?)",
                (entry_id, fts_text(title), fts_text(body)),
            )

    in_write_transaction(conn, work)

"""Rebuilding a damaged cache from every row its pages still hold.

`pages.PageFile` reads the rows; this module decides where they go. Each table leaf page is given
to a table by walking down from the table's root (as recorded in the old schema) where the tree
holds, else by the shape of its records against the schema: column count, and each value's type
against its column's declared type and NOT NULL. Rows found by walking win over rows found by
shape; freelist pages (deleted rows) are never read.

The rebuilt cache holds what the user cannot get back elsewhere (sources, entries with their
reading state, versions, subscriptions, articles, settings) and none of the analysis, which is
derived from it and recomputed on the next run: old dedup keys, thread members or entity links
could only point at rows that are gone. Rows whose parent was lost are dropped (a version without
its entry), except entries whose source row was lost: those keep a placeholder source. The
entry id sequence is kept above every entry id seen on any page, so a new entry never takes the
id of one that was lost.

Lost rows are counted from the table's indexes first: an index has one record per row, on pages
of its own, ending with the row's id, so a lost table leaf leaves its ids behind there, the last
leaf of a table included (no table page shows an id above it: counting gaps below the highest
id reported nothing lost, "ok", for a lost last leaf of `feeds` or `entry_versions`). When an
index is read whole its ids are the exact rows, which also keeps ids deleted by `prune` from
being called lost. Without a whole index, the append-only tables count every id below the
highest seen anywhere.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wirereader.store import texts
from wirereader.store.db import ENTRY_ID_FLOOR_KEY, Store
from wirereader.store.pages import Cell, PageError, PageFile, Value

# Derived by the analysis from the rows above; rebuilt by the next analysis run.
DERIVED_TABLES = frozenset(
    {
        "threads",
        "thread_terms",  # (before 0051)
        "thread_postings",
        "thread_recent_postings",
        "thread_state",
        "thread_item_vectors",
        "term_df",
        "dedup_keys",
        "dedup_recent_keys",
        "entities",
        "entity_aliases",
        "entry_entities",
        "entity_keys",
        "entity_scoped_keys",
        "entity_extracted",
        # Kept by triggers as the rows above are written (migration 0059), here too.
        "item_totals",
    }
)
DERIVED_COLUMNS = {"entries": ("repost_of", "thread_id", "analysed_hash")}
DERIVED_META_PREFIX = "analysis."
# Tables never copied: the schema record, the full-text index (rebuilt by the triggers).
SKIPPED_PREFIXES = ("sqlite_", "entries_fts", "schema_migrations")
# Append-only tables (nothing deletes their rows), so every id below the highest is a row.
# Subscriptions too: `remove` only marks a feed removed, and sources stay with their entries.
# Without them here a damaged leaf of `feeds` lost subscriptions in silence: on the cache of
# the 200 real feeds, one leaf held 18 of them, and the repair said "feeds: 182 recovered",
# then "ok", exit status 0.
APPEND_ONLY = ("entries", "entry_versions", "feeds", "sources")
# Rows that name an append-only table's ids: an id seen there existed, even above every row read.
ID_REFERENCES = {
    "entries": (("entry_versions", "entry_id"), ("articles", "entry_id")),
    "feeds": (("liveblog_pages", "feed_id"),),
    "sources": (("entries", "source_id"), ("feeds", "source_id"), ("liveblog_pages", "source_id")),
}
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
MISSING_KEY = "recovery.missing.{table}"  # ids already missing after an earlier recovery
# Columns whose declared type says too little to tell their rows from another table's: a packed
# body is a BLOB like the full-text index's blocks and sizes (whose rowids are entry ids too).
VALUE_CHECKS: dict[tuple[str, str], Callable[[Value], bool]] = {
    ("entry_texts", "body"): texts.is_stored_body,
}


@dataclass
class TableCount:
    recovered: int = 0
    lost: int = 0  # rows known to have existed that could not be read
    dropped: int = 0  # rows read but dropped: their parent row was lost

    def describe(self, table: str) -> str:
        text = f"{table}: {self.recovered} recovered"
        if self.lost:
            text += f", {self.lost} lost"
        if self.dropped:
            text += f", {self.dropped} dropped (their parent row was lost)"
        return text


@dataclass
class Recovery:
    tables: dict[str, TableCount] = field(default_factory=dict)
    damaged_pages: int = 0  # pages a b-tree walk could not read
    schema_lost: bool = False  # page 1 unreadable: every page attributed by shape
    placeholder_sources: int = 0
    # The damaged cache's own totals of items and of unread items (`item_totals`, kept by
    # triggers at every write), when its row could be read: how many items were read before.
    items_before: int | None = None
    unread_before: int | None = None

    @property
    def lost_anything(self) -> bool:
        return any(c.lost or c.dropped for c in self.tables.values())


@dataclass
class OldTable:
    name: str
    root: int
    columns: list[str]
    types: list[str]
    not_null: list[bool]
    rowid_alias: int | None  # index of the INTEGER PRIMARY KEY column


def _columns(conn: sqlite3.Connection, name: str) -> OldTable | None:
    rows = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
    if not rows:
        return None
    pk = [r for r in rows if r[5]]
    alias = None
    if len(pk) == 1 and str(pk[0][2]).upper() == "INTEGER":
        alias = int(pk[0][0])
    return OldTable(
        name,
        0,
        [str(r[1]) for r in rows],
        [str(r[2]).upper() for r in rows],
        [bool(r[3]) for r in rows],
        alias,
    )


def _old_schema(pages: PageFile) -> dict[str, OldTable] | None:
    """The rowid tables recorded in the damaged file's own schema (page 1), or None."""
    try:
        leaves, _, broken = pages.table_leaves(1)
    except PageError:
        return None
    if broken or not leaves:
        return None
    scratch = sqlite3.connect(":memory:")
    tables: dict[str, OldTable] = {}
    try:
        for number in leaves:
            for cell in pages.leaf(number).cells:
                if len(cell.values) != 5 or cell.values[0] != "table":
                    continue
                name, root, sql = cell.values[1], cell.values[3], cell.values[4]
                if not isinstance(name, str) or not isinstance(sql, str):
                    continue
                if not isinstance(root, int) or root <= 0 or "WITHOUT ROWID" in sql.upper():
                    continue
                try:
                    scratch.execute(sql)
                except sqlite3.DatabaseError:
                    continue
                table = _columns(scratch, name)
                if table is not None:
                    table.root = root
                    tables[name] = table
    finally:
        scratch.close()
    return tables or None


def _schema_indexes(pages: PageFile) -> Iterator[tuple[object, object, object]]:
    """Each index the damaged file's schema records: its table, root page and SQL (unchecked
    values, as read)."""
    try:
        leaves, _, _ = pages.table_leaves(1)
    except PageError:
        return
    for number in leaves:
        try:
            cells = pages.leaf(number).cells
        except PageError:
            continue
        for cell in cells:
            if len(cell.values) == 5 and cell.values[0] == "index":
                yield cell.values[2], cell.values[3], cell.values[4]


def _old_indexes(pages: PageFile) -> dict[str, list[int]]:
    """The root pages of each table's indexes, as recorded in the damaged file's schema."""
    roots: dict[str, list[int]] = defaultdict(list)
    for table, root, _sql in _schema_indexes(pages):
        if isinstance(table, str) and isinstance(root, int) and root > 0:
            roots[table].append(root)
    return roots


@dataclass
class KnownIds:
    """The rowids a table's indexes name: every row it held when `complete` (one of its indexes
    was read whole), else those that could be read."""

    ids: set[int] = field(default_factory=set)
    complete: bool = False


def _index_ids(pages: PageFile, roots: list[int]) -> KnownIds:
    known = KnownIds()
    for root in roots:
        ids, broken = pages.index_rowids(root)
        known.ids |= ids
        # Read whole, an index (partial ones are left out by the caller) has an entry per row.
        known.complete = known.complete or (broken == 0 and bool(ids))
    return known


def _fits(table: OldTable, values: list[Value]) -> int:
    """How well a record fits a table: -1 if it cannot be one of its rows, else a score."""
    if len(values) > len(table.columns) or not values:
        return -1
    score = 0
    for i, value in enumerate(values):
        declared = table.types[i]
        if i == table.rowid_alias:
            if value is not None:
                return -1
            score += 2
            continue
        if value is None:
            if table.not_null[i]:
                return -1
            continue
        if "INT" in declared:
            if not isinstance(value, int):
                return -1
        elif any(t in declared for t in ("CHAR", "CLOB", "TEXT")):
            if not isinstance(value, str):
                return -1
        elif any(t in declared for t in ("REAL", "FLOA", "DOUB")):
            if not isinstance(value, int | float):
                return -1
        elif "BLOB" in declared and not isinstance(value, bytes):
            return -1
        check = VALUE_CHECKS.get((table.name, table.columns[i]))
        if check is not None and not check(value):
            return -1
        score += 1
    # Shorter records are rows written before a column was added: they fit, but less well.
    return score + (3 if len(values) == len(table.columns) else 0)


def _by_shape(tables: dict[str, OldTable], cells: list[Cell]) -> str | None:
    best, best_score = None, 0
    for table in tables.values():
        total = 0
        for cell in cells:
            fit = _fits(table, cell.values)
            if fit < 0:
                break
            total += fit
        else:
            if total > best_score:
                best, best_score = table.name, total
    return best


def recover(source: Path, target: Path) -> Recovery:
    """Read every row `source` still holds and write the kept tables into a fresh cache at
    `target` (which must not exist)."""
    pages = PageFile(source)
    result = Recovery()
    with Store(target) as store:
        conn = store.conn
        new_tables = {
            name: table
            for name in _table_names(conn)
            if (table := _columns(conn, name)) is not None
        }
        old_tables = _old_schema(pages)
        if old_tables is None:
            # Page 1 is gone: today's schema stands in for the old one, the full-text shadow
            # tables included so that their pages are claimed by them and by nothing else.
            result.schema_lost = True
            old_tables = {
                name: table
                for name in _rowid_tables(conn)
                if (table := _columns(conn, name)) is not None
            }
        index_roots = {} if result.schema_lost else _old_indexes(pages)
        partial = _partial_indexes(pages) if index_roots else set()
        known = {
            table: _index_ids(pages, [r for r in roots if r not in partial])
            for table, roots in index_roots.items()
            if table in old_tables
        }
        rows: dict[str, dict[int, list[Value]]] = defaultdict(dict)
        unreadable: dict[str, int] = defaultdict(int)
        max_rowid: dict[str, int] = defaultdict(int)
        claimed = pages.freelist()
        for table in old_tables.values():
            if not table.root:
                continue
            leaves, reached, broken = pages.table_leaves(table.root)
            result.damaged_pages += broken
            claimed |= reached
            for number in reached:
                if pages.page_type(number) == 5:
                    keys = pages.interior_keys(number)
                    if keys:
                        max_rowid[table.name] = max(max_rowid[table.name], *keys)
            for number in leaves:
                leaf = pages.leaf(number)
                unreadable[table.name] += leaf.unreadable
                for cell in leaf.cells:
                    rows[table.name].setdefault(cell.rowid, cell.values)
        for number in pages.all_table_leaves():
            if number in claimed:
                continue
            try:
                leaf = pages.leaf(number)
            except PageError:
                continue
            if not leaf.cells:
                continue
            name = _by_shape(old_tables, leaf.cells)
            if name is None:
                continue
            unreadable[name] += leaf.unreadable
            for cell in leaf.cells:
                rows[name].setdefault(cell.rowid, cell.values)
        _write(store, old_tables, new_tables, rows, unreadable, max_rowid, known, result)
    return result


def _partial_indexes(pages: PageFile) -> set[int]:
    """Root pages of partial indexes (`CREATE INDEX ... WHERE`): they name some rows only."""
    return {
        root
        for _table, root, sql in _schema_indexes(pages)
        if isinstance(root, int) and isinstance(sql, str) and _WHERE.search(sql)
    }


def _table_names(conn: sqlite3.Connection) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        if not str(r[0]).startswith(SKIPPED_PREFIXES)
    ]


def _rowid_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if "WITHOUT ROWID" not in str(r[1]).upper()
        and not str(r[0]).startswith("sqlite_")
        and not str(r[1]).upper().startswith("CREATE VIRTUAL")
    ]


def _write(
    store: Store,
    old_tables: dict[str, OldTable],
    new_tables: dict[str, OldTable],
    rows: dict[str, dict[int, list[Value]]],
    unreadable: dict[str, int],
    max_rowid: dict[str, int],
    known: dict[str, KnownIds],
    result: Recovery,
) -> None:
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    previously_missing = {
        table: int(v[1])
        for table in APPEND_ONLY
        if (v := _meta_value(rows.get("meta", {}), MISSING_KEY.format(table=table))) is not None
    }
    with store.transaction():
        for name, new in new_tables.items():
            if name in DERIVED_TABLES or name not in old_tables:
                continue
            old = old_tables[name]
            keep = [c for c in new.columns if c in old.columns]
            derived = DERIVED_COLUMNS.get(name, ())
            count = TableCount(lost=unreadable.get(name, 0))
            for rowid, values in sorted(rows.get(name, {}).items()):
                if name == "meta" and str(values[0]).startswith(DERIVED_META_PREFIX):
                    continue
                columns, params = [], []
                for column in keep:
                    index = old.columns.index(column)
                    # The rowid is given apart; derived columns and columns added after this
                    # row was written take their defaults.
                    if index == old.rowid_alias or column in derived or index >= len(values):
                        continue
                    columns.append(f'"{column}"')
                    params.append(values[index])
                cur = conn.execute(
                    f'INSERT OR IGNORE INTO "{name}" (rowid{"".join(", " + c for c in columns)})'
                    f" VALUES (?{', ?' * len(columns)})",
                    [rowid, *params],
                )
                count.recovered += cur.rowcount
            if rows.get(name):
                max_rowid[name] = max(max_rowid[name], max(rows[name]))
            indexed = known.get(name)
            if indexed is not None and indexed.ids:
                # Ids the indexes name and no page of the table still holds: rows lost, even
                # at the very end of the table (where no higher id is seen on any page).
                max_rowid[name] = max(max_rowid[name], max(indexed.ids))
                count.lost = max(count.lost, len(indexed.ids - rows.get(name, {}).keys()))
            result.tables[name] = count
        for values in rows.get("item_totals", {}).values():
            items = _value_of(old_tables, "item_totals", "items", values)
            unread = _value_of(old_tables, "item_totals", "unread", values)
            if isinstance(items, int) and isinstance(unread, int) and 0 <= unread <= items:
                result.items_before, result.unread_before = items, unread
        _bodies(conn, old_tables.get("entries"), rows.get("entries", {}))
        _orphans(conn, result)
        for table in APPEND_ONLY:
            if table not in result.tables:
                continue
            top = max_rowid.get(table, 0)
            for child, column in ID_REFERENCES.get(table, ()):
                for values in rows.get(child, {}).values():
                    ref = _value_of(old_tables, child, column, values)
                    if isinstance(ref, int):
                        top = max(top, ref)
            if table == "entries":
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (ENTRY_ID_FLOOR_KEY, str(top)),
                )
            count = result.tables[table]
            indexed = known.get(table)
            if indexed is None or not indexed.complete:
                # No whole index to count by: every id below the highest existed (the table is
                # append-only), less the ids an earlier repair already found missing.
                present = count.recovered + count.dropped
                missing = max(0, top - present)
                count.lost = max(count.lost, missing - previously_missing.get(table, 0))
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (MISSING_KEY.format(table=table), str(top - count.recovered)),
            )
        if result.placeholder_sources:
            # A placeholder stands for a source row that was lost: rows still point at it.
            count = result.tables.setdefault("sources", TableCount())
            count.lost = max(count.lost, result.placeholder_sources)
        # Rows went in table by table (texts may precede their entries, orphans were
        # dropped): the full-text index is built once from what the cache now holds.
        conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
    conn.execute("PRAGMA foreign_keys = ON")


def _bodies(conn: sqlite3.Connection, old: OldTable | None, rows: dict[int, list[Value]]) -> None:
    """Every recovered entry gets its text row: from the old `entries.body` when the damaged
    cache predates migration 0050 (store/migrate_texts.py), else empty where none was readable
    (so its title is still indexed)."""
    if old is not None and "body" in old.columns:
        index = old.columns.index("body")
        found = [
            (rowid, values[index])
            for rowid, values in rows.items()
            if index < len(values) and isinstance(values[index], str)
        ]
        for start in range(0, len(found), 400):
            part = found[start : start + 400]
            conn.executemany(
                "INSERT OR IGNORE INTO entry_texts (entry_id, body)"
                " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?)",
                [(rowid, texts.pack(str(body)), rowid) for rowid, body in part],
            )
    conn.execute(
        "INSERT INTO entry_texts (entry_id, body) SELECT id, '' FROM entries"
        " WHERE id NOT IN (SELECT entry_id FROM entry_texts)"
    )


def _meta_value(meta_rows: dict[int, list[Value]], key: str) -> tuple[str, str] | None:
    for values in meta_rows.values():
        if len(values) >= 2 and values[0] == key and str(values[1]).isdigit():
            return (key, str(values[1]))
    return None


def _value_of(tables: dict[str, OldTable], table: str, column: str, values: list[Value]) -> Value:
    old = tables.get(table)
    if old is None or column not in old.columns:
        return None
    index = old.columns.index(column)
    return values[index] if index < len(values) else None


def _orphans(conn: sqlite3.Connection, result: Recovery) -> None:
    """Rows pointing at a lost parent: entries get a placeholder source, the rest are dropped
    (repeated, since dropping an entry orphans its versions)."""
    for _ in range(10):
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not problems:
            return
        for table, rowid, parent, _fk in problems:
            if parent == "sources" and table in ("entries", "feeds"):
                column = "source_id"
                ref = conn.execute(
                    f'SELECT {column} FROM "{table}" WHERE rowid = ?', (rowid,)
                ).fetchone()
                if ref is not None:
                    _placeholder_source(conn, int(ref[0]), result)
                    continue
            cur = conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
            if cur.rowcount and table in result.tables:
                result.tables[table].recovered -= 1
                result.tables[table].dropped += 1


def _placeholder_source(conn: sqlite3.Connection, source_id: int, result: Recovery) -> None:
    cur = conn.execute(
        "INSERT OR IGNORE INTO sources (id, key, kind, name, title, added_at)"
        " VALUES (?, ?, 'file', ?, '', ?)",
        (source_id, f"recovered:{source_id}", f"recovered-{source_id}", int(time.time())),
    )
    result.placeholder_sources += cur.rowcount

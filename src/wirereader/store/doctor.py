"""Checking and repairing a cache file.

`check` never writes. `repair` always copies the file (and its WAL) aside first, then does the
least invasive thing that works: rebuild the full-text index; else salvage every readable row
into a fresh cache; else, for a file that is not a database at all, start a fresh cache. The
backup is never deleted.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wirereader.store.db import CacheError, Store
from wirereader.store.migrations import SchemaTooNewError, current_version, latest_version

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables holding user data, copied in this order when salvaging (parents before children).
USER_TABLES = ("meta", "sources", "entries", "entry_versions")


@dataclass
class Report:
    path: Path
    problems: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    backup: Path | None = None

    @property
    def healthy(self) -> bool:
        return not self.problems


def check(path: Path) -> Report:
    report = Report(path)
    if not path.exists():
        report.problems.append("no cache file")
        return report
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        size = path.stat().st_size
        report.problems.append(f"not an SQLite database ({size} bytes, unknown header)")
        return report
    try:
        # mode=rw, not ro: FTS5's integrity-check is spelled as an INSERT (it writes nothing).
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30)
        try:
            report.problems += _integrity_problems(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"cannot be read ({exc})")
    return report


def _integrity_problems(conn: sqlite3.Connection) -> list[str]:
    problems = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        problems += [f"integrity: {r}" for r in rows]
    version = current_version(conn)
    if version > latest_version():
        problems.append(f"schema version {version} is newer than this wirereader knows")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "entries_fts" in tables and not problems:
        try:
            conn.execute(
                "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
    return problems


def backup(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    shutil.copy2(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, target.with_name(target.name + suffix))
    return target


def repair(path: Path) -> Report:
    report = check(path)
    if report.healthy or not path.exists():
        return report
    if any("newer than this wirereader" in p for p in report.problems):
        report.actions.append("left alone: upgrade wirereader to open this cache")
        return report
    report.backup = backup(path)
    report.actions.append(f"backed up to {report.backup}")
    if all(p.startswith("full-text index") for p in report.problems):
        with Store(path) as store:
            store.conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
        report.actions.append("rebuilt the full-text index")
    elif any(p.startswith("not an SQLite database") for p in report.problems):
        _remove_with_sidecars(path)
        Store(path).close()
        report.actions.append("started a fresh cache (nothing in the old file was readable)")
    else:
        copied = _salvage(report.backup, path)
        report.actions.append(
            "rebuilt the cache from every readable row ("
            + ", ".join(f"{n} {table}" for table, n in copied.items())
            + ")"
        )
    report.problems = check(path).problems
    return report


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _salvage(source: Path, target: Path) -> dict[str, int]:
    """Copy every row that can still be read from `source` into a fresh cache at `target`."""
    _remove_with_sidecars(target)
    copied: dict[str, int] = {}
    old = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    # Tolerate a schema whose index or trigger pages are gone: we only read table rows.
    old.execute("PRAGMA writable_schema = ON")
    try:
        with Store(target) as store:
            old_tables = {
                r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            new_tables = [
                r[0]
                for r in store.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                    " 'entries_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
                )
            ]
            order = [t for t in USER_TABLES if t in new_tables] + [
                t for t in new_tables if t not in USER_TABLES
            ]
            store.conn.execute("PRAGMA foreign_keys = OFF")
            for table in order:
                if table in old_tables:
                    copied[table] = _copy_table(old, store.conn, table)
            store.conn.execute("PRAGMA foreign_keys = ON")
    finally:
        old.close()
    return copied


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> int:
    new_cols = [r[1] for r in new.execute(f"PRAGMA table_info({table})")]
    old_cols = {r[1] for r in old.execute(f"PRAGMA table_info({table})")}
    cols = [c for c in new_cols if c in old_cols]
    names = ", ".join(cols)
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    count = 0
    new.execute("BEGIN IMMEDIATE")
    try:
        for row in _readable_rows(old, table, names):
            try:
                new.execute(insert, row)
                count += 1
            except sqlite3.DatabaseError:
                continue
        new.execute("COMMIT")
    except BaseException:
        new.execute("ROLLBACK")
        raise
    return count


def _readable_rows(old: sqlite3.Connection, table: str, names: str) -> Iterator[tuple]:
    """Rows in rowid order, stepping over damaged stretches so one bad page loses only its rows."""
    try:
        old.execute(f"SELECT rowid FROM {table} LIMIT 0")
    except sqlite3.DatabaseError:  # a WITHOUT ROWID table: all or nothing
        try:
            yield from old.execute(f"SELECT {names} FROM {table}").fetchall()
        except sqlite3.DatabaseError:
            return
        return
    last, step, failures = -(2**63), 64, 0
    while failures < 64:
        # Row ids alone live in the b-tree leaves; a row's text may sit on overflow pages that
        # are gone, so rows are then read one by one and only the broken ones skipped.
        ids: list[int] = []
        broken = False
        try:
            for r in old.execute(
                f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 500", (last,)
            ):
                ids.append(r[0])
        except sqlite3.DatabaseError:
            broken = True
        if broken and not ids:
            failures += 1
            last = min(max(last, 0) + step, 2**62)
            step = min(step * 2, 2**40)
            continue
        if not ids and not broken:
            return
        step = 64
        for rowid in ids:
            last = rowid
            try:
                row = old.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,))
                found = row.fetchone()
            except sqlite3.DatabaseError:
                continue
            if found is not None:
                yield tuple(found)


__all__ = ["CacheError", "Report", "SchemaTooNewError", "check", "repair"]

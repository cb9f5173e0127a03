"""Schema migrations: numbered SQL files applied in order, each in its own transaction.

The schema version is SQLite's `user_version`: the number of the last file applied. Files are
`NNNN_name.sql`, applied in ascending order; numbers may leave gaps (each part of the package owns a
range: 0001-0009 core, 0010-0019 feeds, 0020-0029 analysis, 0030-0039 reader, 0040-0049 articles,
0050-0069 storage layout: changes to tables the other ranges' migrations name, which must therefore
run after all of them on a new cache).
Migrations only ever add: no migration drops a table holding user data. A change that must
rewrite many rows (and compute in Python, such as compressing texts) is a Python step instead of
a file (`_PYTHON_STEPS`): it runs in many short transactions of its own, resumable, and is
recorded like a file once it has finished.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from wirereader.store.write_transaction import in_write_transaction

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    # A Python step run before `sql`, outside any transaction: it commits its own batches and
    # must be resumable and a no-op once done (another process may have run it meanwhile).
    # It is told its progress as a share from 0 to 1 (the steps import nothing of this module,
    # which imports them).
    step: Callable[[sqlite3.Connection, Callable[[float], None]], None] | None = None


def _python_steps() -> list[Migration]:
    from wirereader.store import (
        migrate_analysed_mark,
        migrate_dedup,
        migrate_entity_hashes,
        migrate_fts_cjk,
        migrate_postings,
        migrate_texts,
        migrate_version_meta,
        migrate_versions,
    )

    return [
        Migration(4, migrate_versions.NAME, "", migrate_versions.convert),
        Migration(50, migrate_texts.NAME, "", migrate_texts.convert),
        Migration(51, migrate_postings.NAME, "", migrate_postings.convert),
        Migration(52, migrate_dedup.NAME, "", migrate_dedup.convert),
        Migration(53, migrate_version_meta.NAME, "", migrate_version_meta.convert),
        Migration(54, migrate_analysed_mark.NAME, "", migrate_analysed_mark.convert),
        Migration(55, migrate_entity_hashes.NAME, "", migrate_entity_hashes.convert),
        Migration(62, migrate_fts_cjk.NAME, "", migrate_fts_cjk.convert),
    ]


# Told how a migration is going, (its name, the share done from 0 to 1): 0 when it starts, 1
# when it is recorded, and between for a Python step that converts many rows (0004 took 60 s
# at 1M items). The CLI shows it on stderr when a migration is slow; the library is silent.
Progress = Callable[[str, float], None]
progress_reporter: Progress | None = None


def report_progress(name: str, share: float) -> None:
    if progress_reporter is not None:
        progress_reporter(name, share)


class SchemaTooNewError(RuntimeError):
    """The cache was written by a newer wirereader; opening it could lose data."""


def available_migrations() -> list[Migration]:
    folder = resources.files("wirereader.store") / "migrations"
    found = []
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name, item.read_text("utf-8")))
    found += _python_steps()
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migrations share a number")
    return found


def split_statements(sql: str) -> list[str]:
    """Complete SQL statements, one by one (trigger bodies with their inner ';' kept whole)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;").strip() and not _only_comments(buffer):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not _only_comments(buffer):
        statements.append(buffer.strip())
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def latest_version() -> int:
    migrations = available_migrations()
    return migrations[-1].version if migrations else 0


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


# The migrations wirereader shipped before `schema_migrations` recorded them: a cache from
# then had exactly those of them up to its `user_version`. Not "every migration up to it": the
# ones added since with lower numbers (0003 time_guessed, 0013, 0017, 0023, 0026, ...) were
# never applied to it, and a cache at version 40 read as having them failed on their columns
# ("no such column: dated_first") after the upgrade.
_BEFORE_RECORD = frozenset({1, 2, 10, 11, 12, 20, 21, 22, 25, 30, 40})
_BEFORE_RECORD_NAME = "(before record)"


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    """Migrations this cache has had: its record, or for a cache from before the record
    existed, the migrations shipped then up to its `user_version` (`_BEFORE_RECORD`)."""
    has_record = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if has_record:
        # A row written "(before record)" for a migration not shipped then was written down
        # wrongly for such a cache: it was never applied, and is now. The files only add
        # columns and tables; the one Python step so written down (0004, each text stored
        # once) reads the current body where the later steps have put it, and is a no-op on
        # a cache that has had it.
        return {
            version
            for version, name in conn.execute("SELECT version, name FROM schema_migrations")
            if name != _BEFORE_RECORD_NAME or version in _BEFORE_RECORD
        }
    version = current_version(conn)
    return {v for v in _BEFORE_RECORD if v <= version}


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Bring the schema up to date; return the names of the migrations applied.

    Each migration the cache has not had is applied, in ascending order, even one numbered
    below the newest applied (parts of the package own number ranges, so a later change can
    bring a lower number); `schema_migrations` records each one.
    """
    migrations = available_migrations()
    known = {m.version for m in migrations}
    latest = max(known, default=0)
    version = current_version(conn)
    unknown = {v for v in applied_versions(conn) if v not in known}
    if version > latest or unknown:
        raise SchemaTooNewError(
            f"cache schema is version {version}, this wirereader knows up to {latest}"
        )
    applied = []
    for migration in migrations:
        if migration.version in applied_versions(conn):
            continue
        report_progress(migration.name, 0.0)
        if migration.step is not None:
            migration.step(conn, functools.partial(report_progress, migration.name))
        # BEGIN IMMEDIATE takes the write lock; the record is read again under it, because
        # another process opening the same new cache may have applied this migration meanwhile.
        if in_write_transaction(conn, functools.partial(_apply, conn, migration)):
            applied.append(migration.name)
        report_progress(migration.name, 1.0)
    return applied


def _apply(conn: sqlite3.Connection, migration: Migration) -> bool:
    """Apply one migration unless another process did meanwhile; True if this one did."""
    done = applied_versions(conn)
    if migration.version in done:
        return False
    for statement in split_statements(migration.sql):
        conn.execute(statement)
    _record(conn, done | {migration.version}, migration)
    return True


def _record(conn: sqlite3.Connection, done: set[int], migration: Migration) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    for version in sorted(done - {migration.version}):  # a cache from before the record
        conn.execute(
            "INSERT OR IGNORE INTO schema_migrations (version, name, applied_at)"
            " VALUES (?, ?, strftime('%s', 'now'))",
            (version, _BEFORE_RECORD_NAME),
        )
    # OR REPLACE: the row of a migration wrongly written down as had before the record
    # (`applied_versions`) takes its name once it is applied
    conn.execute(
        "INSERT OR REPLACE INTO schema_migrations (version, name, applied_at)"
        " VALUES (?, ?, strftime('%s', 'now'))",
        (migration.version, migration.name),
    )
    conn.execute(f"PRAGMA user_version = {max(done)}")

"""Schema migrations: numbered SQL files applied in order, each in its own transaction.

The schema version is SQLite's `user_version`: the number of the last file applied. Files are
`NNNN_name.sql`, applied in ascending order; numbers may leave gaps (each part of the package owns a
range: 0001-0009 core, 0010-0019 feeds, 0020-0029 analysis, 0030-0039 reader, 0040-0049 articles).
Migrations only ever add: no migration drops a table holding user data.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class SchemaTooNewError(RuntimeError):
    """The cache was written by a newer wirereader; opening it could lose data."""


def available_migrations() -> list[Migration]:
    folder = resources.files("wirereader.store") / "migrations"
    found = []
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name, item.read_text("utf-8")))
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


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Bring the schema up to date; return the names of the migrations applied."""
    migrations = available_migrations()
    version = current_version(conn)
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise SchemaTooNewError(
            f"cache schema is version {version}, this wirereader knows up to {latest}"
        )
    applied = []
    for migration in (m for m in migrations if m.version > version):
        # BEGIN IMMEDIATE takes the write lock; the version is read again under it, because
        # another process opening the same new cache may have applied this migration meanwhile.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) < migration.version:
                for statement in split_statements(migration.sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {migration.version}")
                applied.append(migration.name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied

"""Checking and repairing a cache file.

`check` never writes. `repair` always copies the file (and its WAL) aside first, then does the
least invasive thing that works: rebuild the full-text index; else rebuild the cache from every
row its pages still hold (`recover.py`, which reads the pages itself, so a damaged interior page,
root page or schema page loses only what was on it); else, for a file with nothing readable at
all, start a fresh cache. The backup is never deleted.

Permissions are not damage: a cache that cannot be read or written for lack of permission is
reported as such (`Report.access`), and `repair` leaves it alone without making a backup.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from wirereader.store import texts
from wirereader.store.db import CacheError, Store
from wirereader.store.migrations import SchemaTooNewError, current_version, latest_version
from wirereader.store.recover import Recovery, recover

SQLITE_HEADER = b"SQLite format 3\x00"
CHECK_BUSY_SECONDS = 2  # the check reads; it waits only briefly for a writer's lock


@dataclass
class Report:
    path: Path
    problems: list[str] = field(default_factory=list)  # damage
    actions: list[str] = field(default_factory=list)
    backup: Path | None = None
    access: str = ""  # a permission problem (not damage): why the cache cannot be written or read
    losses: list[str] = field(default_factory=list)  # what a repair could not bring back
    recovery: Recovery | None = None
    checked: bool = False  # the file's pages were read and checked (not stopped at its access)

    @property
    def healthy(self) -> bool:
        return not self.problems


def access_problem(path: Path) -> str:
    """Why this cache cannot be written (or read) for lack of permission, or ''."""
    if path.is_dir():
        return "is a directory, not a cache file"
    folder = path.parent
    if path.exists() and not os.access(path, os.R_OK):
        return "cannot be read: permission denied (the file's permissions, not damage)"
    if path.exists() and _read_only_mount(path):
        return (
            "on a read-only file system (not damage): it can be read but not written,"
            " and the cache's journal cannot be written beside it"
        )
    if path.exists() and not os.access(path, os.W_OK):
        return "read-only file (its permissions, not damage): it can be read but not written"
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"read-only directory {folder} (its permissions, not damage): the cache's journal"
            " and backups cannot be written beside it"
        )
    return ""


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False


def check(path: Path) -> Report:
    report = Report(path)
    report.access = access_problem(path)
    if path.is_dir() or (report.access and not os.access(path, os.R_OK)):
        return report
    if not path.exists():
        report.problems.append("no such cache file (nothing to check)")
        return report
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        size = path.stat().st_size
        report.problems.append(f"not an SQLite database ({size} bytes, unknown header)")
        return report
    # mode=rw, not ro: FTS5's integrity-check is spelled as an INSERT (it writes nothing). A
    # cache we may not write is checked read-only, and as immutable when not even its WAL index
    # can be created beside it.
    modes = ["mode=ro", "mode=ro&immutable=1"] if report.access else ["mode=rw"]
    for mode in modes:
        try:
            conn = sqlite3.connect(f"file:{path}?{mode}", uri=True, timeout=CHECK_BUSY_SECONDS)
            texts.register(conn)  # the index's content check reads the bodies, packed
            try:
                report.problems += _integrity_problems(conn, writable=not report.access)
                report.checked = True
            finally:
                conn.close()
            break
        except sqlite3.DatabaseError as exc:
            if mode == modes[-1]:
                report.problems.append(f"cannot be read ({exc})")
    return report


def _integrity_problems(conn: sqlite3.Connection, *, writable: bool = True) -> list[str]:
    problems = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        problems += [f"integrity: {r}" for r in rows]
    version = current_version(conn)
    if version > latest_version():
        problems.append(f"schema version {version} is newer than this wirereader knows")
    if not problems and version <= latest_version():
        problems += _layout_problems(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "entries_fts" in tables and not problems and writable:
        try:
            conn.execute(
                "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.OperationalError as exc:
            # Another process holds the write lock (FTS5 spells its check as a write): that is
            # not damage, and the rest of the file was checked.
            if "locked" not in str(exc) and "busy" not in str(exc):
                problems.append(f"full-text index: {exc}")
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
    return problems


@functools.cache
def _expected_layout() -> dict[str, list[str]]:
    """Each table's columns in a cache this wirereader makes (made once, in a throwaway file)."""
    with (
        tempfile.TemporaryDirectory(prefix="wirereader-doctor-") as folder,
        Store(Path(folder) / "layout.sqlite3") as store,
    ):
        return _layout(store.conn)


def _layout(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
    }


def _layout_problems(conn: sqlite3.Connection) -> list[str]:
    """Tables and columns not as this wirereader writes them, once every migration is written
    down as had (a cache whose migrations are still to come gets them from any command). A
    migration written down and not done leaves such a cache (0004 on caches upgraded before
    the migration record): its commands fail on a column, and a check must not say "ok"."""
    from wirereader.store.migrations import applied_versions, available_migrations

    try:
        pending = {m.version for m in available_migrations()} - applied_versions(conn)
        if pending:
            return []
        found = _layout(conn)
    except sqlite3.DatabaseError as exc:
        return [f"schema: cannot be read ({exc})"]
    problems = []
    for table, columns in _expected_layout().items():
        if table not in found:
            problems.append(f"schema: table {table} is missing")
            continue
        missing = [c for c in columns if c not in found[table]]
        extra = [c for c in found[table] if c not in columns]
        if missing or extra:
            problems.append(
                f"schema: table {table} is not as this wirereader writes it ("
                + "; ".join(
                    part
                    for part in (
                        f"no column {', '.join(missing)}" if missing else "",
                        f"old column {', '.join(extra)}" if extra else "",
                    )
                    if part
                )
                + "): a migration written down as done was not"
            )
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
    if report.access and report.checked and report.healthy:
        return report  # nothing to repair: a read-only cache that reads whole is fine as it is
    if report.access:
        report.actions.append(f"left alone: {report.access}; nothing was changed")
        return report
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
    else:
        report.recovery = _rebuild(report.backup, path)
        if any(count.recovered for count in report.recovery.tables.values()):
            report.actions.append("rebuilt the cache from every row its pages still hold")
            report.actions += [
                count.describe(table)
                for table, count in report.recovery.tables.items()
                if count.recovered or count.lost or count.dropped
            ]
            if report.recovery.placeholder_sources:
                report.actions.append(_placeholders(report.recovery))
            report.actions.append("the analysis (reposts, threads, entities) will be redone")
        else:
            report.actions.append("started a fresh cache (nothing in the old file was readable)")
        report.losses = [
            count.describe(table)
            for table, count in report.recovery.tables.items()
            if count.lost or count.dropped
        ]
        if not any(c.recovered for c in report.recovery.tables.values()):
            report.losses.append("nothing in the old file was readable")
    after = check(path)
    report.problems, report.checked = after.problems, after.checked
    return report


def _placeholders(recovery: Recovery) -> str:
    """What became of the lost sources' entries and subscriptions, counted as the sources'
    own line counts them. It said "31 sources were lost" under "sources: 0 recovered, 45 lost"
    (the placeholders made, not the sources lost), and the losses listed both."""
    made = recovery.placeholder_sources
    lost = recovery.tables["sources"].lost
    if made >= lost == 1:
        return (
            "the entries and subscriptions of the lost source are kept under a placeholder"
            " source named recovered-ID (its name and URL are lost)"
        )
    if made >= lost:
        return (
            f"the entries and subscriptions of the {made} lost sources are kept under"
            " placeholder sources named recovered-ID (their names and URLs are lost)"
        )
    return (
        f"the entries and subscriptions of {made} of the {lost} lost sources are kept under"
        f" placeholder sources named recovered-ID (the other {lost - made} had none)"
    )


def cost(report: Report) -> list[tuple[str, int | None, int]]:
    """What a rebuild cost, as (what, before, after): subscriptions, entries and items read.

    Call it after the analysis has run again on the rebuilt cache (items are entries that are
    not reposts, and reposts are the analysis's): the items read before come from the damaged
    cache's own totals (`item_totals`), None when that row was lost."""
    recovery = report.recovery
    if recovery is None:
        return []

    def before(table: str) -> int:
        count = recovery.tables.get(table)
        return count.recovered + count.lost + count.dropped if count else 0

    conn = sqlite3.connect(f"file:{report.path}?mode=ro", uri=True, timeout=CHECK_BUSY_SECONDS)
    try:
        feeds = conn.execute("SELECT count(*) FROM feeds").fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        totals = conn.execute("SELECT items, unread FROM item_totals").fetchone()
    finally:
        conn.close()
    read_before = (
        None
        if recovery.items_before is None or recovery.unread_before is None
        else recovery.items_before - recovery.unread_before
    )
    read_after = int(totals[0] - totals[1]) if totals else 0
    return [
        ("subscriptions", before("feeds"), int(feeds)),
        ("entries", before("entries"), int(entries)),
        ("items read", read_before, read_after),
    ]


def describe_cost(rows: list[tuple[str, int | None, int]]) -> str:
    return "what the repair cost: " + ", ".join(
        f"{what} {'?' if was is None else was} -> {now}" for what, was, now in rows
    )


def _remove_with_sidecars(path: Path, *, main: bool = True) -> None:
    for suffix in ("", "-wal", "-shm", "-checked")[0 if main else 1 :]:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _rebuild(source: Path, target: Path) -> Recovery:
    """Recover `source` (the backup) into a fresh cache, then put it in place of `target`.

    The fresh cache is built beside the target and moved over it only when complete, so an
    interrupted repair leaves the damaged file (and always the backup), never half a cache.
    """
    building = target.with_name(target.name + ".rebuilding")
    _remove_with_sidecars(building)
    try:
        recovery = recover(source, building)
    except BaseException:
        _remove_with_sidecars(building)
        raise
    # The damaged file's WAL (in the backup) goes first: left beside the new file, SQLite would
    # replay it into it. The file itself is replaced in one step: a repair killed between the
    # two leaves it in place, never no cache at all (which the next open made an empty one).
    _remove_with_sidecars(target, main=False)
    os.replace(building, target)
    _remove_with_sidecars(building)  # its record of being checked ("-checked") was left behind
    return recovery


__all__ = ["CacheError", "Report", "SchemaTooNewError", "check", "cost", "describe_cost", "repair"]

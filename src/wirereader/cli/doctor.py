"""`wirereader doctor`: check the cache, and with --repair fix it (always keeping a backup)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from wirereader.cli.common import UserError, db_path, load_args_config, print_json, warn
from wirereader.store import doctor
from wirereader.store.db import CacheError, Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the cache file; --repair fixes it, keeping a backup")
    p.add_argument("--repair", action="store_true", help="repair or rebuild (backup kept)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    path = db_path(args, load_args_config(args))
    try:
        report = doctor.repair(path) if args.repair else doctor.check(path)
    except OSError as exc:  # a full disk while writing the backup or the rebuilt cache
        raise UserError(f"{path}: repair stopped: {exc.strerror or exc}") from None
    if report.recovery is not None and report.healthy:
        _reanalyse(path)
    cost = doctor.cost(report) if report.recovery is not None and report.healthy else []
    if args.json:
        print_json(
            {
                "path": str(path),
                "healthy": report.healthy,
                "problems": report.problems,
                "access": report.access or None,
                "actions": report.actions,
                "lost": report.losses,
                "recovered": {
                    table: {"recovered": c.recovered, "lost": c.lost, "dropped": c.dropped}
                    for table, c in report.recovery.tables.items()
                }
                if report.recovery is not None
                else None,
                "backup": str(report.backup) if report.backup else None,
                "cost": {what: {"before": was, "after": now} for what, was, now in cost}
                if cost
                else None,
            }
        )
    else:
        for action in report.actions:
            print(f"{path}: {action}")
        if cost:
            print(f"{path}: {doctor.describe_cost(cost)}")
        for problem in report.problems:
            print(f"{path}: {problem}")
        if report.access and not report.actions and not (report.healthy and report.checked):
            print(f"{path}: {report.access}")
        if report.losses:
            # Never "ok" when something is gone: say what, and where the old file still is.
            print(
                f"{path}: repaired, but not everything could be recovered ("
                + "; ".join(report.losses)
                + f"); the damaged file is kept at {report.backup}"
            )
        elif report.healthy and report.checked:
            # Read-only (a backup disk, a snapshot) is not damage: the cache reads whole.
            print(f"{path}: ok" + (f"; {report.access}" if report.access else ""))
        elif not report.healthy and not args.repair and not report.access and path.exists():
            # (no hint for a path with no file: "--repair" would only make an empty cache)
            print(
                f"{path}: run 'wirereader --db {path} doctor --repair' to fix it (a backup is kept)"
            )
    # 0 when the cache reads whole, also one that may not be written (scripts check backups
    # on read-only disks); 1 when it is damaged, lost something, or could not be read at all.
    return 0 if report.healthy and report.checked and not report.losses else 1


def _reanalyse(path: Path) -> None:
    """A rebuilt cache has no analysis (it is derived): redo it now, so the reader shows reposts
    and threads at once. If it cannot run now, the next import or fetch does it."""
    from wirereader.analysis.pipeline import analyse_pending

    try:
        with Store(path) as store:
            analyse_pending(store)
    except (CacheError, sqlite3.DatabaseError, OSError) as exc:
        warn(f"{path}: the analysis will be redone by the next import or fetch ({exc})")

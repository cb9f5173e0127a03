"""`wirereader doctor`: check the cache, and with --repair fix it (always keeping a backup)."""

from __future__ import annotations

import argparse

from wirereader.cli.common import db_path, load_args_config, print_json
from wirereader.store import doctor


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the cache file; --repair fixes it, keeping a backup")
    p.add_argument("--repair", action="store_true", help="repair or rebuild (backup kept)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    path = db_path(args, load_args_config(args))
    report = doctor.repair(path) if args.repair else doctor.check(path)
    if args.json:
        print_json(
            {
                "path": str(path),
                "healthy": report.healthy,
                "problems": report.problems,
                "actions": report.actions,
                "backup": str(report.backup) if report.backup else None,
            }
        )
    else:
        for action in report.actions:
            print(f"{path}: {action}")
        for problem in report.problems:
            print(f"{path}: {problem}")
        if report.healthy:
            print(f"{path}: ok")
        elif not args.repair:
            print(
                f"{path}: run 'wirereader --db {path} doctor --repair' to fix it (a backup is kept)"
            )
    return 0 if report.healthy else 1

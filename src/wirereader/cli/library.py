"""Commands over the local library: import files, list entries, search, export."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wirereader.analysis.pipeline import analyse_pending
from wirereader.cli.common import UserError, load_args_config, open_store, print_json, warn
from wirereader.core.timezones import ZoneError, resolve_zone
from wirereader.ingest.files import ImportFailure, import_file
from wirereader.query import language as querylang
from wirereader.query.timeline import EntryRow, Query


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import live-blog captures, articles, JSON Lines, feeds")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--source", metavar="NAME", help="file the entries under this source name")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="day of the newest entry of a capture")
    p.add_argument("--tz", metavar="ZONE", help="the outlet's time zone (default: local)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("entries", help="list items (reposts folded), newest first")
    p.add_argument("filter", nargs="*", metavar="FILTER", help="filter words (see README)")
    p.add_argument("--all", action="store_true", help="every raw entry, with its canonical item")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=0, help="at most this many rows")
    p.set_defaults(func=cmd_entries)

    p = sub.add_parser("search", help="full-text search")
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=0, help="at most this many rows")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("export", help="export the cache")
    p.add_argument(
        "--format",
        choices=["json", "opml"],
        default="json",
        help="json: every entry; opml: the subscriptions",
    )
    p.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    try:
        tz = resolve_zone(args.tz or cfg.timezone or None)
    except ZoneError as exc:
        raise UserError(str(exc)) from None
    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise UserError(f"--date {args.date!r}: expected YYYY-MM-DD") from None
    failures = 0
    with open_store(args, cfg) as store:
        for name in args.files:
            try:
                report = import_file(
                    store, Path(name), source=args.source or "", day=day, tz=tz, analyse=False
                )
            except ImportFailure as exc:
                warn(str(exc))
                failures += 1
                continue
            for message in report.warnings:
                warn(message)
            if report.truncated:
                failures += 1  # what was there is kept, but the user must know the file is cut
            saved = report.saved
            print(
                f"{name}: {len(saved.new)} new, {len(saved.updated)} updated, "
                f"{saved.unchanged} unchanged ({report.format})",
                flush=True,  # each line means "committed": a killed run still told the truth
            )
        # One analysis for the whole import: IDF and threads see every file of it at once.
        analyse_pending(store)
    if failures:
        warn(
            f"{failures} of {len(args.files)} files failed or were incomplete; "
            "everything readable was imported"
        )
        return 1
    return 0


def _rows(args: argparse.Namespace, text: str, all_entries: bool) -> list[EntryRow]:
    parsed = querylang.parse(text)
    for problem in parsed.problems:
        warn(problem)
    flt = parsed.filter
    if all_entries:
        from dataclasses import replace

        flt = replace(flt, all_entries=True)
    with open_store(args, load_args_config(args)) as store:
        query = Query(store, flt)
        if args.limit:
            return query.page(args.limit, details=True)
        return query.all(details=True)


def cmd_entries(args: argparse.Namespace) -> int:
    rows = _rows(args, " ".join(args.filter), args.all)
    _print_rows(rows, args.json, with_canonical=args.all)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    rows = _rows(args, " ".join(args.query), False)
    _print_rows(rows, args.json, with_canonical=False)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "opml":
        from wirereader.cli.feeds import export_opml

        return export_opml(args)
    rows = _rows(argparse.Namespace(**{**vars(args), "limit": 0}), "", True)
    print_json([row.to_json(with_canonical=True) for row in rows])
    return 0


def _print_rows(rows: list[EntryRow], as_json: bool, *, with_canonical: bool) -> None:
    if as_json:
        print_json([row.to_json(with_canonical=with_canonical) for row in rows])
        return
    # Piped output is not squeezed to 80 columns: scripts and pagers get whole titles.
    width = None if sys.stdout.isatty() else 200
    console = Console(highlight=False, soft_wrap=False, width=width)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    # The title takes what the other columns leave, so a long title squeezes itself, never
    # the id or the time; the author column goes first on a narrow terminal.
    kinds = ["" if row.kind == "post" else row.kind for row in rows]
    id_width = max([2, *(len(str(row.id)) for row in rows)])
    source_width = min(14, max([6, *(len(row.source) for row in rows)]))
    kind_width = max([4, *(len(kind) for kind in kinds)])
    show_author = console.width >= 110
    fixed = id_width + 16 + source_width + kind_width + (20 if show_author else 0)
    columns = 6 if show_author else 5
    title_width = max(12, console.width - fixed - 2 * (columns - 1))
    table.add_column("id", justify="right", style="dim", no_wrap=True, width=id_width)
    table.add_column("time", no_wrap=True, width=16)
    table.add_column("source", style="cyan", no_wrap=True, width=source_width)
    table.add_column("kind", style="magenta", no_wrap=True, width=kind_width)
    table.add_column("title", no_wrap=True, overflow="ellipsis", width=title_width)
    if show_author:
        table.add_column("author", style="dim", no_wrap=True, width=20, overflow="ellipsis")
    for row, kind in zip(rows, kinds, strict=True):
        when = (row.published or "")[:16].replace("T", " ")
        badge = f" +{len(row.reposts)}" if row.reposts else ""
        # Text(), never markup: titles come from the outside world.
        cells = [Text(str(row.id)), Text(when), Text(row.source), Text(kind)]
        cells.append(Text(row.title + badge))
        if show_author:
            cells.append(Text(row.author))
        table.add_row(*cells)
    console.print(table)
    if not rows:
        print("no entries", file=sys.stderr)

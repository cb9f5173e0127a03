"""Commands over the local library: import files, list entries, search, export."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, tzinfo
from itertools import islice
from pathlib import Path

from wirereader.cli.common import (
    UsageError,
    UserError,
    count_arg,
    display_zone,
    entry_minute,
    filter_parser_options,
    load_args_config,
    nonempty_arg,
    open_store,
    parse_filter,
    print_json,
    redacting,
    short_minute,
    warn,
)
from wirereader.cli.stream import Column, StreamTable, chunks, print_json_stream
from wirereader.core.model import Kind
from wirereader.core.text import author_name
from wirereader.core.timezones import ZoneError, resolve_zone
from wirereader.ingest.analyse import run_analysis
from wirereader.ingest.files import ImportFailure, import_file
from wirereader.query.timeline import (
    EntryRow,
    Query,
    listing_widths,
    repost_counts,
    unknown_names,
)
from wirereader.store.db import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import live-blog captures, articles, JSON Lines, feeds")
    p.add_argument("files", nargs="+", metavar="FILE", type=nonempty_arg)
    p.add_argument("--source", metavar="NAME", help="file the entries under this source name")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="day of the newest entry of a capture")
    p.add_argument("--tz", metavar="ZONE", help="the outlet's time zone (default: local)")
    p.add_argument("--json", action="store_true", help="print what each file brought as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "entries", help="list items (reposts folded), newest first", **filter_parser_options()
    )
    p.add_argument("filter", nargs="*", metavar="FILTER", help="filter terms (below)")
    p.add_argument("--all", action="store_true", help="every raw entry, with its canonical item")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=count_arg, default=0, help="at most this many rows")
    p.set_defaults(func=cmd_entries)

    p = sub.add_parser("search", help="full-text search", **filter_parser_options())
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=count_arg, default=0, help="at most this many rows")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("export", help="export the cache")
    p.add_argument(
        "--format",
        choices=["json", "opml"],
        default="json",
        help="json: every entry with its reading state (import restores it); "
        "opml: the subscriptions",
    )
    p.set_defaults(func=redacting(cmd_export))


_WEB = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _no_web_address(name: str) -> None:
    """`import URL` said "http:/host/x.txt: no such file" (a path joins the two slashes)."""
    if _WEB.match(name) and not Path(name).exists():
        raise ImportFailure(
            f"{name}: a web address; 'import' reads files: save it first (curl -o FILE URL),"
            f" or follow a feed or live-blog page with 'wirereader add {name}'"
        )


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
    results: list[dict[str, object]] = []
    with open_store(args, cfg) as store:
        for name in args.files:
            try:
                _no_web_address(name)
                report = import_file(
                    store, Path(name), source=args.source or "", day=day, tz=tz, analyse=False
                )
            except ImportFailure as exc:
                warn(str(exc))
                failures += 1
                results.append({"file": name, "error": str(exc)})
                continue
            for message in report.warnings:
                warn(message)
            if report.truncated:
                failures += 1  # what was there is kept, but the user must know the file is cut
            saved = report.saved
            results.append(
                {
                    "file": name,
                    "format": report.format,
                    "new": len(saved.new),
                    "updated": len(saved.updated),
                    "unchanged": saved.unchanged,
                    "marked_read": report.marked_read,
                    "starred": report.starred,
                    "truncated": report.truncated,
                    "warnings": report.warnings,
                    "error": None,
                }
            )
            if args.json:
                continue
            state = ""
            if report.format == "wirereader-export":
                state = f"; {report.marked_read} marked read, {report.starred} starred"
            print(
                f"{name}: {len(saved.new)} new, {len(saved.updated)} updated, "
                f"{saved.unchanged} unchanged ({report.format}{state})",
                flush=True,  # each line means "committed": a killed run still told the truth
            )
        # One analysis for the whole import: IDF and threads see every file of it at once.
        # Its failure (a disk that filled after the entries were saved) is one line after
        # the report, as `add` and `fetch` say it: it was the only line, "nothing more could
        # be written" after "55 new", and `--json` printed no document.
        problem = run_analysis(store)
    if args.json:
        print_json({"files": results, "failed": failures})
    if problem:
        warn(problem)
    if failures:
        if len(args.files) > 1:  # (one file's own line already said it all)
            warn(
                f"{failures} of {len(args.files)} files failed or were incomplete; "
                "everything readable was imported"
            )
        return 1
    return 1 if problem else 0


def _query(store: Store, text: str, all_entries: bool) -> Query:
    flt = parse_filter(text)
    if all_entries:
        flt = replace(flt, all_entries=True)
    return Query(store, flt)


def _list(args: argparse.Namespace, text: str, *, all_entries: bool, as_json: bool) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        query = _query(store, text, all_entries)
        rows: Iterable[EntryRow] = query.stream(details=as_json, bodies=as_json)
        if args.limit:
            rows = islice(rows, args.limit)
        if as_json:
            print_json_stream(row.to_json(with_canonical=all_entries) for row in rows)
            return 0
        shown = _print_rows(store, rows, display_zone(cfg))
        why = [] if shown else unknown_names(store, query.filter)
    if not shown:
        print("; ".join(["no entries", *why]), file=sys.stderr)
    return 0


def cmd_entries(args: argparse.Namespace) -> int:
    return _list(args, " ".join(args.filter), all_entries=args.all, as_json=args.json)


def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    if parse_filter(text, tell=False) == parse_filter("", tell=False):
        # `search '"'` or `search '*'` listed every entry in the cache, as a search that
        # matched all of them.
        raise UsageError(
            f'nothing to search for in {text!r}: give a word, a "phrase" or a filter such'
            " as source:NAME ('wirereader entries' lists everything)"
        )
    return _list(args, text, all_entries=False, as_json=args.json)


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "opml":
        from wirereader.cli.feeds import export_opml

        return export_opml(args)
    with open_store(args, load_args_config(args), reads_only=True) as store:
        from wirereader.query.export import export_stream

        print_json_stream(export_stream(store))
    return 0


def _print_rows(store: Store, rows: Iterable[EntryRow], tz: tzinfo) -> int:
    """The timeline as a table, printed as it is read; returns how many rows it had.

    Column widths come from the cache, not from the rows (which are not all read yet): the
    largest id, the longest source name (up to 14), the longest kind name."""
    # Piped output is not squeezed to 80 columns: scripts and pagers get whole titles.
    width = None if sys.stdout.isatty() else 200
    from rich.console import Console  # (see cli.common on Rich)

    console = Console(highlight=False, soft_wrap=True, width=width)
    top_id, longest_source = listing_widths(store)
    id_width = max(2, len(str(top_id)))
    source_width = min(14, max(6, longest_source))
    kind_width = max(4, *(len(kind.value) for kind in Kind if kind is not Kind.POST))
    # The title takes what the other columns leave, so a long title squeezes itself, never
    # the id or the time; the author column goes first on a narrow terminal.
    # On a terminal under 80 columns the kind goes before the title ("breaking: ...") and the
    # source narrows, so the title keeps twenty cells: at 60 it had twelve and every line ran
    # past the edge, each row wrapped onto a second line.
    show_author = console.width >= 110
    show_kind = console.width >= 80
    # Under 50 columns (40: a split screen, a phone) every row took two lines: the time drops
    # its year and the source goes, so the title keeps about twenty cells.
    show_source = console.width >= 50
    time_width = 16 if show_source else 12  # ("~02-18 00:35": a guessed time is marked)
    if not show_kind:
        source_width = max(8, min(source_width, console.width - id_width - 16 - 20 - 6))
    if not show_source:
        source_width = 0
    fixed = id_width + time_width + source_width + (kind_width if show_kind else 0)
    fixed += 20 if show_author else 0
    columns = 3 + show_source + show_kind + show_author
    title_width = max(12, console.width - fixed - 2 * (columns - 1))
    table = StreamTable(
        [
            Column("id", id_width, "dim", right=True),
            Column("time", time_width),
            *([Column("source", source_width, "cyan")] if show_source else []),
            *([Column("kind", kind_width, "magenta")] if show_kind else []),
            Column("title", title_width),
            *([Column("author", 20, "dim")] if show_author else []),
        ],
        console,
    )

    def cells(row: EntryRow) -> list[str]:
        when = entry_minute(row, tz)
        badge = f" +{len(row.reposts)}" if row.reposts else ""
        kind = "" if row.kind == "post" else row.kind
        if not show_kind:
            said = not kind or row.title.lower().startswith(kind)  # "Breaking: ..."
            title = row.title if said else f"{kind}: {row.title}"
            if not show_source:
                short = when if row.time_guessed else short_minute(when, tz)  # "02-18 00:35"
                return [str(row.id), short, title + badge]
            return [str(row.id), when, row.source, title + badge]
        out = [str(row.id), when, row.source, kind, row.title + badge]
        return [*out, author_name(row.author)] if show_author else out

    return table.print_all(_with_repost_counts(store, rows), cells)


def _with_repost_counts(store: Store, rows: Iterable[EntryRow]) -> Iterator[EntryRow]:
    """The rows with their reposts counted (the table's `+N` badge), a chunk at a time."""
    for chunk in chunks(rows):
        by_id = {row.id: row for row in chunk}
        for entry_id, count in repost_counts(store, list(by_id)).items():
            by_id[entry_id].reposts = [{}] * count
        yield from chunk

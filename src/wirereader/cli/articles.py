"""`wirereader articles`: fill in the full text of teaser items, or show what is missing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TextIO

from wirereader.cli.common import (
    UserError,
    load_args_config,
    open_store,
    positive_arg,
    print_json,
    warn,
)
from wirereader.core.config import Config
from wirereader.store.db import Store
from wirereader.store.subscriptions import source_ids_named


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "articles",
        help="fetch the full articles of teaser items (what 'fetch --articles' does after feeds)",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="only these sources (names)")
    p.add_argument("--status", action="store_true", help="list items still missing an article")
    p.add_argument(
        "--again",
        type=positive_arg,
        nargs="+",
        metavar="ID",
        help="fetch these items' pages again now (a changed page is kept as a new version)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_articles)


def cmd_articles(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        if args.status:
            return _print_status(store, args.json)
        source_ids = _source_ids(store, args.sources) if args.sources else None
        if args.again:
            from wirereader.store.articles import request_refetch

            if request_refetch(store, args.again) < len(set(args.again)):
                warn("some of these ids have no web page to fetch (or no such entry)")
        # --again fetches just the pages asked for: on a cache of 200 feeds, every other
        # missing article (2,000 requests) came along with them
        return run_articles(
            store, cfg, source_ids=source_ids, entry_ids=args.again, as_json=args.json
        )


def run_articles(
    store: Store,
    cfg: Config | None,
    *,
    source_ids: Iterable[int] | None = None,
    entry_ids: Iterable[int] | None = None,
    as_json: bool = False,
    summary_to: TextIO | None = None,
) -> int:
    """Fetch every missing article with progress; a summary line; 1 when some failed.

    The `fetch --articles` command calls this after the feed refresh; with `fetch --json` it
    sends the summary line to stderr (`summary_to`) so stdout stays one JSON document.
    """
    from wirereader.ingest.articles import fetch_articles

    show_bar = sys.stderr.isatty() and not as_json
    if show_bar:
        from rich.console import Console  # (see cli.common on Rich)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (
            TextColumn("articles"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            # markup=False: the note can carry a server's words (an HTTP reason phrase).
            TextColumn("{task.description}", markup=False),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int, job: object, note: str) -> None:
                bar.update(task, completed=done, total=total, description=note)

            report = fetch_articles(
                store, cfg, source_ids=source_ids, entry_ids=entry_ids, progress=progress
            )
    else:
        report = fetch_articles(store, cfg, source_ids=source_ids, entry_ids=entry_ids)
    if as_json:
        print_json(
            {
                "attempted": report.attempted,
                "stored": report.fetched,
                "unchanged": report.unchanged,
                "deferred": report.deferred,
                "failed": [{"id": i, "error": e} for i, e in report.failed],
                "missing": report.remaining,
            }
        )
    else:
        for _entry_id, message in report.failed:
            warn(message)
        for message in report.warnings:
            warn(message)
        print(
            f"articles: {report.fetched} stored, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed, {report.deferred} deferred; "
            f"{report.remaining} still missing (retried later)",
            file=summary_to or sys.stdout,
        )
    return 1 if report.failed else 0


def _source_ids(store: Store, names: list[str]) -> list[int]:
    found: list[int] = []
    for name in names:
        ids = source_ids_named(store, name)
        if not ids:
            raise UserError(f"no source named {name!r} (see 'wirereader feeds')")
        found += ids
    return found


def _print_status(store: Store, as_json: bool) -> int:
    # the extraction stack: load late
    from wirereader.store.articles import missing_articles, unplanned_count

    rows = missing_articles(store)
    if as_json:
        print_json(
            [
                {
                    "id": r["entry_id"],
                    "status": r["status"],
                    "url": r["url"],
                    "failures": r["failures"],
                    "next_attempt": r["next_attempt"],
                    "error": r["last_error"],
                    "title": r["title"],
                }
                for r in rows
            ]
        )
        return 0
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for r in rows:
        # Text(), never markup: titles and errors come from the outside world.
        line = Text(f"{r['entry_id']:>6} {r['status']:<8} ")
        line.append(r["title"])
        if r["last_error"]:
            line.append(f"  ({r['last_error']})", style="dim")
        console.print(line)
    unplanned = unplanned_count(store)
    if unplanned:
        # Not "every article is in the cache": items that arrived since the last planning are
        # in no list yet, and `show` calls their teasers not fetched.
        print(
            f"{unplanned:,} item(s) not yet checked for a missing article;"
            " 'wirereader fetch --articles' checks them and fetches what is missing",
            file=sys.stderr,
        )
    elif not rows:
        print("every article wanted is in the cache", file=sys.stderr)
    return 0

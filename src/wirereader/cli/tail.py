"""`wirereader tail [FILTER...] [--json] [--fetch]`: new items matching a filter as they land.

Like `tail -f` on the cache: it prints the last few matching items, then each new one as another
process (a cron `fetch`, an `import`, a running reader's refresh) or its own `--fetch` saves it.
One line per item (`--json`: one JSON object per line, JSON Lines, so a script can read each as
it comes). Ctrl-C ends it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import tzinfo

from wirereader.cli.common import (
    count_arg,
    display_zone,
    entry_minute,
    filter_parser_options,
    load_args_config,
    open_store,
    short_minute,
    warn,
)
from wirereader.core.config import Config
from wirereader.query.alerts import newest_entry_id
from wirereader.query.follow import Follower
from wirereader.query.timeline import EntryRow
from wirereader.store.db import Store

POLL_SECONDS = 1.0  # how often the cache is looked at (one PRAGMA when nothing changed)
FETCH_CHECK_SECONDS = 30.0  # with --fetch: how often due feeds are looked for


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tail",
        help="print new items matching a filter as they land (like tail -f)",
        description="Follow the cache: print the last matching items, then every new item "
        "matching FILTER as it is saved, by this command's --fetch or by any other process "
        "(a cron fetch, an import, the reader's refresh). Ctrl-C to stop.",
        **filter_parser_options(),
    )
    p.add_argument("filter", nargs="*", metavar="FILTER", help="filter terms (below)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--fetch",
        action="store_true",
        help="also refresh subscriptions as their intervals come (and alert on saved topics)",
    )
    p.add_argument(
        "-n",
        "--lines",
        type=count_arg,
        default=10,
        metavar="N",
        help="print the last N matching items first (default 10; 0: only new ones)",
    )
    p.set_defaults(func=cmd_tail)


def cmd_tail(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    tz = display_zone(cfg)
    # --fetch writes (it makes a cache as `fetch` does); without it, tail only reads
    with open_store(args, cfg, reads_only=not args.fetch) as store:
        follower = Follower(store, " ".join(args.filter))
        if follower.problems:
            for problem in follower.problems:
                warn(problem)
            return 2
        try:
            for row in follower.latest(args.lines):
                _print(row, args.json, tz)
            if sys.stderr.isatty():
                print("following new items (Ctrl-C to stop)", file=sys.stderr, flush=True)
            _follow(store, cfg, follower, fetch=args.fetch, as_json=args.json, tz=tz)
        except KeyboardInterrupt:
            return 0
    return 0


def _follow(
    store: Store, cfg: Config, follower: Follower, *, fetch: bool, as_json: bool, tz: tzinfo
) -> None:
    next_fetch = time.monotonic()
    while True:
        fetched = False
        if fetch and time.monotonic() >= next_fetch:
            _fetch_due(store, cfg)
            fetched = True
            next_fetch = time.monotonic() + FETCH_CHECK_SECONDS
        for row in follower.poll(force=fetched):
            _print(row, as_json, tz)
        time.sleep(POLL_SECONDS)


def _fetch_due(store: Store, cfg: Config) -> None:
    """One round of the feeds whose interval has come; problems are warnings, alerts go out."""
    from wirereader.cli.alerting import alert_new_items
    from wirereader.ingest.refresh import refresh

    mark = newest_entry_id(store)
    try:
        report = refresh(store, cfg, due_only=True)
    except Exception as exc:  # a bad round must not end the tail
        warn(f"fetch failed ({type(exc).__name__}: {exc})")
        return
    for result in report.failures:
        warn(result.error)
    for message in report.warnings:
        warn(message)
    alert_new_items(store, cfg, mark)


def _print(row: EntryRow, as_json: bool, tz: tzinfo) -> None:
    if as_json:
        line = json.dumps(row.to_json(), ensure_ascii=False)
    else:
        when = entry_minute(row, tz)
        title = row.title or row.body.split("\n", 1)[0]
        # Text saved in the cache was cleaned of escape sequences at ingest: printed as is.
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
        if 0 < width < 50:  # as `entries` there: the source goes, another year's day alone
            short = when if row.time_guessed else short_minute(when, tz)
            line = f"{row.id:>6}  {short:>12}  {title}"  # ('~' in the padding: aligned)
        else:
            line = f"{row.id:>6}  {when}  {row.source}  {title}"
        if width:
            # On a terminal each item is one line, as `entries` cuts its titles ('show ID'
            # has the rest): at 40 columns each wrapped onto two or three, under the ids.
            line = _fit(line, width)
    print(line, flush=True)


def _fit(line: str, width: int) -> str:
    """`line` in at most `width` cells, '…' at its end when it was cut."""
    from rich.cells import cell_len, set_cell_size  # (see cli.common on Rich)

    if cell_len(line) <= width:
        return line
    return set_cell_size(line, width - 1).rstrip() + "…"

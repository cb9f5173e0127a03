"""Looking after the cache: `rename` a feed, `prune` old items on request.

wirereader rename OLD NEW [--json]                  a feed's short name, everywhere it shows
wirereader prune --older-than 90d [--dry-run]       delete old items (starred ones and their
                                                    threads stay); says what goes first
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

from wirereader.cli.common import (
    UsageError,
    UserError,
    load_args_config,
    open_store,
    print_json,
)
from wirereader.core.config import MAX_DURATION_DAYS, parse_duration
from wirereader.store.prune import PruneSummary, prune
from wirereader.store.subscriptions import SubscriptionError, find_feeds, rename


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rename",
        help="rename a feed (its short name in fetch, feeds and the timeline)",
        description="Give a subscribed feed a new short name. Its entries so far show the new "
        "name too; a name chosen here is never replaced by the feed's own title.",
    )
    p.add_argument("old", metavar="OLD", help="the feed: its name, URL or part of its name")
    p.add_argument("new", metavar="NEW", help="the new name")
    p.add_argument("--json", action="store_true", help="print the renamed feed as JSON")
    p.set_defaults(func=cmd_rename)

    p = sub.add_parser(
        "prune",
        help="delete items older than a duration (starred items and their threads stay)",
        description="Delete items whose newest version is older than --older-than, with their "
        "reposts and versions. A story thread goes only as a whole, when all its items are old; "
        "starred items and every thread holding one are kept. Nothing is ever deleted otherwise.",
    )
    p.add_argument(
        "--older-than",
        metavar="DURATION",
        required=True,
        help="age of what goes, e.g. 90d, 12h",
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would go; delete nothing")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_prune)


def cmd_rename(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        try:
            feed = find_feeds(store, [args.old])[0]
            old_name = feed.name
            feed = rename(store, feed, args.new)
        except SubscriptionError as exc:
            raise UserError(str(exc)) from None
    if args.json:
        print_json({**feed.to_json(), "old_name": old_name})
    else:
        print(f"renamed {old_name} to {feed.name}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    seconds = parse_duration(args.older_than)
    if seconds is None:
        raise UsageError(
            f"--older-than {args.older_than!r}: expected a duration such as 90d"
            f" (at most {MAX_DURATION_DAYS}d)"
        )
    cutoff = int(time.time()) - seconds
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        summary = prune(store, cutoff, dry_run=args.dry_run)
    if args.json:
        print_json({**summary.to_json(), "dry_run": args.dry_run})
    else:
        print(describe(summary, dry_run=args.dry_run))
    return 0


def _day(epoch: int | None) -> str:
    if epoch is None:
        return "?"
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d")


def _count(number: int, noun: str) -> str:
    """'1 item', '2 items', '1 entry', '3 entries' ("1 threads" read as a slip)."""
    if number == 1:
        return f"1 {noun}"
    return f"{number} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def describe(summary: PruneSummary, *, dry_run: bool) -> str:
    """The summary as a few lines: what goes (or would), from where, and what old stays."""
    verb = "would delete" if dry_run else "deleted"
    lines: list[str] = []
    if not summary.entries:
        lines.append(f"nothing older than {_day(summary.cutoff)} to delete")
    else:
        lines.append(
            f"{verb} {_count(summary.items, 'item')} ({_count(summary.entries, 'entry')} with"
            f" their reposts, {_count(summary.versions, 'version')}) and"
            f" {_count(summary.threads, 'thread')}, "
            f"from {_day(summary.oldest)} to {_day(summary.newest)}"
        )
        shown = list(summary.per_source.items())
        for name, count in shown[:10]:
            lines.append(f"  {count:>6}  {name}")
        if len(shown) > 10:
            rest = sum(count for _, count in shown[10:])
            lines.append(f"  {rest:>6}  ({len(shown) - 10} more sources)")
    kept = []
    if summary.kept_starred:
        kept.append(f"{summary.kept_starred} starred or in a thread with a starred item")
    if summary.kept_running:
        kept.append(f"{summary.kept_running} in threads with newer items")
    if kept:
        lines.append(f"kept, though older: {'; '.join(kept)}")
    if dry_run and summary.entries:
        lines.append("nothing was deleted (--dry-run)")
    return "\n".join(lines)

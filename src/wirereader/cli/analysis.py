"""Commands over the analysis: story threads, entities, and one item with its versions."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wirereader.analysis.pipeline import analyse_pending, pending_count
from wirereader.cli.common import UserError, load_args_config, open_store, print_json, warn
from wirereader.query import language as querylang
from wirereader.query import threads
from wirereader.query.detail import item_json
from wirereader.query.entities import entity_aliases, entity_counts
from wirereader.query.timeline import Filter, iso_utc
from wirereader.store.db import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("threads", help="story threads: items grouped across sources")
    p.add_argument("filter", nargs="*", metavar="FILTER", help="threads with an item matching")
    p.add_argument("--min-size", type=int, default=1, metavar="N", help="only threads of N+ items")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=0, help="at most this many threads")
    p.set_defaults(func=cmd_threads)

    p = sub.add_parser("entities", help="people, places and organisations, most mentioned first")
    p.add_argument("--kind", choices=["person", "place", "org"], help="only this kind")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=0, help="at most this many entities")
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("show", help="one item: its versions and what changed, reposts, thread")
    p.add_argument("id", type=int, metavar="ID", help="entry id (a repost shows its item)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)


def _open(args: argparse.Namespace) -> Store:
    """The cache, with anything imported but not analysed yet analysed first."""
    store = open_store(args, load_args_config(args))
    if pending_count(store):
        analyse_pending(store)
    return store


# -- threads --------------------------------------------------------------------------------


def thread_rows(store: Store, text: str = "", min_size: int = 1, limit: int = 0) -> list[dict]:
    """Threads as the JSON contract has them, newest activity first."""
    flt = Filter()
    if text.strip():
        parsed = querylang.parse(text)
        for problem in parsed.problems:
            warn(problem)
        flt = parsed.filter
    return [
        _thread_json(store, t)
        for t in threads.thread_rows(store, flt, min_size=min_size, limit=limit)
    ]


def _thread_json(store: Store, t: threads.ThreadRow) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "entries": threads.thread_items(store, t.id),
        "first": iso_utc(t.first_at),
        "last": iso_utc(t.last_at),
        "sources": threads.thread_sources(store, t.id),
        "entities": threads.thread_entities(store, t.id),
    }


def cmd_threads(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = thread_rows(store, " ".join(args.filter), args.min_size, args.limit)
    if args.json:
        print_json(rows)
        return 0
    console = _console()
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("id", justify="right", style="dim", no_wrap=True, min_width=3)
    table.add_column("items", justify="right", no_wrap=True, min_width=5)
    table.add_column("span", no_wrap=True, min_width=24)
    table.add_column("headline", ratio=1, no_wrap=True, overflow="ellipsis", max_width=110)
    table.add_column("sources", style="cyan", no_wrap=True, max_width=30)
    for row in rows:
        first, last = row["first"][:16].replace("T", " "), row["last"][:16].replace("T", " ")
        span = f"{first} .. {last[11:] if last[:10] == first[:10] else last}"
        table.add_row(
            Text(str(row["id"])),
            Text(str(len(row["entries"]))),
            Text(span),
            Text(row["title"]),
            Text(", ".join(row["sources"])),
        )
    console.print(table)
    if not rows:
        print("no threads", file=sys.stderr)
    return 0


# -- entities -------------------------------------------------------------------------------


def entity_rows(store: Store, kind: str | None = None, limit: int = 0) -> list[dict[str, Any]]:
    rows = entity_counts(store, Filter(), kind=kind, limit=limit)
    aliases = entity_aliases(store, [r.id for r in rows])
    return [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "aliases": [a for a in aliases.get(r.id, []) if a != r.name],
            "count": r.count,
        }
        for r in rows
    ]


def cmd_entities(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = entity_rows(store, args.kind, args.limit)
    if args.json:
        print_json(rows)
        return 0
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("id", justify="right", style="dim", no_wrap=True, min_width=3)
    table.add_column("count", justify="right", no_wrap=True, min_width=5)
    table.add_column("kind", style="magenta")
    table.add_column("name", no_wrap=True)
    table.add_column("aliases", style="dim", ratio=1, overflow="ellipsis", no_wrap=True)
    for row in rows:
        table.add_row(
            Text(str(row["id"])),
            Text(str(row["count"])),
            Text(row["kind"]),
            Text(row["name"]),
            Text(", ".join(row["aliases"])),
        )
    _console().print(table)
    if not rows:
        print("no entities", file=sys.stderr)
    return 0


# -- show -----------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        try:
            detail = item_json(store, args.id)
        except LookupError as exc:
            raise UserError(str(exc)) from None
    if args.json:
        print_json(detail)
        return 0
    console = _console()
    item = detail["item"]
    console.print(Text(item["title"], style="bold"))
    console.print(
        Text(f"#{item['id']}  {item['source']}  {item['published']}  {item['author']}", "dim")
    )
    if detail["thread"]:
        t = detail["thread"]
        console.print(Text(f"thread #{t['id']}: {t['title']}", style="cyan"))
    marker = (item.get("article") or {}).get("marker")
    if marker:
        console.print(Text(marker, style="yellow"))
    console.print()
    console.print(Text(item["body"]))
    versions = detail["versions"]
    console.print()
    console.print(Text(f"{len(versions)} version(s)", style="bold"))
    for v in versions:
        console.print(
            Text(
                f"- #{v['entry']} {v['source']}  {v['published']}  {v['author'] or '-'}"
                f"  (seen {v['seen'][:16].replace('T', ' ')})"
                + (f"  full article from {v['url']}" if v.get("origin") == "article" else ""),
                style="dim",
            )
        )
        changes = v["changes"]
        if changes is None:
            continue
        if not changes["title"] and not changes["body"]:
            console.print(Text("    same text", style="dim"))
            continue
        for part in ("title", "body"):
            if changes[part]:
                console.print(_render_diff(changes[part], part))
    if detail["siblings"]:
        console.print()
        console.print(Text(f"in the same thread ({len(detail['siblings'])})", style="bold"))
        for s in detail["siblings"]:
            when = (s["published"] or "")[:16].replace("T", " ")
            console.print(Text(f"  #{s['id']}  {when}  {s['source']}  {s['title']}"))
    return 0


def _render_diff(segments: list[dict[str, str]], label: str) -> Text:
    """Changed words in colour with a little context; long unchanged runs are elided."""
    out = Text(f"    {label}: ", style="dim")
    for seg in segments:
        text = seg["text"]
        if seg["op"] == "equal":
            words = text.split(" ")
            if len(words) > 12:
                text = " ".join(words[:5]) + " … " + " ".join(words[-5:])
            out.append(text + " ")
        elif seg["op"] == "delete":
            out.append("[-" + text + "-]", style="red strike")
            out.append(" ")
        else:
            out.append("{+" + text + "+}", style="green")
            out.append(" ")
    return out


def _console() -> Console:
    width = None if sys.stdout.isatty() else 200
    return Console(highlight=False, soft_wrap=False, width=width)

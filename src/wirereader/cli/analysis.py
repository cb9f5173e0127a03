"""Commands over the analysis: story threads, entities, and one item with its versions."""

from __future__ import annotations

import argparse
import sys
from datetime import timezone, tzinfo
from typing import TYPE_CHECKING, Any

from wirereader.cli.common import (
    UserError,
    count_arg,
    display_zone,
    filter_parser_options,
    guessed_minute,
    load_args_config,
    minute,
    open_store,
    parse_filter,
    positive_arg,
    print_json,
    short_minute,
    table_console,
    warn,
)
from wirereader.cli.stream import CHUNK, Column, StreamTable, print_json_stream
from wirereader.core.config import Config
from wirereader.core.text import author_name
from wirereader.query.detail import item_json
from wirereader.query.entities import entity_listing, entity_widths
from wirereader.query.threads import largest_thread_id, thread_listing
from wirereader.store import analysis as analysis_store
from wirereader.store.db import Store

if TYPE_CHECKING:  # (Rich is imported where a command prints with it: see cli.common)
    from rich.console import Console
    from rich.text import Text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "threads", help="story threads: items grouped across sources", **filter_parser_options()
    )
    p.add_argument(
        "filter", nargs="*", metavar="FILTER", help="threads with an item matching (terms below)"
    )
    p.add_argument(
        "--min-size", type=positive_arg, default=1, metavar="N", help="only threads of N+ items"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=count_arg, default=0, help="at most this many threads")
    p.set_defaults(func=cmd_threads)

    p = sub.add_parser("entities", help="people, places and organisations, most mentioned first")
    p.add_argument("--kind", choices=["person", "place", "org"], help="only this kind")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=count_arg, default=0, help="at most this many entities")
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("show", help="one item: its versions and what changed, reposts, thread")
    p.add_argument("id", type=positive_arg, metavar="ID", help="entry id (a repost shows its item)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)


def _open(args: argparse.Namespace, cfg: Config) -> Store:
    """The cache, with anything imported but not analysed yet analysed first."""
    store = open_store(args, cfg, reads_only=True)
    if analysis_store.pending_count(store.conn):
        # (imported here: the analysis and numpy are most of a command's start-up, and most
        # commands have nothing to analyse)
        from wirereader.analysis.pipeline import analyse_pending

        analyse_pending(store)
    return store


# -- threads --------------------------------------------------------------------------------


def cmd_threads(args: argparse.Namespace) -> int:
    text = " ".join(args.filter)
    flt = parse_filter(text) if text.strip() else None
    cfg = load_args_config(args)
    tz = display_zone(cfg)
    with _open(args, cfg) as store:
        rows = thread_listing(store, flt, min_size=args.min_size, limit=args.limit, chunk=CHUNK)
        if args.json:
            print_json_stream(rows)
            return 0
        top = largest_thread_id(store)
        console = _console()
        sources_width = 30
        show_sources = console.width >= 100
        rest = sources_width + 2 if show_sources else 0
        # The span "2025-04-28 09:19 .. 15:28" is 25 cells; two between columns, one spare.
        # Under 60 columns (40: every row took two lines) the last time alone, "12-07 07:48".
        short_span = console.width < 60
        span_width = 11 if short_span else 25
        headline_width = max(
            12, min(110, console.width - len(str(top)) - 5 - span_width - rest - 7)
        )
        table = StreamTable(
            [
                Column("id", max(3, len(str(top))), "dim", right=True),
                Column("items", 5, right=True),
                Column("last" if short_span else "span", span_width),
                Column("headline", headline_width),
                # Under 100 columns the sources give way: id, size and span always stay.
                *([Column("sources", sources_width, "cyan")] if show_sources else []),
            ],
            console,
        )

        def cells(row: dict[str, Any]) -> list[str]:
            items = str(len(row["entries"]))
            if short_span:
                last = minute(row["last"], tz)
                span = guessed_minute(last, tz) if row["time_guessed"] else short_minute(last, tz)
            else:
                span = _span(row, tz)
            shown = [str(row["id"]), items, span, row["title"]]
            return [*shown, ", ".join(row["sources"])] if show_sources else shown

        shown = table.print_all(rows, cells)
    if not shown:
        print("no threads", file=sys.stderr)
    return 0


# -- entities -------------------------------------------------------------------------------


def cmd_entities(args: argparse.Namespace) -> int:
    with _open(args, load_args_config(args)) as store:
        rows = entity_listing(store, kind=args.kind, limit=args.limit, chunk=CHUNK)
        if args.json:
            print_json_stream(rows)
            return 0
        widths = entity_widths(store)
        console = _console()
        id_width = max(3, len(str(widths.largest_id)))
        count_width = max(5, len(str(widths.largest_count)))
        # The name gives way before the aliases' twelve cells: at 60 columns its forty made
        # every row two lines, the aliases wrapped under the id. Where even a twelve-cell name
        # leaves the aliases no twelve cells (40 columns), the aliases go, as `threads` drops
        # its sources: every row took two lines there.
        fixed = id_width + count_width + 6
        show_aliases = console.width >= fixed + 8 + 12 + 12
        room = console.width - fixed - (8 + 12 if show_aliases else 6)
        name_width = max(12, min(40, max(4, widths.longest_name), room))
        aliases_width = max(12, console.width - fixed - name_width - 8)
        table = StreamTable(
            [
                Column("id", id_width, "dim", right=True),
                Column("count", count_width, right=True),
                Column("kind", 6, "magenta"),
                Column("name", name_width),
                *([Column("aliases", aliases_width, "dim")] if show_aliases else []),
            ],
            console,
        )
        shown = table.print_all(
            rows,
            lambda row: [
                str(row["id"]),
                str(row["count"]),
                row["kind"],
                row["name"],
                *([", ".join(row["aliases"])] if show_aliases else []),
            ],
        )
    if not shown:
        print("no entities", file=sys.stderr)
    return 0


# -- show -----------------------------------------------------------------------------------


def item_detail(store: Store, entry_id: int) -> dict[str, Any]:
    """`show`'s document for an entry; a damaged version's text is reported on stderr."""
    shown = item_json(store, entry_id)
    if shown is None:
        raise UserError(f"no entry with id {entry_id}")
    for entry, version in shown.damaged:
        warn(f"entry {entry}: the text of version {version} is damaged; run 'doctor'")
    return shown.document


def cmd_show(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    tz = display_zone(cfg)
    with _open(args, cfg) as store:
        detail = item_detail(store, args.id)
    if args.json:
        print_json(detail)
        return 0
    from rich.text import Text  # (see cli.common on Rich)

    console = _console()
    item = detail["item"]
    console.print(Text(item["title"], style="bold"))
    when = _when(item, tz) + " (a guess: the source gave no time)" * item["time_guessed"]
    meta = (f"#{item['id']}", item["source"], when, author_name(item["author"]))
    console.print(Text("  ".join(part for part in meta if part), "dim"))
    if detail["thread"]:
        t = detail["thread"]
        console.print(Text(f"thread #{t['id']}: {t['title']}", style="cyan"))
    marker = (item.get("article") or {}).get("marker")
    if marker:
        console.print(Text(marker, style="yellow"))
    console.print()
    console.print(Text(item["body"]))
    for quote in item["quotes"]:
        # The posts the entry quotes, as the reader shows them: the text, then who and when.
        console.print()
        console.print(Text("▌ ", "dim") + Text(quote["text"], "italic"))
        who = " ".join(
            part
            for part in (quote["author"], f"({quote['handle']})" * bool(quote["handle"]))
            if part
        )
        who = ", ".join(part for part in (who, quote["date"]) if part)
        if who:
            console.print(Text(f"  — {who}", "dim"))
    versions = detail["versions"]
    console.print()
    console.print(Text(f"{len(versions)} version{'' if len(versions) == 1 else 's'}", "bold"))
    for v in versions:
        console.print(
            Text(
                f"- #{v['entry']} {v['source']}  {_when(v, tz)}"
                f"  {author_name(v['author']) or '-'}  (seen {minute(v['seen'], tz)})"
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
            when = _when(s, tz)
            console.print(Text(f"  #{s['id']}  {when}  {s['source']}  {s['title']}"))
    return 0


def _when(shown: dict[str, Any], tz: tzinfo) -> str:
    """An item's minute in `show`, '~' before it when it is a stand-in for a time the source
    did not give (the reader's list marks it the same way)."""
    return "~" * bool(shown.get("time_guessed")) + minute(shown["published"], tz)


def _render_diff(segments: list[dict[str, str]], label: str) -> Text:
    """Changed words in colour with a little context; long unchanged runs are elided."""
    from rich.text import Text

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
    return table_console()


def _span(row: dict[str, Any], tz: tzinfo = timezone.utc) -> str:
    """A thread's time span in the column's 25 cells, in the tables' zone: the times within
    one day, the two days when it spans several ("2021-10-11 00:00 .. 2026-12-07 02:45" was
    cut to "... .. 2026…", its end lost, on a terminal)."""
    first, last = minute(row["first"], tz), minute(row["last"], tz)
    if row.get("time_guessed"):  # stand-ins, not times: their days, marked as items' are
        return "~" + (first[:10] if first[:10] == last[:10] else f"{first[:10]} .. {last[:10]}")
    if last[:10] == first[:10]:
        return f"{first} .. {last[11:]}"
    return f"{first[:10]} .. {last[:10]}"

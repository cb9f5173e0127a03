"""Commands over the analysis: story threads, entities, and one item with its versions."""

from __future__ import annotations

import argparse
import difflib
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.text import Text

from wirereader.analysis.pipeline import analyse_pending, pending_count
from wirereader.cli.common import (
    UserError,
    load_args_config,
    open_store,
    parse_filter,
    print_json,
    table_console,
    warn,
)
from wirereader.cli.stream import CHUNK, Column, StreamTable, print_json_stream
from wirereader.query.timeline import (
    _COLUMNS,
    _SOURCE,
    EntryRow,
    Query,
    _row,
    attach_details,
    iso_utc,
)
from wirereader.store.db import Store
from wirereader.store.versions import Version, versions_of

MAX_THREAD_ENTITIES = 10


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


def thread_rows(
    store: Store, text: str = "", min_size: int = 1, limit: int = 0
) -> Iterator[dict[str, Any]]:
    """Threads as the JSON contract has them, newest activity first, read as they are printed.

    A filter selects the threads in SQL (the threads of the entries it matches), never by
    loading its matching entries: at a million items a broad filter matches most of them."""
    conn = store.conn
    where, params = "size >= ?", [min_size]
    if text.strip():
        sub, sub_params = Query(store, parse_filter(text)).id_subquery()
        where += (
            " AND id IN (SELECT thread_id FROM entries WHERE thread_id IS NOT NULL"
            f" AND id IN ({sub}))"
        )
        params += sub_params
    sql = f"SELECT id, title, first_at, last_at, size FROM threads WHERE {where}"
    sql += " ORDER BY last_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = conn.execute(sql, params)
    try:
        while chunk := cursor.fetchmany(CHUNK):
            yield from (_thread_json(conn, t) for t in chunk)
    finally:
        cursor.close()


def _thread_json(conn: sqlite3.Connection, t: sqlite3.Row) -> dict[str, Any]:
    items = _column(
        conn,
        "SELECT id FROM entries WHERE thread_id = ? AND repost_of IS NULL"
        " ORDER BY published_at, id",
        (t["id"],),
    )
    sources = _column(
        conn,
        "SELECT s.name FROM entries e JOIN sources s ON s.id = e.source_id"
        " WHERE e.thread_id = ? GROUP BY s.id ORDER BY min(e.published_at), s.name",
        (t["id"],),
    )
    entities = _column(
        conn,
        "SELECT en.name FROM entries e JOIN entry_entities ee ON ee.entry_id = e.id"
        " JOIN entities en ON en.id = ee.entity_id WHERE e.thread_id = ?"
        " AND e.repost_of IS NULL GROUP BY en.id"
        " ORDER BY count(*) DESC, sum(ee.mentions) DESC, en.name LIMIT ?",
        (t["id"], MAX_THREAD_ENTITIES),
    )
    return {
        "id": t["id"],
        "title": t["title"],
        "entries": items,
        "first": iso_utc(t["first_at"]),
        "last": iso_utc(t["last_at"]),
        "sources": sources,
        "entities": entities,
    }


def _column(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """The first column of every row the query returns."""
    return [r[0] for r in conn.execute(sql, params)]


def cmd_threads(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = thread_rows(store, " ".join(args.filter), args.min_size, args.limit)
        if args.json:
            print_json_stream(rows)
            return 0
        top = store.conn.execute("SELECT coalesce(max(id), 0) FROM threads").fetchone()[0]
        console = _console()
        sources_width = 30
        show_sources = console.width >= 100
        rest = sources_width + 2 if show_sources else 0
        # The span "2025-04-28 09:19 .. 15:28" is 25 cells; two between columns, one spare.
        headline_width = max(12, min(110, console.width - len(str(top)) - 5 - 25 - rest - 7))
        table = StreamTable(
            [
                Column("id", max(3, len(str(top))), "dim", right=True),
                Column("items", 5, right=True),
                Column("span", 25),
                Column("headline", headline_width),
                # Under 100 columns the sources give way: id, size and span always stay.
                *([Column("sources", sources_width, "cyan")] if show_sources else []),
            ],
            console,
        )

        def cells(row: dict[str, Any]) -> list[str]:
            first, last = row["first"][:16].replace("T", " "), row["last"][:16].replace("T", " ")
            span = f"{first} .. {last[11:] if last[:10] == first[:10] else last}"
            items = str(len(row["entries"]))
            shown = [str(row["id"]), items, span, row["title"]]
            return [*shown, ", ".join(row["sources"])] if show_sources else shown

        shown = table.print_all(rows, cells)
    if not shown:
        print("no threads", file=sys.stderr)
    return 0


# -- entities -------------------------------------------------------------------------------


def entity_rows(store: Store, kind: str | None = None, limit: int = 0) -> Iterator[dict[str, Any]]:
    """Entities, most mentioned first, with their aliases; read a chunk at a time."""
    conn = store.conn
    sql = "SELECT id, name, kind, count FROM entities WHERE count > 0"
    params: list[Any] = []
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    sql += " ORDER BY count DESC, name"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = conn.execute(sql, params)
    try:
        while rows := cursor.fetchmany(CHUNK):
            aliases: dict[int, list[str]] = {}
            ids = [r["id"] for r in rows]
            marks = ",".join("?" * len(ids))
            for a in conn.execute(
                f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})"
                f" ORDER BY alias",
                ids,
            ):
                aliases.setdefault(a[0], []).append(a[1])
            for r in rows:
                yield {
                    "id": r["id"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "aliases": [a for a in aliases.get(r["id"], []) if a != r["name"]],
                    "count": r["count"],
                }
    finally:
        cursor.close()


def cmd_entities(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = entity_rows(store, args.kind, args.limit)
        if args.json:
            print_json_stream(rows)
            return 0
        conn = store.conn
        widths = conn.execute(
            "SELECT coalesce(max(id), 0), coalesce(max(count), 0),"
            " coalesce(max(length(name)), 0) FROM entities"
        ).fetchone()
        console = _console()
        name_width = min(40, max(4, widths[2]))
        id_width, count_width = max(3, len(str(widths[0]))), max(5, len(str(widths[1])))
        aliases_width = max(12, console.width - id_width - count_width - 6 - name_width - 8)
        table = StreamTable(
            [
                Column("id", id_width, "dim", right=True),
                Column("count", count_width, right=True),
                Column("kind", 6, "magenta"),
                Column("name", name_width),
                Column("aliases", aliases_width, "dim"),
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
                ", ".join(row["aliases"]),
            ],
        )
    if not shown:
        print("no entities", file=sys.stderr)
    return 0


# -- show -----------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """What changed from `old` to `new`, word by word: equal / delete / insert segments."""
    a, b = old.split(" "), new.split(" ")
    # Split on single spaces but keep line breaks as their own tokens, so paragraphs survive.
    a = [w for part in a for w in _keep_newlines(part)]
    b = [w for part in b for w in _keep_newlines(part)]
    out: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append({"op": "equal", "text": _join(a[i1:i2])})
            continue
        if op in ("delete", "replace"):
            out.append({"op": "delete", "text": _join(a[i1:i2])})
        if op in ("insert", "replace"):
            out.append({"op": "insert", "text": _join(b[j1:j2])})
    return out


def _keep_newlines(token: str) -> list[str]:
    if "\n" not in token:
        return [token]
    parts: list[str] = []
    for i, piece in enumerate(token.split("\n")):
        if i:
            parts.append("\n")
        if piece:
            parts.append(piece)
    return parts


def _join(tokens: list[str]) -> str:
    text = ""
    for t in tokens:
        if t == "\n" or text.endswith("\n") or not text:
            text += t
        else:
            text += " " + t
    return text


def item_detail(store: Store, entry_id: int) -> dict[str, Any]:
    conn = store.conn
    row = conn.execute(
        "SELECT coalesce(repost_of, id) FROM entries WHERE id = ?", (entry_id,)
    ).fetchone()
    if row is None:
        raise UserError(f"no entry with id {entry_id}")
    item_id = int(row[0])
    item = _entry_rows(store, [item_id])
    attach_details(conn, item)
    head = item[0]
    members = [item_id, *[r["id"] for r in head.reposts]]
    marks = ",".join("?" * len(members))
    versions = []
    previous: dict[str, Any] | None = None
    about = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute(
            f"SELECT e.id, s.name, e.published, e.published_at FROM entries e"
            f" JOIN sources s ON s.id = e.source_id WHERE e.id IN ({marks})",
            members,
        )
    }

    def order(v: Version) -> tuple[str, int, int]:
        return (v.published or about[v.entry_id][1] or "", v.seen_at, v.id)

    for v in sorted(versions_of(conn, members), key=order):
        source, _, published_at = about[v.entry_id]
        version: dict[str, Any] = {
            "entry": v.entry_id,
            "source": source,
            "published": v.published or iso_utc(published_at),
            "updated": v.updated,
            "seen": iso_utc(v.seen_at),
            "author": v.author,
            "title": v.title,
            "body": v.body,
            "origin": v.origin,  # 'feed', or 'article': the full text fetched from `url`
            "url": v.url,
            "changes": None,
        }
        if v.damaged:
            version["damaged"] = True
            warn(f"entry {v.entry_id}: the text of version {v.id} is damaged; run 'doctor'")
        if previous is not None:
            version["changes"] = {
                "title": _changes(previous["title"], v.title),
                "body": _changes(previous["body"], v.body),
            }
        versions.append(version)
        previous = version
    siblings = []
    if head.thread is not None:
        for s in conn.execute(
            "SELECT e.id, e.title, e.published, e.published_at, s.name FROM entries e"
            " JOIN sources s ON s.id = e.source_id WHERE e.thread_id = ? AND e.repost_of IS NULL"
            " AND e.id != ? ORDER BY e.published_at, e.id",
            (head.thread, item_id),
        ):
            siblings.append(
                {
                    "id": s[0],
                    "title": s[1],
                    "published": s[2] or iso_utc(s[3]),
                    "source": s[4],
                }
            )
    thread = None
    if head.thread is not None:
        t = conn.execute("SELECT id, title FROM threads WHERE id = ?", (head.thread,)).fetchone()
        if t is not None:
            thread = {"id": t[0], "title": t[1]}
    return {
        "item": _with_article(store, head.to_json()),
        "versions": versions,
        "thread": thread,
        "siblings": siblings,
    }


def _with_article(store: Store, item: dict[str, Any]) -> dict[str, Any]:
    """The full article as the body when the cache has one, and what is known about it."""
    from wirereader.store.articles import article_state

    shown = article_state(store, item["id"])
    if shown is not None:
        if shown.full:
            item["body"] = shown.body
        item["article"] = {
            "full": shown.full,
            "status": shown.status,
            "url": shown.url,
            "fetched": iso_utc(shown.fetched_at) if shown.fetched_at else None,
            "marker": shown.marker,  # '' when the body is the whole text
        }
    return item


def _changes(old: str, new: str) -> list[dict[str, str]] | None:
    """None when the text did not change, else the word diff (only what differs, in context)."""
    if old == new:
        return None
    return word_diff(old, new)


def _entry_rows(store: Store, ids: list[int]) -> list[EntryRow]:
    marks = ",".join("?" * len(ids))
    return [
        _row(r)
        for r in store.conn.execute(
            f"SELECT {_COLUMNS} FROM entries e {_SOURCE} WHERE e.id IN ({marks})",
            ids,
        )
    ]


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        detail = item_detail(store, args.id)
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
    return table_console()


def _span(row: dict[str, Any]) -> str:
    first, last = row["first"][:16].replace("T", " "), row["last"][:16].replace("T", " ")
    return f"{first} .. {last[11:] if last[:10] == first[:10] else last}"

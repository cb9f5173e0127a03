"""Commands over the analysis: story threads, entities, and one item with its versions."""

from __future__ import annotations

import argparse
import difflib
import sqlite3
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wirereader.analysis.pipeline import analyse_pending, pending_count
from wirereader.cli.common import UserError, load_args_config, open_store, print_json, warn
from wirereader.query import language as querylang
from wirereader.query.timeline import _COLUMNS, EntryRow, Query, _row, attach_details, iso_utc
from wirereader.store.db import Store

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


def thread_rows(store: Store, text: str = "", min_size: int = 1, limit: int = 0) -> list[dict]:
    """Threads as the JSON contract has them, newest activity first."""
    conn = store.conn
    where, params = "size >= ?", [min_size]
    if text.strip():
        parsed = querylang.parse(text)
        for problem in parsed.problems:
            warn(problem)
        rows = Query(store, parsed.filter).all(details=False)
        ids = {row.thread for row in rows if row.thread is not None}
        if not ids:
            return []
        where += f" AND id IN ({','.join(str(int(i)) for i in ids)})"
    sql = f"SELECT id, title, first_at, last_at, size FROM threads WHERE {where}"
    sql += " ORDER BY last_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    threads = conn.execute(sql, params).fetchall()
    return [_thread_json(conn, t) for t in threads]


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
    conn = store.conn
    sql = "SELECT id, name, kind, count FROM entities WHERE count > 0"
    params: list[Any] = []
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    sql += " ORDER BY count DESC, name"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = conn.execute(sql, params).fetchall()
    aliases: dict[int, list[str]] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for a in conn.execute(
            f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})"
            f" ORDER BY alias",
            chunk,
        ):
            aliases.setdefault(a[0], []).append(a[1])
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "aliases": [a for a in aliases.get(r["id"], []) if a != r["name"]],
            "count": r["count"],
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
    for v in conn.execute(
        f"SELECT v.entry_id, v.title, v.body, v.author, v.published, v.updated, v.seen_at,"
        f" v.origin, v.url, s.name AS source, e.published_at FROM entry_versions v"
        f" JOIN entries e ON e.id = v.entry_id JOIN sources s ON s.id = e.source_id"
        f" WHERE v.entry_id IN ({marks}) ORDER BY coalesce(v.published, e.published), v.seen_at,"
        f" v.id",
        members,
    ):
        version: dict[str, Any] = {
            "entry": v["entry_id"],
            "source": v["source"],
            "published": v["published"] or iso_utc(v["published_at"]),
            "updated": v["updated"],
            "seen": iso_utc(v["seen_at"]),
            "author": v["author"],
            "title": v["title"],
            "body": v["body"],
            "origin": v["origin"],  # 'feed', or 'article': the full text fetched from `url`
            "url": v["url"],
            "changes": None,
        }
        if previous is not None:
            version["changes"] = {
                "title": _changes(previous["title"], v["title"]),
                "body": _changes(previous["body"], v["body"]),
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
            f"SELECT {_COLUMNS} FROM entries e JOIN sources s ON s.id = e.source_id"
            f" WHERE e.id IN ({marks})",
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

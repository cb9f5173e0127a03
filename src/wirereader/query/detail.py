"""One item in detail, as the reader pane shows it (`load_detail`) and as `wirereader show`
prints it (`item_json`), from the same statements: the entry, its thread and siblings, its article.

An item's versions come with what changed between each one and the one before it: for the reader
the title and the paragraphs added or removed, for the CLI a word diff. Thread siblings are the
other items of its story. The reader shows one entry's own versions; `show` shows the item's,
which are the versions of the entry and of every repost folded into it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from wirereader.core.text import strip_controls
from wirereader.query.threads import thread_head
from wirereader.query.timeline import (
    _COLUMNS,
    _SOURCE,
    EntryRow,
    _row,
    attach_details,
    iso_utc,
    links_of,
    quotes_of,
)
from wirereader.store.db import Store
from wirereader.store.versions import Version, versions_of


@dataclass
class Change:
    """What one version changed relative to the version before it."""

    seen_at: int
    title_before: str | None  # None: the title did not change
    title_after: str
    removed: list[str] = field(default_factory=list)  # paragraphs
    added: list[str] = field(default_factory=list)


@dataclass
class Repost:
    id: int
    source: str
    published_at: int
    title: str


@dataclass(frozen=True)
class SiblingRow:
    """Another item of the same thread, as stored."""

    id: int
    title: str
    published: str | None
    published_at: int
    source: str
    time_guessed: bool = False  # `published_at` is a stand-in: the feed gave no time


@dataclass
class Sibling:
    id: int
    source: str
    published_at: int
    title: str


@dataclass
class Detail:
    entry: EntryRow
    versions: list[Change]
    reposts: list[Repost]
    thread_title: str
    thread_size: int
    siblings: list[Sibling]
    links: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    article_marker: str = ""  # "Teaser only: ..." when the cache has no full article for it


def load_entry(store: Store, entry_id: int) -> EntryRow | None:
    """One entry with its reposts, entities and embeds; None when there is no such entry."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM entries e {_SOURCE} WHERE e.id = ?",
        (entry_id,),
    ).fetchone()
    if row is None:
        return None
    entry = _row(row)
    attach_details(store.conn, [entry])
    return entry


def item_id_of(store: Store, entry_id: int) -> int | None:
    """The item an entry belongs to (itself, or the item it is a repost of)."""
    row = store.conn.execute(
        "SELECT coalesce(repost_of, id) FROM entries WHERE id = ?", (entry_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def thread_siblings(
    store: Store, thread_id: int, item_id: int, *, newest_first: bool, limit: int = 0
) -> list[SiblingRow]:
    """The other items of the thread, by time; `limit` 0: all of them."""
    order = "DESC" if newest_first else ""
    return [
        SiblingRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
        for r in store.conn.execute(
            "SELECT e.id, e.title, e.published, e.published_at, s.name, e.time_guessed"
            " FROM entries e"
            " JOIN sources s ON s.id = e.source_id WHERE e.thread_id = ? AND e.repost_of IS NULL"
            f" AND e.id != ? ORDER BY e.published_at {order}, e.id {order} LIMIT ?",
            (thread_id, item_id, limit or -1),
        )
    ]


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def changes(versions: list[tuple[str, str, int]]) -> list[Change]:
    """(title, body, seen_at) oldest first -> one Change per version after the first."""
    import difflib  # only when an item has versions: keeps it off the startup path

    out: list[Change] = []
    for (t0, b0, _), (t1, b1, seen) in pairwise(versions):
        before, after = paragraphs(b0), paragraphs(b1)
        change = Change(seen, t0 if t0 != t1 else None, t1)
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op in ("replace", "delete"):
                change.removed += before[i1:i2]
            if op in ("replace", "insert"):
                change.added += after[j1:j2]
        out.append(change)
    return out


def load_detail(
    store: Store, entry_id: int, *, sibling_limit: int = 30, articles: bool = True
) -> Detail | None:
    """Everything the reader shows for an entry. `articles=False` leaves out the fetched full
    article (the feed text shows), for callers that cannot yet afford loading that layer."""
    entry = load_entry(store, entry_id)
    if entry is None:
        return None
    conn = store.conn
    versions = changes([(v.title, v.body, v.seen_at) for v in versions_of(conn, [entry_id])])
    reposts = [
        Repost(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT e.id, s.name, e.published_at, e.title FROM entries e"
            " JOIN sources s ON s.id = e.source_id WHERE e.repost_of = ?"
            " ORDER BY e.published_at, e.id",
            (entry_id,),
        )
    ]
    thread_title, thread_size, siblings = "", 0, []
    if entry.thread is not None:
        head = thread_head(store, entry.thread)
        if head is not None:
            thread_title, thread_size = head
        siblings = [
            Sibling(r.id, r.source, r.published_at, r.title)
            for r in thread_siblings(
                store, entry.thread, entry_id, newest_first=True, limit=sibling_limit
            )
        ]
    links = [_clean_dict(x) for x in links_of(entry.embeds)]
    quotes = [_clean_dict(x) for x in quotes_of(entry.embeds)]
    for repost in reposts:
        repost.title, repost.source = _line(repost.title), _line(repost.source)
    for sibling in siblings:
        sibling.title, sibling.source = _line(sibling.title), _line(sibling.source)
    entry.title, entry.source = _line(entry.title), _line(entry.source)
    entry.author = _line(entry.author)
    marker = _article_into(store, entry) if articles else ""
    entry.body = strip_controls(entry.body)
    entry.entities = [_line(name) for name in entry.entities]
    for change in versions:
        change.title_after = _line(change.title_after)
        if change.title_before is not None:
            change.title_before = _line(change.title_before)
        change.added = [strip_controls(p) for p in change.added]
        change.removed = [strip_controls(p) for p in change.removed]
    thread_title = _line(thread_title)
    return Detail(
        entry, versions, reposts, thread_title, thread_size, siblings, links, quotes, marker
    )


def _article_into(store: Store, entry: EntryRow) -> str:
    """Show the full article when the cache has one (even while a newer feed teaser is the
    entry's text, until the page is fetched again); else say the text is only a teaser."""
    if not entry.url and not _has_article_row(store, entry.id):
        return ""  # no page to fetch and none fetched: skip loading the extraction stack
    from wirereader.store.articles import article_state

    shown = article_state(store, entry.id)
    if shown is None:
        return ""
    if shown.full:
        entry.body = shown.body
    return _line(shown.marker)


def _has_article_row(store: Store, entry_id: int) -> bool:
    try:
        row = store.conn.execute("SELECT 1 FROM articles WHERE entry_id = ?", (entry_id,))
        return row.fetchone() is not None
    except sqlite3.OperationalError:  # a cache without the articles table
        return False


def _line(text: str) -> str:
    """Ingest cleaned this already; the reader cleans again so a bad row cannot reach the
    terminal as an escape sequence."""
    return strip_controls(text or "").replace("\n", " ").replace("\t", " ")


def _clean_dict(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: _line(v) if isinstance(v, str) else v for k, v in raw.items()}


def all_links(detail: Detail) -> list[tuple[str, str]]:
    """(title, url) of every link the reader numbers: the item's own URL first, then its links."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    if detail.entry.url:
        out.append(("this item", detail.entry.url))
        seen.add(detail.entry.url)
    for link in detail.links:
        url = str(link.get("url") or "")
        if url and url not in seen:
            seen.add(url)
            out.append((str(link.get("title") or ""), url))
    for quote in detail.quotes:
        url = str(quote.get("url") or "")
        if url and url not in seen:
            seen.add(url)
            out.append((f"post by {quote.get('author') or quote.get('handle') or '?'}", url))
    return out


# -- `wirereader show`: the item as the JSON contract has it ---------------------------------


@dataclass
class ItemJson:
    document: dict[str, Any]  # the JSON contract of `show`
    damaged: list[tuple[int, int]]  # (entry id, version id) of versions whose text is unreadable


def item_json(store: Store, entry_id: int) -> ItemJson | None:
    """The item `entry_id` belongs to (a repost shows its item) with every version of it and of
    its reposts, oldest first, each with a word diff against the one before; its thread and the
    thread's other items. None when there is no such entry. A version whose packed text cannot be
    read carries `"damaged": true` (and empty text) and is listed in `damaged`: the caller says
    so."""
    conn = store.conn
    item_id = item_id_of(store, entry_id)
    if item_id is None:
        return None
    item = _entry_rows(store, [item_id])
    attach_details(conn, item)
    head = item[0]
    members = [item_id, *[r["id"] for r in head.reposts]]
    marks = ",".join("?" * len(members))
    about = {
        r[0]: (r[1], r[2], r[3], bool(r[4]))
        for r in conn.execute(
            f"SELECT e.id, s.name, e.published, e.published_at, e.time_guessed FROM entries e"
            f" JOIN sources s ON s.id = e.source_id WHERE e.id IN ({marks})",
            members,
        )
    }

    def order(v: Version) -> tuple[str, int, int]:
        return (v.published or about[v.entry_id][1] or "", v.seen_at, v.id)

    versions: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    damaged: list[tuple[int, int]] = []
    for v in sorted(versions_of(conn, members), key=order):
        source, published, published_at, guessed = about[v.entry_id]
        version: dict[str, Any] = {
            "entry": v.entry_id,
            "source": source,
            "published": v.published or iso_utc(published_at),
            # the entry's stand-in time, unless this version came with a time of its own
            "time_guessed": guessed and v.published in (None, published),
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
            damaged.append((v.entry_id, v.id))
        if previous is not None:
            version["changes"] = {
                "title": _word_changes(previous["title"], v.title),
                "body": _word_changes(previous["body"], v.body),
            }
        versions.append(version)
        previous = version
    siblings = []
    thread = None
    if head.thread is not None:
        siblings = [
            {
                "id": s.id,
                "title": s.title,
                "published": s.published or iso_utc(s.published_at),
                "time_guessed": s.time_guessed,
                "source": s.source,
            }
            for s in thread_siblings(store, head.thread, item_id, newest_first=False)
        ]
        found = thread_head(store, head.thread)
        if found is not None:
            thread = {"id": head.thread, "title": found[0]}
    document = {
        "item": _with_article(store, head.to_json()),
        "versions": versions,
        "thread": thread,
        "siblings": siblings,
    }
    return ItemJson(document, damaged)


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """What changed from `old` to `new`, word by word: equal / delete / insert segments."""
    import difflib  # as in `changes`: off the startup path

    # Split on single spaces but keep line breaks as their own tokens, so paragraphs survive.
    a = [w for part in old.split(" ") for w in _keep_newlines(part)]
    b = [w for part in new.split(" ") for w in _keep_newlines(part)]
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


def _word_changes(old: str, new: str) -> list[dict[str, str]] | None:
    """None when the text did not change, else the word diff (only what differs, in context)."""
    if old == new:
        return None
    return word_diff(old, new)


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


def _entry_rows(store: Store, ids: list[int]) -> list[EntryRow]:
    marks = ",".join("?" * len(ids))
    return [
        _row(r)
        for r in store.conn.execute(
            f"SELECT {_COLUMNS} FROM entries e {_SOURCE} WHERE e.id IN ({marks})",
            ids,
        )
    ]

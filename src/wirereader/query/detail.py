"""One item in detail, as the reader pane shows it (`load_detail`) and as `wirereader show`
prints it (`item_json`), from the same statements: the entry, its thread and siblings, its article.

An item's versions come with what changed between each one and the one before it: for the reader
the title and the paragraphs added or removed, for the CLI a word diff. Thread siblings are the
other items of its story.
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
    links_of,
    quotes_of,
)
from wirereader.store.db import Store
from wirereader.store.versions import versions_of


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
        SiblingRow(r[0], r[1], r[2], r[3], r[4])
        for r in store.conn.execute(
            "SELECT e.id, e.title, e.published, e.published_at, s.name FROM entries e"
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

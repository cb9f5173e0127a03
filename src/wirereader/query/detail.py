"""What the reader pane shows for one item, gathered from the cache (no Textual here).

An item's versions come with what changed between each one and the one before it: the title, and
the paragraphs added or removed. Thread siblings are the other items of its story.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from wirereader.core.text import strip_controls
from wirereader.query.timeline import EntryRow, _row, attach_details
from wirereader.store.db import Store
from wirereader.store.versions import versions_of

_COLUMNS = (
    "e.id, s.name AS source, e.url, e.published, e.published_at, e.updated, e.author, e.title,"
    " e.body, e.kind, e.thread_id, e.repost_of, e.read_at, e.starred, e.embeds"
)


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
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM entries e JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
        (entry_id,),
    ).fetchone()
    if row is None:
        return None
    entry = _row(row)
    attach_details(store.conn, [entry])
    return entry


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
        trow = conn.execute(
            "SELECT title, size FROM threads WHERE id = ?", (entry.thread,)
        ).fetchone()
        if trow is not None:
            thread_title, thread_size = trow[0], trow[1]
        siblings = [
            Sibling(r[0], r[1], r[2], r[3])
            for r in conn.execute(
                "SELECT e.id, s.name, e.published_at, e.title FROM entries e"
                " JOIN sources s ON s.id = e.source_id"
                " WHERE e.thread_id = ? AND e.repost_of IS NULL AND e.id != ?"
                " ORDER BY e.published_at DESC, e.id DESC LIMIT ?",
                (entry.thread, entry_id, sibling_limit),
            )
        ]
    embeds = entry.embeds if isinstance(entry.embeds, dict) else {}
    links = [_clean_dict(x) for x in embeds.get("links", []) if isinstance(x, dict)]
    quotes = [_clean_dict(x) for x in embeds.get("quotes", []) if isinstance(x, dict)]
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

"""The query layer: composable filters over the cache, shared by the CLI and the TUI.

A `Filter` is a plain value; `Query` turns it into SQL once and serves pages, counts and the JSON
contract. Pages use keyset pagination (published_at, id) so page 500 costs what page 1 costs.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from wirereader.core.text import fts_text
from wirereader.store.db import Store


@dataclass(frozen=True)
class EntityRef:
    """An entity named in a filter: `person:Putin`, or just `Putin` (any kind)."""

    name: str
    kind: str = ""  # '', 'person', 'place', 'org'


@dataclass(frozen=True)
class FieldTerm:
    """A keyed alternative of an `OR` group other than an entity: `source:bbc` (a source whose
    name, title or key contains it), `kind:breaking`, `is:unread`, `is:starred`, `thread:12`."""

    key: str  # 'source', 'kind', 'is', 'thread'
    value: str


# What `OR` joins: words or a phrase (a string), an entity, or another keyed term.
Alternative = str | EntityRef | FieldTerm


@dataclass(frozen=True)
class Filter:
    """Everything a view can be narrowed by. Empty fields do not filter."""

    words: tuple[str, ...] = ()  # each must appear (prefix match, FTS)
    phrases: tuple[str, ...] = ()  # each must appear as an exact phrase
    # `ebola OR cholera`: one of each group must match; an alternative of one word is a prefix
    # match like a word, one of several words (a quoted phrase, `covid-19`) an exact phrase.
    # `person:Putin OR person:Zelensky OR kremlin`: an alternative may be a keyed term too.
    any_of: tuple[tuple[Alternative, ...], ...] = ()
    exclude_words: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # source name, title or key containing this
    exclude_sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    entities: tuple[EntityRef, ...] = ()  # every one must be mentioned
    exclude_entities: tuple[EntityRef, ...] = ()
    thread_id: int | None = None
    since: int | None = None  # UTC epoch seconds
    until: int | None = None
    unread_only: bool = False
    starred_only: bool = False
    all_entries: bool = False  # raw entries instead of items (reposts folded)

    def is_empty(self) -> bool:
        return self == Filter(all_entries=self.all_entries)

    def with_text(self, text: str) -> Filter:
        """This filter with its free words replaced by the words of `text`."""
        return replace(self, words=tuple(fts_words(text)))


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_words(text: str) -> list[str]:
    return _WORD.findall(text)


def fts_match_expression(f: Filter) -> str:
    """An FTS5 MATCH string built only from word characters and quoted phrases.

    User text never reaches FTS5 syntax directly: every token is quoted, so `AND`, `*`, `:` or
    `"` typed by a user are searched for, not interpreted.
    """
    # Chinese and Japanese characters are indexed one by one (store/texts.py): a word of them
    # is the phrase of its characters, the last one a prefix like any word's end.
    parts = [fts_quote(fts_text(w)) + "*" for w in f.words]
    for phrase in f.phrases:
        tokens = fts_words(phrase)
        if tokens:
            parts.append(fts_quote(fts_text(" ".join(tokens))))
    for group in f.any_of:
        if all(isinstance(alt, str) for alt in group):  # keyed terms: `_any_of_clause`
            part = fts_alternatives(group)
            if part:
                parts.append(part)
    return " AND ".join(parts)


def fts_alternatives(group: tuple[Alternative, ...]) -> str:
    """The words and phrases of an OR group as one FTS5 `(... OR ...)`, '' if it has none."""
    alternatives = [
        fts_quote(fts_text(alt)) + ("" if " " in alt else "*")
        for alt in group
        if isinstance(alt, str) and alt
    ]
    return "(" + " OR ".join(alternatives) + ")" if alternatives else ""


def _any_of_clause(group: tuple[Alternative, ...]) -> tuple[str, list[Any]]:
    """An OR group holding a keyed term as one SQL condition: its words and phrases one FTS5
    match, its entities one lookup, each other term its own test, any of them enough."""
    tests: list[str] = []
    params: list[Any] = []
    words = fts_alternatives(group)
    if words:
        tests.append("e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
        params.append(words)
    refs = [alt for alt in group if isinstance(alt, EntityRef)]
    if refs:
        either = " OR ".join(f"({_ENTITY_IN})" for _ in refs)
        tests.append(f"e.id IN (SELECT entry_id FROM entry_entities WHERE {either})")
        for ref in refs:
            params += _entity_params(ref)
    for alt in group:
        if not isinstance(alt, FieldTerm):
            continue
        if alt.key == "source":
            tests.append(f"e.source_id IN ({_SOURCES_CONTAINING})")
            params += _source_params(alt.value)
        elif alt.key == "kind":
            tests.append("e.kind = ?")
            params.append(alt.value)
        elif alt.key == "is" and alt.value == "unread":
            tests.append("e.read_at IS NULL")
        elif alt.key == "is" and alt.value == "starred":
            tests.append("e.starred = 1")
        elif alt.key == "thread":
            tests.append("e.thread_id = ?")
            params.append(int(alt.value))
        else:
            raise ValueError(f"no such alternative: {alt.key}:{alt.value}")
    return "(" + " OR ".join(tests) + ")", params


def _by_ids(f: Filter) -> bool:
    """Whether the view's rows come from a set of matching ids (words or entities), which a
    walk of the time index tests rather than a scan: see `Query.page_keys`."""
    keyed_sets = any(
        not all(isinstance(alt, str) for alt in group)
        and all(isinstance(alt, (str, EntityRef)) for alt in group)
        for group in f.any_of
    )
    return bool(fts_match_expression(f) or f.entities or keyed_sets) and f.thread_id is None


def fts_quote(text: str) -> str:
    """An FTS5 string literal: inside double quotes, a double quote is written twice."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class EntryRow:
    """One row of a view: an item (canonical entry) or a raw entry."""

    id: int
    source: str
    url: str
    published: str | None
    published_at: int
    updated: str | None
    author: str
    title: str
    body: str
    kind: str
    thread: int | None
    repost_of: int | None
    read: bool
    starred: bool
    embeds: dict[str, Any] = field(default_factory=dict)
    reposts: list[dict[str, Any]] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    version_count: int = 1
    # The feed gave no time (or a text capture only its file's): `published_at` is a stand-in,
    # the time the item was first seen (or the file's modification time).
    time_guessed: bool = False

    def to_json(self, *, with_canonical: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "published": self.published or iso_utc(self.published_at),
            "time_guessed": self.time_guessed,
            "updated": self.updated,
            "author": self.author,
            "title": self.title,
            "body": self.body,
            "kind": self.kind,
            "thread": self.thread,
            "reposts": self.reposts,
            "entities": self.entities,
            "quotes": quotes_of(self.embeds),
            "links": links_of(self.embeds),
        }
        if with_canonical:
            data["canonical"] = self.repost_of if self.repost_of is not None else self.id
        return data


_QUOTE_FIELDS = ("text", "author", "handle", "date", "url")
_LINK_FIELDS = ("url", "title", "rel")


def quotes_of(embeds: Any) -> list[dict[str, str]]:
    """The embedded posts an entry quotes, each with every field (text, author, handle, date,
    url). A handle is written with one '@' whatever the parser kept, so a front end that adds
    its own never shows '@@name'."""
    raw = embeds.get("quotes", []) if isinstance(embeds, dict) else []
    out = []
    for quote in raw:
        if not isinstance(quote, dict):
            continue
        fields = {k: str(quote.get(k) or "") for k in _QUOTE_FIELDS}
        handle = fields["handle"].strip().lstrip("@")
        fields["handle"] = f"@{handle}" if handle else ""
        out.append(fields)
    return out


def links_of(embeds: Any) -> list[dict[str, str]]:
    """The links an entry carries (a full report, a picture, a reference), every field set."""
    raw = embeds.get("links", []) if isinstance(embeds, dict) else []
    return [{k: str(x.get(k) or "") for k in _LINK_FIELDS} for x in raw if isinstance(x, dict)]


def iso_utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


# The body is packed in `entry_texts` (store/texts.py): `_SOURCE` joins it, the function unpacks.
_COLUMNS = (
    "e.id, s.name AS source, e.url, e.published, e.published_at, e.updated, e.author, e.title,"
    " wirereader_body(t.body) AS body, e.kind, e.thread_id, e.repost_of, e.read_at, e.starred,"
    " e.embeds, e.time_guessed"
)
_SOURCE = "JOIN sources s ON s.id = e.source_id LEFT JOIN entry_texts t ON t.entry_id = e.id"
# The reader's list shows no body (its reader pane loads the item on its own): unpacking a
# page's 100 bodies cost ~1-3 ms of every filter keystroke for nothing. Nor its quotes and
# links (`embeds`): `entries` as a table decoded 6,472 of them for 0.05 s.
_LIST_COLUMNS = _COLUMNS.replace("wirereader_body(t.body) AS body", "'' AS body").replace(
    "e.embeds", "NULL AS embeds"
)
_LIST_SOURCE = "JOIN sources s ON s.id = e.source_id"


# Rows of the view's time index a text or entity filter walks before it sorts its whole
# matching set instead (Query._newest_keys). Walking costs ~0.05 ms per 1,000 rows plus one
# set lookup each; sorting costs a covering-index lookup per match. 20,000 keeps both under
# ~10 ms at 1M items (measured: bench/tui_bench.py's cache, words on 0.1-25% of the items).
WINDOW = 20_000
MORE = 100_000  # rows a second window may walk for the rest of a page (~5-10 ms at 1M items)


class Query:
    """A compiled filter over one store."""

    def __init__(self, store: Store, flt: Filter | None = None) -> None:
        self.store = store
        self.filter = flt or Filter()
        self._where, self._params = self._compile(self.filter)
        # Whether the first page had to sort the whole matching set (fewer than a page among
        # the newest WINDOW rows); a narrower filter typed next then skips the walk.
        self.sparse = False
        # Matches per row of the time index, seen by the first page's walk when its window
        # held part of a page (else None); `expected_share` is a wider filter's, carried to a
        # narrower one typed next (see _newest_keys).
        self.share: float | None = None
        self.expected_share: float | None = None

    # -- SQL ----------------------------------------------------------------------------------

    def _compile(self, f: Filter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if not f.all_entries:
            clauses.append("e.repost_of IS NULL")
        match = fts_match_expression(f)
        if match:
            clauses.append("e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
            params.append(match)
        if f.exclude_words:
            clauses.append("e.id NOT IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
            params.append(" OR ".join(fts_quote(fts_text(w)) for w in f.exclude_words))
        for needle in f.sources:
            clauses.append(f"e.source_id IN ({_SOURCES_CONTAINING})")
            params += _source_params(needle)
        for needle in f.exclude_sources:
            clauses.append(f"e.source_id NOT IN ({_SOURCES_CONTAINING})")
            params += _source_params(needle)
        if f.kinds:
            clauses.append(f"e.kind IN ({','.join('?' * len(f.kinds))})")
            params += list(f.kinds)
        if f.exclude_kinds:
            clauses.append(f"e.kind NOT IN ({','.join('?' * len(f.exclude_kinds))})")
            params += list(f.exclude_kinds)
        for ref in f.entities:
            clauses.append(f"e.id IN (SELECT entry_id FROM entry_entities WHERE {_ENTITY_IN})")
            params += _entity_params(ref)
        for ref in f.exclude_entities:
            clauses.append(f"e.id NOT IN (SELECT entry_id FROM entry_entities WHERE {_ENTITY_IN})")
            params += _entity_params(ref)
        for group in f.any_of:
            if not all(isinstance(alt, str) for alt in group):  # words alone: in `match`
                clause, more = _any_of_clause(group)
                clauses.append(clause)
                params += more
        if f.thread_id is not None:
            clauses.append("e.thread_id = ?")
            params.append(f.thread_id)
        if f.since is not None:
            clauses.append("e.published_at >= ?")
            params.append(f.since)
        if f.until is not None:
            clauses.append("e.published_at < ?")
            params.append(f.until)
        if f.unread_only:
            clauses.append("e.read_at IS NULL")
        if f.starred_only:
            clauses.append("e.starred = 1")
        return (" AND ".join(clauses) or "1"), params

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        known = self.known_count()
        if known is not None:
            return known
        sql = f"SELECT count(*) FROM entries e WHERE {self._where}"
        return int(self.store.conn.execute(sql, self._params).fetchone()[0])

    def known_count(self) -> int | None:
        """The view's size without counting, for the two views the writer keeps counted
        (every item, every unread item: `item_totals`, migration 0059); None for any other.
        Counting the unfiltered view reads a whole index: 0.10 s of CPU at 1M items."""
        f = self.filter
        if f == Filter():
            column = "items"
        elif f == Filter(unread_only=True):
            column = "unread"
        else:
            return None
        if not _has_totals(self.store):
            return None
        row = self.store.conn.execute(f"SELECT {column} FROM item_totals WHERE id = 1").fetchone()
        return None if row is None else int(row[0])

    def page(
        self,
        limit: int = 200,
        after: tuple[int, int] | None = None,
        *,
        details: bool = False,
        offset: int = 0,
    ) -> list[EntryRow]:
        """Up to `limit` rows, newest first, strictly after the (published_at, id) key given.

        `offset` skips rows first: for a jump far down a list whose earlier pages were never read
        (keyset pages are cheaper when the previous page's last key is known).
        """
        where, params = self._where, list(self._params)
        if after is not None:
            where += " AND (e.published_at, e.id) < (?, ?)"
            params += [after[0], after[1]]
        sql = (
            f"SELECT {_COLUMNS} FROM entries e {_SOURCE}"
            f" WHERE {where} ORDER BY e.published_at DESC, e.id DESC LIMIT ? OFFSET ?"
        )
        rows = [_row(r) for r in self.store.conn.execute(sql, [*params, limit, offset])]
        if details:
            attach_details(self.store.conn, rows)
        return rows

    def page_keys(
        self,
        limit: int = 200,
        after: tuple[int, int] | None = None,
        *,
        offset: int = 0,
        total: int | None = None,
    ) -> list[tuple[int, int]]:
        """The (published_at, id) keys of a page, without loading the rows.

        With a text or entity filter the matching ids come as a set; sorting them by time reads
        the narrow covering index of migration 0030 instead of every matching row (bodies
        included). `rows()` then loads just the page.

        `total`, the view's exact size when known, lets a page in the older half be read from
        the oldest end: the reader's last page (`G`) at 1M items skipped 999,900 index entries
        first (33-39 ms of CPU on the UI thread), now a hundred.
        """
        f = self.filter
        by_ids = _by_ids(f)
        if by_ids and not self.sparse:
            newest = self._newest_keys(limit, after, offset)
            if newest is not None:
                return newest
            self.sparse = True
        where, params = self._where, list(self._params)
        if after is not None:
            where += " AND (e.published_at, e.id) < (?, ?)"
            params += [after[0], after[1]]
        index = " INDEXED BY entries_timeline_cover" if by_ids and _has_cover(self.store) else ""
        order = "DESC"
        if total is not None and after is None and offset > total // 2:
            order, count = "ASC", min(limit, total - offset)
            offset, limit = total - offset - count, count
            if limit <= 0:
                return []
        sql = (
            f"SELECT e.published_at, e.id FROM entries e{index} WHERE {where}"
            f" ORDER BY e.published_at {order}, e.id {order} LIMIT ? OFFSET ?"
        )
        keys = [(r[0], r[1]) for r in self.store.conn.execute(sql, [*params, limit, offset])]
        return keys if order == "DESC" else keys[::-1]

    def _newest_keys(
        self, limit: int, after: tuple[int, int] | None, offset: int
    ) -> list[tuple[int, int]] | None:
        """A page of a text or entity filter found among the newest rows of the view, or None
        when too few of them match (the caller then sorts the whole matching set).

        The matching ids are a set SQLite builds once per statement; ranking all of them by
        time costs a covering-index lookup per match (69,375 matches for `har` at 1M items:
        35-47 ms of CPU). Walking the time index newest first and testing each row against
        that set stops after the page: about 1,450 rows for a word on 7% of the items (11 ms,
        most of it FTS5 building the set). The walk is bounded by a time edge (the WINDOW-th
        newest row, read off the same index in ~1 ms), so a rare word never walks the whole
        index. When the window holds part of a page, the share of rows that matched in it
        tells how much further the rest lies: a second window that far (at most MORE rows) is
        walked for it, else the matching set is small (under about `limit` x items / WINDOW)
        and sorting it is cheap. The page is exact: each window holds every row of its time
        span, and every row outside the windows is older than every row in them.
        """
        if offset and offset + limit > WINDOW:
            return None  # a jump past the window: the caller sorts the set
        conn = self.store.conn
        index = "entries_by_time" if self.filter.all_entries else "entries_items_by_time"
        scope = "1" if self.filter.all_entries else "e.repost_of IS NULL"
        keyset, start = "", []
        if after is not None:
            keyset = " AND (e.published_at, e.id) < (?, ?)"
            start = [after[0], after[1]]

        def edge_at(position: int) -> int | None:
            """The time of the view's row at `position` (from the newest), None past its end."""
            row = conn.execute(
                f"SELECT e.published_at FROM entries e INDEXED BY {index} WHERE {scope}{keyset}"
                " ORDER BY e.published_at DESC, e.id DESC LIMIT 1 OFFSET ?",
                [*start, position],
            ).fetchone()
            return None if row is None else int(row[0])

        def walk(newer_than: int | None, older_than: int | None, count: int, skip: int) -> list:
            where, bounds = self._where + keyset, list(start)
            if older_than is not None:
                where += " AND e.published_at < ?"
                bounds.append(older_than)
            if newer_than is not None:
                where += " AND e.published_at >= ?"
                bounds.append(newer_than)
            return [
                (r[0], r[1])
                for r in conn.execute(
                    f"SELECT e.published_at, e.id FROM entries e INDEXED BY {index}"
                    f" WHERE {where} ORDER BY e.published_at DESC, e.id DESC LIMIT ? OFFSET ?",
                    [*self._params, *bounds, count, skip],
                )
            ]

        # A filter typed further than one whose window held only part of a page (`harbour
        # counc`, then `counci`) matches at most as often: its window is sized from that share
        # at once, so one walk (one evaluation of the FTS5 query, 8-14 ms at 1M items) usually
        # finds the page where the second window needed a second one.
        first = WINDOW
        if self.expected_share and not offset and after is None:
            first = min(WINDOW + MORE, max(WINDOW, int(limit * 3 / (2 * self.expected_share))))
        edge = edge_at(first - 1)
        keys = walk(edge, None, limit, offset)
        if edge is None or len(keys) == limit:
            if edge is not None and not offset and after is None:
                # A whole page within `first` rows: the share is at least limit / first. A
                # filter typed further starts from that (a window half as large again), so
                # `harbour coun` after `harbour cou` (0.4% of the items, 1%) finds its page in
                # one walk where the default window held 85 of 100 rows and a second
                # evaluation of the FTS5 query was needed (22 -> 14 ms at 1M items).
                self.share = max(self.expected_share or 0.0, limit / first)
            return keys
        if offset or not keys:
            return None
        if after is None:
            self.share = len(keys) / first
        # Matches are len(keys) / first of the rows here: the rest of the page is expected
        # within (limit - len(keys)) / that share further rows (half as many again, to be safe).
        further = (limit - len(keys)) * first * 3 // (2 * len(keys))
        if first + further > WINDOW + MORE:
            return None
        second = edge_at(first - 1 + further)
        keys += walk(second, edge, limit - len(keys), 0)
        if second is None or len(keys) == limit:
            return keys
        return None

    def rows(
        self, keys: list[tuple[int, int]], *, details: bool = False, bodies: bool = True
    ) -> list[EntryRow]:
        """The rows of these keys, in the keys' order (with `bodies` False, every body empty)."""
        if not keys:
            return []
        ids = [key[1] for key in keys]
        columns, source = (_COLUMNS, _SOURCE) if bodies else (_LIST_COLUMNS, _LIST_SOURCE)
        sql = f"SELECT {columns} FROM entries e {source} WHERE e.id IN ({','.join('?' * len(ids))})"
        by_id = {r["id"]: _row(r) for r in self.store.conn.execute(sql, ids)}
        rows = [by_id[i] for i in ids if i in by_id]
        if details:
            attach_details(self.store.conn, rows)
        return rows

    def id_subquery(self) -> tuple[str, list[Any]]:
        """`SELECT e.id ...` of this view and its parameters, to aggregate over (pane counts)."""
        return f"SELECT e.id FROM entries e WHERE {self._where}", list(self._params)

    def position(self, key: tuple[int, int]) -> int:
        """How many rows come before the (published_at, id) key in this view (its index)."""
        sql = (
            f"SELECT count(*) FROM entries e WHERE {self._where}"
            " AND (e.published_at, e.id) > (?, ?)"
        )
        return int(self.store.conn.execute(sql, [*self._params, *key]).fetchone()[0])

    def all(self, *, details: bool = True, page_size: int = 2_000) -> list[EntryRow]:
        return list(self.stream(details=details, chunk=page_size))

    def stream(
        self, *, details: bool = True, bodies: bool = True, chunk: int = 500
    ) -> Iterator[EntryRow]:
        """Every row of the view, newest first, read from one cursor a chunk at a time: the
        first rows come at once and memory does not grow with the view (the CLI listings).
        With `bodies` False every body, quote and link is left empty (a table shows none:
        `entries` unpacked 6,472 bodies, 0.2 s of its 0.45 s of CPU, to print titles).

        One statement for the whole view, not keyset pages: a text filter's matching set is
        then computed once, where each page would compute it again. With a text or entity
        filter that statement sorts only the matching keys, from the narrow covering index
        (sorting whole rows, bodies included, held the first line of `search` at 1M items for
        10 s), and each chunk's rows are then read by id."""
        conn = self.store.conn
        f = self.filter
        by_ids = _by_ids(f)
        if by_ids and _has_cover(self.store):
            sql = (
                f"SELECT e.published_at, e.id FROM entries e INDEXED BY entries_timeline_cover"
                f" WHERE {self._where} ORDER BY e.published_at DESC, e.id DESC"
            )
            keys = conn.execute(sql, self._params)
            try:
                while batch := keys.fetchmany(chunk):
                    keyset = [(r[0], r[1]) for r in batch]
                    yield from self.rows(keyset, details=details, bodies=bodies)
            finally:
                keys.close()
            return
        columns, source = (_COLUMNS, _SOURCE) if bodies else (_LIST_COLUMNS, _LIST_SOURCE)
        sql = (
            f"SELECT {columns} FROM entries e {source}"
            f" WHERE {self._where} ORDER BY e.published_at DESC, e.id DESC"
        )
        cursor = conn.execute(sql, self._params)
        try:
            while True:
                rows = [_row(r) for r in cursor.fetchmany(chunk)]
                if not rows:
                    return
                if details:
                    attach_details(conn, rows)
                yield from rows
        finally:
            cursor.close()


def narrows(narrower: Filter, wider: Filter) -> bool:
    """Whether every row `narrower` matches is also matched by `wider`, as far as the filters
    alone tell: words typed further (`harb` after `har`) or added (`harbour cou` after
    `harbour`), and any restriction added or tightened (a phrase, a kind, a source, an entity,
    an exclusion, unread or starred only, a later `since`, an earlier `until`).

    While a filter is typed, a filter that found fewer than a page among the newest rows tells
    that the next, narrower one will too, so it can sort its matching set at once instead of
    walking a window that comes back short (~10 ms at 1M items: `harbour council` then
    `kind:breaking` added, `kakaka` then `is:unread`)."""
    if narrower.all_entries != wider.all_entries or len(narrower.words) < len(wider.words):
        return False
    words = all(
        new.casefold().startswith(old.casefold())
        for new, old in zip(narrower.words, wider.words, strict=False)
    )
    added = all(
        set(getattr(wider, name)) <= set(getattr(narrower, name))
        for name in (
            "phrases",
            "any_of",  # each group one more condition (a changed group is not narrower)
            "exclude_words",
            "sources",
            "exclude_sources",
            "exclude_kinds",
            "entities",
            "exclude_entities",
        )
    )
    kinds = not wider.kinds or (bool(narrower.kinds) and set(narrower.kinds) <= set(wider.kinds))
    thread = wider.thread_id is None or narrower.thread_id == wider.thread_id
    since = wider.since is None or (narrower.since is not None and narrower.since >= wider.since)
    until = wider.until is None or (narrower.until is not None and narrower.until <= wider.until)
    flags = (narrower.unread_only or not wider.unread_only) and (
        narrower.starred_only or not wider.starred_only
    )
    return words and added and kinds and thread and since and until and flags


def _has_cover(store: Store) -> bool:
    """Whether the cache has the timeline's covering index (a cache whose schema was already
    past 0030 when that migration was added lacks it, and INDEXED BY would fail)."""
    row = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'entries_timeline_cover'"
    ).fetchone()
    return row is not None


_TOTALS_TRIGGERS = ("item_totals_insert", "item_totals_delete", "item_totals_update")


def _has_totals(store: Store) -> bool:
    """Whether `item_totals` is kept by all three of its triggers: a migration that rebuilt
    `entries` without creating them again would leave the row stale, and counting is then
    slower but right."""
    row = store.conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        _TOTALS_TRIGGERS,
    ).fetchone()
    return int(row[0]) == len(_TOTALS_TRIGGERS)


# The sources a `source:` term names: its text in a source's name, title or key (`_source_params`).
_SOURCES_CONTAINING = "SELECT id FROM sources WHERE name LIKE ? OR title LIKE ? OR key LIKE ?"


def _source_params(needle: str) -> list[str]:
    return [f"%{needle}%"] * 3


_ENTITY_IN = (
    "entity_id IN (SELECT id FROM entities WHERE name = ? COLLATE NOCASE AND (? = '' OR kind = ?)"
    " UNION SELECT a.entity_id FROM entity_aliases a JOIN entities x ON x.id = a.entity_id"
    " WHERE a.alias = ? AND (? = '' OR x.kind = ?)"
    " UNION SELECT entity_id FROM entity_keys WHERE key = ? AND (? = '' OR kind = ?))"
)


def _entity_params(ref: EntityRef) -> list[Any]:
    # The folded key finds any spelling the extractor merges (Zelenskyi, Zelenskiy, ZELENSKY).
    from wirereader.analysis.entities.gazetteer import fold_key

    kind = ref.kind
    return [ref.name, kind, kind, ref.name, kind, kind, fold_key(ref.name), kind, kind]


def unknown_names(store: Store, f: Filter) -> list[str]:
    """What an empty result owes to a name the cache does not know: each required source that
    no source's name, title or key contains, each required entity no entity is called (a typo
    in `source:reuters` or `person:Zelensky` read as "no entries", as if nothing were new); or
    to a time window that holds no time."""
    said: list[str] = []
    if f.since is not None and f.until is not None and f.since >= f.until:
        # `since:2026-02-18 until:2026-02-17`, or one day as since: and until: alike (until: a
        # day is its start): an empty window, not a quiet cache.
        said.append(
            "since: is not before until:, so no time is in between"
            " (until: a day means before that day begins)"
        )
    for needle in f.sources:
        found = store.conn.execute(
            f"{_SOURCES_CONTAINING} LIMIT 1", _source_params(needle)
        ).fetchone()
        if found is None:
            said.append(f"no source's name contains {needle!r} (see 'wirereader feeds')")
    for ref in f.entities:
        found = store.conn.execute(
            f"SELECT 1 FROM entry_entities WHERE {_ENTITY_IN} LIMIT 1", _entity_params(ref)
        ).fetchone()
        if found is None:
            what = {"person": "no person", "place": "no place", "org": "no organisation"}
            said.append(
                f"{what.get(ref.kind, 'nothing')} called {ref.name!r} is mentioned"
                " (see 'wirereader entities')"
            )
    return said


def _row(r: sqlite3.Row) -> EntryRow:
    return EntryRow(
        id=r["id"],
        source=r["source"],
        url=r["url"],
        published=r["published"],
        published_at=r["published_at"],
        updated=r["updated"],
        author=r["author"],
        title=r["title"],
        body=r["body"],
        kind=r["kind"],
        thread=r["thread_id"],
        repost_of=r["repost_of"],
        read=r["read_at"] is not None,
        starred=bool(r["starred"]),
        embeds=json.loads(r["embeds"]) if r["embeds"] else {},
        time_guessed=bool(r["time_guessed"]),
    )


def attach_details(conn: sqlite3.Connection, rows: list[EntryRow]) -> None:
    """Fill reposts, entity names and version counts for a page of rows (three queries)."""
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    marks = ",".join("?" * len(by_id))
    ids = list(by_id)
    for r in conn.execute(
        f"SELECT id, repost_of, published, published_at, time_guessed, author FROM entries"
        f" WHERE repost_of IN ({marks}) ORDER BY published_at, id",
        ids,
    ):
        by_id[r["repost_of"]].reposts.append(
            {
                "id": r["id"],
                "published": r["published"] or iso_utc(r["published_at"]),
                "time_guessed": bool(r["time_guessed"]),
                "author": r["author"],
            }
        )
    for r in conn.execute(
        f"SELECT ee.entry_id, en.name FROM entry_entities ee JOIN entities en"
        f" ON en.id = ee.entity_id WHERE ee.entry_id IN ({marks})"
        f" ORDER BY ee.mentions DESC, en.name",
        ids,
    ):
        by_id[r["entry_id"]].entities.append(r["name"])
    for r in conn.execute(
        f"SELECT entry_id, count(*) AS n FROM entry_versions WHERE entry_id IN ({marks})"
        f" GROUP BY entry_id",
        ids,
    ):
        by_id[r["entry_id"]].version_count = r["n"]


def attach_badges(store: Store, rows: list[EntryRow]) -> None:
    """Repost and version counts for a page of the timeline: two grouped queries over the page's
    ids (the entity names `attach_details` would add are not shown in the list)."""
    if not rows:
        return
    conn = store.conn
    by_id = {row.id: row for row in rows}
    marks = ",".join("?" * len(by_id))
    for entry_id, count in conn.execute(
        f"SELECT repost_of, count(*) FROM entries WHERE repost_of IN ({marks}) GROUP BY repost_of",
        list(by_id),
    ):
        by_id[entry_id].reposts = [{}] * count
    for entry_id, count in conn.execute(
        f"SELECT entry_id, count(*) FROM entry_versions WHERE entry_id IN ({marks})"
        " GROUP BY entry_id",
        list(by_id),
    ):
        by_id[entry_id].version_count = count


def thread_sizes(store: Store, thread_ids: set[int]) -> dict[int, int]:
    """thread id -> items in it, for the threads a page of the timeline shows."""
    marks = ",".join("?" * len(thread_ids))
    return {
        tid: size
        for tid, size in store.conn.execute(
            f"SELECT id, size FROM threads WHERE id IN ({marks})", list(thread_ids)
        )
    }


def repost_counts(store: Store, ids: list[int]) -> dict[int, int]:
    """How many reposts each of `ids` has (those with none are left out): a listing's `+N`
    badge, asked for one chunk of a streamed listing at a time."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        int(entry_id): int(count)
        for entry_id, count in store.conn.execute(
            f"SELECT repost_of, count(*) FROM entries WHERE repost_of IN ({marks})"
            " GROUP BY repost_of",
            ids,
        )
    }


def listing_widths(store: Store) -> tuple[int, int]:
    """(the largest entry id, the longest source name): a streamed table's column widths are
    known before its rows are read."""
    top_id = store.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
    longest = store.conn.execute("SELECT coalesce(max(length(name)), 0) FROM sources")
    return int(top_id), int(longest.fetchone()[0])

"""Subscriptions: the feeds table, its fetch state, and the config's [[feeds]] kept in step.

A feed owns one source (its entries); it can move (a permanent redirect), be renamed, be removed
and come back, and its entries stay where they are throughout. Nothing here touches the network.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from wirereader.core.config import Config, FeedConfig
from wirereader.core.text import clean_line
from wirereader.sources.fetch import is_remote, local_path
from wirereader.store.db import Store

MAX_NAME = 40
RETRY_BASE = 5 * 60  # first retry after a failure, doubled per further failure
RETRY_MAX = 6 * 3600
HOLD_MAX = 24 * 3600  # a Retry-After longer than a day is not taken at its word


class SubscriptionError(ValueError):
    """A subscription request that cannot be done; str() is one line for the user."""


@dataclass
class Feed:
    id: int
    url: str
    name: str
    auto_name: bool
    title: str
    home_url: str
    source_id: int
    format: str
    etag: str
    last_modified: str
    interval: int | None
    timezone: str
    full_text: str
    added_at: int
    last_attempt: int | None
    last_success: int | None
    last_status: int | None
    last_new: int
    last_error: str
    last_error_at: int | None
    failures: int
    next_attempt: int | None
    hold_until: int | None
    from_config: bool
    by_user: bool
    removed_at: int | None
    category: str = ""  # folder path from OPML, e.g. 'News/World'
    body_hash: str = ""  # of the last body parsed and saved
    problem: str = ""  # why the last body parsed gave no item, when it gave none and said why

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Feed:
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
        for flag in ("auto_name", "from_config", "by_user"):
            values[flag] = bool(values[flag])
        return cls(**values)

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def interval_or(self, default: int) -> int:
        return self.interval or default

    def status(self, now: int | None = None, entries: int | None = None) -> str:
        """One word for listings: ok, failing, new (never fetched), waiting, removed, and
        with `entries` (its count in the cache) empty: fetched, but no item of it is kept.
        A feed of 0 items said "ok", which a feed that is not XML (nothing could be read)
        said too; "empty" is true of both and calls neither broken (an empty feed is legal):
        `problem` tells them apart."""
        now = int(time.time()) if now is None else now
        if self.removed_at is not None:
            return "removed"
        if self.failures:
            return "failing"
        if self.hold_until and self.hold_until > now:
            return "waiting"
        if self.last_success is None:
            return "new"
        if entries == 0:
            return "empty"
        return "ok"

    def to_json(self, entries: int | None = None) -> dict[str, object]:
        data = asdict(self)
        for key in (
            "added_at",
            "last_attempt",
            "last_success",
            "last_error_at",
            "next_attempt",
            "hold_until",
            "removed_at",
        ):
            data[key] = iso_time(data[key])
        data["status"] = self.status(entries=entries)
        del data["etag"], data["last_modified"], data["auto_name"], data["body_hash"]
        return data


def iso_time(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).astimezone().isoformat(timespec="seconds")


# -- URLs and names -----------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """The key a subscription is stored under: absolute file paths, tidy http(s) URLs."""
    url = url.strip()
    if not url:
        raise SubscriptionError("empty URL")
    try:
        path = local_path(url)
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1" in the config made `feeds` an internal error
        raise SubscriptionError(f"{url}: bad URL ({str(exc)[:1].lower()}{str(exc)[1:]})") from None
    if path is not None:
        return str(path.expanduser().resolve())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SubscriptionError(
            f"{url}: unsupported URL scheme '{parts.scheme}' (use http, https, file or a path)"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise SubscriptionError(f"{url}: no host in the URL")
    try:
        port = parts.port
    except ValueError:
        raise SubscriptionError(f"{url}: bad port") from None
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        auth = parts.username or ""
        if parts.password:
            auth += f":{parts.password}"
        host = f"{auth}@{host}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def name_from_url(url: str) -> str:
    path = local_path(url)
    if path is not None:
        return Path(path).stem or "feed"
    host = urlsplit(url).hostname or "feed"
    return host.removeprefix("www.")


def short_name(text: str) -> str:
    return clean_line(text, MAX_NAME)


# A separator a title ends with when the site's template left its section name out:
# "Rest of World - " was the name "Rest of World -".
_TRAILING_SEPARATOR = re.compile(r"(\s+[-–—|:·•»]+)+\s*$")


def title_name(title: str) -> str:
    """The name a feed's title gives it: the title without a separator left at its end."""
    return _TRAILING_SEPARATOR.sub("", clean_line(title)) or title


def _unique_name(conn: sqlite3.Connection, wanted: str, feed_id: int | None = None) -> str:
    base = short_name(wanted) or "feed"
    name, number = base, 1
    while True:
        row = conn.execute(
            "SELECT id FROM feeds WHERE name = ? COLLATE NOCASE AND removed_at IS NULL"
            " AND id IS NOT ?",
            (name, feed_id),
        ).fetchone()
        if row is None:
            return name
        number += 1
        name = f"{base} ({number})"


# -- reading ------------------------------------------------------------------------------------


def get_feed(store: Store, feed_id: int) -> Feed:
    row = store.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
    if row is None:
        raise SubscriptionError(f"no feed with id {feed_id}")
    return Feed.from_row(row)


def feed_by_url(store: Store, url: str) -> Feed | None:
    row = store.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
    return Feed.from_row(row) if row else None


def list_feeds(store: Store, *, include_removed: bool = False) -> list[Feed]:
    where = "" if include_removed else " WHERE removed_at IS NULL"
    rows = store.conn.execute(f"SELECT * FROM feeds{where} ORDER BY name COLLATE NOCASE, id")
    return [Feed.from_row(row) for row in rows]


def find_feeds(store: Store, selectors: list[str], *, include_removed: bool = False) -> list[Feed]:
    """Feeds named by each selector: a name (any case), a URL or path, or an unambiguous part
    of a name or title, or failing that of a URL. Raises SubscriptionError naming what matched
    nothing or too much."""
    feeds = list_feeds(store, include_removed=include_removed)
    chosen: dict[int, Feed] = {}
    for selector in selectors:
        matches = _match(feeds, selector)
        if not matches:
            raise SubscriptionError(f"no feed named or at '{selector}' (see 'wirereader feeds')")
        if len(matches) > 1:
            names = ", ".join(f"'{f.name}'" for f in matches[:5])
            raise SubscriptionError(f"'{selector}' matches several feeds ({names}); be precise")
        chosen.setdefault(matches[0].id, matches[0])
    return list(chosen.values())


def _match(feeds: list[Feed], selector: str) -> list[Feed]:
    wanted = selector.strip()
    folded = wanted.casefold()
    exact = [f for f in feeds if f.name.casefold() == folded or f.url == wanted]
    if not exact:
        try:
            key = normalise_url(wanted)
        except SubscriptionError:
            key = ""
        exact = [f for f in feeds if key and f.url == key]
    if not exact and wanted.isdigit():
        exact = [f for f in feeds if f.id == int(wanted)]
    if exact:
        return exact
    named = [f for f in feeds if folded in f.name.casefold() or folded in f.title.casefold()]
    if named:
        return named
    # A part of the URL ('feed3.xml', 'example.org'): a feed added with --no-fetch is named
    # after its host until its first fetch, and several on one host share that name.
    return [f for f in feeds if folded in f.url.casefold()]


# -- changing -----------------------------------------------------------------------------------


def subscribe(
    store: Store,
    url: str,
    *,
    name: str = "",
    title: str = "",
    home_url: str = "",
    interval: int | None = None,
    timezone_name: str = "",
    full_text: str = "auto",
    category: str = "",
    from_config: bool = False,
) -> tuple[Feed, bool]:
    """Subscribe to `url` (or bring back a removed subscription); (feed, created)."""
    key = normalise_url(url)
    now = int(time.time())
    with store.transaction() as conn:
        row = conn.execute("SELECT * FROM feeds WHERE url = ?", (key,)).fetchone()
        flag = "from_config" if from_config else "by_user"
        if row is not None:
            feed = Feed.from_row(row)
            new_name = feed.name
            if name and name != feed.name:
                new_name = _unique_name(conn, name, feed.id)
            elif feed.removed_at is not None:
                new_name = _unique_name(conn, feed.name, feed.id)
            conn.execute(
                f"UPDATE feeds SET {flag} = 1, removed_at = NULL, name = ?, auto_name = ?,"
                " interval = COALESCE(?, interval), timezone = ?, full_text = ?,"
                " category = CASE WHEN ? != '' THEN ? ELSE category END WHERE id = ?",
                (
                    new_name,
                    int(feed.auto_name and not name),
                    interval,
                    timezone_name or feed.timezone,
                    full_text,
                    category,
                    category,
                    feed.id,
                ),
            )
            conn.execute("UPDATE sources SET name = ? WHERE id = ?", (new_name, feed.source_id))
            return get_feed(store, feed.id), feed.removed_at is not None
        auto = not name
        final_name = _unique_name(conn, name or title_name(title) or name_from_url(key))
        source_id = store.ensure_source(key, "feed", name=final_name, title=title, url=home_url)
        cur = conn.execute(
            f"INSERT INTO feeds (url, name, auto_name, title, home_url, source_id, interval,"
            f" timezone, full_text, category, added_at, {flag})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (
                key,
                final_name,
                int(auto and not title),
                title,
                home_url,
                source_id,
                interval,
                timezone_name,
                full_text,
                clean_line(category, 300),
                now,
            ),
        )
        return get_feed(store, int(cur.lastrowid or 0)), True


def remove(store: Store, feed: Feed) -> None:
    """Stop fetching a feed. Its entries stay in the cache; `add` brings it back."""
    if feed.from_config:
        raise SubscriptionError(
            f"'{feed.name}' is listed in the config file; delete its [[feeds]] entry there"
        )
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET removed_at = ?, by_user = 0 WHERE id = ?", (int(time.time()), feed.id)
        )


def sync_config(store: Store, cfg: Config) -> list[str]:
    """Subscribe the config's [[feeds]]; feeds gone from the config stop being fetched (their
    entries stay). Returns one-line problems with config entries (bad URLs)."""
    problems: list[str] = []
    listed: set[str] = set()
    for fc in cfg.feeds:
        try:
            feed, _ = _subscribe_config_feed(store, fc)
        except SubscriptionError as exc:
            problems.append(f"config [[feeds]] {exc}")
            continue
        listed.add(feed.url)
    with store.transaction() as conn:
        for row in conn.execute(
            "SELECT id, url, by_user FROM feeds WHERE from_config = 1"
        ).fetchall():
            if row["url"] in listed:
                continue
            if row["by_user"]:
                conn.execute("UPDATE feeds SET from_config = 0 WHERE id = ?", (row["id"],))
            else:
                conn.execute(
                    "UPDATE feeds SET from_config = 0, removed_at = COALESCE(removed_at, ?)"
                    " WHERE id = ?",
                    (int(time.time()), row["id"]),
                )
    return problems


def _subscribe_config_feed(store: Store, fc: FeedConfig) -> tuple[Feed, bool]:
    key = normalise_url(fc.url)
    existing = feed_by_url(store, key)
    if (
        existing is not None
        and existing.from_config
        and existing.active
        and (not fc.name or existing.name == fc.name)
        and existing.interval == fc.interval
        and existing.timezone == fc.timezone
        and existing.full_text == fc.full_text
    ):
        return existing, False  # nothing changed: no write at every refresh
    feed, created = subscribe(
        store,
        fc.url,
        name=fc.name,
        interval=fc.interval,
        timezone_name=fc.timezone,
        full_text=fc.full_text,
        from_config=True,
    )
    if existing is not None and fc.interval is None and existing.interval is not None:
        with store.transaction() as conn:
            conn.execute("UPDATE feeds SET interval = NULL WHERE id = ?", (feed.id,))
    return feed, created


# -- fetch state --------------------------------------------------------------------------------


def record_success(
    store: Store,
    feed: Feed,
    *,
    status: int,
    interval: int,
    etag: str = "",
    last_modified: str = "",
    new: int = 0,
    format: str = "",
    body_hash: str | None = None,
    problem: str | None = None,
    now: int | None = None,
) -> None:
    """A fetch worked (200 or 304): clear the error, schedule the next one. Call inside the
    transaction that saved the entries, so entries and validators change together. `problem`
    (why a parsed body gave no item) is kept as it was when None: nothing was parsed."""
    now = int(time.time()) if now is None else now
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, last_attempt = ?, last_success = ?,"
            " last_status = ?, last_new = ?, last_error = '', failures = 0, next_attempt = ?,"
            " hold_until = NULL, format = CASE WHEN ? != '' THEN ? ELSE format END,"
            " body_hash = COALESCE(?, body_hash), problem = COALESCE(?, problem) WHERE id = ?",
            (
                etag,
                last_modified,
                now,
                now,
                status,
                new,
                now + jitter(interval),
                format,
                format,
                body_hash,
                problem,
                feed.id,
            ),
        )


def adopt_title(store: Store, feed: Feed, title: str, home_url: str = "") -> None:
    """Keep what the feed says about itself; a name we made up gives way to its title."""
    title = clean_line(title)
    if not title and not home_url:
        return
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET title = CASE WHEN ? != '' THEN ? ELSE title END,"
            " home_url = CASE WHEN ? != '' THEN ? ELSE home_url END WHERE id = ?",
            (title, title, home_url, home_url, feed.id),
        )
        conn.execute(
            "UPDATE sources SET title = CASE WHEN ? != '' THEN ? ELSE title END,"
            " url = CASE WHEN ? != '' THEN ? ELSE url END WHERE id = ?",
            (title, title, home_url, home_url, feed.source_id),
        )
        feed.title = title or feed.title
        feed.home_url = home_url or feed.home_url
        if feed.auto_name and title:
            name = _unique_name(conn, title_name(title), feed.id)
            conn.execute("UPDATE feeds SET name = ?, auto_name = 0 WHERE id = ?", (name, feed.id))
            conn.execute("UPDATE sources SET name = ? WHERE id = ?", (name, feed.source_id))
            feed.name, feed.auto_name = name, False
        elif feed.auto_name and is_remote(home_url):
            # No title: the site the feed names is a better name than the host serving it
            # (a feed on a feed service, a CDN, or 127.0.0.1 was "127.0.0.1 (2)"). The name
            # stays made up, so a title the feed gains later still takes its place.
            site = name_from_url(home_url)
            if site != name_from_url(feed.url) and site != feed.name:
                name = _unique_name(conn, site, feed.id)
                conn.execute("UPDATE feeds SET name = ? WHERE id = ?", (name, feed.id))
                conn.execute("UPDATE sources SET name = ? WHERE id = ?", (name, feed.source_id))
                feed.name = name


def record_failure(
    store: Store,
    feed: Feed,
    error: str,
    *,
    interval: int,
    status: int | None = None,
    retry_after: float | None = None,
    now: int | None = None,
) -> int:
    """A fetch failed: keep the one-line error, back off. Returns the next attempt time."""
    now = int(time.time()) if now is None else now
    failures = feed.failures + 1
    delay = min(RETRY_MAX, RETRY_BASE * 2 ** min(failures - 1, 16))
    hold = None
    if retry_after is not None and retry_after > 0:
        hold = now + int(min(retry_after, HOLD_MAX))
        delay = max(delay, hold - now)
    next_attempt = now + jitter(delay)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET last_attempt = ?, last_status = ?, last_error = ?,"
            " last_error_at = ?, failures = ?, next_attempt = ?, hold_until = ? WHERE id = ?",
            (now, status, clean_line(error, 500), now, failures, next_attempt, hold, feed.id),
        )
    return next_attempt


def move(store: Store, feed: Feed, new_url: str) -> bool:
    """Follow a permanent redirect: fetch from `new_url` from now on (unless another feed is
    already there). The source and its entries stay. True when the feed moved."""
    key = normalise_url(new_url)
    if key == feed.url:
        return False
    with store.transaction() as conn:
        taken = conn.execute("SELECT id FROM feeds WHERE url = ?", (key,)).fetchone()
        if taken is not None:
            return False
        conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (key, feed.id))
    feed.url = key
    return True


def jitter(seconds: int) -> int:
    """Spread refreshes a little so feeds added together do not stay in lockstep."""
    return int(seconds * random.uniform(0.95, 1.05))


def due(feed: Feed, now: int) -> bool:
    return feed.next_attempt is None or feed.next_attempt <= now


def held(feed: Feed, now: int) -> bool:
    """The server asked us (Retry-After) not to come back before a time still ahead."""
    return feed.hold_until is not None and feed.hold_until > now


# -- for the front ends and the article fetcher ---------------------------------------------------


def feed_count(store: Store) -> int:
    """How many subscriptions the cache has (removed ones included); 0 for a cache made before
    subscriptions existed, which has no table for them."""
    try:
        row = store.conn.execute("SELECT count(*) FROM feeds").fetchone()
    except sqlite3.OperationalError:  # no subscriptions table in this cache
        return 0
    return int(row[0]) if row else 0


def has_table(store: Store, name: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def feed_columns(store: Store) -> set[str]:
    """The columns the cache's `feeds` table has (older caches lack the later ones)."""
    return {r[1] for r in store.conn.execute("PRAGMA table_info(feeds)")}


def full_text_settings(store: Store) -> list[tuple[int | None, str, str]]:
    """(source id, url, full_text setting) of every subscription; 'auto' where the cache is too
    old to have the setting."""
    mode_column = "full_text" if "full_text" in feed_columns(store) else "'auto'"
    return [
        (row[0], row[1], row[2])
        for row in store.conn.execute(f"SELECT source_id, url, {mode_column} FROM feeds")
    ]


def all_sources(store: Store) -> list[sqlite3.Row]:
    """id, key, name, url of every source (feeds, pages, imported files)."""
    return store.conn.execute("SELECT id, key, name, url FROM sources").fetchall()


def subscribed_source_ids(store: Store) -> list[int]:
    """Sources of subscribed feeds that are not removed (older caches: of every feed)."""
    live = " AND removed_at IS NULL" if "removed_at" in feed_columns(store) else ""
    rows = store.conn.execute(
        f"SELECT DISTINCT source_id FROM feeds WHERE source_id IS NOT NULL{live}"
    )
    return [int(r[0]) for r in rows]


def source_ids_named(store: Store, name: str) -> list[int]:
    """Sources whose name, key or title is `name`."""
    rows = store.conn.execute(
        "SELECT id FROM sources WHERE name = ? OR key = ? OR title = ?", (name, name, name)
    ).fetchall()
    return [int(r[0]) for r in rows]


def entry_counts(store: Store) -> dict[int, int]:
    """feed id -> entries under its source and the sources of its live-blog pages."""
    rows = store.conn.execute(
        "SELECT f.id, (SELECT COUNT(*) FROM entries e WHERE e.source_id = f.source_id)"
        " + (SELECT COUNT(*) FROM liveblog_pages p JOIN entries e ON e.source_id = p.source_id"
        " WHERE p.feed_id = f.id) FROM feeds f"
    )
    return {int(row[0]): int(row[1]) for row in rows}


def rename(store: Store, feed: Feed, new_name: str) -> Feed:
    """Give a feed the name the user chose: in `fetch NAME`, `feeds` and the timeline's source
    column, for its entries so far too (the feed's source and its live-blog pages' sources).
    A name the user chose is never replaced by the feed's title later."""
    wanted = short_name(new_name)
    if not wanted:
        raise SubscriptionError("the new name is empty")
    if feed.from_config:
        raise SubscriptionError(
            f"'{feed.name}' is listed in the config file; set its name in its [[feeds]] entry"
        )
    with store.transaction() as conn:
        taken = conn.execute(
            "SELECT name FROM feeds WHERE name = ? COLLATE NOCASE AND removed_at IS NULL"
            " AND id != ?",
            (wanted, feed.id),
        ).fetchone()
        if taken is not None:
            raise SubscriptionError(f"another feed is already named '{taken['name']}'")
        conn.execute("UPDATE feeds SET name = ?, auto_name = 0 WHERE id = ?", (wanted, feed.id))
        conn.execute(
            "UPDATE sources SET name = ? WHERE id = ? OR id IN"
            " (SELECT source_id FROM liveblog_pages WHERE feed_id = ? AND source_id IS NOT NULL)",
            (wanted, feed.source_id, feed.id),
        )
    return get_feed(store, feed.id)

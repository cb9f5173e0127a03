"""Articles in the cache: which entries want one, storing one as an entry version, failures.

See store/migrations/0040_articles.sql for the design: the article is a version of its entry
(origin 'article', with the fetch time and final URL) and becomes the entry's body, so search,
dedup, threads and entities see it; the feed's teaser stays the earlier version. A full report
linked from a live-blog post becomes an entry of its own in the live blog's source.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from wirereader.sources.articles.extract import Article
from wirereader.sources.articles.teaser import wants_full_text
from wirereader.store import texts, versions
from wirereader.store.db import Store

# Retry schedule for failed fetches: 10 min, 20 min, 40 min ... capped at a day. After
# MAX_FAILURES failures in a row the item is tried once a week only.
FIRST_RETRY = 10 * 60
MAX_RETRY = 24 * 3600
MAX_FAILURES = 8
GIVE_UP_RETRY = 7 * 24 * 3600


@dataclass
class Due:
    """One page to fetch."""

    entry_id: int
    url: str
    role: str
    etag: str
    last_modified: str
    source_id: int


@dataclass
class ArticleState:
    """What the reader shows for an entry: the full article, or the feed text and why."""

    entry_id: int
    full: bool  # True: `body` is the fetched article
    status: str  # 'ok', 'pending', 'failed', 'skipped', or 'none' (no row: never considered)
    title: str
    body: str
    author: str
    url: str = ""  # the final URL the article came from
    fetched_at: int | None = None
    reason: str = ""
    last_error: str = ""
    failures: int = 0
    next_attempt: int = 0
    report_entry: int | None = None  # a live-blog post's full report, stored as this entry

    @property
    def marker(self) -> str:
        """One line for the reader when the text shown is not the full article ('' when it is)."""
        if self.full:
            return ""
        if self.status == "skipped":
            return ""  # the feed carries the whole text, or the user chose 'never'
        if self.status == "failed":
            return f"Teaser only: the full article could not be fetched ({self.last_error})"
        if self.status == "pending":
            return "Teaser only: the full article has not been fetched yet"
        return ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- planning ---------------------------------------------------------------------------------


def plan(store: Store, mode_of: Callable[[int], str], *, now: int | None = None) -> int:
    """Decide for every entry not decided yet (or whose feed text changed) whether to fetch.

    `mode_of(source_id)` gives the source's `full_text` setting. Returns how many entries were
    queued. Reposts are skipped: their canonical item gets the article. Cost: one pass over
    entries without a decision, plus the decisions a changed setting may flip, never the
    bodies of everything already decided.
    """
    now = int(time.time()) if now is None else now
    sources = [int(r[0]) for r in store.conn.execute("SELECT id FROM sources")]
    modes = {source_id: mode_of(source_id) for source_id in sources}
    not_never = [i for i, mode in modes.items() if mode != "never"]
    always = [i for i, mode in modes.items() if mode == "always"]
    queued = 0
    with store.transaction() as conn:
        # The feed's text changed since the article was stored: the page may have changed too.
        queued += conn.execute(
            "UPDATE articles SET status = 'pending', next_attempt = ?, failures = 0"
            " WHERE status = 'ok' AND role = 'full-text' AND entry_id IN (SELECT a.entry_id"
            " FROM articles a JOIN entries e ON e.id = a.entry_id"
            " WHERE a.status = 'ok' AND a.role = 'full-text' AND a.feed_hash != e.content_hash)",
            (now,),
        ).rowcount
        columns = "e.id, e.source_id, e.url, wirereader_body(t.body) AS body, e.embeds"
        bodies = "LEFT JOIN entry_texts t ON t.entry_id = e.id"  # packed (store/texts.py)
        rows = conn.execute(
            f"SELECT {columns} FROM entries e LEFT JOIN articles a ON a.entry_id = e.id {bodies}"
            " WHERE e.repost_of IS NULL AND a.entry_id IS NULL"
        ).fetchall()
        # Skipped entries whose setting changed since: 'never' lifted, or 'always' chosen.
        rows += conn.execute(
            f"SELECT {columns} FROM entries e JOIN articles a ON a.entry_id = e.id {bodies}"
            " WHERE a.status = 'skipped' AND ("
            f"  (a.reason = 'never' AND e.source_id IN ({_ids(not_never)}))"
            f"  OR (a.reason = 'full body' AND e.source_id IN ({_ids(always)})))"
        ).fetchall()
        for row in rows:
            url, role, reason = _target(row, modes.get(row["source_id"], "auto"))
            status = "pending" if url else "skipped"
            conn.execute(
                "INSERT INTO articles (entry_id, url, role, status, reason, next_attempt)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET"
                " url = excluded.url, role = excluded.role, status = excluded.status,"
                " reason = excluded.reason, next_attempt = excluded.next_attempt",
                (row["id"], url or row["url"] or "", role, status, reason, now),
            )
            queued += status == "pending"
    return queued


def _ids(values: list[int]) -> str:
    """An SQL list of integers (ints only: safe to inline); never empty."""
    return ",".join(str(int(v)) for v in values) or "NULL"


def _target(row: sqlite3.Row, mode: str) -> tuple[str, str, str]:
    """(URL to fetch or '', role, reason) for an entry."""
    report = _full_report_url(row["embeds"])
    if report and mode != "never":
        return report, "report", "full report"
    fetch, reason = wants_full_text(mode, row["body"], row["url"] or "")
    return (row["url"] if fetch else ""), "full-text", reason


def _full_report_url(embeds: str) -> str:
    try:
        data = json.loads(embeds or "{}")
    except ValueError:
        return ""
    for link in data.get("links", []) if isinstance(data, dict) else []:
        if isinstance(link, dict) and link.get("rel") == "full-report":
            url = str(link.get("url", ""))
            if url.startswith(("http://", "https://")):
                return url
    return ""


def request_refetch(store: Store, entry_ids: list[int], *, now: int | None = None) -> int:
    """Make these entries' pages due now (a user asking for a fresh copy); returns how many.

    Entries never considered, or skipped, are queued for their own link; an unchanged page
    then stores nothing new, a changed one adds a version."""
    now = int(time.time()) if now is None else now
    count = 0
    with store.transaction() as conn:
        for entry_id in entry_ids:
            entry = conn.execute("SELECT url FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if entry is None:
                continue
            cur = conn.execute(
                "UPDATE articles SET status = 'pending', next_attempt = ?, failures = 0"
                " WHERE entry_id = ? AND url LIKE 'http%'",
                (now, entry_id),
            )
            if cur.rowcount == 0 and str(entry["url"] or "").startswith(("http://", "https://")):
                cur = conn.execute(
                    "INSERT INTO articles (entry_id, url, status, reason, next_attempt)"
                    " VALUES (?, ?, 'pending', 'asked', ?) ON CONFLICT (entry_id) DO UPDATE SET"
                    " url = excluded.url, role = 'full-text', status = 'pending',"
                    " reason = 'asked', next_attempt = excluded.next_attempt",
                    (entry_id, entry["url"], now),
                )
            count += cur.rowcount
    return count


def due(
    store: Store,
    *,
    now: int | None = None,
    limit: int = 500,
    entry_ids: Iterable[int] | None = None,
) -> list[Due]:
    """Pages whose time has come, oldest appointment first; only these entries' if given."""
    now = int(time.time()) if now is None else now
    only = ""
    params: tuple[object, ...] = (now, limit)
    if entry_ids is not None:
        only = " AND a.entry_id IN (SELECT value FROM json_each(?))"
        params = (now, json.dumps(sorted(set(entry_ids))), limit)
    rows = store.conn.execute(
        "SELECT a.entry_id, a.url, a.role, a.etag, a.last_modified, e.source_id"
        " FROM articles a JOIN entries e ON e.id = a.entry_id"
        " WHERE a.status IN ('pending', 'failed') AND a.next_attempt <= ?"
        + only
        + " ORDER BY a.next_attempt, a.entry_id LIMIT ?",
        params,
    ).fetchall()
    return [Due(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def unplanned_count(store: Store) -> int:
    """Items no `plan` has looked at yet (none since they arrived): whether they are teasers
    is not known until `fetch --articles` or the reader plans them."""
    return int(
        store.conn.execute(
            "SELECT count(*) FROM entries e LEFT JOIN articles a ON a.entry_id = e.id"
            " WHERE e.repost_of IS NULL AND a.entry_id IS NULL"
        ).fetchone()[0]
    )


def missing_count(store: Store) -> int:
    return int(
        store.conn.execute(
            "SELECT count(*) FROM articles WHERE status IN ('pending', 'failed')"
        ).fetchone()[0]
    )


# -- results ----------------------------------------------------------------------------------


@dataclass
class Saved:
    entry_id: int
    new_version: bool  # the text changed (or is new): a version was added
    report_entry: int | None = None


def save_article(
    store: Store,
    job: Due,
    article: Article | None,
    *,
    final_url: str,
    etag: str = "",
    last_modified: str = "",
    now: int | None = None,
) -> Saved:
    """Store a fetched article (None: the server said 304, the page is unchanged)."""
    now = int(time.time()) if now is None else now
    if job.role == "report":
        return _save_report(store, job, article, final_url, etag, last_modified, now)
    with store.transaction() as conn:
        entry = conn.execute(
            "SELECT e.title, wirereader_body(t.body) AS body, e.author, e.embeds, e.content_hash"
            " FROM entries e LEFT JOIN entry_texts t ON t.entry_id = e.id WHERE e.id = ?",
            (job.entry_id,),
        ).fetchone()
        latest = versions.latest_version(conn, job.entry_id, origin="article")
        new_version = False
        if article is None or (latest is not None and latest.body == article.body):
            version_id = latest.id if latest is not None else None
            body = latest.body if latest is not None else entry["body"]
            if body != entry["body"]:
                # Only a real change touches the row: the FTS trigger fires on body updates.
                # The text replaced (a newer teaser) stays a version; the article's packed
                # copy is dropped, as it is the current text again.
                versions.keep_current_text(conn, job.entry_id)
                texts.set_body(conn, job.entry_id, body)
                if version_id is not None:
                    versions.make_current(conn, version_id)
        else:
            author = entry["author"] or article.author
            digest = Article(entry["title"], article.body, author).content_hash()
            body, new_version = article.body, True
            if body != entry["body"]:
                versions.keep_current_text(conn, job.entry_id)
                texts.set_body(conn, job.entry_id, body)
            published = conn.execute(
                "SELECT published, updated FROM entries WHERE id = ?", (job.entry_id,)
            ).fetchone()
            version_id = versions.add_version(
                conn,
                job.entry_id,
                author=author,
                published=published[0],
                updated=published[1],
                content_hash=digest,
                seen_at=now,
                origin="article",
                url=final_url,
            )
            conn.execute(
                "UPDATE entries SET author = ?, embeds = ? WHERE id = ?",
                (author, _merged_embeds(entry["embeds"], article), job.entry_id),
            )
        conn.execute(
            "UPDATE articles SET status = 'ok', final_url = ?, fetched_at = ?, version_id = ?,"
            " feed_hash = ?, etag = ?, last_modified = ?, failures = 0, last_error = '',"
            " next_attempt = 0 WHERE entry_id = ?",
            (final_url, now, version_id, entry["content_hash"], etag, last_modified, job.entry_id),
        )
    return Saved(job.entry_id, new_version)


def _save_report(
    store: Store,
    job: Due,
    article: Article | None,
    final_url: str,
    etag: str,
    last_modified: str,
    now: int,
) -> Saved:
    report_entry = None
    new_version = False
    if article is not None:
        entry = article.to_entry(stable_id=f"report:{job.url}")
        entry.url = entry.url or final_url
        result = store.save_entries(job.source_id, [entry], seen_at=now)
        new_version = bool(result.new or result.updated)
        row = store.conn.execute(
            "SELECT id FROM entries WHERE source_id = ? AND stable_id = ?",
            (job.source_id, entry.stable_id),
        ).fetchone()
        report_entry = int(row[0]) if row else None
    with store.transaction() as conn:
        conn.execute(
            "UPDATE articles SET status = 'ok', final_url = ?, fetched_at = ?,"
            " report_entry = coalesce(?, report_entry), etag = ?, last_modified = ?,"
            " failures = 0, last_error = '', next_attempt = 0 WHERE entry_id = ?",
            (final_url, now, report_entry, etag, last_modified, job.entry_id),
        )
    return Saved(job.entry_id, new_version, report_entry)


def _merged_embeds(existing: str, article: Article) -> str:
    """The entry's links and quotes, then the article's new links, each URL once.

    The article's embedded posts are in its body already (see Article.to_entry)."""
    try:
        data = json.loads(existing or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    links = [x for x in data.get("links", []) if isinstance(x, dict)]
    quotes = [x for x in data.get("quotes", []) if isinstance(x, dict)]
    seen = {x.get("url") for x in links}
    links += [asdict(x) for x in article.all_links() if x.url not in seen]
    if not links and not quotes:
        return "{}"
    return json.dumps({"quotes": quotes, "links": links}, ensure_ascii=False)


def record_failure(
    store: Store,
    entry_id: int,
    message: str,
    *,
    retry_after: float | None = None,
    permanent: bool = False,
    now: int | None = None,
) -> int:
    """Note a failed fetch and when to try again; returns that time (epoch seconds)."""
    now = int(time.time()) if now is None else now
    row = store.conn.execute(
        "SELECT failures FROM articles WHERE entry_id = ?", (entry_id,)
    ).fetchone()
    failures = (int(row[0]) if row else 0) + 1
    if failures > MAX_FAILURES:
        delay = GIVE_UP_RETRY
    else:
        # A page that is gone (404/410) is unlikely to come back soon: start four steps later.
        step = failures - 1 + (4 if permanent else 0)
        delay = min(MAX_RETRY, FIRST_RETRY * 2**step)
    if retry_after is not None:
        delay = max(delay, int(retry_after))
    next_attempt = now + delay
    with store.transaction() as conn:
        conn.execute(
            "UPDATE articles SET status = 'failed', failures = ?, next_attempt = ?,"
            " last_error = ?, last_error_at = ? WHERE entry_id = ?",
            (failures, next_attempt, message[:500], now, entry_id),
        )
    return next_attempt


# -- reading ----------------------------------------------------------------------------------


def article_state(store: Store, entry_id: int) -> ArticleState | None:
    """What to show for an entry: its latest article when there is one; None: no such entry."""
    conn = store.conn
    entry = conn.execute(
        "SELECT e.id, e.title, wirereader_body(t.body) AS body, e.author, e.url FROM entries e"
        " LEFT JOIN entry_texts t ON t.entry_id = e.id WHERE e.id = ?",
        (entry_id,),
    ).fetchone()
    if entry is None:
        return None
    row = conn.execute("SELECT * FROM articles WHERE entry_id = ?", (entry_id,)).fetchone()
    state = ArticleState(
        entry_id=entry_id,
        full=False,
        status=row["status"] if row else "none",
        title=entry["title"],
        body=entry["body"],
        author=entry["author"],
    )
    if row is None:
        # Not considered yet (no fetch since it arrived): say so when its text is a teaser.
        if wants_full_text("auto", entry["body"], entry["url"] or "")[0]:
            state.status = "pending"
        return state
    state.reason = row["reason"]
    state.last_error = row["last_error"]
    state.failures = row["failures"]
    state.next_attempt = row["next_attempt"]
    state.report_entry = row["report_entry"]
    state.fetched_at = row["fetched_at"]
    state.url = row["final_url"]
    if row["role"] == "full-text":
        # The latest article version, even while the feed's newer teaser is the entry's body
        # (the article is then due again): offline, the last full text beats a teaser.
        latest = versions.latest_version(conn, entry_id, origin="article")
        if latest is not None:
            state.full = True
            state.body = latest.body
            state.author = latest.author or state.author
            state.url = latest.url or state.url
            state.fetched_at = state.fetched_at or latest.seen_at
    return state


def missing_articles(store: Store) -> list[sqlite3.Row]:
    """Items whose article is still pending or failed, next attempt first (with the title)."""
    return store.conn.execute(
        "SELECT a.entry_id, a.status, a.url, a.failures, a.next_attempt, a.last_error, e.title"
        " FROM articles a JOIN entries e ON e.id = a.entry_id"
        " WHERE a.status IN ('pending', 'failed') ORDER BY a.next_attempt, a.entry_id"
    ).fetchall()

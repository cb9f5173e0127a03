"""Background full-text fetching: after the feed refresh, fetch the pages of teaser items.

Politeness and limits: at most `per_host` (never more than two) requests at a time per host, a
global limit on requests at once, a size cap and timeouts (sources/fetch.Fetcher enforces them),
and Retry-After honoured: a host that answers 429/503 with a delay gets no further request in this
run, and its items are scheduled after the delay. Failures are recorded per item and retried later
with backoff (state.record_failure). Workers only fetch; extraction and the (short) store writes
happen in the calling thread, one transaction per article, so a feed refresh running beside it is
never blocked for long. Call from a worker thread in the TUI; `stop` ends it early.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from wirereader.core.config import Config
from wirereader.ingest.analyse import run_analysis
from wirereader.sources.articles.extract import ExtractionError, extract_article
from wirereader.sources.articles.teaser import MODES
from wirereader.sources.fetch import Fetcher, FetchError, FetchSettings, Response, Validators
from wirereader.store import articles as state
from wirereader.store.db import Store
from wirereader.store.subscriptions import (
    all_sources,
    full_text_settings,
    has_table,
    subscribed_source_ids,
)

MAX_PER_HOST = 2  # the limit, whatever the config allows for feeds
ARTICLE_MAX_BYTES = 5 * 1024 * 1024  # a news page bigger than this is not worth keeping offline
ARTICLE_DEADLINE = 30.0  # seconds for a whole page: a stop (app exit) waits at most this long
# Inside one fetch we wait for a short Retry-After; a longer one schedules the item for later
# instead of holding a worker.
MAX_INLINE_RETRY_AFTER = 5.0
_PERMANENT_STATUS = {404, 410, 451}
_HTML_TYPES = re.compile(r"^\s*(?:text/html|application/xhtml\+xml|text/plain)\b|^\s*$", re.I)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)

Progress = Callable[[int, int, "state.Due", str], None]


@dataclass
class ArticleReport:
    """What one run did."""

    queued: int = 0  # entries newly found to want their article
    attempted: int = 0
    fetched: int = 0  # articles stored with new text
    unchanged: int = 0  # fetched again, same text (nothing new stored)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (entry id, one-line reason)
    deferred: int = 0  # not requested: the host asked us to wait
    remaining: int = 0  # still missing after this run (failed or not due yet)
    changed_entries: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def settings_for(cfg: Config | None) -> FetchSettings:
    base = FetchSettings.from_config(cfg) if cfg is not None else FetchSettings()
    return replace(
        base,
        per_host=min(MAX_PER_HOST, base.per_host),
        max_bytes=min(ARTICLE_MAX_BYTES, base.max_bytes),
        deadline=min(base.deadline, ARTICLE_DEADLINE),
        retries=1,
        max_retry_after=MAX_INLINE_RETRY_AFTER,
    )


def source_modes(store: Store, cfg: Config | None) -> Callable[[int], str]:
    """source id -> its `full_text` setting ('auto' for sources nobody configured).

    The subscriptions table keeps each feed's setting (also for feeds added with `add`); the
    config's [[feeds]] entries win where they name the same feed.
    """
    modes: dict[int, str] = {}
    by_url = {_norm(f.url): f.full_text for f in cfg.feeds} if cfg is not None else {}
    by_name = {f.name: f.full_text for f in cfg.feeds if f.name} if cfg is not None else {}
    if has_table(store, "feeds"):
        for source_id, url, setting in full_text_settings(store):
            mode = by_url.get(_norm(url)) or setting
            if source_id is not None and mode in MODES:
                modes[int(source_id)] = mode
    if by_url or by_name:
        for row in all_sources(store):
            configured = by_url.get(_norm(row["key"])) or by_url.get(_norm(row["url"]))
            configured = configured or by_name.get(row["name"])
            if configured:
                modes[row["id"]] = configured
    return lambda source_id: modes.get(source_id, "auto")


def subscribed_sources(store: Store) -> list[int]:
    """Sources of subscribed feeds: what a background run fetches for (never imported files)."""
    if not has_table(store, "feeds"):
        return []
    return subscribed_source_ids(store)


def _norm(url: str | None) -> str:
    return (url or "").strip().rstrip("/").lower()


def fetch_articles(
    store: Store,
    cfg: Config | None = None,
    *,
    source_ids: Iterable[int] | None = None,
    entry_ids: Iterable[int] | None = None,
    settings: FetchSettings | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    now: int | None = None,
    limit: int = 2_000,
) -> ArticleReport:
    """Queue what wants an article, then fetch everything due; returns what happened.

    `now` (epoch seconds) stands for the clock in planning, scheduling and records; tests use it
    to step through retry times. `entry_ids`: only these entries' pages (`articles --again`),
    not every other page that happens to be due.
    """
    report = ArticleReport()
    clock = int(time.time()) if now is None else now
    report.queued = state.plan(store, source_modes(store, cfg), now=clock)
    jobs = state.due(store, now=clock, limit=limit, entry_ids=entry_ids)
    if source_ids is not None:
        wanted = set(source_ids)
        jobs = [job for job in jobs if job.source_id in wanted]
    settings = settings or settings_for(cfg)
    with Fetcher(settings) as fetcher:
        for job, outcome in _fetch_all(fetcher, jobs, stop):
            report.attempted += 1
            note = _store_outcome(store, job, outcome, report, now)
            if progress is not None:
                progress(report.attempted, len(jobs), job, note)
    report.remaining = state.missing_count(store)
    if report.changed_entries:
        problem = run_analysis(store, "articles")
        if problem:
            report.warnings.append(problem)
    return report


@dataclass
class _Deferred:
    """Not requested: the host asked us to wait this many seconds."""

    retry_after: float


def _host(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")


def _fetch_all(
    fetcher: Fetcher, jobs: list[state.Due], stop: threading.Event | None
) -> Iterable[tuple[state.Due, Response | FetchError | _Deferred]]:
    """Fetch in worker threads, at most `per_host` per host; yield results as they arrive.

    Results wait in a small bounded queue, so a slow consumer pauses the workers instead of
    piling up page bodies in memory.
    """
    if not jobs:
        return
    settings = fetcher.settings
    by_host: dict[str, deque[state.Due]] = {}
    for job in jobs:
        by_host.setdefault(_host(job.url), deque()).append(job)
    blocked_until: dict[str, float] = {}
    lock = threading.Lock()
    results: queue.Queue[tuple[state.Due, Response | FetchError | _Deferred]] = queue.Queue(
        maxsize=2 * settings.concurrency
    )
    halt = stop or threading.Event()
    cancelled = threading.Event()

    def put(item: tuple[state.Due, Response | FetchError | _Deferred]) -> None:
        while not cancelled.is_set():
            with contextlib.suppress(queue.Full):
                results.put(item, timeout=0.2)
                return

    def drain(host: str) -> None:
        pending = by_host[host]
        while not cancelled.is_set():
            with lock:
                if not pending:
                    return
                job = pending.popleft()
                wait = blocked_until.get(host, 0.0) - time.monotonic()
            if halt.is_set():
                continue  # counted, not fetched: the consumer stops at `halt`
            if wait > 0:
                put((job, _Deferred(wait)))
                continue
            outcome: Response | FetchError
            try:
                outcome = fetcher.fetch(job.url, Validators(job.etag, job.last_modified))
            except FetchError as exc:
                outcome = exc
                if exc.retry_after is not None and exc.status in (429, 503):
                    with lock:
                        blocked_until[host] = time.monotonic() + exc.retry_after
            except Exception as exc:  # a bug must not hang the run
                outcome = FetchError(job.url, f"internal error ({type(exc).__name__}: {exc})")
            put((job, outcome))

    # One slot per allowed connection to a host; `workers` threads take slots in turn.
    slots = deque(
        host
        for host, pending in by_host.items()
        for _ in range(min(settings.per_host, len(pending)))
    )
    workers = max(1, min(settings.concurrency, len(slots)))

    def work() -> None:
        while not cancelled.is_set():
            with lock:
                if not slots:
                    return
                host = slots.popleft()
            drain(host)

    # Daemon threads, not a ThreadPoolExecutor: the interpreter joins an executor's threads at
    # exit, so Ctrl-C while a page was on its way from a stalled server waited for the request
    # deadline (up to a minute). Stopped early, the threads end by themselves within it.
    threads = [
        threading.Thread(target=work, name=f"article-{n}", daemon=True) for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    finished = False
    try:
        for _ in range(len(jobs)):
            while True:
                if halt.is_set():
                    return
                try:
                    item = results.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
            yield item
        finished = True
    finally:
        cancelled.set()
        if finished:  # every result taken: the threads are ending now
            for thread in threads:
                thread.join(timeout=1)


def _store_outcome(
    store: Store,
    job: state.Due,
    outcome: Response | FetchError | _Deferred,
    report: ArticleReport,
    now: int | None,
) -> str:
    """Save one result; return a short note for the progress line."""
    if isinstance(outcome, _Deferred):
        report.deferred += 1
        state.record_failure(
            store,
            job.entry_id,
            "host asked to wait (Retry-After)",
            retry_after=outcome.retry_after,
            now=now,
        )
        return "deferred: the host asked us to wait"
    if isinstance(outcome, FetchError):
        message = str(outcome)
        report.failed.append((job.entry_id, message))
        state.record_failure(
            store,
            job.entry_id,
            message,
            retry_after=outcome.retry_after,
            permanent=outcome.status in _PERMANENT_STATUS,
            now=now,
        )
        return f"failed: {outcome.message}"
    article = None
    if not outcome.not_modified:
        if not _HTML_TYPES.match(outcome.content_type or ""):
            message = f"{outcome.url}: not an HTML page ({outcome.content_type[:60]})"
            report.failed.append((job.entry_id, message))
            state.record_failure(store, job.entry_id, message, permanent=True, now=now)
            return "failed: not an HTML page"
        try:
            article = extract_article(decode_page(outcome), url=outcome.url)
        except ExtractionError as exc:
            message = f"{outcome.url}: {exc}"
            report.failed.append((job.entry_id, message))
            state.record_failure(store, job.entry_id, message, permanent=True, now=now)
            return f"failed: {exc}"
    saved = state.save_article(
        store,
        job,
        article,
        final_url=outcome.url,
        etag=outcome.etag,
        last_modified=outcome.last_modified,
        now=now,
    )
    if saved.new_version:
        report.fetched += 1
        report.changed_entries.append(saved.report_entry or saved.entry_id)
        return "stored"
    report.unchanged += 1
    return "unchanged"


def decode_page(response: Response) -> str:
    """The page's text: the charset the server named, else what the page declares, else UTF-8."""
    data = response.body
    names = []
    match = _CHARSET.search(response.content_type or "")
    if match:
        names.append(match.group(1))
    head = data[:4096].decode("ascii", "replace")
    declared = re.search(r"<meta[^>]+charset=[\"']?([\w.:-]+)", head, re.I)
    if declared:
        names.append(declared.group(1))
    for name in [*names, "utf-8"]:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    # No usable label and not UTF-8: an old page in a legacy encoding. The detector ranks the
    # candidates; windows-1252, what browsers assume for an unlabelled Western page, wins when
    # it reads about as cleanly as the detector's first choice (short Latin texts fool it).
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000]))
    if matches:
        best = matches[0]
        western = next((m for m in matches if m.encoding == "cp1252"), None)
        if western is not None and western.chaos - best.chaos <= 0.1:
            best = western
        return data.decode(best.encoding, "replace")
    return data.decode("cp1252", "replace")

"""Refreshing subscriptions: pick feeds, fetch them at once, parse, save, expand live blogs.

`refresh()` is the library API the CLI and the TUI share. It may run in a worker thread: it
writes through the given store from the calling thread only, and reports each finished feed to
an optional progress callback (called from that same thread).

Per feed, the network work comes first (the feed, then the pages of live-blog items that are
new or changed), then one write transaction saves the entries, the live-blog pages and the fetch
status together: a killed process leaves a feed either fully refreshed or as it was, and a
refresh never holds the write lock while waiting on the network.

A feed item marked `live_blog` (one item edited in place, as the Guardian, BBC and ABC do) is a
container: its page is read with the live-blog parser and its updates become entries of a source
for that page, instead of one item whose text keeps changing. When the page cannot be read as a
live blog the item is kept as an ordinary entry, so nothing is lost. A page already read is asked
for again at every refresh of its feed (conditional GET, usually a 304) while its item is in the
feed, even when the feed or the item is unchanged: live blogs gain updates without touching it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from wirereader import __version__
from wirereader.core.config import Config
from wirereader.core.model import ParsedDocument, RawEntry
from wirereader.core.redact import redact
from wirereader.core.timezones import ZoneError, resolve_zone
from wirereader.ingest.analyse import analysis_failed, run_analysis
from wirereader.ingest.parse_pool import ParsePool, WorkerDied
from wirereader.sources.dispatch import ParseFailure, one_line, parse_document
from wirereader.sources.fetch import (
    Fetcher,
    FetchError,
    FetchSettings,
    Response,
    Validators,
    is_remote,
)
from wirereader.store.analysis import data_version as analysis_data_version
from wirereader.store.db import SaveResult, Store
from wirereader.store.entries import mark_seen
from wirereader.store.liveblogs import (
    feeds_with_pages_in_feed,
    known_pages,
    mark_in_feed,
    record_page,
)
from wirereader.store.subscriptions import (
    Feed,
    SubscriptionError,
    adopt_title,
    find_feeds,
    held,
    list_feeds,
    move,
    normalise_url,
    record_failure,
    record_success,
    sync_config,
)
from wirereader.store.subscriptions import due as is_due
from wirereader.store.texts import prepacked

if TYPE_CHECKING:
    from pathlib import Path

    from wirereader.analysis.pipeline import Analysis
    from wirereader.analysis.prepare_pool import Prepared

LIVEBLOG_FORMAT = "liveblog-html"  # what parse_page reports
ANALYSIS_BATCH = 2_000  # entries stored before the analysis takes a step (pipeline.BATCH)


@dataclass
class FeedResult:
    """What one refresh did to one feed."""

    feed_id: int
    name: str
    url: str
    status: str  # "updated", "unchanged", "not-modified", "failed", "skipped"
    new: list[int] = field(default_factory=list)  # entry ids
    updated: list[int] = field(default_factory=list)
    error: str = ""  # one line, for "failed" and "skipped"
    warnings: list[str] = field(default_factory=list)
    pages: int = 0  # live-blog pages read
    moved_to: str = ""  # the new URL after a permanent redirect
    cache_full: bool = False  # failed because the cache's disk is full (SQLITE_FULL)
    cache_read_only: bool = False  # failed because the cache cannot be written (SQLITE_READONLY)
    next_attempt: int | None = None
    # (id, title, body, author) of the new and updated entries as saved, until the refresh
    # hands them to the analysis (then emptied: a report does not hold every text it saved).
    texts: list[tuple[int, str, str, str]] = field(default_factory=list, repr=False)
    # What a parse worker prepared of them for the analysis (`prepare_pool.Prepared`, by their
    # ids), handed over with them.
    prepared: Prepared | None = field(default=None, repr=False)

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class RefreshReport:
    results: list[FeedResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # config problems, analysis errors
    elapsed: float = 0.0

    @property
    def new(self) -> int:
        return sum(len(r.new) for r in self.results)

    @property
    def updated(self) -> int:
        return sum(len(r.updated) for r in self.results)

    @property
    def failures(self) -> list[FeedResult]:
        return [r for r in self.results if r.failed]


FULL_DISK = "the disk is full; feeds not saved are fetched again next time (what was saved is kept)"
READ_ONLY_CACHE = (
    "the cache is read-only (check the file's and its folder's permissions); "
    "nothing fetched could be saved"
)


def problem_lines(result: FeedResult, cache: Path, told: set[str]) -> list[str]:
    """What to say of one feed's result. A full disk fails every feed saved after it: it is said
    once, of the cache (`told` remembers), not once a feed (a fetch of 200 feeds onto a full
    disk printed 88 lines of "cannot save to the cache"; the reader's refresh showed the first
    three feeds' as if those feeds were broken)."""
    lines = [f"{result.name}: {result.error}"] if result.failed else []
    if result.cache_full:
        lines = [] if "full" in told else [f"{cache}: {FULL_DISK}"]
        told.add("full")
    elif result.cache_read_only:  # the same for a cache made read-only: said once, plainly
        lines = [] if "read-only" in told else [f"{cache}: {READ_ONLY_CACHE}"]
        told.add("read-only")
    return lines + list(result.warnings)


@dataclass
class Progress:
    """Sent before the first feed (result None), after each one, and once more before the
    analysis of the entries left over when the last feed is saved (`analysing` of them)."""

    done: int
    total: int
    result: FeedResult | None = None
    analysing: int = 0


ProgressCallback = Callable[[Progress], None]


def refresh(
    store: Store,
    cfg: Config,
    names: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    *,
    force: bool = False,
    due_only: bool = False,
    fetcher: Fetcher | None = None,
    analyse: bool = True,
    analysis_batch: int | None = None,
    stop: threading.Event | None = None,
) -> RefreshReport:
    """Fetch subscribed feeds and save what is new.

    `names` selects feeds (names, URLs or parts of names; SubscriptionError when one matches
    nothing) and fetches them whatever their schedule. Without names: every subscribed feed,
    except those whose server asked us to wait (Retry-After) unless `force`; with `due_only`
    (background refresh) only those whose next attempt has come.

    Once `stop` is set (the reader is closing) no further outcome is waited for and the
    analysis of what was saved is left to the next run; feeds still on their way are tried
    again at the next refresh. Without it, quitting the reader during a refresh behind a
    stalled server waited 60 s (three attempts of the 20 s read timeout) before the process
    ended, the terminal already given back.
    """
    started = time.monotonic()
    analysis_batch = analysis_batch or ANALYSIS_BATCH
    report = RefreshReport()
    report.warnings += sync_config(store, cfg)
    now = int(time.time())
    if names:
        feeds = find_feeds(store, list(names))
    else:
        feeds = []
        for feed in list_feeds(store):
            if force or (not held(feed, now) and (not due_only or is_due(feed, now))):
                feeds.append(feed)
            elif held(feed, now) and not due_only:
                report.results.append(
                    FeedResult(
                        feed.id,
                        feed.name,
                        feed.url,
                        "skipped",
                        error="the server asked us to wait; next attempt at "
                        f"{time.strftime('%H:%M', time.localtime(feed.hold_until or now))}",
                        next_attempt=feed.next_attempt,
                    )
                )
    own = fetcher is None
    fetcher = fetcher or Fetcher(FetchSettings.from_config(cfg))
    by_id = {feed.id: feed for feed in feeds}
    total = len(feeds)
    if progress:
        progress(Progress(0, total))
    pool = ParsePool(
        prepares=analyse and PREPARE_WHILE_PARSING and any(not f.body_hash for f in feeds)
    )
    # Fetched documents waiting for their parse in a worker; saved in arrival order. Bounded, so
    # bodies and parsed entries never pile up in memory faster than they are saved.
    waiting: deque[tuple[Feed, Response, Future[ParsedDocument]]] = deque()
    limit = 2 * pool.workers + 2

    # The analysis runs while later feeds are still being fetched and parsed: whenever a whole
    # batch of new entries is stored, it is analysed between two feeds' saves (one writer, this
    # thread), so a large refresh takes about the longer of fetching and analysing, not their
    # sum. The entries are visible to readers from the moment they are stored.
    # Entries go to the analysis's worker as soon as they are stored (`Analysis.stored`), once
    # half a batch is waiting: the worker prepares them (fingerprints, names, terms) while this
    # thread saves the next feeds, and the step that analyses them finds them ready.
    analysis: Analysis | None = None
    unanalysed = 0
    # (What other connections have committed by now: the analysis takes the texts saved from
    # here on as they were handed to it, until another connection commits.)
    data_version = analysis_data_version(store.conn) if analyse else None
    stored: list[tuple[int, str, str, str]] = []  # texts saved before the analysis started
    stored_prepared: list[Prepared] = []  # what parse workers prepared of them

    def analysis_of_run() -> Analysis:
        nonlocal analysis
        if analysis is None:
            from wirereader.analysis.pipeline import Analysis

            analysis = Analysis(store, batch_size=analysis_batch, data_version=data_version)
        return analysis

    def send_ahead(texts: list[tuple[int, str, str, str]], prepared: Prepared | None) -> None:
        if not analyse or unanalysed < 0:
            return
        stored.extend(texts)
        if prepared is not None:
            stored_prepared.append(prepared)
        if analysis is None and (
            len(stored) < analysis_batch // 2
            or (
                HAND_OVER_ONCE_WORKERS_ARE_UP
                and pool.starting
                and len(stored) < analysis_batch * STEP_DEFERRED_UP_TO
            )
        ):
            return  # (see HAND_OVER_ONCE_WORKERS_ARE_UP)
        try:
            run = analysis_of_run()
            if not stored_prepared:
                run.stored(stored)
            for k, part in enumerate(stored_prepared):  # the rest with the last part
                run.stored(stored if k == len(stored_prepared) - 1 else [], part)
        except Exception as exc:  # as a failed step (below)
            give_up_analysis(exc)
        stored.clear()
        stored_prepared.clear()

    def give_up_analysis(exc: Exception) -> None:
        """What was saved stays saved; no more steps in this run (the end of the run retries)."""
        nonlocal analysis, unanalysed
        report.warnings.append(analysis_failed(exc, "entries", store))
        unanalysed = -(1 << 62)
        if analysis is not None:
            analysis.close()
            analysis = None

    def analyse_some() -> None:
        nonlocal unanalysed
        if not analyse or unanalysed < analysis_batch:
            return
        if unanalysed < analysis_batch * STEP_DEFERRED_UP_TO and (
            (analysis is None and HAND_OVER_ONCE_WORKERS_ARE_UP and pool.starting)
            or (analysis is not None and not analysis.can_step_without_waiting())
        ):
            # The next feeds are saved while the worker finishes (see STEP_DEFERRED_UP_TO), or
            # while the parse workers start (see HAND_OVER_ONCE_WORKERS_ARE_UP).
            return
        try:
            analysis_of_run().step()
            unanalysed = 0
        except Exception as exc:
            give_up_analysis(exc)

    def finish(result: FeedResult) -> None:
        report.results.append(result)
        if progress:
            progress(Progress(len(report.results) - skipped, total, result))

    # Feeds that answered 304, their state not yet written: written together (record_later).
    unchanged: list[_Unchanged] = []
    # Only these feeds have followed pages an unchanged feed's refresh re-checks: one statement
    # here instead of one a 304. An all-304 refresh of the feeds bench's 200 feeds, paired in
    # one process (20 runs each): the refresh thread's CPU 12.0 -> 9.5 ms best, 16.8 -> 11.7
    # median; its wall is the HTTP round trips'.
    with_pages = feeds_with_pages_in_feed(store)

    def save(
        feed: Feed, outcome: Response | FetchError, parsed: ParsedDocument | Exception | None
    ) -> None:
        try:
            result = process_feed(
                store,
                cfg,
                fetcher,
                feed,
                outcome,
                parsed=parsed,
                unchanged=unchanged,
                recheck_pages=feed.id in with_pages,
                stop=stop,
            )
        except sqlite3.OperationalError as exc:  # locked or full: this feed waits for next time
            result = _not_saved(feed, exc)
        except Stopped:  # the reader is closing: nothing of this feed saved, the next run has it
            return
        saved(result)
        analyse_some()

    def save_together(ready: list[tuple[Feed, Response, ParsedDocument]]) -> None:
        """Feeds parsed and waiting at the same moment, saved in one transaction (each as
        `process_feed` saves it alone): see `SAVE_TOGETHER`."""
        try:
            with store.transaction():
                results = [
                    process_feed(store, cfg, fetcher, feed, outcome, parsed=document)
                    for feed, outcome, document in ready
                ]
        except sqlite3.OperationalError as exc:  # locked or full: these wait for next time
            results = [_not_saved(feed, exc) for feed, _, _ in ready]
        for result in results:
            saved(result)
        analyse_some()

    def saved(result: FeedResult) -> None:
        nonlocal unanalysed
        finish(result)
        if len(unchanged) >= RECORD_TOGETHER:
            record_later(store, unchanged)
        unanalysed += len(result.new) + len(result.updated)
        texts, result.texts = result.texts, []
        prepared, result.prepared = result.prepared, None
        if result.new or result.updated:
            # The texts as saved, in the order of the ids (reading them back was 2% of this
            # thread's CPU in the 40k feeds benchmark's fetch).
            by_id = {row[0]: row for row in texts}
            send_ahead([by_id[i] for i in result.new + result.updated if i in by_id], prepared)

    def save_parsed(parsed_feeds: list[tuple[Feed, Response, Future[ParsedDocument]]]) -> None:
        """Save these feeds, in their order: those that parsed and need no network on the way
        in groups of up to SAVE_TOGETHER, the others one by one."""
        group: list[tuple[Feed, Response, ParsedDocument]] = []

        def save_group() -> None:
            if len(group) > 1:
                save_together(group)
            elif group:
                save(*group[0])
            group.clear()

        for feed, outcome, future in parsed_feeds:
            parsed: ParsedDocument | Exception
            try:
                parsed = pool.result(future)
            except (ParseFailure, WorkerDied) as exc:
                parsed = exc
            if isinstance(parsed, ParsedDocument) and _saved_offline(parsed):
                group.append((feed, outcome, parsed))
                if len(group) == SAVE_TOGETHER:
                    save_group()
                continue
            save_group()
            save(feed, outcome, parsed)
        save_group()

    # Parses the fetch threads sent to the workers as each body arrived (`parse_early`).
    early: dict[int, Future[ParsedDocument]] = {}

    def to_parse(feed: Feed, outcome: Response | FetchError) -> Response | None:
        if (
            isinstance(outcome, Response)
            and not outcome.not_modified
            and not same_body(feed, cfg, outcome)
        ):
            return outcome
        return None

    def to_prepare(feed: Feed) -> bool:
        """Whether the parse worker also prepares the feed's entries for the analysis: a feed
        never parsed before, whose entries will all be new (see PREPARE_WHILE_PARSING)."""
        return analyse and PREPARE_WHILE_PARSING and not feed.body_hash

    def parse_early(feed_id: int, outcome: Response | FetchError) -> None:
        """In a fetch thread, once the workers are up: the body goes to a parse worker now,
        not when this thread gets to it. This thread analyses a batch between two saves (and
        may wait there for the analysis's worker); the parse workers sat idle meanwhile, with
        fetched bodies queued for them (see PARSE_WHILE_ANALYSING)."""
        feed = by_id[feed_id]
        response = to_parse(feed, outcome)
        if response is not None:
            tz = _zone(feed, cfg, None)
            future = pool.submit_if_started(
                response.body, response.url, response.content_type, tz, prepare=to_prepare(feed)
            )
            if future is not None:
                early[feed_id] = future

    skipped = len(report.results)
    try:
        try:
            jobs = [(f.id, f.url, Validators(f.etag, f.last_modified)) for f in feeds]
            for arrived in fetcher.fetch_batches(
                jobs, parse_early if PARSE_WHILE_ANALYSING else None, stop
            ):
                # Every outcome that finished while this thread was busy, at once: the parsed
                # ones are saved together (see SAVE_TOGETHER).
                for feed_id, outcome in arrived:
                    feed = by_id[feed_id]
                    future = early.pop(feed_id, None)
                    response = to_parse(feed, outcome)
                    if response is not None and future is None:
                        tz = _zone(feed, cfg, None)
                        future = pool.submit(
                            response.body,
                            response.url,
                            response.content_type,
                            tz,
                            prepare=to_prepare(feed),
                        )
                    if response is not None and future is not None:
                        waiting.append((feed, response, future))
                    else:
                        save(feed, outcome, None)
                ready = []
                while waiting and (waiting[0][2].done() or len(waiting) > limit):
                    ready.append(waiting.popleft())
                save_parsed(ready)
            save_parsed(list(waiting))
            waiting.clear()
        finally:
            record_later(store, unchanged)
            pool.close()
            if own:
                fetcher.close()
        if analyse and (report.new or report.updated) and not (stop and stop.is_set()):
            # The rest (a partial batch, or all of a small refresh): the cache is analysed
            # when refresh returns.
            left = report.new + report.updated if analysis is None else max(unanalysed, 0)
            if progress and left:
                progress(Progress(len(report.results) - skipped, total, analysing=left))
            try:
                if analysis is None:
                    problem = run_analysis(store)
                    if problem:
                        report.warnings.append(problem)
                else:
                    analysis.finish()
            except Exception as exc:  # analysis catches up next time
                report.warnings.append(analysis_failed(exc, "entries", store))
    finally:
        if analysis is not None:
            analysis.close()
    report.elapsed = time.monotonic() - started
    return report


# Fetched bodies go to the parse workers from the fetch threads, as they arrive. From this
# thread they went only between its saves, so while it analysed a batch (~1 s, part of it
# waiting for the analysis's worker) the parse workers had only the few documents already
# sent; the fetch's window (`Fetcher.fetch_many`) still bounds what waits in memory.
PARSE_WHILE_ANALYSING = True

# A parse worker also prepares the entries of a feed never parsed before for the analysis
# (fingerprints, names, term weights: `prepare_pool.prepare`, a pure function of each text),
# as it parses them. The analysis's own worker got entries only once they were stored, and
# one process could not keep up: in the feeds benchmark's fetch the refresh thread waited for
# it ~22% of its wall time (py-spy --idle), while the parse workers sat idle between feeds.
# Now the parse workers (one per core) prepare as fast as bodies arrive, and the analysis's
# worker takes only the entries of feeds seen before and those parsed in this process.
PREPARE_WHILE_PARSING = True

# The analysis's worker is asked for (the run's `Analysis` made, by a hand-over or a step)
# once half a batch is stored, but not while the parse workers are still starting, unless a
# whole batch is stored by then (a step: STEP_DEFERRED_UP_TO batches). Its first task waited
# for the forkserver the parse workers' start had begun, in this thread: in `wirereader fetch`
# of the feeds benchmark's 40k corpus 1.1-1.8 s blocked there, from ~3.5 s into the run to just
# before the parse workers were up (`bench/fetch_timeline.py`, load 12), while fetched feeds
# waited to be parsed here. The same entries are handed over and analysed, later.
HAND_OVER_ONCE_WORKERS_ARE_UP = True

# A step whose first batch the analysis's worker is still preparing waits until this many
# batches are pending: until then the refresh saves the next feeds instead of waiting (the
# same batches are analysed, in the same order, only later; threads follow the stored items
# by at most this many batches). In the feeds benchmark's fetch the refresh thread waited for
# the worker ~24% of its wall time while parsed feeds queued behind it.
STEP_DEFERRED_UP_TO = 3

# Feeds whose documents are parsed and waiting at the same moment are saved in one transaction
# of up to this many (each still all or nothing: a kill loses none or all of a group, which is
# only reported once committed). A transaction per feed rewrote the pages feeds share (the
# tails of the entries' tables and indexes, the full-text index's new segment and its merges)
# at each commit: saving the 40k feeds corpus (200 feeds) wrote 221 MB to the WAL one feed a
# transaction, 135 MB five at a time and 113 MB ten at a time (`PRAGMA wal_autocheckpoint = 0`
# and the WAL's size after, feeds parsed beforehand); the refresh's writing thread spent ~7% of
# its time writing WAL frames, checkpointing them and syncing.
SAVE_TOGETHER = 8


def _saved_offline(document: ParsedDocument) -> bool:
    """Whether saving this parsed feed fetches nothing more (no live-blog page to read): only
    such feeds share a transaction, which must never wait on the network."""
    return not any(
        entry.live_blog and entry.url and document.format != LIVEBLOG_FORMAT
        for entry in document.entries
    )


def _not_saved(feed: Feed, exc: sqlite3.OperationalError) -> FeedResult:
    error = f"{feed.url}: cannot save to the cache ({one_line(exc)})"
    result = FeedResult(feed.id, feed.name, feed.url, "failed", error=error)
    result.cache_full = _is_full(exc)
    result.cache_read_only = _is_read_only(exc)
    return result


def _is_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL"


def _is_read_only(exc: sqlite3.Error) -> bool:
    return str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY")


# -- one feed -----------------------------------------------------------------------------------


def process_feed(
    store: Store,
    cfg: Config,
    fetcher: Fetcher,
    feed: Feed,
    outcome: Response | FetchError,
    *,
    parsed: ParsedDocument | Exception | None = None,
    unchanged: list[_Unchanged] | None = None,
    recheck_pages: bool = True,
    stop: threading.Event | None = None,
) -> FeedResult:
    """Parse (unless `parsed` holds the document or why it failed) and save one fetched feed,
    or record why it failed. With `unchanged`, a 304's state is left there for the caller to
    write with others' (`record_later`). `recheck_pages` False: the caller knows the feed has
    no followed page to re-check when it is unchanged. Once `stop` is set, fetching the feed's
    live-blog pages ends at once and `Stopped` is raised, nothing of the feed saved."""
    result = FeedResult(feed.id, feed.name, feed.url, "failed")
    interval = feed.interval or cfg.interval
    if isinstance(outcome, FetchError):
        return _failed(
            store, feed, result, str(outcome), interval, outcome.status, outcome.retry_after
        )
    if outcome.not_modified:
        result.status = "not-modified"
        if unchanged is not None and not outcome.permanent_url:
            unchanged.append(_Unchanged(feed, outcome, result, interval, int(time.time())))
        else:
            _nothing_new(store, feed, outcome, result, interval, status=304)
        if not recheck_pages:
            return result
        return _recheck_pages(store, fetcher, feed, _zone(feed, cfg, result), result, stop)
    if parsed is None and same_body(feed, cfg, outcome):
        # The very bytes we parsed and saved last time: nothing can have changed.
        _nothing_new(store, feed, outcome, result, interval, status=200)
        result.status = "unchanged"
        if not recheck_pages:
            return result
        return _recheck_pages(store, fetcher, feed, _zone(feed, cfg, result), result, stop)
    tz = _zone(feed, cfg, result)
    try:
        if isinstance(parsed, Exception):
            raise parsed
        document = parsed or parse_document(
            outcome.body, url=outcome.url, content_type=outcome.content_type, tz=tz
        )
    except (ParseFailure, WorkerDied) as exc:
        return _failed(store, feed, result, f"{outcome.url}: {exc}", interval, 200, None)
    if document.truncated and not document.entries:
        # Cut off before its first item: nothing was read, which is a failure, not a success
        # with a warning that `fetch` counted as a healthy feed.
        error = f"{outcome.url}: the document ends before its first complete item (cut off?)"
        return _failed(store, feed, result, error, interval, 200, None)
    # The URL as a failure names it: "bad: the document ends before its closing tag" left
    # the user to look the feed up, and a feed named by its OPML text says nothing of where.
    result.warnings += [f"{feed.name}: {outcome.url}: {w}" for w in document.warnings]
    # A cut-off body's validators are not kept: with them the next refresh would be a 304 (or
    # the same body skipped by its hash) and the items after the cut never read, until the
    # feed changed. Without them the next refresh reads the whole document again.
    whole = not document.truncated
    plain: list[RawEntry] = []
    containers: list[RawEntry] = []
    for entry in document.entries:
        is_container = entry.live_blog and entry.url and document.format != LIVEBLOG_FORMAT
        (containers if is_container else plain).append(entry)
    pages = _read_live_blog_pages(store, fetcher, feed, containers, tz, result, stop)
    plain += [page.container for page in pages if page.fallback and page.container is not None]
    saved = SaveResult()
    # A live blog kept as one item because its page failed: parse this body again next time.
    body_hash = (
        body_digest(feed, cfg, outcome)
        if whole and not any(page.fallback for page in pages)
        else ""
    )
    with store.transaction(), prepacked(document.packed_bodies):
        _follow_move(store, feed, outcome, result)
        adopt_title(store, feed, document.title, document.url)
        saved.merge(
            store.save_entries(feed.source_id, plain, keep_texts=True, hashes=document.text_hashes)
        )
        for page in pages:
            saved.merge(_save_page(store, feed, page))
        _mark_in_feed(store, feed, {item.stable_id for item in containers})
        record_success(
            store,
            feed,
            status=200,
            interval=interval,
            etag=outcome.etag if whole else "",
            last_modified=outcome.last_modified if whole else "",
            new=len(saved.new),
            format=document.format,
            body_hash=body_hash,
            # Kept: a later 304 or the same bytes parse nothing, and `feeds` still says why.
            problem="" if document.entries else "; ".join(document.warnings),
        )
    if result.name != feed.name:  # named after its title just now: say so in the messages
        prefix = f"{result.name}: "
        result.warnings = [
            f"{feed.name}: {w.removeprefix(prefix)}" if w.startswith(prefix) else w
            for w in result.warnings
        ]
        result.name = feed.name
    result.new, result.updated, result.texts = saved.new, saved.updated, saved.texts
    if document.prepared is not None and saved.texts:
        from wirereader.analysis.prepare_pool import Prepared, prepared_as_saved

        if isinstance(document.prepared, Prepared):
            texts = [(e.title, e.body, e.author) for e in document.entries]
            result.prepared = prepared_as_saved(document.prepared, texts, saved.texts)
    result.pages = sum(1 for page in pages if page.document is not None)
    result.status = "updated" if saved.new or saved.updated else "unchanged"
    return result


def _recheck_pages(
    store: Store,
    fetcher: Fetcher,
    feed: Feed,
    tz: tzinfo | None,
    result: FeedResult,
    stop: threading.Event | None = None,
) -> FeedResult:
    """The feed is unchanged, but a live blog it links to may not be: a conditional GET of each
    followed page whose item is still in the feed (a 304 costs one round trip)."""
    pages = _read_live_blog_pages(store, fetcher, feed, None, tz, result, stop)
    if not any(page.response is not None for page in pages):
        return result
    saved = SaveResult()
    with store.transaction():
        for page in pages:
            saved.merge(_save_page(store, feed, page))
    result.new, result.updated, result.texts = saved.new, saved.updated, saved.texts
    result.pages = sum(1 for page in pages if page.document is not None)
    if saved.new or saved.updated:
        result.status = "updated"
    return result


def _mark_in_feed(store: Store, feed: Feed, item_ids: set[str]) -> None:
    """Pages whose item left the feed are no longer re-read while the feed stays unchanged."""
    mark_in_feed(store, feed.id, item_ids)


def body_digest(feed: Feed, cfg: Config, outcome: Response) -> str:
    """Identity of what parsing this body would give: the bytes, the zone naive times are
    read in, and the parser's version."""
    key = f"{outcome.digest()}\0{feed.timezone or cfg.timezone}\0{__version__}"
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def same_body(feed: Feed, cfg: Config, outcome: Response) -> bool:
    return bool(feed.body_hash) and feed.body_hash == body_digest(feed, cfg, outcome)


def _failed(
    store: Store,
    feed: Feed,
    result: FeedResult,
    error: str,
    interval: int,
    status: int | None,
    retry_after: float | None,
) -> FeedResult:
    result.error = error
    result.next_attempt = record_failure(
        store, feed, error, interval=interval, status=status, retry_after=retry_after
    )
    return result


def _nothing_new(
    store: Store, feed: Feed, outcome: Response, result: FeedResult, interval: int, *, status: int
) -> None:
    """A fetch that brought nothing new: the feed is healthy, its state recorded."""
    now = int(time.time())
    with store.transaction() as conn:
        _follow_move(store, feed, outcome, result)
        if status == 200:  # the same bytes again: every entry was seen again (a 304 says less)
            mark_seen(conn, feed.source_id, now)
        record_success(
            store,
            feed,
            status=status,
            interval=interval,
            etag=outcome.etag,
            last_modified=outcome.last_modified,
        )


# 304s whose state is written in one transaction: a write transaction per feed (BEGIN
# IMMEDIATE, one UPDATE, COMMIT) was ~0.2 ms, 40 of the 64 ms of CPU an all-304 refresh of 200
# feeds took (`python bench/feeds_bench.py`). A 304 changes nothing but the feed's schedule and
# validators, so a run killed before they are written only fetches those feeds again next time.
RECORD_TOGETHER = 256


@dataclass
class _Unchanged:
    feed: Feed
    outcome: Response
    result: FeedResult
    interval: int
    now: int


def record_later(store: Store, unchanged: list[_Unchanged]) -> None:
    """Write the state of the 304s waiting in `unchanged` (emptied), in one transaction."""
    if not unchanged:
        return
    batch = unchanged[:]
    unchanged.clear()
    try:
        with store.transaction():
            for one in batch:
                record_success(
                    store,
                    one.feed,
                    status=304,
                    interval=one.interval,
                    etag=one.outcome.etag,
                    last_modified=one.outcome.last_modified,
                    now=one.now,
                )
    except sqlite3.OperationalError as exc:  # locked or full: these feeds wait for next time
        for one in batch:
            one.result.status = "failed"
            one.result.error = f"{one.feed.url}: cannot save to the cache ({one_line(exc)})"
            one.result.cache_full = _is_full(exc)
            one.result.cache_read_only = _is_read_only(exc)


def _follow_move(store: Store, feed: Feed, outcome: Response, result: FeedResult) -> None:
    if outcome.permanent_url and move(store, feed, outcome.permanent_url):
        result.moved_to = feed.url
        result.warnings.append(f"{feed.name}: moved permanently to {feed.url}")


def _zone(feed: Feed, cfg: Config, result: FeedResult | None) -> tzinfo | None:
    name = feed.timezone or cfg.timezone
    if not name:
        return None
    try:
        return resolve_zone(name)
    except ZoneError as exc:
        if result is not None:
            result.warnings.append(f"{feed.name}: {exc}")
        return None


# -- live blogs inside feeds -------------------------------------------------------------------


@dataclass
class _Page:
    item_id: str  # the feed item's stable id
    item_hash: str  # its content hash when the page was read
    container: RawEntry | None  # the feed item; None when re-checking an unchanged feed
    url: str  # the page as the feed links it: the key of its source
    row_id: int | None  # liveblog_pages.id, when known
    source_id: int | None
    response: Response | None = None
    document: ParsedDocument | None = None
    fallback: bool = False  # save the container as an ordinary entry
    recheck: bool = False  # read before, item unchanged: a failure now loses nothing


LOCAL_PAGE = "a local file, named by a feed from the web"


def _read_live_blog_pages(
    store: Store,
    fetcher: Fetcher,
    feed: Feed,
    containers: list[RawEntry] | None,
    tz: tzinfo | None,
    result: FeedResult,
    stop: threading.Event | None = None,
) -> list[_Page]:
    """Fetch and parse the pages of the feed's live-blog items (network only): new or changed
    items' pages, and with a conditional GET the pages already read whose item is unchanged
    (a live blog gains updates while its feed item stays the same). `containers` None: the
    feed itself was unchanged, so its followed pages as the last parse left them."""
    if containers is not None and not containers:
        return []
    known = known_pages(store, feed.id)
    pages: dict[str, _Page] = {}
    jobs: list[tuple[str, str, Validators | None]] = []
    if containers is None:
        for followed in known.values():
            if followed["in_feed"] and followed["source_id"] is not None and followed["item_hash"]:
                page = _Page(
                    followed["item_id"], followed["item_hash"], None, followed["url"],
                    followed["id"], followed["source_id"], recheck=True,
                )  # fmt: skip
                pages[followed["item_id"]] = page
                jobs.append(
                    (
                        followed["item_id"],
                        followed["url"],
                        Validators(followed["etag"], followed["last_modified"]),
                    )
                )
    for item in containers or []:
        if item.stable_id in pages:
            continue
        row = known.get(item.stable_id)
        unchanged = row is not None and row["item_hash"] == item.content_hash()
        validators = None
        if row is not None and row["source_id"] is not None and row["url"] == item.url:
            validators = Validators(row["etag"], row["last_modified"])
        elif unchanged:
            continue  # read before without a page of its own to re-read
        pages[item.stable_id] = _Page(
            item.stable_id,
            item.content_hash(),
            item,
            item.url,
            row["id"] if row else None,
            row["source_id"] if row else None,
            recheck=unchanged,
        )
        jobs.append((item.stable_id, item.url, validators))
    failed: dict[tuple[bool, str], list[str]] = {}  # (read before, cause): page URLs
    unread: dict[tuple[bool, str], list[str]] = {}
    if is_remote(feed.url):
        # A feed from the web names no file of this machine: an item linking
        # 'file:///home/...' with a live blog's title had the file read and imported as its
        # page (a redirect to a file, and an OPML list's, are refused the same way).
        for key, url, _ in jobs:
            if not is_remote(url):
                page = pages[key]
                page.fallback = not page.recheck
                failed.setdefault((page.recheck, LOCAL_PAGE), []).append(url)
        jobs = [job for job in jobs if is_remote(job[1])]
    for key, outcome in _page_outcomes(fetcher, jobs, stop):
        page = pages[key]
        if isinstance(outcome, FetchError):
            # its updates so far are saved when rechecked: try again next refresh
            page.fallback = not page.recheck
            failed.setdefault((page.recheck, outcome.message), []).append(outcome.url)
            continue
        page.response = outcome
        if outcome.not_modified:
            continue
        problem = ""
        try:
            page.document = parse_document(
                outcome.body, url=outcome.url, content_type=outcome.content_type, tz=tz
            )
        except ParseFailure as exc:
            problem = str(exc)
        else:
            if page.document.format != LIVEBLOG_FORMAT or not page.document.entries:
                page.document = None
                problem = "no live-blog updates on the page"
        if not problem:
            continue
        if page.recheck:
            # keep the old validators, so the next refresh reads the page again
            page.response = None
        else:
            page.fallback = True
        unread.setdefault((page.recheck, problem), []).append(outcome.url)
    result.warnings += _page_warnings(feed.name, failed, unread)
    return list(pages.values())


def _page_warnings(
    name: str,
    failed: dict[tuple[bool, str], list[str]],
    unread: dict[tuple[bool, str], list[str]],
) -> list[str]:
    """One warning per cause: offline, a feed of 20 live blogs gave 20 lines of the same
    "host not found" on `add`; now one line names how many and one page as an example.
    `failed` are pages not fetched, `unread` pages fetched but not read, each keyed by
    (read before, the cause) and listing the pages' URLs."""
    lines = []
    # The example is the first page by address, not the first to fail: pages are fetched
    # side by side, and the line changed from one run to the next.
    failed = {key: sorted(urls) for key, urls in failed.items()}
    unread = {key: sorted(urls) for key, urls in unread.items()}
    for (recheck, cause), urls in failed.items():
        if len(urls) > 1:
            what = "not re-read" if recheck else "kept as one item each, their pages failed"
            lines.append(
                f"{name}: {len(urls)} live blogs {what}: {redact(cause)} (e.g. {redact(urls[0])})"
            )
        else:
            what = "not re-read" if recheck else "kept as one item, its page failed"
            lines.append(f"{name}: live blog {what}: {redact(f'{urls[0]}: {cause}')}")
    for (recheck, cause), urls in unread.items():
        # A cause is a parser's message, and a parser's unexpected exception is written out
        # whole (dispatch._describe): it may quote a URL, so it is redacted as a fetch error is.
        what = "not re-read" if recheck else "kept as one item"
        lines.append(
            f"{name}: {len(urls)} live blogs {what} ({redact(cause)}; e.g. {redact(urls[0])})"
            if len(urls) > 1
            else f"{name}: live blog {what} ({redact(f'{urls[0]}: {cause}')})"
        )
    return lines


class Stopped(Exception):
    """The refresh's stop event was set while a feed's live-blog pages were being fetched."""


def _page_outcomes(
    fetcher: Fetcher, jobs: list[tuple[str, str, Validators | None]], stop: threading.Event | None
) -> Iterator[tuple[str, Response | FetchError]]:
    """Each page's outcome as it finishes; `Stopped` once `stop` is set before all are in.

    The feeds' own fetch stopped waiting when the reader closed, but a feed being saved kept
    waiting for its live-blog pages: behind a page that never answered, the closed reader
    stayed a process for 60 s (three attempts of the 20 s read timeout)."""
    left = len(jobs)
    for batch in fetcher.fetch_batches(jobs, None, stop):
        left -= len(batch)
        yield from batch
    if left and stop is not None and stop.is_set():
        raise Stopped


def _save_page(store: Store, feed: Feed, page: _Page) -> SaveResult:
    """Inside the feed's transaction: the page's updates, and what we know of the page."""
    saved = SaveResult()
    if page.response is None:
        return saved  # the page failed: the container is saved as an ordinary entry
    source_id = page.source_id
    if page.document is not None:
        title = page.document.title or (page.container.title if page.container else "")
        if source_id is None:
            # Keyed like a subscription, so a page also followed directly shares its source.
            try:
                key = normalise_url(page.url)
            except SubscriptionError:
                key = page.url
            source_id = store.ensure_source(key, "page", name=feed.name, title=title, url=page.url)
        saved = store.save_entries(source_id, page.document.entries, keep_texts=True)
    item_hash = "" if page.fallback else page.item_hash
    now = int(time.time())
    record_page(
        store,
        feed_id=feed.id,
        item_id=page.item_id,
        url=page.url,
        source_id=source_id,
        item_hash=item_hash,
        etag=page.response.etag,
        last_modified=page.response.last_modified,
        fetched_at=now,
    )
    return saved

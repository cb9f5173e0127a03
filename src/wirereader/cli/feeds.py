"""Subscription commands: `add`, `feeds`, `fetch`, `remove`, and OPML in and out.

wirereader add URL [--name NAME] [--interval 15m]   a feed, a page linking to one, a live
                                                    blog page, a file, or an OPML list
wirereader add --opml FILE|URL                      every feed of an OPML list
wirereader feeds [--json] [--all]                   subscriptions with their status
wirereader fetch [NAME...] [--force] [--json]       refresh, with progress on a terminal
wirereader remove NAME|URL...                       stop fetching; entries stay
wirereader export --format opml                     (in library.py) the subscriptions
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

from wirereader.cli.alerting import alert_new_items
from wirereader.cli.common import (
    UsageError,
    UserError,
    db_path,
    load_args_config,
    nonempty_arg,
    open_store,
    print_json,
    redacting,
    table_console,
    to_terminal,
    warn,
)
from wirereader.core.config import MAX_DURATION_DAYS, Config, parse_duration
from wirereader.ingest.analyse import run_analysis
from wirereader.ingest.refresh import (
    FeedResult,
    RefreshReport,
    problem_lines,
    process_feed,
    refresh,
)
from wirereader.ingest.refresh import Progress as RefreshProgress
from wirereader.query.alerts import newest_entry_id
from wirereader.sources.dispatch import (
    IMPORT_HINT,
    ParseFailure,
    decode_html,
    import_only,
    looks_like_html_page,
    parse_document,
)
from wirereader.sources.fetch import Fetcher, FetchError, FetchSettings, Response, is_remote
from wirereader.store.db import Store
from wirereader.store.subscriptions import (
    Feed,
    SubscriptionError,
    entry_counts,
    feed_by_url,
    find_feeds,
    get_feed,
    iso_time,
    list_feeds,
    normalise_url,
    remove,
    subscribe,
)

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
    "application/xml",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "add",
        help="subscribe to a feed (or a page that links to one, a live blog, an OPML list)",
        description="Subscribe to a feed URL or file. An HTML page is searched for its "
        '<link rel="alternate"> feed; a live-blog page without one is followed itself; an OPML '
        "list (or --opml) subscribes to every feed in it. The feed is fetched at once unless "
        "--no-fetch.",
    )
    p.add_argument(
        "url",
        metavar="URL",
        type=nonempty_arg,
        help="feed, page, live blog, file path or OPML list",
    )
    p.add_argument("--name", help="short name (default: the feed's title)")
    p.add_argument("--interval", metavar="DURATION", help="refresh interval, e.g. 5m, 2h")
    p.add_argument("--opml", action="store_true", help="URL is an OPML subscription list")
    p.add_argument(
        "--no-fetch",
        action="store_true",
        help="subscribe to URL as given, without fetching it (no discovery); fetch later",
    )
    p.add_argument("--json", action="store_true", help="print the subscribed feeds as JSON")
    p.set_defaults(func=redacting(cmd_add))

    p = sub.add_parser("feeds", help="list subscriptions with last success, error, next attempt")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--all", action="store_true", help="include removed feeds")
    p.add_argument(
        "--names", action="store_true", help="only the names, one a line (scripts, completion)"
    )
    p.set_defaults(func=redacting(cmd_feeds))

    p = sub.add_parser(
        "fetch",
        help="refresh subscriptions (all, or the named ones)",
        description="Fetch every subscribed feed (or those named: name, URL or part of a name) "
        "and save what is new. Exit status 1 when any feed failed.",
    )
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--force", action="store_true", help="also feeds whose server asked us to wait")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--articles", action="store_true", help="then fetch the full text of teaser items"
    )
    p.set_defaults(func=redacting(cmd_fetch))

    p = sub.add_parser("remove", help="unsubscribe (the cached entries stay)")
    p.add_argument("names", nargs="+", metavar="NAME|URL")
    p.add_argument("--json", action="store_true", help="print the removed feeds as JSON")
    p.set_defaults(func=redacting(cmd_remove))


# -- add ----------------------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    interval = None
    if args.interval:
        interval = parse_duration(args.interval)
        if interval is None:
            raise UsageError(
                f"--interval {args.interval!r}: expected a duration such as 15m"
                f" (at most {MAX_DURATION_DAYS}d)"
            )
    with open_store(args, cfg) as store, Fetcher(FetchSettings.from_config(cfg)) as fetcher:
        if args.no_fetch and not args.opml and not _local_opml(args.url):
            return _subscribe_only(store, args.url, args.name or "", interval, args.json)
        response = _fetch(fetcher, args.url)
        if args.opml or _is_opml(response.body):
            return _import_opml(
                store, cfg, fetcher, response, fetch=not args.no_fetch, as_json=args.json
            )
        feed_url, response = _find_feed(fetcher, args.url, response)
        kind = import_only(response.body)
        if kind and not _reads_as_feed(response):  # not subscribed: every fetch would fail
            raise UserError(f"{args.url}: {kind}, not a feed: not subscribed; {IMPORT_HINT}")
        old_name = _subscribed_name(store, feed_url)
        try:
            feed, created = subscribe(store, feed_url, name=args.name or "", interval=interval)
        except SubscriptionError as exc:
            raise UserError(str(exc)) from None
        if not created:
            if args.json:
                print_json([added_json(feed, created=False, entries=entry_counts(store))])
            else:
                print(_already(feed, old_name))
            return 0
        result = process_feed(store, cfg, fetcher, feed, response)
        if result.new or result.updated:
            # As `fetch` and `import` do: the reader shows reposts folded, threads and
            # entities for what `add` stored, not only after some later command.
            problem = run_analysis(store)
            if problem:
                result.warnings.append(problem)
        if args.json:
            fresh = get_feed(store, feed.id)
            print_json(
                [added_json(fresh, created=True, result=result, entries=entry_counts(store))]
            )
        else:
            _after_add(store, result)
        return 1 if result.failed else 0


def added_json(
    feed: Feed,
    *,
    created: bool,
    result: FeedResult | None = None,
    entries: dict[int, int] | None = None,
) -> dict[str, object]:
    """One feed of `add --json`: the subscription as `feeds --json` shows it, whether `add` made
    it, and what its first fetch brought (when there was one). `entries`: entry_counts."""
    return {
        **feed.to_json(None if entries is None else entries.get(feed.id, 0)),
        "created": created,
        "new": len(result.new) if result else 0,
        "updated": len(result.updated) if result else 0,
        "pages": result.pages if result else 0,
        "error": (result.error or None) if result else None,
        "warnings": list(result.warnings) if result else [],
    }


def _subscribe_only(
    store: Store, url: str, name: str, interval: int | None, as_json: bool = False
) -> int:
    """`add --no-fetch`: the URL as given, unchecked (the server may be down right now)."""
    old_name = _subscribed_name(store, url)
    try:
        feed, created = subscribe(store, url, name=name, interval=interval)
    except SubscriptionError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        print_json([added_json(feed, created=created)])
    else:
        print(f"added {feed.name} ({feed.url})" if created else _already(feed, old_name))
    return 0


def _reads_as_feed(response: Response) -> bool:
    try:
        parse_document(response.body, url=response.url, content_type=response.content_type)
    except ParseFailure:
        return False
    return True


def _subscribed_name(store: Store, url: str) -> str:
    """The name a subscription to `url` has now ('' if there is none)."""
    try:
        feed = feed_by_url(store, normalise_url(url))
    except SubscriptionError:
        return ""
    return feed.name if feed is not None and feed.removed_at is None else ""


def _already(feed: Feed, old_name: str) -> str:
    """`add` of a feed already subscribed to: `--name` renames it, which is said (it printed
    only the new name, and the user looked for the feed under the old one)."""
    renamed = f", renamed from {old_name}" if old_name and old_name != feed.name else ""
    return f"already subscribed: {feed.name} ({feed.url}){renamed}"


def _fetch(fetcher: Fetcher, url: str) -> Response:
    try:
        return fetcher.fetch(url)
    except FetchError as exc:
        address = web_address(url)
        hint = f"; for a web address, write {address}" if address else ""
        raise UserError(f"{exc}{hint}") from None


# A host name (two labels or more, or localhost), a port maybe, then a path: `add
# feeds.bbci.co.uk/news/rss.xml`, copied from a page without its scheme, was "no such file".
_WEB_ADDRESS = re.compile(r"^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)(:\d{1,5})?(/\S*)?$", re.I)
_LITERAL_HOST = re.compile(r"^(localhost|[\d.]+)(:|/|$)", re.I)


def web_address(url: str) -> str | None:
    """What `url`, a missing file, would be as a web address (`host/path` with http:// or
    https:// before it), or None when it does not look like one. A host written alone is
    taken for a file name (`feed.xml`) unless it starts with www.; localhost and an IP address
    get http://."""
    shape = _WEB_ADDRESS.match(url)
    if not shape or os.path.exists(os.path.expanduser(url)):
        return None
    if not shape[4] and not url.lower().startswith("www."):
        return None
    return ("http://" if _LITERAL_HOST.match(url) else "https://") + url


def _local_opml(url: str) -> bool:
    """Whether `url` is a file here holding an OPML list: `add --no-fetch subs.opml` subscribed
    to the list itself as if it were a feed (reading a local file fetches nothing)."""
    path = Path(url).expanduser()
    try:
        with path.open("rb") as f:
            return _is_opml(f.read(2048))
    except OSError:  # not a file here (a web address), or unreadable: left to the fetch
        return False


def _is_opml(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return b"<opml" in head


def _find_feed(fetcher: Fetcher, url: str, response: Response) -> tuple[str, Response]:
    """(URL to subscribe to, its response): the URL itself, or the feed its page links to."""
    if not looks_like_html_page(response.body, response.content_type):
        return url, response
    links = discover_feeds(decode_html(response.body, response.content_type), response.url)
    if links:
        try:
            return links[0], fetcher.fetch(links[0])
        except FetchError as exc:
            # ("missing.xml: HTTP 404" alone named a URL the user never typed)
            raise UserError(f"{exc} (the feed {url} links to)") from None
    try:
        parse_document(response.body, url=response.url, content_type=response.content_type)
    except ParseFailure:
        raise UserError(
            f"{url}: no feed found: the page links to no RSS, Atom or JSON feed "
            '(<link rel="alternate">) and carries no live blog'
        ) from None
    return url, response  # a live-blog page: follow the page itself


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Feed URLs a page announces with <link rel="alternate" type="...">, in page order."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html[:2_000_000])
    except (ValueError, TypeError, Exception):  # lxml raises its own types for junk
        return []
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base_url, href)
            if absolute.startswith(("http://", "https://")) and absolute not in found:
                found.append(absolute)
    return found


def _after_add(store: Store, result: FeedResult) -> None:
    for message in result.warnings:
        warn(message)
    if result.failed:
        warn(f"added {result.name}, but the first fetch failed: {result.error}")
        return
    total = len(result.new) + len(result.updated)
    pages = f" (from {result.pages} live-blog page{'s' * (result.pages != 1)})" * bool(result.pages)
    print(f"added {result.name} ({result.url}): {total} entr{'y' if total == 1 else 'ies'}{pages}")


def _import_opml(
    store: Store,
    cfg: Config,
    fetcher: Fetcher,
    response: Response,
    *,
    fetch: bool,
    as_json: bool = False,
) -> int:
    from wirereader.sources.opml import OpmlError, parse_opml

    try:
        outlines = parse_opml(response.body)
    except OpmlError as exc:
        raise UserError(f"{response.url}: {exc}") from None
    if not outlines:
        raise UserError(f"{response.url}: no feeds in this OPML list")
    added, problems = [], 0
    listed: list[tuple[Feed, bool]] = []
    from_the_web = is_remote(response.url)
    for outline in outlines:
        if from_the_web and not is_remote(outline.url):
            # A list from a server names no file of this machine ('file:///etc/passwd' was
            # subscribed to, then read at each fetch), as a redirect to one is refused.
            warn(f"skipped: {outline.url}: a local file, named by a list from the web")
            problems += 1
            continue
        try:
            feed, created = subscribe(
                store,
                outline.url,
                name=outline.title,
                home_url=outline.html_url,
                title=outline.title,
                category=outline.category,
            )
        except SubscriptionError as exc:
            warn(f"skipped: {exc}")
            problems += 1
            continue
        listed.append((feed, created))
        if created:
            added.append(feed.name)
    if as_json:
        results: dict[str, FeedResult] = {}
        if fetch and added:
            report = refresh(store, cfg, added, force=False, fetcher=fetcher)
            results = {r.name: r for r in report.results}
        rows = []
        counts = entry_counts(store)
        for feed, created in listed:
            fresh = get_feed(store, feed.id)
            result = results.get(fresh.name) or results.get(feed.name)
            rows.append(added_json(fresh, created=created, result=result, entries=counts))
        print_json(rows)
        failed = problems or any(r.failed for r in results.values())
        return 1 if failed else 0
    print(
        f"{response.url}: {len(added)} feeds added, {len(outlines) - len(added) - problems} "
        f"already subscribed" + (f", {problems} skipped" if problems else "")
    )
    if fetch and added:
        report = _run_refresh(store, cfg, added, as_json=False, force=False, fetcher=fetcher)
        return 1 if report.failures else 0
    return 1 if problems else 0


# -- feeds --------------------------------------------------------------------------------------


def cmd_feeds(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    if args.names and not db_path(args, cfg).exists():
        return 0  # completion asks at every tab: no cache is no feeds, and none is made
    with open_store(args, cfg, reads_only=True) as store:
        from wirereader.store.subscriptions import sync_config

        # (a cache on a read-only file system is listed as it was last written)
        for problem in [] if store.read_only else sync_config(store, cfg):
            warn(problem)
        feeds = list_feeds(store, include_removed=args.all)
        counts = entry_counts(store)
    if args.names:
        sys.stdout.write("".join(f"{feed.name}\n" for feed in feeds))
        return 0
    if args.json:
        print_json(
            [
                {**feed.to_json(counts.get(feed.id, 0)), "entries": counts.get(feed.id, 0)}
                for feed in feeds
            ]
        )
        return 0
    if not feeds:
        print("no subscriptions; add one with 'wirereader add URL'", file=sys.stderr)
        return 0
    _print_feeds(feeds, counts)
    return 0


def _ago(epoch: int | None, now: int) -> str:
    if epoch is None:
        return "never"
    seconds = now - epoch
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        text = f"{seconds} s"
    elif seconds < 3600:
        text = f"{seconds // 60} min"
    elif seconds < 86400:
        text = f"{seconds // 3600} h"
    else:
        text = f"{seconds // 86400} d"
    return f"in {text}" if future else f"{text} ago"


HEADS = ("name", "status", "entries", "last success", "next")


def _print_feeds(feeds: list[Feed], counts: dict[int, int]) -> None:
    from rich.table import Table  # (see cli.common on Rich)
    from rich.text import Text

    now = int(time.time())
    styles = {
        "ok": "green",
        "failing": "red",
        "waiting": "yellow",
        "new": "blue",
        "empty": "yellow",
        "removed": "dim",
    }
    rows = []
    for feed in feeds:
        status = feed.status(now, counts.get(feed.id, 0))
        shown = status if not feed.failures else f"failing ×{feed.failures}"
        detail, detail_style = (feed.last_error, "red") if feed.failures else (feed.url, "dim")
        if feed.problem and not feed.failures:  # why its last body gave no item, in yellow
            detail, detail_style = f"{feed.url}: {feed.problem}", "yellow"
        rows.append(
            [
                Text(feed.name),
                Text(shown, style=styles.get(status, "")),
                Text(str(counts.get(feed.id, 0))),
                Text(_ago(feed.last_success, now)),
                # A next attempt already past is due at the next fetch ("9 s ago" read as if
                # it had happened).
                Text(
                    "—"
                    if feed.removed_at
                    else _ago(feed.next_attempt, now)
                    if feed.next_attempt and feed.next_attempt > now
                    else "now"
                ),
                Text(detail, style=detail_style),
            ]
        )
    # Every column but the last has the width of its longest cell: Rich shrank the status,
    # count and times to nothing for a long last error (at 120 columns too), so a failing feed
    # could not be told. On a narrow terminal the two times go first.
    console = table_console()
    wide = [max(max(row[n].cell_len for row in rows), len(HEADS[n])) for n in range(5)]
    wide[0] = min(30, wide[0])
    show_times = console.width >= sum(wide) + 2 * 5 + 24
    if not show_times:
        wide = [min(wide[0], max(8, console.width - sum(wide[1:3]) - 2 * 3 - 20)), *wide[1:3]]
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for n, width in enumerate(wide):
        table.add_column(
            HEADS[n],
            style="cyan" if n == 0 else "",
            width=width,
            no_wrap=True,
            justify="right" if HEADS[n] == "entries" else "left",
        )
    rest = console.width - sum(wide) - 2 * len(wide)
    table.add_column(
        "last error / url",
        no_wrap=True,
        overflow="ellipsis",
        width=max(10, rest) if to_terminal() else None,  # piped: whole
    )
    for row in rows:
        table.add_row(*(row if show_times else [*row[:3], row[5]]))
    if to_terminal():
        console.print(table)
        return
    # Piped, every line was padded with spaces to the longest last error (45 of 46 lines
    # ended in spaces; a terminal showed the padding as blank lines under `| head`).
    with console.capture() as captured:
        console.print(table)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


# -- fetch --------------------------------------------------------------------------------------


def cmd_fetch(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg) as store:
        mark = newest_entry_id(store)
        report = _run_refresh(store, cfg, args.names, as_json=args.json, force=args.force)
        alert_new_items(store, cfg, mark)
        code = 1 if report.failures else 0
        if args.articles:
            from wirereader.cli.articles import run_articles

            summary_to = sys.stderr if args.json else None  # stdout: one JSON document
            code = max(code, run_articles(store, cfg, summary_to=summary_to))
    return code


def _run_refresh(
    store: Store,
    cfg: Config,
    names: list[str],
    *,
    as_json: bool,
    force: bool,
    fetcher: Fetcher | None = None,
) -> RefreshReport:
    show_bar = sys.stderr.isatty() and not as_json
    try:
        if show_bar:
            report = _refresh_with_bar(store, cfg, names, force, fetcher)
        else:
            report = refresh(store, cfg, names or None, force=force, fetcher=fetcher)
    except SubscriptionError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        print_json(report_json(report))
        return report
    if not show_bar:
        told: set[str] = set()
        for result in report.results:
            for line in problem_lines(result, store.path, told):
                warn(line)
    for message in report.warnings:
        warn(message)
    if not report.results:
        has_feeds = bool(list_feeds(store))
        print(
            "nothing to fetch"
            + ("" if has_feeds else ": no subscriptions; add one with 'wirereader add URL'")
        )
        return report
    print(summary(report))
    return report


def _refresh_with_bar(
    store: Store, cfg: Config, names: list[str], force: bool, fetcher: Fetcher | None
) -> RefreshReport:
    from rich.console import Console  # (see cli.common on Rich)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    columns = (
        TextColumn("fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # feed names come from outside
    )
    console = Console(stderr=True, highlight=False)
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None)
        told: set[str] = set()

        def progress(event: RefreshProgress) -> None:
            if event.analysing:
                # The analysis of most entries ran between the feeds' saves; this is the rest.
                n = event.analysing
                bar.update(task, description=f"analysing {n} entr{'y' if n == 1 else 'ies'}…")
                return
            bar.update(task, total=event.total, completed=event.done)
            result = event.result
            if result is None:
                return
            bar.update(task, description=result.name[:40])
            for line in problem_lines(result, store.path, told):
                bar.console.print(
                    Text(f"wirereader: {line}", style="red" if result.failed else "yellow")
                )

        return refresh(store, cfg, names or None, progress, force=force, fetcher=fetcher)


def summary(report: RefreshReport) -> str:
    results = report.results
    fetched = [r for r in results if r.status != "skipped"]
    unchanged = sum(1 for r in results if r.status in ("not-modified", "unchanged"))
    skipped = len(results) - len(fetched)
    parts = [
        f"{len(fetched)} feed{'s' * (len(fetched) != 1)} fetched in {report.elapsed:.1f} s:",
        f"{report.new} new entr{'y' if report.new == 1 else 'ies'}, {report.updated} updated,",
        f"{len(report.failures)} failed",
    ]
    tail = f" ({unchanged} unchanged" + (f", {skipped} waiting" if skipped else "") + ")"
    return " ".join(parts) + tail


def report_json(report: RefreshReport) -> dict[str, object]:
    return {
        "new": report.new,
        "updated": report.updated,
        "failed": len(report.failures),
        "elapsed": round(report.elapsed, 3),
        "warnings": report.warnings,
        "feeds": [
            {
                "name": r.name,
                "url": r.url,
                "status": r.status,
                "new": len(r.new),
                "updated": len(r.updated),
                "error": r.error or None,
                "warnings": r.warnings,
                "pages": r.pages,
                "moved_to": r.moved_to or None,
                "next_attempt": iso_time(r.next_attempt),
            }
            for r in report.results
        ],
    }


# -- remove -------------------------------------------------------------------------------------


def cmd_remove(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        try:
            feeds = find_feeds(store, args.names)
            counts = entry_counts(store)
            for feed in feeds:
                remove(store, feed)
                if not args.json:
                    print(
                        f"removed {feed.name}; its {counts.get(feed.id, 0)} entries stay in the "
                        "cache"
                    )
        except SubscriptionError as exc:
            raise UserError(str(exc)) from None
        if args.json:
            removed = [get_feed(store, feed.id) for feed in feeds]
            print_json([{**f.to_json(), "entries": counts.get(f.id, 0)} for f in removed])
    return 0


# -- export -------------------------------------------------------------------------------------


def export_opml(args: argparse.Namespace) -> int:
    """`wirereader export --format opml`: the subscriptions as OPML 2.0 on stdout."""
    from wirereader.sources.opml import OpmlOutline, render_opml

    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        from wirereader.store.subscriptions import sync_config

        sync_config(store, cfg)
        feeds = list_feeds(store)
    outlines = [
        OpmlOutline(url=_export_url(f.url), title=f.name, html_url=f.home_url, category=f.category)
        for f in feeds
    ]
    sys.stdout.write(render_opml(outlines))
    return 0


def _export_url(url: str) -> str:
    """Local paths are written as file:// URLs, which other readers understand."""
    from pathlib import Path

    return url if is_remote(url) else Path(url).as_uri()

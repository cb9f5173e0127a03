"""Fetch benchmark: 200 feeds x 200 items served on 127.0.0.1, fetched into an empty cache.

    python bench/feeds_bench.py [--feeds 200] [--items 200] [--profile] [--plans]

Generates RSS feeds of invented news items (about 10% of them reposted later under a new guid,
some with an extra paragraph), serves them from a separate process (so the server does not share
our interpreter lock) with ETag / Last-Modified support, and times `refresh()`:

1. a fresh fetch into an empty cache,
2. a second fetch where every feed answers 304 (five times: the best and the median), and the
   same as `wirereader fetch` in a process of its own (its wall and CPU, start-up included),
3. a third fetch where the server ignores the validators and sends full, unchanged bodies
   (recognised by their hash), and the same once more with the hashes cleared, so every body
   is parsed and compared entry by entry;
4. a fetch with its analysis into another empty cache, in this process: how much of its wall
   came after the last feed was stored (the analysis runs in steps between the feeds' saves).

Prints seconds and items/s for each, then the analysis of the fetched entries apart, and the
query plans of the statements a refresh runs per feed (no full-table scan allowed).

Side by side (`--rounds N`, default 3): `wirereader add --opml --no-fetch` then `wirereader
fetch` (analysis included, as a user runs it) into an empty cache, and in the same round the C
readers on the same feeds from the same server into empty caches of their own: newsboat's `-x
reload` (with `reload-threads` set to wirereader's concurrency) and sfeed's `sfeed_update`
(`maxjobs` the same), each only when installed (`apt-get install newsboat sfeed`). The rounds
alternate the readers, so a busy spell on the shared machine hits all of them; the best of the
rounds is printed for each, with wirereader's time over newsboat's.
Targets on a 2-core machine: fresh < 5 s, all-304 < 0.1 s, `wirereader fetch` with its
analysis no slower than `newsboat -x reload`.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import multiprocessing
import os
import pstats
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from wirereader.core.config import Config  # noqa: E402
from wirereader.ingest import parse_pool  # noqa: E402
from wirereader.ingest.analyse import run_analysis  # noqa: E402
from wirereader.ingest.refresh import refresh  # noqa: E402
from wirereader.store.db import Store  # noqa: E402
from wirereader.store.subscriptions import subscribe  # noqa: E402

_WORD_TEXT = (
    "council harbour minister storm river bridge election vote court ruling market shares "
    "police report hospital school teachers strike budget tax energy prices wind farm coast "
    "ferry airport flights delayed talks agreement border trade union workers museum festival "
    "match season coach injury transfer league final weather warning flood rescue volunteers "
    "village mayor plan housing rents train line station closure repair road budget spending"
)
WORDS = _WORD_TEXT.split()
PLACES = ["Northport", "Eastvale", "Kingsbridge", "Lowmoor", "Ashford Bay", "Greywater"]
PEOPLE = ["Maria Olsen", "Tomas Reyes", "Priya Nair", "Jonah Whitfield", "Elena Petrova"]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 22))]
    words[rng.randrange(len(words))] = rng.choice(PLACES)
    words[rng.randrange(len(words))] = rng.choice(PEOPLE)
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def make_feeds(n_feeds: int, n_items: int, seed: int = 7, base: int | None = None) -> list[bytes]:
    """RSS documents; about 10% of items are reposts of an earlier item under a new guid.

    Items are dated from `base` (epoch seconds) on, over about 1.6 days at 200 x 200; by
    default three days before the clock, so a fetch now stores every item's date (the store
    drops a date more than two days ahead of its clock). A fixed `base` makes the texts and
    dates the same on any day (the analysis bench's import)."""
    rng = random.Random(seed)
    if base is None:
        base = int(time.time()) - 3 * 86400
    published: list[tuple[str, str]] = []  # (title, html body) of items so far, for reposts
    feeds = []
    for f in range(n_feeds):
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
            f"<title>Bench Gazette {f}</title><link>http://bench.invalid/{f}/</link>",
            "<description>Invented news for the benchmark</description>",
        ]
        for i in range(n_items):
            if published and rng.random() < 0.10:
                title, body = rng.choice(published)
                if rng.random() < 0.5:
                    body += f"<p>{escape(paragraph(rng))}</p>"  # an update adds a paragraph
            else:
                title = sentence(rng)[:90].rstrip(".")
                body = "".join(f"<p>{escape(paragraph(rng))}</p>" for _ in range(rng.randint(2, 4)))
                if rng.random() < 0.3:
                    body += (
                        "<ul>"
                        + "".join(f"<li>{escape(sentence(rng))}</li>" for _ in range(3))
                        + "</ul>"
                    )
                published.append((title, body))
            stamp = formatdate(base + f * 613 + i * 97, usegmt=True)
            guid = hashlib.blake2b(f"{f}/{i}".encode(), digest_size=8).hexdigest()
            parts.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>http://bench.invalid/{f}/story/{guid}</link>"
                f'<guid isPermaLink="false">bench-{guid}</guid>'
                f"<pubDate>{stamp}</pubDate><dc:creator>{rng.choice(PEOPLE)}</dc:creator>"
                f"<description>{escape(body)}</description></item>"
            )
        parts.append("</channel></rss>")
        feeds.append("".join(parts).encode("utf-8"))
    return feeds


# -- the server (its own process) ----------------------------------------------------------------


def serve(
    folder: str,
    port_out: multiprocessing.connection.Connection,
    honour: multiprocessing.synchronize.Event,
    stop: multiprocessing.synchronize.Event,
) -> None:
    bodies = {f"/{p.name}": p.read_bytes() for p in Path(folder).glob("*.xml")}
    etags = {path: '"' + hashlib.md5(body).hexdigest() + '"' for path, body in bodies.items()}
    modified = formatdate(time.time() - 3600, usegmt=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if honour.is_set() and self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etags[self.path])
            self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    httpd = Server(("127.0.0.1", 0), Handler)
    port_out.send(httpd.server_address[1])
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    stop.wait(3600)  # bounded: the server never outlives a stuck benchmark by long (the
    # side-by-side rounds on a loaded machine took 10 minutes: 600 s cut off the last reader)
    httpd.shutdown()


# -- the benchmark ------------------------------------------------------------------------------


def timed(label: str, items: int, run, profile: bool):  # type: ignore[no-untyped-def]
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    report = run()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    rate = items / elapsed if elapsed else float("inf")
    failures = len(report.failures)
    print(
        f"{label:<38} {elapsed:7.2f} s  {rate:9,.0f} items/s  (this process: {cpu:5.2f} s CPU)"
        f"  new {report.new:>6}  updated {report.updated:>4}  failed {failures}"
    )
    for failure in report.failures[:3]:
        print(f"    {failure.error}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return report


def fetch_with_analysis(db: Path, urls: list[str], cfg: Config, items: int) -> None:
    """`refresh` with its analysis into an empty cache, in this process: its wall and CPU, and
    how much of the wall came after the last feed was stored (the analysis of the entries left
    then: it runs in steps between the feeds' saves, whole batches as they are stored)."""
    from wirereader.analysis.pipeline import pending_count
    from wirereader.ingest.refresh import Progress

    last_stored = [0.0]
    left = [0]

    def progress(p: Progress) -> None:
        if p.result is not None and p.done == p.total and not p.analysing:
            last_stored[0] = time.perf_counter()
            left[0] = pending_count(store)  # (called between the refresh's transactions)

    with Store(db) as store:
        for url in urls:
            subscribe(store, url)
        started, cpu = time.perf_counter(), time.process_time()
        report = refresh(store, cfg, force=True, progress=progress)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        pending = store.conn.execute(
            "SELECT count(*) FROM entries WHERE thread_id IS NULL AND repost_of IS NULL"
        ).fetchone()[0]
    tail = started + elapsed - last_stored[0] if last_stored[0] else 0.0
    print(
        f"{'fresh fetch with its analysis':<38} {elapsed:7.2f} s  {items / elapsed:9,.0f} items/s"
        f"  (this process: {cpu:5.2f} s CPU)  new {report.new:>6}  failed {len(report.failures)}"
        f"{'' if not pending else f'  ({pending} entries left without a thread)'}"
    )
    print(
        f"  the last feed stored at {elapsed - tail:.2f} s; after it {tail:.2f} s"
        f" ({tail / elapsed:.0%} of the wall): the analysis of the {left[0]:,} entries pending"
        " then"
    )


HOT_QUERIES = {
    "known entries of a source (save_entries)": (
        "SELECT stable_id, id, content_hash FROM entries WHERE source_id = ?",
        (1,),
    ),
    "bump last_seen (save_entries)": (
        "UPDATE entries SET last_seen = ? WHERE source_id = ? AND last_seen < ?",
        (0, 1, 0),
    ),
    "feed by url": ("SELECT * FROM feeds WHERE url = ?", ("x",)),
    "active feeds (list_feeds)": (
        "SELECT * FROM feeds WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE, id",
        (),
    ),
    "feed name taken (unique name)": (
        "SELECT id FROM feeds WHERE name = ? COLLATE NOCASE AND removed_at IS NULL AND id IS NOT ?",
        ("x", 1),
    ),
    "top entry id (batch insert)": ("SELECT COALESCE(MAX(id), 0) FROM entries", ()),
    "first versions of a batch": (
        "INSERT INTO entry_versions (entry_id, author, published, updated, content_hash,"
        " seen_at) SELECT id, '', NULL, NULL, '', 0 FROM entries WHERE id > ? ORDER BY id",
        (1,),
    ),
    "entries of a feed (feeds listing)": (
        "SELECT COUNT(*) FROM entries e WHERE e.source_id = ?",
        (1,),
    ),
    "live-blog pages of a feed": ("SELECT id, item_id FROM liveblog_pages WHERE feed_id = ?", (1,)),
}


def print_size(store: Store, db: Path, entries: int) -> None:
    """The cache's size per entry, and where the bytes are (SQLite's dbstat: pages per table
    and index, the full-text index's shadow tables summed as one)."""
    size = db.stat().st_size
    print(
        f"entries in the cache: {entries:,}; cache size {size / 1e6:.1f} MB,"
        f" {size / entries:,.0f} bytes per entry"
    )
    try:
        rows = store.conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except Exception:  # a SQLite built without dbstat: the total above still stands
        return
    parts: dict[str, int] = {}
    for name, used in rows:
        key = "entries_fts (all its tables)" if name.startswith("entries_fts") else name
        parts[key] = parts.get(key, 0) + used
    for name, used in sorted(parts.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {name:<34} {used / 1e6:7.1f} MB  {used / entries:6,.0f} bytes per entry")
    # Pages no table holds (freed by deletes and merges, reused by later writes).
    free = store.conn.execute("PRAGMA freelist_count").fetchone()[0]
    free *= store.conn.execute("PRAGMA page_size").fetchone()[0]
    print(f"  {'(free pages)':<34} {free / 1e6:7.1f} MB  {free / entries:6,.0f} bytes per entry")


def newsboat_size(folder: Path, port: int) -> None:
    """The same feeds fetched by newsboat (when installed), for its cache size per item."""
    import shutil
    import subprocess

    if shutil.which("newsboat") is None:
        print("newsboat not installed: no comparison (apt-get install newsboat)")
        return
    urls = folder.parent / "newsboat-urls"
    names = sorted(p.name for p in folder.glob("*.xml"))
    urls.write_text("".join(f"http://127.0.0.1:{port}/{name}\n" for name in names))
    cache = folder.parent / "newsboat-cache.db"
    config = folder.parent / "newsboat-config"
    # newsboat keeps at most max-items per feed when set; 0 keeps everything, as we do.
    config.write_text("max-items 0\nreload-threads 8\n")
    started = time.perf_counter()
    done = subprocess.run(
        ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "reload"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HOME": str(folder.parent)},
    )
    if done.returncode != 0 or not cache.exists():
        print(f"newsboat failed: {(done.stderr or done.stdout).strip()[:200]}")
        return
    import sqlite3

    with sqlite3.connect(cache) as conn:
        items = conn.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    size = cache.stat().st_size
    print(
        f"newsboat, the same feeds: {items:,} items in {time.perf_counter() - started:.1f} s;"
        f" cache size {size / 1e6:.1f} MB, {size / max(items, 1):,.0f} bytes per item"
    )


def print_plans(store: Store) -> bool:
    """Print each hot query's plan; False when one scans a whole big table."""
    ok = True
    print("\nquery plans:")
    for label, (sql, params) in HOT_QUERIES.items():
        rows = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        plan = "; ".join(str(r["detail"]) for r in rows)
        bad = any(str(r["detail"]).startswith("SCAN entries") for r in rows)
        ok = ok and not bad
        print(f"  {'FULL SCAN ' if bad else ''}{label}: {plan}")
    return ok


# -- side by side with the C readers ------------------------------------------------------------

CONCURRENCY = 8  # feeds at once, for every reader
TIMEOUT = 60  # seconds per request, for every reader (a busy machine answers slowly)


def _wirereader_fetch(urls: list[str], tmp: Path) -> float:
    """`wirereader add --opml --no-fetch` then `wirereader fetch` into an empty cache, as a user
    runs them; the seconds of the fetch (analysis included)."""
    from wirereader.sources.opml import OpmlOutline, render_opml

    db, opml, config = tmp / "peer.sqlite3", tmp / "feeds.opml", tmp / "peer.toml"
    for leftover in tmp.glob("peer.sqlite3*"):
        leftover.unlink()
    opml.write_text(render_opml([OpmlOutline(url=u, title=f"f{n}") for n, u in enumerate(urls)]))
    config.write_text(
        f"[fetch]\nconcurrency = {CONCURRENCY}\nper_host = {CONCURRENCY}\ntimeout = {TIMEOUT}\n"
    )
    env = {**os.environ, "WIREREADER_CONFIG": str(config), "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "wirereader", "--db", str(db)]
    subprocess.run(
        [*command, "add", "--opml", str(opml), "--no-fetch"],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run([*command, "fetch"], env=env, capture_output=True)
    took = time.perf_counter() - started
    if done.returncode:  # some feed failed (on a loaded machine: a timeout); say so
        lines = done.stderr.decode("utf-8", "replace").splitlines()
        print(
            f"    (wirereader fetch: exit {done.returncode}, {len(lines)} lines on stderr:"
            f" {lines[0] if lines else ''})"
        )
    return took


def _cli_all_304(db: Path, tmp: Path, runs: int = 5) -> None:
    """`wirereader fetch` as a user runs it on the cache just fetched, every feed answering 304:
    the command's wall and CPU (user + system: start-up, imports, opening the cache and the
    refresh), best and median of `runs`. The refresh alone is the line above."""
    config = tmp / "cli304.toml"
    config.write_text(
        f"[fetch]\nconcurrency = {CONCURRENCY}\nper_host = {CONCURRENCY}\ntimeout = 30\n"
    )
    env = {**os.environ, "WIREREADER_CONFIG": str(config), "PYTHONPATH": str(REPO / "src")}
    # Compiled modules kept (in the temporary folder), as an installed package has them: with
    # PYTHONDONTWRITEBYTECODE set every run compiled ~70 modules again (~0.09 s of CPU).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    command = [sys.executable, "-m", "wirereader", "--db", str(db), "fetch"]
    subprocess.run(command, env=env, capture_output=True)  # (compiles them: not counted)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        )  # (waited for: counted)
        if done.returncode:
            print(f"    (wirereader fetch: exit {done.returncode})")
    walls.sort()
    cpus.sort()
    print(
        f"{f'wirereader fetch, all 304 ({runs} runs)':<38} {walls[0]:7.3f} s best,"
        f" {walls[runs // 2]:.3f} s median; CPU {cpus[0]:.3f} s best, {cpus[runs // 2]:.3f} s"
        " median (the command: start-up, imports, the cache opened)"
    )


def _newsboat(urls: list[str], tmp: Path) -> float:
    """`newsboat -x reload` into an empty cache."""
    home = tmp / "newsboat"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    (home / "urls").write_text("".join(f"{u}\n" for u in urls))
    (home / "config").write_text(f"reload-threads {CONCURRENCY}\ndownload-timeout {TIMEOUT}\n")
    command = [
        "newsboat",
        "-u",
        str(home / "urls"),
        "-c",
        str(home / "cache.db"),
        "-C",
        str(home / "config"),
        "-x",
        "reload",
    ]
    env = {**os.environ, "HOME": str(home)}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=600)
    took = time.perf_counter() - started
    if done.returncode:
        print(f"    (newsboat: exit {done.returncode})")
    return took


def _sfeed(urls: list[str], tmp: Path) -> float:
    """`sfeed_update` into an empty feed directory."""
    home = tmp / "sfeed"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    lines = "".join(f'\tfeed "f{n:03d}" "{u}"\n' for n, u in enumerate(urls))
    (home / "sfeedrc").write_text(
        f'sfeedpath="{home}/feeds"\nmaxjobs={CONCURRENCY}\nfeeds() {{\n{lines}}}\n'
        # sfeed's own fetch with the same timeout as the others (its default is 15 s).
        f'fetch() {{\n\tcurl -L --max-redirs 0 -H "User-Agent:" -f -s -m {TIMEOUT} "$2"'
        " 2>/dev/null\n}\n"
    )
    env = {**os.environ, "HOME": str(home)}
    started = time.perf_counter()
    done = subprocess.run(
        ["sfeed_update", str(home / "sfeedrc")], env=env, capture_output=True, timeout=600
    )
    took = time.perf_counter() - started
    failed = done.stdout.count(b"FAIL") + done.stderr.count(b"FAIL")
    if done.returncode:
        print(f"    (sfeed_update: exit {done.returncode}, {failed} feeds failed)")
    return took


def side_by_side(urls: list[str], tmp: Path, rounds: int, total: int) -> None:
    readers = {"wirereader fetch (with analysis)": _wirereader_fetch}
    for name, tool, run in (
        ("newsboat -x reload", "newsboat", _newsboat),
        ("sfeed_update", "sfeed_update", _sfeed),
    ):
        if shutil.which(tool):
            readers[name] = run
        else:
            print(f"  ({tool} is not installed: skipped)")
    times: dict[str, list[float]] = {name: [] for name in readers}
    print(f"\nside by side, {rounds} rounds, each into an empty cache ({CONCURRENCY} at once):")
    for r in range(rounds):
        order = list(readers.items())
        if r % 2:
            order.reverse()  # alternate who goes first
        for name, run in order:
            times[name].append(run(urls, tmp))
    for name, seen in times.items():
        best = min(seen)
        runs = ", ".join(f"{t:.2f}" for t in seen)
        print(f"  {name:<34} best {best:6.2f} s  {total / best:8,.0f} items/s  (runs: {runs})")
    if "newsboat -x reload" in times:
        ratio = min(times["wirereader fetch (with analysis)"]) / min(times["newsboat -x reload"])
        print(f"  wirereader / newsboat: {ratio:.2f}x (target <= 1.0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the fresh fetch")
    parser.add_argument("--plans", action="store_true", help="only print the query plans")
    parser.add_argument(
        "--rounds", type=int, default=3, help="side-by-side rounds with the C readers (0: none)"
    )
    parser.add_argument(
        "--side-by-side-only", action="store_true", help="only the rounds with the C readers"
    )
    parser.add_argument(
        "--keep", metavar="PATH", type=Path, help="copy the analysed cache here for inspection"
    )
    parser.add_argument(
        "--inline-parse",
        action="store_true",
        help="parse in this process (no worker processes), for comparison",
    )
    args = parser.parse_args()
    if args.inline_parse:
        parse_pool.MIN_BYTES = 1 << 62
    total = args.feeds * args.items

    with tempfile.TemporaryDirectory(prefix="wirereader-bench-") as tmp:
        folder = Path(tmp) / "feeds"
        folder.mkdir()
        started = time.perf_counter()
        size = 0
        for n, body in enumerate(make_feeds(args.feeds, args.items)):
            (folder / f"feed{n:03d}.xml").write_bytes(body)
            size += len(body)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{os.cpu_count()} CPUs, load average {load} before the run (other work on the "
            "machine slows the wall-clock figures; CPU seconds are steadier)"
        )
        print(
            f"generated {args.feeds} feeds x {args.items} items = {total:,} items, "
            f"{size / 1e6:.1f} MB of RSS in {time.perf_counter() - started:.1f} s"
        )

        ctx = multiprocessing.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        honour, stop = ctx.Event(), ctx.Event()
        honour.set()
        server = ctx.Process(target=serve, args=(str(folder), send, honour, stop), daemon=True)
        server.start()
        try:
            port = receive.recv()
            _wait_for(port)
            db = Path(tmp) / "cache.sqlite3"
            cfg = Config(concurrency=8, per_host=8, timeout=30.0)
            with Store(db) as store:
                for n in range(args.feeds):
                    subscribe(store, f"http://127.0.0.1:{port}/feed{n:03d}.xml")
                if args.plans:
                    print_plans(store)
                    return 0

                ok = True
                if args.side_by_side_only:
                    urls = [f"http://127.0.0.1:{port}/feed{n:03d}.xml" for n in range(args.feeds)]
                    side_by_side(urls, Path(tmp), max(1, args.rounds), total)
                    return 0

                def run():  # type: ignore[no-untyped-def]
                    return refresh(store, cfg, force=True, analyse=False)

                timed("fresh fetch into an empty cache", total, run, args.profile)
                # Best and median of five: one run of ~0.1 s on a shared machine says little.
                walls = []
                for _ in range(5):
                    started = time.perf_counter()
                    report = run()
                    walls.append(time.perf_counter() - started)
                walls.sort()
                print(
                    f"{'second fetch, all 304 (5 runs)':<38} {walls[0]:7.3f} s best,"
                    f" {walls[2]:.3f} s median  new {report.new:>6}  updated {report.updated:>4}"
                    f"  failed {len(report.failures)}"
                )
                _cli_all_304(db, Path(tmp))
                honour.clear()
                timed("second fetch, full bodies, no change", total, run, False)
                # The same again without the body-hash shortcut: the parse and compare path.
                with store.transaction() as conn:
                    conn.execute("UPDATE feeds SET body_hash = ''")
                timed("  same, parsed and compared", total, run, False)
                # What the analysis writes to the WAL: emptied first and not checkpointed
                # meanwhile, every page a transaction writes stays in it as a frame of its own.
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                store.conn.execute("PRAGMA wal_autocheckpoint = 0")
                started = time.perf_counter()
                problem = run_analysis(store)
                analysed = time.perf_counter() - started
                wal = Path(f"{db}-wal")
                wal_bytes = wal.stat().st_size if wal.exists() else 0
                store.conn.execute("PRAGMA wal_autocheckpoint = 1000")
                entries = store.conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
                print(
                    f"{'analysis of the new entries':<38} {analysed:7.2f} s"
                    f" {entries / analysed:9,.0f} entries/s (dedup + entities + threads)"
                    f", WAL written {wal_bytes / 1e6:.1f} MB"
                    f" ({wal_bytes / entries:,.0f} bytes/entry)"
                    + (f"  ({problem})" if problem else "")
                )
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                print_size(store, db, entries)
                ok = print_plans(store)
                if args.keep:  # as it is (not vacuumed: its pages and free space as measured)
                    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    shutil.copyfile(db, args.keep)
            urls = [f"http://127.0.0.1:{port}/feed{n:03d}.xml" for n in range(args.feeds)]
            fetch_with_analysis(Path(tmp) / "overlap.sqlite3", urls, cfg, total)
            newsboat_size(folder, port)
            if args.rounds:
                honour.set()
                urls = [f"http://127.0.0.1:{port}/feed{n:03d}.xml" for n in range(args.feeds)]
                side_by_side(urls, Path(tmp), args.rounds, total)
        finally:
            stop.set()
            server.join(timeout=5)
            if server.is_alive():
                server.terminate()
    return 0 if ok else 1


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench server did not start")


if __name__ == "__main__":
    raise SystemExit(main())

"""Offline articles: extraction speed, and a whole fetch run against a local server.

    python bench/articles_bench.py [--pages 300] [--hosts 4] [--corpus ../shared/corpus]

Prints (1) extraction time per page for the corkbeo live blog (243 KB, from the outside corpus)
and a generated article page, (2) pages/s for a run that plans, fetches (at most two requests per
host), extracts and stores `--pages` generated teaser items served from 127.0.0.1 over `--hosts`
host names (127.0.0.x), with the server answering after 20 ms like a distant site would, and
(3) the time of a second run where every page answers 304.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from wirereader.core.config import Config
from wirereader.core.model import RawEntry
from wirereader.ingest.articles import fetch_articles
from wirereader.sources.articles.extract import extract_article
from wirereader.store.db import Store

WORDS = [
    "harbour", "council", "ferry", "bridge", "committee", "report", "budget", "island", "storm",
    "crew", "union", "vote", "road", "school", "hospital", "museum", "festival", "river",
    "market", "station", "weather", "plan", "repair",
]  # fmt: skip


def paragraph(rng: random.Random, words: int = 60) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text.capitalize() + "."


def page(n: int) -> bytes:
    rng = random.Random(n)
    body = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(12))
    return (
        f"<html><head><title>Story {n}</title>"
        f'<meta property="article:published_time" content="2025-05-0{n % 9 + 1}T10:00:00Z">'
        f"</head><body><nav><a href='/'>Home</a><a href='/news'>News</a></nav><article>"
        f"<h1>Story {n}</h1>{body}<div class='newsletter'><h3>Sign up</h3><p>Never miss a "
        "story: sign up to our newsletter.</p></div><h2>Related stories</h2><ul>"
        "<li><a href='/a'>Other story</a></li></ul></article><footer>About us</footer>"
        "</body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(0.02)
        n = int(self.path.rsplit("/", 1)[-1])
        etag = f'"{n}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        data = page(n)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)


def timed_extraction(html: str, label: str, repeat: int) -> None:
    extract_article(html)  # warm up (imports, caches)
    started = time.perf_counter()
    for _ in range(repeat):
        extract_article(html)
    per_page = (time.perf_counter() - started) / repeat
    print(f"extract {label:<30} {len(html) / 1024:7.0f} KB {per_page * 1000:8.1f} ms/page")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared"
                                                / "corpus"))  # fmt: skip
    args = parser.parse_args()

    cork = Path(args.corpus) / "liveblog-html" / "corkbeo.ie.level.html"
    if cork.exists():
        timed_extraction(cork.read_text("utf-8"), "corkbeo live blog (corpus)", 10)
    else:
        print(f"(no corpus at {cork}: skipping the corkbeo figure)", file=sys.stderr)
    timed_extraction(page(1).decode(), "generated article", 50)

    # One server per loopback address, all on one port: `--hosts` distinct hosts.
    servers: list[ThreadingHTTPServer] = []
    port = 0
    for k in range(args.hosts):
        server = ThreadingHTTPServer((f"127.0.0.{k + 1}", port), Handler)
        server.daemon_threads = True
        port = server.server_address[1]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.sqlite3") as store:
        source_id = store.ensure_source("bench", "feed", name="bench")
        entries = [
            RawEntry(
                title=f"Story {n}",
                body="A teaser…",
                stable_id=str(n),
                url=f"http://127.0.0.{n % args.hosts + 1}:{port}/story/{n}",
            )
            for n in range(args.pages)
        ]
        store.save_entries(source_id, entries)
        cfg = Config()
        started = time.perf_counter()
        report = fetch_articles(store, cfg)
        elapsed = time.perf_counter() - started
        print(
            f"first run   {args.pages} pages on {args.hosts} hosts: {elapsed:6.2f} s "
            f"({args.pages / elapsed:6.1f} pages/s), stored {report.fetched}, "
            f"failed {len(report.failed)}"
        )
        # Make every article due again, as a changed feed text would, to time the 304 path.
        store.conn.execute("UPDATE articles SET status = 'pending', next_attempt = 0")
        started = time.perf_counter()
        report = fetch_articles(store, cfg)
        elapsed = time.perf_counter() - started
        print(
            f"second run  all 304: {elapsed:6.2f} s ({args.pages / elapsed:6.1f} pages/s), "
            f"unchanged {report.unchanged}, new versions {report.fetched}"
        )
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

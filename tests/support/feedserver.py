"""A real HTTP server on 127.0.0.1 for the fetch, refresh and CLI tests.

Each path is served by a `Route` (status, body, headers, ETag / Last-Modified support) or by a
function taking the request handler, for misbehaving servers (stall, trickle, reset, wrong length).
Every request is recorded so tests can check what the client sent. Handlers that wait do so on
`server.stopping`, so shutting the server down never waits for a sleeping handler.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from wirereader.core.model import ParsedDocument


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""  # answer 304 when If-None-Match matches
    last_modified: str = ""  # answer 304 when If-Modified-Since matches exactly
    delay: float = 0.0  # seconds before answering


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


Handler = Callable[["_Handler"], None]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.connections = 0
        self._active: dict[str, int] = {}
        self.peak_per_host: dict[str, int] = {}
        self.peak_total = 0
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.feed_server = self
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    # bookkeeping of concurrent requests, per Host header
    def enter(self, host: str) -> None:
        with self._lock:
            self._active[host] = self._active.get(host, 0) + 1
            self.peak_per_host[host] = max(self.peak_per_host.get(host, 0), self._active[host])
            self.peak_total = max(self.peak_total, sum(self._active.values()))

    def leave(self, host: str) -> None:
        with self._lock:
            self._active[host] -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    feed_server: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on a misbehaving route is what the tests provoke


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.feed_server._lock:
            self.server.feed_server.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    @property
    def feed_server(self) -> FeedServer:
        return self.server.feed_server

    def do_GET(self) -> None:
        fs = self.feed_server
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        fs.requests.append(Seen(self.path, dict(self.headers.items()), time.monotonic()))
        fs.enter(host)
        try:
            route = fs.routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send(404, b"not here", "text/plain")
            elif isinstance(route, Route):
                self.serve_route(route)
            else:
                route(self)
        finally:
            fs.leave(host)

    def serve_route(self, route: Route) -> None:
        if route.delay:
            self.feed_server.stopping.wait(route.delay)
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if route.status == 200 and (
            (route.etag and inm == route.etag)
            or (not route.etag and route.last_modified and ims == route.last_modified)
        ):
            self.send(304, b"", "", headers)
            return
        self.send(route.status, route.body, route.content_type, headers)

    def send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def serve_feeds(server: FeedServer, folder: Path) -> list[str]:
    """Every file of `folder` served by `server` at /its name; their URLs, in name order."""
    urls = []
    for path in sorted(folder.iterdir()):
        server.routes[f"/{path.name}"] = Route(path.read_bytes())
        urls.append(server.url(f"/{path.name}"))
    return urls


@contextmanager
def serving() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def rss(title: str, items: list[dict[str, str]], *, link: str = "http://example.invalid/") -> bytes:
    """A small RSS 2.0 document from invented items (keys: guid, title, link, description,
    author, pubDate)."""
    from xml.sax.saxutils import escape

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key in ("guid", "title", "link", "description", "author", "pubDate"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def parsed_in_worker(items: list[dict[str, str]]) -> ParsedDocument:
    """`rss("Port", items)` parsed as the refresh's parse worker parses a fetched feed (in
    this process): with the bodies it packs and the content hashes it works out."""
    from wirereader.ingest.parse_pool import _parse

    url = "http://example.invalid/feed.xml"
    return _parse(rss("Port", items), url, "application/rss+xml", None)


def liveblog_page(headline: str, updates: list[tuple[str, str, str]]) -> bytes:
    """An HTML page with schema.org LiveBlogPosting JSON-LD; updates are (id, ISO time, text),
    newest first as live blogs list them."""
    import json

    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": headline,
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": f"#{uid}",
                "url": f"#{uid}",
                "headline": text.split(".")[0],
                "datePublished": when,
                "articleBody": text,
                "author": {"@type": "Person", "name": "Ada Reporter"},
            }
            for uid, when, text in updates
        ],
    }
    script = json.dumps(posting).replace("</", "<\\/")
    return (
        f"<!DOCTYPE html><html><head><title>{headline}</title>"
        f'<script type="application/ld+json">{script}</script></head>'
        f"<body><h1>{headline}</h1></body></html>"
    ).encode()

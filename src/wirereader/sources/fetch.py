"""Fetching feeds and pages: HTTP(S), `file://` URLs and local paths, politely and within bounds.

Built on the standard library (http.client + a small thread pool): on this kind of machine the
fetch of a feed costs well under a millisecond of our own time, so a bigger client would buy
nothing, and owning the read loop lets us enforce every bound ourselves:

- conditional GET (ETag / Last-Modified) with 304 handling; for files, size and mtime play the part
  of the validator;
- gzip / deflate, with the size cap applied to the *decompressed* body (a gzip bomb stops at the
  cap, not at 1 GB of RAM);
- redirects (at most `max_redirects`, loops detected); when every hop was permanent (301 / 308)
  the final URL is reported so the subscription can move to it;
- a connect / read timeout per socket operation *and* a deadline for the whole request, enforced by
  a watchdog that closes the socket, so a server that trickles one byte at a time cannot hold a
  worker forever;
- retries with exponential backoff and full jitter for transient failures (timeouts, resets, 429,
  5xx), honouring Retry-After up to a bound; beyond it the error carries the delay so the caller
  can schedule the next attempt;
- several URLs at once (`fetch_many`) with a global and a per-host limit, results handed back as
  they arrive, and a bounded window of finished-but-unconsumed bodies so memory stays bounded.

Every failure is a `FetchError` whose str() is one line naming the URL and the problem.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import heapq
import http.client
import itertools
import netrc
import os
import random
import re
import select
import socket
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

from wirereader import __version__
from wirereader.core.interruptible import wait_until
from wirereader.core.redact import redact
from wirereader.sources.network import (
    LookupTimeout,
    Network,
    NetworkError,
    NetworkSettings,
    ascii_host,
    describe_proxy_error,
)

if TYPE_CHECKING:
    from wirereader.core.config import Config

# No home page is published yet, so none is claimed: a name, a version and what we are.
DEFAULT_USER_AGENT = f"wirereader/{__version__} (terminal news reader; feed fetcher)"

K = TypeVar("K")
_HOST_CHARS = re.compile(r"[A-Za-z0-9._~:%-]+")  # names, IPv4, IPv6 (brackets already gone)
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
_CHUNK = 64 * 1024
# Characters left as they are when a URL's path or query is re-quoted for the request line.
_SAFE_URL_CHARS = "/%:@!$&'()*+,;=~-._?"


class FetchError(Exception):
    """One URL could not be fetched. str() is one line: `<url>: <what went wrong>`."""

    def __init__(
        self,
        url: str,
        message: str,
        *,
        transient: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        refused_by: str = "",
    ) -> None:
        # One line that may be printed or stored as a feed's last error: no password in it.
        super().__init__(redact(f"{url}: {message}"))
        self.url = url
        self.message = message
        self.transient = transient  # worth trying again later
        self.retry_after = retry_after  # seconds the server asked us to wait, when it said
        self.status = status  # the HTTP status, when there was one
        self.refused_by = refused_by  # the host:port (or proxy) that refused the connection


@dataclass(frozen=True)
class Validators:
    """What we last got for a URL: sent back so an unchanged document costs a 304."""

    etag: str = ""
    last_modified: str = ""


@dataclass
class Response:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 (not modified: `body` is empty)
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    permanent_url: str = ""  # set when every redirect hop was permanent: the URL to keep using
    attempts: int = 1
    elapsed: float = 0.0
    _digest: str = field(default="", repr=False, compare=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def digest(self) -> str:
        """A hash of the body (computed once): tells a resent, unchanged document apart."""
        if not self._digest:
            self._digest = hashlib.blake2b(self.body, digest_size=16).hexdigest()
        return self._digest


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0  # connect, and each read: a server silent this long has stalled
    deadline: float = 120.0  # the whole request, body included: defeats trickling servers
    header_deadline: float = 30.0  # the status line and headers: a trickle of them is refused
    feed_deadline: float = 180.0  # one URL, every attempt and redirect and backoff included
    max_bytes: int = 20 * 1024 * 1024  # of the decompressed body
    retries: int = 2  # further attempts after a transient failure
    backoff: float = 1.0  # base delay of the first retry, doubled each time (full jitter)
    max_retry_after: float = 10.0  # longer Retry-After: the feed waits for a later refresh
    max_redirects: int = 5
    concurrency: int = 8  # URLs fetched at once
    per_host: int = 2  # of which at most this many on one host
    user_agent: str = DEFAULT_USER_AGENT
    # proxies, certificates, extra headers and cookies (sources/network.py)
    network: NetworkSettings = field(default_factory=NetworkSettings)

    @classmethod
    def from_config(cls, cfg: Config) -> FetchSettings:
        return cls(
            timeout=float(cfg.timeout),
            deadline=max(float(cfg.timeout) * 6, 60.0),
            header_deadline=max(float(cfg.timeout) * 1.5, 30.0),
            feed_deadline=max(float(cfg.timeout) * 6, 60.0) * 1.5,
            max_bytes=int(cfg.max_bytes),
            concurrency=max(1, int(cfg.concurrency)),
            per_host=max(1, int(cfg.per_host)),
            user_agent=cfg.user_agent or DEFAULT_USER_AGENT,
            network=NetworkSettings.from_config(cfg),
        )


# -- URLs ---------------------------------------------------------------------------------------


def is_remote(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def local_path(url: str) -> Path | None:
    """The file a `file://` URL or a plain path names; None for http(s) and other schemes."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path))
    if scheme == "" or (len(scheme) == 1 and os.name == "nt"):  # "C:\\..." on Windows
        return Path(url).expanduser()
    return None


def host_key(url: str) -> str:
    """What the per-host limit counts: scheme-less host and port ('' for local files)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")


def _request_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, ascii host, port, path?query) for the request line, or ValueError."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        raise ValueError("no host in the URL")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ValueError("bad port in the URL") from None
    wire_host = ascii_host(host)  # IDNA 2008: faß.de stays faß.de (xn--fa-hia.de)
    if not _HOST_CHARS.fullmatch(wire_host):
        raise ValueError("host name is not valid")
    target = quote(parts.path or "/", safe=_SAFE_URL_CHARS)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE_URL_CHARS)
    return scheme, wire_host, port, target


@dataclass(frozen=True)
class BasicAuth:
    """HTTP Basic credentials of one feed URL, sent only to the host they were given for."""

    scheme: str
    host: str
    header: str

    def applies_to(self, url: str) -> bool:
        parts = urlsplit(url)
        # The same host only (a redirect elsewhere never gets the password), and never from
        # https down to plain http on it.
        return (parts.hostname or "").lower() == self.host and not (
            self.scheme == "https" and parts.scheme.lower() != "https"
        )


def basic_auth(url: str) -> BasicAuth | None:
    """The credentials in the URL (user:password@), else those of its host in ~/.netrc."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if parts.username is not None:
        user, password = unquote(parts.username), unquote(parts.password or "")
    else:
        try:
            found = netrc.netrc().authenticators(host)
        except (OSError, netrc.NetrcParseError):
            return None  # no ~/.netrc, or one we may not use (e.g. readable by others)
        if found is None:
            return None
        user, password = found[0], found[2] or ""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return BasicAuth(parts.scheme.lower(), host, f"Basic {token}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | http.client.RemoteDisconnected | BrokenPipeError):
        return "connection reset by the server"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected ({exc.verify_message or exc.reason})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason or exc})"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, http.client.IncompleteRead):
        return f"connection closed after {len(exc.partial)} bytes, before the end of the body"
    if isinstance(exc, http.client.HTTPException):
        detail = " ".join(str(exc).split())[:120]
        return f"bad HTTP response ({type(exc).__name__}{': ' + detail if detail else ''})"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


# -- the watchdog: one thread closing sockets whose request ran past its deadline ---------------


class _Watchdog:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._live: set[int] = set()
        self._fired: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, sock: socket.socket, at: float) -> int:
        with self._cond:
            token = next(self._ids)
            heapq.heappush(self._heap, (at, token, sock))
            self._live.add(token)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Stop watching; True when the deadline had already fired."""
        with self._cond:
            self._live.discard(token)
            fired = token in self._fired
            self._fired.discard(token)
            return fired

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # disarmed already
                if not self._heap:
                    if not self._cond.wait(timeout=30):
                        self._thread = None
                        return
                    continue
                at, token, sock = self._heap[0]
                delay = at - time.monotonic()
                if delay > 0:
                    self._cond.wait(timeout=delay)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(token)
                self._fired.add(token)
                # Already closed: the request ended at the same moment.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


class _DeadlineExpired(Exception):
    pass


# -- connections ------------------------------------------------------------------------------


def _has_data(sock: socket.socket) -> bool:
    """An idle keep-alive socket is readable only when the server closed it or sent junk."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _ConnectionPool:
    """Idle keep-alive connections per (scheme, host, port), reused by later requests."""

    def __init__(self, network: Network, per_host_idle: int = 4) -> None:
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._per_host_idle = per_host_idle
        self._network = network

    def get(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> tuple[http.client.HTTPConnection, bool]:
        """A connection and whether it was reused (a reused one may have been closed by now)."""
        with self._lock:
            idle = self._idle.get((scheme, host, port)) or []
            while idle:
                conn = idle.pop()
                if conn.sock is None or _has_data(conn.sock):
                    # Closed by the server, or bytes beyond the last response (a wrong
                    # Content-Length): reading on from there would misparse the next answer.
                    conn.close()
                    continue
                conn.timeout = timeout
                conn.sock.settimeout(timeout)
                return conn, True
        conn, _proxy = self._network.connection(scheme, host, port, timeout)
        return conn, False

    def put(self, scheme: str, host: str, port: int, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault((scheme, host, port), [])
            if len(idle) < self._per_host_idle:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            for idle in self._idle.values():
                for conn in idle:
                    conn.close()
            self._idle.clear()


# -- one request ------------------------------------------------------------------------------


class _BodyReader:
    """Streams a body through an optional decoder, stopping at the size cap."""

    def __init__(self, url: str, encoding: str, max_bytes: int) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        encoding = encoding.strip().lower()
        self._decoder: zlib._Decompress | None = None
        self._raw_deflate_fallback = False
        if encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_fallback = True
        elif encoding not in ("", "identity"):
            raise FetchError(url, f"unsupported content encoding '{encoding[:40]}'")

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FetchError(self.url, f"response larger than the limit of {self.max_bytes} bytes")
        self.parts.append(data)

    def feed(self, data: bytes) -> None:
        if self._decoder is None:
            self._keep(data)
            return
        try:
            self._decode(data)
        except zlib.error:
            if not (self._raw_deflate_fallback and self.size == 0):
                raise FetchError(self.url, "corrupt compressed body") from None
            self._raw_deflate_fallback = False
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                self._decode(data)
            except zlib.error:  # neither kind of deflate
                raise FetchError(self.url, "corrupt compressed body") from None

    def _decode(self, data: bytes) -> None:
        assert self._decoder is not None
        room = self.max_bytes - self.size + 1
        out = self._decoder.decompress(data, room)
        self._keep(out)
        while self._decoder.unconsumed_tail:
            room = self.max_bytes - self.size + 1
            self._keep(self._decoder.decompress(self._decoder.unconsumed_tail, room))

    def finish(self) -> bytes:
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush())
            except zlib.error:
                raise FetchError(self.url, "corrupt compressed body") from None
        return b"".join(self.parts)


class Fetcher:
    """Fetches URLs with one set of settings; share one per refresh so connections are reused.

    Safe to use from several threads at once.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.network = Network(self.settings.network)
        self._pool = _ConnectionPool(self.network, per_host_idle=max(2, self.settings.per_host))
        # Requests running per host, shared by every fetch_many() of this fetcher (a refresh
        # fetches live-blog pages while feeds are still downloading): one lock, one limit.
        self._host_cond = threading.Condition()
        self._host_running: dict[str, int] = {}
        self.sleep: Callable[[float], None] = time.sleep  # tests may observe the backoff
        # Hosts (host:port, or the proxy) that refused every attempt of a URL in this
        # refresh: their other URLs get one attempt each, no retries (see _fetch_with_retries).
        self._refusing: set[str] = set()
        # Per thread, for the URL being fetched: .until (its deadline), .auth (its credentials).
        self._feed_deadline = threading.local()

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public -------------------------------------------------------------------------------

    def fetch(self, url: str, validators: Validators | None = None) -> Response:
        """The document at `url`, or a 304 Response when `validators` still match."""
        validators = validators or Validators()
        started = time.monotonic()
        try:
            path = local_path(url)
        except ValueError as exc:  # `add 'http://[::1'` was "internal error: ValueError"
            raise FetchError(url, f"bad URL ({str(exc)[:1].lower()}{str(exc)[1:]})") from None
        if path is not None:
            response = self._fetch_file(url, path, validators)
        elif is_remote(url):
            response = self._fetch_with_retries(url, validators)
        else:
            scheme = urlsplit(url).scheme
            raise FetchError(
                url, f"unsupported URL scheme '{scheme[:20]}' (use http, https, file or a path)"
            )
        response.elapsed = time.monotonic() - started
        return response

    def fetch_many(
        self,
        jobs: Iterable[tuple[K, str, Validators | None]],
        on_done: Callable[[K, Response | FetchError], None] | None = None,
    ) -> Iterator[tuple[K, Response | FetchError]]:
        """Fetch several URLs at once; yield (key, response or error) as each one finishes.

        At most `concurrency` requests run at once and at most `per_host` on one host. Finished
        bodies wait for the consumer in a window of `2 * concurrency`, so a slow consumer pauses
        the fetching instead of piling bodies up in memory. Stopping the iteration early cancels
        what has not started. `on_done(key, outcome)`, if given, is called in the fetching
        thread before the outcome is handed over (so work on it can start while the consumer
        is busy elsewhere); what it raises is ignored.
        """
        for finished in self.fetch_batches(jobs, on_done):
            yield from finished

    def fetch_batches(
        self,
        jobs: Iterable[tuple[K, str, Validators | None]],
        on_done: Callable[[K, Response | FetchError], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[list[tuple[K, Response | FetchError]]]:
        """`fetch_many`, each step handing over every outcome finished by then (at least one,
        in the order they finished): a consumer that was busy elsewhere gets all that waited
        for it at once, and can write them together. Once `stop` is set the iteration ends
        within a fraction of a second, without waiting for requests still on their way (their
        daemon threads end by themselves at their deadlines)."""
        scheduler = _Scheduler(self, list(jobs), on_done)
        try:
            yield from scheduler.batches(stop)
        finally:
            scheduler.cancel()

    # -- files --------------------------------------------------------------------------------

    def _fetch_file(self, url: str, path: Path, validators: Validators) -> Response:
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise FetchError(url, "no such file") from None
        except OSError as exc:
            raise FetchError(url, f"cannot read ({_describe(exc)})") from None
        if path.is_dir():
            raise FetchError(url, "is a directory, not a file")
        tag = f'"file-{stat.st_mtime_ns}-{stat.st_size}"'
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if validators.etag == tag:
            return Response(url, 304, etag=tag, last_modified=modified)
        limit = self.settings.max_bytes
        if stat.st_size > limit:
            raise FetchError(url, f"file larger than the limit of {limit} bytes")
        try:
            with path.open("rb") as handle:
                body = handle.read(limit + 1)
        except OSError as exc:
            raise FetchError(url, f"cannot read ({_describe(exc)})") from None
        if len(body) > limit:
            raise FetchError(url, f"file larger than the limit of {limit} bytes")
        return Response(url, 200, body, etag=tag, last_modified=modified)

    # -- HTTP ---------------------------------------------------------------------------------

    def _too_slow(self, url: str, started: float, in_headers: bool) -> FetchError:
        message, transient = _slow_message(
            self.settings, started, in_headers, getattr(self._feed_deadline, "until", None)
        )
        return FetchError(url, message, transient=transient)

    def _fetch_with_retries(self, url: str, validators: Validators) -> Response:
        """Attempts until one succeeds, the retries are used up, or the feed's own deadline
        (every attempt, redirect and backoff together) has passed: one slow server can hold a
        refresh for `feed_deadline` seconds at most, not three full request deadlines."""
        settings = self.settings
        attempt = 0
        until = time.monotonic() + settings.feed_deadline
        self._feed_deadline.until = until  # read by _exchange, in this thread only
        self._feed_deadline.auth = basic_auth(url)  # read by _request
        try:
            while True:
                attempt += 1
                try:
                    response = self._follow_redirects(url, validators)
                    response.attempts = attempt
                    return response
                except FetchError as exc:
                    if exc.refused_by:
                        # A host that is down refuses at once, and retries were its whole
                        # cost: 200 feeds of one stopped server held `fetch` for minutes
                        # (two at a time, each waiting ~2 s of backoff). Once one URL's every
                        # attempt was refused, the host's other URLs are tried once.
                        with self._host_cond:
                            known = exc.refused_by in self._refusing
                            if attempt > settings.retries:
                                self._refusing.add(exc.refused_by)
                        if known:
                            raise
                    if not exc.transient or attempt > settings.retries:
                        raise
                    delay = settings.backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                    if exc.retry_after is not None:
                        if exc.retry_after > settings.max_retry_after:
                            raise  # the caller schedules the next attempt after that delay
                        delay = max(delay, exc.retry_after)
                    if time.monotonic() + delay >= until:
                        raise  # no time left for another attempt
                    self.sleep(delay)
        finally:
            self._feed_deadline.until = None
            self._feed_deadline.auth = None

    def _follow_redirects(self, url: str, validators: Validators) -> Response:
        seen = {url}
        current = url
        all_permanent = True
        for _ in range(self.settings.max_redirects + 1):
            # Validators belong to the URL we stored them for; a redirect target starts afresh
            # unless the whole chain is permanent (then it is the same document, moved).
            sent = validators if current == url or all_permanent else Validators()
            status, response, location = self._request(current, sent)
            if status not in _REDIRECTS:
                assert response is not None
                if current != url and all_permanent:
                    response.permanent_url = current
                return response
            if not location:
                raise FetchError(current, f"HTTP {status} redirect without a Location")
            try:
                target = urljoin(current, location.strip())
                scheme = urlsplit(target).scheme.lower()
            except ValueError as exc:  # 'http://[::1': no URL Python can split
                raise FetchError(current, f"redirect to a bad URL ({exc})") from None
            if scheme not in ("http", "https"):
                raise FetchError(current, "redirect to a non-HTTP URL refused")
            if target in seen:
                raise FetchError(url, "redirect loop")
            seen.add(target)
            all_permanent = all_permanent and status in _PERMANENT
            current = target
        raise FetchError(url, f"too many redirects (more than {self.settings.max_redirects})")

    def _request(self, url: str, validators: Validators) -> tuple[int, Response | None, str]:
        try:
            scheme, host, port, target = _request_target(url)
        except ValueError as exc:
            raise FetchError(url, f"bad URL ({exc})") from None
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, "
            "*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
        try:
            headers.update(self.network.headers_for(url))
            proxy = self.network.proxy_for(scheme, host, port)
        except NetworkError as exc:
            raise FetchError(url, str(exc)) from None
        if proxy is not None and scheme == "http":  # HTTPS goes through a CONNECT tunnel
            target = _absolute_form(scheme, host, port, target)
            if proxy.authorization:
                headers["Proxy-Authorization"] = proxy.authorization
        auth = getattr(self._feed_deadline, "auth", None)
        if auth is not None and auth.applies_to(url) and "Authorization" not in headers:
            headers["Authorization"] = auth.header
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        for _ in range(3):
            conn, reused = self._pool.get(scheme, host, port, self.settings.timeout)
            try:
                return self._exchange(conn, scheme, host, port, url, target, headers)
            except _StaleConnection:
                conn.close()
                if reused:
                    continue  # the server closed an idle keep-alive connection: try another
                raise FetchError(
                    url, "connection closed by the server before any response", transient=True
                ) from None
        raise FetchError(url, "connection closed by the server before any response", transient=True)

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        scheme: str,
        host: str,
        port: int,
        url: str,
        target: str,
        headers: dict[str, str],
    ) -> tuple[int, Response | None, str]:
        settings = self.settings
        started = time.monotonic()
        deadline = started + settings.deadline
        feed_until = getattr(self._feed_deadline, "until", None)
        if feed_until is not None:
            deadline = min(deadline, feed_until)
        token: int | None = None
        keep = False
        in_headers = True  # until the status line and every header have arrived
        connected = False  # until the connection (or the proxy's tunnel) is up
        try:
            try:
                if conn.sock is None:
                    conn.connect()
                connected = True
                assert conn.sock is not None
                # The headers get a budget of their own: a server sending one header line a
                # second never trips the read timeout, and would otherwise hold the request
                # for its whole deadline.
                token = _WATCHDOG.arm(conn.sock, min(deadline, started + settings.header_deadline))
                conn.request("GET", target, headers=headers)
                resp = conn.getresponse()
                if _WATCHDOG.disarm(token):
                    raise _DeadlineExpired()
                in_headers = False
                token = _WATCHDOG.arm(conn.sock, deadline)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if token is not None and _WATCHDOG.disarm(token):
                    token = None
                    raise _DeadlineExpired() from None
                raise _StaleConnection() from None
            status = resp.status
            if status in _REDIRECTS:
                resp.read(64 * 1024)  # drain a small body so the connection can be reused
                keep = not resp.will_close and resp.isclosed()
                return status, None, resp.getheader("Location") or ""
            if status == 304:
                resp.read(64 * 1024)
                keep = not resp.will_close and resp.isclosed()
                return (
                    status,
                    Response(
                        url,
                        304,
                        etag=resp.getheader("ETag") or headers.get("If-None-Match", ""),
                        last_modified=resp.getheader("Last-Modified")
                        or headers.get("If-Modified-Since", ""),
                    ),
                    "",
                )
            if status != 200 and status != 203:
                raise _status_error(url, status, resp.reason, resp.getheader("Retry-After"))
            length = resp.getheader("Content-Length")
            if (
                length
                and length.strip().isdigit()
                and int(length) > settings.max_bytes
                and not resp.getheader("Content-Encoding")
            ):
                raise FetchError(
                    url,
                    f"response of {int(length)} bytes is larger than the "
                    f"limit of {settings.max_bytes} bytes",
                )
            reader = _BodyReader(url, resp.getheader("Content-Encoding") or "", settings.max_bytes)
            received = 0
            while True:
                chunk = resp.read1(_CHUNK)
                if not chunk:
                    break
                received += len(chunk)
                if received > settings.max_bytes * 4 + _CHUNK:  # compressed yet huge: refuse
                    raise FetchError(
                        url, f"response larger than the limit of {settings.max_bytes} bytes"
                    )
                reader.feed(chunk)
            if token is not None and _WATCHDOG.disarm(token):
                token = None
                raise _DeadlineExpired()
            if resp.length:  # the server closed before sending what Content-Length promised
                raise FetchError(
                    url,
                    f"connection closed after {received} bytes, {received + resp.length} announced",
                    transient=True,
                )
            body = reader.finish()
            resp.close()  # read1() leaves a complete response open; reuse needs it closed
            keep = not resp.will_close
            return (
                status,
                Response(
                    url,
                    200,
                    body,
                    content_type=resp.getheader("Content-Type") or "",
                    etag=resp.getheader("ETag") or "",
                    last_modified=resp.getheader("Last-Modified") or "",
                ),
                "",
            )
        except _DeadlineExpired:
            token = None
            raise self._too_slow(url, started, in_headers) from None
        except FetchError:
            raise
        except _StaleConnection:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if token is not None and _WATCHDOG.disarm(token):
                token = None
                raise self._too_slow(url, started, in_headers) from None
            # A resolver that gave no answer within the connect timeout is not asked again
            # at once: a retry would wait on the same stalled lookup (LookupTimeout).
            transient = not isinstance(
                exc, ssl.SSLCertVerificationError | socket.gaierror | LookupTimeout
            )
            proxy = self.network.proxy_for(scheme, host, port)
            message = describe_proxy_error(exc, proxy) or _describe(exc)
            if isinstance(exc, socket.timeout | TimeoutError):
                # "timed out" alone named neither the step nor the wait
                message = (
                    f"timed out: no answer for {settings.timeout:g} s"
                    if connected
                    else f"timed out connecting ({settings.timeout:g} s)"
                )
                # Not tried again in this refresh: the server has had its whole timeout, and
                # two more attempts held `fetch` for three (63.7 s for one stalled server of
                # four feeds, where the rest took under a second); the next refresh asks again.
                # Retries are for what fails fast and may pass a moment later (a reset, a 503).
                transient = False
            refused = isinstance(exc, ConnectionRefusedError) and not connected
            by = (str(proxy) if proxy else f"{host}:{port}") if refused else ""
            raise FetchError(url, message, transient=transient, refused_by=by) from None
        finally:
            if token is not None:
                _WATCHDOG.disarm(token)
            if keep:
                self._pool.put(scheme, host, port, conn)
            else:
                conn.close()


def _absolute_form(scheme: str, host: str, port: int, target: str) -> str:
    """The request target a proxy needs for a plain-HTTP URL: the whole URL."""
    default = 443 if scheme == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}{'' if port == default else f':{port}'}{target}"


def _slow_message(
    settings: FetchSettings, started: float, in_headers: bool, feed_until: float | None
) -> tuple[str, bool]:
    """What a deadline that fired means, and whether another attempt can help."""
    elapsed = time.monotonic() - started
    if feed_until is not None and time.monotonic() >= feed_until - 0.05:
        return f"no answer within the feed's deadline of {settings.feed_deadline:g} s", False
    if in_headers and elapsed >= settings.header_deadline - 0.05:
        # A trickle of headers is how the server behaves, not a passing hiccup: no retry.
        return (
            f"server sent headers too slowly (not complete after {settings.header_deadline:g} s)",
            False,
        )
    # A server that used the whole deadline is not asked again in this refresh (as a timeout).
    return f"took longer than {settings.deadline:g} s (server too slow)", False


class _StaleConnection(Exception):
    """A reused keep-alive connection turned out closed before any response came."""


def _status_error(url: str, status: int, reason: str, retry_after: str | None) -> FetchError:
    reason = " ".join((reason or "").split())[:60]
    label = f"HTTP {status}" + (f" {reason}" if reason else "")
    if status in _TRANSIENT_STATUS:
        wait = _retry_after(retry_after)
        hint = f" (retry after {wait:.0f} s)" if wait else ""
        return FetchError(url, f"{label}{hint}", transient=True, retry_after=wait, status=status)
    if status == 404:  # ("HTTP 404 Not Found: not found" said it twice)
        said = "not found" in reason.lower()
        return FetchError(url, label if said else f"{label}: not found", status=status)
    if status == 410:
        return FetchError(url, f"{label}: the server says it is gone for good", status=status)
    if status in (401, 403):
        return FetchError(url, f"{label}: access denied", status=status)
    if status == 407:  # (the proxy's name and the URL's password are not said: see network)
        return FetchError(
            url,
            f"{label}: the proxy wants a user name and password it accepts, given in its URL"
            " as USER:PASSWORD@ before the host",
            status=status,
        )
    return FetchError(url, label, status=status)


# -- several at once --------------------------------------------------------------------------


@dataclass
class _Job(Generic[K]):
    key: K
    url: str
    validators: Validators | None
    host: str = ""


@dataclass
class _Done(Generic[K]):
    key: K
    outcome: Response | FetchError


class _Scheduler(Generic[K]):
    """Worker threads for one fetch_many(); host counts are the fetcher's, shared."""

    def __init__(
        self,
        fetcher: Fetcher,
        jobs: list[tuple[K, str, Validators | None]],
        on_done: Callable[[K, Response | FetchError], None] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self._on_done = on_done
        self._cond = fetcher._host_cond
        self._running = fetcher._host_running
        self._pending: deque[_Job[K]] = deque(
            _Job(key, url, validators, host_key(url)) for key, url, validators in jobs
        )
        self._done: deque[_Done[K]] = deque()
        self._in_flight = 0
        self._cancelled = False
        self._total = len(self._pending)
        settings = fetcher.settings
        self._window = 2 * settings.concurrency
        for number in range(min(settings.concurrency, self._total)):
            thread = threading.Thread(target=self._work, name=f"fetch-{number}", daemon=True)
            thread.start()

    def _next_job(self) -> _Job[K] | None:
        """Called with the lock held: the first pending job whose host has room, if any."""
        if self._in_flight + len(self._done) >= self._window:
            return None
        per_host = self.fetcher.settings.per_host
        for index, job in enumerate(self._pending):
            if not job.host or self._running.get(job.host, 0) < per_host:
                del self._pending[index]
                return job
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                job = None
                while not self._cancelled and self._pending:
                    job = self._next_job()
                    if job is not None:
                        break
                    self._cond.wait()
                if job is None:
                    return
                self._in_flight += 1
                if job.host:
                    self._running[job.host] = self._running.get(job.host, 0) + 1
            outcome: Response | FetchError
            try:
                outcome = self.fetcher.fetch(job.url, job.validators)
            except FetchError as exc:
                outcome = exc
            except Exception as exc:  # a bug must not hang the whole refresh
                outcome = FetchError(job.url, f"internal error ({type(exc).__name__}: {exc})")
            if isinstance(outcome, Response) and outcome.body:
                # Hashed here, not by the consumer: blake2b lets go of the GIL on a large body,
                # so this thread's core does it, and the consumer (the refresh's one writer,
                # the thread every fetch waits on) was spending 0.5% of its time on it.
                outcome.digest()
            if self._on_done is not None and not self._cancelled:
                with contextlib.suppress(Exception):  # the consumer does the work itself then
                    self._on_done(job.key, outcome)
            with self._cond:
                self._in_flight -= 1
                if job.host:
                    self._running[job.host] -= 1
                self._done.append(_Done(job.key, outcome))
                self._cond.notify_all()

    def batches(
        self, stop: threading.Event | None = None
    ) -> Iterator[list[tuple[K, Response | FetchError]]]:
        left = self._total
        while left:
            with self._cond:
                # Ctrl-C ends it at once, and so does `stop`
                wait_until(self._cond, lambda: bool(self._done) or bool(stop and stop.is_set()))
                if stop is not None and stop.is_set():
                    return
                done = list(self._done)
                self._done.clear()
                self._cond.notify_all()  # window slots are free again
            left -= len(done)
            yield [(one.key, one.outcome) for one in done]

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._pending.clear()
            self._cond.notify_all()

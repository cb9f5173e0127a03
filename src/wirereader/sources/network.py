"""The network as users have it: proxies, the system's certificates, IDNA 2008, extra headers and
cookies. `sources/fetch.py` asks this module how to reach a URL; it owns the request itself.

- Proxies: `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (lowercase first, as curl reads them), or
  the config's `[fetch] proxy` / `no_proxy`, which take precedence. A plain-HTTP URL goes to
  the proxy in absolute form; an HTTPS URL goes through a `CONNECT` tunnel, so the proxy never
  sees the request or its headers. Only `http://` proxies are spoken to (what company proxies
  offer); a proxy's user and password become `Proxy-Authorization` and never appear in a
  message.
- Certificates: the operating system's store through truststore (company CAs installed there
  are trusted, as a browser trusts them); `SSL_CERT_FILE` / `SSL_CERT_DIR`, when set, name the
  CAs instead, as OpenSSL and every Python HTTP client read them.
- Host names: IDNA 2008 with the UTS 46 mapping (the `idna` package). Python's own "idna" codec
  is IDNA 2003, which maps `faß.de` to `fass.de`, another registered domain.
- Extra headers per host (`[fetch.headers]`) and per feed (`[[feeds]] headers`), and a Netscape
  `cookies.txt` file (`[fetch] cookies`), for feeds and articles behind a login. Their values are
  secrets: they are sent and never logged, printed, stored in the cache or exported.
"""

from __future__ import annotations

import base64
import functools
import http.client
import http.cookiejar
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

import idna

from wirereader.core.config import proxy_problem

if TYPE_CHECKING:
    from wirereader.core.config import Config

# Header names we set ourselves: a user's extra header must not replace the conditional-GET or
# encoding headers the body reader depends on.
_RESERVED = {
    "host",
    "accept-encoding",
    "if-none-match",
    "if-modified-since",
    "content-length",
    "transfer-encoding",
    "connection",
    "proxy-authorization",
}


class NetworkError(ValueError):
    """A proxy, cookie or header setting that cannot be used; one line, no secret in it."""


class LookupTimeout(OSError):
    """The system's resolver gave no answer for a host name within the connect timeout."""

    def __init__(self, host: str, seconds: float) -> None:
        super().__init__(f"host name lookup of {host} gave no answer within {seconds:g} s")
        self.host = host
        self.seconds = seconds


# -- name resolution with a deadline ------------------------------------------------------------
#
# getaddrinfo() has no timeout and cannot be interrupted: a resolver that does not answer (a
# VPN gone, a captive portal, a stale /etc/resolv.conf) held a fetch for the libc's retries,
# minutes, past the connect timeout, the watchdog and the feed's deadline, all of which start
# only once a socket exists. So the lookup runs in a daemon thread and the fetch waits for it
# at most the connect timeout; a lookup still stuck after that finishes (or not) on its own
# and never keeps the program from exiting. Lookups of one host:port running at the same time
# share one thread, so a stalled resolver costs one thread per name, not one per request.


class _Lookup:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: list[tuple] = []
        self.error: BaseException | None = None


_LOOKUPS: dict[tuple[str, int], _Lookup] = {}
_LOOKUPS_LOCK = threading.Lock()


def resolve(host: str, port: int, timeout: float) -> list[tuple]:
    """getaddrinfo(host, port, SOCK_STREAM), waiting at most `timeout` seconds for an answer.

    LookupTimeout when none came in time; socket.gaierror as getaddrinfo raises it."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # an address: nothing to ask a resolver, so no thread
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    key = (host, port)
    with _LOOKUPS_LOCK:
        lookup = _LOOKUPS.get(key)
        if lookup is None:
            lookup = _LOOKUPS[key] = _Lookup()
            threading.Thread(
                target=_run_lookup, args=(key, lookup), name="name-lookup", daemon=True
            ).start()
    if not lookup.done.wait(timeout):
        raise LookupTimeout(host, timeout)
    if lookup.error is not None:
        raise lookup.error
    return lookup.result


def _run_lookup(key: tuple[str, int], lookup: _Lookup) -> None:
    try:
        lookup.result = socket.getaddrinfo(key[0], key[1], 0, socket.SOCK_STREAM)
    except BaseException as exc:  # handed to every waiter, raised there
        lookup.error = exc
    finally:
        with _LOOKUPS_LOCK:
            if _LOOKUPS.get(key) is lookup:
                del _LOOKUPS[key]
        lookup.done.set()


def create_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: object = None
) -> socket.socket:
    """socket.create_connection with the host name looked up within `timeout` (a stand-in
    for http.client's `_create_connection`)."""
    host, port = address
    limit = timeout if timeout is not None and timeout > 0 else 60.0
    last: OSError | None = None
    for family, kind, proto, _name, where in resolve(host, port, limit):
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)  # type: ignore[arg-type]
            sock.connect(where)
            return sock
        except OSError as exc:
            last = exc
            if sock is not None:
                sock.close()
    if last is not None:
        raise last
    raise OSError(f"no address found for {host}")


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str = field(default="", repr=False)  # "Basic ...": never shown

    def __str__(self) -> str:  # what a message may name: no credentials
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class NetworkSettings:
    """What the config says about the network; the environment is read when it is applied."""

    proxy: str = field(default="", repr=False)  # "" = the environment's; "none" = direct
    no_proxy: str = ""  # hosts reached directly, NO_PROXY syntax, added to the environment's
    cookies: str = ""  # path of a Netscape cookies.txt
    # (host, ((name, value), ...)) and (feed URL, ...): tuples so the settings stay hashable
    host_headers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(
        default=(), repr=False
    )
    url_headers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(default=(), repr=False)

    @classmethod
    def from_config(cls, cfg: Config) -> NetworkSettings:
        return cls(
            proxy=cfg.proxy,
            no_proxy=cfg.no_proxy,
            cookies=cfg.cookies,
            host_headers=tuple(
                (host.lower(), tuple(headers.items())) for host, headers in cfg.headers.items()
            ),
            url_headers=tuple(
                (url_key(feed.url), tuple(feed.headers.items()))
                for feed in cfg.feeds
                if feed.headers
            ),
        )


# -- host names ---------------------------------------------------------------------------------


def ascii_host(host: str) -> str:
    """The host as sent on the wire: IDNA 2008 (UTS 46 mapped) for names, IPs as they are.

    ValueError when the name cannot be encoded (a label IDNA 2008 forbids, a bad hyphen)."""
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"host name is not valid ({exc})") from None


def url_key(url: str) -> str:
    """A URL compared loosely: lowercase scheme and host, default port and fragment dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


# -- the network, applied --------------------------------------------------------------------


class Network:
    """One fetcher's view of the network: which proxy, which TLS context, which extra headers.

    Safe to share between threads (the cookie jar has its own lock; the rest is read-only).
    """

    def __init__(
        self, settings: NetworkSettings | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings or NetworkSettings()
        env = os.environ if environ is None else environ
        self._environ = dict(env)
        self._proxies = self._read_proxies()
        self._host_headers = {host: dict(pairs) for host, pairs in self.settings.host_headers}
        self._url_headers = {url: dict(pairs) for url, pairs in self.settings.url_headers}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._jar: http.cookiejar.CookieJar | None = None
        self._jar_error = ""

    # -- proxies ----------------------------------------------------------------------------

    def _env(self, name: str) -> str:
        # lowercase first, as curl and urllib do; HTTP_PROXY is ignored under CGI, where a
        # client's "Proxy:" request header arrives as HTTP_PROXY (httpoxy).
        value = self._environ.get(name.lower())
        if value is None and not (name == "HTTP_PROXY" and "REQUEST_METHOD" in self._environ):
            value = self._environ.get(name.upper())
        return (value or "").strip()

    def _read_proxies(self) -> dict[str, str]:
        configured = self.settings.proxy.strip()
        if configured.lower() in ("none", "direct", "off"):
            return {}
        if configured:
            return {"http": configured, "https": configured}
        found = {}
        for scheme in ("http", "https"):
            value = self._env(f"{scheme}_proxy") or self._env("all_proxy")
            if value:
                found[scheme] = value
        return found

    def no_proxy(self) -> str:
        parts = [self._env("no_proxy"), self.settings.no_proxy]
        return ",".join(part for part in parts if part)

    def proxy_for(self, scheme: str, host: str, port: int) -> Proxy | None:
        """The proxy a request to scheme://host:port goes through, or None (direct)."""
        raw = self._proxies.get(scheme)
        if not raw:
            return None
        if bypasses(self.no_proxy(), host, port):
            return None
        return parse_proxy(raw)

    # -- TLS ----------------------------------------------------------------------------------

    def tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = tls_context(self._environ)
            return self._tls

    # -- connections ------------------------------------------------------------------------

    def connection(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> tuple[http.client.HTTPConnection, Proxy | None]:
        """A new, unconnected connection to host:port, through the proxy when there is one.

        Its host name (or the proxy's) is looked up with a deadline: `create_connection`."""
        conn, proxy = self._connection(scheme, host, port, timeout)
        conn._create_connection = create_connection  # type: ignore[attr-defined]
        return conn, proxy

    def _connection(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> tuple[http.client.HTTPConnection, Proxy | None]:
        proxy = self.proxy_for(scheme, host, port)
        if scheme == "https":
            if proxy is None:
                return http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=self.tls_context()
                ), None
            conn = http.client.HTTPSConnection(
                proxy.host, proxy.port, timeout=timeout, context=self.tls_context()
            )
            tunnel_headers = (
                {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
            )
            conn.set_tunnel(host, port, headers=tunnel_headers)
            return conn, proxy
        if proxy is None:
            return http.client.HTTPConnection(host, port, timeout=timeout), None
        return http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout), proxy

    # -- headers ----------------------------------------------------------------------------

    def headers_for(self, url: str) -> dict[str, str]:
        """Extra headers for a request to `url`: the host's, the feed's, and its cookies.

        Raises NetworkError when the cookies file cannot be read (the message names the file,
        never a cookie)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        extra: dict[str, str] = {}
        for candidate in _host_and_parents(host):
            for name, value in self._host_headers.get(candidate, {}).items():
                extra.setdefault(name, value)
        extra.update(self._url_headers.get(url_key(url), {}))
        cookie = self.cookie_header(url)
        if cookie:
            extra["Cookie"] = cookie
        return {k: v for k, v in extra.items() if k.lower() not in _RESERVED}

    def cookie_header(self, url: str) -> str:
        jar = self._cookie_jar()
        if jar is None:
            return ""
        request = urllib.request.Request(url)
        jar.add_cookie_header(request)
        return str(request.unredirected_hdrs.get("Cookie", ""))

    def _cookie_jar(self) -> http.cookiejar.CookieJar | None:
        path = self.settings.cookies
        if not path:
            return None
        with self._lock:
            if self._jar is None and not self._jar_error:
                self._jar, self._jar_error = load_cookies(Path(path).expanduser())
        if self._jar_error:
            raise NetworkError(self._jar_error)
        return self._jar


def bypasses(no_proxy: str, host: str, port: int) -> bool:
    """Whether NO_PROXY (curl's syntax) sends host:port direct: `*`; a name, which covers its
    subdomains (`example.org`, `.example.org`); an IP or a CIDR block (`10.0.0.0/8`); any of
    them with `:port`."""
    host = host.lower().strip("[]")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        name, wanted_port = entry, None
        if entry.count(":") == 1 or (entry.startswith("[") and "]:" in entry):
            name, _, port_text = entry.rpartition(":")
            if not port_text.isdigit():
                continue
            wanted_port = int(port_text)
        if wanted_port is not None and wanted_port != port:
            continue
        name = name.strip("[]")
        if address is not None:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name = name.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


def _host_and_parents(host: str) -> list[str]:
    """news.example.org, example.org, org: a [fetch.headers] key applies to its subdomains."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))] if host else []


def load_cookies(path: Path) -> tuple[http.cookiejar.CookieJar | None, str]:
    """The cookies of a Netscape cookies.txt (as curl and browser export add-ons write it), or
    the one-line reason it cannot be used.

    Read here rather than by `MozillaCookieJar`, which skips `#HttpOnly_` lines (a login's
    session cookie is usually HttpOnly) and rejects a whole file over one domain written
    without its leading dot."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None, f"cookies file {path}: no such file"
    except OSError as exc:
        return None, f"cookies file {path}: {exc.strerror or 'cannot read'}"
    jar = http.cookiejar.CookieJar()
    now = time.time()
    good = bad = 0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#HttpOnly_"):
            line = line.removeprefix("#HttpOnly_")
        if not line or line.startswith("#"):
            continue
        cookie = _cookie(line.split("\t"))
        if cookie is None:
            bad += 1
            continue
        good += 1
        if cookie.expires is None or cookie.expires > now:
            jar.set_cookie(cookie)
    if bad and not good:
        return None, f"cookies file {path}: not a Netscape cookies.txt file"
    return jar, ""


def _cookie(fields: list[str]) -> http.cookiejar.Cookie | None:
    if len(fields) == 6:  # an empty value at the end of the line was stripped
        fields.append("")
    if len(fields) != 7:
        return None
    domain, subdomains, path, secure, expires, name, value = fields
    if not domain or not name or not expires.strip().lstrip("-").isdigit():
        return None
    everywhere = subdomains.upper() == "TRUE" or domain.startswith(".")
    if everywhere and not domain.startswith("."):
        domain = "." + domain
    seconds = int(expires)
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain.lower(),
        domain_specified=everywhere,
        domain_initial_dot=domain.startswith("."),
        path=path or "/",
        path_specified=True,
        secure=secure.upper() == "TRUE",
        expires=seconds if seconds > 0 else None,  # 0: a session cookie, kept
        discard=seconds <= 0,
        comment=None,
        comment_url=None,
        rest={},
    )


@functools.lru_cache(maxsize=16)
def parse_proxy(raw: str) -> Proxy:
    """`http://user:pass@host:port`, or `host:port` (http assumed). NetworkError otherwise
    (`proxy_problem`'s words: the environment's proxy is checked only here)."""
    problem = proxy_problem(raw)
    if problem:
        raise NetworkError(problem)
    text = raw.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    assert parts.hostname is not None  # (proxy_problem said so)
    try:
        host = ascii_host(parts.hostname)
    except ValueError as exc:  # a name IDNA cannot encode
        raise NetworkError(f"proxy http://{parts.hostname}: {exc}") from None
    authorization = ""
    if parts.username is not None:
        user = unquote(parts.username)
        password = unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
    return Proxy(host, _port(parts) or 80, authorization)


def _port(parts: SplitResult) -> int | None:
    """The port, None when none is given, 0 when it is not a port."""
    try:
        return parts.port
    except ValueError:
        return 0


def tls_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """Certificates named by SSL_CERT_FILE / SSL_CERT_DIR when set, else the OS's store.

    truststore asks the operating system (Keychain on macOS, the Windows store, the system
    bundle on Linux), so a company CA installed for the browsers is trusted here too; without it
    (an install that lacks it) Python's default context is the fallback.
    """
    cafile = environ.get("SSL_CERT_FILE") or None
    capath = environ.get("SSL_CERT_DIR") or None
    if cafile and not Path(cafile).is_file():
        cafile = None  # a stale variable must not turn every HTTPS fetch into an error
    if capath and not Path(capath).is_dir():
        capath = None
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    try:
        import truststore
    except ImportError:  # pragma: no cover - truststore is a dependency
        return ssl.create_default_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def describe_proxy_error(exc: BaseException, proxy: Proxy | None) -> str:
    """A connection problem, naming the proxy when one was in the way ('' when not ours)."""
    if proxy is None:
        return ""
    text = str(exc)
    if text.startswith("Tunnel connection failed:"):
        return f"proxy {proxy} refused the tunnel ({text.split(':', 1)[1].strip()})"
    if isinstance(exc, ConnectionRefusedError):
        return f"proxy {proxy}: connection refused"
    if isinstance(exc, LookupTimeout):
        return f"proxy {proxy}: host name lookup gave no answer within {exc.seconds:g} s"
    if isinstance(exc, OSError) and "Name or service not known" in text:
        return f"proxy {proxy}: host not found"
    return ""

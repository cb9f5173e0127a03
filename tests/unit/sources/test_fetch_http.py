"""The HTTP client against a real server on 127.0.0.1: every bound and every politeness rule."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, _Handler
from wirereader.sources.fetch import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchError,
    FetchSettings,
    Response,
    Validators,
)

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def fast(**changes: object) -> FetchSettings:
    """Settings with short bounds so failure tests finish in well under a second or two."""
    base: dict[str, object] = {
        "timeout": 1.0,
        "deadline": 3.0,
        "retries": 0,
        "backoff": 0.01,
        "max_retry_after": 2.0,
    }
    return FetchSettings(**{**base, **changes})  # type: ignore[arg-type]


def test_user_agent_conditional_get_and_304(server: FeedServer) -> None:
    server.routes["/feed"] = Route(BODY, etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT")
    with Fetcher(fast()) as fetcher:
        first = fetcher.fetch(server.url("/feed"))
        assert first.status == 200 and first.body == BODY
        assert first.etag == '"v1"' and first.last_modified.startswith("Mon, 02 Mar")
        assert first.content_type.startswith("application/rss+xml")
        second = fetcher.fetch(server.url("/feed"), Validators(first.etag, first.last_modified))
    assert second.not_modified and second.body == b""
    assert second.etag == '"v1"'
    sent = server.hits("/feed")
    assert sent[0].headers["User-Agent"] == DEFAULT_USER_AGENT
    assert sent[0].headers["User-Agent"].startswith("wirereader/")
    assert "If-None-Match" not in sent[0].headers
    assert sent[1].headers["If-None-Match"] == '"v1"'
    assert sent[1].headers["If-Modified-Since"] == "Mon, 02 Mar 2026 10:00:00 GMT"
    assert "gzip" in sent[0].headers["Accept-Encoding"]


def test_last_modified_alone_gives_304(server: FeedServer) -> None:
    server.routes["/lm"] = Route(BODY, last_modified="Tue, 03 Mar 2026 08:00:00 GMT")
    with Fetcher(fast()) as fetcher:
        first = fetcher.fetch(server.url("/lm"))
        again = fetcher.fetch(server.url("/lm"), Validators("", first.last_modified))
    assert first.status == 200 and again.status == 304


def test_keep_alive_connection_is_reused(server: FeedServer) -> None:
    server.routes["/a"] = Route(BODY)
    with Fetcher(fast()) as fetcher:
        for _ in range(5):
            assert fetcher.fetch(server.url("/a")).body == BODY
    assert server.connections == 1


def test_gzip_and_both_kinds_of_deflate(server: FeedServer) -> None:
    big = BODY * 1000
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    server.routes["/gz"] = Route(gzip.compress(big), headers={"Content-Encoding": "gzip"})
    server.routes["/zl"] = Route(zlib.compress(big), headers={"Content-Encoding": "deflate"})
    server.routes["/raw"] = Route(
        raw.compress(big) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    with Fetcher(fast()) as fetcher:
        for path in ("/gz", "/zl", "/raw"):
            assert fetcher.fetch(server.url(path)).body == big, path


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (b"\x1f\x8b\x08\x00garbage" * 10, "gzip"),
        # A zlib header, then no deflate stream, zlib-wrapped or raw: the raw-deflate retry
        # raised zlib's own error, which the refresh showed as "internal error (error: ...)".
        (zlib.compress(BODY)[:2] + b"\xff" * 50, "deflate"),
        (b"<rss>not compressed</rss>", "deflate"),
    ],
)
def test_corrupt_gzip_is_one_line_error(server: FeedServer, body: bytes, encoding: str) -> None:
    server.routes["/bad"] = Route(body, headers={"Content-Encoding": encoding})
    with Fetcher(fast()) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/bad"))
    assert "corrupt compressed body" in str(info.value)
    assert "\n" not in str(info.value)


def test_permanent_redirects_are_reported_temporary_ones_not(server: FeedServer) -> None:
    server.routes["/old"] = Route(status=301, headers={"Location": "/older"})
    server.routes["/older"] = Route(status=308, headers={"Location": server.url("/new")})
    server.routes["/new"] = Route(BODY)
    server.routes["/temp"] = Route(status=302, headers={"Location": "/new"})
    server.routes["/mixed"] = Route(status=301, headers={"Location": "/temp"})
    with Fetcher(fast()) as fetcher:
        moved = fetcher.fetch(server.url("/old"))
        assert moved.body == BODY and moved.url == server.url("/new")
        assert moved.permanent_url == server.url("/new")
        temp = fetcher.fetch(server.url("/temp"))
        assert temp.body == BODY and temp.permanent_url == ""
        mixed = fetcher.fetch(server.url("/mixed"))
        assert mixed.body == BODY and mixed.permanent_url == ""


def test_redirect_loop_and_too_many_redirects(server: FeedServer) -> None:
    server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    server.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    for n in range(10):
        server.routes[f"/r{n}"] = Route(status=301, headers={"Location": f"/r{n + 1}"})
    with Fetcher(fast(max_redirects=5)) as fetcher:
        with pytest.raises(FetchError, match="redirect loop"):
            fetcher.fetch(server.url("/a"))
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.fetch(server.url("/r0"))


def test_redirect_to_a_file_url_is_refused(server: FeedServer) -> None:
    server.routes["/sneaky"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    with Fetcher(fast()) as fetcher, pytest.raises(FetchError, match="non-HTTP"):
        fetcher.fetch(server.url("/sneaky"))


def test_a_redirect_to_a_url_python_cannot_split_is_the_feed_failing(server: FeedServer) -> None:
    """`Location: http://[::1` (an IPv6 bracket never closed) made `urljoin` raise ValueError,
    which `add` and `fetch` reported as an internal error."""
    server.routes["/bracket"] = Route(status=301, headers={"Location": "http://[::1"})
    server.routes["/relative"] = Route(status=302, headers={"Location": "//[bad"})
    with Fetcher(fast()) as fetcher:
        for path in ("/bracket", "/relative"):
            with pytest.raises(FetchError, match="redirect to a bad URL") as info:
                fetcher.fetch(server.url(path))
            assert str(info.value).startswith(server.url(path))


def test_slow_server_times_out(server: FeedServer) -> None:
    server.routes["/slow"] = Route(BODY, delay=5)
    started = time.monotonic()
    with Fetcher(fast(timeout=0.5)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/slow"))
    assert time.monotonic() - started < 2.5
    # Which step, and how long it waited: "timed out" alone said neither.
    assert str(info.value) == f"{server.url('/slow')}: timed out: no answer for 0.5 s"
    assert not info.value.transient  # it had its whole timeout: the next refresh asks again


def _stall_mid_body(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.write(b"<rss>" + b" " * 1000)
    h.wfile.flush()
    h.feed_server.stopping.wait(5)


def _trickle(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(100):
        h.wfile.write(b" ")
        h.wfile.flush()
        if h.feed_server.stopping.wait(0.1):
            return


def test_stall_in_the_middle_of_the_body(server: FeedServer) -> None:
    server.routes["/stall"] = _stall_mid_body
    started = time.monotonic()
    with Fetcher(fast(timeout=0.5)) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(server.url("/stall"))
    assert time.monotonic() - started < 2.5


def test_trickling_server_hits_the_deadline(server: FeedServer) -> None:
    server.routes["/trickle"] = _trickle
    started = time.monotonic()
    fetcher = Fetcher(fast(timeout=1.0, deadline=1.0))
    with pytest.raises(FetchError, match="took longer than 1 s"):
        fetcher.fetch(server.url("/trickle"))
    assert time.monotonic() - started < 3


def test_size_cap_from_content_length_is_immediate(server: FeedServer) -> None:
    def huge_announced(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(1 << 30))  # "1 GB"
        h.end_headers()
        h.wfile.write(b"x" * 1000)
        h.feed_server.stopping.wait(5)

    server.routes["/huge"] = huge_announced
    started = time.monotonic()
    with Fetcher(fast(max_bytes=100_000)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/huge"))
    assert "larger than the limit of 100000 bytes" in str(info.value)
    assert time.monotonic() - started < 1.5


def test_size_cap_on_a_stream_without_length(server: FeedServer) -> None:
    sent = []

    def endless(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"y" * 65536
        try:
            for _ in range(16 * 1024):  # up to 1 GB if nobody stops reading
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent.append(len(chunk))
        except OSError:
            return

    server.routes["/endless"] = endless
    with Fetcher(fast(max_bytes=1_000_000)) as fetcher, pytest.raises(FetchError, match="limit"):
        fetcher.fetch(server.url("/endless"))
    time.sleep(0.2)
    assert sum(sent) < 50_000_000  # we hung up long before the gigabyte


def test_gzip_bomb_stops_at_the_cap(server: FeedServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    server.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    with Fetcher(fast(max_bytes=1_000_000)) as fetcher, pytest.raises(FetchError, match="limit"):
        fetcher.fetch(server.url("/bomb"))


def test_body_shorter_than_content_length(server: FeedServer) -> None:
    def short(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "5000")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"<rss>only a little</rss>")
        h.close_connection = True

    server.routes["/short"] = short
    with Fetcher(fast()) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/short"))
    assert "connection closed after 24 bytes, 5000 announced" in str(info.value)


def test_body_longer_than_content_length_does_not_poison_the_next_request(
    server: FeedServer,
) -> None:
    def long(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "10")
        h.end_headers()
        h.wfile.write(b"0123456789HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\njunk!")

    server.routes["/long"] = long
    server.routes["/next"] = Route(BODY)
    with Fetcher(fast(retries=0)) as fetcher:
        assert fetcher.fetch(server.url("/long")).body == b"0123456789"
        time.sleep(0.1)  # the extra bytes arrive on the idle connection
        assert fetcher.fetch(server.url("/next")).body == BODY
    assert len(server.hits("/next")) == 1


def test_retries_transient_errors_with_growing_backoff(server: FeedServer) -> None:
    calls = []

    def flaky(h: _Handler) -> None:
        calls.append(1)
        if len(calls) < 3:
            h.send(503, b"busy", "text/plain")
        else:
            h.send(200, BODY, "application/rss+xml")

    server.routes["/flaky"] = flaky
    fetcher = Fetcher(fast(retries=3, backoff=0.05))
    waits: list[float] = []

    def record_and_sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    fetcher.sleep = record_and_sleep
    response = fetcher.fetch(server.url("/flaky"))
    assert response.body == BODY and response.attempts == 3
    assert len(waits) == 2
    assert 0.025 <= waits[0] <= 0.05 and 0.05 <= waits[1] <= 0.1  # doubled, jittered


def test_gives_up_after_the_retries(server: FeedServer) -> None:
    server.routes["/down"] = Route(b"oops", status=500, content_type="text/plain")
    fetcher = Fetcher(fast(retries=2, backoff=0.01))
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/down"))
    assert "HTTP 500" in str(info.value) and info.value.transient
    assert len(server.hits("/down")) == 3


def test_not_found_is_not_retried(server: FeedServer) -> None:
    fetcher = Fetcher(fast(retries=3))
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/missing"))
    assert not info.value.transient
    assert len(server.hits("/missing")) == 1
    # Said once: "HTTP 404 Not Found: not found" repeated the server's own words.
    assert str(info.value) == f"{server.url('/missing')}: HTTP 404 Not Found"
    from wirereader.sources.fetch import _status_error

    assert _status_error("http://x.invalid/", 404, "", None).message == "HTTP 404: not found"


def test_429_retry_after_is_honoured(server: FeedServer) -> None:
    calls = []

    def limited(h: _Handler) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            h.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        else:
            h.send(200, BODY, "application/rss+xml")

    server.routes["/limited"] = limited
    with Fetcher(fast(retries=2, backoff=0.01)) as fetcher:
        assert fetcher.fetch(server.url("/limited")).body == BODY
    assert calls[1] - calls[0] >= 0.95


def test_long_retry_after_is_returned_not_waited(server: FeedServer) -> None:
    server.routes["/later"] = Route(b"", status=503, headers={"Retry-After": "3600"})
    started = time.monotonic()
    with Fetcher(fast(retries=3)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/later"))
    assert time.monotonic() - started < 1
    assert info.value.retry_after == pytest.approx(3600)
    assert "retry after 3600 s" in str(info.value)
    assert len(server.hits("/later")) == 1


def test_connection_reset_before_response(server: FeedServer) -> None:
    def reset(h: _Handler) -> None:
        # SO_LINGER 0: close() sends RST, as a crashing server or a middlebox would.
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        h.close_connection = True
        h.connection.close()

    server.routes["/reset"] = reset
    fetcher = Fetcher(fast(retries=1, backoff=0.01))
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/reset"))
    message = str(info.value)
    assert message.startswith(server.url("/reset") + ": ")
    assert "reset" in message or "closed" in message
    assert info.value.transient and len(server.hits("/reset")) == 2


def test_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with Fetcher(fast()) as fetcher, pytest.raises(FetchError, match="connection refused"):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed")


def test_a_host_that_refused_every_attempt_is_not_retried_for_its_other_urls(
    server: FeedServer,
) -> None:
    """A stopped server with many feeds (a local feed bridge, the 200 unseen feeds served from
    one port) held `fetch` for minutes: each of its URLs waited out the backoff of two retries
    on a refusal that came at once. Once one URL's every attempt was refused, the host's other
    URLs get one attempt each; another host, and a refusal before that, are retried as ever."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    server.routes["/up"] = Route(BODY)
    waits: list[float] = []
    with Fetcher(fast(retries=2, backoff=0.01, per_host=1)) as fetcher:
        fetcher.sleep = lambda seconds: waits.append(seconds)
        jobs = [(n, f"http://127.0.0.1:{port}/feed{n}", None) for n in range(12)]
        done = dict(fetcher.fetch_many([*jobs, ("up", server.url("/up"), None)]))
    refused = [done[n] for n in range(12)]
    assert all(isinstance(e, FetchError) and "connection refused" in str(e) for e in refused)
    assert isinstance(done["up"], Response) and done["up"].body == BODY
    assert len(waits) == 2  # the first URL's two retries; none for the other eleven (22)


def test_many_at_once_respects_per_host_limit(server: FeedServer) -> None:
    for n in range(8):
        server.routes[f"/f{n}"] = Route(BODY + str(n).encode(), delay=0.2)
    jobs = [(f"a{n}", server.url(f"/f{n}"), None) for n in range(8)]
    # "localhost" is another host to the client, served by the same server.
    jobs += [(f"b{n}", server.url(f"/f{n}", host="localhost"), None) for n in range(8)]
    started = time.monotonic()
    with Fetcher(fast(concurrency=6, per_host=2)) as fetcher:
        results = dict(fetcher.fetch_many(jobs))
    elapsed = time.monotonic() - started
    assert set(results) == {key for key, _, _ in jobs}
    for key, outcome in results.items():
        assert not isinstance(outcome, FetchError), outcome
        assert outcome.body == BODY + key[1:].encode()
    assert server.peak_per_host == {"127.0.0.1": 2, "localhost": 2}
    assert server.peak_total == 4
    # 8 requests of 0.2 s per host, 2 at a time, both hosts in parallel: about 0.8 s, not 3.2 s.
    assert elapsed < 2.0


def test_one_bad_url_does_not_affect_the_others(server: FeedServer) -> None:
    server.routes["/ok"] = Route(BODY)
    server.routes["/stall"] = _stall_mid_body
    server.routes["/err"] = Route(b"", status=500)
    jobs = [
        ("ok", server.url("/ok"), None),
        ("stall", server.url("/stall"), None),
        ("err", server.url("/err"), None),
        ("bad", "gopher://x/", None),
        ("ok2", server.url("/ok"), None),
    ]
    with Fetcher(fast(timeout=0.5)) as fetcher:
        results = dict(fetcher.fetch_many(jobs))
    assert results["ok"].body == BODY and results["ok2"].body == BODY
    for key in ("stall", "err", "bad"):
        assert isinstance(results[key], FetchError)
    assert "unsupported URL scheme" in str(results["bad"])


def test_fetched_bodies_come_hashed_by_the_fetching_threads(server: FeedServer) -> None:
    """`fetch_many` hands each body over with its digest worked out (in the thread that
    fetched it, not the consumer's), the same one `digest` gives a body hashed afresh; a 304
    has no body to hash."""
    server.routes["/a"] = Route(BODY, etag='"a1"')
    server.routes["/b"] = Route(BODY + b"b")
    jobs: list[tuple[str, str, Validators | None]] = [
        ("a", server.url("/a"), None),
        ("b", server.url("/b"), None),
        ("a304", server.url("/a"), Validators('"a1"', "")),
    ]
    with Fetcher(fast()) as fetcher:
        results = dict(fetcher.fetch_many(jobs))
    for key in ("a", "b"):
        outcome = results[key]
        assert isinstance(outcome, Response) and outcome._digest
        assert outcome._digest == Response(outcome.url, 200, outcome.body).digest()
    assert results["a"].digest() != results["b"].digest()
    not_modified = results["a304"]
    assert isinstance(not_modified, Response) and not_modified.not_modified
    assert not_modified._digest == ""


def test_local_paths_and_file_urls(tmp_path: Path) -> None:
    feed = tmp_path / "my feed.xml"
    feed.write_bytes(BODY)
    with Fetcher(fast()) as fetcher:
        by_path = fetcher.fetch(str(feed))
        by_url = fetcher.fetch(feed.as_uri())
        assert by_path.body == BODY and by_url.body == BODY
        again = fetcher.fetch(feed.as_uri(), Validators(by_url.etag, by_url.last_modified))
        assert again.not_modified
        feed.write_bytes(BODY + b" ")
        changed = fetcher.fetch(str(feed), Validators(by_url.etag, by_url.last_modified))
        assert changed.status == 200 and changed.body.endswith(b" ")
        with pytest.raises(FetchError, match="no such file"):
            fetcher.fetch(str(tmp_path / "missing.xml"))
        with pytest.raises(FetchError, match="directory"):
            fetcher.fetch(str(tmp_path))
    with Fetcher(fast(max_bytes=10)) as small, pytest.raises(FetchError, match="limit"):
        small.fetch(str(feed))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://bad host/feed", "host name is not valid"),
        ("http://127.0.0.1:99999/feed", "bad port"),
        ("http:///feed", "no host"),
        ("ftp://example.invalid/feed", "unsupported URL scheme 'ftp'"),
    ],
)
def test_bad_urls_are_one_line_errors(url: str, message: str) -> None:
    with Fetcher(fast()) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert message in str(info.value) and str(info.value).startswith(url)
    assert not info.value.transient


def test_non_ascii_path_is_quoted(server: FeedServer) -> None:
    server.routes["/caf%C3%A9%20news.xml"] = Route(BODY)
    with Fetcher(fast()) as fetcher:
        assert fetcher.fetch(server.url("/café news.xml")).body == BODY


def test_a_busy_consumer_gets_what_finished_meanwhile_at_once(server: FeedServer) -> None:
    """`fetch_batches` hands over every outcome finished while the consumer was busy in one
    step (a refresh saves those together), each exactly once, and never waits for more than
    one when only one has finished."""
    # The other five answer only once the first step is handed over: on a loaded machine they
    # could otherwise all finish before it, and the first step would hold them.
    released = threading.Event()

    def after_the_first_step(route: Route) -> Callable[[_Handler], None]:
        def answer(h: _Handler) -> None:
            released.wait(10)
            h.serve_route(route)

        return answer

    server.routes["/f0"] = Route(BODY + b"0")
    for n in range(1, 6):
        server.routes[f"/f{n}"] = after_the_first_step(Route(BODY + str(n).encode()))
    jobs: list[tuple[str, str, Validators | None]] = [
        (f"f{n}", server.url(f"/f{n}"), None) for n in range(6)
    ]
    steps: list[list[str]] = []
    with Fetcher(fast(concurrency=6, per_host=6)) as fetcher:
        for finished in fetcher.fetch_batches(jobs):
            steps.append([key for key, _ in finished])
            if len(steps) == 1:
                released.set()
                time.sleep(1.0)  # busy: the other five finish meanwhile
    assert steps[0] == ["f0"]
    assert sorted(key for step in steps for key in step) == [f"f{n}" for n in range(6)]
    assert all(steps) and max(len(step) for step in steps[1:]) >= 2

"""Deadlines per feed, not only per request: a server trickling its headers is named as such and
not retried, and every attempt of one URL together stays within the feed's deadline."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.feedserver import FeedServer, Route, _Handler
from wirereader.sources.fetch import Fetcher, FetchError, FetchSettings


def _header_trickle(h: _Handler) -> None:
    """One header line a second: each read is quick, the header never ends in time."""
    h.send_response(200)
    for n in range(600):
        h.send_header(f"X-Slow-{n}", "x")
        h.flush_headers()
        if h.feed_server.stopping.wait(0.2):
            return


def _stall(h: _Handler) -> None:
    h.feed_server.stopping.wait(30)


def test_a_header_trickle_is_named_and_not_retried(server: FeedServer) -> None:
    server.routes["/headers"] = _header_trickle
    settings = FetchSettings(timeout=1.0, deadline=60.0, header_deadline=1.5, retries=2)
    started = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/headers"))
    assert "server sent headers too slowly" in str(info.value)
    assert time.monotonic() - started < 4  # one attempt: a trickle is not a passing hiccup
    assert len(server.hits("/headers")) == 1


def test_every_attempt_of_a_feed_shares_one_deadline(server: FeedServer) -> None:
    # A 503 after a second's wait is worth another attempt; the attempts together stop at the
    # feed's deadline.
    server.routes["/busy"] = Route(b"busy", status=503, delay=1.0)
    settings = FetchSettings(timeout=5.0, feed_deadline=2.5, retries=5, backoff=0.01)
    started = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/busy"))
    elapsed = time.monotonic() - started
    # Without the feed's deadline, six attempts of one second each (and backoff) would run.
    assert elapsed < 4.5, elapsed
    assert 2 <= len(server.hits("/busy")) <= 3
    assert "HTTP 503" in str(info.value) or "deadline" in str(info.value)


def test_a_stalled_server_is_asked_once_per_refresh(server: FeedServer) -> None:
    # It has had its whole timeout (or deadline): two more attempts held `fetch` three times
    # as long (63.7 s for one stalled feed at the default 20 s); the next refresh asks again.
    server.routes["/stall"] = _stall
    for settings in (
        FetchSettings(timeout=1.0, retries=2, backoff=0.01),  # silent: the read timeout
        FetchSettings(timeout=5.0, deadline=1.0, retries=2, backoff=0.01),  # the deadline
    ):
        hits = len(server.hits("/stall"))
        started = time.monotonic()
        with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
            fetcher.fetch(server.url("/stall"))
        assert time.monotonic() - started < 2.5
        assert len(server.hits("/stall")) == hits + 1
        assert not info.value.transient
        assert "no answer for 1 s" in str(info.value) or "longer than 1 s" in str(info.value)


@pytest.fixture
def stalled_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """getaddrinfo as a resolver that does not answer behaves: names under `.stalled.test`
    block (libc retries for minutes) until the test ends; every other name is resolved as
    usual. The blocked lookups are released at teardown."""
    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, str) and host.endswith(".stalled.test"):
            release.wait(60)
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield release
    release.set()


def test_a_stalled_name_lookup_ends_at_the_connect_timeout(
    server: FeedServer, stalled_resolver: threading.Event
) -> None:
    server.routes["/feed.xml"] = Route(b"<rss/>")
    url = server.url("/feed.xml", host="news.stalled.test")
    settings = FetchSettings(timeout=1.0, retries=2, backoff=0.01)
    started = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    # One line naming the URL; no retry (it would wait on the same stalled lookup).
    assert str(info.value) == (
        f"{url}: host name lookup of news.stalled.test gave no answer within 1 s"
    )
    assert time.monotonic() - started < 3
    assert not info.value.transient
    # The lookup still waiting is a daemon thread: it never holds the program at exit.
    lookups = [t for t in threading.enumerate() if t.name == "name-lookup"]
    assert lookups and all(t.daemon for t in lookups)


def test_a_stalled_lookup_does_not_hold_the_other_feeds(
    server: FeedServer, stalled_resolver: threading.Event
) -> None:
    server.routes["/feed.xml"] = Route(b"<rss/>")
    urls = {
        "stalled": server.url("/feed.xml", host="news.stalled.test"),
        "fine": server.url("/feed.xml"),
    }
    settings = FetchSettings(timeout=1.0, concurrency=2)
    started = time.monotonic()
    with Fetcher(settings) as fetcher:
        outcomes = dict(fetcher.fetch_many((key, url, None) for key, url in urls.items()))
    assert time.monotonic() - started < 3
    assert isinstance(outcomes["stalled"], FetchError)
    assert "gave no answer within 1 s" in str(outcomes["stalled"])
    fine = outcomes["fine"]
    assert not isinstance(fine, FetchError) and fine.body == b"<rss/>"

"""Deadlines per feed, not only per request: a server trickling its headers is named as such and
not retried, and every attempt of one URL together stays within the feed's deadline."""

from __future__ import annotations

import time

import pytest

from tests.support.feedserver import FeedServer, _Handler
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
    server.routes["/stall"] = _stall
    settings = FetchSettings(timeout=1.0, deadline=1.0, feed_deadline=2.5, retries=5, backoff=0.01)
    started = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/stall"))
    elapsed = time.monotonic() - started
    # Without the feed's deadline, six attempts of one second each (and backoff) would run.
    assert elapsed < 4.5, elapsed
    assert 2 <= len(server.hits("/stall")) <= 3
    assert "too slow" in str(info.value) or "deadline" in str(info.value)

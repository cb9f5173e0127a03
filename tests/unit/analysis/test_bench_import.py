"""The benchmark corpora reach the cache dated, as a fetch stores them.

The speed and outcome figures of `bench/analysis_bench.py` (and the digests taken on its
corpora) are only those of a real cache if the items keep their times: a fixed import clock
before the corpora's dates once made the store drop them all as lying in the future, so the
analysis ran with one time for every item (time windows, time terms and time order all moot).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import pytest

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))
import analysis_bench
import feeds_bench
import news_corpus


def _stored_times(corpus: analysis_bench.Corpus) -> dict[tuple[str, str], tuple[object, int]]:
    with analysis_bench._imported(corpus) as store:
        return {
            (name, stable): (published, at)
            for name, stable, published, at in store.conn.execute(
                "SELECT s.name, e.stable_id, e.published, e.published_at"
                " FROM entries e JOIN sources s ON s.id = e.source_id"
            )
        }


def test_news_corpus_in_chunks_keeps_every_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(news_corpus, "CHUNK", 150)  # several chunks, each at its own clock
    given = {
        (feed, e.stable_id): e.published
        for chunk in news_corpus.news_chunks(600, feeds=12)
        for feed, entries in chunk.items()
        for e in entries
    }
    stored = _stored_times(lambda: news_corpus.news_chunks(600, feeds=12))
    assert len(stored) == len(given) == 600
    for key, when in given.items():
        assert when is not None
        published, at = stored[key]
        assert published is not None, key
        assert at == int(when.timestamp()), key


def test_feeds_bench_corpus_is_dated_and_the_same_on_any_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpora = []
    for day in (
        datetime(2026, 1, 5, tzinfo=timezone.utc),
        datetime(2027, 8, 1, tzinfo=timezone.utc),
    ):
        monkeypatch.setattr(feeds_bench.time, "time", lambda day=day: day.timestamp())
        corpora.append(analysis_bench.feeds_bench_corpus(feeds=4, items=30))
    assert corpora[0] == corpora[1]
    stored = _stored_times(corpora[0])
    assert len(stored) == 120
    for feed, entries in corpora[0].items():
        for e in entries:
            assert e.published is not None
            assert stored[(feed, e.stable_id)] == (
                e.published.isoformat(),
                int(e.published.timestamp()),
            )


def test_a_fetch_of_the_feeds_benchmark_keeps_its_dates() -> None:
    """Its server serves items dated from three days before the clock: none is in the future."""
    from wirereader.sources.feeds import parse_feed
    from wirereader.store.db import plausible

    now = int(datetime.now(timezone.utc).timestamp())
    for n, rss in enumerate(feeds_bench.make_feeds(200, 200)[::40]):
        for e in parse_feed(rss, url=f"http://bench.invalid/feed{n:03d}.xml").entries:
            assert plausible(e.published, now) is not None


def test_refresh_runs_analyse_every_entry_oldest_first_in_runs_of_their_size() -> None:
    # `--refresh`: the corpus saved oldest first, a run after each RUN entries; every entry is
    # analysed, each run finds only its own entries pending, and the digest names the outcome
    # (the same whatever ids the entries got: one run of the corpus twice gives the same).
    corpus = lambda: news_corpus.news_chunks(300, feeds=6)  # noqa: E731
    stream = analysis_bench._in_time_order(corpus)
    times = [e.published.timestamp() for _, e in stream if e.published]
    assert len(stream) == 300 and times == sorted(times)
    n, runs, _, report, digest = analysis_bench.refresh_runs(corpus, 70)
    assert (n, runs, report.entries) == (300, 5, 300)
    assert set(report.cpu) >= {"dedup", "entities", "threads"}
    whole = analysis_bench.refresh_runs(corpus, 1 << 62)
    assert whole[1] == 1 and whole[4] == analysis_bench.refresh_runs(corpus, 1 << 62)[4]
    threads = int(digest.split()[1].lstrip("("))
    assert 0 < threads < 300, digest

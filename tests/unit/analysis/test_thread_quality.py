"""Story-thread quality on the gold-labelled story sets in ../shared/corpus/stories.

Floors, not the figures of the day (`python bench/analysis_bench.py --no-speed` prints those):
a change that makes threads worse on either set fails here. The floors are the targets of the
analysis (UCI 0.87, ECB+ 0.92); in small batches, where threads stand now. The real-feed cases
are derived from the labels of `stories/realfeeds-dev.jsonl` (every thread and every labelled
story is checked, none picked by hand).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))
import analysis_bench
import thread_errors


@pytest.fixture(scope="module")
def ecbplus(corpus: Path) -> list:
    return analysis_bench.ecbplus(corpus / "stories" / "ecbplus-dev.jsonl")


@pytest.fixture(scope="module")
def uci(corpus: Path) -> list:
    return analysis_bench.uci(corpus / "stories" / "uci-dev.csv")


def test_uci_headlines_meet_the_target(uci: list) -> None:
    precision, recall, f1 = analysis_bench.score(uci).all.b3
    assert f1 >= 0.87, (precision, recall, f1)


def test_ecbplus_articles_meet_the_target(ecbplus: list) -> None:
    precision, recall, f1 = analysis_bench.score(ecbplus).all.b3
    assert f1 >= 0.92, (precision, recall, f1)
    assert precision >= 0.90, "look-alike events must stay apart"


@pytest.mark.parametrize("batch_size", [100, 500])
def test_quality_holds_when_items_arrive_in_small_batches(
    uci: list, ecbplus: list, batch_size: int
) -> None:
    """The app analyses what each refresh brings: threads must not need one big batch (a
    group of a later batch is scored against a thread's items pair by pair, as in one batch:
    UCI 0.885 -> 0.904 in batches of 100, ECB+ 0.910 -> 0.914)."""
    assert analysis_bench.score(uci, batch_size).all.b3[2] >= 0.895
    assert analysis_bench.score(ecbplus, batch_size).all.b3[2] >= 0.91


# -- real feeds: the six February-2026 feeds, imported together as a user would -----------------


@pytest.fixture(scope="module")
def labels(corpus: Path) -> list[dict]:
    path = corpus / "stories" / "realfeeds-dev.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.fixture(scope="module", params=[analysis_bench.BATCH, 50], ids=["one-analysis", "stream"])
def real(request: pytest.FixtureRequest, corpus: Path) -> analysis_bench.Result:
    """Threads of the real feeds, analysed in one go and 50 items at a time (as refreshes
    bring them); `pred[k]` is the thread of the k-th labelled item."""
    return analysis_bench.realfeeds(corpus, batch_size=request.param)


def _threads(real: analysis_bench.Result, labels: list[dict]) -> dict[int, list[dict]]:
    threads: dict[int, list[dict]] = defaultdict(list)
    for thread, row in zip(real.pred, labels, strict=True):
        threads[thread].append(row)
    return threads


def test_real_feeds_form_no_topic_buckets(real: analysis_bench.Result, labels: list) -> None:
    """A thread is a story, not a topic: none gathers the items of many labelled stories or
    runs over weeks (the issue's "Olympic medal count" thread held 22 items over three weeks,
    a "Bangladesh PM sworn in" thread held Czech TV, a retiring cat and Japan's prime minister),
    and the threads beat leaving every item alone."""
    for items in _threads(real, labels).values():
        stories = {row["story_id"] for row in items}
        times = [datetime.fromisoformat(row["published"].replace("Z", "+00:00")) for row in items]
        assert len(stories) <= 4, [row["title"] for row in items]
        assert max(times) - min(times) <= timedelta(days=4), [row["title"] for row in items]
    # Against leaving every item alone (0.920; it was 0.876 and 0.857, then 0.932 and 0.920,
    # then 0.947 and 0.946): clearly above, in one analysis and 50 items at a time as
    # refreshes bring them (0.956 and 0.963 now, since two teasers' titles must tell one event).
    assert real.all.b3[2] >= real.all.singletons[2] + 0.03, real.all.b3
    # Was 0.36 and 0.25 (3 in 4 links wrong), then 0.63 and 0.53, then 0.75 and 0.69; 0.88
    # and 0.94 now.
    assert real.all.pair[0] >= 0.85, real.all.pair


def test_real_feeds_join_what_readers_call_one_story(
    real: analysis_bench.Result, labels: list
) -> None:
    """Every labelled story of four or more items across outlets (a death, talks between two
    governments) has at least half its items in one thread, and most stories of two or more
    items have two of them together."""
    by_story: dict[str, list[int]] = defaultdict(list)
    for thread, row in zip(real.pred, labels, strict=True):
        by_story[row["story_id"]].append(thread)
    multi = {story: threads for story, threads in by_story.items() if len(threads) > 1}
    for story, threads in multi.items():
        if len(threads) >= 4:
            assert Counter(threads).most_common(1)[0][1] * 2 >= len(threads), story
    together = [story for story, threads in multi.items() if len(set(threads)) < len(threads)]
    # Two thirds in one analysis. At 50 items a batch, 14 of 22 now (15 before): a story whose
    # first items arrive alone joins fewer threads since one outlet's reports count less and a
    # candidate thread must share three of a group's strongest terms, while pairwise precision
    # rose 0.53 -> 0.69 and recall 0.57 -> 0.66 (a false merge costs more than a missed one).
    share = 2 / 3 if real.batch > 50 else 0.6
    assert len(together) >= len(multi) * share, (len(together), len(multi))


def test_the_cut_of_the_stream_decides_little(corpus: Path) -> None:
    """The same items make nearly the same threads however a refresh cuts the stream: of the
    same-thread pairs of one analysis and of 25 or 100 items per batch, most are in both
    (Jaccard index of the two sets of pairs; 0.66 and 0.98 while a later batch found a
    teaser's thread by its strongest terms alone, 0.90 and 1.0 now that short items also look
    it up by their titles' terms). The rest is the order of average linkage's merges: a
    group of a later batch is judged by its average pair with a thread that holds only the
    items of earlier batches."""
    one = analysis_bench.links(analysis_bench.realfeeds(corpus).pred)
    # At 10 per batch: 0.69 while a group of a later batch joined a known thread whole, 0.82
    # since only the items the thread would have taken in one batch join it (`_who_joins`).
    for size, floor in ((10, 0.8), (25, 0.85), (100, 0.85)):
        other = analysis_bench.links(analysis_bench.realfeeds(corpus, batch_size=size).pred)
        assert len(one & other) >= floor * len(one | other), (
            size,
            len(one & other),
            len(one | other),
        )


def test_the_error_listing_leaves_the_held_out_half_unread(
    real: analysis_bench.Result, corpus: Path
) -> None:
    """`bench/thread_errors.py` lists the dev half's errors for tuning: a dev item merged with
    held-out ones, and dev stories spread over threads, without ever showing a held-out
    item's title or story (tuning reads errors; the held-out half is judged by figures)."""
    items = thread_errors.realfeed_items(corpus)
    text = "\n".join(thread_errors.listing(items, real.pred))
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.title not in text and item.story not in text for item in held)
    # It does list the errors: a false merge touching the dev half (one analysis and the
    # stream both have some), each of its dev items by its title.
    merges = text.split("== missed links")[0]
    assert "thread " in merges
    dev_titles = [item.title[:90] for item in items if item.half == "dev"]
    assert any(title in merges for title in dev_titles)

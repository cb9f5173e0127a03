"""Story-thread quality on the gold-labelled story sets in ../shared/corpus/stories.

Floors, not the figures of the day (`python bench/analysis_bench.py --no-speed` prints those):
a change that makes threads worse on either set fails here. The floors are the targets of the
analysis (UCI 0.87; ECB+ 0.915, set under the 0.92 it held until a long report's repeated names
were ranked by their mentions: 0.9201 -> 0.9185 there, for real feeds never tuned on 0.679 ->
0.788 pairs F1); in small batches, where threads stand now. The real-feed cases
are derived from the labels of `stories/realfeeds-dev.jsonl` (every thread and every labelled
story is checked, none picked by hand).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO
from wirereader.analysis.features import strip_kind_prefix
from wirereader.analysis.pipeline import analyse_pending, person_term
from wirereader.analysis.threads import grouping
from wirereader.analysis.threads import item as threads_item
from wirereader.analysis.threads.index import ThreadIndex, ThreadOutcome
from wirereader.ingest.files import import_file
from wirereader.store.db import Store

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
    assert f1 >= 0.915, (precision, recall, f1)
    assert precision >= 0.90, "look-alike events must stay apart"


@pytest.mark.parametrize("batch_size", [100, 500])
def test_quality_holds_when_items_arrive_in_small_batches(
    uci: list, ecbplus: list, batch_size: int
) -> None:
    """The app analyses what each refresh brings: threads must not need one big batch (a
    group of a later batch is scored against a thread's items pair by pair, as in one batch:
    UCI 0.885 -> 0.904 in batches of 100, ECB+ 0.910 -> 0.914). In batches of 500 UCI is
    0.909 since later batches regroup with earlier threads, short items left where average
    linkage put them (0.900 with the last pass moving them too; 0.906 before)."""
    floor = 0.895 if batch_size < 500 else 0.905
    assert analysis_bench.score(uci, batch_size).all.b3[2] >= floor
    assert analysis_bench.score(ecbplus, batch_size).all.b3[2] >= 0.91


def test_a_young_batchs_split_story_is_joined_once_the_counts_grow(ecbplus: list) -> None:
    """ECB+ dev topic 1 (Lindsay Lohan's rehab reports) arrives in the first batches of 100:
    weighed by a cache of 100-400 documents, the batch grouped its reports in two threads, and
    no later item met them again (108 of one analysis's pairs missing). Once the run's counts
    have grown fourfold the young threads are weighed afresh and joined: the topic's
    same-thread pairs are one analysis's."""
    one = analysis_bench.score(ecbplus)
    cut = analysis_bench.score(ecbplus, 100)
    topic = [k for k, story in enumerate(one.gold) if story.startswith("1_")]
    assert len(topic) > 10

    def pairs(pred: list[int]) -> set[tuple[int, int]]:
        return {(a, b) for a in topic for b in topic if a < b and pred[a] == pred[b]}

    assert len(pairs(one.pred)) > 100
    assert pairs(cut.pred) == pairs(one.pred)


def test_young_threads_due_are_read_by_their_count(
    ecbplus: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The young threads are kept by the documents at which each is due (a heap of counts),
    so a batch reads only those due: at every batch of ECB+ dev at 100 a batch, the threads
    looked at are exactly those a walk over every young thread finds due, and every young
    thread is listed under its count. With a memory budget that evicts, a thread of the run
    that leaves memory leaves the young threads too (it is never known again)."""
    import wirereader.analysis.threads.index as index

    recheck, evict = ThreadIndex._recheck_young, ThreadIndex._evict
    seen = {"due": 0, "batches": 0, "evicted": 0}

    def listed(ix: ThreadIndex) -> None:
        for t, (at, _) in ix._young.items():
            assert at in ix._young_at and t in ix._young_at[at], (t, at)
        assert sorted(ix._young_due) == sorted(ix._young_at)

    def checked(ix: ThreadIndex, out: ThreadOutcome) -> None:
        listed(ix)
        before = dict(ix._young)
        due = {t for t, (at, _) in before.items() if at <= ix.docs}
        recheck(ix, out)
        listed(ix)
        for t, (at, left) in before.items():
            if t in due:
                assert ix._young.get(t) in (None, (at * index.RECHECK_GROWTH, left - 1))
                assert left > 1 or t not in ix._young
            else:
                assert ix._young.get(t) == (at, left)
        seen["due"] += len(due)
        seen["batches"] += 1

    def evicted(ix: ThreadIndex, horizon: int | None) -> None:
        had = set(ix.centroids)
        evict(ix, horizon)
        gone = {t for t in had - set(ix.centroids) if t > ix._earlier >= 0}
        assert not gone & set(ix._young)
        seen["evicted"] += len(gone)

    monkeypatch.setattr(ThreadIndex, "_recheck_young", checked)
    monkeypatch.setattr(ThreadIndex, "_evict", evicted)
    analysis_bench.score(ecbplus, 100)
    assert seen["batches"] >= 8 and seen["due"] >= 5 and not seen["evicted"], seen
    monkeypatch.setattr(index, "MEMORY_BUDGET", 60 * index.CENTROID_BYTES)
    analysis_bench.score(ecbplus, 100)
    assert seen["evicted"] > 10, seen


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
    """The same items make the same threads however a refresh cuts the stream. A later
    batch's groups are grouped again together with the threads of the run whose items they
    pair with (`ThreadIndex._regroup`: a thread may take items, lose them, split or merge),
    so at 25, 50 and 100 items per batch the same-thread pairs are exactly one analysis's
    (Jaccard 0.90 / 0.83 / 1.00 while a group joined such a thread whole or in part and a
    thread never changed again: the old floor of 0.85 also forbade a batched run to do better
    than one analysis). At 10 per batch, 70 of one analysis's 72 pairs and no other (Jaccard
    0.972; 68 of 70 since grouping.PLACES_APART parts two of its pairs): the regrouping also
    meets the threads that pair with a linked thread's items
    (`ThreadIndex._beside_linked`), and an earlier teaser may move to new reports (Jaccard
    0.797 before, 55 of 57 pairs kept and 12 more made; the document frequencies of the first
    small batches were not the cause: with the run's final ones from the first batch on, the
    same 0.797)."""
    one = analysis_bench.links(analysis_bench.realfeeds(corpus).pred)
    for size in (25, 50, 100):
        assert analysis_bench.links(analysis_bench.realfeeds(corpus, batch_size=size).pred) == one
    ten = analysis_bench.links(analysis_bench.realfeeds(corpus, batch_size=10).pred)
    assert len(one & ten) >= 0.95 * len(one), (len(one & ten), len(one))
    assert len(one & ten) >= 0.95 * len(one | ten), (len(one & ten), len(one | ten))


def test_the_order_feeds_arrive_in_decides_little(corpus: Path) -> None:
    """A fetch stores feeds in the order they arrive and analyses the oldest whole batches
    pending between two feeds' saves, so a later feed brings items older than those already
    placed. The six real feeds in six shuffled orders, a step after each feed: at 25 and 50
    per batch at least 0.95 of the same-thread pairs are one analysis's (0.972-1.000 and
    0.959-1.000 now; least 0.810 and 0.771 while a short item met the three threads sharing
    most of its title's terms counted plainly: a two-story headline went with the story whose
    reports had come first, `ThreadIndex._known_by_title`)."""
    one = analysis_bench.links(analysis_bench.realfeeds(corpus).pred)
    for size in (25, 50):
        for seed in range(1, 7):
            other = analysis_bench.links(analysis_bench.arrival_order(corpus, seed, size).pred)
            shared = len(one & other) / len(one | other)
            assert shared >= 0.95, (size, seed, shared)


def test_a_storys_first_report_joins_its_later_ones_in_any_batch(
    corpus: Path, labels: list
) -> None:
    """DW's "IOC bars" report, two days before its three later reports of Heraskevych's
    helmet ban, pairs by itself with one of them only: one analysis's last pass moves it into
    their group. In batches of 25 it is left alone by its own batch and the later reports join
    their thread without pairing with it; the regrouping now meets its thread beside theirs
    and moves it there, as one analysis does."""
    story = "heraskevych-helmet-ban"
    at = [k for k, row in enumerate(labels) if row["story_id"] == story]
    assert len(at) == 4
    for size in (analysis_bench.BATCH, 25, 10):
        pred = analysis_bench.realfeeds(corpus, batch_size=size).pred
        assert len({pred[k] for k in at}) == 1, size


def test_each_refresh_a_run_of_its_own_meets_earlier_threads_item_by_item(
    corpus: Path, labels: list
) -> None:
    """Every refresh is a run of its own (a process of its own in real use): a new run reads
    back the items of the earlier runs' small threads it meets (`ThreadIndex._read_members`)
    and meets them as a batch of one run does. The real feeds, each batch its own run: at 25
    and 50 per run exactly one analysis's same-thread pairs (0.49 and 0.90 of them on the dev
    half when earlier runs' threads were met by their centroids only), at 10 per run 68 of
    its 70 and no other (70 of 72 before grouping.PLACES_APART parted two), and Heraskevych's
    four reports one thread at 25 and 10 per run."""
    one = analysis_bench.links(analysis_bench.realfeeds(corpus).pred)
    story = [k for k, row in enumerate(labels) if row["story_id"] == "heraskevych-helmet-ban"]
    for size in (50, 25, 10):
        pred = analysis_bench.realfeeds(corpus, batch_size=size, own_runs=True).pred
        runs = analysis_bench.links(pred)
        if size == 10:
            assert len(one & runs) >= 0.95 * len(one | runs), (len(one & runs), len(one | runs))
        else:
            assert runs == one, size
        if size < 50:
            assert len({pred[k] for k in story}) == 1, size


def test_one_outlets_two_teasers_pair_only_naming_one_entity(
    real: analysis_bench.Result, labels: list
) -> None:
    """One outlet's two reports of one event name its person twice, even spelled two ways:
    DW's "Vladislav Heraskevych's Olympic helmet appeal dismissed" and its "Ukraine athlete
    Heraskevych: 'My Olympic moment was stolen'" (which spells him "Vladyslav") are one
    thread, and ABC's "Man, 19, released without charge after fatal Arnhem Land stabbing",
    which shares only a beat's words ("man", "stabbing", "police") with another ABC report of
    the same hours, is a thread of its own."""
    thread = {row["title"]: t for t, row in zip(real.pred, labels, strict=True)}
    appeal = next(t for title, t in thread.items() if title.startswith("Vladislav Heraskevych"))
    moment = next(t for title, t in thread.items() if "My Olympic moment" in title)
    assert appeal == moment
    released = next(t for title, t in thread.items() if title.startswith("Man, 19, released"))
    assert real.pred.count(released) == 1


def test_two_teasers_naming_two_places_stay_apart_however_the_stream_is_cut(
    corpus: Path, labels: list
) -> None:
    """Al Jazeera's "Hamas: Trump's 'Board of Peace' must stop Israel's killing in Gaza" and
    its "Sheinbaum says Mexico declines Trump's 'Board of Peace' invite" share the board's
    words and name Gaza and Mexico in their leads: two events (grouping.PLACES_APART). Each
    pairs with one NYT report, so cut into batches they met through its thread: an item of an
    earlier batch (or run) had no text to read its places from, a group joined that thread
    without being regrouped with it, and the regrouping's last pass moved the Mexico teaser
    beside the report it pairs with, the pair put apart. Now every item carries its lead's
    places (read back from its text when its vector is stored), such a join is regrouped,
    and a pair put apart is never the one that lets an item move: apart in one analysis, at
    25 per batch and each batch of 25 or 50 a run of its own."""
    hamas = next(k for k, r in enumerate(labels) if r["title"].startswith("Hamas: Trump"))
    mexico = next(k for k, r in enumerate(labels) if r["title"].startswith("Sheinbaum says"))
    assert labels[hamas]["feed"] == labels[mexico]["feed"] == "aljazeera-all.rss"
    runs = [
        analysis_bench.realfeeds(corpus),
        analysis_bench.realfeeds(corpus, batch_size=25),
        analysis_bench.realfeeds(corpus, batch_size=25, own_runs=True),
        analysis_bench.realfeeds(corpus, batch_size=50, own_runs=True),
    ]
    for run in runs:
        assert run.pred[hamas] != run.pred[mexico], run.batch
    one = analysis_bench.links(runs[0].pred)
    assert all(analysis_bench.links(run.pred) == one for run in runs[1:])


def test_a_lone_teaser_moves_beside_a_story_only_through_a_name_or_two_partners(
    tmp_path: Path,
) -> None:
    """Foreign Policy's argument "Migration Can Provide the Manpower for European Defense"
    (a teaser: "Creating a pathway to citizenship in return for military service will help
    Europe stand on its own.") and its "Europe to America: 'We Are Looking for New Partners'",
    with The Week's "Munich Security Conference: a showdown between Europe and Trump?" (dev2
    feeds, cut to these three items in tests/fixtures/feeds, imported together): average
    linkage leaves the argument alone, and the grouping's last pass moved it into the Munich
    reports' group through one partner that names nothing of it. A lone teaser now moves
    only into a group holding a partner it shares a name with, or two partners
    (grouping.LONE_TEASER_PARTNERS): the Munich reports stay one thread, the argument a thread
    of its own."""
    fixtures = REPO / "tests/fixtures/feeds"
    files = [
        fixtures / "foreign-policy-munich-argument.rss",
        fixtures / "the-week-munich-report.rss",
    ]
    with Store(tmp_path / "c.sqlite3") as store:
        for path in files:
            import_file(store, path, analyse=False)
        analyse_pending(store)
        thread = dict(store.conn.execute("SELECT title, thread_id FROM entries"))
    argument = thread["Migration Can Provide the Manpower for European Defense"]
    munich = thread["Munich Security Conference: a showdown between Europe and Trump?"]
    assert thread["Europe to America: ‘We Are Looking for New Partners’"] == munich
    assert argument != munich
    assert list(thread.values()).count(argument) == 1


def test_a_lead_names_its_places_and_waives_for_a_name_both_hold() -> None:
    """A lead's places are the item's place terms whose words stand together in its title or
    first sentences (not "us" inside "business"); two leads naming places, none in common, are
    apart unless one names a person or organisation in full whose every word the other
    holds (one story told from two countries)."""
    terms = ["@place:dhaka", "@place:us", "@person:tarique rahman", "@org:bnp"]
    sworn = grouping.lead_of(
        "Tarique Rahman sworn in", "Bangladesh's new leader took office in Dhaka. More.", terms
    )
    assert sworn is not None
    assert sworn.places == {"@place:dhaka"} and sworn.names == (("tarique", "rahman"),)
    letter = grouping.lead_of(
        "Modi writes to Bangladesh", "India's leader wrote to Tarique Rahman.", ["@place:india"]
    )
    other = grouping.lead_of("A vote in Delhi", "Business as usual in India.", ["@place:india"])
    assert letter is not None and other is not None
    assert not grouping.places_apart(sworn, letter) and not grouping.places_apart(letter, sworn)
    assert grouping.places_apart(sworn, other) and grouping.places_apart(other, sworn)
    assert not grouping.places_apart(letter, other)
    assert grouping.lead_of("Markets", "Business is slow.", ["@place:us"]) is None


def test_a_persons_romanisations_and_generations_make_one_thread_term() -> None:
    """A "y" inside a word of a person's name reads as "i" in the thread term, and a 'Jr.' or
    'Sr.' ending it is left out; the first letter of a word, a numeral and other kinds are
    left as they are."""
    assert person_term("Vladyslav Heraskevych") == person_term("Vladislav Heraskevych")
    assert person_term("Yulia Tymoshenko") == "@person:yulia timoshenko"
    assert person_term("Vladyslav Heraskevych") != person_term("Vladislav Herask")
    assert person_term("Arcade Joseph Comeaux Jr.") == person_term("Arcade Joseph Comeaux")
    assert person_term("Frank Sinatra, Jr.") == "@person:frank sinatra"
    assert person_term("Adolph Coors III") == "@person:adolph coors iii"
    assert person_term("Jean Junior") == "@person:jean junior"


def test_a_regrouped_stream_leaves_the_cache_consistent(
    uci: list, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UCI's headlines 100 at a time: later batches regroup threads of earlier ones (earlier
    items move to another thread, and a thread whose items all went elsewhere goes). Each
    thread's size and span are still its items', reposts sit in their item's thread, no
    thread is left without items, each thread is titled by one of its items, and no entity
    scope names a thread that is gone."""
    changes: Counter[str] = Counter()
    place = ThreadIndex.place_batch

    def counted(self: ThreadIndex, *args: Any, **kwargs: Any) -> ThreadOutcome:
        out = place(self, *args, **kwargs)
        changes["moved"] += len(out.moved)
        changes["emptied"] += len(out.emptied)
        return out

    monkeypatch.setattr(ThreadIndex, "place_batch", counted)
    by_source: dict[str, list] = defaultdict(list)
    for source, entry, _story, _half in uci:
        by_source[source].append(entry)
    for source, entries in by_source.items():
        sid = store.ensure_source(f"bench:{source}", "feed", name=source)
        store.save_entries(sid, entries, seen_at=1_700_000_000)
    analyse_pending(store, batch_size=100)
    assert changes["moved"] > 0 and changes["emptied"] > 0, changes
    conn = store.conn
    wrong = conn.execute(
        "SELECT t.id FROM threads t JOIN (SELECT thread_id, count(*) n, min(published_at) a,"
        " max(published_at) b FROM entries WHERE repost_of IS NULL AND thread_id IS NOT NULL"
        " GROUP BY thread_id) e ON e.thread_id = t.id"
        " WHERE t.size != e.n OR t.first_at != e.a OR t.last_at != e.b"
    ).fetchall()
    assert wrong == []
    assert (
        conn.execute(
            "SELECT count(*) FROM threads t WHERE NOT EXISTS"
            " (SELECT 1 FROM entries e WHERE e.thread_id = t.id)"
        ).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT count(*) FROM entries e JOIN entries r ON r.id = e.repost_of"
            " WHERE e.thread_id IS NOT r.thread_id"
        ).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT count(*) FROM entries WHERE thread_id IS NULL AND repost_of IS NULL"
        ).fetchone()[0]
        == 0
    )
    # an item's title, without a label that says what the item is ("Watch: a new trailer for
    # Game of Thrones" titles its thread "a new trailer for Game of Thrones": `index`)
    titles: dict[int, set[str]] = defaultdict(set)
    for thread, title in conn.execute("SELECT thread_id, title FROM entries"):
        titles[thread] |= {title.strip(), strip_kind_prefix(title).strip()}
    untitled = [
        (thread, title)
        for thread, title in conn.execute("SELECT id, title FROM threads")
        if title not in titles[thread]
    ]
    assert untitled == []
    # Short forms learned in a thread's scope go with the thread: a new thread can take a
    # dropped thread's id again, and must not resolve "Kim" by a stranger's full name.
    scopes = conn.execute(
        "SELECT count(*), count(t.id) FROM entity_scoped_keys k LEFT JOIN threads t"
        " ON k.scope = 't:' || t.id WHERE k.scope LIKE 't:%'"
    ).fetchone()
    assert scopes[0] > 0 and scopes[0] == scopes[1], scopes


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


def test_the_error_signals_are_the_index_s_and_leave_the_held_out_half_unread(
    corpus: Path,
) -> None:
    """`thread_errors.py --signals` shows, under each dev error, what the thread index saw of
    its pairs: the pair score it grouped by, and the entities and words a pair of dev items
    shares; a pair with a held-out item shows its figures only (its shared terms would tell
    what the held-out item says)."""
    placing = threads_item.Item.of
    items, pred, signals = thread_errors.realfeeds(corpus, analysis_bench.BATCH, signals=True)
    assert signals is not None
    assert threads_item.Item.of == placing, (
        "the index places items as before once the listing is made"
    )
    lines = thread_errors.listing(items, pred, signals)
    text = "\n".join(lines)
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.title not in text and item.story not in text for item in held)
    pairs = [k for k, line in enumerate(lines) if line.startswith("    pair: ")]
    assert pairs, "the listing has pairs under its errors"
    with_held = [k for k in pairs if thread_errors.HELD in lines[k]]
    assert with_held, "a dev item merged with a held-out one is listed with its figures"
    for k in with_held:
        assert lines[k + 1].lstrip().startswith("score ")
        assert k + 2 == len(lines) or not lines[k + 2].lstrip().startswith("entities")
    dev_pairs = [k for k in pairs if k not in with_held]
    assert all(lines[k + 2].lstrip().startswith("entities") for k in dev_pairs)
    # The scores are the index's: two short items alone in one thread were put together by
    # their own pair, which reaches 1 (every real-feed item is short).
    members: dict[int, list[int]] = defaultdict(list)
    for k, thread in enumerate(pred):
        members[thread].append(k)
    twos = [m for m in members.values() if len(m) == 2 and signals.placed[m[0]] is not None]
    assert len(twos) > 5
    assert all(signals.score(a, b) >= 1.0 for a, b in twos)


def test_the_band_counts_cover_every_dev_pair_and_only_dev_pairs(corpus: Path) -> None:
    """`thread_errors.py --bands` counts the pairs of two dev items sharing a term by where the
    index put them and by their scores, one story or two: every such pair once, a held-out
    item in none, and the pairs the title rule alone holds apart scoring 1 or more without it
    are two stories (the rule's reason: a teaser's words are its beat's)."""
    items, pred, signals = thread_errors.realfeeds(corpus, analysis_bench.BATCH, signals=True)
    assert signals is not None
    counts = thread_errors.band_counts(items, pred, signals)
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    sharing = [
        (a, b)
        for i, a in enumerate(dev)
        for b in dev[i + 1 :]
        if signals.placed[a].vector.keys() & signals.placed[b].vector.keys()
    ]
    assert sum(one + two for one, two in counts.values()) == len(sharing)
    one_story = [(a, b) for a, b in sharing if items[a].story == items[b].story]
    assert sum(one for one, _ in counts.values()) == len(one_story)
    together = [(a, b) for a, b in one_story if pred[a] == pred[b]]
    assert counts[("together", "")][0] == len(together) > 0
    one, two = counts[("apart by the title rule, without it", "1 or more")]
    assert two > one
    lines = thread_errors.band_listing(items, pred, signals)
    assert len(lines) == len(counts) + 1
    text = "\n".join(lines)
    assert all(item.title not in text for item in items)


def test_the_band_counts_part_the_pairs_the_one_outlet_name_test_holds_apart(
    corpus: Path,
) -> None:
    """`--bands` counts apart the pairs the one-outlet name test alone zeroes (one outlet's two
    teasers that name no entity in common, `grouping._share_entity`), by what they would score
    without it: every such pair is of one outlet, and the grouping's own test is back in place
    once they are counted."""
    test = grouping._share_entity
    items, pred, signals = thread_errors.realfeeds(corpus, analysis_bench.BATCH, signals=True)
    assert signals is not None
    counts = thread_errors.band_counts(items, pred, signals)
    assert grouping._share_entity is test
    where = "apart by the one-outlet name test, without it"
    counted = sum(one + two for (place, _), (one, two) in counts.items() if place == where)
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    held = [
        (a, b)
        for i, a in enumerate(dev)
        for b in dev[i + 1 :]
        if pred[a] != pred[b]
        and signals.placed[a].vector.keys() & signals.placed[b].vector.keys()
        and signals._scores(a, b) == (0.0, 0.0)
        and signals.unnamed(a, b) > 0.0
    ]
    assert counted == len(held) > 0
    assert all(signals.placed[a].outlet == signals.placed[b].outlet for a, b in held)
    # On the six's dev half no pair of one story is among them (the test's reason: one
    # outlet's two teasers of its beat share its words, not a name).
    assert all(items[a].story != items[b].story for a, b in held)


@pytest.mark.parametrize("batch", [analysis_bench.BATCH, 25], ids=["one-analysis", "stream"])
def test_the_path_counts_name_what_joined_every_dev_pair_of_one_thread(
    corpus: Path, batch: int
) -> None:
    """`thread_errors.py --paths` counts every pair of two dev items in one thread by the path
    that joined them, and only those: in one analysis the grouping's linkage and its last pass
    join them all; 25 at a time, later groups join earlier threads by their pairs with the
    threads' items or in a regrouping. The index's methods are its own again afterwards, and
    the listing shows no held-out item."""
    placing = threads_item.Item.of
    methods = {name: getattr(ThreadIndex, name) for name in ("_add", "_place", "_regroup")}
    with thread_errors.paths_traced() as paths:
        items, pred, signals = thread_errors.realfeeds(corpus, batch, signals=True)
    assert signals is not None
    assert threads_item.Item.of == placing
    assert all(getattr(ThreadIndex, name) == method for name, method in methods.items())
    signals.paths = paths
    dev = [k for k, item in enumerate(items) if item.half == "dev"]
    together = [(a, b) for i, a in enumerate(dev) for b in dev[i + 1 :] if pred[a] == pred[b]]
    named = Counter(signals.joined_by(a, b) for a, b in together)
    assert "?" not in named, named
    lines = thread_errors.path_listing(items, pred, signals)
    total = next(line for line in lines if line.lstrip().startswith("all "))
    assert total.split()[1:] == [
        str(sum(items[a].story == items[b].story for a, b in together)),
        str(sum(items[a].story != items[b].story for a, b in together)),
    ]
    if batch == analysis_bench.BATCH:
        assert set(named) == {"grouping: linkage", "grouping: last pass"}, named
    else:
        assert named["join by pairs"] and named["regroup: linkage"], named
    # Two items alone in a thread of their own were put together by the grouping's linkage
    # (their own pair reaches 1) or joined by their pair.
    members: dict[int, list[int]] = defaultdict(list)
    for k, thread in enumerate(pred):
        members[thread].append(k)
    twos = [m for m in members.values() if len(m) == 2 and m[0] in dev and m[1] in dev]
    assert twos
    assert all(
        signals.joined_by(a, b) in ("grouping: linkage", "regroup: linkage", "join by pairs")
        for a, b in twos
    )
    text = "\n".join(lines)
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.title[:50] not in text and item.story not in text for item in held)


def test_the_evidence_counts_cover_the_dev_pairs_of_one_thread(corpus: Path, ecbplus: list) -> None:
    """`thread_errors.py --evidence` counts every pair of two dev items in one thread, one story
    or two, by what would tell their events apart; each class holds only such pairs, and the
    listing shows counts, no item. On ECB+, whose threads merge a topic's two events, the two
    events' pairs are there to count."""
    items, pred, signals = thread_errors.gold_set(ecbplus, analysis_bench.BATCH, signals=True)
    assert signals is not None
    counts = thread_errors.evidence_counts(items, pred, signals)
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    together = [(a, b) for i, a in enumerate(dev) for b in dev[i + 1 :] if pred[a] == pred[b]]
    two = sum(items[a].story != items[b].story for a, b in together)
    assert counts["in one thread"] == [len(together) - two, two]
    assert two > 0
    for one_story, two_stories in counts.values():
        assert one_story <= len(together) - two and two_stories <= two
    # ECB+ states years and dates: its newer events' reports open with a dateline.
    assert sum(counts["years in the text"]) > 0
    assert sum(counts["month and day in the text"]) > 0
    text = "\n".join(thread_errors.evidence_listing(items, pred, signals))
    assert all(item.title not in text for item in items if len(item.title) > 12)


def test_the_evidence_of_one_report_is_what_its_text_states(ecbplus: list) -> None:
    """What `--evidence` reads of a report: years and dates in either order, figures of dead,
    and the names its vector holds that its title or first sentences name."""
    mt_cook = {entry.title: entry for _, entry, _, _ in ecbplus}
    british = mt_cook["British climber dies in New Zealand fall"]
    stated = thread_errors.evidence(
        british.title, british.body, {"@place:new zealand", "@person:mark vinar"}
    )
    assert stated["years in the text"] == {"2013"}
    assert "sep 16" in stated["month and day in the text"]  # "Monday 16 September 2013"
    assert stated["other names in title or lead"] == {"@place:new zealand"}
    assert stated["people in title or lead"] == set()
    two = mt_cook["Two climbers killed in Mt Cook falls"]
    assert thread_errors.evidence(two.title, two.body, set())["figures of dead or hurt"] == {"two"}


def test_the_event_listing_shows_each_bucket_s_events_and_where_they_met(ecbplus: list) -> None:
    """`thread_errors.py --events` on ECB+: each dev thread holding two events with what each
    item states (a dateline's date among it), the merges of average linkage that brought one
    event into a group of the other, and every dev pair of one topic that passes by itself
    counted by its kind (articles, an article and a short item, two short items); the grouping
    is as before once the merges are traced, and no held-out item is shown."""
    linkage = grouping.average_linkage
    with thread_errors.merges_traced() as runs:
        items, pred, signals = thread_errors.gold_set(ecbplus, analysis_bench.BATCH, signals=True)
    assert grouping.average_linkage is linkage and runs
    assert signals is not None
    lines = thread_errors.event_listing(items, pred, signals, runs)
    text = "\n".join(lines)
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.story not in text for item in held)
    assert all(item.title[:70] not in text for item in held if len(item.title) > 12)
    buckets = [line for line in lines if line.startswith("  thread ")]
    assert buckets, "ECB+ dev threads hold a topic's two events"
    for line in buckets:
        thread = int(line.split()[1].rstrip(":"))
        told = {
            items[k].story for k, p in enumerate(pred) if p == thread and items[k].half == "dev"
        }
        assert len(told) > 1 and all(story in line for story in told)
    # A dateline is read as the date the item states.
    assert "date 16 September 2013" in text
    start = lines.index(next(x for x in lines if x.startswith("== merges")))
    end = lines.index(next(x for x in lines if x.startswith("== dev pairs")))
    met = [x for x in lines[start + 1 : end] if not x.startswith("    ")]
    assert met and all(", average pair " in x for x in met)
    # Every dev pair of one topic scoring 1 or more is counted once, under its kind.
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    passing = [
        (a, b)
        for i, a in enumerate(dev)
        for b in dev[i + 1 :]
        if thread_errors.topic_of(items[a].story) == thread_errors.topic_of(items[b].story)
        and signals.score(a, b) >= 1.0
    ]
    totals = [x for x in lines[end + 1 :] if not x.startswith("    ")]
    assert len(totals) == len(thread_errors.PAIR_KINDS)
    counted = sum(int(n) for x in totals for n in x.split(":")[1].split(";")[0].split(" / "))
    assert counted == len(passing) > 0


def test_the_cut_listing_names_the_pairs_a_batch_size_changes(corpus: Path) -> None:
    """`thread_errors.py --cut N` lists the same-thread pairs that one analysis and N items per
    batch make differently (the agreement figure counts them), dev items by their titles and
    judged, a held-out item by its outlet only and its pairs not judged."""
    items = thread_errors.realfeed_items(corpus)
    one = analysis_bench.realfeeds(corpus).pred
    batched = analysis_bench.realfeeds(corpus, batch_size=10).pred
    whole, cut = analysis_bench.links(one), analysis_bench.links(batched)
    lines = thread_errors.cut_listing(items, one, batched, 10)
    listed = [line for line in lines if line.startswith("  ")]
    # (Once 10 per batch makes one analysis's threads, list another cut here.)
    assert len(listed) == len(whole ^ cut) > 0
    assert lines[0].endswith(f": {len(whole - cut)}")
    text = "\n".join(lines)
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.title not in text and item.story not in text for item in held)
    assert all(
        line.lstrip().startswith("not judged") for line in listed if thread_errors.HELD in line
    )
    # Two dev stories' items put in one thread by the cut are judged, by their titles.
    dev = [k for k, item in enumerate(items) if item.half == "dev"]
    a = next(k for k in dev if items[k].story != items[dev[0]].story)
    joined = [one[dev[0]] if k == a else t for k, t in enumerate(one)]
    lines = thread_errors.cut_listing(items, one, joined, 10)
    assert any(
        line.startswith("  two stories") and items[a].title[:50] in line for line in lines
    ), lines
    assert thread_errors.cut_listing(items, one, one, 25) == [
        "== pairs only one analysis makes: 0",
        "== pairs only 25 per batch makes: 0",
    ]


def _labels(path: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """A label file's rows and its stories (id: description), after checking its form: no
    publisher's title or text, one item per feed and guid, one description per story."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    assert {tuple(sorted(row)) for row in rows} == {
        ("feed", "guid", "link", "published", "story", "story_id")
    }
    assert len({(row["feed"], row["guid"]) for row in rows}) == len(rows)
    stories = {row["story_id"]: row["story"] for row in rows}
    assert len({(row["story_id"], row["story"]) for row in rows}) == len(stories)
    return rows, stories


def test_unseen_feed_labels_hold_no_text_and_join_the_six(corpus: Path) -> None:
    """`bench/data/realfeeds-unseen.jsonl` (scored by `analysis_bench.py --unseen`; its feed
    files are not in the repository): no publisher's title or text, one item per feed and guid,
    one description per story, and a story labelled in `realfeeds-dev.jsonl` keeps its
    description there, so the two sets are one labelling."""
    _, stories = _labels(analysis_bench.UNSEEN)
    six = [json.loads(line) for line in (corpus / "stories" / "realfeeds-dev.jsonl").open()]
    known = {row["story_id"]: row["story"] for row in six}
    shared = stories.keys() & known.keys()
    assert shared, "the sets share stories"
    assert all(stories[story] == known[story] for story in shared)


def test_dev2_feed_labels_hold_no_text_and_join_the_other_two_sets(corpus: Path) -> None:
    """`bench/data/realfeeds-dev2.jsonl` (scored by `analysis_bench.py --dev2`, with the six and
    the eight in one analysis): the unseen set's form, no item of the six's or the eight's feeds
    labelled again, and a story labelled in either keeps its id and description there, so the
    three sets are one labelling and a story across them is one story in the scores."""
    rows, stories = _labels(analysis_bench.DEV2)
    six = [json.loads(line) for line in (corpus / "stories" / "realfeeds-dev.jsonl").open()]
    eight = [json.loads(line) for line in analysis_bench.UNSEEN.open(encoding="utf-8")]
    assert not {row["feed"] for row in rows} & {row["feed"] for row in six + eight}
    assert not {row["link"] for row in rows} & {row["link"] for row in six + eight}
    known = {row["story_id"]: row["story"] for row in six + eight}
    shared = stories.keys() & known.keys()
    assert shared, "the sets share stories"
    assert all(stories[story] == known[story] for story in shared)


def test_the_cut_listing_of_a_gold_set_counts_its_causes_and_leaves_the_held_out_half_unread(
    ecbplus: list,
) -> None:
    """`thread_errors.py --set ecbplus --cut 100 --final-idf` lists the dev pairs that one
    analysis and 100 per batch make differently, without a held-out item's title or story,
    and counts which of them the batches' IDF decides. On ECB+ it is every one: with the
    run's final document frequencies from the first batch on, 100 per batch makes one
    analysis's threads (so what is left to mend there is the IDF of the early batches)."""
    items, one, _ = thread_errors.gold_set(ecbplus, analysis_bench.BATCH)
    _, batched, _ = thread_errors.gold_set(ecbplus, 100)
    with thread_errors.final_frequencies(lambda: analysis_bench.score(ecbplus)):
        _, settled, _ = thread_errors.gold_set(ecbplus, 100)
    assert analysis_bench.links(batched) != analysis_bench.links(one)
    assert analysis_bench.links(settled) == analysis_bench.links(one)
    text = "\n".join(thread_errors.gold_cut_listing(items, one, batched, 100, settled))
    held = [item for item in items if item.half != "dev"]
    assert held and all(item.title not in text for item in held)
    assert all(f"{item.story} ~" not in text and f"~ {item.story}" not in text for item in held)
    counts = [line for line in text.splitlines() if "with the final counts" in line]
    assert len(counts) == 2 and all(" 0 do not" in line for line in counts)

"""The thread errors of the dev half of a gold story set, the held-out half kept unread.

    python bench/thread_errors.py                     # real feeds, one analysis
    python bench/thread_errors.py --batch-size 25     # the same items 25 at a time
    python bench/thread_errors.py --set ecbplus       # ECB+ (odd topics are dev)
    python bench/thread_errors.py --set uci           # UCI headlines (half the stories)
    python bench/thread_errors.py --signals           # and what each pair of them shares
    python bench/thread_errors.py --cut 25            # pairs 25 per batch makes otherwise
    python bench/thread_errors.py --set uci --cut 100 --final-idf  # and which the IDF decides
    python bench/thread_errors.py --bands             # the dev pairs counted by their scores
    python bench/thread_errors.py --set ecbplus --evidence  # what tells a thread's events apart
    python bench/thread_errors.py --set ecbplus --events    # each bucket's events, where they met
    python bench/thread_errors.py --dev2 DIR --paths        # which path joined each pair

Tuning looks at errors; judging looks at figures (`analysis_bench.py --no-speed`). This lists
the errors of the dev half only, so that a round of tuning can read them without reading the
held-out half: a thread holding items of more than one gold story (a false merge) with at
least one dev item, and a dev story spread over more than one thread (a missed link). A
held-out item is shown as `[held-out]` and its outlet, never its title or story: a dev item
wrongly merged with it is still an error to read, what it was merged with is not.

`--signals` adds, under each error, its pairs with what the thread index saw of them (the
strongest first, SHOWN_PAIRS of them): the pair score (1 pairs them by themselves; the
grouping merges groups whose average pair reaches 1), the score without the title rule, the
cosine of their vectors and of their titles, the time between them, whether one outlet filed
both, and the entities and words they share, each entity with the number of items naming it.
A pair with a held-out item shows its figures only, never the terms it shares (they would
tell what the held-out item says).

`--bands` counts every pair of two dev items sharing a term, one story or two, by where the
index put it: together, or apart with its pair score's band; where a rule alone zeroes the
score, by that rule and the band the pair would score without it (the title rule; the
one-outlet name test, one outlet's two teasers naming no entity in common, with the title
rule lifted too). A lever that lifts a class is worth building only if the class holds more
pairs of one story than of two near the threshold.

`--evidence` counts every pair of two dev items the index put in one thread, one story or two,
by what would tell a reader they are two events: both state one kind of fact and none in common
(the people, organisations or other names of their titles and first sentences, the years their
texts name, a figure of dead or hurt, the weekday or the month and day they state, the numbers
of their first sentences), or their sources' times more than two days apart (two outlets).
Evidence worth a rule holds more pairs of two stories than of one; a class that holds more of
one story cuts more right pairs than wrong ones, whatever its weight.

`--events` lists each thread that holds two or more dev stories (a bucket: on ECB+ a topic's two
look-alike events): each story's items with what a reader would tell them apart by (the date
and the places, years and numbers their title and first sentences state; A for an article, s
for a short item, with its number of terms); then the merges of average linkage that bring a
story into a group holding another (the two groups, their average pair and their best pairs:
where the events meet); then every pair of two dev items of one topic that passes by itself (a
score of 1 or more) counted by its kind (two articles, an article and a short item, two short
items) and by the evidence classes of `--evidence`, with the lead's nationality adjectives and
ordinals beside them ("an Australian climber" and "a British one", "the 4th parliamentary
election" and "the first-ever"). A class worth a rule holds more pairs of two stories than of
one among the kinds of pairs that make those merges.

`--paths` counts every pair of two dev items in one thread, one story or two, by the path of
the thread index that joined them: average linkage of a part's grouping or its last pass (an
item moved to a group holding a partner), the same two in a regrouping of a part's groups
with the known threads they pair with, a group joining a known thread by its pairs with the
thread's items ("join by pairs"), a group joining a thread of an earlier run or a large one
by its centroid ("centroid join"), two threads of one event joined ("event join",
`_event_joins`), the young threads' re-check ("re-check"), new items added to a regrouped
thread that kept its items ("regroup/added"), a repost (never placed: its canonical's);
then lists the pairs of two stories with their path and pair score. `--signals` adds the
path to each false merge's pairs. A pair two groupings put together counts by the first.

`--cut N` lists instead the same-thread pairs on which one analysis of the real feeds and N
items per batch differ (`analysis_bench.agreement` gives their count as a Jaccard index; issue
17 wants none at 25, 50 and 100), each with its items as above and, for two dev items, whether
they tell one story; with `--own-runs`, each batch a run of its own, as every fetch is
(`analysis_bench.own_runs_agreement`). A rule that only reaches its pairs' threshold in one
analysis (its gain sits at the margin, where the document frequencies of the first small
batches decide) shows here before the tests that pin the batch sizes fail; a pair with a
held-out item is not judged. With `--set ecbplus` or `--set uci` the pairs are counted (a
pair with a held-out item only counted, never shown) and the dev pairs listed by their two
stories. `--final-idf` runs the batches once more weighed by the document frequencies one
analysis ends with: on ECB+ and UCI it counts the dev pairs that then agree with one analysis
(the batches' IDF decides them) apart from the rest (joins, regroupings, the grouping's parts
decide them); on the real feeds it lists the pairs that still differ then.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analysis_bench  # beside this file (a script's folder is on the path)
from wirereader.analysis.threads import grouping, index
from wirereader.analysis.threads import item as threads_item

HELD = "[held-out]"
SHOWN_PER_THREAD = 12  # a UCI thread holds hundreds of headlines: the first few say enough
SHOWN_PAIRS = 8  # per error, with --signals
SHOWN_TERMS = 8  # shared entities, shared words: the strongest few


@dataclass
class Labelled:
    """One item of a gold set, as the listing shows it."""

    story: str
    half: str  # "dev" or "held"
    outlet: str
    when: str  # the source's time, where it gave one
    title: str

    def shown(self) -> str:
        if self.half != "dev":
            return f"{HELD} {self.outlet}"
        return f"{self.story[:32]:<32} {self.outlet[:12]:<12} {self.when:<16} {self.title[:90]}"

    def brief(self) -> str:
        """The item in a pair's line: its outlet and the start of its title."""
        if self.half != "dev":
            return f"{HELD} {self.outlet}"
        return f"{self.outlet[:12]} {self.title[:50]}"


def realfeed_items(corpus: Path) -> list[Labelled]:
    """The labelled items of the real feeds, in the order of `analysis_bench.realfeeds`'s
    `pred` (the labels' order)."""
    rows = [
        json.loads(line)
        for line in (corpus / "stories" / "realfeeds-dev.jsonl").open(encoding="utf-8")
    ]
    return [
        Labelled(
            r["story_id"],
            analysis_bench.story_half(r["story_id"]),
            r["feed"].split("-")[0],
            r.get("published", "")[:16],
            r["title"],
        )
        for r in rows
    ]


@contextmanager
def items_placed() -> Iterator[dict[int, Any]]:
    """Every item the thread index places while this is open, by entry id, as the index made
    it (its vector, title vector, threshold, outlet...: what its pair scores are made of). An
    item placed again in a later batch keeps its last form."""
    made: dict[int, Any] = {}
    real = threads_item.Item.of

    def of(entry: Any, vector: dict[str, float], distinct: int, entities: Any = None) -> Any:
        item = real(entry, vector, distinct, entities)
        made[entry.id] = item
        return item

    threads_item.Item.of = of  # type: ignore[method-assign,assignment]
    try:
        yield made
    finally:
        threads_item.Item.of = real  # type: ignore[method-assign]


class Paths:
    """Which path of the thread index put each pair of items in one thread (`--paths`): the
    grouping of a part (average linkage, or its last pass moving an item to a group holding a
    partner), a regrouping of a part's groups with the known threads they pair with (its
    linkage or its last pass), a group joining a known thread by its pairs with the thread's
    items (`_place` with the thread), a group joining a thread of an earlier run or a large
    one by its centroid (`_best`), the join of two threads of one event (`_event_joins`) or
    the young threads' re-check (`_recheck_young`)."""

    def __init__(self) -> None:
        # entry id -> [path, thread] each time the item went to another thread; `events`
        # holds the same lists in the order they were made (a path is named once known)
        self.history: dict[int, list[list[Any]]] = defaultdict(list)
        self.events: list[list[Any]] = []
        self.order: dict[int, int] = {}  # id of an event -> its place in `events`
        # each grouping: (regrouping or not, entry ids, linkage labels, final labels)
        self.groupings: list[tuple[str, list[int], list[int], list[int]]] = []
        self._sides: dict[int, tuple[Any, list[int]]] = {}  # id of a side's rows -> ids
        self._stack: list[str] = []

    def note(self, ids: Iterable[int], thread: int) -> None:
        """These items were added to a thread (its path named by `name_since`)."""
        for e in ids:
            got = self.history[e]
            if got and got[-1][1] == thread:
                continue  # (made again in the thread it was in: no move)
            event = [self.where("added"), thread]
            self.order[id(event)] = len(self.events)
            self.events.append(event)
            got.append(event)

    def name_since(self, start: int, leaf: str) -> None:
        """The events from `start` on were made by this path."""
        for event in self.events[start:]:
            if event[0].endswith("added"):
                event[0] = self.where(leaf)

    def where(self, leaf: str) -> str:
        return "/".join([*self._stack, leaf])

    def path(self, x: int | None, y: int | None) -> str:
        """The path that joined items x and y (entry ids; None: a repost, never placed)."""
        if x is None or y is None:
            return "repost"
        for kind, ids, linked, final in self.groupings:
            if x in ids and y in ids:
                i, j = ids.index(x), ids.index(y)
                if final[i] == final[j]:
                    return f"{kind}: {'linkage' if linked[i] == linked[j] else 'last pass'}"
        hx, hy = self.history.get(x), self.history.get(y)
        if not hx or not hy:
            return "?"
        later = max(hx[-1], hy[-1], key=lambda event: self.order[id(event)])
        return str(later[0])


@contextmanager
def paths_traced() -> Iterator[Paths]:
    """A `Paths` of every batch the thread index places while this is open."""
    paths = Paths()
    cls = index.ThreadIndex
    real = {
        name: getattr(cls, name)
        for name in (
            "_add",
            "_part_side",
            "_side_of",
            "_place",
            "_regroup",
            "_rebuild",
            "_event_joins",
            "_recheck_young",
        )
    }
    real_groups, real_linkage = index.side_groups, grouping.average_linkage
    linked: list[np.ndarray] = []

    def sided(name: str) -> Callable[..., Any]:
        def made(self: Any, items: list[Any], *rest: Any) -> Any:
            side = real[name](self, items, *rest)
            paths._sides[id(side.terms)] = (side.terms, [m.entry.id for m in items])
            return side

        return made

    def side_groups(side: Any, gap: float, *rest: Any, **named: Any) -> Any:
        got = real_groups(side, gap, *rest, **named)
        ids = paths._sides.get(id(side.terms), (None, []))[1]
        if ids and linked:
            final = [0] * len(ids)
            for g, group in enumerate(got):
                for i in group:
                    final[i] = g
            kind = "regroup" if named.get("earlier") is not None else "grouping"
            paths.groupings.append((kind, ids, linked[-1].tolist(), final))
        linked.clear()
        return got

    def linkage(*args: Any) -> np.ndarray:
        out = real_linkage(*args)
        linked.append(out)
        return out

    def place(
        self: Any,
        part: list[Any],
        group: Iterable[int],
        ids: set[int],
        out: Any,
        known: Any = None,
    ) -> None:
        group = list(group)
        start, before = len(paths.events), set(self.centroids)
        real["_place"](self, part, group, ids, out, known)
        thread = out.assigned[part[group[0]].entry.id]
        leaf = (
            "join by pairs"
            if known is not None
            else "new thread"
            if thread not in before
            else "centroid join"
        )
        paths.name_since(start, leaf)

    def rebuild(self: Any, c: Any, members: list[Any], fresh: set[int], out: Any) -> None:
        start = len(paths.events)
        real["_rebuild"](self, c, members, fresh, out)
        paths.name_since(start, "made again")

    def add(self: Any, c: Any, items: Iterable[Any]) -> None:
        items = list(items)
        real["_add"](self, c, items)
        paths.note([m.entry.id for m in items], c.id)

    def within(name: str, label: str) -> Callable[..., Any]:
        def run(self: Any, *args: Any) -> Any:
            paths._stack.append(label)
            try:
                return real[name](self, *args)
            finally:
                paths._stack.pop()

        return run

    cls._part_side = sided("_part_side")  # type: ignore[method-assign]
    cls._side_of = sided("_side_of")  # type: ignore[method-assign]
    cls._place = place  # type: ignore[method-assign]
    cls._rebuild = rebuild  # type: ignore[method-assign]
    cls._add = add  # type: ignore[method-assign]
    cls._regroup = within("_regroup", "regroup")  # type: ignore[method-assign]
    cls._event_joins = within("_event_joins", "event join")  # type: ignore[method-assign]
    cls._recheck_young = within("_recheck_young", "re-check")  # type: ignore[method-assign]
    index.side_groups = side_groups  # type: ignore[assignment]
    grouping.average_linkage = linkage  # type: ignore[assignment]
    try:
        yield paths
    finally:
        for name, method in real.items():
            setattr(cls, name, method)
        index.side_groups = real_groups  # type: ignore[assignment]
        grouping.average_linkage = real_linkage  # type: ignore[assignment]


class Signals:
    """What the thread index saw of a pair of items (see the module docstring)."""

    def __init__(self, items: list[Labelled], entries: list[int], placed: dict[int, Any]):
        self.items = items
        self.placed = [placed.get(e) for e in entries]  # None for a repost (never placed)
        self.paths: Paths | None = None  # with --paths: what joined each pair
        self.naming: Counter[str] = Counter(
            t for m in self.placed if m is not None for t in m.vector if t.startswith("@")
        )

    def score(self, a: int, b: int) -> float:
        return self._scores(a, b)[0]

    def unnamed(self, a: int, b: int) -> float:
        """The pair's score without the title rule and without the one-outlet name test
        (`grouping.SAME_SOURCE_DISCOUNT`'s: one outlet's two teasers pair only if they name
        an entity in common), as if they named one: what that test holds apart."""
        real = grouping._share_entity
        grouping._share_entity = lambda *_: True
        try:
            return self._scores(a, b)[1]
        finally:
            grouping._share_entity = real

    def _scores(self, a: int, b: int) -> tuple[float, float]:
        x, y = self.placed[a], self.placed[b]
        if x is None or y is None:
            return 0.0, 0.0
        side = grouping.Side.of(
            [x.vector, y.vector],
            [x.entry.published_at, y.entry.published_at],
            [x.limit, y.limit],
            [x.hours, y.hours],
            [x.floor, y.floor],
            [x.entry.dated, y.entry.dated],
            [x.article, y.article],
            [x.headline, y.headline],
            [x.outlet, y.outlet],
            [x.link, y.link],
            [x.teased, y.teased],
            unit_headlines=True,
        )
        gap = index.STORY_GAP_DAYS * 86400
        scored = grouping.cross_scores(side, side, gap)[0, 1]
        loose = grouping.cross_scores(side, side, gap, check_headlines=False)[0, 1]
        return float(scored), float(loose)

    def joined_by(self, a: int, b: int) -> str:
        """The path that put items a and b in one thread (`Paths.path`)."""
        assert self.paths is not None
        x, y = self.placed[a], self.placed[b]
        return self.paths.path(None if x is None else x.entry.id, None if y is None else y.entry.id)

    def lines(self, a: int, b: int, joined: bool = False) -> list[str]:
        x, y = self.placed[a], self.placed[b]
        if x is None or y is None:
            return ["      (a repost: scored as its item)"]
        scored, loose = self._scores(a, b)
        shared = sorted(x.vector.keys() & y.vector.keys(), key=lambda t: -x.vector[t] * y.vector[t])
        cosine = sum(x.vector[t] * y.vector[t] for t in shared)
        titles = sum(w * y.headline.get(t, 0.0) for t, w in x.headline.items())
        hours = abs(x.entry.published_at - y.entry.published_at) / 3600
        when = f"{hours:.1f} h apart" if x.entry.dated and y.entry.dated else "undated"
        outlet = "one outlet" if x.outlet == y.outlet else "two outlets"
        out = (
            f"      score {scored:.2f} (without the title rule {loose:.2f}) | cosine {cosine:.2f}"
            f" titles {titles:.2f} | {when}, {outlet}"
        )
        if joined and self.paths is not None:
            out += f" | joined by {self.joined_by(a, b)}"

        if self.items[a].half != "dev" or self.items[b].half != "dev":
            return [out]
        named = [f"{t}({self.naming[t]})" for t in shared if t.startswith("@")]
        words = [t for t in shared if not t.startswith("@")]
        return [
            out,
            f"        entities {' '.join(named[:SHOWN_TERMS]) or '-'}",
            f"        words {' '.join(words[:SHOWN_TERMS]) or '-'}",
        ]


def _pair_lines(
    pairs: list[tuple[int, int]],
    items: list[Labelled],
    signals: Signals | None,
    joined: bool = False,
) -> list[str]:
    if signals is None:
        return []
    pairs = sorted(pairs, key=lambda p: -signals.score(*p))[:SHOWN_PAIRS]
    lines = []
    for a, b in pairs:
        lines.append(f"    pair: {items[a].brief()}  ~  {items[b].brief()}")
        lines += signals.lines(a, b, joined)
    return lines


def realfeeds(
    corpus: Path, batch_size: int, signals: bool = False
) -> tuple[list[Labelled], list[int], Signals | None]:
    items = realfeed_items(corpus)
    with items_placed() as placed:
        result = analysis_bench.realfeeds(corpus, batch_size=batch_size)
    return items, result.pred, Signals(items, result.entries, placed) if signals else None


def dev2_set(
    corpus: Path, feeds: Path, batch_size: int, signals: bool = False
) -> tuple[list[Labelled], list[int], Signals | None]:
    """The six, the eight unseen and the seven dev2 feeds in one analysis, as
    `analysis_bench.py --dev2` makes them: the dev2 items and the six's dev half are shown,
    the six's held-out half and the eight unseen feeds (wholly held out) are not. The titles
    come from the items the index placed (the labels carry none)."""
    with items_placed() as placed:
        result = analysis_bench.realfeeds(corpus, batch_size=batch_size, unseen=feeds, dev2=True)
    items = []
    for entry, story, half in zip(result.entries, result.gold, result.halves, strict=True):
        made = placed.get(entry)
        title = made.entry.title if made is not None else "(a repost)"
        when = ""
        if made is not None and made.entry.dated:
            when = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(made.entry.published_at))
        shown = "dev" if half in ("dev", "dev2") else "held"
        outlet = made.outlet if made is not None else "?"
        items.append(Labelled(story, shown, str(outlet), when, title))
    return items, result.pred, Signals(items, result.entries, placed) if signals else None


def gold_set(
    rows: list[analysis_bench.Gold], batch_size: int, signals: bool = False
) -> tuple[list[Labelled], list[int], Signals | None]:
    items = [
        Labelled(
            story,
            half,
            source,
            entry.published.strftime("%Y-%m-%dT%H:%M") if entry.published else "",
            entry.title,
        )
        for source, entry, story, half in rows
    ]
    with items_placed() as placed:
        result = analysis_bench.score(rows, batch_size=batch_size)
    return items, result.pred, Signals(items, result.entries, placed) if signals else None


def listing(items: list[Labelled], pred: list[int], signals: Signals | None = None) -> list[str]:
    """The lines of the listing: false merges touching the dev half, then split dev stories;
    with `signals`, under each the signals of its pairs (two stories in one thread, with a dev
    item; one dev story in two threads)."""
    threads: dict[int, list[int]] = defaultdict(list)
    stories: dict[str, list[int]] = defaultdict(list)
    for k, (item, thread) in enumerate(zip(items, pred, strict=True)):
        threads[thread].append(k)
        stories[item.story].append(k)
    lines = ["== false merges: threads holding more than one story, at least one dev item"]
    for thread, members in threads.items():
        told = {items[k].story for k in members}
        if len(told) > 1 and any(items[k].half == "dev" for k in members):
            dev = {items[k].story for k in members if items[k].half == "dev"}
            held = sum(1 for k in members if items[k].half != "dev")
            # (A held-out item beside a dev item is another story by construction: the halves
            # split stories. How many stories the held-out items tell is not shown.)
            lines.append(
                f"  thread {thread}: {len(dev)} dev stories, {len(members) - held} dev items,"
                f" {held} held-out items"
            )
            lines += [f"    {items[k].shown()}" for k in members[:SHOWN_PER_THREAD]]
            wrong = [
                (a, b)
                for i, a in enumerate(members)
                for b in members[i + 1 :]
                if items[a].story != items[b].story and "dev" in (items[a].half, items[b].half)
            ]
            lines += _pair_lines(wrong, items, signals, joined=True)
    lines.append("== missed links: dev stories spread over more than one thread")
    for story, members in stories.items():
        spread = {pred[k] for k in members}
        if any(items[k].half == "dev" for k in members) and len(spread) > 1:
            lines.append(f"  story {story}: {len(members)} items in {len(spread)} threads")
            lines += [f"    t{pred[k]:<5} {items[k].shown()}" for k in members[:SHOWN_PER_THREAD]]
            missed = [
                (a, b)
                for i, a in enumerate(members)
                for b in members[i + 1 :]
                if pred[a] != pred[b]
            ]
            lines += _pair_lines(missed, items, signals)
    return lines


def path_listing(items: list[Labelled], pred: list[int], signals: Signals) -> list[str]:
    """`--paths`: every pair of two dev items in one thread, counted by the path that joined
    them (`Paths`), one story or two, then the pairs of two stories with their path. (A pair
    with a held-out item is left out: whether it tells one story is the held-out labels'.)"""
    threads: dict[int, list[int]] = defaultdict(list)
    for k, thread in enumerate(pred):
        threads[thread].append(k)
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    listed = []
    for members in threads.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if items[a].half != "dev" or items[b].half != "dev":
                    continue
                path = signals.joined_by(a, b)
                if items[a].story == items[b].story:
                    right[path] += 1
                else:
                    wrong[path] += 1
                    listed.append(
                        f"  {path:<32} {signals.score(a, b):5.2f}  {items[a].brief()}"
                        f"  ~  {items[b].brief()}"
                    )
    lines = ["== pairs of two dev items in one thread, by the path that joined them"]
    lines.append(f"  {'path':<32} {'one story':>9} {'two':>5} {'precision':>9}")
    for path in sorted(right.keys() | wrong.keys(), key=lambda p: -(right[p] + wrong[p])):
        total = right[path] + wrong[path]
        lines.append(f"  {path:<32} {right[path]:>9} {wrong[path]:>5} {right[path] / total:>9.3f}")
    lines.append(f"  {'all':<32} {sum(right.values()):>9} {sum(wrong.values()):>5}")
    lines.append("== the pairs of two stories: path, pair score, the two items")
    return lines + sorted(listed)


# The bands of `--bands`: the least pair score of each, highest first.
BANDS = (1.0, 0.7, 0.4, 0.0)


def _band(score: float) -> str:
    least = next(b for b in BANDS if score >= b)
    if least >= 1.0:
        return "1 or more"
    upper = BANDS[BANDS.index(least) - 1]
    return f"{least:.1f}-{upper:.1f}"


def band_counts(
    items: list[Labelled], pred: list[int], signals: Signals
) -> dict[tuple[str, str], list[int]]:
    """Every pair of two dev items that share a term, counted by where the index put it and
    its scores (see the module docstring): {(where, band): [one story, two stories]}."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    for i, a in enumerate(dev):
        x = signals.placed[a].vector
        for b in dev[i + 1 :]:
            if x.keys().isdisjoint(signals.placed[b].vector):
                continue
            one = items[a].story == items[b].story
            if pred[a] == pred[b]:
                key = ("together", "")
            else:
                scored, loose = signals._scores(a, b)
                if scored == 0.0 < loose:  # (the title rule alone zeroes a score)
                    key = ("apart by the title rule, without it", _band(loose))
                elif loose == 0.0 < (unnamed := signals.unnamed(a, b)):
                    # (one outlet's two teasers naming no entity in common; the title rule
                    # lifted too, as it may hold them apart as well)
                    key = ("apart by the one-outlet name test, without it", _band(unnamed))
                else:
                    key = ("apart, pair score", _band(scored))
            counts[key][0 if one else 1] += 1
    return counts


def band_listing(items: list[Labelled], pred: list[int], signals: Signals) -> list[str]:
    """The lines of `--bands`."""
    counts = band_counts(items, pred, signals)
    lines = ["== pairs of two dev items sharing a term: one story / two stories"]
    order = ["", *map(_band, BANDS)]
    for key in sorted(counts, key=lambda k: (k[0] != "together", k[0], order.index(k[1]))):
        where, band = key
        one, two = counts[key]
        lines.append(f"  {(where + ' ' + band).strip():<56} {one:5d} / {two}")
    return lines


# `--evidence`'s classes: what a reader would take as two events, read from an item's title, its
# first sentences (LEAD_SENTENCES) or its whole text.
LEAD_SENTENCES = 3
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-3]\d)\b")
_COUNT = r"(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_HURT = r"(?:killed|dead|died|deaths|injured|wounded|hurt)"
_CASUALTIES = (
    re.compile(_COUNT + r"\s+(?:[\w-]+\s+){0,3}?" + _HURT, re.I),
    re.compile(
        r"(?:killed|killing|injuring|injured)\s+(?:at least\s+|more than\s+)?" + _COUNT, re.I
    ),
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!\w)")
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})\b", re.I)  # "Sept. 16"
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+" + _MONTH + r"(?!\w)", re.I)  # "16 September"
FAR_APART_DAYS = 2.0
EVIDENCE = (
    "people in title or lead",
    "organisations in title or lead",
    "other names in title or lead",
    "years in the text",
    "figures of dead or hurt",
    "weekdays in the lead",
    "month and day in the text",
    "numbers in the lead (not years)",
)
FAR_APART = f"two outlets' times over {FAR_APART_DAYS:g} days apart"


def evidence(title: str, body: str, entity_terms: set[str]) -> dict[str, set[str]]:
    """What an item states of each `EVIDENCE` class (see `--evidence`): its entity terms
    ("@person:..." and the like, as its vector holds them) named in its title or first
    sentences, and the years, figures and dates its texts state."""
    lead = title + "\n" + " ".join(re.split(r"(?<=[.!?])\s+", body)[:LEAD_SENTENCES])
    text = title + "\n" + body
    folded = lead.casefold()
    named = {t for t in entity_terms if t.partition(":")[2] in folded}
    people = {t for t in named if t.startswith("@person:")}
    orgs = {t for t in named if t.startswith("@org:")}
    years = set(_YEAR.findall(lead))
    return {
        EVIDENCE[0]: people,
        EVIDENCE[1]: orgs,
        EVIDENCE[2]: named - people - orgs,
        EVIDENCE[3]: set(_YEAR.findall(text)),
        EVIDENCE[4]: {m.group(1).lower() for r in _CASUALTIES for m in r.finditer(text)},
        EVIDENCE[5]: {w.lower() for w in _WEEKDAY.findall(lead)},
        EVIDENCE[6]: {f"{m.lower()} {int(d)}" for m, d in _MONTH_DAY.findall(text)}
        | {f"{m.lower()} {int(d)}" for d, m in _DAY_MONTH.findall(text)},
        EVIDENCE[7]: set(_NUMBER.findall(lead)) - years,
    }


def evidence_counts(
    items: list[Labelled], pred: list[int], signals: Signals
) -> dict[str, list[int]]:
    """Every pair of two dev items in one thread, counted by each class of evidence that the
    two are two events: {class: [one story, two stories]}, with "in one thread" the pairs."""
    counts: dict[str, list[int]] = {k: [0, 0] for k in ("in one thread", *EVIDENCE, FAR_APART)}
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    stated = {}
    for k in dev:
        made = signals.placed[k]
        named = {t for t in made.vector if t[0] == "@"}
        stated[k] = evidence(made.entry.title, made.entry.body or "", named)
    for i, a in enumerate(dev):
        for b in dev[i + 1 :]:
            if pred[a] != pred[b]:
                continue
            two = int(items[a].story != items[b].story)
            counts["in one thread"][two] += 1
            for key in EVIDENCE:
                x, y = stated[a][key], stated[b][key]
                if x and y and x.isdisjoint(y):
                    counts[key][two] += 1
            x, y = signals.placed[a], signals.placed[b]
            gap = abs(x.entry.published_at - y.entry.published_at)
            dated = x.entry.dated and y.entry.dated and x.outlet != y.outlet
            if dated and gap > FAR_APART_DAYS * 86400:
                counts[FAR_APART][two] += 1
    return counts


def evidence_listing(items: list[Labelled], pred: list[int], signals: Signals) -> list[str]:
    """The lines of `--evidence`."""
    lines = ["== pairs of two dev items in one thread: one story / two stories", "  both state it,"]
    for key, (one, two) in evidence_counts(items, pred, signals).items():
        shown = key if key in ("in one thread", FAR_APART) else f"  none in common: {key}"
        lines.append(f"  {shown:<56} {one:5d} / {two}")
    return lines


# `--events`: the lead's nationality adjectives and ordinals, beside `--evidence`'s classes.
_DATA = Path(__file__).resolve().parent.parent / "src" / "wirereader" / "analysis" / "data"
_ORDINAL = re.compile(
    r"\b(\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(?:\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|"
    + _MONTH
    + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+"
    + _MONTH
    + r"\s+\d{4})",
    re.I,
)
PAIR_KINDS = ("two articles", "an article and a short item", "two short items")
_ECB_STORY = re.compile(r"(\d+)_ecb(?:plus)?")


def topic_of(story: str) -> str:
    """An ECB+ story's topic (its two events: "23_ecb", "23_ecbplus"); any other set is one
    topic (its pairs are all counted)."""
    m = _ECB_STORY.fullmatch(story)
    return m.group(1) if m else ""


def _nationalities() -> frozenset[str]:
    words = set()
    for name in ("nationalities.txt", "demonyms.txt"):
        for line in (_DATA / name).open(encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                words.add(line.strip())
    return frozenset(words)


def stated(title: str, body: str, entity_terms: set[str], nationalities: frozenset[str]) -> dict:
    """`evidence` with the lead's nationality adjectives and ordinals, and the date the item
    states in its first lines (a dateline), if any."""
    out = evidence(title, body, entity_terms)
    lead = title + "\n" + " ".join(re.split(r"(?<=[.!?])\s+", body)[:LEAD_SENTENCES])
    out["nationalities in the lead"] = {
        w for w in re.findall(r"[a-z]+", lead.casefold()) if w in nationalities
    }
    out["ordinals in the lead"] = {w.casefold() for w in _ORDINAL.findall(lead)}
    date = _DATE.search("\n".join((title + "\n" + body).splitlines()[:3]))
    out["date"] = {date.group(0)} if date else set()
    return out


@contextmanager
def merges_traced() -> Iterator[list[tuple[list[Any], list[tuple[int, int]], np.ndarray]]]:
    """Every average linkage run while this is open: (its items' vectors, its merges in order
    as (a, b) with group b merged into group a, its scores before the first merge)."""
    runs: list[tuple[list[Any], list[tuple[int, int]], np.ndarray]] = []
    real_linkage, real_labels = grouping.average_linkage, grouping._labels
    joined: list[list[tuple[int, int]]] = []

    def labels(n: int, merges: list[tuple[int, int]]) -> np.ndarray:
        joined.append(list(merges))
        return real_labels(n, merges)

    def linkage(score: np.ndarray, articles: np.ndarray, vectors: Any) -> np.ndarray:
        before = score.copy()
        out = real_linkage(score, articles, vectors)
        runs.append(([vectors[i] for i in range(len(vectors))], joined.pop(), before))
        return out

    grouping.average_linkage = linkage  # type: ignore[assignment]
    grouping._labels = labels
    try:
        yield runs
    finally:
        grouping.average_linkage = real_linkage  # type: ignore[assignment]
        grouping._labels = real_labels


def event_listing(
    items: list[Labelled],
    pred: list[int],
    signals: Signals,
    runs: list[tuple[list[Any], list[tuple[int, int]], np.ndarray]],
) -> list[str]:
    """The lines of `--events` (see the module docstring); dev items only."""
    nationalities = _nationalities()
    dev = [k for k, item in enumerate(items) if item.half == "dev" and signals.placed[k]]
    facts = {}
    for k in dev:
        made = signals.placed[k]
        named = {t for t in made.vector if t[0] == "@"}
        facts[k] = stated(made.entry.title, made.entry.body or "", named, nationalities)

    def shown(k: int) -> str:
        made = signals.placed[k]
        kind = "A" if made.article else "s"
        return f"{kind} {len(made.vector):3d}t  {items[k].title[:70]}"

    lines = ["== threads holding two or more dev stories: each story's items and what they state"]
    threads: dict[int, list[int]] = defaultdict(list)
    for k in dev:
        threads[pred[k]].append(k)
    for thread, members in threads.items():
        told: dict[str, list[int]] = defaultdict(list)
        for k in members:
            told[items[k].story].append(k)
        if len(told) < 2:
            continue
        lines.append(f"  thread {thread}: " + ", ".join(f"{s} {len(m)}" for s, m in told.items()))
        for story, ks in told.items():
            lines.append(f"    {story}")
            for k in ks:
                f = facts[k]
                places = sorted(t.partition(":")[2] for t in f[EVIDENCE[2]] if "place:" in t)
                lines.append(f"      {shown(k)}")
                lines.append(
                    f"        date {' '.join(f['date']) or '-'} | places {', '.join(places) or '-'}"
                    f" | years {' '.join(sorted(f[EVIDENCE[3]])) or '-'}"
                    f" | numbers {' '.join(sorted(f[EVIDENCE[7]])[:6]) or '-'}"
                )
    lines.append(
        "== merges bringing a dev story into a group of another: sizes, average pair, best pairs"
    )
    by_vector = {id(m.vector): k for k, m in enumerate(signals.placed) if m is not None}
    for vectors, merges, score in runs:
        at = [by_vector.get(id(v)) for v in vectors]
        members = {i: [i] for i in range(len(at))}
        for a, b in merges:
            left, right = members[a], members[b]
            members[a], members[b] = left + right, []
            known = [k for k in (at[i] for i in left + right) if k is not None]
            if not known or any(items[k].half != "dev" for k in known):
                continue
            sa = {items[at[i]].story for i in left if at[i] is not None}
            sb = {items[at[i]].story for i in right if at[i] is not None}
            if not sa or not sb or sb <= sa or (sa <= sb and len(sa) > 1):
                continue  # (no story new to a side that holds another)
            pairs = sorted(((score[i, j], i, j) for i in left for j in right), reverse=True)
            average = sum(p[0] for p in pairs) / len(pairs)
            lines.append(
                f"  {len(left)} + {len(right)} items, average pair {average:.2f}:"
                f" {', '.join(sorted(sa))} + {', '.join(sorted(sb))}"
            )
            for value, i, j in pairs[:2]:
                lines.append(f"    {value:6.2f}  {shown(at[i])}")
                lines.append(f"            {shown(at[j])}")
    lines.append("== dev pairs of one topic (ECB+; else all) scoring 1 or more: one story / two")
    counts: dict[str, Counter[tuple[str, int]]] = {kind: Counter() for kind in PAIR_KINDS}
    classes = [*EVIDENCE, "nationalities in the lead", "ordinals in the lead"]
    for i, a in enumerate(dev):
        for b in dev[i + 1 :]:
            if topic_of(items[a].story) != topic_of(items[b].story):
                continue
            if signals.score(a, b) < 1.0:
                continue
            x, y = signals.placed[a], signals.placed[b]
            kind = PAIR_KINDS[2 - x.article - y.article]
            two = int(items[a].story != items[b].story)
            counts[kind]["pairs", two] += 1
            for key in classes:
                u, v = facts[a][key], facts[b][key]
                if u and v and u.isdisjoint(v):
                    counts[kind][key, two] += 1
    for kind in PAIR_KINDS:
        c = counts[kind]
        lines.append(f"  {kind}: {c['pairs', 0]} / {c['pairs', 1]}; both state it,")
        for key in classes:
            lines.append(f"    none in common: {key:<40} {c[key, 0]:5d} / {c[key, 1]}")
    return lines


def cut_listing(items: list[Labelled], one: list[int], batched: list[int], size: int) -> list[str]:
    """The lines of `--cut`: the same-thread pairs of one analysis (`one`) that `size` per batch
    (`batched`) lacks, then the reverse."""
    whole, cut = analysis_bench.links(one), analysis_bench.links(batched)
    lines = []
    for label, pairs in (("one analysis", whole - cut), (f"{size} per batch", cut - whole)):
        lines.append(f"== pairs only {label} makes: {len(pairs)}")
        for a, b in sorted(pairs):
            x, y = items[a], items[b]
            if x.half == "dev" and y.half == "dev":
                verdict = "one story " if x.story == y.story else "two stories"
            else:
                verdict = "not judged "
            lines.append(f"  {verdict} {x.brief()}  ~  {y.brief()}")
    return lines


def gold_cut_listing(
    items: list[Labelled], one: list[int], batched: list[int], size: int, causes: list[int] | None
) -> list[str]:
    """The lines of `--cut` on ECB+ or UCI: counts of the same-thread pairs one analysis and
    `size` per batch make differently, by half (pairs with a held-out item are counted, never
    shown), then the dev pairs, each marked right or wrong. `causes`: the threads `size` per
    batch makes with the run's final document frequencies from the first batch on
    (`--final-idf`); a pair that then agrees with one analysis is counted as the batches' IDF."""
    whole, cut = analysis_bench.links(one), analysis_bench.links(batched)
    settled = analysis_bench.links(causes) if causes is not None else None
    lines = []
    for label, pairs in (("one analysis", whole - cut), (f"{size} per batch", cut - whole)):
        dev = sorted((a, b) for a, b in pairs if items[a].half == items[b].half == "dev")
        right = sum(items[a].story == items[b].story for a, b in dev)
        lines.append(
            f"== pairs only {label} makes: {len(pairs)}; both items dev {len(dev)}"
            f" ({right} one story, {len(dev) - right} two)"
        )
        if settled is not None:
            by_idf = [p for p in dev if (p in settled) == (p in whole)]
            lines.append(
                f"   with the final counts from the first batch on: {len(by_idf)} of the dev"
                f" pairs agree with one analysis (the batches' IDF), {len(dev) - len(by_idf)}"
                " do not (where the stream is cut: joins, regroupings, read-back items)"
            )
        shown: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for a, b in dev:
            shown[tuple(sorted((items[a].story, items[b].story)))].append((a, b))  # type: ignore[arg-type]
        for (x, y), members in sorted(shown.items(), key=lambda kv: -len(kv[1])):
            verdict = "one story " if x == y else "two stories"
            a, b = members[0]
            idf = ""
            if settled is not None:
                agree = sum((p in settled) == (p in whole) for p in members)
                idf = f" [final IDF agrees {agree}/{len(members)}]"
            lines.append(
                f"  {verdict} {len(members):4d} pairs {x} ~ {y}{idf}: e.g."
                f" {items[a].brief()}  ~  {items[b].brief()}"
            )
    return lines


@contextmanager
def final_frequencies(whole: Callable[[], object]) -> Iterator[None]:
    """Within it the analysis weighs every batch by the document frequencies and item count
    that the analysis `whole` (one analysis of the same items) ends with (what no stream can
    know: the most a prior, a pre-count or a re-weighing could do for the batches' IDF)."""
    from wirereader.analysis import pipeline
    from wirereader.analysis.threads.index import ThreadIndex

    counts: dict[str, int] = {}
    docs = [0]
    real = pipeline.ThreadIndex

    class Recorded(ThreadIndex):
        def flush(self) -> None:
            super().flush()
            counts.clear()
            counts.update(self.conn.execute("SELECT term, df FROM term_df"))
            docs[0] = self.docs

    pipeline.ThreadIndex = Recorded  # type: ignore[misc]
    try:
        whole()
    finally:
        pipeline.ThreadIndex = real  # type: ignore[misc]

    class Final(ThreadIndex):
        def _count_documents(self, distinct: np.ndarray, held: np.ndarray) -> np.ndarray:
            super()._count_documents(distinct, held)
            return np.asarray([counts.get(t, 0) for t in self._names(distinct)], dtype=np.int64)

        def idf(self, frequencies: Iterable[int]) -> list[float]:
            n = docs[0] + index.IDF_PRIOR_DOCS + 1
            return [math.log(n / (df + 1.0)) for df in frequencies]

    pipeline.ThreadIndex = Final  # type: ignore[misc]
    try:
        yield
    finally:
        pipeline.ThreadIndex = real  # type: ignore[misc]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["realfeeds", "ecbplus", "uci"], default="realfeeds")
    ap.add_argument("--batch-size", type=int, default=analysis_bench.BATCH)
    ap.add_argument("--signals", action="store_true", help="under each error, what its pairs share")
    ap.add_argument(
        "--evidence",
        action="store_true",
        help="the dev pairs in one thread counted by what would tell their events apart",
    )
    ap.add_argument(
        "--cut",
        type=int,
        metavar="N",
        help="the pairs one analysis and N per batch make differently (--set: all three)",
    )
    ap.add_argument(
        "--final-idf",
        action="store_true",
        help="with --cut: which of the pairs the batches' IDF decides (the batches weighed by the"
        " final counts)",
    )
    ap.add_argument(
        "--events",
        action="store_true",
        help="each thread holding two dev stories, what their items state, where they met",
    )
    ap.add_argument(
        "--bands",
        action="store_true",
        help="count the dev pairs by where they are and their scores, one story or two",
    )
    ap.add_argument(
        "--paths",
        action="store_true",
        help="the pairs in one thread counted by the path that joined them (linkage, last pass,"
        " regrouping, a join by pairs or by centroid, an event join), one story or two",
    )
    ap.add_argument(
        "--own-runs",
        action="store_true",
        help="with --cut: each batch a run of its own (every fetch is a run)",
    )
    ap.add_argument(
        "--dev2",
        type=Path,
        metavar="DIR",
        help="the dev2 set (and the six's dev half) analysed with the six and the eight unseen"
        " feeds; DIR: fastfeedparser's benchmark_data (the unseen items are never shown)",
    )
    args = ap.parse_args()
    stories = analysis_bench.STORIES
    if args.cut and args.set != "realfeeds":
        if args.set == "ecbplus":
            rows = analysis_bench.ecbplus(stories / "ecbplus-dev.jsonl")
        else:
            rows = analysis_bench.uci(stories / "uci-dev.csv")
        items, one, _ = gold_set(rows, analysis_bench.BATCH)
        _, batched, _ = gold_set(rows, args.cut)
        causes = None
        if args.final_idf:
            with final_frequencies(lambda: analysis_bench.score(rows, batch_size=len(rows) + 1)):
                _, causes, _ = gold_set(rows, args.cut)
        print("\n".join(gold_cut_listing(items, one, batched, args.cut, causes)))
        return 0
    if args.cut:
        items = realfeed_items(stories.parent)
        one = analysis_bench.realfeeds(stories.parent).pred
        batched = analysis_bench.realfeeds(
            stories.parent, batch_size=args.cut, own_runs=args.own_runs
        ).pred
        print("\n".join(cut_listing(items, one, batched, args.cut)))
        if args.final_idf:
            with final_frequencies(lambda: analysis_bench.realfeeds(stories.parent)):
                settled = analysis_bench.realfeeds(
                    stories.parent, batch_size=args.cut, own_runs=args.own_runs
                ).pred
            print(f"== with the final counts from the first batch on, {args.cut} per batch:")
            print("\n".join(cut_listing(items, one, settled, args.cut)))
        return 0
    want = args.signals or args.bands or args.evidence or args.events or args.paths
    with merges_traced() as runs, paths_traced() as paths:
        if args.dev2:
            items, pred, signals = dev2_set(stories.parent, args.dev2, args.batch_size, want)
        elif args.set == "realfeeds":
            items, pred, signals = realfeeds(stories.parent, args.batch_size, want)
        elif args.set == "ecbplus":
            rows = analysis_bench.ecbplus(stories / "ecbplus-dev.jsonl")
            items, pred, signals = gold_set(rows, args.batch_size, want)
        else:
            rows = analysis_bench.uci(stories / "uci-dev.csv")
            items, pred, signals = gold_set(rows, args.batch_size, want)
    if signals is not None:
        signals.paths = paths
    if args.paths:
        assert signals is not None
        print("\n".join(path_listing(items, pred, signals)))
        return 0
    if args.events:
        assert signals is not None
        print("\n".join(event_listing(items, pred, signals, runs)))
        return 0
    if args.evidence:
        assert signals is not None
        print("\n".join(evidence_listing(items, pred, signals)))
        return 0
    if args.bands:
        assert signals is not None
        print("\n".join(band_listing(items, pred, signals)))
        return 0
    print("\n".join(listing(items, pred, signals)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

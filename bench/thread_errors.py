"""The thread errors of the dev half of a gold story set, the held-out half kept unread.

    python bench/thread_errors.py                     # real feeds, one analysis
    python bench/thread_errors.py --batch-size 25     # the same items 25 at a time
    python bench/thread_errors.py --set ecbplus       # ECB+ (odd topics are dev)
    python bench/thread_errors.py --set uci           # UCI headlines (half the stories)

Tuning looks at errors; judging looks at figures (`analysis_bench.py --no-speed`). This lists
the errors of the dev half only, so that a round of tuning can read them without reading the
held-out half: a thread holding items of more than one gold story (a false merge) with at
least one dev item, and a dev story spread over more than one thread (a missed link). A
held-out item is shown as `[held-out]` and its outlet, never its title or story: a dev item
wrongly merged with it is still an error to read, what it was merged with is not.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analysis_bench  # beside this file (a script's folder is on the path)

HELD = "[held-out]"
SHOWN_PER_THREAD = 12  # a UCI thread holds hundreds of headlines: the first few say enough


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


def realfeeds(corpus: Path, batch_size: int) -> tuple[list[Labelled], list[int]]:
    return realfeed_items(corpus), analysis_bench.realfeeds(corpus, batch_size=batch_size).pred


def gold_set(rows: list[analysis_bench.Gold], batch_size: int) -> tuple[list[Labelled], list[int]]:
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
    return items, analysis_bench.score(rows, batch_size=batch_size).pred


def listing(items: list[Labelled], pred: list[int]) -> list[str]:
    """The lines of the listing: false merges touching the dev half, then split dev stories."""
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
    lines.append("== missed links: dev stories spread over more than one thread")
    for story, members in stories.items():
        spread = {pred[k] for k in members}
        if items[members[0]].half == "dev" and len(spread) > 1:
            lines.append(f"  story {story}: {len(members)} items in {len(spread)} threads")
            lines += [f"    t{pred[k]:<5} {items[k].shown()}" for k in members[:SHOWN_PER_THREAD]]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["realfeeds", "ecbplus", "uci"], default="realfeeds")
    ap.add_argument("--batch-size", type=int, default=analysis_bench.BATCH)
    args = ap.parse_args()
    stories = analysis_bench.STORIES
    if args.set == "realfeeds":
        items, pred = realfeeds(stories.parent, args.batch_size)
    elif args.set == "ecbplus":
        items, pred = gold_set(
            analysis_bench.ecbplus(stories / "ecbplus-dev.jsonl"), args.batch_size
        )
    else:
        items, pred = gold_set(analysis_bench.uci(stories / "uci-dev.csv"), args.batch_size)
    print("\n".join(listing(items, pred)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

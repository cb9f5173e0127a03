"""Whether an entry's names depend on what was extracted before it (the per-text caches).

    python bench/entities_order.py [--corpus ../shared/corpus] [--feeds DIR] [--unseen 1000]
        [--show 10]

Every entry (the ECB+ dev topics' articles, the six corpus feeds' entries, and the first
`--unseen` entries of the unseen feeds' dev group when `--feeds` is given, made up to
`--unseen` with the folder's files outside the twelve news feeds and the threads bench's
held-out ones) is extracted from
empty caches (`clear_caches` before it), then again in one pass over all of them in order, then
in reverse order after that pass (each entry warm after all the others). An entry whose names
(span, text, kind) differ in either warm pass from its cold extraction is counted, per set; the
first `--show` differences are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from entities_feed_sample import UNSEEN_NEWS, feed_entries, feed_paths  # noqa: E402
from wirereader.analysis.entities.extract import clear_caches, extract_located  # noqa: E402

UNSEEN = REPO / "bench" / "data" / "realfeeds-unseen.jsonl"  # the threads bench's held-out feeds

Entry = tuple[str, str, str, str]  # set, title, body, author
Names = list[tuple[object, ...]]


def names(entry: Entry) -> Names:
    _set, title, body, author = entry
    located = extract_located(title, body, authors=[author] if author else ())
    return sorted((part, a, b, *m) for m, part, a, b in located)


def entries(corpus: Path, feeds: Path | None, unseen: int) -> list[Entry]:
    out: list[Entry] = []
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out += [("ecb-dev", "", r["text"], "") for r in rows if r["topic"] % 2 == 1]
    out += [("six-feeds", t, b, a) for t, b, a in feed_entries(feed_paths(corpus))]
    if feeds is not None:
        found = feed_entries(feed_paths(corpus, feeds, group="dev"))
        out += [("unseen-dev", t, b, a) for t, b, a in found[:unseen]]
        # then, up to `unseen` in all, the folder's other files (sorted by name): neither of
        # the twelve news feeds nor of the threads bench's held-out ones
        held = {json.loads(line)["feed"] for line in UNSEEN.read_text().splitlines() if line}
        for path in sorted(feeds.iterdir()):
            if len(found) >= unseen:
                break
            if path.name in UNSEEN_NEWS or path.name in held:
                continue
            try:
                more = feed_entries([path])
            except Exception:  # a file no parser reads is skipped
                continue
            more = more[: unseen - len(found)]
            found += more
            out += [("unseen-other", t, b, a) for t, b, a in more]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    shared = Path(os.environ.get("WIREREADER_SHARED", REPO.parent / "shared"))
    ap.add_argument("--corpus", type=Path, default=shared / "corpus")
    ap.add_argument("--feeds", type=Path)
    ap.add_argument("--unseen", type=int, default=1000)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    todo = entries(args.corpus, args.feeds, args.unseen)
    cold = []
    for entry in todo:
        clear_caches()
        cold.append(names(entry))
    clear_caches()
    forward = [names(entry) for entry in todo]
    backward = [names(entry) for entry in reversed(todo)][::-1]
    totals: dict[str, list[int]] = {}
    shown = 0
    for entry, c, f, b in zip(todo, cold, forward, backward, strict=True):
        count = totals.setdefault(entry[0], [0, 0, 0, 0])
        count[0] += 1
        count[1] += f != c
        count[2] += b != c
        count[3] += f != c or b != c
        for warm in (f, b):
            if warm != c and shown < args.show:
                shown += 1
                print(f"[{entry[0]}] {entry[1][:70]!r}")
                print("  cold only:", sorted(set(c) - set(warm)))
                print("  warm only:", sorted(set(warm) - set(c)))
                break
    for name, (n, fwd, bwd, either) in totals.items():
        print(f"{name}: {n} entries, differ forward {fwd}, reverse {bwd}, either {either}")


if __name__ == "__main__":
    main()

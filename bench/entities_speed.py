"""Entity extraction speed: this tree against an older commit, side by side in one run.

    python bench/entities_speed.py [--base 52c2516[,REV...]] [--rounds 5] [--passes 3] [--opcodes]

The base commit's `src/` is exported with `git archive` into a temporary folder, and each side
runs in its own child process, the two sides alternating round after round (the order swapped
every round), so a shared machine's load falls on both alike. Every child times `--passes`
passes over each corpus in CPU time (process_time), each pass from cold caches
(`clear_caches()`) and, after it, one pass with the caches warm. The figure printed is the best
(smallest) CPU microseconds per entry over all rounds and passes of that side.

Corpora (read by this tree's parsers once, handed to both sides as the same texts):
- ECB+ articles (`stories/ecbplus-dev.jsonl`, long texts, about 1,900 characters),
- the bundled seed live-blog entries (`src/wirereader/data/*.txt`),
- the six real feeds of February 2026 (`corpus/feeds/`),
- 3,000 entries of the news-like generated corpus (`news_corpus.py`, as `analysis_bench.py`
  builds it for its `10n` / `40n` sizes: 200 feeds, seed 11): the analysis bench's speed
  figures are for this corpus, and its bodies differ from the three above (a regression found
  at a merge, +10% of the extraction's CPU, showed only here).

The default base, 52c2516, is main just before the entity work of issue 16 began (its first
commit, 80c02d1, is that commit's child); that work must not make the extraction slower.

`--opcodes` also counts the Python bytecodes each side executes per entry (one cold and one warm
pass, traced with `sys.settrace`; the same count on every run), after an untraced pass that
loads what a process loads once (word lists a rule reads on first use). On this code it is the
count that follows CPU time: against 52c2516 the extraction ran about as many machine instructions
(callgrind: 1.79G for a warm pass over the ECB+ articles on both sides) but 50% more bytecodes,
and its CPU time grew by as much. The regex engine's instructions it replaced are cheap; the
interpreter's (branch mispredictions, cache misses per instruction) are not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
try:
    from wirereader.analysis.entities.extract import clear_caches, extract
except ImportError:  # the layout before the analysis was split into sub-packages
    from wirereader.analysis.entities import clear_caches, extract
corpora = json.load(open(sys.argv[2], encoding="utf-8"))
passes = int(sys.argv[3])
extract("Kyiv", "Kyiv")  # the gazetteers load outside the clock
out = {}
if passes < 0:  # Python bytecodes per entry, counted in this side's own modules
    src = sys.argv[1]
    # the word lists a rule loads on its first use, once a process, outside the count (as the
    # CPU figures' best pass leaves them out): one untraced pass over every corpus first
    for docs in corpora.values():
        for title, body, author in docs:
            extract(title, body, authors=(author,))
    counts = [0]
    def local(frame, event, arg):
        if event == "opcode":
            counts[0] += 1
        return local
    def tracer(frame, event, arg):
        if not frame.f_code.co_filename.startswith(src):
            return None
        frame.f_trace_opcodes, frame.f_trace_lines = True, False
        return local
    for name, docs in corpora.items():
        clear_caches()
        got = []
        for rep in range(2):
            counts[0] = 0
            sys.settrace(tracer)
            for title, body, author in docs:
                extract(title, body, authors=(author,))
            sys.settrace(None)
            got.append(counts[0] / len(docs))
        out[name] = got
    print(json.dumps(out))
    sys.exit(0)
for name, docs in corpora.items():
    cold = warm = float("inf")
    for _ in range(passes):
        clear_caches()
        for rep in range(2):
            start = time.process_time()
            for title, body, author in docs:
                extract(title, body, authors=(author,))
            spent = (time.process_time() - start) / len(docs) * 1e6
            if rep == 0:
                cold = min(cold, spent)
            else:
                warm = min(warm, spent)
    out[name] = (cold, warm)
print(json.dumps(out))
"""


def corpora(corpus: Path) -> dict[str, list[tuple[str, str, str]]]:
    sys.path.insert(0, str(REPO / "src"))
    from wirereader.sources.dispatch import ParseContext, parse_file

    def entries(paths: list[Path]) -> list[tuple[str, str, str]]:
        out = []
        for path in paths:
            _fmt, doc = parse_file(path, ParseContext(str(path)))
            out += [(e.title, e.body, e.author or "") for e in doc.entries]
        return out

    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        ecb = [("", json.loads(line)["text"], "") for line in f if line.strip()]
    feeds = ("abc-net-au", "aljazeera", "bbc-news", "dw-english", "npr-world", "nyt-world")
    sys.path.insert(0, str(REPO / "bench"))
    from news_corpus import news_chunks

    news = [
        (e.title, e.body, e.author or "")
        for chunk in news_chunks(3_000, 200)
        for items in chunk.values()
        for e in items
    ]
    return {
        "ECB+ articles": ecb,
        "seed live-blog entries": entries(sorted((REPO / "src/wirereader/data").glob("*.txt"))),
        "six real feeds": entries(
            sorted(p for p in (corpus / "feeds").iterdir() if p.name.startswith(feeds))
        ),
        "news-like generated entries": news,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument(
        "--base",
        default="52c2516",
        help="the commit to compare with; several, comma-separated, run side by side too"
        " (the change lines compare this tree with each)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=3, help="cold passes per child")
    parser.add_argument(
        "--opcodes", action="store_true", help="also count the Python bytecodes per entry"
    )
    args = parser.parse_args()

    bases = args.base.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        sides: dict[str, Path] = {}
        for rev in bases:
            base = Path(tmp) / rev
            base.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", rev, "src"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            sides[rev] = base / "src"
        sides["this tree"] = REPO / "src"
        data = Path(tmp) / "corpora.json"
        docs = corpora(args.corpus)
        data.write_text(json.dumps(docs), encoding="utf-8")
        best: dict[str, dict[str, list[float]]] = {s: {} for s in sides}
        for r in range(args.rounds):
            order = list(sides) if r % 2 == 0 else list(sides)[::-1]
            for side in order:
                child = [sys.executable, "-c", CHILD, str(sides[side]), str(data)]
                res = subprocess.run(
                    [*child, str(args.passes)], check=True, capture_output=True, text=True
                )
                for name, (cold, warm) in json.loads(res.stdout).items():
                    got = best[side].setdefault(name, [float("inf"), float("inf")])
                    got[0], got[1] = min(got[0], cold), min(got[1], warm)
        ops: dict[str, dict[str, list[float]]] = {}
        if args.opcodes:
            for side in sides:
                child = [sys.executable, "-c", CHILD, str(sides[side]), str(data), "-1"]
                res = subprocess.run(child, check=True, capture_output=True, text=True)
                ops[side] = json.loads(res.stdout)

    print(
        f"CPU µs per entry, best of {args.rounds} alternating rounds x {args.passes} passes"
        " (cold: caches cleared; warm: the pass after)"
    )
    print(f"  {'corpus':34} {'side':10} {'cold':>8} {'warm':>8}")
    for name, items in docs.items():
        label = f"{name} ({len(items)})"
        for side in sides:
            cold, warm = best[side][name]
            print(f"  {label:34} {side:10} {cold:8.1f} {warm:8.1f}")
        c1, w1 = best["this tree"][name]
        for rev in bases:
            c0, w0 = best[rev][name]
            print(f"  {'':34} {'vs ' + rev:10} {c1 / c0 - 1:+8.1%} {w1 / w0 - 1:+8.1%}")
    if ops:
        print("Python bytecodes per entry (sys.settrace; the same on every run)")
        print(f"  {'corpus':34} {'side':10} {'cold':>8} {'warm':>8}")
        for name, items in docs.items():
            label = f"{name} ({len(items)})"
            for side in sides:
                cold, warm = ops[side][name]
                print(f"  {label:34} {side:10} {cold:8.0f} {warm:8.0f}")
            c1, w1 = ops["this tree"][name]
            for rev in bases:
                c0, w0 = ops[rev][name]
                print(f"  {'':34} {'vs ' + rev:10} {c1 / c0 - 1:+8.1%} {w1 / w0 - 1:+8.1%}")


if __name__ == "__main__":
    main()

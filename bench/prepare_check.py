"""The prepare worker's outputs and CPU, this tree against another (a `git archive` of main):

    git archive main | tar -x -C /tmp/base
    python bench/prepare_check.py --against /tmp/base                 # 40k feeds, 10k news-like
    python bench/prepare_check.py --against /tmp/base --rounds 3      # and its CPU, 3 rounds
    python bench/prepare_check.py --against /tmp/base --corpora news:40000 --rounds 3

What `prepare_pool.prepare_packed` returns for every 500-entry chunk (the worker's task) is
compared field by field between the two trees: the packed fingerprints (exact keys, sizes,
every lookup key, MinHash band keys), the TF weights (each chunk's vocabulary, term ids and
the floats' bytes), and each entry's text hash and mentions as this process gets them (after
pickling, as they cross back: the Mention class and the type of `short` included); for every
fourth chunk also `prepare` as it runs here for a chunk taken back from the worker (dicts and
Fingerprint objects). The corpora: `feeds` (the feeds benchmark's 40k, parsed from its RSS),
`news` (the news-like corpus, `news_corpus.py`), and `real` (ECB+ articles, the six real feeds,
3,000 UCI headlines and a few texts in other scripts) when ../shared/corpus is there. Rows are
read from a cache the corpus was imported into, as the pipeline reads them.

Each tree runs in a process of its own with PYTHONPATH=TREE/src (the two cannot share one).
With `--rounds`, each tree then prepares each corpus once per round in a fresh process (the
worker's caches empty, as a new worker's), trees alternating; the best CPU time per entry of
each is printed with its wall time (a shared machine: compare the two in one run).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("WIREREADER_SHARED", ROOT.parent / "shared"))
CHUNK = 500


def _rows(corpus: str, n: int) -> list[tuple[Any, ...]]:
    """(id, title, body, author) of the corpus's first n entries, as the pipeline reads them."""
    if corpus == "real":
        return _real_rows()[:n]
    sys.path.insert(0, str(HERE))
    from analysis_bench import _imported, feeds_bench_corpus
    from news_corpus import news_chunks
    from wirereader.store import analysis as analysis_store

    source = feeds_bench_corpus() if corpus == "feeds" else (lambda: news_chunks(n))
    with _imported(source) as store:
        return [tuple(r) for r in analysis_store.next_texts(store.conn, n, 0)]


def _real_rows() -> list[tuple[Any, ...]]:
    from wirereader.sources.dispatch import ParseContext, parse_file

    corpus = SHARED / "corpus"
    texts: list[tuple[str | None, str | None, str | None]] = []
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts += [(r.get("title", ""), r["text"], "") for r in map(json.loads, f)]
    for path in sorted((corpus / "feeds").iterdir()):
        _, doc = parse_file(path, ParseContext(str(path)))
        texts += [(e.title, e.body, e.author) for e in doc.entries]
    csv.field_size_limit(1 << 30)
    with (corpus / "stories" / "uci-dev.csv").open(encoding="utf-8") as f:
        texts += [(r.get("TITLE") or "", "", "") for r in list(csv.DictReader(f))[:3000]]
    odd = [
        "हिन्दी समाचार और भारत की राजधानी नई दिल्ली में आज प्रधानमंत्री नरेंद्र मोदी ने कहा",
        "ΟΔΥΣΣΕΥΣ ΚΑΙ ΠΗΝΕΛΟΠΗΣ Ο Κυριάκος Μητσοτάκης είπε στην Αθήνα",
        "İstanbul'da Erdoğan’s speech: U.S.-led talks at 3,400.5 — Smith's co-op, dogs' o''x",
        "ข่าวไทย กรุงเทพมหานคร นายกรัฐมนตรี",
    ]
    for k, text in enumerate(odd):
        body = ("\n\n".join([text * 3] * 4) + " Watch: the 2nd-largest firm, O’Brien’s") * (k + 1)
        texts += [(text, body, "Someone"), ("Watch: " + text, text, ""), ("", "", ""), (None,) * 3]
    return [(k + 1, *t) for k, t in enumerate(texts)]


def _mentions_of(found: dict[int, tuple[str, list[Any]]]) -> list[Any]:
    return [
        (k, h, [(type(m).__name__, tuple(m), type(m[3]).__name__) for m in ms])
        for k, (h, ms) in found.items()
    ]


def _packed(prepared: Any) -> Any:
    """Everything `prepare_packed` hands back, in a comparable form."""
    p, w = prepared.packed, prepared.packed_weights
    prints = [p.ids, p.exact, p.size, p.keys, p.key_counts, p.bands, p.band_counts]
    weights = (w.entries.tobytes(), list(w.terms), w.ids.tobytes(), w.values.tobytes())
    crossed = pickle.loads(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)).unpack()
    return (
        [a.tobytes() for a in prints],
        weights,
        w.counts.tobytes(),
        _mentions_of(crossed.mentions),
    )


def _plain(prepared: Any) -> Any:
    """What `prepare` (a chunk taken back from the worker) gives, in a comparable form."""
    prints = [
        (k, fp.keys, fp.exact, fp.size, fp.shingles, sorted(fp.bands))
        for k, fp in prepared.prints.items()
    ]
    weights = [
        (k, [(t, struct.pack("<d", v)) for t, v in w.items()]) for k, w in prepared.weights.items()
    ]
    return prints, weights, _mentions_of(prepared.mentions)


def _dump(rows_file: str, out_file: str) -> None:
    """(In a child with the tree's PYTHONPATH) each chunk's outputs, pickled."""
    from wirereader.analysis import prepare_pool

    rows = pickle.loads(Path(rows_file).read_bytes())
    chunks = []
    for k, start in enumerate(range(0, len(rows), CHUNK)):
        part = rows[start : start + CHUNK]
        plain = _plain(prepare_pool.prepare(part)) if k % 4 == 1 else None
        chunks.append((_packed(prepare_pool.prepare_packed(part)), plain))
    Path(out_file).write_bytes(pickle.dumps(chunks, protocol=pickle.HIGHEST_PROTOCOL))


def _time(rows_file: str) -> None:
    """(In a fresh child) one pass of the worker's task over the rows: CPU and wall per entry."""
    from wirereader.analysis import prepare_pool
    from wirereader.analysis.entities.gazetteer import gazetteer

    rows = pickle.loads(Path(rows_file).read_bytes())
    gazetteer()  # loaded when the worker starts, before its first chunk
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        prepare_pool.prepare_packed(rows[start : start + CHUNK])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{cpu / len(rows) * 1e6:.1f} {wall / len(rows) * 1e6:.1f}")


def _child(tree: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def _differences(a: list[Any], b: list[Any]) -> list[str]:
    out = [f"{len(a)} chunks against {len(b)}"] if len(a) != len(b) else []
    names = ("fingerprints", "TF weights", "weights per entry", "mentions")
    for k, (x, y) in enumerate(zip(a, b, strict=False)):
        for name, u, v in zip(names, x[0], y[0], strict=True):
            if u != v:
                out.append(f"chunk {k}: packed {name} differ")
        if x[1] != y[1]:
            out.append(f"chunk {k}: prepared in-process, differ")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, help="the other tree's root (has src/)")
    parser.add_argument("--corpora", default="feeds:40000,news:10000,real:100000")
    parser.add_argument("--rounds", type=int, default=0, help="CPU rounds per tree (0: none)")
    parser.add_argument("--dump", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--time", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        return _dump(*args.dump)
    if args.time:
        return _time(args.time)
    if args.against is None or not (args.against / "src" / "wirereader").is_dir():
        raise SystemExit("--against: a tree with src/wirereader (e.g. a git archive of main)")
    trees = {"this tree": ROOT, "against": args.against.resolve()}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for spec in args.corpora.split(","):
            corpus, n = spec.split(":")
            if corpus == "real" and not (SHARED / "corpus").is_dir():
                print(f"real: skipped, no corpus at {SHARED / 'corpus'}")
                continue
            rows = _rows(corpus, int(n))
            files[corpus] = rows_file = f"{tmp}/{corpus}.rows"
            Path(rows_file).write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
            outs = {}
            for name, tree in trees.items():
                outs[name] = f"{tmp}/{corpus}.{name.replace(' ', '-')}"
                _child(tree, "--dump", rows_file, outs[name])
            a, b = (pickle.loads(Path(f).read_bytes()) for f in outs.values())
            wrong = _differences(a, b)
            failed |= bool(wrong)
            print(
                f"{corpus}: {len(rows):,} entries, {len(a)} chunks: "
                + (
                    "IDENTICAL"
                    if not wrong
                    else f"{len(wrong)} DIFFERENCES: " + "; ".join(wrong[:5])
                )
            )
        for corpus, rows_file in files.items() if args.rounds else ():
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    cpu, wall = map(float, _child(tree, "--time", rows_file).split())
                    best[name] = min(best.get(name, (cpu, wall)), (cpu, wall))
            print(
                f"{corpus}: prepare CPU per entry, best of {args.rounds} (wall beside it): "
                + ", ".join(f"{n} {c:.1f} us ({w:.1f})" for n, (c, w) in best.items())
            )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

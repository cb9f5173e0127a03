"""The analysis worker's preparing, replayed along the news-like stream: what it costs an entry
late in a long run against early, and what the process holds meanwhile.

    python bench/prepare_growth.py --total 200000 --window 20000
    python bench/prepare_growth.py --total 200000 --window 20000 --clear   # a control
    python bench/prepare_growth.py --total 200000 --skip 180000            # the late entries cold

Each window of `--window` entries prints the CPU an entry of `prepare_pool.prepare_packed` (as
the worker runs it: chunks of `prepare_pool.CHUNK`, the cyclic collector paused inside and the
heap frozen after each chunk), the system's share of it (page faults), split into its parts
(fingerprints and words, mentions, TF weights, the packing), the collector's passes by
generation and their CPU, the resident size, the objects frozen, and the sizes of the
extraction's caches (those emptied whole when full and the LRU ones, with their hit rates in
the window).

Issue 17's 1M figure (per-entry CPU at 1M within 1.3x of 10k) showed the worker's preparing
growing (178 -> 250 us an entry); this asks why in one process, with no SQLite and no pipe.
CPU on a shared machine drifts with its load: compare runs made side by side (a run and its
`--clear` control started together), or count instructions (callgrind) for firm figures.

`--clear` empties every per-text cache of the extraction and the word table at each window's
end, so the process keeps the heap it grew but not the caches' contents: if the cost still
grows, the caches' fill is not why. `--skip N` generates the first N entries without preparing
them: the late stream's own cost, cold, against the first window's.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from news_corpus import news_chunks
from wirereader.analysis import features, prepare_pool
from wirereader.analysis.entities import (
    cues,
    extract,
    gazetteer,
    kinds,
    record,
    resolver,
    runcache,
    tokens,
)
from wirereader.analysis.threads import term_weights

_LRU = {
    "fold": gazetteer.fold_key,
    "tokens": tokens._tokens,
    "surname": extract.surname_key,
    "byline": extract._byline_keys,
    "short": resolver._short_keys,
    "ending": cues.ending_kind,
}


def _timed(parts: Counter[str], module: Any, name: str, label: str) -> None:
    work = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            parts[label] += time.process_time() - started

    setattr(module, name, timed)


def _resident_mb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 >> 20


def _caches() -> str:
    table = features._TABLE
    whole = {
        "fast": len(runcache._FAST),
        "cuts": len(runcache._CUTS),
        "context": len(runcache._CONTEXT_CUTS),
        "words": len(runcache._WORDS),
        "name sums": len(kinds._NAME_SUMS),
        "word table": len(table.hashes) if table else 0,
    }
    return "  ".join(f"{k} {v}" for k, v in whole.items())


def _reset_lru_counts() -> None:
    # (cache_info counts since the cache's start: a window's are the difference)
    for name, cached in _LRU.items():
        info = cached.cache_info()
        _SEEN[name] = (info.hits, info.misses)


_SEEN: dict[str, tuple[int, int]] = {}


def _lru_window() -> str:
    out = []
    for name, cached in _LRU.items():
        info = cached.cache_info()
        hits0, misses0 = _SEEN.get(name, (0, 0))
        hits, misses = info.hits - hits0, info.misses - misses0
        rate = f" {hits / (hits + misses):.0%}" if hits + misses else ""
        out.append(f"{name} {info.currsize}/{info.maxsize}{rate}")
    return ", ".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--total", type=int, default=200_000, help="entries of the stream")
    ap.add_argument(
        "--window", type=int, default=20_000, help="entries a line (at least a chunk: 5,000)"
    )
    ap.add_argument("--skip", type=int, default=0, help="entries generated, not prepared")
    ap.add_argument("--clear", action="store_true", help="empty the caches each window")
    ap.add_argument("--feeds", type=int, default=200)
    args = ap.parse_args()

    # As the worker's forkserver holds them: loaded, then frozen.
    gazetteer.gazetteer()
    gazetteer.nameless_words()
    gazetteer.nationalities()
    kinds.model()
    gc.freeze()

    passes = [0, 0, 0]
    gc_cpu = [0.0, 0.0]

    def on_collect(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_cpu[1] = time.process_time()
        else:
            passes[info["generation"]] += 1
            gc_cpu[0] += time.process_time() - gc_cpu[1]

    gc.callbacks.append(on_collect)
    parts: Counter[str] = Counter()
    _timed(parts, prepare_pool, "fingerprints_shingles_and_words", "prints")
    _timed(parts, record, "text_mentions", "mentions")
    _timed(parts, term_weights, "packed_text_weights", "weights")
    _timed(parts, prepare_pool, "PackedMentions", "pack")
    _timed(parts, prepare_pool, "PackedPrints", "pack")

    n = done = 0
    cpu = system = 0.0
    rows: list[prepare_pool.TextRow] = []

    def prepare(batch: list[prepare_pool.TextRow]) -> None:
        nonlocal cpu, system, done
        for start in range(0, len(batch), prepare_pool.CHUNK):
            part = batch[start : start + prepare_pool.CHUNK]
            started, kernel = time.process_time(), os.times().system
            prepare_pool.prepare_packed(part)
            cpu += time.process_time() - started
            system += os.times().system - kernel
            done += len(part)

    for chunk in news_chunks(args.total, args.feeds):
        for entries in chunk.values():
            for e in entries:
                n += 1
                if n > args.skip:
                    rows.append((n, e.title, e.body, e.author))
        if len(rows) >= 2_000:
            prepare(rows)
            rows = []
        if done >= args.window:
            split = "  ".join(f"{k} {v / done * 1e6:.0f}" for k, v in parts.items())
            print(
                f"at {n:>9,}: {cpu / done * 1e6:6.1f} us an entry"
                f" (system {system / done * 1e6:.0f}; {split})  collector"
                f" passes {passes} {gc_cpu[0] / done * 1e6:.1f} us  resident {_resident_mb()}"
                f" MB  frozen {gc.get_freeze_count():,}  {_caches()}"
                f" | lru in the window: {_lru_window()}",
                flush=True,
            )
            _reset_lru_counts()
            if args.clear:
                runcache.clear_caches()
                kinds._NAME_SUMS.clear()
                features._TABLE = None
            cpu, system, done = 0.0, 0.0, 0
            parts.clear()
            passes[:] = [0, 0, 0]
            gc_cpu[0] = 0.0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

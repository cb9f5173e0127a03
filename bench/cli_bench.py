"""CLI listings at scale: time to the first line, total time and peak memory of each listing
command, on the reader benchmark's synthetic caches (40k, 100k, 1M items).

    python bench/cli_bench.py                  # every size (the caches are built once)
    python bench/cli_bench.py --sizes 100k     # one size

Each command runs as a user runs it (`python -m wirereader --db CACHE ...`), its output read
from a pipe and thrown away; peak memory is the child's maximum RSS (wait4; the bench process
itself stays small, as Linux counts a parent's RSS at fork into the child's maximum). The caches are
bench/tui_bench.py's, kept in its cache folder ($WIREREADER_BENCH_CACHE).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tui_bench  # beside this file (a script's folder is on the path)

COMMANDS = {
    "entries": ["entries"],
    "entries --json": ["entries", "--json"],
    "entries --all --json": ["entries", "--all", "--json"],
    "search harbour": ["search", "harbour"],
    "search harbour --json": ["search", "harbour", "--json"],
    "entries kind:breaking": ["entries", "kind:breaking"],
    "entries +person": ["entries", '+person:"Arlo Varga"'],
    "threads harbour": ["threads", "harbour"],
    "threads": ["threads"],
    "threads --json": ["threads", "--json"],
    "entities": ["entities"],  # piped, its last column is a million cells wide
    "entities --json": ["entities", "--json"],
    "export": ["export", "--format", "json"],
}
FIRST_LINE_TARGET_S = 1.0  # a Python start (~0.3 s here) and the first chunk


def run(db: Path, argv: list[str]) -> tuple[float, float, int, int]:
    """(seconds to the first byte, seconds to the end, bytes printed, peak RSS in KB)."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "WIREREADER_CONFIG": str(Path(folder) / "none.toml")}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "wirereader", "--db", str(db), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdout is not None
        first = proc.stdout.read(1)
        first_at = time.perf_counter() - started
        size = len(first)
        while chunk := proc.stdout.read(1 << 20):
            size += len(chunk)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        total = time.perf_counter() - started
        if proc.returncode:
            raise SystemExit(f"{' '.join(argv)}: exit {proc.returncode}")
    return first_at, total, size, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="40k,100k,1m")
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--only", help="comma-separated command labels")
    args = parser.parse_args()
    if args.cache_dir:
        tui_bench.CACHE_DIR = args.cache_dir
    names = [x.strip().lower() for x in args.sizes.split(",")]
    labels = [x.strip() for x in args.only.split(",")] if args.only else list(COMMANDS)
    ok = True
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    for name in names:
        db = tui_bench.build_cache(tui_bench.SIZES[name])
        started = time.perf_counter()
        # Else `threads` would first analyse the synthetic items. In a child process: Linux
        # counts the RSS a process had when it forked into each child's maximum RSS, so a
        # bench process grown by this step would inflate every figure below.
        subprocess.run(
            [sys.executable, "-c", f"import tui_bench; tui_bench.mark_analysed({str(db)!r})"],
            cwd=Path(__file__).resolve().parent,
            check=True,
        )
        print(
            f"{name:>5} cache ready (migrated, marked analysed) in"
            f" {time.perf_counter() - started:.1f} s"
        )
        for label in labels:
            first, total, size, rss = run(db, COMMANDS[label])
            ok &= first < FIRST_LINE_TARGET_S
            print(
                f"{name:>5} {label:<24} first byte {first:6.2f} s  all {total:7.1f} s"
                f"  {size / 1e6:8.1f} MB out  peak RSS {rss / 1024:5.0f} MB"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

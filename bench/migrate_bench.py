"""Migration benchmark: how long opening an old cache takes while its migrations convert it.

    python bench/migrate_bench.py CACHE [--work DIR]

Copies CACHE (never touched itself) into DIR (default: a temporary folder beside nothing else),
then opens the copy with `Store`, which applies every pending migration (0050 moves the bodies
into `entry_texts` and rebuilds `entries` narrow, in batches). Prints the wall and CPU time of the
open, the peak resident memory, the largest WAL seen, and the file's size and free pages before
and after, then checks that the full-text index matches its content (FTS5 integrity-check).
The WAL is sampled by a thread every 50 ms, so its peak is a lower bound.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from wirereader.store.db import Store  # noqa: E402
from wirereader.store.migrations import applied_versions, available_migrations  # noqa: E402


def pages(path: Path) -> tuple[int, int, int]:
    """(file bytes, page size, free pages)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        pending = [
            m.name for m in available_migrations() if m.version not in applied_versions(conn)
        ]
    finally:
        conn.close()
    print(f"  pending migrations: {', '.join(pending) or 'none'}")
    return path.stat().st_size, size, free


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cache", type=Path)
    ap.add_argument("--work", type=Path, help="folder for the copy (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="wirereader-migrate-"))
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "cache.sqlite3"
    for suffix in ("", "-wal"):
        source = Path(f"{args.cache}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{copy}{suffix}"))
    print(f"copied {args.cache} to {copy}")
    size, page_size, free = pages(copy)
    print(f"  before: {size / 1e6:,.1f} MB, {free:,} free pages of {page_size} bytes")
    wal = Path(f"{copy}-wal")
    largest = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            with contextlib.suppress(OSError):  # no WAL yet, or just cut back
                largest[0] = max(largest[0], wal.stat().st_size)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    started, cpu = time.perf_counter(), time.process_time()
    with Store(copy) as store:
        took, cpu_took = time.perf_counter() - started, time.process_time() - cpu
        done.set()
        entries = store.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        check = time.perf_counter()
        store.conn.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
        )
        checked = time.perf_counter() - check
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  open with migrations: wall {took:.1f} s, CPU {cpu_took:.1f} s"
        f" ({entries:,} entries, {took / max(entries, 1) * 1e6:.0f} us each);"
        f" peak memory {peak:.0f} MB; largest WAL seen {largest[0] / 1e6:,.1f} MB"
        f" (load average before: {load})"
    )
    size_after, _, free_after = pages(copy)
    print(
        f"  after: {size_after / 1e6:,.1f} MB, {free_after:,} free pages"
        f" ({(size_after - free_after * page_size) / 1e6:,.1f} MB in use,"
        f" {(size_after - free_after * page_size) / max(entries, 1):,.0f} bytes per entry)"
    )
    print(f"  full-text index matches its content (integrity-check, {checked:.1f} s)")
    if not args.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

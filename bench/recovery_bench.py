"""Rows `doctor --repair` brings back from a damaged cache, per kind of damage.

    python bench/recovery_bench.py               # the named cases and 20 random damages
    python bench/recovery_bench.py --random 50   # more random damages

The cache is the one tests/unit/store/test_recover.py builds: 2,200 invented entries in one
source, analysed, 22 starred, every 13th read. Each case copies it, overwrites pages with random
bytes, repairs it and counts what came back against the intact copy: entries, versions, stars
and read marks, and whether the repaired file passes integrity and foreign-key checks. "Could be
recovered" counts the entries whose own leaf page (and overflow pages) survived: nothing can
bring back rows whose only copy was overwritten.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.unit.store.test_recover import ENTRIES, build
from wirereader.store import doctor, texts
from wirereader.store.pages import PageFile


def pages(path: Path, where: str) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute(f"SELECT pageno FROM dbstat WHERE {where} ORDER BY 1")]


def entry_pages(path: Path) -> dict[int, set[int]]:
    """Each entry's pages: its leaf page and its overflow pages (dbstat knows the latter only
    by table, so an overflow page is charged to the entries of the leaf before it)."""
    owners: dict[int, set[int]] = {}
    file = PageFile(path)
    for leaf in pages(path, "name = 'entries' AND pagetype = 'leaf'"):
        for cell in file.leaf(leaf).cells:
            owners.setdefault(cell.rowid, set()).add(leaf)
    return owners


def state(path: Path) -> dict[int, tuple]:
    with sqlite3.connect(path) as conn:
        texts.register(conn)  # bodies are packed (store/texts.py)
        return {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, title, wirereader_body(body), starred, read_at FROM entries"
                " LEFT JOIN entry_texts ON entry_id = id"
            )
        }


def run_case(pristine: Path, work: Path, damaged: list[int]) -> dict[str, object]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    path = work / "cache.sqlite3"
    shutil.copy(pristine, path)
    size = PageFile(path).page_size
    with path.open("r+b") as handle:
        for number in damaged:
            handle.seek((number - 1) * size)
            handle.write(random.Random(number).randbytes(size))
    report = doctor.repair(path)
    before, after = state(pristine), state(path)
    owners = entry_pages(pristine)
    possible = sum(1 for e in before if not owners.get(e, set()) & set(damaged))
    with sqlite3.connect(path) as conn:
        clean = (
            conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            and not conn.execute("PRAGMA foreign_key_check").fetchall()
        )
        versions = conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0]
    return {
        "recovered": len(after),
        "possible": possible,
        "same": sum(1 for e, row in after.items() if before.get(e) == row),
        "stars": sum(1 for row in after.values() if row[2]),
        "reads": sum(1 for row in after.values() if row[3] is not None),
        "versions": versions,
        "clean": clean,
        "says_ok": not report.losses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random", type=int, default=20, help="random damages of 5 pages")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wirereader-recovery-"))
    pristine = folder / "pristine.sqlite3"
    build(pristine)
    total_pages = PageFile(pristine).pages.__len__()
    base = state(pristine)
    print(
        f"cache: {ENTRIES} entries, {sum(1 for r in base.values() if r[2])} starred,"
        f" {sum(1 for r in base.values() if r[3] is not None)} read, {total_pages} pages"
    )
    cases = {
        "interior page of entries": pages(
            pristine, "name = 'entries' AND pagetype = 'internal' AND path != '/'"
        )[:1],
        "root page of entries": pages(pristine, "name = 'entries' AND path = '/'"),
        "schema page (page 1)": [1],
        "root of entry_versions": pages(pristine, "name = 'entry_versions' AND path = '/'"),
        "one leaf of entries": pages(pristine, "name = 'entries' AND pagetype = 'leaf'")[5:6],
    }
    print(
        "| damage | entries recovered | could be recovered | identical | starred | read"
        " | versions | consistent | report says ok |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, damaged in cases.items():
        r = run_case(pristine, folder / "case", damaged)
        print(
            f"| {name} | {r['recovered']} | {r['possible']} | {r['same']} | {r['stars']}"
            f" | {r['reads']} | {r['versions']} | {r['clean']} | {r['says_ok']} |"
        )
    rng = random.Random(2026)
    got = possible = wrong_ok = unclean = 0
    for _ in range(args.random):
        damaged = rng.sample(range(2, total_pages + 1), 5)
        r = run_case(pristine, folder / "case", damaged)
        got += int(str(r["recovered"]))
        possible += int(str(r["possible"]))
        unclean += not r["clean"]
        wrong_ok += bool(r["says_ok"]) and r["recovered"] != ENTRIES
    print(
        f"| 5 random pages, {args.random} times | {got} | {possible} | | | | |"
        f" {args.random - unclean} of {args.random} | wrongly ok: {wrong_ok} |"
    )
    shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

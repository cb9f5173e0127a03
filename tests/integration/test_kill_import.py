"""Crash safety: `wirereader import` killed with SIGKILL at random points, again and again.

Each file is stored in one transaction and the CLI prints a line after each commit, so every
file reported before the kill must be complete in the cache; the cache must pass
`PRAGMA integrity_check`; and the next run must finish the work with no duplicates.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = 50
FILES = 8
ENTRIES_PER_FILE = 150


def write_corpus(folder: Path) -> list[Path]:
    paths = []
    for f in range(FILES):
        path = folder / f"batch{f:02d}.jsonl"
        with path.open("w") as out:
            for n in range(ENTRIES_PER_FILE):
                out.write(
                    json.dumps(
                        {
                            "id": f"{f}-{n}",
                            "title": f"Harbour report {f}-{n} from the coast",
                            "text": f"Paragraph {n} of batch {f}. " * 20,
                            "published": f"2024-01-{1 + f:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00",
                        }
                    )
                    + "\n"
                )
        paths.append(path)
    return paths


def run_import(db: Path, files: list[Path], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wirereader", "--db", str(db), "import", *map(str, files)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def counts_by_file(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "sources" not in tables:
            return {}  # killed before the schema was committed: nothing to lose yet
        return {
            Path(key).name: n
            for key, n in conn.execute(
                "SELECT s.key, count(e.id) FROM sources s LEFT JOIN entries e"
                " ON e.source_id = s.id GROUP BY s.id"
            )
        }
    finally:
        conn.close()


@pytest.mark.slow
def test_import_survives_sigkill_at_random_points(tmp_path: Path) -> None:
    files = write_corpus(tmp_path)
    env = {**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")}
    # A warm run tells how long one file takes; each round then lets a random number of files
    # commit (read from the CLI's own lines) and kills at a random moment inside the next one,
    # so the kills land mid-run however loaded the machine is.
    run_import(tmp_path / "warm.sqlite3", files, env).communicate(timeout=120)
    probe = run_import(tmp_path / "probe.sqlite3", files, env)
    assert probe.stdout is not None
    stamps = []
    for _ in range(FILES):
        probe.stdout.readline()
        stamps.append(time.monotonic())
    probe.communicate(timeout=120)
    per_file = (stamps[-1] - stamps[0]) / (FILES - 1)
    rng = random.Random(20250428)
    survived = mid_run = 0
    for round_no in range(KILLS):
        db = tmp_path / f"kill{round_no}.sqlite3"
        proc = run_import(db, files, env)
        assert proc.stdout is not None
        let_commit = rng.randrange(FILES)
        seen = [proc.stdout.readline() for _ in range(let_commit)]
        time.sleep(rng.uniform(0.0, per_file))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        lines = [*seen, *out.splitlines()]
        reported = [line.split(":")[0] for line in lines if " new, " in line]
        mid_run += len(reported) < FILES
        if db.exists():
            counts = counts_by_file(db)
            for path in reported:  # committed before the kill: complete
                assert counts.get(Path(path).name) == ENTRIES_PER_FILE, (round_no, path)
            for name, n in counts.items():  # nothing half-written
                assert n in (0, ENTRIES_PER_FILE), (round_no, name, n)
        again = run_import(db, files, env)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert counts_by_file(db) == {f.name: ENTRIES_PER_FILE for f in files}
        survived += 1
    print(f"import: {survived} kills survived, {mid_run} before the last file's commit")
    assert survived == KILLS
    assert mid_run >= KILLS // 2, "most kills must land before the import finished"

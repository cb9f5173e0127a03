"""Output to a pipe is never cut to a terminal's width: a long headline reaches `grep` whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wirereader.core.model import RawEntry
from wirereader.store.db import Store

LONG = "Harbour authority and ferry unions agree " + "overnight timetable " * 12 + "end"


def test_listings_piped_keep_whole_titles(tmp_path: Path) -> None:
    db = tmp_path / "cache.sqlite3"
    store = Store(db)
    source = store.ensure_source("file:pipe-test", "file", name="Harbour Gazette")
    store.save_entries(source, [RawEntry(title=LONG, body="The ferries run all night.")])
    store.close()
    for command in (["entries"], ["search", "ferries"], ["threads"]):
        out = subprocess.run(
            [sys.executable, "-m", "wirereader", "--db", str(db), *command],
            capture_output=True,
            text=True,
            env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
            timeout=120,
        )
        assert out.returncode == 0, (command, out.stderr)
        assert LONG in out.stdout, (command, out.stdout)
        assert "…" not in out.stdout, command

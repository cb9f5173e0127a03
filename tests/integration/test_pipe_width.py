"""Output to a pipe is never cut to a terminal's width: a long headline reaches `grep` whole."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from wirereader.cli.common import table_console
from wirereader.cli.stream import Column, StreamTable
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


def test_a_piped_table_does_not_pad_its_last_column_to_the_pipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Piped, a table is as wide as PIPE_WIDTH (a million cells) so no cell is cut; its last
    column (the entities' aliases) was padded to that width and then stripped: a megabyte per
    row, 176 MB for `entities` on 131 rows. The lines are the same, the memory a few KB."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    console = table_console()
    assert not console.is_terminal
    table = StreamTable(
        [
            Column("id", 3, "dim", right=True),
            Column("name", 12),
            Column("aliases", console.width - 21, "dim"),
        ],
        console,
    )
    rows = [(str(i), f"Name {i}", f"Alias {i}, Other {i}") for i in range(50)]
    tracemalloc.start()
    try:
        shown = table.print_all(rows, list)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert shown == 50
    lines = out.getvalue().splitlines()
    assert lines[0] == " id  name          aliases"
    assert lines[1] == "  0  Name 0        Alias 0, Other 0"
    assert len(lines) == 51 and all(line == line.rstrip() for line in lines)
    assert peak < 5_000_000, peak  # padded, the 50 rows held 50 MB

"""Run-time guards for the layering that `lint-imports` checks statically.

The import-linter contracts in pyproject.toml read the import graph of our own code; they cannot
see a third-party package that pulls Textual or Rich in sideways. These tests import each layer
of the core in a fresh interpreter and look at `sys.modules`, the only proof of what loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Every module of the core a library user or a front end reaches for.
CORE_IMPORTS = [
    "import wirereader.core.model, wirereader.core.text, wirereader.core.config",
    "import wirereader.sources.dispatch, wirereader.sources.fetch, wirereader.sources.feeds",
    "import wirereader.sources.articles.extract, wirereader.sources.liveblog_html",
    "import wirereader.store.db, wirereader.store.doctor, wirereader.store.articles",
    "import wirereader.store.reading",
    "import wirereader.analysis.pipeline, wirereader.analysis.prepare_pool",
    "import wirereader.query.timeline, wirereader.query.language, wirereader.query.panes",
    "import wirereader.query.detail, wirereader.query.filters, wirereader.query.reading",
    "import wirereader.ingest.files, wirereader.ingest.refresh, wirereader.ingest.articles",
]

FORBIDDEN = ("textual", "rich")


def _loaded_after(statement: str, modules: tuple[str, ...] = FORBIDDEN) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after running `statement` (read after
    a marker: the statement may print)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{statement}\nimport sys\n"
            f"print('loaded:' + ','.join(m for m in {modules!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.rsplit("loaded:", 1)[-1].strip()
    return [m for m in last.split(",") if m]


@pytest.mark.parametrize("statement", CORE_IMPORTS)
def test_the_core_never_loads_textual_or_rich(statement: str) -> None:
    assert _loaded_after(statement) == [], statement


def test_the_reader_does_load_textual() -> None:
    """The check can fail: the front end's own import shows up in `sys.modules`."""
    assert _loaded_after("import wirereader.tui.app") == ["textual", "rich"]


# What a command that analyses nothing and prints plain lines must not load: numpy and the
# analysis were ~0.14 s, Rich ~0.04 s of the ~0.38 s of CPU an all-304 `wirereader fetch` of 200
# feeds took (modules compiled at each run), most of its run.
ANALYSIS_ONLY = ("numpy", "wirereader.analysis.pipeline", "rich")


def _analysis_loaded_after(statement: str) -> list[str]:
    return _loaded_after(statement, ANALYSIS_ONLY)


def test_a_fetch_with_nothing_new_never_loads_the_analysis(tmp_path: Path) -> None:
    """Every command module is imported to build the parser, and opening the cache lists every
    migration (their modules too): none of that may bring the analysis in, nor Rich when no
    progress bar is shown (stderr is not a terminal here)."""
    db = tmp_path / "cache.sqlite3"
    run = f"from wirereader.cli import main\nmain(['--db', {str(db)!r}, 'fetch'])"
    _analysis_loaded_after(run)  # the cache is created (every migration applied)
    assert _analysis_loaded_after(run) == []  # and opened again, as a refresh does


def test_the_analysis_check_can_fail() -> None:
    assert _analysis_loaded_after("import wirereader.store.dedup") == ["numpy"]

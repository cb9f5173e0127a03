"""The README's test command on a fresh clone that has only the repository: tests that need the
outside corpus are skipped with one reason, unless CI is set, where a missing corpus fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

# One test that reads the corpus and one that does not, run by a real pytest.
CORPUS_TEST = (
    "tests/unit/sources/test_conformance_feedparser.py::test_wellformed_items_really_compared"
)
PLAIN_TEST = "tests/unit/query/test_querylang.py"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    clean.update(WIREREADER_SHARED=str(tmp_path / "no-shared"), **env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rs",
            CORPUS_TEST,
            PLAIN_TEST,
        ],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_the_corpus_its_tests_skip_with_one_reason(tmp_path: Path) -> None:
    proc = _pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    skips = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == 1, proc.stdout[-2000:]
    assert "outside corpus not found at" in skips[0]
    assert str(tmp_path / "no-shared" / "corpus") in skips[0]
    assert " passed" in proc.stdout and "1 skipped" in proc.stdout


def test_under_ci_a_missing_corpus_fails(tmp_path: Path) -> None:
    proc = _pytest(tmp_path, CI="true")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "outside corpus not found" in proc.stdout
    assert "1 error" in proc.stdout or "1 failed" in proc.stdout
    assert " skipped" not in proc.stdout.splitlines()[-1]

"""Shared fixtures: the outside corpus, the seeds, a fresh cache, and the CLI as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, serving
from tests.support.paths import SHARED
from wirereader.store.db import Store


def running_in_ci() -> bool:
    """CI services set `CI` (GitHub, GitLab, Woodpecker: `true`); `CI=0`/`false` means no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """`../shared/corpus`. Missing under CI is a failure (CI must have it); on a fresh clone
    without it the tests that need it are skipped, all with the same one-line reason."""
    path = SHARED / "corpus"
    if not path.is_dir():
        if running_in_ci():
            pytest.fail(f"outside corpus not found at {path}; CI needs ../shared beside the repo")
        pytest.skip(f"outside corpus not found at {path} (../shared beside the repository)")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db_path: Path, tmp_path: Path):
    """Run `wirereader --db <tmp> ARGS...` in a real subprocess, as a user would."""

    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        full_env = {
            **os.environ,
            "WIREREADER_CONFIG": str(tmp_path / "no-config.toml"),
            "PYTHONIOENCODING": "utf-8",
            **(env or {}),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "wirereader", "--db", str(db_path), *args],
            capture_output=True,
            text=True,
            input=stdin,
            env=full_env,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 for the test; routes are set by the test."""
    with serving() as s:
        yield s

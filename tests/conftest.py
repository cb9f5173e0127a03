"""Shared fixtures: the outside corpus, the seeds, a fresh cache, and the CLI as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import SHARED
from wirereader.store.db import Store


@pytest.fixture(scope="session")
def corpus() -> Path:
    """`../shared/corpus`. Missing corpus is a failure, never a skip: CI must have it."""
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.fail(f"outside corpus not found at {path}; CI needs ../shared beside the repo")
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

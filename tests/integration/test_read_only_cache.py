"""A cache on a read-only file system (a backup disk, a snapshot): every reading command and
the reader read it; a writing command says in one line that it cannot write there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import LIVEBLOG_SEED
from wirereader.cli import main
from wirereader.ingest.files import import_file
from wirereader.store import db
from wirereader.store.db import Store

READ_ONLY = "the cache is on a read-only file system: it can be read, not written"


def _cache(folder: Path) -> Path:
    folder.mkdir()
    path = folder / "cache.sqlite3"
    with Store(path) as store:
        assert import_file(store, LIVEBLOG_SEED).saved.new
    return path


def test_reading_commands_read_a_cache_on_a_read_only_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every command said "cannot be opened: on a read-only file system": SQLite cannot open a
    # WAL cache without writing its journal beside it. Such a file cannot change, so it is
    # opened immutable. (The mount is taken as read-only here; the test below mounts one.)
    path = _cache(tmp_path / "backup")
    monkeypatch.setenv("WIREREADER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr(db, "on_read_only_mount", lambda p: Path(p) == path)
    before = sorted(os.listdir(path.parent))
    assert main(["--db", str(path), "entries", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) > 40
    for args in (["show", str(rows[0]["id"])], ["threads"], ["entities"], ["search", "Kyiv"]):
        assert main(["--db", str(path), *args]) == 0, args
        assert capsys.readouterr().out.strip(), args
    assert main(["--db", str(path), "feeds"]) == 0
    assert "no subscriptions" in capsys.readouterr().err
    # A write is one line naming why, and nothing is written beside the file.
    assert main(["--db", str(path), "import", str(LIVEBLOG_SEED)]) == 1
    assert capsys.readouterr().err.strip() == f"wirereader: {path}: {READ_ONLY}"
    assert sorted(os.listdir(path.parent)) == before
    with Store(path) as store:
        assert store.read_only


def test_a_cache_with_commits_still_in_its_log_is_not_read_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Immutable reading skips the write-ahead log: a cache left with commits in it (a process
    # killed, then the disk made read-only) is refused as before, not shown without them.
    path = _cache(tmp_path / "backup")
    Path(f"{path}-wal").write_bytes(b"\0" * 4096)
    monkeypatch.setattr(db, "on_read_only_mount", lambda p: Path(p) == path)
    with Store(path) as store:
        assert not store.read_only


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a cache, bind-mounted read-only (needs root and a mount namespace)."""
    path = _cache(tmp_path / "source")
    target = tmp_path / "mounted"
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a read-only mount needs root")
    for cmd in (
        ["mount", "--bind", str(path.parent), str(target)],
        ["mount", "-o", "remount,bind,ro", str(target)],
    ):
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(target)], capture_output=True)
            pytest.skip("cannot mount here")
    yield target / path.name
    subprocess.run(["umount", str(target)], check=True)


def test_a_real_read_only_mount(read_only_mount: Path, tmp_path: Path) -> None:
    env = {**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "wirereader", "--db", str(read_only_mount), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    listed = run("entries", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) > 40
    wrote = run("import", str(LIVEBLOG_SEED))
    assert wrote.returncode == 1
    assert wrote.stderr.strip() == f"wirereader: {read_only_mount}: {READ_ONLY}"

"""Permissions are not damage: doctor tells a read-only or unreadable cache from a corrupt one,
and `--repair` on one says so and changes nothing (no backup left behind)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import LIVEBLOG_SEED

ROOT = os.geteuid() == 0


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """`folder` read-only: a read-only tmpfs for root (whom file modes do not stop), else modes.
    The folder's files are copied in first."""
    if ROOT:
        saved = {p.name: p.read_bytes() for p in folder.iterdir()}
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], capture_output=True
        )
        if done.returncode != 0:
            pytest.fail(f"cannot mount a tmpfs as root: {done.stderr!r}")
        try:
            for name, data in saved.items():
                (folder / name).write_bytes(data)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
            for p in folder.iterdir():
                p.chmod(0o644)


@pytest.fixture
def cache(cli, db_path: Path) -> Path:
    assert cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London").code == 0
    assert cli("doctor").code == 0  # healthy before its folder turns read-only
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db_path


def test_a_read_only_cache_is_not_called_damaged(cli, cache: Path) -> None:
    with read_only_folder(cache.parent):
        before = sorted(p.name for p in cache.parent.iterdir())
        # A healthy cache that may not be written is fine: exit 0 ("ok", and why it is
        # read-only), so a script checking a backup disk does not take it for damage. It
        # exited 1.
        checked = cli("doctor")
        assert checked.code == 0, checked.out
        assert checked.out.startswith(f"{cache}: ok; ") and len(checked.out.splitlines()) == 1
        assert "read-only" in checked.out and "not damage" in checked.out
        assert "integrity" not in checked.out and "damaged" not in checked.out
        as_json = cli("doctor", "--json")
        report = json.loads(as_json.out)
        assert as_json.code == 0 and report["healthy"] and "read-only" in report["access"]
        repaired = cli("doctor", "--repair")  # nothing to repair
        assert repaired.code == 0 and repaired.out == checked.out, repaired.out
        assert "Traceback" not in repaired.err
        assert sorted(p.name for p in cache.parent.iterdir()) == before  # no backup
        # Reading still works; writing is one line naming the problem.
        assert cli("entries").code == 0
        written = cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London", "--date", "2025-04-29")
        assert written.code != 0
        assert len(written.err.strip().splitlines()) == 1 and "read-only" in written.err


def test_a_directory_or_an_unreadable_path_is_named_as_such(cli, db_path: Path) -> None:
    db_path.mkdir()
    result = cli("doctor")
    assert result.code == 1 and "is a directory, not a cache file" in result.out
    repaired = cli("doctor", "--repair")
    assert repaired.code == 1 and "left alone" in repaired.out
    assert not list(db_path.parent.glob("*.bak-*"))
    shutil.rmtree(db_path)
    if not ROOT:
        db_path.write_bytes(b"")
        db_path.chmod(0)
        unreadable = cli("doctor")
        assert unreadable.code == 1 and "permission" in unreadable.out


def test_a_closed_cache_on_a_read_only_disk_is_not_sent_to_doctor(cli, cache: Path) -> None:
    # Closed cleanly, the cache has no -wal / -shm beside it, and SQLite cannot open a WAL
    # file where it cannot create them: every command said "not a usable wirereader cache
    # (unable to open database file); run ... doctor to check it", as if it were damaged.
    for sidecar in ("-wal", "-shm"):
        cache.with_name(cache.name + sidecar).unlink(missing_ok=True)
    # On a read-only file system (root's read-only tmpfs) such a file cannot change, and it is
    # now read immutable: reading works, a write is one line. Behind a read-only directory
    # (file modes: its owner may still write to it) it is still not opened.
    with read_only_folder(cache.parent):
        for command in (["entries"], ["feeds"], ["search", "ferry"]):
            result = cli(*command)
            if ROOT:
                assert result.code == 0 and "read-only" not in result.err, result.err
                assert result.out or command != ["entries"]  # (none: said on stderr)
                continue
            assert result.code == 1
            assert len(result.err.strip().splitlines()) == 1, result.err
            assert "cannot be opened" in result.err and "read-only" in result.err
            assert "not a usable" not in result.err and "doctor" not in result.err
        if ROOT:
            written = cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London")
            assert written.code == 1 and len(written.err.strip().splitlines()) == 1
            assert "read-only file system: it can be read, not written" in written.err

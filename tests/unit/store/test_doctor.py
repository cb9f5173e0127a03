"""`wirereader doctor`: corrupt, truncated and garbage caches are diagnosed and repaired."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.support.damage import damage_a_leaf
from tests.support.paths import LIVEBLOG_SEED
from wirereader.store import doctor


def imported(cli) -> int:
    assert cli("import", str(LIVEBLOG_SEED), "--tz", "Europe/London").code == 0
    return len(json.loads(cli("entries", "--all", "--json").out))


def test_healthy_cache(cli, db_path: Path) -> None:
    imported(cli)
    result = cli("doctor")
    assert result.code == 0 and result.out.strip().endswith(": ok")


def test_doctor_on_a_path_with_no_file_says_so_in_one_line(cli, db_path: Path) -> None:
    # It said "no cache file", then "run 'wirereader --db PATH doctor --repair' to fix it (a
    # backup is kept)": for a file that is not there, a repair would only make an empty cache.
    result = cli("doctor")
    assert result.code == 1
    assert result.out == f"{db_path}: no such cache file (nothing to check)\n"
    assert not db_path.exists()


def test_garbage_file_gets_clear_message_then_fresh_cache_with_backup(cli, db_path: Path) -> None:
    db_path.write_bytes(b"\x00garbage" * 1000)
    listing = cli("entries")
    assert listing.code != 0
    assert listing.err.startswith(f"wirereader: {db_path}: not a usable wirereader cache")
    assert "doctor" in listing.err and "Traceback" not in listing.err
    checked = cli("doctor")
    assert checked.code == 1 and "not an SQLite database" in checked.out
    fixed = json.loads(cli("doctor", "--repair", "--json").out)
    assert fixed["healthy"] and Path(fixed["backup"]).read_bytes() == b"\x00garbage" * 1000
    assert cli("entries").code == 0


def test_truncated_cache_is_salvaged_keeping_readable_rows(cli, db_path: Path) -> None:
    count = imported(cli)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) * 2 // 3])  # cut off the last third of the pages
    assert not doctor.check(db_path).healthy
    report = doctor.repair(db_path)
    assert report.healthy, report.problems
    assert report.backup is not None and report.backup.stat().st_size == len(data) * 2 // 3
    rows = json.loads(cli("entries", "--all", "--json").out)
    assert 0 < len(rows) <= count
    # Every salvaged entry is whole and searchable again.
    assert all(r["title"] for r in rows)
    assert json.loads(cli("search", rows[0]["title"].split()[0], "--json").out)


def test_broken_fulltext_index_is_rebuilt(cli, db_path: Path) -> None:
    count = imported(cli)
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM entries_fts_data WHERE id > 10")  # damage the index only
    conn.commit()
    conn.close()
    report = doctor.check(db_path)
    assert any(p.startswith("full-text index") for p in report.problems)
    repaired = doctor.repair(db_path)
    assert repaired.healthy and "rebuilt the full-text index" in repaired.actions
    assert len(json.loads(cli("entries", "--all", "--json").out)) == count
    assert json.loads(cli("search", "Galuschenko", "--json").out)


def test_a_repair_killed_as_it_puts_the_new_file_in_place_leaves_a_cache_there(
    cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuilt cache replaces the damaged one in one step. The damaged file was deleted
    first, so a repair killed there left no cache at all, and the next `wirereader` made an
    empty one in its place. Now the damaged file is still there (its backup too), and the next
    repair ends the work; no file of the rebuild is left behind."""
    imported(cli)
    damage_a_leaf(db_path)

    replace = os.replace

    def killed(source: str, target: str) -> None:
        if str(source).endswith(".rebuilding"):  # the rebuilt cache put in place
            raise KeyboardInterrupt
        replace(source, target)

    monkeypatch.setattr(doctor.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        doctor.repair(db_path)
    assert db_path.exists() and not doctor.check(db_path).healthy
    monkeypatch.undo()
    report = doctor.repair(db_path)
    assert report.healthy, report.problems
    assert not list(db_path.parent.glob("*.rebuilding*"))
    assert json.loads(cli("entries", "--all", "--json").out)

"""A cache that passed the quick check and was left by wirereader is not read again by the next
process; any other change to the file (a damaged page, a write from outside, a copy over it, a
restored modification time) makes the next writer check it again, and a damaged one is refused.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.damage import damage_a_leaf
from tests.support.paths import LIVEBLOG_SEED
from wirereader.ingest.files import import_file
from wirereader.store import checked
from wirereader.store.db import CacheDamagedError, Store
from wirereader.store.plans import record_statements


@pytest.fixture
def cache(db_path: Path) -> Path:
    with Store(db_path) as store:
        import_file(store, LIVEBLOG_SEED, analyse=False)
    return db_path


def checks_run(path: Path) -> tuple[int, BaseException | None]:
    """How many quick checks a new process's first write runs, and what it raised."""
    with record_statements() as seen:
        store = Store(path)
        try:
            store.verify()
        except CacheDamagedError as exc:
            return sum("quick_check" in s for s in seen), exc
        finally:
            store.close()
    return sum("quick_check" in s for s in seen), None


def test_a_cache_left_by_a_checked_process_is_not_read_again(cache: Path) -> None:
    assert checked.memo_path(cache).exists()
    assert checks_run(cache) == (0, None)
    with Store(cache) as store:  # a write, as a refresh does
        store.set_meta("note", "written")
    assert checks_run(cache) == (0, None)


def test_a_damaged_page_is_found_even_with_a_record(cache: Path) -> None:
    before = os.stat(cache)
    damage_a_leaf(cache)
    os.utime(cache, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old time put back
    assert os.stat(cache).st_size == before.st_size
    runs, error = checks_run(cache)
    assert runs == 1 and error is not None and "doctor --repair" in str(error)
    assert not checked.memo_path(cache).exists()
    runs, error = checks_run(cache)  # still refused, still checked
    assert runs == 1 and error is not None


def test_a_write_from_outside_wirereader_is_checked_again(cache: Path) -> None:
    with closing(sqlite3.connect(cache)) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('outside', '1')")
    assert checks_run(cache) == (1, None)
    assert checks_run(cache) == (0, None)  # and remembered again once checked


def test_a_copy_over_the_cache_is_checked_again(cache: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    shutil.copy(cache, other)
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('other', '1')")
    os.replace(other, cache)
    assert checks_run(cache) == (1, None)


def test_a_process_killed_after_writing_leaves_a_record_that_no_longer_matches(
    cache: Path,
) -> None:
    store = Store(cache)
    store.set_meta("note", "written")  # checked, then written; never closed (killed)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert checks_run(cache)[0] == 1
    store.conn.close()


def test_reading_the_record_keeps_the_process_locks(db_path: Path) -> None:
    """Closing any descriptor of the cache drops every POSIX lock the process holds on it, so
    the record must not be read through one opened and closed while connections are open:
    another process then took them for gone and deleted the WAL and its index under them (a
    `search` run while the reader refreshed left 'database disk image is malformed')."""
    store = Store(db_path)
    store.set_meta("first", "1")  # checks the cache and records it, with the connection open
    other = store.another()
    other.set_meta("second", "2")
    other.close()  # records the cache again; `store` is still open
    assert checked.remembered(db_path)
    subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
         " c.execute('SELECT count(*) FROM meta').fetchone(); c.close()", str(db_path)],
        check=True,
    )  # fmt: skip
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists(), "another process took this one's connection for closed"
    store.set_meta("third", "3")
    store.close()
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        keys = {k for (k,) in conn.execute("SELECT key FROM meta")}
    assert {"first", "second", "third"} <= keys

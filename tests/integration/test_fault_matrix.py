"""One line, always: every command run against every fault of its cache, as a user would run it
(a real subprocess), ends in exit 0 or in exactly one line on stderr naming the problem and a
non-zero exit; a traceback anywhere fails the test.

Faults: the cache missing (its folder is a file), unreadable (no permission; as root, whom
permissions do not stop, a symlink loop), a directory in its place, read-only (a read-only mount
as root, else file and folder modes), a full disk (a 3 MB tmpfs as root, else a file-size
limit), a damaged page, and the write lock held by another process.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.damage import damage_a_leaf
from tests.support.feedserver import FeedServer, serve_feeds
from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.ingest.refresh import FULL_DISK, READ_ONLY_CACHE
from wirereader.store.db import Store

pytestmark = pytest.mark.slow

ROOT = os.geteuid() == 0
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>
<item><guid>a1</guid><title>Local item</title><description>Text.</description></item>
</channel></rss>"""


def commands(work: Path) -> list[list[str]]:
    feed = work / "feed.xml"
    return [
        ["import", str(ARTICLE_SEED)],
        ["add", str(feed)],
        ["fetch"],
        ["feeds"],
        ["feeds", "--json"],
        ["remove", "nothing-by-this-name"],
        ["entries"],
        ["entries", "--all", "--json"],
        ["search", "Kyiv"],
        ["show", "3"],
        ["threads", "--json"],
        ["entities"],
        ["export", "--format", "json"],
        ["export", "--format", "opml"],
        ["articles", "--status"],
        ["doctor"],
        ["doctor", "--repair"],
    ]


@pytest.fixture(scope="module")
def base_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    path = folder / "cache.sqlite3"
    run(path, ["import", str(LIVEBLOG_SEED), "--tz", "Europe/London"], folder)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run(db: Path, args: list[str], work: Path, preexec: Callable[[], None] | None = None) -> Ran:
    env = {
        **os.environ,
        "WIREREADER_CONFIG": str(work / "no-config.toml"),
        "PYTHONIOENCODING": "utf-8",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "wirereader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=work,
        preexec_fn=preexec,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


@contextlib.contextmanager
def mounted(folder: Path, options: str) -> Iterator[bool]:
    """A tmpfs at `folder` (root only); yields whether it is mounted."""
    if not ROOT:
        yield False
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    try:
        yield done.returncode == 0
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


FAULTS = [
    "missing",
    "unreadable",
    "directory",
    "read-only",
    "full disk",
    "damaged page",
    "locked",
]


@contextlib.contextmanager
def fault(name: str, base: Path, tmp: Path) -> Iterator[tuple[Path, Callable[[], None] | None]]:
    """The cache path to use and what to do in the child before it runs, under this fault."""
    folder = tmp / "cache"
    folder.mkdir()
    db = folder / "cache.sqlite3"
    if name == "missing":
        (tmp / "file").write_text("a file, not a folder")
        yield tmp / "file" / "cache.sqlite3", None
    elif name == "unreadable":
        if ROOT:
            db.symlink_to(db)  # a loop: no open can follow it
            yield db, None
        else:
            shutil.copy(base, db)
            db.chmod(0)
            yield db, None
            db.chmod(0o644)
    elif name == "directory":
        db.mkdir()
        yield db, None
    elif name == "read-only":
        with mounted(folder, "size=16m") as on_tmpfs:
            shutil.copy(base, db)
            if on_tmpfs:
                subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            else:
                db.chmod(0o444)
                folder.chmod(0o555)
            try:
                yield db, None
            finally:
                if not on_tmpfs:
                    folder.chmod(0o755)
    elif name == "full disk":
        size = base.stat().st_size
        with mounted(folder, f"size={size + 48 * 1024}") as on_tmpfs:
            shutil.copy(base, db)
            yield db, None if on_tmpfs else file_size_limit(size + 48 * 1024)
    elif name == "damaged page":
        shutil.copy(base, db)
        damage_a_leaf(db)
        yield db, None
    elif name == "locked":
        shutil.copy(base, db)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO meta (key, value) VALUES ('held', '1')")
        try:
            yield db, None
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        raise AssertionError(name)


@pytest.mark.parametrize("name", FAULTS)
def test_every_command_under_every_fault_ends_in_one_line(
    name: str, base_cache: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "feed.xml").write_text(RSS)
    failures: list[str] = []
    timings: list[str] = []
    tried = 0
    with fault(name, base_cache, tmp_path) as (db, preexec):
        for args in commands(work):
            started = time.monotonic()
            ran = run(db, args, work, preexec)
            timings.append(f"{' '.join(args[:2])} {time.monotonic() - started:.1f}s {ran.code}")
            tried += 1
            label = f"{name} / {' '.join(args[:2])}"
            if "Traceback" in ran.err or "Traceback" in ran.out:
                failures.append(f"{label}: traceback\n{ran.err[-800:]}")
            elif ran.code != 0 and args[0] == "doctor" and not ran.err:
                # doctor's report is its output: each line names the cache.
                lines = ran.out.strip().splitlines()
                if not lines or not all(line.startswith(f"{db}: ") for line in lines):
                    failures.append(f"{label}: report lines not naming the cache: {ran.out}")
            elif ran.code != 0:
                lines = ran.err.strip().splitlines()
                if len(lines) != 1 or not lines[0].startswith("wirereader: "):
                    failures.append(f"{label}: {len(lines)} lines on stderr: {ran.err[-400:]}")
    print(f"\n{name}: {tried} commands, {len(failures)} failures; " + ", ".join(timings))
    assert not failures, "\n".join(failures)


def subscribe_corpus_feeds(corpus: Path, server: FeedServer, db: Path, work: Path) -> list[Path]:
    """The corpus's real feeds served on 127.0.0.1 and subscribed in `db` without a fetch, its
    WAL folded into the file (so the file alone is the cache); the feeds' files."""
    feeds = sorted((corpus / "feeds").iterdir())
    for url in serve_feeds(server, corpus / "feeds"):
        assert run(db, ["add", "--no-fetch", url], work).code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return feeds


def test_a_fetch_onto_a_full_disk_says_so_once_and_the_next_fetch_saves_all(
    corpus: Path, server: FeedServer, tmp_path: Path
) -> None:
    """The seven real feeds of the corpus, subscribed, then fetched onto a disk with room for
    little more than the cache: every feed saved after the disk filled failed, and each said
    "cannot save to the cache", and the first of them said "cannot rollback - no transaction is
    active" (SQLite had rolled it back itself). Now the full disk is one line naming the cache,
    nothing saved is damaged, and with room again the next fetch saves every feed."""
    work = tmp_path / "work"
    work.mkdir()
    folder = tmp_path / "cache"
    folder.mkdir()
    made = tmp_path / "made.sqlite3"
    subscribe_corpus_feeds(corpus, server, made, work)
    room = made.stat().st_size + 64 * 1024
    with mounted(folder, f"size={room}") as on_tmpfs:
        db = folder / "cache.sqlite3"
        shutil.copy(made, db)
        ran = run(db, ["fetch"], work, None if on_tmpfs else file_size_limit(room))
        assert ran.code == 1 and "Traceback" not in ran.err
        lines = ran.err.strip().splitlines()
        assert lines == [f"wirereader: {db}: {FULL_DISK}"], ran.err
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if on_tmpfs:
            subprocess.run(["mount", "-o", f"remount,size={64 * 1024 * 1024}", str(folder)])
        again = run(db, ["fetch"], work)
        assert again.code == 0, again.err
        assert "7 feeds fetched" in again.out and "0 failed" in again.out


def test_an_import_whose_analysis_fills_the_disk_still_reports_what_it_saved(
    tmp_path: Path,
) -> None:
    """The disk filling after an import's entries were saved, in its analysis: the only line
    was "the disk is full; nothing more could be written" (after "55 new") and `--json`
    printed no document at all. Now the report is printed, then one line saying the analysis
    failed and is tried again, and the next write with room catches it up."""
    if not ROOT:
        pytest.skip("needs a tmpfs (root)")
    work = tmp_path / "work"
    work.mkdir()
    empty = tmp_path / "empty.sqlite3"
    with Store(empty):  # an empty cache (a read command makes none)
        pass
    with sqlite3.connect(empty) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    outcomes = []
    # Room for the entries but not for the analysis after them: a window of about 200 KB
    # (measured: entries saved from +190 KB, the analysis done from +430 KB); four sizes in it.
    for extra in (220, 270, 320, 370):
        folder = tmp_path / f"cache{extra}"
        folder.mkdir()
        with mounted(folder, f"size={empty.stat().st_size + extra * 1024}") as on_tmpfs:
            assert on_tmpfs
            db = folder / "cache.sqlite3"
            shutil.copy(empty, db)
            ran = run(db, ["import", "--json", str(LIVEBLOG_SEED)], work)
            with sqlite3.connect(db) as conn:
                saved = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            outcomes.append((extra, ran.code, saved))
            if not saved or ran.code == 0:
                continue
            assert "Traceback" not in ran.err
            report = json.loads(ran.out)
            assert report["failed"] == 0 and report["files"][0]["new"] == saved, report
            (line,) = ran.err.strip().splitlines()
            assert line == (
                f"wirereader: analysis of the new entries failed: {db}: the disk is full;"
                " nothing more could be written (what was saved is kept); it is tried again"
                " next time"
            ), line
            subprocess.run(["mount", "-o", f"remount,size={64 * 1024 * 1024}", str(folder)])
            again = run(db, ["import", str(LIVEBLOG_SEED)], work)
            assert again.code == 0 and f"0 new, 0 updated, {saved} unchanged" in again.out
            assert json.loads(run(db, ["threads", "--json"], work).out), "not caught up"
            return
    pytest.fail(f"no size saved the entries and filled the disk in the analysis: {outcomes}")


@contextlib.contextmanager
def read_only_file(path: Path) -> Iterator[None]:
    """The cache file itself cannot be written, its folder can (a user's chmod, a backup tool's
    lock): immutable as root, whom modes do not stop, else mode 0444."""
    if ROOT:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i does not work here: {made.stderr.decode().strip()}")
    else:
        path.chmod(0o444)
    try:
        yield
    finally:
        if ROOT:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        else:
            path.chmod(0o644)


def test_a_fetch_onto_a_read_only_cache_file_says_so_once(
    corpus: Path, server: FeedServer, tmp_path: Path
) -> None:
    """The seven real feeds of the corpus, subscribed, then fetched into a cache file that cannot
    be written: each feed printed "cannot save to the cache (attempt to write a readonly
    database)", SQLite's words, seven times. It is one line naming the cache and what to check."""
    work = tmp_path / "work"
    work.mkdir()
    db = tmp_path / "cache.sqlite3"
    feeds = subscribe_corpus_feeds(corpus, server, db, work)
    with read_only_file(db):
        ran = run(db, ["fetch"], work)
    assert ran.code == 1 and "Traceback" not in ran.err
    assert ran.err.strip().splitlines() == [f"wirereader: {db}: {READ_ONLY_CACHE}"], ran.err
    assert f"{len(feeds)} failed" in ran.out
    again = run(db, ["fetch"], work)
    assert again.code == 0, again.err
    assert f"{len(feeds)} feeds fetched" in again.out and "0 failed" in again.out

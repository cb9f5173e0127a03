"""Two writers at once: no 'database is locked', no duplicate entries."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED


def run_at_once(command: list[str], copies: int, env: dict[str, str]) -> None:
    """Start `copies` identical commands together; each must succeed without a lock error."""
    procs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(copies)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "locked" not in err


def entry_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(entries, distinct (source, stable id) keys): equal when nothing was stored twice."""
    total, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT source_id || '/' || stable_id) FROM entries"
    ).fetchone()
    return int(total), int(distinct)


def test_two_imports_of_the_same_files_at_once_store_each_entry_once(tmp_path: Path) -> None:
    db = tmp_path / "cache.sqlite3"
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        "".join(
            json.dumps({"id": str(n), "title": f"Bulletin {n}", "text": "Words " * 50}) + "\n"
            for n in range(2000)
        )
    )
    env = {**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")}
    command = [
        sys.executable, "-m", "wirereader", "--db", str(db), "import", "--tz", "Europe/London",
        str(LIVEBLOG_SEED), str(extra), str(ARTICLE_SEED),
    ]  # fmt: skip
    run_at_once(command, 3, env)
    conn = sqlite3.connect(db)
    total, distinct = entry_counts(conn)
    assert total == distinct == 55 + 2000 + 1
    versions = conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0]
    assert versions == total  # nobody stored a second copy of an unchanged text


def test_reader_sees_new_entries_while_another_process_writes(tmp_path: Path) -> None:
    from wirereader.query.timeline import Query
    from wirereader.store.db import Store

    db = tmp_path / "cache.sqlite3"
    env = {**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")}
    with Store(db) as reader:
        assert Query(reader).count() == 0
        proc = subprocess.run(
            [sys.executable, "-m", "wirereader", "--db", str(db), "import", str(ARTICLE_SEED)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        # The open connection (WAL) sees the other process's commit without reopening.
        assert Query(reader).count() == 1


def test_two_fetches_at_once_do_not_duplicate_entries(tmp_path: Path) -> None:
    from tests.support.feedserver import Route, rss, serving

    db = tmp_path / "cache.sqlite3"
    with serving() as server:
        for f in range(6):
            items = [
                {"guid": f"{f}-{n}", "title": f"Bulletin {n} from desk {f}",
                 "description": f"<p>Text {n}.</p>", "pubDate": "Tue, 02 Jan 2024 10:00:00 +0000"}
                for n in range(50)
            ]  # fmt: skip
            server.routes[f"/f{f}.xml"] = Route(body=rss(f"Desk {f}", items), delay=0.05)
        config = tmp_path / "config.toml"
        config.write_text(
            "".join(f'[[feeds]]\nurl = "{server.url(f"/f{f}.xml")}"\n' for f in range(6))
        )
        env = {**os.environ, "WIREREADER_CONFIG": str(config)}
        command = [sys.executable, "-m", "wirereader", "--db", str(db), "fetch", "--force"]
        run_at_once(command, 2, env)
    conn = sqlite3.connect(db)
    total, distinct = entry_counts(conn)
    assert total == distinct == 300
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 6
    assert conn.execute("SELECT count(*) FROM feeds").fetchone()[0] == 6

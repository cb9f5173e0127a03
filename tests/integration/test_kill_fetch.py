"""Crash safety: `wirereader fetch` killed with SIGKILL at random points, 50 times, against a
corpus served on 127.0.0.1 (with ETags, so a lost commit would hide behind a 304 forever)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.feedserver import Route, rss, serving

KILLS = 50
FEEDS = 16
ITEMS = 80


def corpus() -> dict[str, bytes]:
    feeds = {}
    for f in range(FEEDS):
        items = [
            {
                "guid": f"feed{f}-item{n}",
                "title": f"Harbour bulletin {n} from desk {f}",
                "link": f"http://example.invalid/{f}/{n}",
                "description": f"<p>Paragraph {n} from desk {f}.</p>" * 8,
                "pubDate": f"Tue, 0{1 + n % 9} Jan 2024 {n % 24:02d}:00:00 +0000",
            }
            for n in range(ITEMS)
        ]
        feeds[f"/feed{f}.xml"] = rss(f"Desk {f}", items)
    return feeds


def snapshot(db: Path) -> dict[str, set[str]]:
    """stable ids per source, after checking the file's integrity."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if "entries" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}:
            return {}
        out: dict[str, set[str]] = {}
        for key, stable_id in conn.execute(
            "SELECT s.key, e.stable_id FROM entries e JOIN sources s ON s.id = e.source_id"
        ):
            out.setdefault(key, set()).add(stable_id)
        return out
    finally:
        conn.close()


def group_gone(pgid: int, grace: float = 5.0) -> bool:
    """True once no process of the group is left (parser workers must not outlive a kill)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)  # do not leave them behind for the next test
    return False


@pytest.mark.slow
def test_fetch_survives_sigkill_at_random_points(tmp_path: Path) -> None:
    with serving() as server:
        for path, body in corpus().items():
            server.routes[path] = Route(body=body, etag=f'"{path}-v1"')
        config = tmp_path / "config.toml"
        config.write_text(
            "".join(
                f'[[feeds]]\nurl = "{server.url(f"/feed{f}.xml")}"\nname = "desk{f}"\n\n'
                for f in range(FEEDS)
            )
        )
        env = {**os.environ, "WIREREADER_CONFIG": str(config)}

        def fetch(db: Path) -> subprocess.Popen[str]:
            # Its own process group, so the test can see every process it started.
            return subprocess.Popen(
                [sys.executable, "-m", "wirereader", "--db", str(db), "fetch"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                start_new_session=True,
            )

        # Two warm-up runs: the second (warm caches, like the rounds below) sets the window.
        for probe_no in range(2):
            probe_db = tmp_path / f"probe{probe_no}.sqlite3"
            start = time.monotonic()
            probe = fetch(probe_db)
            _, err = probe.communicate(timeout=300)
            assert probe.returncode == 0, err
            full_run = time.monotonic() - start
        complete = snapshot(probe_db)
        assert len(complete) == FEEDS and all(len(v) == ITEMS for v in complete.values())

        # The kill time is drawn between a bracket that adapts to the machine's load: a round
        # killed before anything was saved moves the lower end towards its time, a round that
        # saved everything (or finished first) moves the upper end towards its time. Each end
        # moves half way, so the bracket closes in on the stretch where feeds are committed one
        # by one (a short part of the run once the analysis overlaps the fetch) without
        # collapsing on one noisy round.
        rng = random.Random(1984)
        low, high = 0.05, full_run
        partial = 0
        for round_no in range(KILLS):
            db = tmp_path / f"kill{round_no}.sqlite3"
            proc = fetch(db)
            at = rng.uniform(low, high)
            time.sleep(at)
            finished_first = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            assert group_gone(proc.pid), f"round {round_no}: processes outlived the killed fetch"
            before = snapshot(db)
            for key, ids in before.items():  # each feed is one transaction: all or nothing
                assert len(ids) in (0, ITEMS), (round_no, key, len(ids))
            saved = sum(len(v) for v in before.values())
            if finished_first or saved == FEEDS * ITEMS:
                high -= (high - at) / 2
            elif saved == 0:
                low += (at - low) / 2
            else:
                partial += 1
            if high - low < 0.02:  # a bracket closed by noise opens again
                low, high = max(0.05, low - 0.5), high + 0.5
            again = fetch(db)
            _, err = again.communicate(timeout=300)
            assert again.returncode == 0, (round_no, err)
            after = snapshot(db)
            for key, ids in before.items():  # nothing committed before the kill was lost
                assert ids <= after[key]
            assert after == complete, round_no
        print(f"fetch: {KILLS} kills survived, {partial} between two feeds' commits")
        assert partial >= KILLS // 5, f"only {partial} kills landed between two feeds' commits"

#!/usr/bin/env python3
"""Smoke test: the installed `wirereader` under tmux, driven by keys as a user would.

    python tests/smoke/tmux_smoke.py [--wirereader PATH]

Starts `wirereader --db <tmp> demo` in a detached tmux session (its own socket, 120x40), sends
keys, and checks the screen text with capture-pane: the demo opens, `/` filters, `esc` clears,
`?` shows the help, `enter` marks an item read in the cache at once, `q` quits with status 0.
Exits non-zero, naming the step and showing the screen, on any failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class SmokeFailure(Exception):
    pass


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        if check and proc.returncode != 0:
            raise SmokeFailure(f"tmux {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "smoke", check=False)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "smoke", *keys)

    def literal(self, text: str) -> None:
        self.run("send-keys", "-t", "smoke", "-l", text)

    def wait_for(self, needle: str, step: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise SmokeFailure(f"{step}: {needle!r} never appeared on screen:\n{screen}")

    def wait_without(self, needle: str, step: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle not in screen:
                return screen
            time.sleep(0.1)
        raise SmokeFailure(f"{step}: {needle!r} is still on screen:\n{screen}")


STATUS = " unread  ? help"  # the status line once the counts are in (not the hint line)


def items_on_status(screen: str) -> int:
    last = [line for line in screen.splitlines() if STATUS in line][-1]
    return int(last.split(" item")[0].split()[-1].replace(",", "").rstrip("+"))


def settled_count(tmux: Tmux, step: str, timeout: float = 15.0) -> int:
    """The item count of the status line once it holds still for a second."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        screen = tmux.screen()
        count = items_on_status(screen) if STATUS in screen else -1
        if count != last:
            last, since = count, time.monotonic()
        elif count >= 0 and time.monotonic() - since >= 1.0:
            return count
        time.sleep(0.1)
    raise SmokeFailure(f"{step}: the status line never settled:\n{tmux.screen()}")


def smoke(wirereader: str) -> None:
    if shutil.which("tmux") is None:
        raise SmokeFailure("tmux is not installed")
    folder = Path(tempfile.mkdtemp(prefix="wirereader-smoke-"))
    db = folder / "cache.sqlite3"
    tmux = Tmux(f"wirereader-smoke-{os.getpid()}")
    env_config = folder / "no-config.toml"
    # COLUMNS / LINES from a calling process (pytest sets them) would override tmux's size.
    command = (
        f"env -u COLUMNS -u LINES WIREREADER_CONFIG={env_config} TZ=UTC"
        f" {wirereader} --db {db} demo;"
        " echo SMOKE-EXIT:$?; sleep 60"
    )
    tmux.run("new-session", "-d", "-s", "smoke", "-x", "120", "-y", "40", command)
    try:
        # Keys go in as soon as the first frame is up, as a fast typist's would.
        tmux.wait_for("all items", "startup (first frame)")
        tmux.keys("/")
        tmux.literal("crimea")
        tmux.wait_for("crimea", "text filter input")
        filtered = settled_count(tmux, "filtered counts")
        tmux.keys("Enter", "Escape")
        tmux.wait_for("all items", "esc clears the filter")
        total = settled_count(tmux, "counts after esc")
        screen = tmux.screen()
        for pane in ("Timeline", "Reader", "Entities", "Threads", "Topics"):
            if pane not in screen:
                raise SmokeFailure(f"no {pane} pane:\n{screen}")
        if total < 40 or not 0 < filtered < total:
            raise SmokeFailure(f"filter: {filtered} of {total} items:\n{screen}")

        tmux.keys("?")
        tmux.wait_for("wirereader keys", "help screen")
        screen = tmux.screen()
        for binding in ("Next item", "Filter by text", "Clear every filter"):
            if binding not in screen:
                raise SmokeFailure(f"help: {binding!r} not listed:\n{screen}")
        tmux.keys("Escape")
        tmux.wait_without("wirereader keys", "help closes")

        tmux.keys("j", "Enter")
        deadline = time.monotonic() + 10
        read = 0
        while time.monotonic() < deadline and not read:
            with sqlite3.connect(db) as conn:
                read = conn.execute(
                    "SELECT count(*) FROM entries WHERE read_at IS NOT NULL"
                ).fetchone()[0]
            time.sleep(0.1)
        if not read:
            raise SmokeFailure("enter: the item was not marked read in the cache")

        tmux.keys("q")
        screen = tmux.wait_for("SMOKE-EXIT:", "q quits")
        if "SMOKE-EXIT:0" not in screen:
            raise SmokeFailure(f"q: the app exited with an error:\n{screen}")
    finally:
        tmux.run("kill-server", check=False)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    default = Path(sys.executable).with_name("wirereader")
    parser.add_argument("--wirereader", default=str(default) if default.exists() else "wirereader")
    args = parser.parse_args()
    try:
        smoke(args.wirereader)
    except SmokeFailure as exc:
        print(f"tmux smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    print("tmux smoke test passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

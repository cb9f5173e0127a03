"""Ctrl-C and SIGTERM during `fetch`, with the parser workers running, end in one line: no
traceback from any worker, no leaked semaphores, the cursor shown again on the terminal, no
process left behind, and every feed committed before the signal kept."""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.feedserver import Route, _Handler, rss, serving

pytestmark = pytest.mark.slow

FEEDS = 24
ITEMS = 300  # about 9 MB of feeds: well past the bytes after which parser workers start
HIDE_CURSOR, SHOW_CURSOR = b"\x1b[?25l", b"\x1b[?25h"


def group_members(pgid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()
                if int(stat[2]) == pgid and stat[0] != b"Z":
                    found.append(int(name))
    return found


def _stall(h: _Handler) -> None:
    h.feed_server.stopping.wait(60)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_fetch_ends_in_one_line_on_an_interrupt(tmp_path: Path, how: str) -> None:
    with serving() as server:
        for f in range(FEEDS):
            server.routes[f"/feed{f}.xml"] = Route(
                rss(
                    f"Desk {f}",
                    [
                        {
                            "guid": f"d{f}-{n}",
                            "title": f"Bulletin {n} from desk {f}",
                            "description": f"<p>Paragraph {n} of desk {f}, harbour news.</p>" * 20,
                        }
                        for n in range(ITEMS)
                    ],
                )
            )
        server.routes["/stalled.xml"] = _stall  # keeps the fetch running after the others
        config = tmp_path / "config.toml"
        urls = [server.url(f"/feed{f}.xml") for f in range(FEEDS)] + [server.url("/stalled.xml")]
        config.write_text(
            "".join(f'[[feeds]]\nurl = "{u}"\nname = "f{i}"\n\n' for i, u in enumerate(urls))
        )
        db = tmp_path / "cache.sqlite3"
        master, slave = pty.openpty()  # a terminal, so the progress bar (and cursor) is used
        proc = subprocess.Popen(
            [sys.executable, "-m", "wirereader", "--db", str(db), "fetch"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "WIREREADER_CONFIG": str(config), "TERM": "xterm-256color"},
            start_new_session=True,
        )
        os.close(slave)
        output = bytearray()

        def pump(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    with contextlib.suppress(OSError):
                        output.extend(os.read(master, 65536))

        # Wait until the parser workers run (the group holds more than the fetch itself).
        deadline = time.monotonic() + 90
        while len(group_members(proc.pid)) < 3 and time.monotonic() < deadline:
            pump(0.1)
        assert len(group_members(proc.pid)) >= 3, "the parser workers never started"
        pump(0.5)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        else:
            proc.send_signal(signal.SIGTERM)
        end = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < end:
            pump(0.1)
        code = proc.wait(timeout=5)
        gone = time.monotonic() + 10
        while group_members(proc.pid) and time.monotonic() < gone:
            pump(0.1)
        pump(0.5)  # the resource tracker would report leaks as it exits
        os.close(master)
        leftover = group_members(proc.pid)
        for pid in leftover:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    text = output.decode("utf-8", "replace")
    assert code == (130 if how == "ctrl-c" else 143), text[-2000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
    assert "leaked" not in text, text[-2000:]
    if HIDE_CURSOR in output:
        assert output.rfind(SHOW_CURSOR) > output.rfind(HIDE_CURSOR), "cursor left hidden"
    lines = _said(text.replace("\r", "\n"))
    assert len(lines) == 1 and ("interrupted" in lines[0] or "terminated" in lines[0]), text[-2000:]
    assert not leftover, "processes outlived the fetch"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_source = conn.execute("SELECT count(*) FROM entries GROUP BY source_id").fetchall()
    assert all(n == ITEMS for (n,) in per_source)  # each feed whole, or not at all


def _said(output: str) -> list[str]:
    """The lines a command said, without the note a migration prints when it runs longer than a
    second (on a loaded machine, even a new cache's can): that note is the cache's, not the
    interrupt's."""
    return [
        line
        for line in output.split("\n")
        if "wirereader:" in line and "wirereader: updating the cache" not in line
    ]


def _signal_thread(pid: int, tid: int, signum: int) -> None:
    """tgkill(2): a signal for one thread of `pid`, as the kernel may pick for a process signal."""
    libc = ctypes.CDLL(None, use_errno=True)
    number = {"x86_64": 234, "aarch64": 131}[platform.machine()]
    if libc.syscall(number, pid, tid, signum) != 0:
        raise OSError(ctypes.get_errno(), "tgkill")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_landing_on_another_thread_ends_the_fetch_at_once(
    tmp_path: Path, signum: int
) -> None:
    # The kernel hands a process-wide signal to any thread. Python handles it in the main
    # thread, which waits here for the one stalled feed; it must not sleep through it until the
    # server's 30 s deadline.
    with serving() as server:
        server.routes["/stalled.xml"] = _stall
        config = tmp_path / "config.toml"
        config.write_text(f'[[feeds]]\nurl = "{server.url("/stalled.xml")}"\nname = "stalled"\n')
        proc = subprocess.Popen(
            [sys.executable, "-m", "wirereader", "--db", str(tmp_path / "c.sqlite3"), "fetch"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "WIREREADER_CONFIG": str(config)},
        )
        tasks = Path(f"/proc/{proc.pid}/task")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not server.requests:
            time.sleep(0.05)
        assert server.requests, "the fetch never reached the server"
        others = [int(t.name) for t in tasks.iterdir() if int(t.name) != proc.pid]
        assert others, "no thread but the main one"
        _signal_thread(proc.pid, others[0], signum)
        try:
            _, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
    assert proc.returncode == (130 if signum == signal.SIGINT else 143), err
    assert len(_said(err.decode())) == 1, err


@pytest.mark.parametrize("debug", ["", "1"])
def test_a_worker_that_cannot_start_prints_no_traceback(debug: str) -> None:
    # What the forkserver does with a child that fails before its work begins (its parent
    # ended while it started): it hands the exception to sys.excepthook, which the preloaded
    # worker_signals module keeps quiet unless WIREREADER_DEBUG asks for the details.
    script = (
        "import sys, wirereader.core.worker_signals\n"
        "try:\n    raise FileNotFoundError(2, 'No such file or directory')\n"
        "except Exception:\n    sys.excepthook(*sys.exc_info())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "WIREREADER_DEBUG": debug},
        timeout=60,
    )
    assert done.returncode == 0
    assert ("Traceback" in done.stderr) == bool(debug), done.stderr

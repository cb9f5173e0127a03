"""`wirereader tail`: a real follower process sees items another process writes, and its own
`--fetch` brings feeds in (with alerts); Ctrl-C ends it without a traceback."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import queue
import signal
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from tests.support.paths import LIVEBLOG_SEED

WAIT = 60.0  # seconds a line may take on a loaded machine (the poll itself is 1 s)


class Tail:
    """`wirereader tail ...` running in the background; its stdout read line by line."""

    def __init__(self, db: Path, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wirereader", "--db", str(db), "tail", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def next(self) -> str:
        try:
            return self.lines.get(timeout=WAIT)
        except queue.Empty:
            self.stop()
            raise AssertionError(f"tail printed nothing; stderr: {self.stderr()}") from None

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=WAIT)
        return code, self.stderr()

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return ""
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WIREREADER_CONFIG": str(tmp_path / "no-config.toml"),
        "PYTHONIOENCODING": "utf-8",
    }


def notes(path: Path, *items: tuple[str, str, str]) -> Path:
    when = "2026-03-03T09:00:00+00:00"
    lines = [
        json.dumps({"id": uid, "title": title, "text": text, "published": when})
        for uid, title, text in items
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_tail_prints_what_another_process_writes(
    db_path: Path, tmp_path: Path, cli, env: dict[str, str]
) -> None:
    first = notes(tmp_path / "a.jsonl", ("a", "Ceasefire talks open in Geneva", "Envoys met."))
    assert cli("import", str(first)).code == 0
    tail = Tail(db_path, env, "ceasefire", "--json", "-n", "1")
    try:
        # the last matching item first (it is following from here on)
        assert json.loads(tail.next())["title"] == "Ceasefire talks open in Geneva"
        second = notes(
            tmp_path / "b.jsonl",
            ("b", "Harbour reopens", "Boats are out again."),  # does not match: not printed
            ("c", "Ceasefire holds overnight", "No shelling was reported."),
        )
        assert cli("import", str(second)).code == 0  # another process writes
        landed = json.loads(tail.next())
        assert landed["title"] == "Ceasefire holds overnight"
        assert landed["body"] == "No shelling was reported." and landed["id"] > 0
        code, err = tail.interrupt()
        assert code in (0, 130) and "Traceback" not in err and "KeyboardInterrupt" not in err
        assert tail.lines.empty()  # the harbour item never appeared
    finally:
        tail.stop()


def test_tail_plain_lines_and_a_bad_filter(
    db_path: Path, tmp_path: Path, cli, env: dict[str, str]
) -> None:
    assert (
        cli("import", str(notes(tmp_path / "a.jsonl", ("a", "Storm warning", "Wind.")))).code == 0
    )
    tail = Tail(db_path, env, "-n", "5")
    try:
        line = tail.next()
        assert line.split()[1:3] == ["2026-03-03", "09:00"] and line.rstrip().endswith(
            "Storm warning"
        )
    finally:
        tail.interrupt()
    bad = subprocess.run(
        [sys.executable, "-m", "wirereader", "--db", str(db_path), "tail", "since:xyz"],
        capture_output=True, text=True, env=env, timeout=WAIT,
    )  # fmt: skip
    assert bad.returncode == 2 and "since:xyz" in bad.stderr and "Traceback" not in bad.stderr


def test_tail_fetch_brings_feeds_in_and_alerts(
    db_path: Path, tmp_path: Path, server: FeedServer, env: dict[str, str]
) -> None:
    items = [
        {"guid": "1", "title": "Ferry strike called off", "link": "http://x.invalid/1",
         "description": "Crews return.", "pubDate": "Tue, 03 Mar 2026 09:00:00 +0000"},
        {"guid": "2", "title": "Council budget passes", "link": "http://x.invalid/2",
         "description": "By one vote.", "pubDate": "Tue, 03 Mar 2026 10:00:00 +0000"},
    ]  # fmt: skip
    server.routes["/feed.xml"] = Route(rss("Port News", items))
    log = tmp_path / "alert.json"
    config = tmp_path / "config.toml"
    command = [sys.executable, "-c", f"import sys; open({str(log)!r}, 'w').write(sys.stdin.read())"]
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\nname = "port"\n'
        f'[topics.ferries]\nfilter = "ferry"\nalert_command = {json.dumps(command)}\n'
    )
    tail = Tail(db_path, {**env, "WIREREADER_CONFIG": str(config)}, "--fetch", "--json", "-n", "0")
    try:
        titles = {json.loads(tail.next())["title"], json.loads(tail.next())["title"]}
        assert titles == {"Ferry strike called off", "Council budget passes"}
        alert = json.loads(log.read_text())
        assert [i["title"] for i in alert["items"]] == ["Ferry strike called off"]
    finally:
        _, err = tail.interrupt()
    assert "Traceback" not in err


def test_on_a_narrow_terminal_each_item_is_one_line(cli, db_path: Path, env) -> None:
    # At 40 columns each item wrapped onto two or three lines, its title under the ids; now
    # each is cut to the width as `entries` cuts it (the source gives way under 50 columns,
    # and a time of another year shows its day).
    seed = str(LIVEBLOG_SEED)
    assert cli("import", "--tz", "Europe/London", "--date", "2025-04-28", seed).code == 0
    expected = [json.loads(line) for line in _tail_json(db_path, env)]
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 40, 0, 0))
    narrow = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirereader", "--db", str(db_path), "tail", "-n", "3"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=narrow,
    )
    os.close(follower)
    text = b""
    try:
        while text.count(b"\n") < 3:
            chunk = os.read(leader, 4096)
            assert chunk, text
            text += chunk
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=WAIT) == 0
        os.close(leader)
    lines = text.decode("utf-8").replace("\r\n", "\n").splitlines()[:3]
    assert [line.split()[0] for line in lines] == [str(row["id"]) for row in expected], lines
    assert all(len(line) <= 40 and line.split()[1] == "2025-04-28" for line in lines), lines
    assert any(line.endswith("…") for line in lines), lines  # (the seed's titles are long)


def _tail_json(db: Path, env: dict[str, str]) -> list[str]:
    """The last three items as `tail -n 3 --json` prints them before it follows."""
    tail = Tail(db, env, "-n", "3", "--json")
    try:
        return [tail.next() for _ in range(3)]
    finally:
        tail.interrupt()

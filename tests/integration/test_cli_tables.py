"""CLI tables on a terminal: the id column survives 80 columns."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.support.paths import LIVEBLOG_SEED


@pytest.fixture
def seeded(cli) -> None:
    assert (
        cli("import", "--tz", "Europe/London", "--date", "2025-04-28", str(LIVEBLOG_SEED)).code == 0
    )


def on_terminal(
    db: Path, tmp_path: Path, *args: str, columns: int = 80, term: str = "dumb"
) -> list[str]:
    """`wirereader ARGS` with stdout on a real pseudo-terminal `columns` wide (Rich takes a
    "dumb" terminal to be 80 columns whatever its size; another `term` is measured, and the
    lines are returned without their escape sequences)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(WIREREADER_CONFIG=str(tmp_path / "none.toml"), TERM=term, NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirereader", "--db", str(db), *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the program is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).splitlines()


def test_threads_keep_their_id_column_at_80_columns(cli, seeded, db_path, tmp_path) -> None:
    threads = json.loads(cli("threads", "--json").out)
    assert len(threads) > 3
    lines = on_terminal(db_path, tmp_path, "threads", columns=80)
    assert lines[0].split()[:3] == ["id", "items", "span"]
    body = lines[1:]
    assert len(body) == len(threads)
    for line, thread in zip(body, threads, strict=True):
        assert len(line) <= 80
        assert line.split()[0] == str(thread["id"])
        assert line.split()[1] == str(len(thread["entries"]))


def test_entries_keep_id_and_time_at_80_columns(cli, seeded, db_path, tmp_path) -> None:
    rows = json.loads(cli("entries", "--json").out)
    lines = on_terminal(db_path, tmp_path, "entries", columns=80)
    assert all(len(line) <= 80 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [str(row["id"]) for row in rows]


def test_a_thread_span_fits_its_column_whatever_days_it_covers(cli, seeded) -> None:
    # "2021-10-11 00:00 .. 2026-12-07 02:45" was cut to "2021-10-11 00:00 .. 2026…" on a
    # terminal: the end of a thread that ran over several days was lost.
    from wirereader.cli.analysis import _span

    threads = json.loads(cli("threads", "--json").out)
    assert threads and all(len(_span(t)) <= 25 for t in threads)
    one_day = {"first": "2026-02-17T20:53:03+00:00", "last": "2026-02-17T23:24:00+00:00"}
    assert _span(one_day) == "2026-02-17 20:53 .. 23:24"
    days = {"first": "2021-10-11T00:00:00+00:00", "last": "2026-12-07T02:45:48+00:00"}
    assert _span(days) == "2021-10-11 .. 2026-12-07"


def test_tables_show_times_in_the_readers_zone(cli, seeded, tmp_path) -> None:
    # The tables printed each time in the zone its feed wrote it in (UTC for most, London for
    # this capture) while the reader shows the machine's (or the config's) zone: one item, two
    # times. JSON keeps the time as stored.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    [row] = json.loads(cli("entries", "--json", "--limit", "1").out)
    utc = datetime.fromisoformat(row["published"])
    for env, zone in [({"TZ": "UTC"}, "UTC"), ({"TZ": "Asia/Kolkata"}, "Asia/Kolkata")]:
        table = cli("entries", "--limit", "1", env=env).out.splitlines()
        wanted = utc.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        assert table[1].split(None, 1)[1].startswith(wanted), (zone, table)
        shown = cli("show", str(row["id"]), env=env).out.splitlines()
        assert wanted in shown[1]
    config = tmp_path / "zone.toml"
    config.write_text('[general]\ntimezone = "America/New_York"\n', "utf-8")
    table = cli("entries", "--limit", "1", env={"TZ": "UTC", "WIREREADER_CONFIG": str(config)})
    wanted = utc.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    assert table.out.splitlines()[1].split(None, 1)[1].startswith(wanted)


def test_entries_and_entities_fit_a_narrow_terminal(cli, seeded, db_path, tmp_path) -> None:
    # Under 60 columns (60 with four-digit ids) the entries' title kept twelve cells and the
    # entities' name forty: lines ran past the edge, each row wrapped onto a second line.
    rows = json.loads(cli("entries", "--json").out)
    lines = on_terminal(db_path, tmp_path, "entries", columns=56, term="xterm")
    assert all(len(line) <= 56 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [str(row["id"]) for row in rows]
    kinds = {str(row["id"]): row["kind"] for row in rows}
    for line in lines[1:]:  # the kind goes before the title (unless the title says it)
        kind = kinds[line.split()[0]]
        if kind != "post":
            assert f"{kind}: " in line or kind in line.lower(), line
    assert max(len(line) for line in lines) >= 52  # the title kept its room
    entities = json.loads(cli("entities", "--json").out)
    lines = on_terminal(db_path, tmp_path, "entities", columns=56, term="xterm")
    assert all(len(line) <= 56 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [str(e["id"]) for e in entities]


def test_entities_keep_one_line_a_row_at_40_columns(cli, seeded, db_path, tmp_path) -> None:
    # At 40 columns a twelve-cell name left the aliases' twelve cells no room, and every row
    # took two lines. There the aliases go; the name keeps what is left.
    entities = json.loads(cli("entities", "--json").out)
    lines = on_terminal(db_path, tmp_path, "entities", columns=40, term="xterm")
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].split() == ["id", "count", "kind", "name"]
    assert [line.split()[0] for line in lines[1:]] == [str(e["id"]) for e in entities]
    names = [line.split(None, 3)[3] for line in lines[1:]]
    assert "Vladimir Putin" in names  # a name of fourteen cells is not cut
    wide = on_terminal(db_path, tmp_path, "entities", columns=60, term="xterm")
    assert wide[0].split()[-1] == "aliases"


@pytest.mark.parametrize("columns", [120, 60])
def test_feeds_keep_their_status_beside_a_long_last_error(db_path, tmp_path, columns) -> None:
    # A last error longer than the line made Rich squeeze the status, count and times to
    # nothing (at 120 columns as at 60): "name  last error / url" alone, so which feed was
    # failing could not be read. The times give way first on a narrow terminal.
    from tests.support.subscriptions import failing_and_empty_feeds
    from wirereader.store.db import Store

    with Store(db_path) as store:
        failing_and_empty_feeds(store)
    lines = on_terminal(db_path, tmp_path, "feeds", columns=columns, term="xterm")
    assert all(len(line) <= columns for line in lines)
    head = lines[0].split()
    assert head[:3] == ["name", "status", "entries"]
    assert ("last success" in lines[0]) == (columns == 120)
    rows = {line.split("  ")[0]: line for line in lines[1:]}
    assert rows["Town Notes"].split()[2:4] == ["failing", "×1"]
    assert rows["Harbour Gazette"].split()[2:4] == ["empty", "0"]
    assert rows["Town Notes"].split("  ")[-1].strip().startswith("http://127.0.0.1:8765")


def test_entries_and_threads_fit_forty_columns_one_line_a_row(
    cli, seeded, db_path, tmp_path
) -> None:
    # At 40 columns every row of `entries` and `search` took two lines (id, a 16-cell time, an
    # 8-cell source and a title of at least 12 cells do not fit). The time drops its year and
    # the source goes, so each row is one line with a title of about twenty cells.
    rows = json.loads(cli("entries", "--json").out)
    lines = on_terminal(db_path, tmp_path, "entries", columns=40, term="xterm")
    assert lines[0].split() == ["id", "time", "title"]
    assert all(len(line) <= 40 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [str(row["id"]) for row in rows]
    # The capture is of 2025: another year's time shows its day ('2025-04-28'), not its
    # month, day and time ('04-28 16:28' read as this April's).
    assert all(line.split()[1] == "2025-04-28" for line in lines[1:]), lines
    found = on_terminal(db_path, tmp_path, "search", "ceasefire", columns=40, term="xterm")
    assert len(found) > 1 and all(len(line) <= 40 for line in found)
    # `threads` there shows each thread's last time alone, not its 25-cell span.
    threads = json.loads(cli("threads", "--json").out)
    lines = on_terminal(db_path, tmp_path, "threads", columns=40, term="xterm")
    assert lines[0].split() == ["id", "items", "last", "headline"]
    assert all(len(line) <= 40 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [str(t["id"]) for t in threads]
    assert all(line.split()[2] == "2025-04-28" for line in lines[1:]), lines

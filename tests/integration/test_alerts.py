"""Alerts on saved topics: a real `wirereader fetch` against a real server, an alert command that
records its stdin, a stand-in `notify-send` on PATH that records its arguments, and the terminal
fallback."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from wirereader.core.config import Config, ConfigError, TopicAlert, load_config
from wirereader.ingest.files import import_file
from wirereader.query.alerts import Notifier, check_alerts, sanitise, terminal_sequence
from wirereader.store.db import Store

RECORDER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps({"argv": sys.argv[2:], "stdin": sys.stdin.read()}) + "\\n")
"""


def item(n: int, title: str, when: str) -> dict[str, str]:
    return {
        "guid": f"urn:alert:{n}",
        "title": title,
        "link": f"http://example.invalid/{n}",
        "description": f"<p>{title}, officials said on Tuesday.</p>",
        "pubDate": when,
    }


def records(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    return script


@pytest.fixture
def fake_notify_send(tmp_path: Path, recorder: Path) -> tuple[Path, Path]:
    """A `notify-send` on PATH that records the arguments it was given (as a real one would
    receive them: one list, no shell)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "notify-send.log"
    program = folder / "notify-send"
    program.write_text(
        f"#!{sys.executable}\n"
        + RECORDER.replace("sys.argv[1]", repr(str(log))).replace("[2:]", "[1:]")
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return folder, log


def test_topics_with_alerts_in_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[topics]\nukraine = "+place:Ukraine"\n'
        'ceasefire = { filter = "ceasefire", alert = true }\n'
        "[topics.harbour]\n"
        'filter = "harbour -source:weather"\n'
        'alert_command = ["notify-me", "--topic", "harbour"]\n'
    )
    cfg = load_config(config)
    assert cfg.topics == {"ukraine": "+place:Ukraine", "ceasefire": "ceasefire",
                          "harbour": "harbour -source:weather"}  # fmt: skip
    assert cfg.alerts["ceasefire"] == TopicAlert("ceasefire", "ceasefire", desktop=True)
    assert cfg.alerts["harbour"].command == ["notify-me", "--topic", "harbour"]
    assert not cfg.alerts["harbour"].desktop and "ukraine" not in cfg.alerts
    config.write_text('[topics]\nx = { filter = "a", alert_command = "rm -rf ~" }\n')
    with pytest.raises(ConfigError) as failure:
        load_config(config)
    assert f"{config}:2: 'alert_command' should be a list of strings" in str(failure.value)
    assert "never run through a shell" in str(failure.value)


def test_fetch_alerts_once_per_batch_with_count_headline_and_items_on_stdin(
    server: FeedServer, tmp_path: Path, cli, recorder: Path, fake_notify_send: tuple[Path, Path]
) -> None:
    folder, notify_log = fake_notify_send
    stdin_log = tmp_path / "command.log"
    hostile = "Harbour fire $(touch /tmp/pwned-by-title); `id` & rm -rf ~ <3"
    items = [
        item(1, "Harbour reopens after the storm", "Tue, 03 Mar 2026 09:00:00 +0000"),
        item(2, hostile, "Tue, 03 Mar 2026 11:00:00 +0000"),
        item(3, "Council budget approved", "Tue, 03 Mar 2026 10:00:00 +0000"),
    ]
    server.routes["/feed.xml"] = Route(rss("Port News", items))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\nname = "port"\n'
        "[topics.harbour]\n"
        'filter = "harbour"\nalert = true\n'
        f"alert_command = [{json.dumps(sys.executable)}, {json.dumps(str(recorder))}, "
        f'{json.dumps(str(stdin_log))}, "--topic", "harbour"]\n'
        '[topics]\nbudget = "budget"\n'
    )
    env = {
        "WIREREADER_CONFIG": str(config),
        "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}",
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/test-bus",
    }
    result = cli("fetch", env=env)
    assert result.code == 0, result.err
    # the command: one run, its argument list as written, the two matching items on stdin
    (run,) = records(stdin_log)
    assert run["argv"] == ["--topic", "harbour"]
    sent = json.loads(str(run["stdin"]))
    assert sent["topic"] == "harbour" and sent["count"] == 2
    stored = {e["title"] for e in json.loads(cli("entries", "--json").out)}
    assert hostile in stored  # kept as text, as the feed wrote it
    assert [i["title"] for i in sent["items"]] == [hostile, "Harbour reopens after the storm"]
    assert {"id", "source", "url", "published", "body"} <= set(sent["items"][0])
    # the desktop notification: one for the batch, the count and the newest headline
    (shown,) = records(notify_log)
    assert shown["argv"] == [
        "--app-name=wirereader",
        "--",
        "2 new items: harbour",
        # one argument each, markup characters escaped for the notification server
        "Harbour fire $(touch /tmp/pwned-by-title); `id` &amp; rm -rf ~ &lt;3 (port)",
    ]
    assert not Path("/tmp/pwned-by-title").exists()

    # nothing new: no alert; a new item that does not match: no alert either
    assert cli("fetch", env=env).code == 0
    items.append(item(4, "Budget vote delayed", "Tue, 03 Mar 2026 12:00:00 +0000"))
    server.routes["/feed.xml"] = Route(rss("Port News", items))
    assert cli("fetch", env=env).code == 0
    assert len(records(stdin_log)) == 1 and len(records(notify_log)) == 1


def test_a_failing_alert_command_is_one_warning(server: FeedServer, tmp_path: Path, cli) -> None:
    server.routes["/feed.xml"] = Route(
        rss("Port", [item(1, "Harbour closes", "Tue, 03 Mar 2026 09:00:00 +0000")])
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\n'
        '[topics.harbour]\nfilter = "harbour"\n'
        f'alert_command = [{json.dumps(sys.executable)}, "-c", "import sys; sys.exit(3)"]\n'
        '[topics.ferry]\nfilter = "harbour"\nalert_command = ["/no/such/program"]\n'
    )
    result = cli("fetch", env={"WIREREADER_CONFIG": str(config)})
    assert result.code == 0  # the fetch itself went well
    assert f"topic 'harbour': alert_command {sys.executable}: exit status 3" in result.err
    assert "topic 'ferry': alert_command /no/such/program: program not found" in result.err
    assert "Traceback" not in result.err


def test_without_a_notification_service_the_terminal_is_told(store: Store, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        json.dumps({"id": "a", "title": "Ceasefire talks resume\x1b]0;evil\x07 today",
                    "text": "Envoys met.", "published": "2026-03-03T09:00:00+00:00"}) + "\n"
    )  # fmt: skip
    import_file(store, notes)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries")]
    shown: list[tuple[str, str]] = []
    cfg = Config(alerts={"talks": TopicAlert("talks", "ceasefire", desktop=True)})
    notifier = Notifier(lambda s, b: shown.append((s, b)), environ={"PATH": str(tmp_path)})
    report = check_alerts(store, cfg, ids, notifier)
    assert report.notified == "terminal"
    ((summary, body),) = shown
    assert summary == "1 new item: talks" and body.startswith("Ceasefire talks resume")
    assert "\x1b" not in body and "\x07" not in body
    sequence = terminal_sequence(summary, "a\x1b]9;x\x07b", {"TERM_PROGRAM": "iTerm.app"})
    assert sequence == "\x1b]9;1 new item: talks: a ]9;x b\x07"
    assert terminal_sequence("s;t", "b", {"VTE_VERSION": "7600"}) == "\x1b]777;notify;s,t;b\x07"
    assert terminal_sequence("s", "b", {"TERM": "screen"}) == "\x07"  # the bell, at least
    assert sanitise("x" * 300, 20) == "x" * 19 + "…"


def test_every_example_setting_loads_when_uncommented(tmp_path: Path) -> None:
    import re

    from tests.support.paths import REPO

    example = (REPO / "config.example.toml").read_text()
    uncommented = re.sub(r'(?m)^# ([a-z_"\[][^ ]* = |\[)', r"\1", example)
    path = tmp_path / "config.toml"
    path.write_text(uncommented)
    cfg = load_config(path)
    assert cfg.warnings == []
    assert cfg.proxy and cfg.no_proxy and cfg.cookies and cfg.headers and cfg.feeds[0].headers
    assert cfg.alerts["ceasefire"].desktop and cfg.alerts["harbour"].command


def test_gdbus_is_the_fallback_desktop_path(tmp_path: Path) -> None:
    """Without notify-send, the freedesktop service is called through gdbus; every string is a
    GVariant literal, so quotes in a headline cannot change the call."""
    gdbus = tmp_path / "gdbus"
    gdbus.write_text("#!/bin/sh\nexit 0\n")
    gdbus.chmod(0o755)
    calls: list[list[str]] = []

    def run(argv: list[str], **_: object) -> Any:
        calls.append(argv)
        return type("Done", (), {"returncode": 0})()

    environ = {"PATH": str(tmp_path), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus"}
    notifier = Notifier(environ=environ, run=run)
    assert notifier.notify("2 new items: talks", "Envoy's 'final' offer <b>") == "desktop"
    (argv,) = calls
    assert argv[:8] == [str(gdbus), "call", "--session", "--dest",
                        "org.freedesktop.Notifications", "--object-path",
                        "/org/freedesktop/Notifications", "--method"]  # fmt: skip
    assert argv[9:] == ["'wirereader'", "0", "''", "'2 new items: talks'",
                        "'Envoy\\'s \\'final\\' offer &lt;b&gt;'", "[]", "{}", "-1"]  # fmt: skip
    # no session bus at all: no desktop call, the terminal is told instead
    told: list[str] = []
    quiet = Notifier(lambda s, b: told.append(s), environ={"PATH": str(tmp_path)}, run=run)
    assert quiet.notify("1 new item: talks", "x") == "terminal" and told and len(calls) == 1


def test_an_alert_topic_whose_filter_is_wrong_is_one_warning_not_an_alert_on_everything(
    server: FeedServer, tmp_path: Path, recorder: Path, cli
) -> None:
    """`since:yesterday` is not a term the language knows: the topic's filter dropped it and
    matched every new item, so its command ran for a cooking recipe. It is now one line naming
    the topic and the term, and the command does not run; a right topic beside it still does."""
    server.routes["/feed.xml"] = Route(
        rss("Port", [item(1, "Lentil soup recipe", "Tue, 03 Mar 2026 09:00:00 +0000"),
                     item(2, "Harbour closes", "Tue, 03 Mar 2026 10:00:00 +0000")])
    )  # fmt: skip
    log = tmp_path / "alerts.log"
    command = json.dumps([sys.executable, str(recorder), str(log)])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\n'
        f'[topics.typo]\nfilter = "harbour since:yesterday"\nalert_command = {command}\n'
        f'[topics.harbour]\nfilter = "harbour"\nalert_command = {command}\n'
    )
    result = cli("fetch", env={"WIREREADER_CONFIG": str(config)})
    assert result.code == 0 and "Traceback" not in result.err
    assert result.err.splitlines() == [
        "wirereader: topic 'typo': filter 'since:yesterday': expected a duration (6h, 2d) or a"
        " date (2025-04-28); it alerts on nothing until it is mended"
    ]
    ran = records(log)
    assert len(ran) == 1 and json.loads(str(ran[0]["stdin"]))["topic"] == "harbour"

"""Alerts: saved topics that say so when new items match them.

A topic in `[topics]` with `alert = true` gives one notification per batch of new items (one
fetch, one refresh of the reader, one round of `tail --fetch`), naming how many items matched and
the first headline; with `alert_command = ["prog", "arg"]` the program is run with the matching
items as JSON on its standard input. Only items count: an entry that turned out to be a repost
of an item already seen is not news.

How a notification is shown (`Notifier`):
- the freedesktop notification service, where a session bus is there: `notify-send`, else
  `gdbus` calling org.freedesktop.Notifications directly;
- otherwise the terminal: OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty, ...) or OSC 777
  (foot, Ghostty, VTE, urxvt) where the terminal is known to show them, else the bell.

Programs are always run from an argument list, never through a shell, and the headline is
sanitised first: it comes from a feed, i.e. from anyone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from wirereader.core.config import Config, TopicAlert
from wirereader.query.language import parse
from wirereader.query.timeline import EntryRow, Filter, Query
from wirereader.store.db import Store

COMMAND_TIMEOUT = 30.0  # seconds an alert command may take before it is stopped
NOTIFY_TIMEOUT = 10.0
MAX_HEADLINE = 160
_CHUNK = 500  # ids per IN (...) lookup, well under SQLite's parameter limit
# C0 and C1 controls, DEL, and the bidi and zero-width characters text.py also removes.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass
class TopicMatch:
    topic: TopicAlert
    items: list[EntryRow]  # newest first


@dataclass
class AlertReport:
    matches: list[TopicMatch] = field(default_factory=list)
    notified: str = ""  # how: "desktop", "terminal", or "" (no topic with alert = true matched)
    warnings: list[str] = field(default_factory=list)  # one line each


def newest_entry_id(store: Store) -> int:
    """The mark to take before a batch: items with a larger id are the batch's new ones."""
    row = store.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()
    return int(row[0])


def new_item_ids(store: Store, after_id: int) -> list[int]:
    rows = store.conn.execute(
        "SELECT id FROM entries WHERE id > ? AND repost_of IS NULL ORDER BY id", (after_id,)
    )
    return [int(r[0]) for r in rows]


def matching_items(store: Store, flt: Filter, ids: Iterable[int]) -> list[EntryRow]:
    """The items among `ids` that the filter matches, newest first, with their details."""
    query = Query(store, flt)
    where, params = query.id_subquery()
    wanted = sorted(set(ids))
    keys: list[tuple[int, int]] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        sql = (
            f"SELECT e.published_at, e.id FROM entries e WHERE e.id IN ({where})"
            f" AND e.id IN ({','.join('?' * len(chunk))})"
        )
        keys += [(int(r[0]), int(r[1])) for r in store.conn.execute(sql, [*params, *chunk])]
    keys.sort(reverse=True)
    return query.rows(keys, details=True)


def check_alerts(
    store: Store, cfg: Config, new_ids: Iterable[int], notifier: Notifier | None = None
) -> AlertReport:
    """Match the batch's new items against the alerting topics; notify and run commands."""
    report = AlertReport()
    ids = list(new_ids)
    if not cfg.alerts or not ids:
        return report
    for topic in cfg.alerts.values():
        parsed = parse(topic.filter)
        if parsed.problems:
            # The terms not understood were dropped, so the topic matched every new item: a
            # typo in `since:` alerted on all of them, with no word of why.
            said = "; ".join(parsed.problems)
            report.warnings.append(
                f"topic {topic.name!r}: filter {said}; it alerts on nothing until it is mended"
            )
            continue
        items = matching_items(store, parsed.filter, ids)
        if items:
            report.matches.append(TopicMatch(topic, items))
    if not report.matches:
        return report
    notifier = notifier or Notifier()
    desktop = [m for m in report.matches if m.topic.desktop]
    if desktop:
        summary, body = notification_text(desktop)
        report.notified = notifier.notify(summary, body)
    for match in report.matches:
        if match.topic.command:
            problem = notifier.run_command(match.topic, match.items)
            if problem:
                report.warnings.append(problem)
    return report


def notification_text(matches: list[TopicMatch]) -> tuple[str, str]:
    """One notification for the batch: the count (and the topics) and the first headline."""
    seen: dict[int, EntryRow] = {}
    for match in matches:
        for item in match.items:
            seen.setdefault(item.id, item)
    count = len(seen)
    noun = "item" if count == 1 else "items"
    if len(matches) == 1:
        summary = f"{count} new {noun}: {sanitise(matches[0].topic.name, 60)}"
    else:
        names = ", ".join(f"{sanitise(m.topic.name, 30)} ({len(m.items)})" for m in matches)
        summary = f"{count} new {noun}: {names}"
    first = max(seen.values(), key=lambda item: (item.published_at, item.id))
    headline = sanitise(first.title or first.body, MAX_HEADLINE)
    source = sanitise(first.source, 40)
    return summary, f"{headline} ({source})" if source else headline


def sanitise(text: str, limit: int = MAX_HEADLINE) -> str:
    """One line of plain text safe for a terminal escape sequence or a notification: control
    and bidi characters removed, whitespace collapsed, cut at `limit` characters."""
    line = " ".join(_UNSAFE.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def items_json(topic: TopicAlert, items: list[EntryRow]) -> str:
    """What an alert command reads on stdin."""
    return json.dumps(
        {
            "topic": topic.name,
            "filter": topic.filter,
            "count": len(items),
            "items": [item.to_json() for item in items],
        },
        ensure_ascii=False,
    )


# -- showing it --------------------------------------------------------------------------------

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


class Notifier:
    """Desktop notification where there is one, terminal notification otherwise, and commands.

    `terminal` shows a terminal notification (summary, body); the CLI writes an escape sequence
    to its terminal, the reader rings its bell and shows a toast. Everything it runs is an
    argument list.
    """

    def __init__(
        self,
        terminal: Callable[[str, str], None] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        run: Runner = subprocess.run,
    ) -> None:
        self.environ = dict(os.environ if environ is None else environ)
        self.terminal = terminal
        self._run = run

    def _which(self, program: str) -> str | None:
        return shutil.which(program, path=self.environ.get("PATH", os.defpath))

    def has_session_bus(self) -> bool:
        if self.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return True
        runtime = self.environ.get("XDG_RUNTIME_DIR", "")
        return bool(runtime) and os.path.exists(os.path.join(runtime, "bus"))

    def desktop_command(self, summary: str, body: str) -> list[str] | None:
        """The argument list that shows a desktop notification here, or None (no service)."""
        if not self.has_session_bus():
            return None
        # The notification server may read the body as markup (the spec allows <b>, <a>).
        body = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        notify_send = self._which("notify-send")
        if notify_send:
            return [notify_send, "--app-name=wirereader", "--", summary, body]
        gdbus = self._which("gdbus")
        if gdbus:
            return [
                gdbus, "call", "--session",
                "--dest", "org.freedesktop.Notifications",
                "--object-path", "/org/freedesktop/Notifications",
                "--method", "org.freedesktop.Notifications.Notify",
                _gvariant_string("wirereader"), "0", _gvariant_string(""),
                _gvariant_string(summary), _gvariant_string(body),
                "[]", "{}", "-1",
            ]  # fmt: skip
        return None

    def notify(self, summary: str, body: str) -> str:
        """Show one notification; returns how ("desktop" or "terminal")."""
        argv = self.desktop_command(summary, body)
        if argv is not None:
            try:
                done = self._run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=NOTIFY_TIMEOUT,
                    check=False,
                )
                if done.returncode == 0:
                    return "desktop"
            except (OSError, subprocess.SubprocessError):
                pass  # no service after all: fall back to the terminal
        if self.terminal is not None:
            self.terminal(summary, body)
        return "terminal"

    def run_command(self, topic: TopicAlert, items: list[EntryRow]) -> str:
        """Run the topic's alert_command with the items on stdin; '' or a one-line problem."""
        argv = list(topic.command)
        shown = f"topic '{sanitise(topic.name, 60)}': alert_command {sanitise(argv[0], 80)}"
        try:
            done = self._run(
                argv,
                input=items_json(topic, items).encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            return f"{shown}: program not found"
        except PermissionError:
            return f"{shown}: not executable"
        except subprocess.TimeoutExpired:
            return f"{shown}: stopped after {COMMAND_TIMEOUT:g} s"
        except OSError as exc:
            return f"{shown}: {exc.strerror or exc}"
        if done.returncode != 0:
            said = sanitise((done.stderr or b"").decode("utf-8", "replace"), 120)
            return f"{shown}: exit status {done.returncode}" + (f" ({said})" if said else "")
        return ""


def _gvariant_string(text: str) -> str:
    """A GVariant text-format string literal: gdbus parses each argument as GVariant."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def terminal_sequence(summary: str, body: str, environ: Mapping[str, str]) -> str:
    """The escape sequence that shows a notification in this terminal, else the bell."""
    summary, body = sanitise(summary), sanitise(body)
    program = environ.get("TERM_PROGRAM", "")
    term = environ.get("TERM", "")
    if program in ("iTerm.app", "WezTerm") or environ.get("WT_SESSION") or "kitty" in term:
        return f"\x1b]9;{summary}: {body}\x07"
    if (
        environ.get("VTE_VERSION")
        or term.startswith(("foot", "rxvt", "xterm-ghostty"))
        or program == "ghostty"
    ):
        return f"\x1b]777;notify;{summary.replace(';', ',')};{body}\x07"
    return "\x07"


def write_terminal_notification(stream: TextIO, environ: Mapping[str, str] | None = None) -> Any:
    """A `terminal` callback for Notifier writing to `stream` (a terminal)."""
    env = os.environ if environ is None else environ

    def show(summary: str, body: str) -> None:
        try:
            stream.write(terminal_sequence(summary, body, env))
            stream.flush()
        except (OSError, ValueError):
            pass  # the terminal went away: nothing to tell

    return show

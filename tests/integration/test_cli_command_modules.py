"""A command line that names its command builds that command's parser alone: the same parse,
without importing every other command's module (`wirereader fetch` starts faster)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from wirereader.cli import MODULE_OF, _command_modules, build_parser, command_named


def test_the_table_names_what_every_module_registers() -> None:
    registered: dict[str, str] = {}
    for module in _command_modules():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        module.register(sub)
        name = module.__name__.rsplit(".", 1)[1]
        for command in sub.choices:
            registered[command] = name
    # completion and man describe the whole parser: they always build it
    assert {c: m for c, m in registered.items() if m != "shell"} == MODULE_OF
    assert {c for c, m in registered.items() if m == "shell"} == {"completion", "man"}


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["fetch"], "fetch"),
        (["--db", "x.sqlite3", "fetch", "--quiet"], "fetch"),
        (["--db=x.sqlite3", "--config", "c.toml", "entries", "kyiv"], "entries"),
        (["--help"], None),
        (["--version"], None),
        (["--d", "x.sqlite3", "fetch"], None),  # an abbreviation: argparse's to read
        ([], None),
        (["--db", "x.sqlite3"], None),
    ],
)
def test_the_command_a_line_names(argv: list[str], command: str | None) -> None:
    assert command_named(argv) == command


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "x.sqlite3", "fetch"],
        ["add", "http://example.invalid/feed.xml", "--name", "Town"],
        ["entries", "kyiv", "-is:read", "--limit", "5"],
        ["threads"],
        ["search", "harbour", "crane"],
        ["prune", "--older-than", "30d"],
        ["show", "12"],
    ],
)
def test_one_module_parses_a_line_as_all_of_them(argv: list[str]) -> None:
    def parsed(parser: argparse.ArgumentParser) -> object:
        try:
            args, extra = parser.parse_known_args(argv)
        except SystemExit as exit:
            return ("exit", exit.code)
        values = {k: v for k, v in vars(args).items() if k != "root_parser"}
        # a command's function may be wrapped anew at each registration (`redacting`)
        func = values.pop("func", None)
        func = getattr(func, "__wrapped__", func)
        return values, extra, func

    assert parsed(build_parser(command_named(argv))) == parsed(build_parser())


def test_fetch_imports_no_other_command(tmp_path: Path, server: FeedServer) -> None:
    items = [
        {
            "guid": f"urn:lazy:{n}",
            "title": f"Ferry timetable changes {n}",
            "link": f"http://example.invalid/ferry/{n}",
            "description": f"<p>The {n} o'clock ferry leaves ten minutes later.</p>",
            "pubDate": f"Tue, 03 Mar 2026 {n:02d}:15:00 +0000",
        }
        for n in (1, 2)
    ]
    server.routes["/feed.xml"] = Route(rss("Harbour News", items))
    db = tmp_path / "cache.sqlite3"
    env = {**os.environ, "WIREREADER_CONFIG": str(tmp_path / "none.toml")}
    code = (
        "import sys\n"
        "from wirereader.cli import main\n"
        f"main(['--db', {str(db)!r}, 'add', {server.url('/feed.xml')!r}, '--no-fetch'])\n"
        f"code = main(['--db', {str(db)!r}, 'fetch'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('wirereader.cli.')))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "2 new entries" in done.stdout
    imported = done.stdout.strip().splitlines()[-1]
    assert "wirereader.cli.feeds" in imported
    for other in ("library", "doctor", "app", "articles", "analysis", "tail", "shell"):
        assert f"wirereader.cli.{other}'" not in imported

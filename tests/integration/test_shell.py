"""Shell completion run by the real shells (bash, fish, zsh under tmux) and the man page, both
generated from the parser."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wirereader.cli import build_parser
from wirereader.cli.shell import man_page

BIN = Path(sys.executable).parent  # the installed `wirereader` the scripts call


@pytest.fixture
def feeds_db(cli, db_path: Path) -> Path:
    for url, name in (
        ("http://example.invalid/t.xml", "Tram News"),
        ("http://x.invalid/g", "Gazette"),
    ):
        assert cli("add", "--no-fetch", url, "--name", name).code == 0
    return db_path


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "WIREREADER_CONFIG": str(tmp_path / "no-config.toml"),
        "WIREREADER_DB": str(tmp_path / "default.sqlite3"),
    }


def _script(cli, shell: str, tmp_path: Path) -> Path:
    result = cli("completion", shell)
    assert result.code == 0, result.err
    path = tmp_path / f"wirereader.{shell}"
    path.write_text(result.out, "utf-8")
    return path


def _require(program: str) -> str:
    found = shutil.which(program)
    assert found, f"{program} is not installed (.ci/run installs it)"
    return found


def test_bash_completes_commands_options_values_and_feed_names(
    cli, feeds_db: Path, tmp_path: Path
) -> None:
    script = _script(cli, "bash", tmp_path)
    driver = f"""
source {script}
comp() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=();
         _wirereader; printf '%s|' "${{COMPREPLY[@]}}"; echo; }}
comp wirereader fe
comp wirereader --db {feeds_db} fetch T
comp wirereader --db {feeds_db} rename ""
comp wirereader prune --d
comp wirereader export --format ""
comp wirereader completion ""
comp wirereader --co
"""
    proc = subprocess.run(
        [_require("bash"), "-c", driver], capture_output=True, text=True, env=_env(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "feeds|fetch|",
        "Tram\\ News|",
        "Gazette|Tram\\ News|",
        "--dry-run|",
        "json|opml|",
        "bash|zsh|fish|",
        "--config|",
    ]


def test_fish_completes_commands_options_values_and_feed_names(
    cli, feeds_db: Path, tmp_path: Path
) -> None:
    script = _script(cli, "fish", tmp_path)

    def complete(line: str) -> list[str]:
        proc = subprocess.run(
            [_require("fish"), "-c", f"source {script}; complete -C {line!r}"],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
        )
        assert proc.returncode == 0, proc.stderr
        return [row.split("\t")[0] for row in proc.stdout.splitlines()]

    assert complete(f"wirereader --db {feeds_db} remove ") == ["Gazette", "Tram News"]
    assert complete("wirereader fe") == ["feeds", "fetch"]
    assert complete("wirereader export --format ") == ["json", "opml"]
    assert "--older-than" in complete("wirereader prune --")


def _tmux(socket: str, *args: str) -> str:
    proc = subprocess.run(
        [_require("tmux"), "-L", socket, *args], capture_output=True, text=True, timeout=20
    )
    return proc.stdout


def _screen_shows(socket: str, needle: str, limit: float = 20.0) -> str:
    """The pane once `needle` is on it; the limit only ends a hung shell."""
    deadline = time.monotonic() + limit
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(socket, "capture-pane", "-p", "-t", "z")
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared:\n{screen}")


def test_zsh_completes_feed_names_and_options(cli, feeds_db: Path, tmp_path: Path) -> None:
    functions = tmp_path / "zfunc"
    functions.mkdir()
    (functions / "_wirereader").write_text(cli("completion", "zsh").out, "utf-8")
    home = tmp_path / "zdot"
    home.mkdir()
    (home / ".zshrc").write_text(
        f"fpath=({functions} $fpath)\nautoload -Uz compinit && compinit -u -D\nPS1='ready> '\n"
    )
    socket = f"wirereader-zsh-{os.getpid()}"
    env = {**_env(tmp_path), "ZDOTDIR": str(home)}
    command = " ".join(f"{k}={v!r}" for k, v in env.items() if k in ("PATH", "ZDOTDIR"))
    command += " WIREREADER_CONFIG=" + repr(env["WIREREADER_CONFIG"])
    _tmux(socket, "new-session", "-d", "-s", "z", "-x", "160", "-y", "20",
          f"env {command} {_require('zsh')} -i")  # fmt: skip
    try:
        _screen_shows(socket, "ready>")
        _tmux(socket, "send-keys", "-t", "z", "-l", f"wirereader --db {feeds_db} fetch Tr")
        _tmux(socket, "send-keys", "-t", "z", "Tab")
        _screen_shows(socket, "fetch Tram\\ News")
        _tmux(socket, "send-keys", "-t", "z", "C-u")
        _tmux(socket, "send-keys", "-t", "z", "-l", "wirereader prune --")
        _tmux(socket, "send-keys", "-t", "z", "Tab")
        screen = _screen_shows(socket, "--older-than")
        assert "--dry-run" in screen and "only say what would go" in screen
    finally:
        _tmux(socket, "kill-server")


def test_feed_names_never_make_a_cache(cli, tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = cli("--db", str(missing), "feeds", "--names")
    assert result.code == 0 and result.out == "" and not missing.exists()


def test_the_man_page_is_the_parser(cli, tmp_path: Path) -> None:
    result = cli("man")
    assert result.code == 0, result.err
    page = result.out
    assert page.startswith(".TH WIREREADER 1 ")
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, sub in commands.choices.items():
        assert f"\n.SS {name}\n" in page
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag.replace("-", "\\-") in page, (name, flag)
    # The filter language, as the commands' --help prints it: a man reader had no word of it.
    assert "\n.SH FILTER TERMS\n" in page and "person:Putin OR person:Zelensky" in page
    # A command added to the parser is in the page with nothing else written for it.
    extra = commands.add_parser("zap-orchard", help="a command only this test has")
    extra.add_argument("--pears", metavar="COUNT", help="how many pears")
    generated = man_page(parser)
    assert "\n.SS zap\\-orchard\n" in generated
    assert "\\fB\\-\\-pears\\fR \\fICOUNT\\fR\nhow many pears" in generated
    # groff reads it without a warning.
    path = tmp_path / "wirereader.1"
    path.write_text(page, "utf-8")
    proc = subprocess.run(
        [_require("groff"), "-man", "-Tutf8", "-ww", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stderr == ""
    shown = re.sub(".\x08", "", proc.stdout).replace("‐", "-")  # overstruck bold, hyphens
    assert "wirereader prune [-h] --older-than DURATION" in shown

"""The `wirereader` command: every view of the TUI is also a subcommand with `--json` output.

Each subcommand lives in a module of this package exposing `register(subparsers)`; the module sets
`func` on its parser. Modules are imported when the parser is built, so adding a command is one
line in `_command_modules`. Plain `wirereader` (the reader) never builds it: the reader's start
time should not pay for importing every command.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import re
import signal
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NoReturn

from wirereader import __version__
from wirereader.cli import common
from wirereader.cli.common import UserError, fail, warn
from wirereader.core.interruptible import keep_swallowed_interrupts
from wirereader.store.db import CacheError

# The module that registers each command, so that a command line naming one builds that
# module's parser alone and the others are never imported (`wirereader fetch` needs none of
# them). `completion` and `man` describe the whole parser, so they are not listed: a command
# line naming them, or none, or anything unforeseen builds every module's. A test holds this
# table to what the modules register.
MODULE_OF = {
    **dict.fromkeys(("entries", "export", "import", "search"), "library"),
    "doctor": "doctor",
    "demo": "app",
    "articles": "articles",
    **dict.fromkeys(("add", "feeds", "fetch", "remove"), "feeds"),
    **dict.fromkeys(("entities", "show", "threads"), "analysis"),
    "tail": "tail",
    **dict.fromkeys(("prune", "rename"), "housekeeping"),
}


def command_named(argv: Sequence[str]) -> str | None:
    """The command a command line names, if it is plain: global options (`--db P`,
    `--config=P`) then the command. None for anything else (`--help`, `--version`, an
    abbreviated option), which then builds the whole parser."""
    global_options = ("--db", "--config")
    waiting_value = False
    for token in argv:
        if waiting_value:
            waiting_value = False
        elif token in global_options:
            waiting_value = True
        elif token.partition("=")[0] in global_options and "=" in token:
            continue
        elif token.startswith("-"):
            return None
        else:
            return token
    return None


def _command_modules(command: str | None = None) -> list[ModuleType]:
    """The modules whose commands the parser gets: the one of `command` (see MODULE_OF), or
    all of them."""
    name = MODULE_OF.get(command or "")
    if name is not None:
        return [importlib.import_module(f"wirereader.cli.{name}")]
    from wirereader.cli import (
        analysis,
        app,
        articles,
        doctor,
        feeds,
        housekeeping,
        library,
        shell,
        tail,
    )

    return [library, doctor, app, articles, feeds, analysis, tail, housekeeping, shell]


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="cache file (default: $WIREREADER_DB or the platform data directory)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $WIREREADER_CONFIG or the platform config directory)",
    )


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line: what is wrong, and where the help is.

    argparse prints the usage block and then the error (`wirereader threads --min-size 0` was
    three lines, the problem last); every other error of the command is one line. `--help` is
    unchanged. The line goes through `warn`, so a control character typed in an argument
    (`--limit $'\\e[31m'`) does not reach the terminal."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.partition(" ")[2]  # 'entries' of 'wirereader entries'
        argument = re.match(r"argument ([^:]+): (.*)", message, re.DOTALL)
        if argument and argument[1] == "COMMAND":
            text = argument[2].replace("invalid choice:", "unknown command", 1)
        elif argument:
            text = f"{command} {argument[1]}: {argument[2]}".lstrip()
        else:
            text = f"{command}: {message}" if command else message
        warn(f"{text}; see '{self.prog} --help'")
        self.exit(2)


class _Quiet(argparse.ArgumentParser):
    """A parser whose errors print nothing (a first look at the command line)."""

    def error(self, message: str) -> NoReturn:
        raise SystemExit(2)


def _only_global_options(argv: list[str]) -> argparse.Namespace | None:
    """The options of a bare `wirereader [--db P] [--config P]`, or None for anything else."""
    light = _Quiet(add_help=False)
    _global_options(light)
    try:
        args, rest = light.parse_known_args(argv)
    except SystemExit:
        return None
    return None if rest else args


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the command a command line names (`command_named`),
    with that command's module alone (the same parse of that line, fewer imports)."""
    parser = Parser(
        prog="wirereader",
        description="Live blogs and news feeds as one calm, deduplicated view in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"wirereader {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules(command):
        module.register(sub)
    # `completion` and `man` describe the parser itself: handed to them, not imported back.
    parser.set_defaults(root_parser=parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    bare = _only_global_options(arguments)
    if bare is not None:
        return _guarded(_open_app, bare)
    parser = build_parser(command_named(arguments))
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `entries -place:Crimea`: a filter term that starts with '-' is not an option.
        terms = next(
            (getattr(args, n) for n in FILTER_ARGS if isinstance(getattr(args, n, None), list)),
            None,
        )
        # argparse stops a positional list at the first such term: the words after it are
        # left over too (`entries -is:starred kyiv`), and they are filter terms as well.
        if terms is None or not all(_is_filter_term(x) or x[:1] != "-" for x in extra):
            # named by the command's own parser: `entries --bogus` is an option of entries
            _command_parser(parser, args).error(
                f"unrecognized arguments: {' '.join(extra)}{_as_term(extra, terms, arguments)}"
            )
        terms += extra
    func = getattr(args, "func", None) or _open_app
    return _guarded(func, args)


def _as_term(extra: list[str], terms: list[str] | None, argv: list[str]) -> str:
    """How to write an option that is a filter key (`entries --since 2h`) as the term it is
    (`since:2h`: the value is the word after it on the command line)."""
    if terms is None:
        return ""
    from wirereader.query.language import ALTERNATIVE_KEYS, UNSIGNED

    for token in extra:
        key, _, value = token.removeprefix("--").partition("=")
        if token.startswith("--") and key in (*ALTERNATIVE_KEYS, *UNSIGNED):
            after = argv[argv.index(token) + 1 :] if token in argv else []
            if not value and after and not after[0].startswith("-"):
                value = after[0]
            return f"; a filter is a term, not an option: write {key}:{value or 'VALUE'}"
    return ""


def _command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the command `args` were parsed for (the root parser without one)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            command: argparse.ArgumentParser | None = action.choices.get(args.command or "")
            return command or parser
    return parser


def run() -> int:
    """The `wirereader` command (`python -m wirereader` too): `main`, then the process's
    objects are left to the operating system. Python ends by collecting the cyclic garbage of
    the whole heap, and after a large analysis (which pauses the collector while it runs, so
    everything it made is still young) that last collection was 0.4-0.5 s of CPU between the
    command's last line and its exit: `wirereader fetch` of the 40k feeds benchmark, the main
    thread's CPU after `main` returned, 0.40-0.51 s -> 0.02-0.04 s. Frozen objects are never
    collected, and nothing is left for that collection to do: the command has closed its cache
    and its workers, and exit handlers (`atexit`, finalizers they run) still run."""
    code = main()
    gc.freeze()
    return code


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C, so the same clean-up runs: pools shut
    down (no leaked semaphores), the progress bar restores the cursor, commits stay."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _guarded(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; every error ends as one line on stderr and a non-zero exit, never a
    traceback: a UserError as it is worded, a cache or disk error with the file it concerns,
    anything unforeseen as one line too (`WIREREADER_DEBUG=1` shows the traceback)."""
    with contextlib.suppress(ValueError):  # not the main thread (a test calling main())
        signal.signal(signal.SIGTERM, _on_sigterm)
        keep_swallowed_interrupts()
    try:
        return int(func(args) or 0)
    except UserError as exc:
        return fail(str(exc), exc.exit_code)
    except Terminated:
        return fail("terminated; everything saved before is kept", 143)
    except KeyboardInterrupt:
        return fail("interrupted; everything saved before is kept", 130)
    except BrokenPipeError:
        # `wirereader entries | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0
    except CacheError as exc:
        return fail(str(exc))
    except sqlite3.Error as exc:
        _debug()
        return fail(common.describe_database_error(common.opened_cache, exc))
    except OSError as exc:
        _debug()
        where = exc.filename or common.opened_cache or "wirereader"
        return fail(f"{where}: {exc.strerror or exc}")
    except MemoryError:
        return fail("out of memory")
    except Exception as exc:  # a bug: still one line, the details on request
        _debug()
        return fail(
            f"internal error: {type(exc).__name__}: {exc}"
            " (run with WIREREADER_DEBUG=1 for the details)"
        )


def _debug() -> None:
    if os.environ.get("WIREREADER_DEBUG"):
        traceback.print_exc()


FILTER_ARGS = ("filter", "query")  # the positional lists that hold filter-language terms


def _is_filter_term(token: str) -> bool:
    return token.startswith("-") and not token.startswith("--") and len(token) > 1


def _open_app(args: argparse.Namespace) -> int:
    from wirereader.cli import app

    return app.run_app(args)

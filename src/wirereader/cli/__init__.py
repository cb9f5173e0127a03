"""The `wirereader` command: every view of the TUI is also a subcommand with `--json` output.

Each subcommand lives in a module of this package exposing `register(subparsers)`; the module sets
`func` on its parser. Modules are imported when the parser is built, so adding a command is one
line in `_command_modules`. Plain `wirereader` (the reader) never builds it: the reader's start
time should not pay for importing every command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from wirereader import __version__
from wirereader.cli.common import UserError, fail


def _command_modules() -> list[ModuleType]:
    from wirereader.cli import analysis, app, articles, doctor, feeds, library, tail

    return [library, doctor, app, articles, feeds, analysis, tail]


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


def _only_global_options(argv: list[str]) -> argparse.Namespace | None:
    """The options of a bare `wirereader [--db P] [--config P]`, or None for anything else."""
    light = argparse.ArgumentParser(add_help=False)
    _global_options(light)
    try:
        args, rest = light.parse_known_args(argv)
    except SystemExit:
        return None
    return None if rest else args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirereader",
        description="Live blogs and news feeds as one calm, deduplicated view in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"wirereader {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    bare = _only_global_options(arguments)
    if bare is not None:
        return _guarded(_open_app, bare)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `entries -place:Crimea`: a filter term that starts with '-' is not an option.
        terms = next(
            (getattr(args, n) for n in FILTER_ARGS if isinstance(getattr(args, n, None), list)),
            None,
        )
        if terms is None or not all(_is_filter_term(x) for x in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        terms += extra
    func = getattr(args, "func", None) or _open_app
    return _guarded(func, args)


def _guarded(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; a UserError is one line on stderr and exit 1, never a traceback."""
    try:
        return int(func(args) or 0)
    except UserError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `wirereader entries | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0


FILTER_ARGS = ("filter", "query")  # the positional lists that hold filter-language terms


def _is_filter_term(token: str) -> bool:
    return token.startswith("-") and not token.startswith("--") and len(token) > 1


def _open_app(args: argparse.Namespace) -> int:
    from wirereader.cli import app

    return app.run_app(args)

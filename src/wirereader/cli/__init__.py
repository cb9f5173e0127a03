"""The `wirereader` command: every view of the TUI is also a subcommand with `--json` output.

Each subcommand lives in a module of this package exposing `register(subparsers)`; the module sets
`func` on its parser. Modules are imported here, so adding a command is one line below.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from wirereader import __version__
from wirereader.cli import analysis, app, articles, doctor, feeds, library
from wirereader.cli.common import UserError, fail

COMMAND_MODULES = [library, doctor, app, articles, feeds, analysis]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirereader",
        description="Live blogs and news feeds as one calm, deduplicated view in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"wirereader {__version__}")
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    func = getattr(args, "func", None)
    if func is None:
        default = getattr(args, "default_func", None) or _open_app
        func = default
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
    try:
        from wirereader.cli import app
    except ImportError:  # the TUI layer is optional at this stage
        raise UserError("the reader app is not available; try 'wirereader entries'") from None
    return int(app.run_app(args))

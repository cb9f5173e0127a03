"""What every subcommand shares: opening the cache and config, printing JSON, failing cleanly."""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wirereader.cli.migration_progress import MigrationProgress
from wirereader.core.config import Config, ConfigError, load_config
from wirereader.core.paths import default_config_path, default_db_path
from wirereader.core.redact import RedactingStream, redact
from wirereader.core.text import strip_controls
from wirereader.core.timezones import ZoneError, resolve_zone
from wirereader.query import language as querylang
from wirereader.query.timeline import EntryRow, Filter, iso_utc
from wirereader.store import migrations
from wirereader.store.db import CacheDamagedError, CacheError, Store, describe_database_error
from wirereader.store.migrations import SchemaTooNewError

# Rich is imported where a command prints with it, not at the top of a command's module: every
# command imports every command module (to build the parser), and Rich was ~0.04 s of the
# ~0.2 s of CPU an all-304 `wirereader fetch` took, printing one plain line.
if TYPE_CHECKING:
    from rich.console import Console


class UserError(Exception):
    """A problem to report in one line on stderr, with a non-zero exit (no traceback)."""

    exit_code = 1


class UsageError(UserError):
    """A command line that means nothing (a filter term the language does not know): exit 2,
    as argparse does for an unknown option, so a script never takes it for a result."""

    exit_code = 2


# SQLite's largest integer (and `sys.maxsize` on 64-bit builds: islice takes no more)
COUNT_MAX = min(2**63 - 1, sys.maxsize)


def count_arg(text: str) -> int:
    """An argparse type: a whole number, 0 or more (`--limit -1` was an internal error), that
    SQLite can hold (`--limit 99999999999999999999` and `show` of such an id were too)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, not {value}")
    if value > COUNT_MAX:
        raise argparse.ArgumentTypeError(f"expected at most {COUNT_MAX}")
    return value


def positive_arg(text: str) -> int:
    """An argparse type: a whole number, 1 or more (an entry id, a minimum size)."""
    value = count_arg(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def nonempty_arg(text: str) -> str:
    """An argparse type: a URL or a path that is not empty or blank (`add ''` opened the
    current directory and said ": is a directory, not a file")."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a URL or a path, not an empty string")
    return text


# The filter language in every command that takes one (`entries --help`): a user of an
# installed copy has no README at hand.
FILTER_EPILOG = """filter terms (every one must match; quote a term that holds spaces):
  word  "exact phrase"  -word            full text (prefix match); -word leaves it out
  person:Putin  -place:Crimea  org:NATO  mentions (aliases count); entity:X any kind
  source:bbc  -source:x                  from sources whose name contains it
  kind:breaking  is:unread  is:starred   an entry kind, the reading state
  thread:12                              one story thread
  since:6h  since:2025-04-28  until:2d   a time window (s, m, h, d, or a date)
  a OR b                                 either one: OR in capitals joins its two neighbours,
                                         words, phrases and the terms above but -x, since:
                                         and until: (person:Putin OR person:Zelensky)
"""


def filter_parser_options() -> dict[str, Any]:
    """`add_parser` options of a command that takes filter terms: the language as its epilog."""
    return {"epilog": FILTER_EPILOG, "formatter_class": argparse.RawDescriptionHelpFormatter}


def display_zone(cfg: Config) -> tzinfo:
    """The zone the tables show times in: the reader's (the config's timezone, else the
    machine's). The tables printed each time in the zone its feed wrote it in (most in UTC)
    while the reader shows one zone: one item was 12:35 in `entries`, 13:35 on screen."""
    try:
        return resolve_zone(cfg.timezone or None)
    except ZoneError as exc:
        raise UserError(f"config timezone: {exc}") from None


def entry_minute(row: EntryRow, tz: tzinfo) -> str:
    """An entry's time for a table or a stream line: 'YYYY-MM-DD HH:MM', or for a time the
    source did not give (`time_guessed`: the time it was first seen, a file's, or at a feed's
    first fetch its oldest date) marked as the reader marks it, `guessed_minute`. An undated
    entry's time was left blank before."""
    when = minute(row.published or iso_utc(row.published_at), tz)
    return guessed_minute(when, tz) if row.time_guessed and when else when


def guessed_minute(when: str, tz: tzinfo) -> str:
    """A stand-in time ('YYYY-MM-DD HH:MM') in a table's sixteen cells, '~' before it: this
    year's as '~MM-DD HH:MM', another year's as its day, '~YYYY-MM-DD' (an undated page given
    its feed's oldest date, 2000-11-04, showed '~11-04 00:00', read as this November's)."""
    return "~" + (when[5:] if when[:4] == str(datetime.now(tz).year) else when[:10])


def short_minute(when: str, tz: tzinfo) -> str:
    """A time in a narrow table's eleven cells: 'MM-DD HH:MM' this year, 'YYYY-MM-DD' before."""
    return when[5:] if when[:4] == str(datetime.now(tz).year) else when[:10]


def minute(value: str | None, tz: tzinfo) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM' in `tz` ('' for none; a time without a zone is UTC,
    as the cache stores them)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value[:16].replace("T", " ")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def parse_filter(text: str, base: Filter | None = None, *, tell: bool = True) -> Filter:
    """The filter of the command line; any term not understood is a UsageError naming it.
    Text read otherwise than as written (two unbalanced quotes, `person:"Kim place:"North
    Korea"`) is said on stderr with `tell`, as the reader's chips say it: one line, never in
    the standard output a --json reader parses."""
    parsed = querylang.parse(text, base)
    if parsed.problems:
        raise UsageError("; ".join(f"filter {problem}" for problem in parsed.problems))
    if tell and parsed.hint.startswith("read as "):
        warn(f"filter {parsed.hint}")
    return parsed.filter


def fail(message: str, code: int = 1) -> int:
    warn(message)
    return code


def warn(message: str) -> None:
    print(f"wirereader: {_inert(message)}", file=sys.stderr)


def _inert(message: str) -> str:
    """Passwords as ***, and no escape sequence or control character: a message quotes URLs and
    names from OPML lists, feeds and arguments (`fetch $'\\e[31m...'` coloured the terminal)."""
    return strip_controls(redact(message))


F = TypeVar("F", bound=Callable[..., int])


def redacting(command: F) -> F:
    """For commands that show subscriptions: every line they print has URL passwords as ***."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> int:
        out, err = sys.stdout, sys.stderr
        sys.stdout = RedactingStream(out)
        sys.stderr = RedactingStream(err)
        try:
            return command(*args, **kwargs)
        finally:
            sys.stdout, sys.stderr = out, err

    return run  # type: ignore[return-value]


def load_args_config(args: argparse.Namespace) -> Config:
    explicit = getattr(args, "config", None)
    path = Path(explicit).expanduser() if explicit else default_config_path()
    try:
        cfg = load_config(path, required=bool(explicit))
    except ConfigError as exc:
        for problem in exc.problems[:-1]:  # every wrong value of the file, one line each
            warn(problem)
        raise UserError(exc.problems[-1]) from None
    for message in cfg.warnings:
        warn(message)
    return cfg


def db_path(args: argparse.Namespace, cfg: Config | None = None) -> Path:
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    if cfg is not None and cfg.db:
        return Path(cfg.db).expanduser()
    return default_db_path()


# The cache the running command opened: named by the one-line message of an error that
# reaches the top (a full disk, a damaged page met while reading).
opened_cache: Path | None = None


def open_store(
    args: argparse.Namespace, cfg: Config | None = None, *, reads_only: bool = False
) -> Store:
    """The cache the command works on, made if it does not exist yet; for a command that
    `reads_only`, a `--db` naming no file is a usage error (a mistyped path, not a cache to
    make: it was made, and the command said "no entries")."""
    global opened_cache
    path = db_path(args, cfg)
    if reads_only and getattr(args, "db", None) and not path.exists() and not path.is_symlink():
        raise UsageError(
            f"{path}: no such cache file (it is made by a command that writes:"
            " import, add, fetch or demo)"
        )
    opened_cache = path
    if migrations.progress_reporter is None:
        migrations.progress_reporter = MigrationProgress()
    try:
        return Store(path)
    except CacheDamagedError as exc:
        raise UserError(str(exc)) from None
    except (CacheError, SchemaTooNewError) as exc:
        from wirereader.store.doctor import access_problem

        # A cache on a read-only disk or behind a read-only directory cannot be opened (its
        # journal lives beside it): said as such, not as damage ("not a usable wirereader
        # cache (unable to open database file)", which sent the user to doctor for nothing).
        problem = "" if isinstance(exc, SchemaTooNewError) else access_problem(path)
        if problem:
            raise UserError(f"{path}: cannot be opened: {problem}") from None
        raise UserError(f"{exc}; run 'wirereader --db {path} doctor' to check it") from None
    except sqlite3.DatabaseError as exc:
        raise UserError(describe_database_error(path, exc)) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot open the cache: {exc.strerror or exc}") from None


# A pipe or a file gets whole lines: wider than any row, so nothing is cut or wrapped.
PIPE_WIDTH = 1_000_000


def to_terminal() -> bool:
    return sys.stdout.isatty()


def table_console() -> Console:
    """The console for CLI tables: the terminal's width on a terminal, unlimited otherwise."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=None if to_terminal() else PIPE_WIDTH)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")

"""What every subcommand shares: opening the cache and config, printing JSON, failing cleanly."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from wirereader.core.config import Config, ConfigError, load_config
from wirereader.core.paths import default_config_path, default_db_path
from wirereader.store.db import CacheError, Store
from wirereader.store.migrations import SchemaTooNewError


class UserError(Exception):
    """A problem to report in one line on stderr, with a non-zero exit (no traceback)."""


def fail(message: str, code: int = 1) -> int:
    print(f"wirereader: {message}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    print(f"wirereader: {message}", file=sys.stderr)


def load_args_config(args: argparse.Namespace) -> Config:
    explicit = getattr(args, "config", None)
    path = Path(explicit).expanduser() if explicit else default_config_path()
    try:
        cfg = load_config(path, required=bool(explicit))
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    for message in cfg.warnings:
        warn(message)
    return cfg


def db_path(args: argparse.Namespace, cfg: Config | None = None) -> Path:
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    if cfg is not None and cfg.db:
        return Path(cfg.db).expanduser()
    return default_db_path()


def open_store(args: argparse.Namespace, cfg: Config | None = None) -> Store:
    path = db_path(args, cfg)
    try:
        return Store(path)
    except (CacheError, SchemaTooNewError) as exc:
        raise UserError(f"{exc}; run 'wirereader --db {path} doctor' to check it") from None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")

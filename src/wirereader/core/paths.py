"""Where wirereader keeps its files (platformdirs locations, overridable)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "wirereader"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_db_path() -> Path:
    """`WIREREADER_DB` if set, else `cache.sqlite3` in the platform's data directory."""
    override = os.environ.get("WIREREADER_DB")
    return Path(override).expanduser() if override else data_dir() / "cache.sqlite3"


def default_config_path() -> Path:
    override = os.environ.get("WIREREADER_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"

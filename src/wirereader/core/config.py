"""The TOML configuration: feeds, topics, key bindings and fetch settings.

A broken file or a wrong value raises `ConfigError` naming the file, the line and what was
expected; unknown keys become warnings, never silently ignored. `config.example.toml` at the top of
the repository documents every option.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(ValueError):
    """A config file that cannot be used; the message is one line naming file and line."""


@dataclass
class FeedConfig:
    url: str
    name: str = ""
    interval: int | None = None  # seconds between refreshes; None: the [fetch] default
    full_text: str = "auto"  # "auto" | "always" | "never"
    timezone: str = ""  # zone of a text capture's times


@dataclass
class Config:
    path: Path | None = None
    db: str = ""
    timezone: str = ""
    theme: str = ""
    concurrency: int = 8
    per_host: int = 2
    timeout: float = 20.0
    max_bytes: int = 20 * 1024 * 1024
    interval: int = 15 * 60
    user_agent: str = ""
    feeds: list[FeedConfig] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)  # name -> query-language filter
    keys: dict[str, str] = field(default_factory=dict)  # action -> key(s)
    warnings: list[str] = field(default_factory=list)


# section -> key -> (expected python type(s), human description)
_SCALARS: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "general": {
        "db": ((str,), "a path"),
        "timezone": ((str,), "a zone name such as 'Europe/London'"),
        "theme": ((str,), "a Textual theme name"),
    },
    "fetch": {
        "concurrency": ((int,), "a whole number of feeds fetched at once"),
        "per_host": ((int,), "a whole number of requests at once per host"),
        "timeout": ((int, float), "seconds"),
        "max_bytes": ((int,), "a size in bytes"),
        "interval": ((int, str), "seconds, or a duration such as '15m'"),
        "user_agent": ((str,), "a string"),
    },
}
_FEED_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "url": ((str,), "a URL or path"),
    "name": ((str,), "a short name"),
    "interval": ((int, str), "seconds, or a duration such as '5m'"),
    "full_text": ((str,), "'auto', 'always' or 'never'"),
    "timezone": ((str,), "a zone name"),
}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: int | str) -> int | None:
    """Seconds from 900, '900', '15m', '6h' or '2d'; None when it is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _DURATION.match(value)
    return int(match.group(1)) * _UNITS[match.group(2)] if match else None


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read the config at `path`; a missing file gives the defaults unless `required`."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"{path}: no such config file")
        return Config(path=None)
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return _build(path, raw, data)


def _line_of(raw: str, key: str, after: int = 0) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(raw, after)
    return raw.count("\n", 0, match.start()) + 1 if match else 0


def _where(path: Path, raw: str, key: str) -> str:
    line = _line_of(raw, key)
    return f"{path}:{line}" if line else str(path)


def _check(path: Path, raw: str, key: str, value: Any, spec: tuple[tuple[type, ...], str]) -> Any:
    types, expected = spec
    if isinstance(value, bool) or not isinstance(value, types):
        raise ConfigError(f"{_where(path, raw, key)}: '{key}' should be {expected}, got {value!r}")
    return value


def _build(path: Path, raw: str, data: dict[str, Any]) -> Config:
    cfg = Config(path=path)
    known_sections = {*_SCALARS, "feeds", "topics", "keys"}
    for section in data:
        if section not in known_sections:
            cfg.warnings.append(f"{_where(path, raw, section)}: unknown section or key '{section}'")
    for section, spec in _SCALARS.items():
        values = data.get(section, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{section}] should be a table")
        for key, value in values.items():
            if key not in spec:
                cfg.warnings.append(f"{_where(path, raw, key)}: unknown key '{section}.{key}'")
                continue
            _check(path, raw, key, value, spec[key])
            if key == "interval":
                seconds = parse_duration(value)
                if seconds is None:
                    raise ConfigError(
                        f"{_where(path, raw, key)}: 'interval' should be {spec[key][1]}"
                    )
                cfg.interval = seconds
            else:
                setattr(cfg, key, value)
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        raise ConfigError(f"{path}: 'feeds' should be an array of tables ([[feeds]])")
    for item in feeds:
        cfg.feeds.append(_feed(path, raw, item, cfg.warnings))
    for table in ("topics", "keys"):
        values = data.get(table, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{table}] should be a table of strings")
        for key, value in values.items():
            _check(path, raw, key, value, ((str,), "a string"))
        getattr(cfg, table).update(values)
    return cfg


def _feed(path: Path, raw: str, item: Any, warnings: list[str]) -> FeedConfig:
    if not isinstance(item, dict) or "url" not in item:
        raise ConfigError(f"{_where(path, raw, 'url')}: each [[feeds]] needs a 'url'")
    for key in item:
        if key not in _FEED_KEYS:
            warnings.append(f"{_where(path, raw, key)}: unknown key 'feeds.{key}'")
    values = {k: _check(path, raw, k, v, _FEED_KEYS[k]) for k, v in item.items() if k in _FEED_KEYS}
    if "interval" in values:
        seconds = parse_duration(values["interval"])
        if seconds is None:
            raise ConfigError(f"{_where(path, raw, 'interval')}: 'interval' should be a duration")
        values["interval"] = seconds
    if values.get("full_text", "auto") not in ("auto", "always", "never"):
        raise ConfigError(
            f"{_where(path, raw, 'full_text')}: 'full_text' should be 'auto', 'always' or 'never'"
        )
    return FeedConfig(**values)

"""The TOML configuration: feeds, topics, key bindings and fetch settings.

A broken file or a wrong value raises `ConfigError` naming the file, the line and what was
expected, for every wrong value of the file at once (one problem a line: fixing one error to
meet the next was a round trip each); unknown keys become warnings, never silently ignored.
`config.example.toml` at the top of the repository documents every option.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A config file that cannot be used. `problems`: each one line naming file, line and what
    was expected (a TOML syntax error stops the reading, so it is the only one); the message is
    those lines."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class FeedConfig:
    url: str
    name: str = ""
    interval: int | None = None  # seconds between refreshes; None: the [fetch] default
    full_text: str = "auto"  # "auto" | "always" | "never"
    timezone: str = ""  # zone of a text capture's times
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # secrets: never shown


@dataclass
class TopicAlert:
    """A saved topic that alerts when new items match it."""

    name: str
    filter: str
    desktop: bool = False  # `alert = true`: a desktop (or terminal) notification
    command: list[str] = field(default_factory=list)  # `alert_command`: argv, items as JSON


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
    proxy: str = field(default="", repr=False)  # may hold a password
    no_proxy: str = ""
    cookies: str = ""  # path of a Netscape cookies.txt
    headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # host -> headers
    feeds: list[FeedConfig] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)  # name -> query-language filter
    alerts: dict[str, TopicAlert] = field(default_factory=dict)  # topics that alert
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
        "proxy": ((str,), "a proxy URL such as 'http://proxy.example:3128', or 'none'"),
        "no_proxy": ((str,), "hosts reached without the proxy, e.g. 'localhost,.internal'"),
        "cookies": ((str,), "the path of a Netscape cookies.txt file"),
    },
}
# Numbers of [fetch] that only make sense above zero.
_POSITIVE = frozenset({"concurrency", "per_host", "timeout", "max_bytes"})
_FEED_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "url": ((str,), "a URL or path"),
    "name": ((str,), "a short name"),
    "interval": ((int, str), "seconds, or a duration such as '5m'"),
    "full_text": ((str,), "'auto', 'always' or 'never'"),
    "timezone": ((str,), "a zone name"),
    "headers": ((dict,), "a table of header names and values"),
}
# `proxy` values that mean "no proxy, not even the environment's".
PROXY_OFF = frozenset({"none", "direct", "off"})
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


# The longest duration taken (a thousand years): `prune --older-than 99999999999999999999d`,
# `since:` of it, an interval of it in the config or `add --interval` were internal errors
# (OverflowError: Python int too large to convert to SQLite INTEGER).
MAX_DURATION_DAYS = 365_000
MAX_DURATION = MAX_DURATION_DAYS * 86400


def parse_duration(value: int | str) -> int | None:
    """Seconds from 900, '900', '15m', '6h' or '2d'; None when it is not a duration (or longer
    than MAX_DURATION)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_DURATION else None
    match = _DURATION.match(value)
    if not match:
        return None
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    return seconds if seconds <= MAX_DURATION else None


def proxy_problem(raw: str) -> str:
    """Why a proxy setting ('http://user:pass@host:port', 'host:port', '' or 'none') cannot be
    used, in words that never show its password; '' when it can.

    Checked when the config is read: a proxy that was not a URL (an unclosed '[') was found at
    the first request, as "internal error (ValueError: Invalid IPv6 URL)" on every feed, each
    of which then counted a failure and waited longer before its next try."""
    text = raw.strip()
    if not text or text.lower() in PROXY_OFF:
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return "proxy setting is not a URL such as 'http://proxy.example:3128'"
    scheme = parts.scheme.lower()
    shown = f"{scheme}://{parts.hostname or ''}"
    if scheme != "http":
        return f"proxy {shown}: only http:// proxies are supported (HTTPS goes through CONNECT)"
    if not parts.hostname:
        return "proxy setting has no host"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return f"proxy {shown}: bad port"
    return ""


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read the config at `path`; a missing file gives the defaults unless `required`."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"{path}: no such config file")
        return Config(path=None)
    raw_bytes = b""
    try:
        raw_bytes = path.read_bytes()
        raw = raw_bytes.decode("utf-8")
    except OSError as exc:  # "Is a directory", "Permission denied": the path is said once
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        line = _line_at(raw_bytes.decode("utf-8", "replace"), exc.start)
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw_bytes[exc.start]:02x}); "
            "a config file is TOML, saved as UTF-8"
        ) from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return _build(path, raw, data)


def _line_of(raw: str, key: str, after: int = 0) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    # else inside an inline table: `x = { filter = "a", alert = true }`
    inline = re.compile(rf"[{{,]\s*{re.escape(key)}\s*=")
    match = pattern.search(raw, after) or inline.search(raw, after)
    return _line_at(raw, match.start()) if match else 0


def _line_at(raw: str, offset: int) -> int:
    return raw.count("\n", 0, offset) + 1


def _where(path: Path, raw: str, key: str, after: int = 0) -> str:
    line = _line_of(raw, key, after)
    return f"{path}:{line}" if line else str(path)


_FEEDS_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*feeds[ \t]*\]\]", re.MULTILINE)


def _feed_start(raw: str, index: int) -> int:
    """Where the index-th `[[feeds]]` table begins in the text (0 if it cannot be told), so an
    error in a feed's key names that feed's line, not the first line with the key anywhere."""
    starts = [m.start() for m in _FEEDS_TABLE.finditer(raw)]
    return starts[index] if index < len(starts) else 0


def _check(
    path: Path,
    raw: str,
    key: str,
    value: Any,
    spec: tuple[tuple[type, ...], str],
    after: int = 0,
) -> Any:
    types, expected = spec
    if isinstance(value, bool) or not isinstance(value, types):
        where = _where(path, raw, key, after)
        raise ConfigError(f"{where}: '{key}' should be {expected}, got {value!r}")
    return value


def _build(path: Path, raw: str, data: dict[str, Any]) -> Config:
    cfg = Config(path=path)
    problems: list[str] = []  # each wrong value of the file, raised together at the end
    known_sections = {*_SCALARS, "feeds", "topics", "keys"}
    for section in data:
        if section not in known_sections:
            cfg.warnings.append(f"{_where(path, raw, section)}: unknown section or key '{section}'")
    for section, spec in _SCALARS.items():
        values = data.get(section, {})
        if not isinstance(values, dict):
            problems.append(f"{path}: [{section}] should be a table")
            continue
        for key, value in values.items():
            with _noted(problems):
                _scalar(path, raw, cfg, section, key, value, spec)
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        problems.append(f"{path}: 'feeds' should be an array of tables ([[feeds]])")
        feeds = []
    for index, item in enumerate(feeds):
        with _noted(problems):
            cfg.feeds.append(_feed(path, raw, item, cfg.warnings, _feed_start(raw, index)))
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        problems.append(f"{path}: [keys] should be a table of strings")
        keys = {}
    for key, value in keys.items():
        with _noted(problems):
            cfg.keys[key] = _check(path, raw, key, value, ((str,), "a string"))
    topics = data.get("topics", {})
    if not isinstance(topics, dict):
        problems.append(f"{path}: [topics] should be a table")
        topics = {}
    for name, value in topics.items():
        with _noted(problems):
            _topic(path, raw, cfg, name, value)
    if problems:
        raise ConfigError(*problems)
    return cfg


@contextlib.contextmanager
def _noted(problems: list[str]) -> Iterator[None]:
    """Check one value: a wrong one is noted in `problems`, and the next value is checked."""
    try:
        yield
    except ConfigError as exc:
        problems.extend(exc.problems)


def _scalar(
    path: Path,
    raw: str,
    cfg: Config,
    section: str,
    key: str,
    value: Any,
    spec: dict[str, tuple[tuple[type, ...], str]],
) -> None:
    """One key of [general] or [fetch] onto `cfg` (ConfigError when its value is wrong)."""
    if section == "fetch" and key == "headers":
        cfg.headers = _host_headers(path, raw, value)
        return
    if key not in spec:
        cfg.warnings.append(f"{_where(path, raw, key)}: unknown key '{section}.{key}'")
        return
    _check(path, raw, key, value, spec[key])
    if key in _POSITIVE and not value > 0:
        # 0 made every socket non-blocking ("Operation now in progress"), a negative
        # timeout "Timeout value out of range": errors naming no setting, at fetch time.
        raise ConfigError(f"{_where(path, raw, key)}: '{key}' should be more than 0, got {value!r}")
    if key == "interval":
        seconds = parse_duration(value)
        if seconds is None:
            raise ConfigError(f"{_where(path, raw, key)}: 'interval' should be {spec[key][1]}")
        cfg.interval = seconds
    else:
        if key == "proxy" and (problem := proxy_problem(value)):
            raise ConfigError(f"{_where(path, raw, key)}: {problem}")
        if key == "timezone":
            _zone(path, raw, value)
        setattr(cfg, key, value)


def _zone(path: Path, raw: str, value: str, after: int = 0) -> None:
    """A wrong zone name stops at load with the file and line, as every other wrong value: it
    was found by the first command that showed a time ("config timezone: unknown time zone"),
    naming neither, and a feed's by its first fetch."""
    from wirereader.core.timezones import ZoneError, resolve_zone

    if not value.strip():
        return  # empty: the machine's zone
    try:
        resolve_zone(value)
    except ZoneError as exc:
        raise ConfigError(f"{_where(path, raw, 'timezone', after)}: {exc}") from None


def _topic(path: Path, raw: str, cfg: Config, name: str, value: Any) -> None:
    """`name = "filter"`, or a table: `filter`, `alert = true`, `alert_command = [...]`."""
    if isinstance(value, str):
        cfg.topics[name] = value
        return
    if not isinstance(value, dict):
        raise ConfigError(
            f"{_where(path, raw, name)}: topic '{name}' should be a filter string or a table "
            "with 'filter', 'alert' and 'alert_command'"
        )
    for key in value:
        if key not in ("filter", "alert", "alert_command"):
            cfg.warnings.append(f"{_where(path, raw, key)}: unknown key 'topics.{name}.{key}'")
    problems: list[str] = []
    flt = ""
    with _noted(problems):
        flt = _check(path, raw, "filter", value.get("filter", ""), ((str,), "a filter string"))
        if not flt.strip():
            raise ConfigError(f"{_where(path, raw, name)}: topic '{name}' needs a 'filter'")
    alert = value.get("alert", False)
    if not isinstance(alert, bool):
        problems.append(f"{_where(path, raw, 'alert')}: 'alert' should be true or false")
    command = value.get("alert_command", [])
    if (
        not isinstance(command, list)
        or not all(isinstance(a, str) for a in command)
        or ("alert_command" in value and not command)
    ):
        problems.append(
            f"{_where(path, raw, 'alert_command')}: 'alert_command' should be a list of strings "
            '(the program and its arguments, e.g. ["notify-me", "--json"]); it is never run '
            "through a shell"
        )
    if problems:
        raise ConfigError(*problems)
    cfg.topics[name] = flt
    if alert or command:
        cfg.alerts[name] = TopicAlert(name, flt, desktop=alert, command=list(command))


def _headers(path: Path, raw: str, where: str, value: Any, after: int = 0) -> dict[str, str]:
    """A table of header name -> value; names must be tokens, values one line."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            f"{_where(path, raw, where, after)}: '{where}' should be a table of strings"
        )
    for name, text in value.items():
        if not _HEADER_NAME.fullmatch(name):
            raise ConfigError(f"{_where(path, raw, where, after)}: '{name}' is not a header name")
        if any(ch in text for ch in "\r\n\0"):
            # the value itself is a secret: never repeated in a message
            raise ConfigError(
                f"{_where(path, raw, where, after)}: the value of '{name}' has a line break"
            )
    return dict(value)


def _host_headers(path: Path, raw: str, value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{_where(path, raw, 'headers')}: [fetch.headers] should be a table of hosts, "
            'each a table of headers: "news.example.org" = { Authorization = "..." }'
        )
    return {host.lower(): _headers(path, raw, "headers", table) for host, table in value.items()}


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _feed(path: Path, raw: str, item: Any, warnings: list[str], after: int = 0) -> FeedConfig:
    if not isinstance(item, dict) or "url" not in item:
        # the table's own header line: a 'url' after it would be the next feed's
        where = f"{path}:{_line_at(raw, after)}" if after else _where(path, raw, "url")
        raise ConfigError(f"{where}: each [[feeds]] needs a 'url'")
    for key in item:
        if key not in _FEED_KEYS:
            warnings.append(f"{_where(path, raw, key, after)}: unknown key 'feeds.{key}'")
    problems: list[str] = []
    values = {}
    for key, value in item.items():
        if key in _FEED_KEYS:
            with _noted(problems):
                values[key] = _feed_value(path, raw, key, value, after)
    if problems:
        raise ConfigError(*problems)
    return FeedConfig(**values)


def _feed_value(path: Path, raw: str, key: str, value: Any, after: int) -> Any:
    """One key of a [[feeds]] table, as FeedConfig takes it (ConfigError when it is wrong)."""
    value = _check(path, raw, key, value, _FEED_KEYS[key], after)
    if key == "headers":
        return _headers(path, raw, "headers", value, after)
    if key == "interval":
        seconds = parse_duration(value)
        if seconds is None:
            raise ConfigError(
                f"{_where(path, raw, 'interval', after)}: 'interval' should be a duration"
            )
        return seconds
    if key == "url" and not value.strip():
        raise ConfigError(f"{_where(path, raw, 'url', after)}: 'url' is empty (a URL or path)")
    if key == "timezone":
        _zone(path, raw, value, after)
    if key == "full_text" and value not in ("auto", "always", "never"):
        raise ConfigError(
            f"{_where(path, raw, 'full_text', after)}: 'full_text' should be 'auto', 'always' "
            "or 'never'"
        )
    return value

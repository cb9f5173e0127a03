"""Time zones: `--tz` names and the machine's own zone, as real IANA zones where possible.

A fixed offset would be wrong on the other side of a daylight-saving change, so the local zone is
looked up by name ($TZ, then /etc/localtime) before falling back to the current offset.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ZoneError(ValueError):
    pass


def resolve_zone(name: str | None) -> tzinfo:
    """The zone called `name`, or the local zone when `name` is empty."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ZoneError(
                f"unknown time zone {name!r} (expected a name such as 'Europe/London')"
            ) from None
    return local_zone()


def local_zone() -> tzinfo:
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        try:
            return ZoneInfo(env)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            return ZoneInfo("/".join(parts[parts.index("zoneinfo") + 1 :]))
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


def zone_label(tz: tzinfo | None) -> str:
    """The zone as the user would name it: 'Europe/London', 'UTC', else its offset now."""
    if tz is None:
        tz = local_zone()
    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return key
    name = tz.tzname(datetime.now(tz))
    return name or "local time"

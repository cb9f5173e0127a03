"""JSON Lines import: one object per line with `title`, `text` or `body`, and optional fields."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from wirereader.core.model import Kind, ParsedDocument, RawEntry
from wirereader.core.text import clean_line, clean_text

if TYPE_CHECKING:
    from wirereader.sources.context import ParseContext

_KINDS = {k.value for k in Kind}


def parse(text: str, ctx: ParseContext) -> ParsedDocument:
    entries: list[RawEntry] = []
    warnings: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{ctx.origin}:{number}: skipped, not JSON ({exc.msg})")
            continue
        entry = _entry(obj, ctx)
        if entry is None:
            warnings.append(f"{ctx.origin}:{number}: skipped, needs an object with a 'title'")
            continue
        entries.append(entry)
    return ParsedDocument(entries, format="jsonl", warnings=warnings)


def _entry(obj: Any, ctx: ParseContext) -> RawEntry | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("title"), str):
        return None
    body = obj.get("text", obj.get("body", ""))
    published = parse_time(obj.get("published"), ctx)
    kind = obj.get("kind", "post")
    return RawEntry(
        title=clean_line(obj["title"]),
        body=clean_text(body if isinstance(body, str) else ""),
        stable_id=clean_line(str(obj.get("id") or "")),
        author=clean_line(str(obj.get("author") or "")),
        published=published,
        url=clean_line(str(obj.get("url") or "")),
        kind=Kind(kind) if kind in _KINDS else Kind.POST,
    )


def parse_time(value: Any, ctx: ParseContext) -> datetime | None:
    """ISO 8601 text or epoch seconds; a time without an offset is in --tz (else UTC)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ctx.tz or timezone.utc)
    return moment

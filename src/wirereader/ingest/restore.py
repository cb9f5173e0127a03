"""`import` of an `export --format json` (query/export.py): each entry is filed under its own
source again (its source key and stable id), with its embedded posts and links, and its reading
state is restored.

Reading state is merged, never rolled back: an entry read or starred in the cache or in the
export is read or starred after the import. Restoring an old backup must not mark unread what
was read since.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wirereader.core.model import Kind, Link, Quote, RawEntry
from wirereader.core.text import clean_line, clean_text
from wirereader.store.db import SaveResult, Store

FORMAT = "wirereader-export"
# An export's first bytes: its entries start with their identity (query/export.py).
_HEAD = re.compile(r'^\ufeff?\s*\[\s*\{\s*"source_key"\s*:')
_KINDS = {k.value for k in Kind}


def looks_like_export(path: Path) -> bool:
    """Whether the file starts as an export does (read from its first bytes only)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_HEAD.match(head))


class ExportError(ValueError):
    """An export that cannot be read; str() is one line naming the file."""


@dataclass
class RestoreReport:
    saved: SaveResult
    sources: int = 0
    read: int = 0  # entries marked read by the import
    starred: int = 0  # entries starred by the import
    warnings: list[str] = field(default_factory=list)


def import_export(store: Store, path: Path, text: str) -> RestoreReport:
    """File an export's entries under their own sources and merge their reading state."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ExportError(f"{path}: not a complete wirereader export ({exc})") from None
    if not isinstance(data, list):
        raise ExportError(f"{path}: not a wirereader export (expected a JSON array)")
    report = RestoreReport(SaveResult())
    per_source: dict[str, list[tuple[RawEntry, dict[str, Any]]]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for number, obj in enumerate(data, start=1):
        entry = _entry(obj)
        if entry is None:
            report.warnings.append(f"{path}: entry {number} skipped (no source_key or title)")
            continue
        per_source.setdefault(obj["source_key"], []).append((entry, obj))
        meta.setdefault(obj["source_key"], obj)
    for key, batch in per_source.items():
        head = meta[key]
        kind = (
            head.get("source_kind")
            if head.get("source_kind") in ("file", "feed", "page")
            else "file"
        )
        source_id = store.ensure_source(
            key,
            str(kind),
            name=clean_line(str(head.get("source") or "")),
            title=clean_line(str(head.get("source_title") or "")),
            url=clean_line(str(head.get("source_url") or "")),
        )
        saved = store.save_entries(source_id, [entry for entry, _ in batch])
        report.saved.new += saved.new
        report.saved.updated += saved.updated
        report.saved.unchanged += saved.unchanged
        report.sources += 1
        read, starred = _restore_state(store, source_id, batch)
        report.read += read
        report.starred += starred
    return report


def _restore_state(
    store: Store, source_id: int, batch: list[tuple[RawEntry, dict[str, Any]]]
) -> tuple[int, int]:
    read_rows = [
        (_epoch(obj.get("read_at")), source_id, entry.stable_id)
        for entry, obj in batch
        if _epoch(obj.get("read_at")) is not None
    ]
    star_rows = [(source_id, entry.stable_id) for entry, obj in batch if obj.get("starred") is True]
    with store.transaction() as conn:
        read = conn.executemany(
            "UPDATE entries SET read_at = ? WHERE source_id = ? AND stable_id = ?"
            " AND read_at IS NULL",
            read_rows,
        ).rowcount
        starred = conn.executemany(
            "UPDATE entries SET starred = 1 WHERE source_id = ? AND stable_id = ? AND starred = 0",
            star_rows,
        ).rowcount
    return max(read, 0), max(starred, 0)


def _epoch(value: Any) -> int | None:
    moment = _time(value)
    return int(moment.timestamp()) if moment is not None else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _entry(obj: Any) -> RawEntry | None:
    if not isinstance(obj, dict):
        return None
    key, stable_id, title = obj.get("source_key"), obj.get("stable_id"), obj.get("title")
    if not (isinstance(key, str) and key and isinstance(stable_id, str) and isinstance(title, str)):
        return None
    quotes = obj.get("quotes") if isinstance(obj.get("quotes"), list) else []
    links = obj.get("links") if isinstance(obj.get("links"), list) else []
    kind = obj.get("kind")
    return RawEntry(
        title=clean_line(title),
        body=clean_text(obj["body"] if isinstance(obj.get("body"), str) else ""),
        stable_id=clean_line(stable_id),
        author=clean_line(str(obj.get("author") or "")),
        published=_time(obj.get("published")),
        time_guessed=obj.get("time_guessed") is True,
        updated=_time(obj.get("updated")),
        url=clean_line(str(obj.get("url") or "")),
        kind=Kind(kind) if kind in _KINDS else Kind.POST,
        quotes=[_quote(q) for q in quotes or [] if isinstance(q, dict)],
        links=[_link(x) for x in links or [] if isinstance(x, dict)],
    )


def _quote(data: dict[str, Any]) -> Quote:
    return Quote(
        **{
            k: clean_text(str(data.get(k) or ""))
            for k in ("text", "author", "handle", "date", "url")
        }
    )


def _link(data: dict[str, Any]) -> Link:
    return Link(**{k: clean_line(str(data.get(k) or "")) for k in ("url", "title", "rel")})

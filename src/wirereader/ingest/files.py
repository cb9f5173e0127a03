"""A file on disk to entries in the cache: parsed (sources.dispatch), stored, then analysed.

Nothing is written for a file that fails (its `ImportFailure` names the file and the problem in
one line), and other files in the same call go on.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from wirereader.sources.context import ImportFailure, ParseContext
from wirereader.sources.dispatch import parse_file
from wirereader.store.db import SaveResult, Store

__all__ = ["ImportFailure", "ImportReport", "import_file"]


@dataclass
class ImportReport:
    path: Path
    format: str
    source_id: int
    saved: SaveResult
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False
    marked_read: int = 0  # an export's reading state: entries it marked read, starred
    starred: int = 0


def import_file(
    store: Store,
    path: Path,
    *,
    source: str = "",
    day: date | None = None,
    tz: tzinfo | None = None,
    analyse: bool = True,
) -> ImportReport:
    """Parse one file and store its entries under one source (the file, or `source`).

    With `analyse`, what is new in the cache is then deduplicated and threaded; a caller
    importing several files may pass False and call `analyse_pending` once at the end.
    """
    path = Path(path)
    from wirereader.ingest import restore

    if restore.looks_like_export(path):
        return _import_export(store, path, analyse=analyse)
    modified = None
    with contextlib.suppress(OSError):  # read_text below reports the real problem
        modified = datetime.fromtimestamp(os.stat(path).st_mtime).astimezone(tz)
    fmt, document = parse_file(path, ParseContext(str(path), day, tz, modified))
    # The source is the live blog, not the file name: a capture saved again under another name
    # updates the entries it already gave (see capture_identity).
    from wirereader.ingest.capture_identity import choose_source, keep_edited_entries

    choice = choose_source(store, path, fmt, document, source)
    entries = keep_edited_entries(store, choice.key, document.entries)
    source_id = store.ensure_source(choice.key, choice.kind, name=choice.name, title=document.title)
    saved = store.save_entries(source_id, entries)
    if analyse:
        from wirereader.analysis.pipeline import analyse_pending

        analyse_pending(store)
    return ImportReport(path, fmt, source_id, saved, list(document.warnings), document.truncated)


def _import_export(store: Store, path: Path, *, analyse: bool) -> ImportReport:
    """A wirereader export: each entry under its own source again, reading state merged."""
    from wirereader.ingest import restore
    from wirereader.sources.dispatch import read_text

    text, cut, _ = read_text(path)
    if cut:
        raise ImportFailure(f"{path}: truncated export (ends in the middle of a character)")
    try:
        restored = restore.import_export(store, path, text)
    except restore.ExportError as exc:
        raise ImportFailure(str(exc)) from None
    if analyse:
        from wirereader.analysis.pipeline import analyse_pending

        analyse_pending(store)
    return ImportReport(
        path,
        restore.FORMAT,
        0,
        restored.saved,
        restored.warnings,
        marked_read=restored.read,
        starred=restored.starred,
    )

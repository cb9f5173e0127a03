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
    modified = None
    with contextlib.suppress(OSError):  # read_text below reports the real problem
        modified = datetime.fromtimestamp(os.stat(path).st_mtime).astimezone(tz)
    fmt, document = parse_file(path, ParseContext(str(path), day, tz, modified))
    key = f"name:{source}" if source else str(path.resolve())
    name = source or path.stem
    source_id = store.ensure_source(key, "file", name=name, title=document.title)
    saved = store.save_entries(source_id, document.entries)
    if analyse:
        from wirereader.analysis.pipeline import analyse_pending

        analyse_pending(store)
    return ImportReport(path, fmt, source_id, saved, list(document.warnings), document.truncated)

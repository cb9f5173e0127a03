"""From a file on disk to entries in the cache: read safely, sniff, parse, store, analyse.

Every failure becomes an `ImportFailure` whose message names the file and the problem in one
line; nothing is written for a file that fails, and other files in the same call go on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from wirereader.model import ParsedDocument
from wirereader.sources import detect
from wirereader.store.db import SaveResult, Store

MAX_FILE_BYTES = 64 * 1024 * 1024  # a capture or feed larger than this is not one


class ImportFailure(Exception):
    """One file could not be imported; str() is the one-line message for the user."""


@dataclass
class ParseContext:
    """What a parser may need besides the text."""

    origin: str  # file path or URL, for messages and relative links
    date: date | None = None  # --date: the day of the newest entry of a text capture
    tz: tzinfo | None = None  # --tz: the outlet's zone for times written without one
    modified: datetime | None = None  # the file's mtime, a last resort for dates


Parser = Callable[[str, ParseContext], ParsedDocument]


def parsers() -> dict[str, Parser]:
    """Format name -> parser. Imported lazily so a command only loads what it uses."""
    from wirereader.sources import jsonlines, textcapture

    table: dict[str, Parser] = {
        detect.TEXT_CAPTURE: textcapture.parse_capture,
        detect.ARTICLE: textcapture.parse_article,
        detect.JSON_LINES: jsonlines.parse,
    }
    # A saved page: its live-blog updates when it has LiveBlogPosting data, else one article.
    from wirereader.articles.page import parse_html_page

    table[detect.HTML] = parse_html_page
    from wirereader.sources import feeds, opml

    table[detect.XML_FEED] = feeds.parse
    table[detect.JSON_FEED] = feeds.parse
    table[detect.OPML] = opml.refuse_as_entries
    return table


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


def read_text(path: Path) -> tuple[str, bool]:
    """(text, cut mid-character), or ImportFailure saying why it is not a text document."""
    if not path.exists():
        raise ImportFailure(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailure(f"{path}: is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailure(f"{path}: too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ImportFailure(f"{path}: empty file")
    if b"\x00" in data[:8192]:
        raise ImportFailure(f"{path}: binary file, not a capture, feed or page")
    return decode(path, data)


def decode(path: Path, data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # Cut off in the middle of a character: keep everything before it.
            return data[: exc.start].decode("utf-8-sig"), True
        if data.lstrip()[:1] == b"<":
            return _decode_markup(path, data), False
        raise ImportFailure(
            f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _decode_markup(path: Path, data: bytes) -> str:
    """A feed or page in another encoding: its declaration, its meta tag, else a guess."""
    from wirereader.sources.xmlsafe import XmlRefused, root_name, safe_xml_text

    head = data[:2048].decode("ascii", "replace")
    if head.lstrip().startswith("<?xml") or root_name(head) in ("rss", "feed", "rdf", "opml"):
        try:
            return safe_xml_text(data)[0]
        except XmlRefused as exc:
            raise ImportFailure(f"{path}: {exc}") from None
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ImportFailure(f"{path}: text in an encoding that cannot be recognised")
    return str(best)


def parse_file(path: Path, ctx: ParseContext) -> tuple[str, ParsedDocument]:
    text, cut = read_text(path)
    fmt = detect.sniff(text)
    parser = parsers().get(fmt or "")
    if fmt is None or parser is None:
        raise ImportFailure(
            f"{path}: unknown format (not a live-blog capture, feed, page or JSON Lines file)"
        )
    try:
        document = parser(text, ctx)
    except ImportFailure:
        raise
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ImportFailure(f"{path}: cannot parse as {fmt} ({exc})") from exc
    if not document.entries:
        raise ImportFailure(f"{path}: no entries found in this {fmt} file")
    if cut:
        document.truncated = True
        document.warnings.append(f"{path}: truncated (ends in the middle of a character)")
    return fmt, document


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
    from wirereader import backup

    if backup.looks_like_export(path):
        return _import_export(store, path, analyse=analyse)
    modified = None
    with contextlib.suppress(OSError):  # read_text below reports the real problem
        modified = datetime.fromtimestamp(os.stat(path).st_mtime).astimezone(tz)
    fmt, document = parse_file(path, ParseContext(str(path), day, tz, modified))
    # The source is the live blog, not the file name: a capture saved again under another name
    # updates the entries it already gave (see capture_identity).
    from wirereader.capture_identity import choose_source, keep_edited_entries

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
    from wirereader import backup

    text, cut = read_text(path)
    if cut:
        raise ImportFailure(f"{path}: truncated export (ends in the middle of a character)")
    try:
        restored = backup.import_export(store, path, text)
    except backup.ExportError as exc:
        raise ImportFailure(str(exc)) from None
    if analyse:
        from wirereader.analysis.pipeline import analyse_pending

        analyse_pending(store)
    return ImportReport(
        path,
        backup.FORMAT,
        0,
        restored.saved,
        restored.warnings,
        marked_read=restored.read,
        starred=restored.starred,
    )

"""Bytes to a parsed document, one dispatch by content: a file on disk (read safely, decoded,
sniffed, parsed) or a fetched body (a feed, or a live-blog page subscribed to directly).

Every failure of a file becomes an `ImportFailure` whose message names the file and the problem
in one line; a fetched document that is neither a feed nor a live blog is a `ParseFailure`.
"""

from __future__ import annotations

import codecs
import re
from datetime import tzinfo
from pathlib import Path
from typing import NamedTuple

from wirereader.core.model import ParsedDocument
from wirereader.core.text import clean_line
from wirereader.sources import detect
from wirereader.sources.context import ImportFailure, ParseContext, Parser

__all__ = ["ImportFailure", "ParseContext", "ParseFailure", "parse_document", "parse_file"]

MAX_FILE_BYTES = 64 * 1024 * 1024  # a capture or feed larger than this is not one


def parsers() -> dict[str, Parser]:
    """Format name -> parser. Imported lazily so a command only loads what it uses."""
    from wirereader.sources import jsonlines, textcapture

    table: dict[str, Parser] = {
        detect.TEXT_CAPTURE: textcapture.parse_capture,
        detect.ARTICLE: textcapture.parse_article,
        detect.JSON_LINES: jsonlines.parse,
    }
    # A saved page: its live-blog updates when it has LiveBlogPosting data, else one article.
    from wirereader.sources.articles.page import parse_html_page

    table[detect.HTML] = parse_html_page
    from wirereader.sources import feeds, opml

    table[detect.XML_FEED] = feeds.parse
    table[detect.JSON_FEED] = feeds.parse
    table[detect.OPML] = opml.refuse_as_entries
    return table


class FileText(NamedTuple):
    text: str
    cut: bool  # cut off in the middle of a character
    # How it was read when not as UTF-8, as `fetch` says it of a feed ("not valid UTF-8 (byte
    # 0xf1 at offset 107); read as cp1252"): `import` read such a file without a word.
    notes: list[str]


def read_text(path: Path) -> FileText:
    """The file's text, or ImportFailure saying why it is not a text document."""
    if not path.exists():
        raise ImportFailure(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailure(f"{path}: is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailure(f"{path}: too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
        # Read up to the limit, whatever the size said: a device or a pipe has size 0, and
        # `import /dev/zero` read until the machine ran out of memory.
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ImportFailure(
                f"{path}: too large (more than the limit of {MAX_FILE_BYTES} bytes)"
            )
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if data.startswith(GZIP_MAGIC):
        data = _gunzipped(path, data)
    if not data.strip():
        raise ImportFailure(f"{path}: empty file")
    if data.startswith(UTF16_STARTS):
        # A UTF-16 feed or page (a BOM, or its '<' as two bytes): read as `fetch` reads it. Its
        # zero bytes made it "binary file, not a capture, feed or page" on import.
        return FileText(*_decode_markup(path, data, None))
    if b"\x00" in data[:8192]:
        raise ImportFailure(f"{path}: binary file, not a capture, feed or page")
    return decode(path, data)


GZIP_MAGIC = b"\x1f\x8b"
UTF16_STARTS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<")


def _gunzipped(path: Path, data: bytes) -> bytes:
    """A gzip-compressed file (`feed.xml.gz`, or a feed a server sent compressed whatever was
    asked, saved as it came): its content, held to the same size limit as any file."""
    import zlib

    inflate = zlib.decompressobj(wbits=31)
    try:
        out = inflate.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error as exc:
        raise ImportFailure(f"{path}: damaged gzip-compressed file ({exc})") from None
    if len(out) > MAX_FILE_BYTES:
        raise ImportFailure(
            f"{path}: too large once decompressed (more than the limit of {MAX_FILE_BYTES} bytes)"
        )
    if not inflate.eof:
        # zlib returns what it could inflate of a stream whose end is missing, and that part
        # was then called "unknown format": the file was cut off (an interrupted download).
        raise ImportFailure(f"{path}: the gzip-compressed file is cut off (its end is missing)")
    return out


def decode(path: Path, data: bytes) -> FileText:
    try:
        return FileText(data.decode("utf-8-sig"), False, [])
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # Cut off in the middle of a character: keep everything before it.
            return FileText(data[: exc.start].decode("utf-8-sig"), True, [])
        if data.lstrip()[:1] == b"<":
            return FileText(*_decode_markup(path, data, exc))
        raise ImportFailure(
            f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _decode_markup(
    path: Path, data: bytes, utf8_error: UnicodeDecodeError | None
) -> tuple[str, bool, list[str]]:
    """A feed or page in another encoding: its declaration, its meta tag, else a guess; with
    the notes on how it was read, each naming the file."""
    from wirereader.sources.xmlsafe import XmlRefused, guess_encoding, root_name, safe_xml_text

    head = data[:2048].decode("ascii", "replace")
    if (
        data.startswith(UTF16_STARTS)
        or head.lstrip().startswith("<?xml")
        or root_name(head) in ("rss", "feed", "rdf", "opml")
    ):
        try:
            text, notes = safe_xml_text(data)
        except XmlRefused as exc:
            raise ImportFailure(f"{path}: {exc}") from None
        return text, False, [f"{path}: {note}" for note in notes]
    # A page: the charset its <meta> names, as `fetch` reads it (a guess from the bytes took a
    # saved ISO-8859-1 page for Windows-1250 and its 'Niño' became 'Nińo'); else, as for a feed,
    # a clear guess from the bytes (Big5, KOI8-R ...) or Windows-1252, which browsers use.
    codec = _named_codec(data)
    if codec and codec not in ("utf-8", "ascii", "utf-16", "utf-16-le", "utf-16-be"):
        return data.decode(codec, "replace"), False, []
    codec = guess_encoding(data) or "cp1252"
    said = []
    if utf8_error is not None:
        said.append(
            f"{path}: not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset"
            f" {utf8_error.start}); read as {codec}"
        )
    return data.decode(codec, "replace"), False, said


def parse_file(path: Path, ctx: ParseContext) -> tuple[str, ParsedDocument]:
    text, cut, notes = read_text(path)
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
    document.warnings[:0] = notes
    if cut:
        document.truncated = True
        document.warnings.append(f"{path}: truncated (ends in the middle of a character)")
    return fmt, document


class ParseFailure(ValueError):
    """A fetched document that is neither a feed nor a live-blog page (one line)."""


# -- fetched documents -----------------------------------------------------------------------------

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)


def looks_like_html_page(body: bytes, content_type: str) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    return "html" in content_type.lower() and not head.lstrip().startswith(b"<?xml")


def parse_document(
    body: bytes, *, url: str, content_type: str = "", tz: tzinfo | None = None
) -> ParsedDocument:
    """A feed, or a live-blog page subscribed to directly. ParseFailure says why neither."""
    from wirereader.sources.feeds import FeedError, parse_feed

    if looks_like_html_page(body, content_type):
        from wirereader.sources.liveblog_html import NotALiveBlog, parse_page

        try:
            document = parse_page(decode_html(body, content_type), url=url, tz=tz)
        except NotALiveBlog:
            raise ParseFailure(
                "an HTML page, not a feed (and no live blog on it); "
                "'wirereader add' finds the feed a page links to"
            ) from None
        except Exception as exc:  # a parser bug on odd input: this page fails, not the run
            raise ParseFailure(f"cannot read the live-blog page ({_describe(exc)})") from None
        return document
    try:
        return parse_feed(body, url=url, content_type=content_type, tz=tz)
    except FeedError as exc:
        kind = import_only(body)
        if kind:
            raise ParseFailure(f"{kind}, not a feed; {IMPORT_HINT}") from None
        raise ParseFailure(one_line(exc)) from None
    except Exception as exc:  # a parser bug on odd input: this feed fails, not the run
        raise ParseFailure(f"cannot parse the feed ({_describe(exc)})") from None


IMPORT_HINT = "save it to a file and read it with 'wirereader import FILE'"
_IMPORT_ONLY = {
    detect.TEXT_CAPTURE: "a live blog's text capture (plain text, its updates under 'HH:MM , '"
    " time lines)",
    detect.ARTICLE: "an article as plain text (a title line, then its paragraphs)",
    detect.JSON_LINES: "a JSON Lines file (one item an object a line)",
}

# A feed's, an outline's or a page's root element anywhere in the head of a document.
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF|opml|html)\b", re.IGNORECASE)


def import_only(body: bytes) -> str:
    """What a fetched document is when `import` reads it but it is no feed or page (a text
    capture, an article as text, JSON Lines), or ''. Such a URL failed as "not XML (no root
    element found)", which did not say that `import` reads it."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head or head.startswith(b"<") or b"\x00" in head or _FEED_ROOT.search(body[:65536]):
        return ""  # markup, UTF-16 or -32, or a feed behind some junk (a server's warning)
    return _IMPORT_ONLY.get(detect.sniff(body.decode("utf-8", "replace")) or "", "")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ValueError | TypeError | RecursionError):
        return one_line(exc)
    return one_line(Exception(f"{type(exc).__name__}: {exc}"))


def one_line(exc: BaseException) -> str:
    return clean_line(str(exc) or type(exc).__name__, 300)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _named_codec(body: bytes, content_type: str = "") -> str:
    """The codec an HTML page names for itself, the HTTP charset first, then its <meta
    charset> (Python's name for it); '' where it names none that Python knows."""
    candidates = []
    match = _HTTP_CHARSET.search(content_type)
    if match:
        candidates.append(match.group(1))
    meta = _META_CHARSET.search(body[:8192])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in candidates:
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return ""


def decode_html(body: bytes, content_type: str = "") -> str:
    """An HTML page's text: BOM, then HTTP charset, then <meta charset>, then UTF-8 with a
    windows-1252 fallback (what browsers do for pages that do not say)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    codec = _named_codec(body, content_type)
    if codec:
        if codec in ("utf-16-le", "utf-16-be", "utf-16"):
            codec = "utf-8"  # a page that reached us as ASCII-compatible bytes cannot be UTF-16
        return body.decode(codec, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")

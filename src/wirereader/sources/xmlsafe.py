"""Untrusted XML made safe to hand to any parser: decoded, DOCTYPE removed, entities defused.

- Decoding: BOM, then the HTTP charset, then the XML declaration, else UTF-8; UTF-8 bytes under
  a legacy label are read as UTF-8, invalid UTF-8 as the encoding the bytes look like (Big5,
  KOI8-R, ...) or Windows-1252. The declaration is rewritten to say UTF-8.
- Control characters XML forbids are removed (whole terminal escape sequences with them).
- The DOCTYPE goes. Plain internal entities (text and character references only) are expanded
  here, bounded; nested entities (an entity bomb), SYSTEM / PUBLIC and parameter entities are
  refused with one line; HTML named entities become character references; undefined ones are
  dropped. So no parser downstream resolves an entity, reads a file or touches the network.

Used by the feed parser and the OPML reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from html.entities import name2codepoint

from wirereader.core.text import strip_controls

MAX_ENTITY_VALUE = 1024  # a plain internal entity longer than this is not a convenience
MAX_ENTITY_GROWTH = 1_000_000  # characters entity expansion may add to a document


class XmlRefused(ValueError):
    """The document cannot be made safe; str() is one line for the user."""


_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+(%\s+)?([A-Za-z_:][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b[^>]*)\s*>""",
    re.IGNORECASE,
)
_STRAY_ENTITY_DECLARATION = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_ENTITY_REF = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z_][\w.-]*);")
_CHAR_REF_ONLY = re.compile(r"^(?:[^&<%]|&#(?:\d{1,7}|x[0-9A-Fa-f]{1,6});)*$")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def has_forbidden_characters(text: str) -> bool:
    """C0 controls but tab / newline / CR, DEL, or C1 controls (4x faster than a regex)."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _C0_BYTES)) != len(raw):
        return True
    return b"\xc2" in raw and _C1_IN_UTF8.search(raw) is not None


def safe_xml_text(data: bytes, content_type: str = "") -> tuple[str, list[str]]:
    """Decoded XML with its DOCTYPE removed and entities defused; XmlRefused if it cannot be."""
    text, notes = _decode(data, content_type)
    if has_forbidden_characters(text):
        # Not allowed in XML: parsers would drop the byte (leaving `[2J` of an escape sequence)
        # or give up on the rest of the text. Remove whole escape sequences first.
        text = strip_controls(text)
    return _defuse_doctype(text), notes


def _decode(data: bytes, content_type: str) -> tuple[str, list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _without_declaration(data[3:].decode("utf-8", "replace")), []
    if data.startswith(_UTF16_BOMS):
        return _without_declaration(data.decode("utf-16", "replace")), []
    if data.startswith((b"<\x00", b"\x00<")):
        codec = "utf-16-le" if data[0] == 0x3C else "utf-16-be"
        return _without_declaration(data.decode(codec, "replace")), []
    declared = ""
    match = _XML_DECLARATION.match(data)
    if match:
        found = _DECLARED_ENCODING.search(match.group(0))
        declared = found.group(1).decode("ascii").lower() if found else ""
    http = _HTTP_CHARSET.search(content_type or "")
    label = (http.group(1).lower() if http else "") or declared or "utf-8"
    notes: list[str] = []
    try:
        text = data.decode("utf-8")
        if _canonical(label) not in ("utf-8", "ascii") and not text.isascii():
            # Valid multi-byte UTF-8 is almost never legacy-encoded text: the label is wrong.
            notes.append(f"declared encoding {label!r} but the bytes are UTF-8; read as UTF-8")
        return _without_declaration(text), notes
    except UnicodeDecodeError as exc:
        utf8_error = exc
    codec = _canonical(label)
    if codec in ("utf-8", "ascii"):
        # Declared (or assumed) UTF-8 but it is not: guess from the bytes, else Windows-1252,
        # which reads every byte.
        codec = guess_encoding(data) or "cp1252"
        notes.append(
            f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset "
            f"{utf8_error.start}); read as {codec}"
        )
    try:
        text = data.decode(codec, "replace")
    except LookupError:
        notes.append(f"unknown encoding {label!r}; read as Windows-1252")
        text = data.decode("cp1252", "replace")
    return _without_declaration(text), notes


def guess_encoding(data: bytes) -> str | None:
    """The legacy encoding the bytes most likely use (Big5, EUC-JP, KOI8-R, ...), if clear
    (a feed's and, on `import`, a page's that names none)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None or best.encoding in ("utf_8", "ascii") or best.encoding in _LATIN_FAMILY:
        # Latin single-byte guesses are unreliable on short text; browsers read mislabelled
        # pages as Windows-1252, and so do we.
        return None
    return str(best.encoding)


_LATIN_FAMILY = frozenset(
    [
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "latin_1",
        "iso8859_2",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_15",
        "iso8859_16",
        "mac_roman",
        "mac_latin2",
        "mac_iceland",
    ]
)


def _canonical(label: str) -> str:
    import codecs

    try:
        name = codecs.lookup(label).name
    except LookupError:
        return label
    return {"utf_8": "utf-8", "ascii": "ascii", "us-ascii": "ascii"}.get(name, name)


def _without_declaration(text: str) -> str:
    """Text with its XML declaration replaced by one that says UTF-8 (what parsers get)."""
    text = text.lstrip("\ufeff")
    match = re.match(r"\s*<\?xml[^>]*?\?>", text)
    body = text[match.end() :] if match else text
    return '<?xml version="1.0" encoding="utf-8"?>' + body


def _defuse_doctype(text: str) -> str:
    """Remove the DOCTYPE; expand its plain internal entities; refuse anything else."""
    entities: dict[str, str] = {}
    found = _DOCTYPE.search(text, 0, 65536)
    if found and "<" not in _prolog_gap(text, found.start()):
        end = _doctype_end(text, found.start())
        if end < 0:
            raise XmlRefused("unterminated DOCTYPE declaration")
        doctype = text[found.start() : end]
        entities = _internal_entities(doctype)
        text = text[: found.start()] + text[end:]
    if _STRAY_ENTITY_DECLARATION.search(text):
        # A declaration we did not remove above (after a long prolog, or malformed): a parser
        # might still act on it. Nothing legitimate needs one there.
        raise XmlRefused("entity declaration outside the document's DOCTYPE; refused")
    growth = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal growth
        name = match.group(1)
        if name in entities:
            value = entities[name]
            growth += len(value)
            if growth > MAX_ENTITY_GROWTH:
                raise XmlRefused("entity expansion too large (an entity bomb?)")
            return value
        codepoint = name2codepoint.get(name)
        if codepoint is not None:
            return f"&#{codepoint};"
        return ""  # an entity nobody defined: the parsers would stop on it

    if "&" in text:
        text = _outside_cdata(text, partial(_references, replace))
    return text


# A bare '&' (not starting a reference): 'AT&T', 'Q&A', a link's '?a=1&b=2' typed unescaped, as
# many hand-made feeds do. The recovering parser dropped it with the word after it: 'AT&T
# profits & Q&A' was stored as 'AT profits Q' and the link as '?a=1=2', a page that does not
# exist. A well-formed document has none, so it reads as before.
_BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z_][\w.-]*|#\d+|#[xX][0-9A-Fa-f]+);)")


def _references(replace: Callable[[re.Match[str]], str], part: str) -> str:
    return _ENTITY_REF.sub(replace, _BARE_AMPERSAND.sub("&amp;", part))


def _outside_cdata(text: str, change: Callable[[str], str]) -> str:
    """`change` applied to the text outside CDATA sections: in one, '&' is literal to the XML
    parser (WordPress puts HTML there, '&nbsp;' and all), so its references are left as typed
    (an unknown one was dropped, a byline's '&nbsp;' became '&#160;'). Sections are found with
    str.find: a regex alternative for them cost the parse of 200 real feeds ~10% CPU."""
    start = text.find("<![CDATA[")
    if start < 0:
        return change(text)
    parts: list[str] = []
    position = 0
    while start >= 0:
        end = text.find("]]>", start + 9)
        end = len(text) if end < 0 else end + 3
        parts += (change(text[position:start]), text[start:end])
        position = end
        start = text.find("<![CDATA[", position)
    parts.append(change(text[position:]))
    return "".join(parts)


def _prolog_gap(text: str, doctype_start: int) -> str:
    """What precedes the DOCTYPE, with comments and processing instructions removed."""
    before = re.sub(r"<!--.*?-->|<\?.*?\?>", "", text[:doctype_start], flags=re.DOTALL)
    return before


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE that starts at `start` (internal subset included), or -1."""
    bracket = text.find("[", start)
    close = text.find(">", start)
    if close < 0:
        return -1
    if 0 <= bracket < close:
        subset_end = text.find("]", bracket)
        if subset_end < 0:
            return -1
        close = text.find(">", subset_end)
        if close < 0:
            return -1
    return close + 1


def _internal_entities(doctype: str) -> dict[str, str]:
    entities: dict[str, str] = {}
    for match in _ENTITY_DECL.finditer(doctype):
        parameter, name, double, single, external = match.groups()
        if external or parameter:
            raise XmlRefused(
                f"external or parameter entity {name!r} in the DOCTYPE refused "
                "(feeds must not make the reader open files or URLs)"
            )
        value = double if double is not None else single or ""
        if len(value) > MAX_ENTITY_VALUE or not _CHAR_REF_ONLY.match(value):
            raise XmlRefused(
                f"entity {name!r} expands to other entities or markup (an entity bomb?); refused"
            )
        entities[name] = value
    if "<!ENTITY" in doctype.upper() and len(entities) < doctype.upper().count("<!ENTITY"):
        raise XmlRefused("unreadable entity declaration in the DOCTYPE; refused")
    return entities


_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def root_name(text: str) -> str | None:
    """Local name (lower-case) of the first element, skipping comments and instructions."""
    position = 0
    limit = min(len(text), 65536)
    while position < limit:
        start = text.find("<", position)
        if start < 0:
            return None
        if text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            position = end + 3 if end >= 0 else limit
        elif text.startswith(("<?", "<!"), start):
            end = text.find(">", start + 2)
            position = end + 1 if end >= 0 else limit
        else:
            match = _ROOT.match(text, start)
            return match.group(1).rsplit(":", 1)[-1].lower() if match else None
    return None

"""Cleaning untrusted text at ingest.

Everything from the outside world passes through `clean_text` (bodies) or `clean_line` (titles,
authors, names) before it is stored, so no layer above ever sees a terminal escape sequence, a
control character or a bidi override. Markup-looking text such as `[bold]` is *kept* as text:
the presentation layers render it as plain text, never parse it.
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final byte), OSC / DCS / SOS / PM / APC strings (ended
# by BEL or ST, or unterminated to the end of input), and two-byte escapes. The 8-bit C1 forms
# (\x9b CSI, \x9d OSC, \x90 DCS ...) are matched too.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                  # OSC, DCS, SOS, PM, APC ...
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?               # ... up to BEL / ST / end
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                             # other escapes (ESC c, ESC ( B)
    """,
    re.VERBOSE,
)

# C0 and C1 controls except tab and newline, DEL, bidi embeddings / overrides / isolates, the
# invisible characters that hide text (zero-width space, word joiner, BOM), soft hyphens (a
# break hint for typesetting; left in, 'Nich\u00adolas' is not the name 'Nicholas' to a search or
# the entity extractor, and terminals draw it as a hyphen or not at all), and the line /
# paragraph separators that some terminals treat as newlines. ZWJ and ZWNJ stay: scripts and
# emoji need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\u2028\u2029]"
)
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_LINE = 2_000  # a title longer than this is hostile or broken; keep the start


def strip_controls(raw: str) -> str:
    """Remove escape sequences and invisible / control characters; keep newlines and tabs."""
    if not raw:
        return ""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _INVISIBLE.sub("", text)


# Everything the full cleaning removes or folds besides plain spaces and newlines. Text with none
# of these (nearly all real text) takes a fast path that gives exactly the same result.
_NEEDS_FULL_CLEAN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u1680\u2000-\u200f\u2028\u2029\u202a-\u202f\u205f"
    "\u2060-\u2064\u2066-\u2069\u3000\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


# The ASCII characters of `_NEEDS_FULL_CLEAN`: in ASCII text the search is for these alone.
_ASCII_NEEDS_FULL_CLEAN = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F])


def _needs_full_clean(raw: str) -> bool:
    """`_NEEDS_FULL_CLEAN.search(raw)`. For ASCII text (most bodies), deleting those bytes from
    its encoding and comparing lengths: 2.5 us a 1,700-character body against 12 for the
    pattern, which tries its class at every position (~4% of a parse worker's CPU)."""
    if raw.isascii():
        return len(raw.encode("ascii").translate(None, _ASCII_NEEDS_FULL_CLEAN)) != len(raw)
    return _NEEDS_FULL_CLEAN.search(raw) is not None


def clean_text(raw: str) -> str:
    """A body: paragraphs kept (one blank line between), spaces folded, edges trimmed."""
    if _needs_full_clean(raw):
        return _clean_text_full(raw)
    text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
    while "  " in text:  # str.replace beats a regex by a factor of ten here
        text = text.replace("  ", " ")
    kept: list[str] = []
    blank = False
    for line in text.split("\n"):
        line = line.strip(" ")
        if line or not blank:  # a run of empty lines becomes one
            kept.append(line)
        blank = not line
    return "\n".join(kept).strip()


def clean_line(raw: str, limit: int = MAX_LINE) -> str:
    """A title, author or name: one line, spaces folded, at most `limit` characters."""
    if _NEEDS_FULL_CLEAN.search(raw):
        return _clean_line_full(raw, limit)
    text = " ".join(raw.split())
    if not text.isascii():
        text = " ".join(unicodedata.normalize("NFC", text).split())
    return _cap(text, limit)


def _clean_text_full(raw: str) -> str:
    text = unicodedata.normalize("NFC", strip_controls(raw))
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _clean_line_full(raw: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", strip_controls(raw))
    return _cap(_ANY_SPACE.sub(" ", text).strip(), limit)


def _cap(text: str, limit: int) -> str:
    return text[: limit - 1].rstrip() + "…" if len(text) > limit else text


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_NON_WORD = re.compile(r"[^\w]+")


def normalise_for_match(text: str) -> str:
    """Text reduced to lower-case words, for comparing reposts and copies."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _NON_WORD.sub(" ", text).strip()


# Scripts written without spaces between words: Han (CJK ideographs and their extensions and
# compatibility forms), Hiragana, Katakana (with half-width forms). Hangul is not among them:
# Korean puts spaces between words.
_UNSPACED = re.compile(
    "([\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f])"
)


def fts_text(text: str) -> str:
    """Text as the full-text index reads it: each character of a run in a script written
    without spaces (Chinese, Japanese) stands apart, so FTS5's unicode61 tokenizer makes it a
    token of its own, and a word inside a run is found as the phrase of its characters. Other
    text is returned as it is (ASCII without even a scan)."""
    if text.isascii():
        return text
    return _UNSPACED.sub(r" \1 ", text)


# RSS 2.0's <author> is an e-mail address, most feeds giving the name in brackets after it
# ("theweek@futurenet.com (Justin Klawans, The Week US)", "none@none.com (AFP)").
_RSS_AUTHOR = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\s*\((?P<name>[^()]*\S[^()]*)\)$")


def author_name(author: str) -> str:
    """An author as a reader shows it: the name of RSS's "address (Name)" form, else as
    stored (what is stored, and printed as JSON, is the feed's own text)."""
    match = _RSS_AUTHOR.match(author)
    return match.group("name").strip() if match else author

"""Pick a parser by looking at the content, not only the file name."""

from __future__ import annotations

import json
import re

TEXT_CAPTURE = "text-capture"
ARTICLE = "article"
JSON_LINES = "jsonl"
JSON_FEED = "json-feed"
XML_FEED = "xml-feed"
OPML = "opml"
HTML = "html"

_TIME_LINE = re.compile(r"^\d{1,2}:\d{2} , ", re.MULTILINE)
_XML_ROOT = re.compile(r"<(rss|feed|rdf:RDF|RDF|opml|html)\b", re.IGNORECASE)


def sniff(text: str) -> str | None:
    """The format of a decoded document, or None when it is none we read."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith(("{", "[")):
        return _sniff_json(text)
    if head.startswith("<"):
        match = _XML_ROOT.search(text[:65536])
        if match is None:
            return HTML if re.search(r"<(body|div|p|script)\b", head, re.I) else None
        root = match.group(1).lower()
        if root == "opml":
            return OPML
        return HTML if root == "html" else XML_FEED
    if _TIME_LINE.search(text):
        return TEXT_CAPTURE
    return ARTICLE if _looks_like_article(text) else None


def _sniff_json(text: str) -> str | None:
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict) and "jsonfeed.org" in str(whole.get("version", "")):
        return JSON_FEED
    try:
        line = json.loads(first)
    except ValueError:
        return None
    if isinstance(line, dict) and "title" in line:
        return JSON_LINES
    return None


def _looks_like_article(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or len(lines[0]) > 300 or not re.search(r"[^\W\d_]", lines[0]):
        return False
    # At least one line of running prose: eight or more words with letters.
    return any(len(re.findall(r"[^\W\d_]{2,}", line)) >= 8 for line in lines[1:])

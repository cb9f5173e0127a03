"""OPML subscription lists: read (nested outlines, categories) and write.

Reading goes through xmlsafe (no DTD, no entity expansion beyond plain internal ones, no
network), then lxml with `resolve_entities=False`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from lxml import etree

from wirereader.core.text import clean_line
from wirereader.sources.xmlsafe import XmlRefused, safe_xml_text

if TYPE_CHECKING:
    from wirereader.core.model import ParsedDocument
    from wirereader.sources.context import ParseContext

MAX_OUTLINES = 100_000
MAX_DEPTH = 64


class OpmlError(ValueError):
    """Not a readable OPML document; str() is one line for the user."""


@dataclass(frozen=True)
class OpmlOutline:
    """One subscription: the feed URL, its title, its web page and its folder path."""

    url: str
    title: str = ""
    html_url: str = ""
    category: str = ""  # folder names joined by "/", e.g. "News/World"


def parse_opml(text: str | bytes) -> list[OpmlOutline]:
    """Every outline with an xmlUrl, in document order, each URL once."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        prepared, _ = safe_xml_text(data, "charset=utf-8" if isinstance(text, str) else "")
    except XmlRefused as exc:
        raise OpmlError(str(exc)) from None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False
    )
    try:
        root = etree.fromstring(prepared.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not XML ({' '.join(str(exc).split())[:150]})") from None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise OpmlError("outlines nested too deeply (over 256 levels)")
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname != "opml":
        raise OpmlError("not an OPML document (no <opml> root element)")
    body = next((c for c in root if isinstance(c.tag, str) and _local(c) == "body"), None)
    if body is None:
        raise OpmlError("OPML without a <body>")
    found: list[OpmlOutline] = []
    seen: set[str] = set()
    # Iterative walk: (element, folder path) pairs, so nesting depth cannot exhaust the stack.
    stack: list[tuple[etree._Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))
    ]
    while stack and len(found) < MAX_OUTLINES:
        element, folders = stack.pop()
        if not isinstance(element.tag, str) or _local(element) != "outline":
            continue
        title = clean_line(element.get("title") or element.get("text") or "", 300)
        url = clean_line(element.get("xmlUrl") or element.get("xmlurl") or "", 2000)
        if url and url not in seen:
            seen.add(url)
            found.append(
                OpmlOutline(
                    url=url,
                    title=title,
                    html_url=clean_line(element.get("htmlUrl") or "", 2000),
                    category="/".join(folders) or _category_attribute(element),
                )
            )
        if len(element):
            deeper = not url and title and len(folders) < MAX_DEPTH
            inner = (*folders, title) if deeper else folders
            stack.extend((child, inner) for child in reversed(list(element)))
    return found


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _category_attribute(element: etree._Element) -> str:
    """OPML 2's `category="/News/World,/tags/x"`: the first path, without its leading slash."""
    first = (element.get("category") or "").split(",", 1)[0]
    return clean_line(first.strip().strip("/"), 300)


def render_opml(feeds: Iterable[OpmlOutline], *, title: str = "wirereader subscriptions") -> str:
    """An OPML 2.0 document; feeds with a category go into one folder per category path."""
    now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_escape(title)}</title>",
        f"    <dateCreated>{now}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    by_folder: dict[str, list[OpmlOutline]] = {}
    for feed in feeds:
        by_folder.setdefault(feed.category.strip("/"), []).append(feed)
    for folder, members in by_folder.items():
        indent = "    "
        opened = folder.split("/") if folder else []
        for depth, name in enumerate(opened):
            lines.append(f"{indent}{'  ' * depth}<outline text={quoteattr(name)}>")
        inner = indent + "  " * len(opened)
        for feed in members:
            name = feed.title or feed.url
            attributes = [
                f"type={quoteattr('rss')}",
                f"text={quoteattr(name)}",
                f"title={quoteattr(name)}",
                f"xmlUrl={quoteattr(feed.url)}",
            ]
            if feed.html_url:
                attributes.append(f"htmlUrl={quoteattr(feed.html_url)}")
            lines.append(f"{inner}<outline {' '.join(attributes)}/>")
        for depth in reversed(range(len(opened))):
            lines.append(f"{indent}{'  ' * depth}</outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def refuse_as_entries(text: str, ctx: ParseContext) -> ParsedDocument:
    """`wirereader import list.opml`: an OPML file holds subscriptions, not entries."""
    from wirereader.sources.context import ImportFailure

    try:
        count = len(parse_opml(text))
    except OpmlError as exc:
        raise ImportFailure(f"{ctx.origin}: {exc}") from None
    raise ImportFailure(
        f"{ctx.origin}: an OPML subscription list ({count} feeds), not entries; subscribe to "
        f"its feeds with: wirereader add --opml {ctx.origin}"
    )

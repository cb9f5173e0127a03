"""HTML fragments (feed item bodies, live-blog updates) -> the shared body text format.

Output: paragraphs separated by one blank line, `- ` list items on consecutive lines, `## `
sub-headings, `> ` quoted lines. Links and pictures are collected as `model.Link` objects (the
reader numbers them) instead of being written inline. Scripts, styles and other non-text
elements are dropped; entities are unescaped by the parser.

The walk is iterative (lxml's iterwalk), so deeply nested or garbage markup cannot exhaust the
Python stack, and the input is cut at `MAX_HTML_CHARS` so one hostile item cannot stall a fetch.
"""

from __future__ import annotations

import html
import re
import threading

from lxml import etree

from wirereader.core.model import Link
from wirereader.core.text import clean_text
from wirereader.sources import urls

MAX_HTML_CHARS = 2_000_000  # a body longer than this is cut: no news item is that long
MAX_LINKS = 200

_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "svg",
        "math",
        "object",
        "embed",
        "applet",
        "form",
        "button",
        "select",
        "textarea",
        "input",
        "option",
        "datalist",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "meta",
        "link",
        "iframe",
    ]
)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "nav",
        "figure",
        "figcaption",
        "address",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "center",
        "details",
        "summary",
        "fieldset",
        "hgroup",
        "body",
        "html",
        "ul",
        "ol",
        "menu",
        "dir",
    ]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_CELLS = frozenset(("td", "th"))
# The tags `_Walker.start` and `_Walker.end` do something for (any other is text alone).
_STARTS = _BLOCK | _HEADINGS | _CELLS | {"li", "blockquote", "pre", "hr", "br", "img", "a"}
_ENDS = _BLOCK | _HEADINGS | {"a", "li", "blockquote", "pre"}
# The tags whose start, and whose end, ends the text before them as a block of its own.
_BREAKS_BEFORE = _BLOCK | _HEADINGS | {"li", "blockquote", "pre", "hr"}
_BREAKS_AFTER = _BLOCK | _HEADINGS | {"li", "blockquote", "pre"}
# Only what needs replacing: runs of two or more, or one non-space whitespace character (a
# pattern matching every single space would make a replacement per word).
_SPACE = re.compile(r"[ \t\r\n\f\v]{2,}|[\t\r\n\f\v]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n\s*")
_MARKUP_HINT = re.compile(r"<[A-Za-z/!?]|&[#\w]+;")
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "ftp://")

# A parser per thread (lxml locks a parser for a whole parse, and its error log must be this
# parse's): no network, no DTD, huge_tree off. libxml2's depth limit (256 without huge_tree)
# bounds the tree it builds from pathological nesting.
_LOCAL = threading.local()


def _parser() -> etree.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.HTMLParser(
            recover=True,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
            default_doctype=False,
            collect_ids=False,
        )
    return parser


def looks_like_html(text: str) -> bool:
    """True when `text` has tags or entities worth parsing."""
    return bool(_MARKUP_HINT.search(text))


def plain_to_text(text: str) -> str:
    """Plain text (no markup meaning): keep its paragraphs, clean it."""
    return clean_text(text[:MAX_HTML_CHARS])


def html_to_text(fragment: str, *, base_url: str = "") -> tuple[str, list[Link]]:
    """An HTML fragment as body text plus the links it carries."""
    if not fragment:
        return "", []
    fragment = fragment[:MAX_HTML_CHARS]
    if "<" not in fragment:
        # Entities only (or nothing): no tree needed. Newlines mean nothing in HTML.
        return _strip_tags(fragment), []
    if _is_simple(fragment):
        return _simple_to_text(fragment, base_url)
    return _tree_to_text(fragment, base_url)


# The shape most feed items have: paragraphs, line breaks, one level of lists, inline emphasis,
# links and pictures, attributes double-quoted, only common entities. Such a fragment needs no
# tree: a few C-level regex passes give exactly what the tree walk gives (a property test holds
# the two together). Anything else (nesting the HTML parser would rearrange, odd entities,
# comments, other tags) takes the tree walk.
_ATTRIBUTES = r'(?:\s+[\w:-]+="[^"<>]*")*\s*'
_INLINE = "b|i|em|strong|span|u|s|small|sup|sub|code|mark|abbr|cite|time"
_SIMPLE_TAG = re.compile(
    rf"</?(?:p|ul|ol|li|{_INLINE}){_ATTRIBUTES}>|<(?:br|img){_ATTRIBUTES}/?>|<a{_ATTRIBUTES}>|</a>"
)
# Tags seen in almost every item, checked by set lookup before the regex.
_COMMON_TAGS = frozenset(
    {"<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<em>", "</em>", "<strong>", "</strong>"}
    | {"<br>", "<br/>", "<br />", "</a>", "<span>", "</span>", "<ul>", "</ul>", "<li>", "</li>"}
)
_TAG_NAME = re.compile(r"</?([a-z]+)")
_ENTITY_TOKEN = re.compile(r"&[^&;<\s]{0,12};?")
# Character references to printable characters only (not C0/C1 controls, DEL or surrogates,
# which parsers map differently).
_SIMPLE_ENTITY = re.compile(
    r"&(?:amp|lt|gt|quot|apos|nbsp|#39"
    r"|#(?:3[2-9]|[4-9]\d|1[01]\d|12[0-6]|1[6-9]\d|[2-9]\d\d|[1-9]\d{3})"
    r"|#[xX](?:[2-6][0-9a-fA-F]|7[0-9a-eA-E]|[a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2}"
    r"|[1-9a-cA-CeEfF][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2}));"
)
_BLOCKS = frozenset(("p", "ul", "ol", "li"))


def _is_simple(fragment: str) -> bool:
    """Only simple tags (see above) nested the way the tree keeps them, only common entities."""
    tags = _ANY_TAG.findall(fragment)
    if len(tags) != fragment.count("<"):
        return False
    in_paragraph = in_item = False
    in_list = ""  # "ul" or "ol" while inside one
    open_inline: list[str] = []
    for tag in tags:
        if tag not in _COMMON_TAGS and not _SIMPLE_TAG.fullmatch(tag):
            return False
        name = _TAG_NAME.match(tag).group(1)  # type: ignore[union-attr]
        closing = tag.startswith("</")
        if name in _BLOCKS:
            # A block inside an inline element, a stray or crossing end tag, a paragraph or
            # line break inside a list item, a list inside a paragraph or list: the HTML
            # parser moves elements around there, so only the tree says where text ends up.
            if open_inline:
                return False
            if name == "p":
                if in_item or (closing and not in_paragraph):
                    return False
                in_paragraph = not closing
            elif name == "li":
                if not in_list or in_item != closing:
                    return False
                in_item = not closing
            elif closing:
                if in_list != name or in_item:
                    return False
                in_list = ""
            else:
                if in_paragraph or in_list:
                    return False
                in_list = name
        elif closing:
            if open_inline and open_inline.pop() != name:
                return False  # misnested inline tags
        elif name == "br":
            if in_item:
                return False
        elif name != "img":
            open_inline.append(name)
    if in_list or in_item:
        return False
    if "&" in fragment:
        for entity in _ENTITY_TOKEN.findall(fragment):
            if not _SIMPLE_ENTITY.fullmatch(entity):
                return False
    return True


_LINK_TOKEN = re.compile(r"<(a|img)(\s[^>]*)?>|</a>")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_BREAK_TAG = re.compile(r"<br\b[^>]*>")
_PARAGRAPH_TAG = re.compile(r"</?(?:p|ul|ol)\b[^>]*>")
_ITEM_START = re.compile(r"<li\b[^>]*>")
_ITEM = re.compile("(\x03[^\x04]*\x04)")
_ANY_TAG = re.compile(r"<[^>]*>")


def _simple_to_text(fragment: str, base_url: str) -> tuple[str, list[Link]]:
    if _needs_folding(fragment):
        fragment = _SPACE.sub(" ", fragment)
    collector = _Walker(base_url)
    if "<a" in fragment or "<img" in fragment:
        anchor: tuple[str, int] | None = None
        for match in _LINK_TOKEN.finditer(fragment):
            tag = match.group(1)
            attributes = dict(_ATTRIBUTE.findall(match.group(2) or ""))
            if tag == "img":
                alt = attributes.get("alt") or attributes.get("title")
                collector.add_link(_attribute(attributes, "src"), _attribute_text(alt), "media")
            elif tag == "a":
                if anchor is not None:  # an <a> inside an <a>: leave it to the tree walk
                    return _tree_to_text(fragment, base_url)
                anchor = (_attribute(attributes, "href"), match.end())
            elif anchor is not None:
                href, start = anchor
                inner = fragment[start : match.start()]
                if "<p" in inner or "</p" in inner:  # a paragraph inside a link: the tree knows
                    return _tree_to_text(fragment, base_url)
                label = html.unescape(_ANY_TAG.sub("", _BREAK_TAG.sub(" ", inner)))
                collector.add_link(href, label, "related")
                anchor = None
        if anchor is not None:  # an unclosed link: where it ends is the tree's call
            return _tree_to_text(fragment, base_url)
    text = _PARAGRAPH_TAG.sub("\x02", _BREAK_TAG.sub("\n", fragment))
    if "<li" in text:
        text = _ITEM_START.sub("\x03", text).replace("</li>", "\x04")
    text = html.unescape(_ANY_TAG.sub("", text))
    if "\x03" not in text:
        return clean_text(text.replace("\x02", "\n\n")), collector.links
    # List items: one "- " line each, consecutive items on consecutive lines.
    blocks: list[tuple[bool, str]] = []  # (is a list item, text)
    for piece in _ITEM.split(text):
        if piece.startswith("\x03"):
            line = clean_text(piece[1:-1])
            if line:
                blocks.append((True, line))
            continue
        for paragraph in clean_text(piece.replace("\x02", "\n\n")).split("\n\n"):
            if paragraph:
                blocks.append((False, paragraph))
    parts: list[str] = []
    for index, (is_item, block) in enumerate(blocks):
        if index:
            parts.append("\n" if is_item and blocks[index - 1][0] else "\n\n")
        parts.append("- " + block if is_item else block)
    return clean_text("".join(parts)), collector.links


def _attribute(attributes: dict[str, str], name: str) -> str:
    return html.unescape(attributes.get(name, ""))


def _attribute_text(value: str | None) -> str | None:
    return html.unescape(value) if value else value


def _tree_to_text(fragment: str, base_url: str) -> tuple[str, list[Link]]:
    parser = _parser()
    try:
        root = etree.fromstring(f"<div>{fragment}</div>", parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None or _hit_resource_limit(parser):
        # Nesting past libxml2's depth limit truncates the tree: keep the words, lose the shape.
        return _strip_tags(fragment), []
    walker = _Walker(base_url)
    walker.walk(root)
    return walker.result()


def _needs_folding(text: str) -> bool:
    """Whether HTML whitespace folding would change `text` (substring tests are memchr-fast)."""
    return (
        "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text
    )


def _hit_resource_limit(parser: etree.HTMLParser) -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


_TAG = re.compile(r"<[^>]{0,2000}>")
_UNSAFE_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _strip_tags(fragment: str) -> str:
    text = _TAG.sub(" ", _UNSAFE_BLOCK.sub(" ", fragment))
    return clean_text(_SPACE.sub(" ", html.unescape(text)))


class _Walker:
    """Collects blocks (prefix, text) and links while walking the tree once."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[tuple[str, str]] = []  # (prefix, text); prefix "", "## ", "- ", "> "
        self.buffer: list[str] = []
        self.links: list[Link] = []
        self.seen_urls: set[str] = set()
        self.quote_depth = 0
        self.list_depth = 0
        self.heading_depth = 0
        self.pre_depth = 0
        self.anchor: tuple[str, int] | None = None  # (url, buffer index where its text starts)

    # -- tree walk -------------------------------------------------------------------------

    def walk(self, root: etree._Element) -> None:
        # `text` and the two tag tests written out here: most elements of real items are
        # inline (span, code, strong, em) and neither `start` nor `end` does anything for
        # them, so their events are only their text and tail.
        skip_until: etree._Element | None = None
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if not isinstance(tag, str):  # comments, processing instructions, entities
                if event == "end" and skip_until is None:
                    self.text(element.tail)
                continue
            tag = tag.lower()
            if skip_until is not None:
                if event == "end" and element is skip_until:
                    skip_until = None
                    self.text(element.tail)
                continue
            if event == "start":
                if tag in _DROP:
                    self.media(tag, element)
                    skip_until = element
                    continue
                if tag in _STARTS:
                    self.start(tag, element)
                value = element.text
            else:
                if tag in _ENDS:
                    self.end(tag, element)
                value = element.tail
            if value:
                if not self.pre_depth and (
                    "\n" in value
                    or "  " in value
                    or "\t" in value
                    or "\r" in value
                    or "\f" in value
                    or "\v" in value
                ):
                    value = _SPACE.sub(" ", value)
                self.buffer.append(value)

    def start(self, tag: str, element: etree._Element) -> None:
        if tag in _BREAKS_BEFORE:
            self.flush()
        if tag in _HEADINGS:
            self.heading_depth += 1
        elif tag == "li":
            self.list_depth += 1
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "br":
            self.buffer.append("\n")
        elif tag in _CELLS and self.buffer:
            self.buffer.append(" ")
        elif tag == "img":
            self.add_link(element.get("src"), element.get("alt") or element.get("title"), "media")
        elif tag == "a":
            self.anchor = (element.get("href") or "", len(self.buffer))

    def end(self, tag: str, element: etree._Element) -> None:
        if tag == "a" and self.anchor is not None:
            href, start = self.anchor
            self.anchor = None
            self.add_link(href, "".join(self.buffer[start:]), "related")
            return
        if tag in _BREAKS_AFTER:
            self.flush()
        if tag in _HEADINGS:
            self.heading_depth = max(0, self.heading_depth - 1)
        elif tag == "li":
            self.list_depth = max(0, self.list_depth - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def media(self, tag: str, element: etree._Element) -> None:
        """Dropped elements that still point at something worth keeping."""
        if tag in ("video", "audio", "embed", "source", "iframe"):
            self.add_link(element.get("src"), element.get("title"), "media")
        elif tag == "object":
            self.add_link(element.get("data"), element.get("title"), "media")

    def text(self, value: str | None) -> None:
        if value:
            if not self.pre_depth and _needs_folding(value):
                value = _SPACE.sub(" ", value)
            self.buffer.append(value)

    # -- output ----------------------------------------------------------------------------

    def flush(self) -> None:
        if not self.buffer:
            return
        if len(self.buffer) == 1 and self.buffer[0] == " ":  # whitespace between blocks
            self.buffer = []
            return
        raw = "".join(self.buffer)
        self.buffer = []
        if self.anchor is not None:  # a block boundary inside a link: its text starts anew
            self.anchor = (self.anchor[0], 0)
        if self.heading_depth:
            prefix = "## "
        elif self.quote_depth:
            prefix = "> "
        elif self.list_depth:
            prefix = "- "
        else:
            prefix = ""
        if "\n" not in raw:  # one paragraph of one line (most blocks): what the loop gives
            line = raw.strip()
            if line:
                self.blocks.append((prefix, line))
            return
        for paragraph in _PARAGRAPH_BREAK.split(raw):
            lines = [line.strip() for line in paragraph.split("\n")]
            lines = [line for line in lines if line]
            if not lines:
                continue
            if prefix == "## ":
                self.blocks.append((prefix, " ".join(lines)))
            else:
                self.blocks.append((prefix, "\n".join(lines)))

    def add_link(self, href: str | None, title: str | None, rel: str) -> None:
        if not href or len(self.links) >= MAX_LINKS:
            return
        href = href.strip()
        absolute = "://" in href[:12] or href.startswith(("mailto:", "data:", "javascript:"))
        url = urls.joined("" if absolute else self.base_url, href)
        if url is None or not url.lower().startswith(_SAFE_SCHEMES) or url in self.seen_urls:
            return
        self.seen_urls.add(url)
        label = " ".join((title or "").split())
        self.links.append(Link(url=url, title=label[:300], rel=rel))

    def result(self) -> tuple[str, list[Link]]:
        self.flush()
        parts: list[str] = []
        previous = None
        for prefix, text in self.blocks:
            lines = text.split("\n")
            if prefix in ("- ", "> "):
                rendered = "\n".join(prefix + line for line in lines)
            else:
                rendered = prefix + text
            if parts:
                # List items and quote lines run on consecutive lines; all else is a paragraph.
                same_run = previous == prefix and prefix in ("- ", "> ")
                parts.append("\n" if same_run else "\n\n")
            parts.append(rendered)
            previous = prefix
        return clean_text("".join(parts)), self.links

"""trafilatura's extracted body (its XML-TEI-like tree) -> our blocks, links and body text.

Body text format, shared with every parser: paragraphs separated by one blank line, `- ` list
items on consecutive lines, `## ` sub-headings, `> ` quoted lines. Links are not inlined: each
becomes a `model.Link` (the reader numbers them).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from wirereader.core.model import Link
from wirereader.core.text import clean_line
from wirereader.sources import urls
from wirereader.sources.articles.boilerplate import Block

# A caption is carried through extraction as a paragraph starting with this mark (see
# extract._captions_as_paragraphs); it is private-use so no page text can collide with it.
CAPTION_MARK = "\ue000caption\ue000"


def _inline_text(element: etree._Element) -> str:
    parts: list[str] = []
    for piece in element.itertext():
        parts.append(piece)
    return " ".join("".join(parts).split())


def _link_text_length(element: etree._Element) -> int:
    return sum(len(" ".join("".join(ref.itertext()).split())) for ref in element.iter("ref"))


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.media: list[Link] = []  # pictures: kept whatever happens to the text around them
        self._group = 0

    def link(self, href: str, title: str, rel: str) -> Link | None:
        url = urls.joined(self.base_url, (href or "").strip())
        if url is None or not url.startswith(("http://", "https://")):
            return None
        return Link(url=url, title=clean_line(title, 300), rel=rel)

    def links_in(self, element: etree._Element) -> list[Link]:
        found = [
            self.link(ref.get("target", ""), _inline_text(ref), "related")
            for ref in element.iter("ref")
        ]
        for graphic in element.iter("graphic"):
            self.add_graphic(graphic)
        return [link for link in found if link is not None]

    def add_graphic(self, graphic: etree._Element) -> None:
        title = graphic.get("title") or graphic.get("alt") or ""
        link = self.link(graphic.get("src", ""), title, "media")
        if link is not None:
            self.media.append(link)

    def text_block(self, kind: str, element: etree._Element, group: int = 0) -> None:
        text = _inline_text(element)
        links = self.links_in(element)
        if not text:
            return
        if text.startswith(CAPTION_MARK):
            kind, text = "caption", text[len(CAPTION_MARK) :].strip()
            if not text:
                return
        only_links = _link_text_length(element) >= len(text.replace(" ", "")) * 0.9
        self.blocks.append(Block(kind, text, group, only_links, links))

    def walk(self, element: etree._Element) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "p" or tag == "code":
                self.text_block("p", child)
            elif tag == "head":
                self.text_block("h", child)
            elif tag == "list":
                self._group += 1
                for item in _items(child):
                    self.text_block("li", item, self._group)
            elif tag == "quote":
                self._group += 1
                lines = [c for c in child if isinstance(c.tag, str) and c.tag in ("p", "list")]
                if lines:
                    for line in lines:
                        self.text_block("quote", line, self._group)
                else:
                    self.text_block("quote", child, self._group)
            elif tag == "graphic":
                self.add_graphic(child)
            elif tag == "table":
                self._group += 1
                for row in child.iter("row"):
                    cells = [_inline_text(cell) for cell in row.iter("cell")]
                    links = self.links_in(row)
                    line = " | ".join(c for c in cells if c)
                    if line:
                        self.blocks.append(Block("table", line, self._group, False, links))
            elif tag in ("div", "main", "body", "section"):
                self.walk(child)
            else:
                self.text_block("p", child)


def _items(lst: etree._Element) -> Iterator[etree._Element]:
    for item in lst:
        if item.tag != "item":
            continue
        nested = [c for c in item if c.tag == "list"]
        for sub in nested:
            item.remove(sub)  # flattened: nested items follow their parent item
        yield item
        for sub in nested:
            yield from _items(sub)


def walk_body(body: etree._Element, base_url: str = "") -> tuple[list[Block], list[Link]]:
    """The blocks of the body, and the pictures it shows (as media links)."""
    walker = _Walker(base_url)
    walker.walk(body)
    return walker.blocks, walker.media


def links_of(blocks: list[Block], media: list[Link]) -> list[Link]:
    """Links of the blocks kept, then the pictures; each URL once, in reading order."""
    seen: set[str] = set()
    out: list[Link] = []
    for link in [*(link for block in blocks for link in block.links), *media]:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out


def render(blocks: list[Block]) -> str:
    """Blocks -> body text: list items and quote lines of one group on consecutive lines."""
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if block.kind == "h":
            line = f"## {block.text}"
        elif block.kind == "li":
            line = f"- {block.text}"
        elif block.kind == "quote":
            line = f"> {block.text}"
        else:
            line = block.text
        joined = (
            previous is not None
            and block.group
            and previous.group == block.group
            and previous.kind == block.kind
        )
        if out and not joined:
            out.append("")
        out.append(line)
        previous = block
    return "\n".join(out)

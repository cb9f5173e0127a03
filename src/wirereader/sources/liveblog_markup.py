"""schema.org `LiveBlogPosting` written into the page's HTML as microdata or RDFa, not JSON-LD.

Both say the same thing as JSON-LD with attributes: microdata with `itemscope` / `itemtype` /
`itemprop` (and `itemid`), RDFa Lite with `typeof` / `property` (and `resource`), under
`vocab="https://schema.org/"` or a `schema:` prefix. This module reads them into the dicts a
JSON-LD block would give, so `liveblog_html` turns either into entries the same way (and fills
what is missing from the page's HTML, as it does for JSON-LD).

Values follow the microdata rules (HTML spec, "Values"): `content` on any element, then
`datetime` on `<time>`, `href` on links, `src` on media, else the text. Text properties that can
hold markup (`articleBody`, `text`, `description`) keep the element's inner HTML, so paragraphs
and links survive as they do from JSON-LD.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

MAX_ELEMENTS = 200_000  # a bound on the walk over one page
_HTML_VALUED = {"articlebody", "text", "description"}
_URL_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src"}
_URL_ATTRIBUTES |= {"video": "src", "source": "src", "iframe": "src", "embed": "src"}
_URL_ATTRIBUTES |= {"object": "data", "track": "src"}


@dataclass(frozen=True)
class _Syntax:
    """Which attributes mark an item, its type, its properties and its id."""

    name: str
    prop: str

    def is_item(self, element: Any) -> bool:
        if self.name == "microdata":
            return element.get("itemscope") is not None
        return element.get("typeof") is not None

    def types(self, element: Any) -> list[str]:
        raw = element.get("itemtype" if self.name == "microdata" else "typeof") or ""
        return [_local(name) for name in raw.split()]

    def item_id(self, element: Any) -> str:
        return (element.get("itemid" if self.name == "microdata" else "resource") or "").strip()


MICRODATA = _Syntax("microdata", "itemprop")
RDFA = _Syntax("rdfa", "property")


def live_blog_postings(tree: Any) -> Iterator[dict[str, Any]]:
    """Every LiveBlogPosting item on the page, microdata first, as JSON-LD-shaped dicts."""
    for syntax in (MICRODATA, RDFA):
        for count, element in enumerate(tree.iter()):
            if count > MAX_ELEMENTS:
                break
            if not isinstance(element.tag, str) or not syntax.is_item(element):
                continue
            if "liveblogposting" in (t.lower() for t in syntax.types(element)):
                yield _item(element, syntax, depth=0)


def _local(name: str) -> str:
    """`https://schema.org/BlogPosting`, `schema:BlogPosting` -> `BlogPosting`."""
    return name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]


def _item(element: Any, syntax: _Syntax, depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": syntax.types(element) or ["Thing"]}
    item_id = syntax.item_id(element)
    if item_id:
        node["@id"] = item_id
    values: dict[str, list[Any]] = {}
    for prop_element in _properties(element, syntax):
        for name in (prop_element.get(syntax.prop) or "").split():
            key = _local(name)
            if not key:
                continue
            if syntax.is_item(prop_element) and depth < 8:
                value: Any = _item(prop_element, syntax, depth + 1)
            else:
                value = _value(prop_element, key)
            values.setdefault(key, []).append(value)
    for key, found in values.items():
        node[key] = found[0] if len(found) == 1 else found
    if item_id.startswith(("http://", "https://")) and "url" not in node:
        node["url"] = item_id  # RDFa's `resource` is usually the page itself
    return node


def _properties(root: Any, syntax: _Syntax) -> Iterator[Any]:
    """The elements carrying properties of `root`'s item: not those inside a nested item."""
    stack = list(reversed(list(root)))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        nested = syntax.is_item(element)
        if element.get(syntax.prop) is not None:
            yield element
        if not nested:  # a nested item's own properties are its own
            stack.extend(reversed(list(element)))


def _value(element: Any, key: str) -> str:
    content = element.get("content")
    if content is not None:
        return str(content)
    tag = element.tag.lower()
    if tag == "time" and element.get("datetime"):
        return str(element.get("datetime"))
    attribute = _URL_ATTRIBUTES.get(tag)
    if attribute and element.get(attribute):
        return str(element.get(attribute))
    if tag == "meta":
        return ""
    if key.lower() in _HTML_VALUED:
        return _inner_html(element)
    return " ".join(element.text_content().split())


def _inner_html(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts).strip()

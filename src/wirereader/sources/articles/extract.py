"""An article page -> one `RawEntry`: title, author, date, main text, captions, links, embeds.

trafilatura finds the main text; around it we (1) rewrite embedded posts as plain quotes and
captions as marked paragraphs, (2) prune furniture boxes from the HTML, (3) convert trafilatura's
tree to our body format and (4) filter the furniture it still kept. Everything that reaches the
entry passes through text.clean_text / clean_line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone, tzinfo
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.utils import load_html

from wirereader.core.model import Kind, Link, Quote, RawEntry, text_hash
from wirereader.core.text import clean_line, clean_text
from wirereader.sources.articles import blocks as blockmod
from wirereader.sources.articles.boilerplate import drop_boilerplate, prune_tree
from wirereader.sources.articles.embeds import rewrite_embeds

MAX_HTML_CHARS = 8 * 1024 * 1024  # a page bigger than this is cut: articles are far smaller


class ExtractionError(ValueError):
    """The page has no article text we can find; str() is a one-line reason."""


@dataclass
class Article:
    title: str
    body: str
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    url: str = ""  # the page's canonical URL when it names one, else the URL it came from
    site: str = ""
    description: str = ""
    links: list[Link] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def content_hash(self) -> str:
        return text_hash(self.title, self.body, self.author)

    def to_entry(self, stable_id: str = "") -> RawEntry:
        """The article as an entry. Embedded posts stay in the body, in place, as `> ` lines
        (they are part of the story's flow); their URLs become links, not `quotes`, so a reader
        that shows an entry's quotes after its body does not show them twice."""
        return RawEntry(
            title=self.title,
            body=self.body,
            stable_id=stable_id or (f"url:{self.url}" if self.url else ""),
            author=self.author,
            published=self.published,
            updated=self.updated,
            url=self.url,
            kind=Kind.ARTICLE,
            links=self.all_links(),
        )

    def all_links(self) -> list[Link]:
        """The article's links, then the embedded posts' own URLs."""
        seen = {link.url for link in self.links}
        out = list(self.links)
        for quote in self.quotes:
            if quote.url and quote.url not in seen:
                seen.add(quote.url)
                who = " ".join(
                    x for x in (quote.author, f"({quote.handle})" if quote.handle else "") if x
                )
                out.append(Link(url=quote.url, title=f"post by {who or 'unknown'}", rel="related"))
        return out


def extract_article(html: str, *, url: str = "", tz: tzinfo | None = None) -> Article:
    """The article in `html`; ExtractionError when the page has no main text."""
    if not html or not html.strip():
        raise ExtractionError("empty page")
    tree = load_html(html[:MAX_HTML_CHARS])
    if tree is None:
        raise ExtractionError("not an HTML page")
    dates = _page_dates(tree, tz)
    quotes = rewrite_embeds(tree)
    _captions_as_paragraphs(tree)
    prune_tree(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
        include_formatting=True,
        favor_recall=True,
        deduplicate=False,
    )
    if isinstance(document, dict) or document is None or document.body is None:
        raise ExtractionError("no article text found on the page")
    base = url or (document.url or "")
    found, media = blockmod.walk_body(document.body, base)
    title = clean_line(document.title or "")
    if found and found[0].kind == "h" and _same_words(found[0].text, title):
        found = found[1:]  # the page's own headline repeated as the first heading
    kept = drop_boilerplate(found)
    if all(block.only_links for block in kept):
        kept = []  # a page of links only (a menu, an index) has no article
    body = clean_text(blockmod.render([_caption(b) for b in kept]))
    links = blockmod.links_of(kept, media)
    if not body:
        raise ExtractionError("no article text found on the page")
    published = dates[0] or _day(document.date)
    return Article(
        title=title or clean_line(body.split("\n", 1)[0], 200),
        body=body,
        author=clean_line(document.author or "", 300),
        published=published,
        updated=dates[1],
        url=document.url or url,
        site=clean_line(document.sitename or "", 200),
        description=clean_line(document.description or "", 1000),
        links=links,
        quotes=quotes,
    )


def _caption(block: blockmod.Block) -> blockmod.Block:
    if block.kind == "caption":
        return replace(block, kind="p", text=f"Image: {block.text}")
    return block


def _same_words(a: str, b: str) -> bool:
    return a.casefold().split() == b.casefold().split()


def _captions_as_paragraphs(tree: lxml_html.HtmlElement) -> None:
    """trafilatura drops <figcaption>; keep each as a marked paragraph right after its figure."""
    for caption in list(tree.iter("figcaption")):
        text = " ".join(caption.text_content().split())
        figure = caption.getparent()
        caption.drop_tree()
        if not text or figure is None:
            continue
        para = lxml_html.Element("p")
        para.text = f"{blockmod.CAPTION_MARK}{text}"
        anchor = figure if figure.tag == "figure" and figure.getparent() is not None else None
        if anchor is not None:
            para.tail, anchor.tail = anchor.tail, None
            anchor.addnext(para)
        else:
            figure.append(para)


# -- dates --------------------------------------------------------------------------------------

_DATE_META = (
    ("property", "article:published_time", 0),
    ("itemprop", "datePublished", 0),
    ("name", "pubdate", 0),
    ("name", "date", 0),
    ("property", "article:modified_time", 1),
    ("itemprop", "dateModified", 1),
)
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|BlogPosting", re.I)


def _page_dates(tree: lxml_html.HtmlElement, tz: tzinfo | None) -> list[datetime | None]:
    """[published, modified] with their time of day, from JSON-LD, meta tags or <time>."""
    found: list[datetime | None] = [None, None]
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        for node in _json_ld_nodes(script.text):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                continue
            for slot, key in ((0, "datePublished"), (1, "dateModified")):
                if found[slot] is None:
                    found[slot] = _parse_time(node.get(key), tz)
    for attr, value, slot in _DATE_META:
        if found[slot] is None:
            for meta in tree.iter("meta"):
                if (meta.get(attr) or "").lower() == value.lower():
                    found[slot] = _parse_time(meta.get("content"), tz)
                    if found[slot] is not None:
                        break
    if found[0] is None:
        for time_element in tree.iter("time"):
            found[0] = _parse_time(time_element.get("datetime"), tz)
            if found[0] is not None:
                break
    return found


def _json_ld_nodes(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    nodes: list[dict[str, Any]] = []
    stack = [data]
    while stack and len(nodes) < 200:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            nodes.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph)
    return nodes


def _parse_time(value: Any, tz: tzinfo | None) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0100 -> +01:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or timezone.utc)
    return moment


def _day(value: str | None) -> datetime | None:
    """trafilatura's date is a day only: noon UTC keeps it on that day in nearly every zone."""
    if not value:
        return None
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(hour=12, tzinfo=timezone.utc)

"""Live-blog pages: schema.org `LiveBlogPosting` -> one entry per `liveBlogUpdate`.

The posting is read from JSON-LD, else from microdata or RDFa in the HTML (`liveblog_markup`).

What real pages do, and what we do about it:
- the posting sits at the top level, in a list, or in an `@graph` wrapper; `@type` may be a list;
  updates are in `liveBlogUpdate`, `blogPost` or `blogPosts`, as one object or a list;
- `articleBody` may be missing, an object (`{"@value": ...}`, `{"text": ...}`) or HTML with
  entities (`&apos;`); headlines may be entity-escaped too;
- times carry offsets written `+01:00`, `+0000` or `Z` (and fractions of a second);
- updates often repeat the parent's headline, description or author: repeats are not news, so a
  repeated headline gives way to the update's first line and a repeated author to the one the
  page's HTML shows for that update;
- JSON-LD blocks may hold JS comments, raw control characters or `null`;
- where JSON-LD lacks an update's time, author or text, the page's HTML supplies it: the element
  whose id matches the update's URL fragment (or, failing that, the n-th element carrying a
  per-entry time) with a `time[datetime]`, a data attribute (`data-post-time`, `data-timestamp`,
  ...; ISO or epoch seconds / milliseconds) and its author and text.

`parse_page` raises `NotALiveBlog` for a page without live-blog data, so the caller can fall back
to article extraction.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from wirereader.core.model import Link, ParsedDocument, RawEntry
from wirereader.core.text import clean_line, normalise_for_match
from wirereader.sources import urls
from wirereader.sources.htmltext import html_to_text, looks_like_html, plain_to_text
from wirereader.sources.liveblog_markup import live_blog_postings
from wirereader.sources.textcapture import kind_of

MAX_PAGE_CHARS = 16 * 1024 * 1024
MAX_JSON_LD_CHARS = 8 * 1024 * 1024
MAX_UPDATES = 5000
_LIVE_TYPES = {"liveblogposting"}
_UPDATE_KEYS = ("liveBlogUpdate", "blogPost", "blogPosts")
_TIME_ATTRIBUTES = (
    "data-post-time",
    "data-timestamp",
    "data-published",
    "data-published-time",
    "data-time",
    "data-datetime",
    "data-date",
    "data-utime",
    "data-epoch",
)
_ID_ATTRIBUTES = ("id", "data-id", "data-post-id", "data-entry-id", "data-block-id", "name")
_NAME = re.compile(r"^[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|van|von|da|di|du|del|la|le|al)){0,4}$")


class NotALiveBlog(ValueError):
    """The page carries no live-blog data (no LiveBlogPosting with updates)."""


# -- public API --------------------------------------------------------------------------------


def parse_page(page: str, *, url: str = "", tz: tzinfo | None = None) -> ParsedDocument:
    """One entry per live-blog update on the page. Raises NotALiveBlog when there are none."""
    page = page[:MAX_PAGE_CHARS]
    has_json_ld = "ld+json" in page
    if not has_json_ld and "liveblogposting" not in page.lower():
        raise NotALiveBlog("no JSON-LD, microdata or RDFa live blog on the page")
    tree = _tree(page)
    if tree is None:
        raise NotALiveBlog("not an HTML page")
    warnings: list[str] = []
    blocks = list(json_ld_blocks(tree, warnings)) if has_json_ld else []
    posting = next((node for node in _nodes(blocks) if _is_live_blog(node)), None)
    if posting is None:
        # The same schema.org data written as microdata or RDFa attributes in the HTML.
        posting = next((n for n in live_blog_postings(tree) if _is_live_blog(n)), None)
    if posting is None:
        raise NotALiveBlog("no schema.org LiveBlogPosting with updates on the page")
    updates = [u for u in _updates(posting) if isinstance(u, dict)][:MAX_UPDATES]
    page_url = _text(posting.get("url")) or url
    context = _Parent(
        headline=_plain(_text(posting.get("headline")) or _text(posting.get("name"))),
        description=_plain(_text(posting.get("description"))),
        author=_author(posting.get("author")),
        url=page_url,
        tz=tz,
        image=_image(posting.get("image")),
    )
    fallback = _HtmlEntries(tree, len(updates))
    entries: list[RawEntry] = []
    for index, update in enumerate(updates):
        entry = _entry(update, index, context, fallback)
        if entry is not None:
            entries.append(entry)
    if not entries:
        raise NotALiveBlog("the LiveBlogPosting has no readable updates")
    return ParsedDocument(
        entries,
        title=context.headline,
        url=clean_line(page_url),
        format="liveblog-html",
        warnings=warnings,
    )


# -- JSON-LD -------------------------------------------------------------------------------------


def _tree(page: str) -> Any:
    try:
        parser = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
        return lxml_html.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def json_ld_blocks(tree: Any, warnings: list[str] | None = None) -> Iterator[Any]:
    """Every JSON-LD block on the page, parsed leniently (comments, control characters)."""
    for number, script in enumerate(tree.iter("script"), start=1):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "")[:MAX_JSON_LD_CHARS].strip()
        if not raw:
            continue
        value = loads_lenient(raw)
        if value is _UNREADABLE:
            if warnings is not None:
                warnings.append(f"JSON-LD block {number} is not valid JSON; skipped")
            continue
        if value is not None:
            yield value


_UNREADABLE = object()


def loads_lenient(raw: str) -> Any:
    """JSON as pages write it: raw control characters in strings, JS comments, a stray `;`."""
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    for candidate in (raw, _without_comments(raw)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return _UNREADABLE


def _without_comments(raw: str) -> str:
    """`//` and `/* */` comments and trailing commas removed, strings left alone."""
    out: list[str] = []
    i, n = 0, len(raw)
    start = 0
    while i < n:
        ch = raw[i]
        if ch == '"':
            i += 1
            while i < n and raw[i] != '"':
                i += 2 if raw[i] == "\\" else 1
            i += 1
        elif ch == "/" and i + 1 < n and raw[i + 1] in "/*":
            out.append(raw[start:i])
            if raw[i + 1] == "/":
                end = raw.find("\n", i)
                i = n if end < 0 else end
            else:
                end = raw.find("*/", i + 2)
                i = n if end < 0 else end + 2
            start = i
        elif ch == ",":
            following = _NEXT_TOKEN.match(raw, i + 1)
            if following and following.group(1) in "}]":
                out.append(raw[start:i])  # a trailing comma, which JS allows and JSON does not
                start = i + 1
            i += 1
        else:
            i += 1
    out.append(raw[start:])
    return "".join(out)


# What follows a comma: whitespace and comments, then the next significant character.
_NEXT_TOKEN = re.compile(r"(?:\s|//[^\n]*|/\*.*?\*/)*(.)", re.DOTALL)


def _nodes(blocks: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object in the blocks, through lists and @graph wrappers (bounded)."""
    stack: list[Any] = list(reversed(blocks))
    seen = 0
    while stack and seen < 100_000:
        value = stack.pop()
        seen += 1
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            yield value
            graph = value.get("@graph")
            if isinstance(graph, (list, dict)):
                stack.append(graph)
            main = value.get("mainEntity")
            if isinstance(main, (list, dict)):
                stack.append(main)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _is_live_blog(node: dict[str, Any]) -> bool:
    return bool(_types(node) & _LIVE_TYPES) and any(node.get(key) for key in _UPDATE_KEYS)


def _updates(posting: dict[str, Any]) -> Iterator[Any]:
    for key in _UPDATE_KEYS:
        value = posting.get(key)
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):
            yield from value


# -- one update ----------------------------------------------------------------------------------


@dataclass
class _Parent:
    headline: str
    description: str
    author: str
    url: str
    tz: tzinfo | None
    image: str = ""


def _entry(
    update: dict[str, Any], index: int, parent: _Parent, page: _HtmlEntries
) -> RawEntry | None:
    own_url = _text(update.get("url")) or _text(update.get("@id"))
    found = page.find(own_url, index)
    # "#update-3" is the update's place on the page: its links resolve against the page
    # ('http://[::1': the update is kept, without a link of its own)
    url = urls.joined(parent.url if own_url else "", own_url) or ""
    headline = _plain(_text(update.get("headline")) or _text(update.get("name")))
    if _same(headline, parent.headline):
        headline = ""
    body_html = _article_body(update.get("articleBody")) or _text(update.get("text"))
    if not body_html:
        description = _text(update.get("description"))
        if not _same(_plain(description), parent.description):
            body_html = description
    if looks_like_html(body_html):
        body, links = html_to_text(body_html, base_url=url or parent.url)
    else:
        body, links = plain_to_text(body_html), []
    published = _time(update.get("datePublished"), parent.tz)
    modified = _time(update.get("dateModified"), parent.tz)
    if published is None and found is not None:
        published = found.published(parent.tz)
    author = _author(update.get("author"))
    if (not author or author == parent.author) and found is not None:
        author = found.author() or author
    if not body and found is not None:
        body, links = found.text(headline, url or parent.url)
    if _same(body, headline):
        body = ""
    title = headline or _first_line(body)
    if not title and not body:
        return None
    stable_id = _text(update.get("@id")) or own_url
    if stable_id and "#" not in stable_id and stable_id == parent.url:
        stable_id = ""  # every update pointing at the page is no id at all
    image = _image(update.get("image"))
    if image and image != parent.image and all(link.url != image for link in links):
        links.append(Link(url=image, rel="media"))
    return RawEntry(
        title=clean_line(title),
        body=body,
        stable_id=clean_line(stable_id),
        author=clean_line(author),
        published=published or modified,
        updated=modified if published and modified and modified != published else None,
        url=clean_line(url or parent.url),
        kind=kind_of(title),
        links=links,
    )


def _article_body(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("@value", "text", "articleBody", "value"):
            if isinstance(value.get(key), str):
                return str(value[key])
    if isinstance(value, list):
        return "\n\n".join(part for part in (_article_body(v) for v in value[:200]) if part)
    return ""


def _author(value: Any) -> str:
    if isinstance(value, str):
        return _plain(value)
    if isinstance(value, dict):
        return _plain(_text(value.get("name")))
    if isinstance(value, list):
        names = [_author(v) for v in value[:10]]
        return ", ".join(name for name in names if name)
    return ""


def _image(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else ""


def _text(value: Any) -> str:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) else ""


def _plain(value: str) -> str:
    """A one-line field that may be entity-escaped or carry tags."""
    if looks_like_html(value):
        value = html_to_text(value)[0]
    return clean_line(value)


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and normalise_for_match(a) == normalise_for_match(b)


def _first_line(body: str, limit: int = 120) -> str:
    first = body.split("\n", 1)[0].lstrip("#>- ").strip()
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_time(value: Any, tz: tzinfo | None = None) -> datetime | None:
    """ISO 8601 with `Z`, `+01:00` or `+0000`, or epoch seconds / milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return _epoch(float(text))
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz or timezone.utc)


_time = parse_time


def _epoch(number: float) -> datetime | None:
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


# -- the page's HTML, for what JSON-LD leaves out ------------------------------------------------


class _Found:
    """The HTML element of one update."""

    def __init__(self, element: Any) -> None:
        self.element = element

    def published(self, tz: tzinfo | None) -> datetime | None:
        for candidate in self.element.iter():
            if not isinstance(candidate.tag, str):
                continue
            for attribute in _TIME_ATTRIBUTES:
                moment = parse_time(candidate.get(attribute), tz)
                if moment is not None:
                    return moment
            if candidate.tag == "time":
                moment = parse_time(candidate.get("datetime"), tz)
                if moment is not None:
                    return moment
        return None

    def author(self) -> str:
        for candidate in self.element.iter():
            if not isinstance(candidate.tag, str):
                continue
            marks = " ".join(
                (candidate.get(name) or "").lower() for name in ("class", "itemprop", "rel")
            )
            if "author" in marks or "byline" in marks:
                name = clean_line(candidate.text_content())
                if name and len(name) < 80:
                    return name.removeprefix("By ").removeprefix("by ")
        # The name printed right after the entry's time, as many live blogs do.
        for time_element in self.element.iter("time"):
            sibling = time_element.getnext()
            if sibling is not None:
                name = clean_line(sibling.text_content())
                if _looks_like_name(name):
                    return name
            break
        return ""

    def text(self, headline: str, base_url: str) -> tuple[str, list[Link]]:
        """The element's text without its headline, time and author line."""
        element = copy.deepcopy(self.element)
        for time_element in list(element.iter("time")):
            sibling = time_element.getnext()
            if sibling is not None and _NAME.match(clean_line(sibling.text_content())):
                # the author line (or a label such as KEY EVENT) is not body text
                sibling.drop_tree()
            time_element.drop_tree()
        for heading in list(element.iter("h1", "h2", "h3", "h4", "h5", "h6")):
            if _same(heading.text_content(), headline):
                heading.drop_tree()
                break
        markup = etree.tostring(element, encoding="unicode", method="html")
        text, links = html_to_text(markup, base_url=base_url)
        # Embedded posts the page fills in with script: <div class="tweet" data-url="...">.
        for embed in element.xpath(".//*[@data-url or @data-href]"):
            url = embed.get("data-url") or embed.get("data-href") or ""
            if url.startswith(("http://", "https://")) and all(x.url != url for x in links):
                links.append(Link(url=url, rel="media"))
        return text, links


class _HtmlEntries:
    """Looks up an update's element by its URL fragment, else by position."""

    def __init__(self, tree: Any, count: int) -> None:
        self.tree = tree
        self.count = count
        self._by_id: dict[str, Any] | None = None
        self._ordered: list[Any] | None = None

    def find(self, url: str, index: int) -> _Found | None:
        fragment = url.rsplit("#", 1)[1] if "#" in url else ""
        if fragment:
            ids = self._ids()
            element = ids.get(fragment)
            if element is None:
                element = ids.get(_digits(fragment))
            if element is not None:
                return _Found(element)
        ordered = self._timed()
        if len(ordered) == self.count and index < len(ordered):
            return _Found(ordered[index])
        return None

    def _ids(self) -> dict[str, Any]:
        if self._by_id is None:
            self._by_id = {}
            for element in self.tree.iter():
                if not isinstance(element.tag, str) or element.tag in ("script", "style"):
                    continue
                for attribute in _ID_ATTRIBUTES:
                    value = element.get(attribute)
                    if value:
                        self._keep(value, element)
                        digits = _digits(value)
                        if digits:
                            self._keep(digits, element)
        return self._by_id

    def _keep(self, key: str, element: Any) -> None:
        """The first element for a key, unless a later one looks more like an entry.

        Pages repeat an update's id on a 'key events' link; the entry is the element that
        carries a time (attribute or <time> inside).
        """
        assert self._by_id is not None
        current = self._by_id.get(key)
        if current is None or (_entry_score(element) > _entry_score(current)):
            self._by_id[key] = element

    def _timed(self) -> list[Any]:
        """Elements that carry a per-entry time attribute, outermost only, in page order."""
        if self._ordered is None:
            found: list[Any] = []
            taken: set[Any] = set()
            for element in self.tree.iter():
                if not isinstance(element.tag, str):
                    continue
                if any(element.get(a) for a in _TIME_ATTRIBUTES) and not any(
                    ancestor in taken for ancestor in element.iterancestors()
                ):
                    found.append(element)
                    taken.add(element)
            if len(found) != self.count:
                found = [t for t in self.tree.iter("time") if t.get("datetime")]
            self._ordered = found
        return self._ordered


# Labels live blogs print where the author's name usually goes.
_LABELS = {
    "key event",
    "pinned",
    "pinned post",
    "breaking",
    "update",
    "updated",
    "live",
    "featured",
    "highlight",
    "important",
    "summary",
    "recap",
    "analysis",
    "just in",
}


def _looks_like_name(text: str) -> bool:
    return (
        len(text) < 60
        and bool(_NAME.match(text))
        and not text.isupper()  # "KEY EVENT", "BREAKING"
        and text.lower() not in _LABELS
    )


def _entry_score(element: Any) -> int:
    if any(element.get(attribute) for attribute in _TIME_ATTRIBUTES):
        return 3
    if element.tag == "article" or next(element.iter("time"), None) is not None:
        return 2
    return 0 if element.tag == "a" else 1


def _digits(value: str) -> str:
    match = re.search(r"\d{4,}", value)
    return match.group(0) if match else ""

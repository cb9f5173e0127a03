"""Embedded posts (X/Twitter, Instagram, Bluesky, Mastodon ...) found in an article page.

Each embed becomes a `model.Quote` and is rewritten in the page as a plain quotation with one
attribution line, so the extracted text reads `> what was posted` / `> — Name (@handle), date`
instead of a tangle of widget text and `pic.twitter.com` links.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from wirereader.core.model import Quote
from wirereader.core.text import clean_line, clean_text

_EMBED_CLASS = re.compile(
    r"\btwitter-(?:tweet|video)\b|\binstagram-media\b|\btiktok-embed\b|\bbluesky-embed\b|"
    r"\bmastodon-embed\b|\btext-post-media\b|\bfb-post\b|\bsocial-embed\b|\bembedded-post\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"[—–-]\s*(?P<name>[^()\n]{1,80}?)\s*\((?P<handle>@[\w.]{1,40})\)"
    r"\s*(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})?"
)
_SHARED_BY = re.compile(
    r"(?:a )?post shared by\s*(?P<name>[^()\n]{1,80}?)\s*\((?P<handle>@[\w.]{1,40})\)", re.I
)
_MEDIA_LINK = re.compile(r"\s*(?:https?://)?(?:pic\.twitter\.com|t\.co)/\S+", re.IGNORECASE)


def is_embed(element: lxml_html.HtmlElement) -> bool:
    return element.tag in ("blockquote", "div", "figure") and bool(
        _EMBED_CLASS.search(element.get("class", ""))
    )


def quote_from_embed(element: lxml_html.HtmlElement) -> Quote | None:
    """The post an embed shows, or None when it carries no text."""
    whole = " ".join(element.text_content().split())
    paragraphs = [" ".join(p.text_content().split()) for p in element.iter("p")]
    paragraphs = [p for p in paragraphs if p and not _SHARED_BY.search(p)]
    author = handle = date = ""
    match = _ATTRIBUTION.search(whole) or _SHARED_BY.search(whole)
    if match:
        author, handle = match.group("name"), match.group("handle")
        date = match.groupdict().get("date") or ""
    body = paragraphs[0] if paragraphs else (whole[: match.start()] if match else whole)
    body = _MEDIA_LINK.sub("", body).strip()
    if not body:
        return None
    url = element.get("data-instgrm-permalink", "") or element.get("cite", "")
    if not url:
        links = [a.get("href", "") for a in element.iter("a") if a.get("href", "")]
        posts = [u for u in links if not _MEDIA_LINK.fullmatch(u) and u.startswith("http")]
        url = posts[-1] if posts else ""
    return Quote(
        text=clean_text(body),
        author=clean_line(author, 200),
        handle=clean_line(handle, 60),
        date=clean_line(date, 60),
        url=url if url.startswith(("http://", "https://")) else "",
    )


def attribution(quote: Quote) -> str:
    handle = f"({quote.handle})" if quote.handle else ""
    who = " ".join(part for part in (quote.author, handle) if part)
    return ", ".join(part for part in (who, quote.date) if part)


def rewrite_embeds(root: lxml_html.HtmlElement) -> list[Quote]:
    """Replace every embed in the page with a plain blockquote; return the posts in page order."""
    quotes: list[Quote] = []
    done: set[lxml_html.HtmlElement] = set()
    for element in [e for e in root.iter() if isinstance(e.tag, str) and is_embed(e)]:
        parent = element.getparent()
        if parent is None or any(a in done for a in element.iterancestors()):
            continue  # inside an embed already rewritten
        done.add(element)
        quote = quote_from_embed(element)
        if quote is None:
            element.drop_tree()
            continue
        quotes.append(quote)
        replacement = lxml_html.Element("blockquote")
        para = lxml_html.Element("p")
        para.text = quote.text
        replacement.append(para)
        credit = attribution(quote)
        if credit:
            line = lxml_html.Element("p")
            line.text = f"— {credit}"
            replacement.append(line)
        replacement.tail = element.tail
        parent.replace(element, replacement)
    return quotes

"""`wirereader import page.html`: a saved page becomes entries.

A page with schema.org LiveBlogPosting data is a live blog: one entry per update (the live-blog
parser). Any other page is an article: one entry, extracted like a fetched full text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wirereader.core.model import ParsedDocument

if TYPE_CHECKING:
    from wirereader.sources.context import ParseContext


def parse_html_page(text: str, ctx: ParseContext) -> ParsedDocument:
    live = _as_live_blog(text)
    if live is not None:
        return live
    return parse_article_page(text, ctx)


def parse_article_page(text: str, ctx: ParseContext) -> ParsedDocument:
    """The page as one article entry (ExtractionError, a ValueError, when it has no text)."""
    from wirereader.sources.articles.extract import (
        extract_article,  # trafilatura: load only for pages
    )

    article = extract_article(text, tz=ctx.tz)
    entry = article.to_entry()
    if entry.published is None and ctx.modified is not None:
        entry.published = ctx.modified  # a saved page with no date: when it was saved
    return ParsedDocument(
        entries=[entry],
        title=article.site or article.title,
        url=article.url,
        format="article-page",
    )


def _as_live_blog(text: str) -> ParsedDocument | None:
    from wirereader.sources import liveblog_html

    try:
        return liveblog_html.parse_page(text)
    except liveblog_html.NotALiveBlog:
        return None

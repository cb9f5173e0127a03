"""The data every parser produces and every layer above consumes.

Parsers turn bytes into `RawEntry` objects; the store keys them by (source, stable id) and keeps
every distinct text as a version. Nothing here touches I/O, SQLite or Textual.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What an entry is, recognised from title prefixes or the source format."""

    POST = "post"
    ARTICLE = "article"
    SUMMARY = "summary"
    BREAKING = "breaking"
    ANALYSIS = "analysis"
    VIDEO = "video"
    GALLERY = "gallery"
    MAP = "map"
    RECAP = "recap"
    REMINDER = "reminder"


@dataclass(frozen=True)
class Quote:
    """An embedded post (a tweet, an X post) quoted inside an entry."""

    text: str
    author: str = ""
    handle: str = ""
    date: str = ""  # as written in the embed, e.g. "April 28, 2025"
    url: str = ""


@dataclass(frozen=True)
class Link:
    """A link an entry carries: a 'full report', a picture, a reference."""

    url: str = ""
    title: str = ""
    rel: str = "related"  # "full-report", "media", "related"


@dataclass
class RawEntry:
    """One post of a live blog, one feed item or one article, as parsed.

    `published` is always timezone-aware; parsers that cannot find a time leave it None and the
    store falls back to the time it first saw the entry. `time_guessed` marks a time the source
    did not give (a file's modification day): shown, but not trusted to tell stories apart.
    """

    title: str
    body: str = ""
    stable_id: str = ""
    author: str = ""
    published: datetime | None = None
    time_guessed: bool = False
    updated: datetime | None = None
    url: str = ""
    kind: Kind = Kind.POST
    html: str = ""
    quotes: list[Quote] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # A feed item that is itself a live blog (one item edited in place): a container whose page
    # holds the real entries, not an entry to show as it is.
    live_blog: bool = False

    def __post_init__(self) -> None:
        if not self.stable_id:
            self.stable_id = fallback_stable_id(self.published, self.title)

    def content_hash(self) -> str:
        """Identity of the text a reader sees: a change here makes a new version."""
        return text_hash(self.title, self.body, self.author)


@dataclass
class ParsedDocument:
    """What one parser call returns: the entries and what it learned about the source."""

    entries: list[RawEntry]
    title: str = ""  # the source's own name (feed title, live-blog headline)
    url: str = ""  # the source's home page, where known
    format: str = ""  # "text-capture", "article", "jsonl", "rss", "atom", "json-feed", ...
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False  # the input was cut off; what was recovered is in `entries`
    # The entries' bodies as the cache stores them (`store.texts.pack`), by body, where a
    # parse worker packed them: the writing process then does not pack them again.
    packed_bodies: dict[str, str | bytes] = field(default_factory=dict)
    # The entries' `content_hash()`, by (title, body, author), where a parse worker worked them
    # out: the writing process then does not hash the texts again.
    text_hashes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # What the analysis's preparation made of the entries (`analysis.prepare_pool.Prepared`,
    # packed, keyed by the entries' places in `entries`), where a parse worker was asked to.
    prepared: object = None


def text_hash(title: str, body: str, author: str) -> str:
    """A short digest of what a reader sees of an entry (title, body, author)."""
    h = hashlib.blake2b(digest_size=12)
    for part in (title, body, author):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def fallback_stable_id(published: datetime | None, title: str) -> str:
    """A stable id for entries that carry none: a hash of (time, title)."""
    stamp = published.isoformat() if published else ""
    digest = hashlib.blake2b(f"{stamp}\x00{title}".encode(), digest_size=10).hexdigest()
    return f"h:{digest}"

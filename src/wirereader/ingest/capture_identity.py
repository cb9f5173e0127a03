"""Which source an imported file belongs to, and which stored entry each of its entries is.

A live blog is captured again and again while it runs, and each capture is saved under whatever
name the browser or the user picked. The source is the live blog, not the file name:

- a saved live-blog page that names its own URL is filed under that URL, the key a subscription
  or a feed-followed live blog uses for the same page;
- a text capture carries no URL: it joins the capture source whose entries it shares (the same
  times with the same authors, for at least half of the smaller of the two and two entries);
- an article file whose text one file source already stores, the same id with the same text,
  is that source's file (an article saved again under another name);
- inside that source, an entry whose title was edited keeps its place: the title is part of a
  capture entry's fallback id, so a new id with the same time and author as exactly one stored
  entry that this capture no longer lists is that entry, and the edit becomes a new version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from wirereader.core.model import Kind, ParsedDocument, RawEntry
from wirereader.store import entries as entries_store
from wirereader.store.db import Store

# An overlap smaller than this share of the smaller capture is a different live blog that
# happens to have an entry at the same minute by the same person (a shared wire correspondent).
SAME_BLOG_SHARE = 0.5
SAME_BLOG_MINIMUM = 2


@dataclass(frozen=True)
class SourceChoice:
    key: str
    kind: str
    name: str


def choose_source(
    store: Store, path: Path, fmt: str, document: ParsedDocument, name: str = ""
) -> SourceChoice:
    """The source to file `document` (read from `path` in format `fmt`) under."""
    if name:
        return SourceChoice(f"name:{name}", "file", name)
    own_key = str(path.resolve())
    if entries_store.source_id(store.conn, own_key) is not None:
        return SourceChoice(own_key, "file", path.stem)  # this very file, imported before
    if fmt == "html" and document.format == "liveblog-html" and document.url:
        from wirereader.store.subscriptions import SubscriptionError, normalise_url

        try:
            return SourceChoice(normalise_url(document.url), "page", path.stem)
        except SubscriptionError:
            pass
    if fmt == "text-capture":
        known = _capture_with_the_same_entries(store, document.entries)
        if known is not None:
            return SourceChoice(known, "file", path.stem)
    # An article file whose text a file source already stores as it is (the same id, the
    # same text): that source's article saved again or elsewhere, such as the bundled article
    # the demo files as 'article-sample' imported again by its path. (Not a feed file: two
    # copies of one feed stay two sources, as they were.)
    if document.entries and all(e.kind is Kind.ARTICLE for e in document.entries):
        known = entries_store.file_source_holding(
            store.conn, [(e.stable_id, e.content_hash()) for e in document.entries]
        )
        if known is not None:
            return SourceChoice(known, "file", path.stem)
    return SourceChoice(own_key, "file", path.stem)


def _moments(entries: list[RawEntry]) -> Counter[tuple[int, str]]:
    return Counter(
        (int(e.published.timestamp()), e.author)
        for e in entries
        if e.published is not None and e.kind is not Kind.SUMMARY
    )


def _capture_with_the_same_entries(store: Store, entries: list[RawEntry]) -> str | None:
    moments = _moments(entries)
    if len(moments) < SAME_BLOG_MINIMUM:
        return None
    rows = entries_store.entries_at(
        store.conn, sorted({epoch for epoch, _ in moments}), file_sources_only=True
    )
    shared: Counter[int] = Counter()
    for source_id, epoch, author, _, kind in rows:
        if kind != Kind.SUMMARY.value and (int(epoch), str(author)) in moments:
            shared[int(source_id)] += 1
    for source_id, count in shared.most_common():
        size = entries_store.counted_entries(store.conn, source_id)
        if count >= max(SAME_BLOG_MINIMUM, SAME_BLOG_SHARE * min(len(moments), size)):
            return entries_store.source_key(store.conn, source_id)
    return None


def keep_edited_entries(store: Store, source_key: str, entries: list[RawEntry]) -> list[RawEntry]:
    """`entries` with the stored id given back to each one whose title was edited (see above)."""
    source_id = entries_store.source_id(store.conn, source_key)
    if source_id is None:
        return entries
    listed = {e.stable_id for e in entries}
    stored_ids = entries_store.stable_ids(store.conn, source_id)
    unknown = [
        i
        for i, e in enumerate(entries)
        if e.stable_id not in stored_ids and e.published is not None and e.kind is not Kind.SUMMARY
    ]
    if not unknown:
        return entries
    epochs = sorted({int(entries[i].published.timestamp()) for i in unknown})  # type: ignore[union-attr]
    # Stored entries this capture no longer lists, by (time, author).
    orphans: dict[tuple[int, str], list[str]] = {}
    for _, epoch, author, stable_id, kind in entries_store.entries_at(
        store.conn, epochs, source_id=source_id
    ):
        if kind != Kind.SUMMARY.value and stable_id not in listed:
            orphans.setdefault((int(epoch), str(author)), []).append(str(stable_id))
    claims: dict[tuple[int, str], list[int]] = {}
    for i in unknown:
        published = entries[i].published
        assert published is not None
        claims.setdefault((int(published.timestamp()), entries[i].author), []).append(i)
    result = list(entries)
    for moment, claimants in claims.items():
        candidates = orphans.get(moment, [])
        if len(claimants) == 1 and len(candidates) == 1:  # anything else would be a guess
            result[claimants[0]] = replace(result[claimants[0]], stable_id=candidates[0])
    return result

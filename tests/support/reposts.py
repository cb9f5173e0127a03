"""A small cache of one wire and an outlet reposting every fifth of its entries: the dedup
store's tests (key levels, the stored keys' filter) run the analysis over it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from wirereader.core.model import RawEntry
from wirereader.store.db import Store

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
_WORDS = [f"{a}{b}" for a in ("har", "kel", "mor", "tas", "vin", "pol") for b in ("bo", "da", "ni")]


def repost_entry(tag: str, n: int, minutes: int, copy_of: int | None = None) -> RawEntry:
    """A text of its own (two paragraphs, long enough for every kind of key), or, with
    `copy_of`, the text of that entry of tag "a" (a repost)."""
    text = f"{tag} {n}" if copy_of is None else f"a {copy_of}"
    rng = random.Random(text)
    paragraphs = [" ".join(rng.choice(_WORDS) for _ in range(24)) for _ in range(2)]
    return RawEntry(
        title=f"Report {text}",
        body="\n\n".join(paragraphs),
        stable_id=f"{tag}-{n}",
        published=T0 + timedelta(minutes=minutes),
    )


def fill_with_reposts(store: Store) -> None:
    """Two sources; the second reposts every fifth entry of the first, some hours later."""
    first = store.ensure_source("test:wire", "feed", name="wire")
    second = store.ensure_source("test:other", "feed", name="other")
    store.save_entries(first, [repost_entry("a", n, n) for n in range(150)], seen_at=1_770_000_000)
    copies = [repost_entry("b", n, 200 + n, copy_of=n) for n in range(0, 150, 5)]
    store.save_entries(second, copies, seen_at=1_770_000_000)

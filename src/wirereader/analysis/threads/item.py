"""A new item as the thread index places it: its vector and what its length sets.

Data flow: the index (`index.py`) makes an `Item` of each entry of a batch, from the entry and
its TF-IDF vector, before grouping and placing it; groups, threads' kept items and read-back
items of earlier runs are lists of them. An item's threshold and time decay follow its length
(`threshold`, `decay_scale`: a headline needs less overlap, and nearness in time weighs more
for it); `decay` is the time factor every placement applies. Imports no other module of the
index but `grouping`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from typing import NamedTuple

from wirereader.analysis.dedup.reposts import Entry
from wirereader.analysis.features import (
    strip_kind_prefix,
    terms,
)
from wirereader.analysis.sums import ordered_sum
from wirereader.analysis.threads import grouping
from wirereader.analysis.threads.grouping import FLOOR_FADE_DAYS, lead_of

THRESHOLD_SHORT = 0.016
THRESHOLD_LONG = 0.16
LONG_ITEM_TERMS = 40
VERY_LONG_ITEM_TERMS = 250
THRESHOLD_VERY_LONG = 0.19
DECAY_HOURS = 72.0
FLOOR = 0.7
# A headline says little, so being near its story in time is a larger part of the evidence:
# items with few terms decay over hours, not days (ramping to the above at LONG_ITEM_TERMS).
SHORT_DECAY_HOURS = 0.5
SHORT_FLOOR = 0.2


def decay_scale(distinct_terms: int) -> tuple[float, float]:
    """(hours, floor) of the time decay for an item this long; both grow with its length."""
    share = min(1.0, distinct_terms / LONG_ITEM_TERMS)
    hours = SHORT_DECAY_HOURS * (DECAY_HOURS / SHORT_DECAY_HOURS) ** share  # hours .. days
    return hours, SHORT_FLOOR + (FLOOR - SHORT_FLOOR) * share


def decay(gap_seconds: float, hours: float, floor: float, dated: bool = False) -> float:
    """How much of a similarity survives `gap_seconds` between two items, at this scale: it
    falls over `hours` to the floor, and for an item whose source gave its time the floor
    itself fades over FLOOR_FADE_DAYS (as `grouping.fading_decay`: reports of one event come
    within days; a guessed time is weighed, never trusted to keep items apart)."""
    gap = abs(gap_seconds)
    fade = 1.0 / (1.0 + gap / (86400.0 * FLOOR_FADE_DAYS)) if dated else 1.0
    return floor * fade + (1.0 - floor) * math.exp(-gap / 3600.0 / hours)


def time_factor(gap_seconds: float, distinct_terms: int = LONG_ITEM_TERMS) -> float:
    """The decay for an item with this many distinct terms."""
    return decay(gap_seconds, *decay_scale(distinct_terms))


def threshold(distinct_terms: int) -> float:
    share = min(1.0, distinct_terms / LONG_ITEM_TERMS)
    base = THRESHOLD_SHORT + (THRESHOLD_LONG - THRESHOLD_SHORT) * share
    if distinct_terms <= LONG_ITEM_TERMS:
        return base
    extra = min(1.0, (distinct_terms - LONG_ITEM_TERMS) / (VERY_LONG_ITEM_TERMS - LONG_ITEM_TERMS))
    return base + (THRESHOLD_VERY_LONG - THRESHOLD_LONG) * extra


class Item(NamedTuple):
    """A new item being placed: its vector and what its length sets (worked out once)."""

    entry: Entry
    vector: dict[str, float]
    limit: float  # its threshold
    hours: float  # its time decay scale
    floor: float
    article: bool  # long enough for the grouping's cohesion test
    headline: dict[str, float]  # its title's unit vector (a short item's only)
    teased: bool  # it has text beyond its title (see grouping.TITLE_MIN)
    outlet: int  # its source, if it has a link of its own; else a number no other item has
    link: int  # a checksum of that link (without its #fragment)
    # The multi-word people and organisations its vector holds (see EVENT_COSINE).
    anchors: tuple[str, ...] = ()
    # What grouping.PLACES_APART reads of a short teased item naming a place in its title or
    # lead (None for any other item), kept as the item is: a kept or read-back item has no text.
    lead: grouping.Lead | None = None

    @classmethod
    def of(
        cls,
        entry: Entry,
        vector: dict[str, float],
        distinct: int,
        entities: Iterable[str] | None = None,
        teased: bool | None = None,
    ) -> Item:
        """`entities`: the item's entity terms, where known (its anchors are then looked
        for among them, not among all its vector's terms); `teased`: whether it is teased,
        where known (a stored vector says: its body is not read back, and its lead is then
        worked out by the caller, `with_lead`, from its text)."""
        hours, floor = decay_scale(distinct)
        # The entry's text is at hand (no stored vector said whether it is teased): its lead
        # is worked out here, a stored item's by the caller (`with_lead`).
        from_text = teased is None
        article = distinct >= LONG_ITEM_TERMS
        # Only a short item's headline is ever compared (see `names_one_of`).
        title = () if article else terms(strip_kind_prefix(entry.title))
        headline = grouping.title_vector(dict.fromkeys(title), vector) if title else {}
        # (The set difference first: a vector holds its title's terms first, so a scan for a
        # term beyond them walked the whole title, item by item.)
        if teased is None:
            teased = (
                bool(headline)
                and any(t[0] != "@" for t in vector.keys() - headline.keys())
                and not _opens_with(entry.body, entry.title)
            )
        link = entry.url.partition("#")[0]
        # A report at a link of its own is one outlet's report (see
        # grouping.SAME_SOURCE_DISCOUNT); an item without one (a live blog's post) stands alone.
        outlet = entry.source_id if link else -entry.id
        return cls(
            entry,
            vector,
            threshold(distinct),
            hours,
            floor,
            article,
            headline,
            teased,
            outlet,
            zlib.crc32(link.encode()),
            tuple(_anchors(vector, entities)) or _NO_ANCHORS,
            lead_of(entry.title, entry.body, vector)
            if teased and not article and from_text
            else None,
        )

    def with_lead(self, body: str) -> Item:
        """This item (read back from its stored vector) with the `lead` its text gives, as a
        new item's (`of`)."""
        if self.article or not self.teased:
            return self
        return self._replace(lead=lead_of(self.entry.title, body, self.vector))

    def names_one_of(self, headline: dict[str, float]) -> bool:
        """May this item count towards a thread with this headline (its unit title vector)?
        An article always; a headline only if the two share a word (a headline names its
        event; the other words of a teaser are mostly topic words), and a teaser only if the
        two titles are alike as two teasers' must be (grouping.TITLE_MIN)."""
        if self.article:
            return True
        cosine = ordered_sum([w * headline[t] for t, w in self.headline.items() if t in headline])
        return cosine >= grouping.TITLE_MIN if self.teased else cosine > 0


def _opens_with(body: str, title: str) -> bool:
    """Does the body open with the title (case and spacing aside)? Then the title is the
    text's first line (a live blog's post, an article file's first sentence), not a headline
    written apart from it (ECB+: all 772 documents)."""
    title = " ".join(title.split()).casefold()
    return bool(title) and " ".join(body[: 2 * len(title)].split()).casefold().startswith(title)


_NO_ANCHORS: tuple[str, ...] = ()


def _anchors(vector: dict[str, float], entities: Iterable[str] | None = None) -> list[str]:
    """The multi-word people and organisations of an item's vector (see EVENT_COSINE), among
    its entity terms where they are given."""
    named = vector if entities is None else [t for t in dict.fromkeys(entities) if t in vector]
    return [t for t in named if t[0] == "@" and " " in t and t.startswith(("@person:", "@org:"))]

"""Entities across entries: one canonical name per entity, short forms only within a scope.

Full names merge everywhere by their folded key (Zelensky / Zelenskyy / Zelenskiy). A short
form ("Mr Kim", "Kim") merges only with a full name seen in the same thread or source, since
other people share it. Pure: the cache-backed version is in `record`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from wirereader.analysis.entities.extract import (
    ORG,
    PERSON,
    PLACE,
    Mention,
    article_key,
    surname_key,
)
from wirereader.analysis.entities.gazetteer import fold_key, gazetteer


class FoldedKeys(dict[str, str]):
    """`fold_key` of each name asked, worked out once (a resolver's own memo): a batch asks it
    ~4 times per mention (its key read, its short forms, its resolution, its entity), ~32 times
    an entry on the news-like corpus for ~1,850 distinct names a batch of 2,000 entries, at
    ~0.7 us a call. Not bounded itself: the analysis makes a resolver per batch
    (`record.record_entities`), so it holds one batch's names at most."""

    def __missing__(self, name: str) -> str:
        key = self[name] = fold_key(name)
        return key


class EntityResolver:
    """Merges mentions from many entries into entities.

    Full names merge everywhere by their folded key. Short forms ("Mr Kim", "Kim") merge only
    with a full name seen in the same scope (a thread, a source): each call names the scopes
    of its entry, most specific first. A scope where two people share a short form resolves it
    for neither.
    """

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], str] = {}  # (kind, folded key) -> canonical
        self.scoped: dict[tuple[str, str], str | None] = {}  # (scope, short key) -> canonical
        self.folded = FoldedKeys()  # name -> fold_key(name)

    def canonical(self, mention: Mention) -> str:
        key = (mention.kind, self.folded[mention.canonical])
        return self.names.setdefault(key, mention.canonical)

    @staticmethod
    def short_keys(name: str) -> frozenset[str]:
        """The short forms a full name explains within a scope ('kim' for Kim Jong Un); a
        surname the gazetteer already resolves everywhere ('putin') needs no scope."""
        return _short_keys(name)

    def learn(self, mentions: Iterable[Mention], scopes: Sequence[str]) -> None:
        """Record the full names of one entry as explanations of short forms in its scopes."""
        seen: set[str] = set()
        names, folded, scoped = self.names, self.folded, self.scoped
        for m in mentions:
            canonical = m.canonical
            if m.kind != PERSON or m.short or " " not in canonical or canonical in seen:
                continue
            seen.add(canonical)
            name = names.setdefault((PERSON, folded[canonical]), canonical)  # (`canonical`)
            for short in _short_keys(name):
                for scope in scopes:
                    slot = (scope, short)
                    scoped[slot] = name if scoped.get(slot, name) == name else None

    def resolve(self, mentions: Iterable[Mention], scopes: Sequence[str]) -> list[Mention]:
        """The mentions of one entry with canonical names merged across entries."""
        out = []
        names, folded = self.names, self.folded
        for m in mentions:
            if m.short:
                key = folded[m.canonical]
                for scope in scopes:
                    name = self.scoped.get((scope, key))
                    if name:
                        m = Mention(m.surface, name, PERSON, False)
                        break
                else:
                    m = self._merged(self._settled_kind(m, key))
            else:  # (`_merged`, inlined: this runs for every mention of a batch)
                canonical = m.canonical
                name = names.setdefault((m.kind, folded[canonical]), canonical)
                if name != canonical:
                    m = Mention(m.surface, name, m.kind, m.short)
            out.append(m)
        return out

    def _settled_kind(self, m: Mention, key: str) -> Mention:
        """A lone word whose kind was a guess takes the kind its name already has elsewhere
        ('Lyman' a place, 'Shakhtar' an organisation), so one name is one entity."""
        if m.kind == PERSON or (m.kind, key) in self.names:
            return m
        for kind in (PLACE, ORG, PERSON):
            name = self.names.get((kind, key))
            if name is not None:
                return Mention(m.surface, name, kind, m.short)
        return m

    def _merged(self, m: Mention) -> Mention:
        name = self.canonical(m)
        return m if name == m.canonical else Mention(m.surface, name, m.kind, m.short)

    def resolve_batch(
        self, batch: Sequence[tuple[Sequence[Mention], Sequence[str]]]
    ) -> list[list[Mention]]:
        """Learn every full name of the batch first, so order within it does not matter."""
        for mentions, scopes in batch:
            self.learn(mentions, scopes)
        return [self.resolve(mentions, scopes) for mentions, scopes in batch]


@lru_cache(maxsize=8192)
def _short_keys(name: str) -> frozenset[str]:
    """`EntityResolver.short_keys`, worked out once per name: asked for every full name of
    every entry twice (the short forms a batch reads, then learns), it was ~1.3% of the
    analysing process's CPU on the news-like corpus. Bounded at 8,192 names (a few MB): with
    65,536, the run's peak memory at 200,000 news-like entries rose by ~15 MB."""
    g = gazetteer()
    keys = set(g.scoped_aliases.get(name, ()))
    surname = surname_key(name)
    known = g.by_key.get(surname)
    if (known is None or known.kind != PERSON) and not _of_place(name):  # 'kim' is a town too
        keys.add(surname)
    article = article_key(name)  # 'al-Sharaa' for 'Ahmed al-Sharaa'
    if article:
        keys.add(article)
    return frozenset(keys)


def _of_place(name: str) -> bool:
    """Whether a full name ends in 'of' and a word ('Sultan Ahmed bin Sulayem of Dubai', 'Prince
    Andrew of York'): the last word is where the person is of, not what they are called by, so
    the town's name alone in the same thread or source is the town."""
    words = name.split()
    return len(words) > 2 and words[-2].lower() == "of"

"""Entities of entries into the cache: entities, entity_aliases, entry_entities (0020_analysis.sql).

`record_entities` is incremental and idempotent: an entry whose text was already extracted is
skipped, one whose text changed has its mentions replaced (counts follow), and only the state a
batch needs (name keys, the scopes of its entries) is read, so the cost of a batch does not grow
with the cache. Short forms ("Mr Kim") resolve within the entry's thread and source only, through
`entity_scoped_keys` (0025_entities.sql).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any, cast

from wirereader.analysis.entities.extract import Mention, extract
from wirereader.analysis.entities.gazetteer import fold_key, gazetteer, is_acronym
from wirereader.analysis.entities.resolver import EntityResolver
from wirereader.store import entities as entity_store

EntryText = tuple[int, int, "int | None", str, str, str]  # id, source, thread, title, body, author


@dataclass
class EntityReport:
    entries: int = 0  # entries extracted (new or changed)
    skipped: int = 0  # entries whose text was extracted before
    mentions: int = 0
    new_entities: int = 0
    # The entities (ids) of each entry extracted, as now stored in entry_entities: each id
    # once a mention (the thread index ranks an article's names by how often it names them).
    per_entry: dict[int, list[int]] = field(default_factory=dict)


KeyRows = tuple[tuple[str, int, str], ...]  # (kind, entity id, name) of one folded key


class EntityKeys:
    """What `entity_keys` holds for the folded name keys a run has met, kept between its
    batches: key -> the (kind, entity id, name) of every entity it finds, none included (a key
    read and found nothing). A batch reads only the keys it has not met, and the entities it
    creates update what is kept exactly as their `entity_keys` rows do (a row stays where its
    (key, kind) was taken), so a batch resolves exactly as it would reading every key.

    Kept for as long as the newest entity id is the one the last batch left: another writer's
    entities, or a batch rolled back, move it and everything kept is forgotten. Bounded in
    bytes: two generations of at most `LIMIT // 2` bytes each (estimated: `_cost`); a key met
    in the older one moves to the newer, and when the newer is full the older is dropped (the
    news corpus' names are Zipfian: the keys met again and again stay). A count of keys did
    not bound the memory: a key's rows are one per entity it finds, each with its name.

    On 40,000 news-like entries a batch met ~400 distinct keys, ~165 of them new (read, found
    nothing, then created); the run's 13,230 keys all stayed kept, and the other ~235 a batch
    were not read again: the entity stage 73-74 -> 69 us an entry, side by side."""

    LIMIT = 6 << 20  # bytes, both generations (20,000 keys of ~300 bytes before)

    def __init__(self) -> None:
        self.young: dict[str, KeyRows] = {}
        self.old: dict[str, KeyRows] = {}
        self.young_bytes = 0  # the estimated size of `young` (`_cost`)
        self.mark = -1  # the newest entity id when the last batch finished

    def check(self, conn: sqlite3.Connection) -> None:
        if entity_store.newest_entity(conn) != self.mark:
            self.clear()

    def finished(self, conn: sqlite3.Connection) -> None:
        self.mark = entity_store.newest_entity(conn)

    def clear(self) -> None:
        self.young.clear()
        self.old.clear()
        self.young_bytes = 0
        self.mark = -1

    @staticmethod
    def _cost(key: str, rows: KeyRows) -> int:
        """What a kept key holds, estimated from CPython's sizes: its string and dict slot
        (~110 bytes with the characters), the tuple of rows, and each row's tuple, id and
        name (~150 bytes with the name's characters; the kinds are shared constants)."""
        return 110 + len(key) + sum(150 + len(name) for _, _, name in rows)

    def get(self, key: str) -> KeyRows | None:
        rows = self.young.get(key)
        if rows is None:
            rows = self.old.pop(key, None)
            if rows is not None:
                self._put(key, rows)
        return rows

    def _put(self, key: str, rows: KeyRows) -> None:
        if self.young_bytes >= self.LIMIT // 2:
            self.old, self.young = self.young, {}
            self.young_bytes = 0
        self.young[key] = rows
        self.young_bytes += self._cost(key, rows)

    def read(self, conn: sqlite3.Connection, keys: set[str]) -> list[tuple[str, str, int, str]]:
        """(kind, key, entity id, name) of the entities these keys find, as
        `entities_by_key` reads them (in no particular order); the keys not met are read."""
        out: list[tuple[str, str, int, str]] = []
        missing: list[str] = []
        for key in keys:
            kept = self.get(key)
            if kept is None:
                missing.append(key)
            else:
                out.extend((kind, key, entity, name) for kind, entity, name in kept)
        found: dict[str, list[tuple[str, int, str]]] = {key: [] for key in missing}
        for kind, key, entity, name in entity_store.entities_by_key(conn, missing):
            found[key].append((kind, entity, name))
            out.append((kind, key, entity, name))
        for key, rows in found.items():
            self._put(key, tuple(rows))
        return out

    def inserted(self, rows: Sequence[tuple[str, str, int]], name: str) -> None:
        """(kind, key, entity id) rows just inserted, as `insert_entity_keys` does (INSERT OR
        IGNORE), for an entity named `name`."""
        for kind, key, entity in rows:
            kept = self.get(key)
            if kept is not None and all(k != kind for k, _, _ in kept):
                self.young[key] = (*kept, (kind, entity, name))  # (`get` put it there)
                self.young_bytes += 150 + len(name)


def record_entities(
    conn: sqlite3.Connection,
    entries: Sequence[int] | Sequence[EntryText],
    *,
    extracted: dict[int, tuple[str, list[Mention]]] | None = None,
    hashes: dict[int, str] | None = None,
    keys: EntityKeys | None = None,
) -> EntityReport:
    """Extract, resolve and store the entities of `entries` (ids, or rows as in `EntryText`).

    `extracted` holds mentions already extracted (by a worker process), each with the
    `text_hash` of the text it came from: used only when that is still the entry's text.
    `hashes`: the text hashes of some rows, known to be of their very text (the caller
    checked that the worker's text is the row's). `keys`: what a run's earlier batches read
    of `entity_keys` (the same outcome with or without)."""
    rows = _load(conn, entries)
    report = EntityReport()
    known = hashes or {}
    hashes = {row[0]: known.get(row[0]) or _text_hash(row) for row in rows}
    done = dict(entity_store.extracted_hashes(conn, hashes))
    # One row per entry (an id given twice would store its mentions twice).
    todo = list({row[0]: row for row in rows if done.get(row[0]) != hashes[row[0]]}.values())
    report.skipped = len(rows) - len(todo)
    if not todo:
        return report

    ready = extracted or {}
    batch = [(_mentions_of(r, hashes[r[0]], ready), _scopes(r)) for r in todo]
    if keys is not None:
        keys.check(conn)
    resolver = _StoredResolver(conn, keys)
    resolver.preload(batch)
    resolved = resolver.resolve_batch(batch)
    ids = resolver.entity_ids(resolved, report)
    resolver.save_scopes()
    if keys is not None:
        keys.finished(conn)

    per_entry: list[tuple[int, dict[int, int]]] = []
    folded = resolver.folded
    aliases: set[tuple[str, int]] = set()
    for row, mentions in zip(todo, resolved, strict=True):
        counts: dict[int, int] = {}
        for m in mentions:
            entity = ids[(m.kind, folded[m.canonical])]
            counts[entity] = counts.get(entity, 0) + 1
            if m.surface != m.canonical:  # the name itself is found by entities.name
                aliases.add((m.surface, entity))
        per_entry.append((row[0], counts))
        report.per_entry[row[0]] = [e for e, n in counts.items() for _ in range(n)]
        report.mentions += len(mentions)
    _replace_mentions(conn, per_entry)
    entity_store.insert_aliases(conn, sorted(aliases))
    entity_store.mark_extracted(conn, [(row[0], hashes[row[0]]) for row in todo])
    report.entries = len(todo)
    return report


def _mentions_of(
    row: EntryText, text_hash: str, ready: dict[int, tuple[str, list[Mention]]]
) -> list[Mention]:
    found = ready.get(row[0])
    if found is not None and found[0] == text_hash:
        return found[1]
    return extract(row[3], row[4], authors=(row[5],))


def text_mentions(title: str, body: str, author: str) -> tuple[str, list[Mention]]:
    """The text hash and mentions of one entry's text, as `record_entities` would extract them
    (run in a worker process ahead of the batch)."""
    return _text_hash((0, 0, None, title, body, author)), extract(title, body, authors=(author,))


def _load(
    conn: sqlite3.Connection, entries: Sequence[int] | Sequence[EntryText]
) -> list[EntryText]:
    if not entries:
        return []
    if not isinstance(entries[0], int):
        return [cast(EntryText, tuple(cast(Sequence[object], e))) for e in entries]
    ids = [cast(int, e) for e in entries]
    return [cast(EntryText, tuple(r)) for r in entity_store.entry_texts(conn, ids)]


def _text_hash(row: EntryText) -> str:
    h = hashlib.blake2b(digest_size=12)
    for part in (row[3], row[4], row[5]):
        h.update((part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def forget_thread_scopes(conn: sqlite3.Connection, threads: Sequence[int]) -> None:
    """These threads are gone: the short forms their entries explained go with them, or a new
    thread given one of their ids would resolve "Kim" by a stranger's full name."""
    entity_store.forget_scopes(conn, [f"t:{t}" for t in threads])


def _scopes(row: EntryText) -> tuple[str, ...]:
    """Where a short form of this entry may be explained: its thread, then its source."""
    thread, source = row[2], row[1]
    return (f"t:{thread}", f"s:{source}") if thread is not None else (f"s:{source}",)


class _StoredResolver(EntityResolver):
    """An `EntityResolver` whose state for one batch is read from and written to the cache."""

    def __init__(self, conn: sqlite3.Connection, keys: EntityKeys | None = None) -> None:
        super().__init__()
        self.conn = conn
        self.keys = keys
        self.ids: dict[tuple[str, str], int] = {}  # (kind, key) -> entity id
        self.loaded_scoped: dict[tuple[str, str], str | None] = {}

    def preload(self, batch: Sequence[tuple[Sequence[Mention], Sequence[str]]]) -> None:
        folded = self.folded
        keys = {folded[m.canonical] for mentions, _ in batch for m in mentions}
        found: list[Any]
        if self.keys is not None:
            found = self.keys.read(self.conn, keys)
        else:
            found = entity_store.entities_by_key(self.conn, keys)
        for kind, key, entity, name in found:
            self.names[(kind, key)] = name
            self.ids[(kind, key)] = entity
        # Only the (scope, short form) pairs this batch can use or claim: a source's whole past
        # is never read, so a batch costs the same in a large cache.
        pairs: set[tuple[str, str]] = set()
        for mentions, scopes in batch:
            shorts: set[str] = set()
            for m in mentions:
                if m.short:
                    shorts.add(folded[m.canonical])
                elif m.kind == "person" and " " in m.canonical:
                    shorts |= self.short_keys(m.canonical)
            pairs.update(product(scopes, shorts))
        for scope, key, name in entity_store.scoped_names(self.conn, sorted(pairs)):
            self.scoped[(scope, key)] = name
        self.loaded_scoped = dict(self.scoped)

    def entity_ids(
        self, resolved: Sequence[Sequence[Mention]], report: EntityReport
    ) -> dict[tuple[str, str], int]:
        """Entity ids for every resolved mention, creating the entities seen for the first time."""
        new: dict[tuple[str, str], tuple[str, str]] = {}  # slot -> (name, kind), in order met
        folded = self.folded
        for mentions in resolved:
            for m in mentions:
                slot = (m.kind, folded[m.canonical])
                if slot not in self.ids and slot not in new:
                    new[slot] = (m.canonical, m.kind)
        if not new:
            return self.ids
        # All in a few statements, in the order one by one would have taken: the entities
        # (numbered in that order), then each one's keys and aliases (a key or alias two of
        # them share stays with the first).
        created = entity_store.entity_ids(self.conn, list(new.values()))
        g = gazetteer()
        key_rows: list[tuple[str, str, int]] = []
        alias_rows: list[tuple[str, int]] = []
        for slot, pair in new.items():
            entity = created[pair]
            self.ids[slot] = entity
            name, kind = pair
            known = g.aliases.get(pair, ())
            # The gazetteer's spellings fold to keys too, so a filter finds the entity by
            # any of them ('person:Zelenskyi').
            keys = {slot[1]} | {fold_key(a) for a in known if not is_acronym(a)}
            rows = [(kind, key, entity) for key in sorted(keys) if key]
            key_rows += rows
            alias_rows += [(alias, entity) for alias in known]
            if self.keys is not None:
                self.keys.inserted(rows, name)
        entity_store.insert_entity_keys(self.conn, key_rows)
        entity_store.insert_aliases(self.conn, alias_rows)
        report.new_entities += len(new)
        return self.ids

    def _entity(self, name: str, kind: str) -> int:
        return entity_store.entity_id(self.conn, name, kind)

    def save_scopes(self) -> None:
        changed = [
            (scope, key, name)
            for (scope, key), name in self.scoped.items()
            if self.loaded_scoped.get((scope, key), "") != name
        ]
        rows = []
        for scope, key, name in changed:
            entity = self.ids.get(("person", self.folded[name])) if name else None
            if name and entity is None:
                entity = self._entity(name, "person")
                self.ids[("person", self.folded[name])] = entity
            rows.append((scope, key, entity))
        # In key order (each (scope, key) once): the upserts walk the table's tree once
        # instead of hopping, 4.8-5.0 -> 2.9-3.2 us an entry on the 40k news-like corpus.
        rows.sort()
        entity_store.save_scoped_keys(self.conn, rows)


def _replace_mentions(
    conn: sqlite3.Connection, per_entry: list[tuple[int, dict[int, int]]]
) -> None:
    """Each entry's mentions replace whatever it had stored; entities.count moves by the
    difference.

    Every entry's stored mentions are read, not only those of entries with an
    `entity_extracted` row: a cache can hold mentions without that row (an older cache, a
    restored or hand-made one), and inserting over them would break entry_entities' primary
    key. The lookup is one indexed read per chunk (entry_entities_by_entry), and the delete
    runs only for the entries that had mentions."""
    old: dict[int, set[int]] = {}
    for entity, entry in entity_store.mentioned_entities(conn, [entry for entry, _ in per_entry]):
        old.setdefault(entry, set()).add(entity)
    delta: dict[int, int] = {}
    get = delta.get
    for entry, counts in per_entry:
        before = old.get(entry)
        if before is None:  # (nearly every entry: new, nothing stored)
            for entity in counts:
                delta[entity] = get(entity, 0) + 1
            continue
        for entity in before - counts.keys():
            delta[entity] = get(entity, 0) - 1
        for entity in counts.keys() - before:
            delta[entity] = get(entity, 0) + 1
    if old:
        entity_store.delete_mentions(conn, sorted(old))
    entity_store.insert_mentions(
        conn,
        # In key order: the inserts walk the (entity, entry) tree once instead of hopping.
        sorted((e, entry, n) for entry, counts in per_entry for e, n in counts.items()),
    )
    entity_store.add_to_counts(
        conn, [(delta[entity], entity) for entity in sorted(delta) if delta[entity]]
    )

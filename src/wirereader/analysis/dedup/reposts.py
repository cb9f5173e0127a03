"""Deduplication: reposts, updated copies and near-duplicates become one item.

Layers (the first is the store's: same source and stable id -> same entry, a new version when
the text changed):
1. the same normalised text (case, punctuation and spacing ignored; a "Watch:" style prefix on a
   title ignored) -> one item;
2. one text containing the other, as when a live blog reposts an entry with an extra paragraph:
   most 3-word shingles of the shorter text are in the longer one -> one item;
3. near-duplicates across sources: shingle Jaccard >= 0.8, found through MinHash LSH bands.
Matching is on text only, never on guids, so two sources that happen to share a guid stay apart.

An item's canonical entry is its earliest (published_at, id); every other entry of the item has
`repost_of` pointing straight at it (never a chain), so "mark the item read" is one UPDATE.
Lookup keys live in `dedup_keys`; the cost of one entry is a few index probes, whatever the size
of the cache.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from wirereader.analysis.dedup import lsh
from wirereader.analysis.features import (
    NumberedWords,
    TermRow,
    mix64_keys,
    normalised,
    numbered_words,
    paragraph_words,
    shingles,
    strip_kind_prefix,
    text_key,
    unmixed_key,
)
from wirereader.store import dedup as dedup_store

MIN_BODY_WORDS = 20  # below this a body is too short to compare by shingles: title + body exact
MIN_PARAGRAPH_WORDS = 12  # shorter paragraphs ("More to follow.") are too common to be keys
NEAR_DUPLICATE = 0.8  # shingle Jaccard
CONTAINED = 0.9  # share of the shorter text's shingles found in the longer one
MIN_BAND_HITS = 2
MAX_WORDS = 5_000
MAX_CANDIDATES = 16  # newest first; bounds the work for boilerplate shared by many entries

_MASK64 = (1 << 64) - 1

# Key types, mixed into every key so an exact-text key never meets a band key.
_EXACT_BODY, _PARAGRAPH, _BAND, _EXACT_TITLE = 1, 2, 3, 4


@dataclass(slots=True)
class Entry:
    """What dedup and threads need of an entry. (Slotted: a thread keeps its items' entries for
    the run, up to MEMORY_BUDGET's ~29k at the news-like corpus's steady state, and an
    instance's attribute dict was 296 of its 352 bytes.)"""

    id: int
    source_id: int
    title: str
    body: str
    published_at: int
    repost_of: int | None = None
    thread_id: int | None = None
    kind: str = "post"
    analysed: bool = False  # analysed before: its text changed since
    dated: bool = True  # its time is the source's own, not a guess
    # The TF weights of its title's and body's terms for threads, when a worker prepared them
    # from this text (as a row of the arrays they crossed back in, or a dict).
    weights: dict[str, float] | TermRow | None = None
    url: str = ""  # its own link, where the source gave one


@dataclass(slots=True)
class Fingerprint:
    """The comparable form of one entry's text. (Slotted: a run keeps up to `PrintCache.LIMIT`
    of them, and an instance's attribute dict was ~100 bytes of each.)"""

    keys: list[int]  # every lookup key: exact text, paragraphs, bands
    exact: int
    size: int  # words in the body (the words themselves are not kept: prints cross processes)
    # None: left out to cross processes cheaply (most prints are never compared); recomputed
    # from the body with `body_shingles` when needed.
    shingles: set[int] | None = field(default_factory=set)
    bands: frozenset[int] = frozenset()  # the LSH band keys among `keys`

    @property
    def long(self) -> bool:
        return self.size >= MIN_BODY_WORDS

    def without_shingles(self) -> Fingerprint:
        return Fingerprint(self.keys, self.exact, self.size, None, self.bands)


def _paragraph_words(body: str) -> list[list[str]]:
    # Beyond MAX_WORDS a text is compared on its start: a hostile 60 MB body costs no more.
    return paragraph_words(body[: MAX_WORDS * 12])


def body_shingles(body: str) -> set[int]:
    """The shingles `fingerprint` computes for a body."""
    return shingles([w for para in _paragraph_words(body) for w in para])


def fingerprint(title: str, body: str) -> Fingerprint:
    tokens, fp = _exact_keys(title, body)
    if not fp.long:
        return fp
    sh = shingles(tokens)
    bands = frozenset(lsh.band_keys(lsh.signature(sh), _BAND))
    return Fingerprint(sorted({*fp.keys, *bands}), fp.exact, fp.size, sh, bands)


def fingerprints(texts: list[tuple[str, str]]) -> list[Fingerprint]:
    """`fingerprint` of each (title, body), without shingles, the MinHash bands of the whole
    batch computed at once in numpy (`lsh.signatures`): the same keys, a quarter of the time."""
    return fingerprints_and_shingles(texts, list(range(len(texts))))[0]


def fingerprints_and_shingles(
    texts: list[tuple[str, str]], ids: list[int]
) -> tuple[list[Fingerprint], PackedShingles]:
    """`fingerprints` of the texts, and the shingles of the long ones (by the id given with
    each text) as the MinHash step worked them out."""
    prints, packed, _ = fingerprints_shingles_and_words(texts, ids)
    return prints, packed


def fingerprints_shingles_and_words(
    texts: list[tuple[str, str]], ids: list[int]
) -> tuple[list[Fingerprint], PackedShingles, NumberedWords]:
    """`fingerprints_and_shingles`, and each body's words (its first MAX_WORDS * 12
    characters') as the word table numbered them (`features.numbered_words`), for the caller
    to share: their hashes make the shingles, their term numbers the TF weights.

    A long text's exact and paragraph keys are `text_key`'s, mixed for the whole batch at once
    (`features.mix64_keys`) and merged with its MinHash bands in one sort, and its exact key's
    text is the join of its paragraphs' joins, not of its words again: with
    `features.paragraph_words` in one pass, 63-66 -> 56-58 us an entry on the feeds
    benchmark's corpus (CPU, best of 3, alternating with the code before); the same keys (a
    test compares them with `fingerprint`'s)."""
    out: list[Fingerprint] = []
    lists: list[list[str]] = []
    # A long text's exact and paragraph keys as `text_key` makes them, but mixed for the
    # whole batch at once (`features.mix64_keys`) and merged with its bands in numpy: the
    # values before mixing, the text each belongs to, and where each text's exact key is.
    unmixed: list[int] = []
    key_owner: list[int] = []
    exact_at: list[int] = []
    for k, (title, body) in enumerate(texts):
        paragraphs = _paragraph_words(body)
        tokens = list(chain.from_iterable(paragraphs))
        lists.append(tokens)
        if len(tokens) < MIN_BODY_WORDS:
            fp = _short_print(title, tokens)
            fp.shingles = None  # as `without_shingles` leaves them all
            out.append(fp)
            continue
        joined = [" ".join(para) for para in paragraphs]
        # (" ".join(tokens): the paragraphs' joins, the empty ones left out)
        exact_at.append(len(unmixed))
        unmixed.append(unmixed_key(_EXACT_BODY, " ".join(filter(None, joined))))
        key_owner.append(k)
        for para, text in zip(paragraphs, joined, strict=True):
            if len(para) >= MIN_PARAGRAPH_WORDS:
                unmixed.append(unmixed_key(_PARAGRAPH, text))
                key_owner.append(k)
        out.append(Fingerprint([], 0, len(tokens), None))
    words = numbered_words(lists)
    long_ids = [entry_id for entry_id, fp in zip(ids, out, strict=True) if fp.long]
    if not long_ids:
        return out, PackedShingles([], _NO_SHINGLES, _NO_CARRIES, _NO_SHINGLES), words
    long = np.fromiter([fp.long for fp in out], dtype=bool, count=len(out))
    counts = words.counts[long]
    hashes = words.hashes
    if len(long_ids) < len(out):
        hashes = hashes[np.repeat(long, words.counts)]
    low, carries, owner = lsh.shingles_of_hashes(hashes, counts)
    signatures = lsh.signatures_of(low, carries, owner, len(long_ids))
    bands = lsh.band_keys_of(signatures, _BAND)
    text_keys = mix64_keys(np.array(unmixed, dtype=np.uint64))
    # Each long text's keys, sorted and each once (`sorted({*keys, *bands})`): all of the
    # batch's in one sort, by text then key.
    places = np.flatnonzero(long)
    every = np.concatenate((text_keys, bands.ravel()))
    of_text = np.concatenate((np.array(key_owner, dtype=np.int64), np.repeat(places, lsh.BANDS)))
    order = np.lexsort((every, of_text))
    every, of_text = every[order], of_text[order]
    once = np.ones(len(every), dtype=bool)
    once[1:] = (every[1:] != every[:-1]) | (of_text[1:] != of_text[:-1])
    every, of_text = every[once], of_text[once]
    ends = np.cumsum(np.bincount(of_text, minlength=len(out))[long]).tolist()
    keys = every.tolist()
    exacts = text_keys[exact_at].tolist()
    start = 0
    for fp, end, exact, row in zip(
        [fp for fp in out if fp.long], ends, exacts, bands.tolist(), strict=True
    ):
        fp.keys = keys[start:end]
        fp.exact = exact
        fp.bands = frozenset(row)
        start = end
    return out, PackedShingles(long_ids, low, carries.astype(np.uint8), counts - 2), words


_NO_SHINGLES = np.zeros(0, dtype=np.uint64)
_NO_CARRIES = np.zeros(0, dtype=np.uint8)

# Where one text's shingles are in a `PackedShingles`: the pack, the first and one past the last.
ShingleSpan = tuple["PackedShingles", int, int]


class PackedShingles:
    """The shingles of several long texts as the MinHash step worked them out
    (`lsh.shingle_hashes`), flat: a shingle, x*A + y*B + z*C of three 32-bit word hashes (see
    `features.shingles`), is its low 64 bits and the carry above them; duplicates kept. They
    cross back from the prepare worker with its fingerprints (9 bytes a shingle), and a text
    compared on its shingles (`Deduplicator._fill`) takes its set from them: working them
    out again from the body was 2% of the main process's CPU in a refresh of the 40k feeds
    corpus."""

    def __init__(self, ids: list[int], low: Any, carries: Any, counts: Any) -> None:
        self.ids = ids  # of the long texts, in order
        self.low = low  # uint64, each text's shingles after the one before's
        self.carries = carries  # uint8 (0-2)
        self.counts = counts  # shingles per text

    def spans(self) -> dict[int, ShingleSpan]:
        """Each text's span, by its id."""
        ends = np.cumsum(self.counts).tolist()
        starts = [0, *ends[:-1]] if ends else []
        return {i: (self, a, b) for i, a, b in zip(self.ids, starts, ends, strict=True)}

    def shingles(self, start: int, end: int) -> set[int]:
        """The set `features.shingles` makes of the text at this span."""
        low = self.low[start:end].tolist()
        carries = self.carries[start:end]
        if not carries.any():
            return set(low)
        return {v + (c << 64) for v, c in zip(low, carries.tolist(), strict=True)}

    def packed(self, start: int, end: int) -> tuple[array[int], bytes]:
        """The text's shingles as `PrintCache` keeps them (the low 64 bits, and the carry above
        them in a byte), straight from the arrays: for a text whose shingles are all distinct
        (its set as long as its span), the same pairs as taking its set apart again int by
        int, in another order (`PrintCache.get` makes the set again). That took ~1% of the
        main process's samples on the 40k feeds corpus."""
        low = array("Q")
        low.frombytes(np.ascontiguousarray(self.low[start:end], dtype=np.uint64).tobytes())
        return low, np.ascontiguousarray(self.carries[start:end], dtype=np.uint8).tobytes()


def _distinct(keys: Any) -> tuple[Any, Any]:
    """`np.unique` of an int64 array, and which of its values occur more than once (a bool
    array): sorted, then each run of equal values once. numpy 2.4's `unique` took 3.1 ms on a
    batch's ~24,000 keys against 0.7 ms for the sort (0.15-0.2 s of the main process's CPU at
    40k entries)."""
    ordered = np.sort(keys)
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts], counts > 1


def _exact_keys(title: str, body: str) -> tuple[list[str], Fingerprint]:
    """A text's words and its fingerprint but for the MinHash bands (and shingles) of a long
    text, which the caller adds."""
    paragraphs = _paragraph_words(body)
    tokens = list(chain.from_iterable(paragraphs))
    if len(tokens) < MIN_BODY_WORDS:
        return tokens, _short_print(title, tokens)
    exact = text_key(_EXACT_BODY, " ".join(tokens))
    keys = {exact}
    for para in paragraphs:
        if len(para) >= MIN_PARAGRAPH_WORDS:
            keys.add(text_key(_PARAGRAPH, " ".join(para)))
    return tokens, Fingerprint(sorted(keys), exact, len(tokens), None)


def _short_print(title: str, tokens: list[str]) -> Fingerprint:
    """The print of a text of fewer than MIN_BODY_WORDS words: a video, a picture gallery or a
    one-line post, where only the same title and body match."""
    text = normalised(strip_kind_prefix(title)) + "\n" + " ".join(tokens)
    exact = text_key(_EXACT_TITLE, text)
    return Fingerprint([exact] if text.strip() else [], exact, len(tokens))


def _comparable(title: str, body: str) -> Fingerprint:
    """What `same_item` compares of a text (its exact key, length and shingles), without the
    MinHash bands `fingerprint` adds, nor (for a long text) its paragraphs' keys: a stored
    candidate is only compared, never looked up by its keys (1,507 candidates read back at 40k
    entries, each paying for a signature)."""
    paragraphs = _paragraph_words(body)
    tokens = list(chain.from_iterable(paragraphs))
    if len(tokens) < MIN_BODY_WORDS:
        return _exact_keys(title, body)[1]
    exact = text_key(_EXACT_BODY, " ".join(tokens))
    return Fingerprint([exact], exact, len(tokens), shingles(tokens))


def same_item(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two texts are one item: equal, one containing the other, or near-duplicates."""
    if a.exact == b.exact:
        return True
    if not (a.long and b.long):
        return False
    assert a.shingles is not None and b.shingles is not None  # filled by the caller
    common = len(a.shingles & b.shingles)
    if not common:
        return False
    smaller = min(len(a.shingles), len(b.shingles))
    union = len(a.shingles) + len(b.shingles) - common
    return common / union >= NEAR_DUPLICATE or common / smaller >= CONTAINED


@dataclass
class DedupOutcome:
    canonical: dict[int, int] = field(default_factory=dict)  # entry id -> its item's entry id
    merged: int = 0  # entries that joined an existing item
    moved_threads: set[int] = field(default_factory=set)  # threads whose items changed


class PrintCache:
    """Fingerprints of recent batches, kept for one analysis run: a repost's original is often
    in the batch before, and fingerprinting it again from the cache costs more than reading it.
    A print is reused only for the very text (title and body) it was made from, told by a
    128-bit digest of it: keeping the texts themselves held 1.4 KB per print at 40k entries
    (28 of the cache's 68 MB), more with full articles. The digest is the interpreter's own
    string hashes of the title and of the body (SipHash under a key of this process's, which
    the cache never leaves; a string keeps its hash once worked out): a BLAKE2b of the
    encoded text cost ~3 us per entry, 1.6% of this process's CPU on the 40k feed corpus.

    A print is only ever read back as a stored candidate (`Deduplicator._read_stored`), which
    is compared (`same_item`: its exact key, size and shingles) and never looked up by its
    keys, so only those are kept (`_Kept`), the shingles (where made) as 9 bytes each: their
    low 64 bits in an array and the rest (0-2: `features.shingles` sums three 64-bit
    products) in a byte. The whole prints, with their keys, bands and shingles as sets of
    ints, were 2.8 KB each on the news-like corpus (56 MB just before the cache starts afresh,
    the largest part of a long run's memory after the thread index); now ~0.3 KB."""

    LIMIT = 20_000  # entries; then it starts afresh

    def __init__(self) -> None:
        self.prints: dict[int, _Kept] = {}

    @staticmethod
    def _digest(title: str, body: str) -> int:
        return (hash(title) & _MASK64) << 64 | (hash(body) & _MASK64)

    def get(self, entry_id: int, title: str, body: str) -> Fingerprint | None:
        kept = self.prints.get(entry_id)
        if kept is None or kept[0] != self._digest(title, body):
            return None
        _, exact, size, low, high = kept
        shingles: set[int] | None = None
        if low is not None and high is not None:
            shingles = (
                {v | h << 64 for v, h in zip(low, high, strict=True)} if any(high) else set(low)
            )
        return Fingerprint([exact], exact, size, shingles)

    def put(
        self,
        entry_id: int,
        title: str,
        body: str,
        fp: Fingerprint,
        packed: tuple[array[int], bytes] | None = None,
    ) -> None:
        """Keep `fp`; `packed`: its shingles as kept, where they are at hand already
        (`PackedShingles.packed`)."""
        if len(self.prints) >= self.LIMIT:
            self.prints.clear()
        low, high = packed if packed is not None else _packed(fp.shingles)
        self.prints[entry_id] = (self._digest(title, body), fp.exact, fp.size, low, high)

    def filled(self, entry_id: int, shingles: set[int]) -> None:
        """The shingles of a kept print read back without them, made since."""
        kept = self.prints.get(entry_id)
        if kept is not None and kept[3] is None:
            self.prints[entry_id] = (*kept[:3], *_packed(shingles))


# A kept print: (its text's digest, exact key, size, its shingles' low 64 bits, the rest).
_Kept = tuple[int, int, int, "array[int] | None", bytes | None]


def _packed(shingles: set[int] | None) -> tuple[array[int] | None, bytes | None]:
    if shingles is None:
        return None, None
    return array("Q", [v & _MASK64 for v in shingles]), bytes([v >> 64 for v in shingles])


class Deduplicator:
    """Assigns entries to items inside the caller's transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        cache: PrintCache | None = None,
        seen: dedup_store.StoredKeys | None = None,
    ) -> None:
        self.conn = conn
        self.cache = cache if cache is not None else PrintCache()
        self.seen = seen  # the run's filter of the stored keys, if any
        self._prints: dict[int, Fingerprint] = {}
        self._bodies: dict[int, str] = {}  # of the batch's entries, for prints without shingles
        self._unfilled: list[int] = []  # stored candidates read from the cache without shingles
        # The shingles `_fill` took from a span, packed for the cache from the span's arrays.
        self._packed: dict[int, tuple[array[int], bytes]] = {}
        # Where the shingles of the batch's long texts are, as their prints were made.
        self._shingles: dict[int, ShingleSpan] = {}

    def run(
        self,
        entries: list[Entry],
        ready: dict[int, Fingerprint] | None = None,
        shingles: dict[int, ShingleSpan] | None = None,
    ) -> DedupOutcome:
        """Place `entries`; `ready` holds fingerprints already computed (by a worker process)
        for some of them, from the same text, and `shingles` the shingles of those."""
        out = DedupOutcome()
        ordered = sorted(entries, key=lambda e: (e.published_at, e.id))
        ready = ready or {}
        missing = [e for e in ordered if e.id not in ready]
        missing_ids = [e.id for e in missing]
        made, made_shingles = fingerprints_and_shingles(
            [(e.title, e.body) for e in missing], missing_ids
        )
        prints = {e.id: ready[e.id] for e in ordered if e.id in ready}
        prints.update(zip(missing_ids, made, strict=True))
        if shingles:
            self._shingles.update((i, shingles[i]) for i in ready if i in shingles)
        self._shingles.update(made_shingles.spans())
        self._bodies.update((e.id, e.body) for e in ordered)
        self._prints.update(prints)
        # Every key of the batch is looked up at once; keys of entries placed earlier in the
        # batch are matched in memory.
        key_lists = [prints[e.id].keys for e in ordered]
        occurrences = np.fromiter(chain.from_iterable(key_lists), dtype=np.int64)
        owners = np.repeat(
            np.arange(len(ordered)), np.array([len(k) for k in key_lists], dtype=np.int64)
        )
        distinct, repeated = _distinct(occurrences)
        holders = self._holders(distinct)
        # A key that one entry of the batch holds and no stored entry does (over 90% of them on
        # the 40k feeds corpus) is new, proposes no candidate, and is stored with its entry:
        # those are set aside as arrays, and only the other keys are walked entry by entry
        # below, in the same order as all of them were (the walk of every key in Python was
        # ~0.25 s of the main process's CPU at 40k entries).
        shared = repeated
        if holders:
            stored = np.fromiter(holders, dtype=np.int64, count=len(holders))
            shared = repeated | np.isin(distinct, stored, assume_unique=True)
        walked = shared[np.searchsorted(distinct, occurrences)]
        alone = ~walked
        entry_ids = np.array([e.id for e in ordered], dtype=np.int64)
        alone_keys, alone_holders = occurrences[alone], entry_ids[owners[alone]]
        walked_keys: dict[int, list[int]] = {}  # entry's index in `ordered` -> its keys walked
        where = np.flatnonzero(walked)
        for index, k in zip(owners[where].tolist(), occurrences[where].tolist(), strict=True):
            walked_keys.setdefault(index, []).append(k)
        new_keys: list[int] = []  # with the entries holding them, in `new_holders`
        new_holders: list[int] = []
        # (entry, its print, the candidates it is compared with: newest first)
        compared: list[tuple[Entry, Fingerprint, list[int]]] = []
        for index, keys in walked_keys.items():  # in the entries' order
            entry = ordered[index]
            eid = entry.id
            fp = prints[eid]
            bands = fp.bands
            strong: set[int] = set()  # share the exact text or a paragraph
            band_holders: list[list[int]] = []  # the holders of each band it shares
            for k in keys:
                found = holders.get(k)
                if found is None:
                    holders[k] = [eid]
                    new_keys.append(k)
                    new_holders.append(eid)
                    continue
                if k in bands:
                    band_holders.append(found)
                else:
                    strong.update(found)
                # A key held by MAX_CANDIDATES entries (boilerplate, a very common band) says
                # little more with each new holder: stop storing it, so lookups stay bounded.
                if len(found) < MAX_CANDIDATES:
                    found.append(eid)  # counted below as its own hit: discarded with itself
                    new_keys.append(k)
                    new_holders.append(eid)
            # One shared band happens by chance at Jaccard 0.3 (one pair in five); two shared
            # bands almost never below 0.5, and almost always above 0.8. Only those candidates
            # are worth reading and comparing.
            candidates = strong
            if len(band_holders) >= MIN_BAND_HITS:
                band_hits = Counter(chain.from_iterable(band_holders))
                candidates |= {i for i, n in band_hits.items() if n >= MIN_BAND_HITS}
            candidates.discard(eid)
            if candidates:
                compared.append((entry, fp, sorted(candidates, reverse=True)[:MAX_CANDIDATES]))
        # Which entries each one is compared with depends only on the keys (the loop above), not
        # on what the comparisons find: the stored candidates' texts are read in one query per
        # chunk, then compared and joined in the same order as before. (Read entry by entry
        # they were ~3,800 queries at 40k entries, ~0.13 s of the main process's CPU.)
        self._read_stored([i for _, _, ids in compared for i in ids])
        for entry, fp, ids in compared:
            if not entry.dated and not fp.long:
                ids = self._beside_guessed(entry, ids)
            matches = self._matches(entry.id, fp, ids)
            if matches:
                self._join(entry, matches, out)
        for entry in ordered:
            out.canonical[entry.id] = entry.repost_of or entry.id
        # In key order: the inserts walk the index once instead of hopping over a large cache.
        # (Sorted, shifted and flattened as arrays: as tuples in Python it was 2.5% of a
        # refresh's pacing thread on the 40k feeds corpus.)
        # The keys set aside are each alone of their value, so where they go among the walked
        # ones in this stable sort is their value's place: the rows and their order are those
        # of walking every key.
        inserted = np.concatenate((np.array(new_keys, dtype=np.int64), alone_keys))
        holding = np.concatenate((np.array(new_holders, dtype=np.int64), alone_holders))
        order = np.argsort(inserted, kind="stable")
        dedup_store.insert_keys(self.conn, inserted[order], holding[order], self.seen)
        # Kept for later batches once compared here (with any shingles the comparisons made):
        # only entries of earlier batches are read from the cache.
        packed = self._packed
        for e in ordered:
            fp = prints[e.id]
            self.cache.put(e.id, e.title, e.body, fp, packed.get(e.id) if fp.shingles else None)
        for i in self._unfilled:
            filled = self._prints[i].shingles
            if filled is not None:
                self.cache.filled(i, filled)
        return out

    def _holders(self, keys: Any) -> dict[int, list[int]]:
        """Entries already holding each of `keys` (distinct, in order: an int64 array), newest
        first, at most MAX_CANDIDATES per key."""
        holders: dict[int, list[int]] = {}
        # In key order: each chunk then probes one stretch of the index, not pages all over it.
        # (Made distinct and sorted as an array: a set, then `sorted`, of the batch's ~24,000
        # keys was 2.8% of a refresh's pacing thread on the 40k feeds corpus.)
        found = dedup_store.key_holders(self.conn, keys, self.seen)
        for key, entry_id in found:
            holders.setdefault(key, []).append(entry_id)
        for key, ids in holders.items():
            if len(ids) > MAX_CANDIDATES:
                holders[key] = sorted(ids, reverse=True)[:MAX_CANDIDATES]
        return holders

    def _read_stored(self, ids: list[int]) -> None:
        """The prints (and bodies) of those of `ids` not yet known: stored entries, read in
        bulk; each id once, in their first order."""
        missing = list(dict.fromkeys(i for i in ids if i not in self._prints))
        for r in dedup_store.entry_texts(self.conn, missing):
            kept = self.cache.get(r[0], r[1], r[2])
            if kept is None:
                kept = _comparable(r[1], r[2])
            elif kept.shingles is None:
                self._unfilled.append(r[0])
            self._prints[r[0]] = kept
            self._bodies[r[0]] = r[2]

    def _beside_guessed(self, entry: Entry, ids: list[int]) -> list[int]:
        """Those of `ids` an undated entry of a short text may be one item with: not an entry
        of another source whose time is a guess too. Their titles (and a few words) are all
        two such entries share, and two sites' undated pages share boilerplate titles
        ("Contact", "About"); a guessed time says nothing of when either was written (as
        `threads.grouping._keep_guessed_apart`). A dated entry's copy still folds, and a long
        text copied whole is a copy whatever its time."""
        guessed = dedup_store.guessed_sources(self.conn, ids)
        return [i for i in ids if guessed.get(i, entry.source_id) == entry.source_id]

    def _matches(self, entry_id: int, fp: Fingerprint, ids: list[int]) -> list[int]:
        """Which of `ids` (read by `_read_stored`, or of the batch) are one item with the
        entry of `fp`."""
        found = []
        for i in ids:
            other = self._prints.get(i)
            if other is None:
                continue
            if other.exact != fp.exact and fp.long and other.long:
                self._fill(entry_id, fp)
                self._fill(i, other)
            if same_item(fp, other):
                found.append(i)
        return found

    def _fill(self, entry_id: int, fp: Fingerprint) -> None:
        if fp.shingles is None:
            span = self._shingles.pop(entry_id, None)
            if span is not None:
                fp.shingles = span[0].shingles(span[1], span[2])
                if len(fp.shingles) == span[2] - span[1]:  # (no shingle repeated)
                    self._packed[entry_id] = span[0].packed(span[1], span[2])
            else:
                fp.shingles = body_shingles(self._bodies[entry_id])

    def _join(self, entry: Entry, matches: list[int], out: DedupOutcome) -> None:
        # The matches' items, the item the entry is a repost of (if it is one), and the entry.
        known = [entry.id] if entry.repost_of is None else [entry.id, entry.repost_of]
        rows = dedup_store.items_and_entries(self.conn, matches, known)
        roots = {r[0] for r in rows}
        roots.discard(entry.id)
        if not roots:
            return
        members = [entry.id, *roots]
        times = {r[0]: (r[1], r[0]) for r in rows}
        times[entry.id] = (entry.published_at, entry.id)  # not written yet if new
        root = min(times, key=lambda i: times[i])
        # The thread of the earliest item that has one carries the merged item.
        threads = {r[0]: r[2] for r in rows if r[2] is not None}
        thread = next((threads[i] for i in sorted(threads, key=lambda i: times[i])), None)
        old_roots = [r for r in members if r != root]
        dedup_store.repoint_items(self.conn, root, old_roots)
        # An older root is an item already (its repost_of is NULL), and keeps its thread when it
        # has one: then its row needs no write.
        if root == entry.id or (thread is not None and threads.get(root) != thread):
            dedup_store.make_root(self.conn, root, thread)
        out.moved_threads.update(t for t in threads.values() if t is not None)
        entry.repost_of = None if root == entry.id else root
        entry.thread_id = thread if thread is not None else entry.thread_id
        if thread is not None:
            dedup_store.move_reposts_to_thread(self.conn, root, thread)
        out.merged += 1

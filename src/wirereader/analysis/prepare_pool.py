"""The pure part of analysing a batch (dedup fingerprints, entity mentions, the terms threads
weigh) in a worker process.

Dedup, entities and threads all write to SQLite in this process, but fingerprinting a text,
extracting its names and splitting it into terms are pure functions of the text, about half of
the work. While this process analyses one batch, a worker prepares the next one, so the two
cores both work. What a worker returns is used only for an entry whose text is still the one
it was computed from (the pipeline and `record_entities` check), so the outcome is identical
to in-process analysis.

A batch goes to the worker in chunks of `CHUNK` entries. When this process is ready for the
batch and the worker has not started some of its chunks (it fell behind: small batches, a
machine busy elsewhere), this process takes them back and prepares them itself, so neither core
waits for the other (at 10k entries this process had waited for the worker up to a fifth of
its time, depending on how busy the machine was).

The worker comes from a forkserver (spawn where there is none), never a plain fork: analysis
runs after a refresh that used fetch threads, and a TUI worker thread may call it. It ends with
this process (`core.workers.exit_with`). Any failure of the pool means: prepare in-process.
"""

from __future__ import annotations

import gc
import os
import time
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, repeat
from typing import Any

from wirereader.analysis.dedup.reposts import (
    Fingerprint,
    PackedShingles,
    ShingleSpan,
    fingerprints_shingles_and_words,
)
from wirereader.analysis.entities.extract import Mention, extract
from wirereader.analysis.features import PackedWeights, TermRow
from wirereader.analysis.threads.grouping import Grouped, Side, probe_terms, side_groups
from wirereader.core.interruptible import result_of
from wirereader.core.workers import exit_with, stop, worker_context

# Starting a worker (and loading its gazetteer) costs a few tenths of a second: only worth it
# when several batches are pending.
MIN_ENTRIES = 6_000
# Entries per task sent to the worker: four per batch. Two tasks at a time are already on their
# way to the worker (the pool's call queue) and cannot be taken back, so the other two can; more,
# smaller tasks wake this process's result thread more often for no measurable gain.
CHUNK = 500
# `close` does not wait for the worker to exit (nothing it could still send is wanted): the
# executor's thread ends and joins it, and the interpreter joins that thread at exit. Waiting
# was 0.1-0.4 s of the fetch's main thread at its end (`Analysis.close`, its two pools).
CLOSE_WAITS = False

TextRow = tuple[int, str, str, str]  # id, title, body, author
# An entry's TF weights for threads: a dict where this process computed them, a row of the
# arrays they crossed back from the worker in.
Weights = dict[str, float] | TermRow


class Prepared:
    """What a worker computed for one batch: per entry id, the text it used, its fingerprint,
    its (text hash, mentions) and its terms' TF weights for threads, and where a long text's
    shingles are; `cpu`: the worker's CPU seconds."""

    def __init__(
        self,
        texts: dict[int, tuple[str, str]],
        prints: dict[int, Fingerprint],
        mentions: dict[int, tuple[str, list[Mention]]],
        cpu: float,
        weights: dict[int, Weights] | None = None,
    ) -> None:
        self.texts = texts
        self.prints = prints
        self.mentions = mentions
        self.cpu = cpu
        self.weights = weights or {}
        self.authors: dict[int, str] = {}  # (with `texts`: the author each text came with)
        self.shingles: dict[int, ShingleSpan] = {}
        self.packed: PackedPrints | None = None  # `prints`, as the worker sends them
        self.packed_shingles: PackedShingles | None = None  # `shingles`, as the worker sends them
        self.packed_weights: PackedWeights | None = None  # `weights`, as the worker sends them
        self.packed_mentions: PackedMentions | None = None  # `mentions`, as the worker sends them

    def unpack(self) -> Prepared:
        if self.packed is not None:
            self.prints, self.packed = self.packed.unpacked(), None
        if self.packed_weights is not None:
            # Left as arrays: the thread index maps a chunk's distinct terms once. (A pack whose
            # sender's earlier terms did not all reach this process is left out: the texts
            # are then weighed here.)
            pack, self.packed_weights = self.packed_weights, None
            self.weights = dict(pack.rows()) if pack.resolvable else {}
        if self.packed_mentions is not None:
            self.mentions, self.packed_mentions = self.packed_mentions.unpacked(), None
        if self.packed_shingles is not None:
            self.shingles, self.packed_shingles = self.packed_shingles.spans(), None
        return self

    def weights_for(self, entry_id: int, title: str, body: str) -> Weights | None:
        """The TF weights of this entry's terms for threads, if they came from this very text."""
        text = self.texts.get(entry_id)
        if text is None or text != (title, body):
            return None
        return self.weights.get(entry_id)

    def text_hashes(self, rows: list[tuple[int, int, int | None, str, str, str]]) -> dict[int, str]:
        """The text hash of each `record.EntryText` row whose title, body and author are the
        ones its mentions came from (the hash is of those three): worked out there, not again
        here (2-3 us an entry)."""
        out = {}
        texts, authors, mentions = self.texts, self.authors, self.mentions
        for entry_id, _, _, title, body, author in rows:
            same = texts.get(entry_id) == (title or "", body or "")
            if same and entry_id in mentions and authors.get(entry_id) == (author or ""):
                out[entry_id] = mentions[entry_id][0]
        return out

    def prints_for(self, entries: list[tuple[int, str, str]]) -> dict[int, Fingerprint]:
        """Fingerprints of those (id, title, body) whose text is the one they came from."""
        out = {}
        for entry_id, title, body in entries:
            text = self.texts.get(entry_id)
            if text is not None and text == (title, body):
                out[entry_id] = self.prints[entry_id]
        return out


def prepare(
    rows: list[TextRow], packed: bool = False, text_hashes: list[str] | None = None
) -> Prepared:
    """Fingerprints, mentions and TF weights of `rows` (runs in the worker); `packed`: the TF
    weights as `packed_weights` only, counted for all the rows at once (`weights` left empty);
    `text_hashes`: each row's `core.model.text_hash`, where the caller has it already (the
    mentions' text hash is that hash)."""
    cpu = time.process_time()
    # As in the pipeline: no reference cycles here, and the collector's walks cost 10-20%.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _prepare(rows, cpu, packed, text_hashes)
    finally:
        if collecting:
            gc.enable()


def _prepare(
    rows: list[TextRow], cpu: float, packed: bool, text_hashes: list[str] | None
) -> Prepared:
    from wirereader.analysis.entities.record import text_mentions
    from wirereader.analysis.threads.term_weights import packed_text_weights, text_weights

    mentions: dict[int, tuple[str, list[Mention]]] = {}
    weights: dict[int, Weights] = {}
    # Without shingles: they are most of a print's size, and few prints are ever compared.
    texts = [(title or "", body or "") for _, title, body, _ in rows]
    ids = [r[0] for r in rows]
    # each body's words, found and numbered for dedup and shared with the weights
    made, shingles, words = fingerprints_shingles_and_words(texts, ids)
    prints = dict(zip(ids, made, strict=True))
    if text_hashes is None:
        for entry_id, title, body, author in rows:
            mentions[entry_id] = text_mentions(title or "", body or "", author)
    else:
        # (the parse worker's hashes: `text_mentions` would work each out again, 3 us)
        for (entry_id, title, body, author), text_hash in zip(rows, text_hashes, strict=True):
            mentions[entry_id] = (text_hash, extract(title or "", body or "", authors=(author,)))
    if not packed:
        for entry_id, (title, body) in zip(ids, texts, strict=True):
            weights[entry_id] = text_weights(title, body)
    # The texts stay here: the caller still has them (they would double what crosses back).
    prepared = Prepared({}, prints, mentions, 0.0, weights)
    if packed:
        prepared.packed_weights = packed_text_weights(texts, ids, words)
    prepared.shingles = shingles.spans()
    prepared.cpu = time.process_time() - cpu
    return prepared


class PackedPrints:
    """Fingerprints as a few flat arrays, the form they cross back from the worker in: building
    them again from arrays costs this process 3.1 us per entry, unpickling them as objects 5.9
    (measured on the news-like corpus, 500-entry chunks). (The TF weights cross as
    `features.PackedWeights` and are never turned back into dicts: as dicts again they cost
    more, 17.6 against 13.2 us.)"""

    def __init__(self, prints: dict[int, Fingerprint]) -> None:
        ordered = list(prints.values())
        self.ids = array("q", prints)
        self.exact = array("q", [fp.exact for fp in ordered])
        self.size = array("q", [fp.size for fp in ordered])
        self.keys = array("q", [k for fp in ordered for k in fp.keys])
        self.key_counts = array("q", [len(fp.keys) for fp in ordered])
        self.bands = array("q", [k for fp in ordered for k in fp.bands])
        self.band_counts = array("q", [len(fp.bands) for fp in ordered])

    def unpacked(self) -> dict[int, Fingerprint]:
        keys, bands = self.keys.tolist(), self.band_counts.tolist()
        band_values = self.bands.tolist()
        out: dict[int, Fingerprint] = {}
        k = b = 0
        for n, (entry_id, exact, size, key_count) in enumerate(
            zip(self.ids, self.exact, self.size, self.key_counts, strict=True)
        ):
            band_count = bands[n]
            out[entry_id] = Fingerprint(
                keys[k : k + key_count],
                exact,
                size,
                None,
                frozenset(band_values[b : b + band_count]),
            )
            k += key_count
            b += band_count
        return out


class PackedMentions:
    """Each entry's (text hash, mentions) as a few flat sequences, the form they cross back from
    the worker in: a `Mention` pickled as itself is rebuilt by its class's Python `__new__`,
    one call per mention; as columns of strings and flags, pickling and unpickling them cost
    a third as much (measured on the news-like corpus: 9.0 and 4.8 us per entry, ~7 mentions
    each, as named tuples)."""

    def __init__(self, mentions: dict[int, tuple[str, list[Mention]]]) -> None:
        found = mentions.values()
        self.entries = array("q", mentions)
        self.hashes = [text_hash for text_hash, _ in found]
        self.counts = array("q", [len(named) for _, named in found])
        every = list(chain.from_iterable([named for _, named in found]))
        # (surfaces, canonical names, kinds, shorts): `zip(*...)` transposes in C.
        self.columns = list(zip(*every, strict=True)) if every else [(), (), (), ()]

    def unpacked(self) -> dict[int, tuple[str, list[Mention]]]:
        # tuple.__new__ makes each Mention in C (as `extract` makes them): the same tuples.
        every = list(map(tuple.__new__, repeat(Mention), zip(*self.columns, strict=True)))
        out: dict[int, tuple[str, list[Mention]]] = {}
        at = 0
        for entry, text_hash, n in zip(self.entries, self.hashes, self.counts, strict=True):
            out[entry] = (text_hash, every[at : at + n])
            at += n
        return out


def prepare_packed(rows: list[TextRow], text_hashes: list[str] | None = None) -> Prepared:
    """`prepare`, its fingerprints and TF weights packed into arrays to cross back from the
    worker (TF weights unpickled as dicts cost this process 13.2 us per entry, and the thread
    index then walked each dict term by term). Its `cpu` counts the packing too.

    The cyclic collector stays paused for the packing as well, and what the worker then holds
    is frozen out of its later passes (`gc.freeze`: the worker's caches of words, names and
    their kinds, bounded but large, made of small containers and without cycles). Re-enabled
    after `prepare` alone, the collector's first pass came in the packing and its full passes
    walked those caches, which fill as a run goes on: the packing of mentions cost 5 us an
    entry at 10k news-like entries and 31 at 200k."""
    cpu = time.process_time()
    collecting = gc.isenabled()
    gc.disable()
    try:
        prepared = prepare(rows, packed=True, text_hashes=text_hashes)
        # The spans all point into one pack: it crosses alone, `unpack` makes them again.
        spans = list(prepared.shingles.values())
        prepared.packed_shingles = spans[0][0] if spans else None
        prepared.shingles = {}
        prepared.packed = PackedPrints(prepared.prints)
        prepared.prints = {}
        prepared.packed_mentions = PackedMentions(prepared.mentions)
        prepared.mentions = {}
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    prepared.cpu = time.process_time() - cpu
    return prepared


def prepared_as_saved(
    packed: Prepared, entries: list[tuple[str, str, str]], saved: list[TextRow]
) -> Prepared:
    """What `prepare_packed` made of a document's entries (keyed by their places in it, the
    texts `entries` as (title, body, author)), keyed by the ids `saved` (id, title, body,
    author) gives them: for each saved row whose text is one of the document's. The rest are
    left out (the analysis prepares them itself), and so is a text saved twice after its
    first (what was made of it is one set of objects, not shared between entries)."""
    prepared = packed.unpack()
    place: dict[tuple[str, str, str], int] = {}
    for k, (title, body, author) in enumerate(entries):
        place.setdefault((title or "", body or "", author or ""), k)
    out = Prepared({}, {}, {}, prepared.cpu, {})
    prints, mentions, weights, shingles = (
        prepared.prints,
        prepared.mentions,
        prepared.weights,
        prepared.shingles,
    )
    for entry_id, title, body, author in saved:
        title, body, author = title or "", body or "", author or ""
        at = place.pop((title, body, author), None)
        if at is None or not (at in prints and at in mentions and at in weights):
            continue
        out.texts[entry_id] = (title, body)
        out.authors[entry_id] = author
        out.prints[entry_id] = prints[at]
        out.mentions[entry_id] = mentions[at]
        out.weights[entry_id] = weights[at]
        if at in shingles:
            out.shingles[entry_id] = shingles[at]
    return out


def _start_worker(parent: int) -> None:
    exit_with(parent)  # a killed analysis must not leave its worker behind
    from wirereader.analysis.entities.gazetteer import gazetteer

    gazetteer()  # loaded while this process prepares the chunks of the first batch it took back


def merged(parts: list[Prepared]) -> Prepared:
    """One Prepared of several chunks' (`cpu`: the sum of theirs; the texts are the caller's,
    see `Pending`)."""
    out = Prepared({}, {}, {}, 0.0, {})
    for part in parts:
        out.prints.update(part.prints)
        out.mentions.update(part.mentions)
        out.weights.update(part.weights)
        out.shingles.update(part.shingles)
        out.cpu += part.cpu
    return out


class Pending:
    """A batch sent to the worker in chunks: each chunk's future and rows, and the texts the
    batch was sent with (to check them against later)."""

    def __init__(
        self,
        chunks: list[tuple[Future[Prepared], list[TextRow]]],
        texts: dict[int, tuple[str, str]],
    ) -> None:
        self.chunks = chunks
        self.texts = texts
        self.authors: dict[int, str] = {}  # of the texts, as sent


class _OneWorker:
    """A pool of one worker process started with `initializer` (none on a one-core system, or
    where no process can start: the caller then does the work in-process)."""

    def __init__(
        self, initializer: Callable[..., None], *extra: object, analysis_data: bool = False
    ) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if (os.cpu_count() or 1) < 2:
            return
        try:
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=worker_context(analysis_data),
                initializer=initializer,
                initargs=(os.getpid(), *extra),
            )
        except Exception:  # no workers on this system: work in-process
            self._pool = None

    def close(self) -> None:
        """No more work goes to the worker; it is not waited for (see CLOSE_WAITS)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=CLOSE_WAITS, cancel_futures=True)

    def _failed(self) -> None:
        """No more work goes to the pool; its worker is ended, not waited for (`workers.stop`)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            stop(pool)


class PreparePool(_OneWorker):
    """One worker preparing the next batch. `submit` returns None when there is no worker
    (one core, no semaphores, a broken pool): the caller prepares in-process."""

    def __init__(self) -> None:
        super().__init__(_start_worker, analysis_data=True)

    def submit(self, rows: list[TextRow]) -> Pending | None:
        if self._pool is None or not rows:
            return None
        chunks = []
        try:
            for start in range(0, len(rows), CHUNK):
                part = rows[start : start + CHUNK]
                chunks.append((self._pool.submit(prepare_packed, part), part))
        except Exception:
            for future, _ in chunks:
                future.cancel()
            self._failed()
            return None
        pending = Pending(chunks, {r[0]: (r[1] or "", r[2] or "") for r in rows})
        pending.authors = {r[0]: r[3] or "" for r in rows}
        return pending

    def result(self, pending: Pending | None) -> Prepared | None:
        """The prepared batch, or None if the worker failed (the batch is prepared in-process,
        and no more work goes to the pool). Chunks the worker has not started are prepared
        here, the last first, while it finishes the ones it has; their CPU time is this
        process's, so `cpu` counts the worker's chunks only."""
        if pending is None:
            return None
        parts: list[Prepared] = []
        waiting = []
        for future, rows in reversed(pending.chunks):
            if future.cancel():
                stolen = prepare(rows)
                stolen.cpu = 0.0
                parts.append(stolen)
            else:
                waiting.append(future)
        try:
            parts += [result_of(future).unpack() for future in waiting]
        except Exception:
            self._failed()
            return None
        prepared = merged(parts)
        prepared.texts = pending.texts
        prepared.authors = pending.authors
        return prepared


# Who groups each part sent to the grouping worker, in a shared array (a slot a part, reused
# round the ring): UNCLAIMED until the worker starts it or this process takes it back. A task
# the pool has moved to its call queue cannot be cancelled (two at a time are), so this process
# used to wait for a part the worker had not even started (2.8% of the refresh thread's wall
# in the feeds benchmark's fetch, py-spy --idle); now it takes the part back and the worker,
# finding it claimed, skips it.
_SLOTS = 1024
UNCLAIMED, BY_WORKER, BY_CALLER = 0, 1, 2
_claims: Any = None  # the worker's handle on the shared array (`_start_grouper`)


def _group(
    side: Side, max_gap_seconds: float, slot: int = -1
) -> tuple[list[list[int]], float, list[list[str]]] | None:
    """A part's groups, the CPU seconds they took (in the worker) and each group's probe
    terms (`grouping.probe_terms`); None when the caller has taken the part back (`slot` in
    the shared claims)."""
    if slot >= 0 and _claims is not None and not _claim(_claims, slot, BY_WORKER):
        return None
    cpu = time.process_time()
    collecting = gc.isenabled()
    gc.disable()  # as in the pipeline: no reference cycles here
    try:
        groups = side_groups(side, max_gap_seconds)
        vectors = side.vectors
        probes = [probe_terms([vectors[i] for i in group]) for group in groups]
        return groups, time.process_time() - cpu, probes
    finally:
        if collecting:
            gc.enable()


def _claim(claims: Any, slot: int, who: int) -> bool:
    """Whether `who` now holds the part in `slot` (False: the other side had it first)."""
    with claims.get_lock():
        if claims[slot] == UNCLAIMED:
            claims[slot] = who
        return bool(claims[slot] == who)


def _start_grouper(parent: int, claims: Any = None) -> None:
    global _claims
    exit_with(parent)
    _claims = claims
    from scipy import sparse  # noqa: F401 - loaded while the first parts are grouped here


class GroupPool(_OneWorker):
    """A second worker grouping a batch's later parts (`grouping.side_groups`: pure, given the
    items' vectors) while this process places the earlier ones: the parts of one batch do not
    depend on each other, and placing a part is this process's own work (its index, its
    writes). The prepare worker is no place for it: it is busy with the next batch's texts,
    queued first. The same groups either way; a part the worker has not started when it is
    needed is grouped here (see `_claims`), and any failure of the pool means: group here.

    Measured on the feeds benchmark's 40k corpus: grouping was 19% of this process's CPU."""

    def __init__(self) -> None:
        try:
            claims: Any = worker_context().Array("b", _SLOTS)
        except Exception:  # no shared memory here: only tasks not yet queued are taken back
            claims = None
        super().__init__(_start_grouper, claims)
        self._claims = claims
        self._slot = 0
        self.cpu = 0.0  # the worker's CPU seconds so far (its wall time overlapped)

    def groups(self, sides: list[Side], max_gap_seconds: float) -> Iterator[list[list[int]]]:
        """Each part's groups, in order (a `threads.index.Grouper`); those the worker made
        come with their probe terms (`grouping.Grouped`)."""
        futures: list[Future[tuple[list[list[int]], float, list[list[str]]] | None]] = []
        slots: list[int] = []
        if self._pool is not None and len(sides) > 1:
            try:
                for side in sides[1:]:
                    slot = -1
                    if self._claims is not None:
                        slot, self._slot = self._slot, (self._slot + 1) % _SLOTS
                        self._claims[slot] = UNCLAIMED
                    slots.append(slot)
                    futures.append(self._pool.submit(_group, side, max_gap_seconds, slot))
            except Exception:
                for sent in futures:
                    sent.cancel()
                futures = []
                self._failed()
        try:
            for k, side in enumerate(sides):
                asked = futures[k - 1] if k and futures else None
                if (
                    asked is not None
                    and not asked.cancel()
                    and (slots[k - 1] < 0 or not _claim(self._claims, slots[k - 1], BY_CALLER))
                ):
                    try:
                        done = result_of(asked)
                    except Exception:
                        self._failed()
                    else:
                        if done is not None:
                            groups, cpu, probes = done
                            self.cpu += cpu
                            grouped = Grouped(groups)
                            grouped.probes = probes
                            yield grouped
                            continue
                yield side_groups(side, max_gap_seconds)
        finally:
            for left in futures:
                left.cancel()

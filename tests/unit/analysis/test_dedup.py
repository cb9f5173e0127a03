"""Dedup: reposts, updated copies and near-duplicates become one item; different texts never."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis.dedup.reposts import fingerprint, same_item
from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.ingest.files import import_file
from wirereader.sources.dispatch import ParseContext, parse_file
from wirereader.store.db import Store
from wirereader.store.texts import set_body

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)

HARBOUR = (
    "Dock workers at the port of Velmar walked out on Tuesday after talks over night-shift pay "
    "broke down, leaving three container ships waiting at anchor outside the harbour wall.\n\n"
    "The union said its members would stay out until the operator, Velmar Quays, restored the "
    "allowance it cut in March. The operator said it had offered a phased increase.\n\n"
    "Port officials expect the backlog to reach twenty vessels by the weekend if no deal is found."
)
COUNCIL = (
    "The regional council of Ostmark approved a new tram line on Tuesday, linking the old town "
    "with the university campus and the hospital on the eastern ridge.\n\n"
    "Construction is due to start next spring and take three years, the council said, with the "
    "first trams running on a shortened route by the end of the second year."
)


def _times(store: Store, source_id: int) -> dict[str, int]:
    """'HH:MM' -> entry id for one source's timeline entries (not the header summary)."""
    return {
        row[1][11:16]: row[0]
        for row in store.conn.execute(
            "SELECT id, published FROM entries WHERE source_id = ? AND kind != 'summary'",
            (source_id,),
        )
    }


def _entries(path: Path) -> list[RawEntry]:
    _fmt, doc = parse_file(path, ParseContext(str(path)))
    return doc.entries


def _item(store: Store, entry_id: int) -> int:
    row = store.conn.execute(
        "SELECT coalesce(repost_of, id) FROM entries WHERE id = ?", (entry_id,)
    ).fetchone()
    return int(row[0])


def test_seed_reposts_become_one_item_and_look_alikes_stay_apart(store: Store) -> None:
    report = import_file(store, LIVEBLOG_SEED)
    at = _times(store, report.source_id)
    for later, earlier in [
        ("14:45", "11:03"),  # same text
        ("15:01", "10:19"),  # the repost adds to the first paragraph
        ("11:47", "08:29"),  # same text, different author
        ("08:12", "05:22"),  # the repost adds a paragraph
        ("16:28", "07:31"),  # video: no body, "Watch:" title
    ]:
        assert _item(store, at[later]) == at[earlier], (later, earlier)
        assert (
            store.conn.execute(
                "SELECT repost_of FROM entries WHERE id = ?", (at[earlier],)
            ).fetchone()[0]
            is None
        )
    # Same story, different text: separate items.
    assert _item(store, at["05:46"]) != _item(store, at["12:12"])
    assert _item(store, at["04:39"]) != _item(store, at["08:02"])
    # Exactly those five entries are reposts; the other 50 entries are items.
    reposts = store.conn.execute(
        "SELECT count(*) FROM entries WHERE repost_of IS NOT NULL"
    ).fetchone()[0]
    assert reposts == 5


def test_the_video_title_does_not_match_the_summary_that_shares_its_minute(store: Store) -> None:
    report = import_file(store, LIVEBLOG_SEED)
    at = _times(store, report.source_id)
    rows = store.conn.execute(
        "SELECT id, kind, repost_of FROM entries WHERE source_id = ? AND published LIKE ?",
        (report.source_id, "%T16:28%"),
    ).fetchall()
    kinds = {r["kind"]: r for r in rows}
    assert kinds["video"]["repost_of"] == at["07:31"]
    assert kinds["summary"]["repost_of"] is None


def test_item_keeps_every_version_of_every_entry(store: Store) -> None:
    src = store.ensure_source("test:desk", "feed", name="desk")
    first = RawEntry(title="Dock strike at Velmar", body=HARBOUR, stable_id="a", published=T0)
    store.save_entries(src, [first])
    analyse_pending(store)
    edited = RawEntry(
        title="Dock strike at Velmar",
        body=HARBOUR.replace("twenty vessels", "twenty-five vessels"),
        stable_id="a",
        published=T0,
    )
    repost = RawEntry(
        title="Dock strike at Velmar",
        body=HARBOUR + "\n\nA spokesperson for the harbour pilots said they supported the strike.",
        stable_id="b",
        published=T0 + timedelta(hours=3),
    )
    store.save_entries(src, [edited, repost])
    analyse_pending(store)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
    assert len(ids) == 2  # same stable id: one entry with a new version
    a, b = ids
    assert _item(store, b) == a
    versions = store.conn.execute(
        "SELECT count(*) FROM entry_versions WHERE entry_id IN (?, ?)", (a, b)
    ).fetchone()[0]
    assert versions == 3


def _two_sources(store: Store) -> tuple[int, int]:
    return (
        store.ensure_source("test:north", "feed", name="north"),
        store.ensure_source("test:south", "feed", name="south"),
    )


def test_near_duplicate_across_sources_is_one_item(store: Store) -> None:
    north, south = _two_sources(store)
    store.save_entries(
        north, [RawEntry(title="Velmar dockers strike", body=HARBOUR, stable_id="n1", published=T0)]
    )
    # The wire copy, lightly edited by the second outlet: new headline, a word changed, a line
    # added at the end.
    copy = HARBOUR.replace("walked out on Tuesday", "walked out on Tuesday morning")
    copy += "\n\nThe dispute is the first at the port in eleven years."
    store.save_entries(
        south,
        [
            RawEntry(
                title="Strike halts Velmar port",
                body=copy,
                stable_id="s1",
                published=T0 + timedelta(minutes=40),
            )
        ],
    )
    analyse_pending(store)
    rows = store.conn.execute("SELECT id, repost_of FROM entries ORDER BY published_at").fetchall()
    assert rows[0]["repost_of"] is None
    assert rows[1]["repost_of"] == rows[0]["id"]


def test_same_guid_in_two_sources_is_not_a_duplicate(store: Store) -> None:
    north, south = _two_sources(store)
    store.save_entries(
        north, [RawEntry(title="Dock strike", body=HARBOUR, stable_id="42", published=T0)]
    )
    store.save_entries(
        south, [RawEntry(title="Tram line approved", body=COUNCIL, stable_id="42", published=T0)]
    )
    analyse_pending(store)
    assert (
        store.conn.execute("SELECT count(*) FROM entries WHERE repost_of IS NULL").fetchone()[0]
        == 2
    )


def test_an_older_copy_imported_later_becomes_the_item(store: Store) -> None:
    north, south = _two_sources(store)
    store.save_entries(
        north,
        [
            RawEntry(
                title="Velmar strike",
                body=HARBOUR,
                stable_id="late",
                published=T0 + timedelta(hours=5),
            )
        ],
    )
    analyse_pending(store)
    store.save_entries(
        south, [RawEntry(title="Velmar strike", body=HARBOUR, stable_id="early", published=T0)]
    )
    analyse_pending(store)
    late, early = (
        store.conn.execute("SELECT id FROM entries WHERE stable_id = ?", (s,)).fetchone()[0]
        for s in ("late", "early")
    )
    assert _item(store, late) == early
    row = store.conn.execute(
        "SELECT repost_of, thread_id FROM entries WHERE id = ?", (early,)
    ).fetchone()
    assert row["repost_of"] is None
    # The item keeps the thread it had: the reposts follow it.
    late_thread = store.conn.execute(
        "SELECT thread_id FROM entries WHERE id = ?", (late,)
    ).fetchone()[0]
    assert row["thread_id"] == late_thread is not None


def test_fingerprints_compare_as_documented() -> None:
    base = fingerprint("Dock strike", HARBOUR)
    assert same_item(base, fingerprint("DOCK STRIKE!", HARBOUR.upper()))  # case, punctuation
    assert not same_item(base, fingerprint("Tram line", COUNCIL))
    # One paragraph of another text is not "containing": the shorter text must be mostly in.
    first_paragraph = HARBOUR.split("\n\n")[0]
    assert not same_item(fingerprint("x", first_paragraph + "\n\n" + COUNCIL), base)
    # Body-less entries match on the title without its kind prefix, and only then.
    assert same_item(
        fingerprint("Watch: Dockers walk out", ""), fingerprint("Dockers walk out", "")
    )
    assert not same_item(fingerprint("Dockers walk out", ""), fingerprint("Dockers walk in", ""))


def test_lookup_keys_stay_what_older_versions_stored() -> None:
    """Keys live in users' caches: a faster way of computing them must give the same numbers,
    or a repost of an entry analysed before an upgrade would go unnoticed."""
    import random

    from wirereader.analysis.dedup import lsh
    from wirereader.analysis.features import hash_tuple, mix64

    assert fingerprint("Dock strike", HARBOUR).keys == [
        139799066616732070,
        1013305873184264158,
        1392392307568785879,
        1566333900909841318,
        1910262395926860487,
        5444912243631528112,
        5824799676097698083,
        6203027306506637140,
        7102490501969846622,
        7979465356178139802,
        8251389541496383565,
        8853840814712125994,
    ]
    rng = random.Random(4)
    for _ in range(2000):
        sig = lsh.signature({rng.getrandbits(66) for _ in range(rng.choice([1, 3, 40]))})
        tag = rng.choice([0, 3, 255])
        assert lsh.band_keys(sig, tag) == [
            mix64(hash_tuple([tag, band, *sig[band * 3 : band * 3 + 3]])) >> 1
            for band in range(lsh.BANDS)
        ]


def test_reposts_point_straight_at_the_item_never_a_chain(tmp_path: Path) -> None:
    with Store(tmp_path / "c.sqlite3") as store:
        import_file(store, LIVEBLOG_SEED)
        import_file(store, ARTICLE_SEED)
        chained = store.conn.execute(
            "SELECT count(*) FROM entries e JOIN entries r ON r.id = e.repost_of"
            " WHERE r.repost_of IS NOT NULL"
        ).fetchone()[0]
        assert chained == 0


def test_a_kept_fingerprint_is_used_only_for_the_text_it_was_made_from(store: Store) -> None:
    from wirereader.analysis.dedup.reposts import Deduplicator, Entry, PrintCache

    a, b = _two_sources(store)

    def entry(source: int, stable_id: str) -> Entry:
        row = store.conn.execute(
            "SELECT id, source_id, title, wirereader_body(body), published_at FROM entries"
            " JOIN entry_texts ON entry_id = id"
            " WHERE source_id = ? AND stable_id = ?",
            (source, stable_id),
        ).fetchone()
        return Entry(*row)

    def repost_of_original(change_original: bool) -> int | None:
        for source, prefix in ((a, "o"), (b, "r")):
            raw = RawEntry(
                title="Port strike",
                # each case its own text, so the second never meets the first
                body=COUNCIL if change_original else HARBOUR,
                stable_id=f"{prefix}{change_original}",
                published=T0,
            )
            store.save_entries(source, [raw])
        cache = PrintCache()
        original, repost = entry(a, f"o{change_original}"), entry(b, f"r{change_original}")
        with store.transaction() as conn:
            Deduplicator(conn, cache).run([original])
        if change_original:
            # A body replaced in place (as a fetched article does), after its print was kept.
            set_body(
                store.conn,
                original.id,
                "The lighthouse at Brannock Point reopened to visitors after repairs.",
            )
        with store.transaction() as conn:
            Deduplicator(conn, cache).run([repost])
        return store.conn.execute(
            "SELECT repost_of FROM entries WHERE id = ?", (repost.id,)
        ).fetchone()[0]

    assert repost_of_original(False) is not None
    assert repost_of_original(True) is None


def test_a_whole_batch_gets_the_keys_one_by_one_gives(corpus: Path) -> None:
    """`fingerprints` computes the MinHash bands of a batch at once in numpy: every key must be
    the one `fingerprint` computes text by text (keys live in users' caches), including texts
    short enough for empty MinHash bins (densification) and texts at the length limits."""
    import json
    import random

    from wirereader.analysis.dedup import lsh
    from wirereader.analysis.dedup.reposts import fingerprints

    texts = [("Dock strike", HARBOUR), ("Council", COUNCIL)]
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts += [(r["title"], r["text"]) for r in map(json.loads, f)]
    rng = random.Random(8)
    vocabulary = [f"w{n}" for n in range(60)]
    for size in (0, 3, 19, 20, 21, 22, 25, 30, 60, 400):  # 20-30 words leave bins empty
        for _ in range(30):
            texts.append(("t", " ".join(rng.choice(vocabulary) for _ in range(size))))
    texts.append(("long", " ".join(rng.choice(vocabulary) for _ in range(6000))))
    # Paragraphs (their keys are mixed for the batch at once): long and short ones, empty
    # ones, one said twice, non-ASCII ones, apostrophes.
    paragraphs = [
        " ".join(rng.choice(vocabulary) for _ in range(size)) for size in (0, 5, 11, 12, 13, 40)
    ]
    paragraphs += ["Ελλάδα Türkçe हिन्दी " * 5, "the court's ruling, O’Brien's 'quote' " * 3, "  "]
    paragraphs.append("a lone surrogate \ud800 half \U0001f609 emoji — dash " * 2)
    for _ in range(200):
        chosen = [rng.choice(paragraphs) for _ in range(rng.randint(1, 6))]
        texts.append(("p", rng.choice(["\n\n", "\n\n\n\n", "\n"]).join(chosen)))
    batch = fingerprints(texts)
    densified = 0
    for (title, body), fp in zip(texts, batch, strict=True):
        one = fingerprint(title, body)
        assert (fp.keys, fp.exact, fp.size, fp.bands) == (one.keys, one.exact, one.size, one.bands)
        if one.long and one.shingles is not None:
            densified += len({h % lsh.BINS for h in one.shingles}) < lsh.BINS  # an empty bin
    assert densified > 50  # the densification path was exercised
    assert len(batch) > 1000


def test_a_batch_s_shingles_are_the_sets_worked_out_text_by_text(corpus: Path) -> None:
    """The shingles the batch's MinHash step worked out (and the prepare worker sends back)
    are, for every long text, exactly the set `body_shingles` makes of its body: texts
    compared on them must compare as before (carries above 64 bits, repeated shingles,
    non-ASCII words and the length limit included)."""
    import json
    import random

    from wirereader.analysis.dedup.reposts import (
        MAX_WORDS,
        body_shingles,
        fingerprints_and_shingles,
    )

    texts = [("Dock strike", HARBOUR), ("Council", COUNCIL)]
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts += [(r["title"], r["text"]) for r in map(json.loads, f)]
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(5)] + ["हिन्दी", "समाचार", "Ελλάδα", "Türkçe"]
    for size in (19, 20, 21, 60, 400):
        texts += [("t", " ".join(rng.choice(vocabulary) for _ in range(size))) for _ in range(20)]
    texts.append(("long", " ".join(rng.choice(vocabulary) for _ in range(MAX_WORDS * 3))))
    ids = [1000 + n for n in range(len(texts))]
    prints, packed = fingerprints_and_shingles(texts, ids)
    spans = packed.spans()
    carried = 0
    for entry_id, (_, body), fp in zip(ids, texts, prints, strict=True):
        span = spans.get(entry_id)
        assert (span is not None) == fp.long
        if span is not None:
            made = span[0].shingles(span[1], span[2])
            assert made == body_shingles(body)
            carried += any(h >> 64 for h in made)
    assert carried > 500 and len(spans) > 700


def test_a_batch_compares_its_texts_on_the_shingles_its_prints_came_with(
    store: Store, monkeypatch
) -> None:
    """Texts of a batch whose prints came with their shingles (from the prepare worker, or
    made here for the batch) are compared on those, none worked out again from a body, and
    the items are the ones found working each out from its body."""
    from wirereader.analysis.dedup import reposts

    def items() -> list[tuple]:
        return [tuple(r) for r in store.conn.execute("SELECT id, repost_of FROM entries")]

    import_file(store, LIVEBLOG_SEED, analyse=False)
    import_file(store, ARTICLE_SEED, analyse=False)
    north, south = _two_sources(store)
    copy = HARBOUR.replace("walked out on Tuesday", "walked out on Tuesday morning")
    copy += "\n\nThe dispute is the first at the port in eleven years."
    for source, (title, body, guid) in [
        (north, ("Velmar dockers strike", HARBOUR, "n1")),
        (south, ("Strike halts Velmar port", copy, "s1")),
    ]:
        store.save_entries(source, [RawEntry(title=title, body=body, stable_id=guid, published=T0)])
    calls = {"packed": 0, "worked out": 0}
    packed, worked_out = reposts.PackedShingles.shingles, reposts.body_shingles

    def from_pack(self: reposts.PackedShingles, start: int, end: int) -> set[int]:
        calls["packed"] += 1
        return packed(self, start, end)

    def from_body(body: str) -> set[int]:
        calls["worked out"] += 1
        return worked_out(body)

    monkeypatch.setattr(reposts.PackedShingles, "shingles", from_pack)
    monkeypatch.setattr(reposts, "body_shingles", from_body)
    analyse_pending(store, workers=False)
    assert calls["packed"] >= 2 and calls["worked out"] == 0
    found = items()
    assert sum(1 for _, repost in found if repost is not None) == 6  # the seeds' 5, the copy

    monkeypatch.setattr(reposts.PackedShingles, "spans", lambda self: {})  # (none with them)
    store.conn.execute("UPDATE entries SET repost_of = NULL, analysed_hash = NULL")
    store.conn.execute("DELETE FROM dedup_keys")
    store.conn.execute("DELETE FROM dedup_recent_keys")
    analyse_pending(store, workers=False)
    assert calls["worked out"] >= 2 and items() == found


def test_a_batch_reads_its_stored_candidates_together(store: Store) -> None:
    """Copies of every entry of the live-blog seed, analysed after it: each joins its
    original's item, and the originals' texts are read back in one query for the batch (not
    one per compared entry)."""
    import_file(store, LIVEBLOG_SEED)
    originals = store.conn.execute(
        "SELECT e.id, e.title, wirereader_body(t.body) FROM entries e"
        " JOIN entry_texts t ON t.entry_id = e.id WHERE e.kind != 'summary' ORDER BY e.id"
    ).fetchall()
    long_ones = [r for r in originals if len(r[2].split()) >= 40]
    assert len(long_ones) >= 10
    _, south = _two_sources(store)
    saved = store.save_entries(
        south,
        [
            RawEntry(
                title=title, body=body, stable_id=f"copy-{i}", published=T0 + timedelta(days=1)
            )
            for i, (_, title, body) in enumerate(long_ones)
        ],
    )
    copies = dict(
        store.conn.execute("SELECT stable_id, id FROM entries WHERE source_id = ?", (south,))
    )
    assert len(copies) == len(long_ones), saved
    reads: list[str] = []
    store.conn.set_trace_callback(
        lambda sql: reads.append(sql) if "ON t.entry_id = e.id WHERE e.id IN" in sql else None
    )
    analyse_pending(store, workers=False)
    store.conn.set_trace_callback(None)
    for i, (original, _, _) in enumerate(long_ones):
        assert _item(store, copies[f"copy-{i}"]) == _item(store, original)
    assert len(reads) == 1


def test_a_batch_s_distinct_keys_are_numpy_s_unique_ones() -> None:
    """The batch's keys as looked up: sorted, each once, as `np.unique` gives them, with those
    met more than once (the keys of the seeds' texts, each text's twice; one key; none)."""
    import numpy as np

    from wirereader.analysis.dedup.reposts import _distinct

    texts = [(e.title, e.body) for seed in (LIVEBLOG_SEED, ARTICLE_SEED) for e in _entries(seed)]
    keys = np.array([k for t in texts + texts for k in fingerprint(*t).keys], dtype=np.int64)
    assert len(keys) > 100
    for given in (keys, keys[:1], keys[:0]):
        distinct, repeated = _distinct(given)
        values, counts = np.unique(given, return_counts=True)
        assert np.array_equal(distinct, values) and distinct.dtype == np.int64
        assert np.array_equal(repeated, counts > 1)
    assert _distinct(keys)[1].sum() == len(np.unique(keys))  # each text's keys twice


def test_shingles_packed_from_their_span_are_kept_as_the_set_is() -> None:
    """A text's shingles packed for `PrintCache` from the arrays they came in
    (`PackedShingles.packed`), where none repeats, are the pairs the set gives (carries above
    64 bits included), and the cache gives the same set back either way."""
    import random

    from wirereader.analysis.dedup.reposts import (
        Fingerprint,
        PrintCache,
        _packed,
        fingerprints_and_shingles,
    )

    rng = random.Random(5)
    vocabulary = [f"w{n}" for n in range(6)] + ["Ελλάδα", "Türkçe", "harbour", "strike"]
    texts = [("Dock strike", HARBOUR), ("Council", COUNCIL)]
    texts += [
        ("t", " ".join(rng.choice(vocabulary) for _ in range(size))) for size in (21, 60, 400)
    ]
    ids = [10 + n for n in range(len(texts))]
    prints, packs = fingerprints_and_shingles(texts, ids)
    spans = packs.spans()
    assert len(spans) == len(texts)
    carried = repeated = 0
    for (title, body), entry_id, fp in zip(texts, ids, prints, strict=True):
        pack, start, end = spans[entry_id]
        made = pack.shingles(start, end)
        if len(made) < end - start:  # (a shingle repeated: packed from the set)
            repeated += 1
            continue
        low, high = pack.packed(start, end)
        pairs = list(zip(low, high, strict=True))
        assert len(pairs) == len(made)
        from_set, carries = _packed(made)
        assert from_set is not None and carries is not None
        assert set(pairs) == set(zip(from_set, carries, strict=True))
        carried += any(high)
        for given in (None, (low, high)):
            cache = PrintCache()
            cache.put(
                entry_id, title, body, Fingerprint([fp.exact], fp.exact, fp.size, made), given
            )
            kept = cache.get(entry_id, title, body)
            assert kept is not None and kept.shingles == made
    assert carried >= 2 and repeated >= 1


def test_a_kept_print_gives_back_what_is_compared() -> None:
    """`PrintCache` keeps a print's exact key, size and shingles (their values past 64 bits
    too) and nothing a comparison does not read; shingles made later are kept as well."""
    from wirereader.analysis.dedup.reposts import Fingerprint, PrintCache, fingerprint, same_item

    cache = PrintCache()
    made = fingerprint("Port strike", HARBOUR)
    assert made.shingles and any(v >> 64 for v in made.shingles)
    cache.put(1, "Port strike", HARBOUR, made)
    kept = cache.get(1, "Port strike", HARBOUR)
    assert kept is not None
    assert (kept.exact, kept.size, kept.shingles) == (made.exact, made.size, made.shingles)
    assert same_item(kept, made)
    assert cache.get(1, "Port strike", COUNCIL) is None  # another text: not this print
    bare = Fingerprint([made.exact], made.exact, made.size, None)
    cache.put(2, "t", "b", bare)
    got = cache.get(2, "t", "b")
    assert got is not None and got.shingles is None
    cache.filled(2, {3, 5 + (2 << 64)})
    again = cache.get(2, "t", "b")
    assert again is not None and again.shingles == {3, 5 + (2 << 64)}

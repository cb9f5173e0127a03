"""Bodies packed in `entry_texts` (migration 0050): old caches converted in place, every current
text and every version readable, searches unchanged, the index kept right through edits,
reposts, article replacements and prunes, and a conversion killed midway resumed."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, parsed_in_worker, serve_feeds
from tests.support.old_caches import SEARCHES, old_cache, searched, searched_file
from wirereader.core.config import Config
from wirereader.core.model import RawEntry
from wirereader.ingest.refresh import refresh
from wirereader.query.detail import load_detail
from wirereader.query.timeline import Filter, Query
from wirereader.store import migrate_texts, texts
from wirereader.store.db import Store
from wirereader.store.migrations import current_version, latest_version
from wirereader.store.prune import prune
from wirereader.store.subscriptions import subscribe
from wirereader.store.versions import versions_of


def raw_entries(path: Path) -> dict[int, tuple[str, str]]:
    """(title, body) of every entry, read as the old schema stored them."""
    conn = sqlite3.connect(path)
    try:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, title, body FROM entries")}
    finally:
        conn.close()


def raw_versions(path: Path) -> dict[int, list[tuple[str, str]]]:
    conn = sqlite3.connect(path)
    out: dict[int, list[tuple[str, str]]] = {}
    try:
        for row in conn.execute("SELECT entry_id, title, body FROM entry_versions ORDER BY id"):
            out.setdefault(row[0], []).append((row[1], row[2]))
    finally:
        conn.close()
    return out


def index_is_sound(store: Store) -> None:
    """FTS5's own check against the content it indexes (the bodies, unpacked)."""
    store.conn.execute("INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)")


def current_texts(store: Store) -> dict[int, tuple[str, str]]:
    return {
        r[0]: (r[1], texts.body_of(store.conn, r[0]))
        for r in store.conn.execute("SELECT id, title FROM entries")
    }


@pytest.mark.parametrize("fixture", ["schema-v41.sql", "schema-v1.sql"])
def test_an_old_cache_converts_without_loss(tmp_path: Path, fixture: str) -> None:
    path = old_cache(tmp_path / "old.sqlite3", fixture)
    entries, versions, searches = raw_entries(path), raw_versions(path), searched_file(path)
    assert any(body for _, body in entries.values())
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(entries)")]
        assert "body" not in columns and "title" in columns
        assert current_texts(store) == entries
        got = {
            entry_id: [(v.title, v.body) for v in versions_of(store.conn, [entry_id])]
            for entry_id in versions
        }
        assert got == versions
        assert searched(store.conn) == searches
        # The reader's and the CLI's searches, through the query layer, find the same.
        for words in SEARCHES:
            found = Query(store, Filter(words=tuple(words.split()), all_entries=True)).all()
            assert sorted(r.id for r in found) == searches[words], words
        # What they show of each entry is its whole current text.
        for row in Query(store, Filter(all_entries=True)).all():
            assert (row.title, row.body) == entries[row.id]
        index_is_sound(store)


def test_a_conversion_killed_midway_resumes_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_cache(tmp_path / "old.sqlite3")
    entries, searches = raw_entries(path), searched_file(path)
    monkeypatch.setattr(migrate_texts, "BATCH", 1)
    original = migrate_texts._move_batch
    calls = []

    def dies_after_two(conn: sqlite3.Connection) -> bool:
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return original(conn)

    monkeypatch.setattr(migrate_texts, "_move_batch", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        Store(path)
    conn = sqlite3.connect(path)
    moved = conn.execute("SELECT count(*) FROM entries_packed").fetchone()[0]
    bodies = conn.execute("SELECT count(*) FROM entry_texts").fetchone()[0]
    left = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    conn.close()
    assert (moved, bodies, left) == (2, 2, len(entries) - 2)
    monkeypatch.setattr(migrate_texts, "_move_batch", original)
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
        assert current_texts(store) == entries
        assert searched(store.conn) == searches
        index_is_sound(store)


def test_a_big_conversion_needs_no_second_copy_of_the_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3,000 entries with long bodies: the file does not grow, the WAL stays small between
    batches (each its own transaction), and every body comes back whole."""
    path = old_cache(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    words = ["harbour", "council", "ferry", "budget", "storm", "river", "bridge", "market"]
    bodies = {}
    for n in range(10, 3010):
        bodies[n] = " ".join(words[(n * k) % len(words)] + str(k % 89) for k in range(250))
        conn.execute(
            "INSERT INTO entries (id, source_id, stable_id, title, body, author, published_at,"
            " content_hash, first_seen, last_seen) VALUES (?, 1, ?, ?, ?, '', 1704791700,"
            " 'h', 0, 0)",
            (n, f"s{n}", f"Story {n}", bodies[n]),
        )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size_before = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    largest_wal = []
    original = migrate_texts._move_batch
    monkeypatch.setattr(migrate_texts, "BATCH", 500)

    def measured(conn: sqlite3.Connection) -> bool:
        moved = original(conn)
        largest_wal.append(wal.stat().st_size if wal.exists() else 0)
        return moved

    monkeypatch.setattr(migrate_texts, "_move_batch", measured)
    with Store(path) as store:
        assert {n: texts.body_of(store.conn, n) for n in bodies} == bodies
        hits = Query(store, Filter(words=("ferry",), all_entries=True)).count()
        assert hits == sum("ferry" in b for b in bodies.values())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(largest_wal) >= 6
    assert path.stat().st_size <= size_before * 1.1
    assert max(largest_wal) < size_before / 2


def test_bodies_are_packed_when_that_is_smaller_and_a_damaged_one_reads_empty() -> None:
    short, long = "Ferries wait.", "The harbour reopened on Friday. " * 20
    assert texts.pack(short) == short
    packed = texts.pack(long)
    assert isinstance(packed, bytes) and len(packed) < len(long) / 3
    assert texts.unpack(packed) == long
    assert texts.unpack(packed[:-4]) == ""  # cut short: no traceback, never another text
    assert texts.unpack(b"?unknown") == ""
    assert texts.is_stored_body(packed) and texts.is_stored_body(short)
    assert not texts.is_stored_body(packed[:-4]) and not texts.is_stored_body(b"\x01\x02")


def entry(title: str, body: str, stable_id: str, minute: int = 0) -> RawEntry:
    from datetime import datetime, timezone

    return RawEntry(
        title=title,
        body=body,
        stable_id=stable_id,
        published=datetime(2025, 3, 1, 9, minute, tzinfo=timezone.utc),
    )


def found(store: Store, *words: str) -> list[str]:
    return [r.title for r in Query(store, Filter(words=words, all_entries=True)).all()]


def test_the_index_follows_every_change_of_title_or_body(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite3") as store:
        source = store.ensure_source("wire", "file")
        long_body = "Crews worked through the night on the harbour wall. " * 10
        store.save_entries(
            source,
            [entry("Harbour closes", long_body, "a"), entry("Council meets", "Budget vote.", "b")],
        )
        assert found(store, "crews") == ["Harbour closes"]
        index_is_sound(store)
        # A new version: title and body both change; the old text is a version, not indexed.
        store.save_entries(source, [entry("Harbour reopens", "Ferries run again.", "a")])
        assert found(store, "crews") == []
        assert found(store, "ferries") == ["Harbour reopens"]
        assert found(store, "closes") == []
        entry_id = store.conn.execute("SELECT id FROM entries WHERE stable_id = 'a'").fetchone()[0]
        assert [v.body for v in versions_of(store.conn, [entry_id])] == [
            long_body,
            "Ferries run again.",
        ]
        detail = load_detail(store, entry_id)
        assert detail is not None and detail.entry.body == "Ferries run again."
        # A body replaced in place (as an article does) and marked for a new analysis.
        store.conn.execute("UPDATE entries SET analysed_hash = content_hash")
        with store.transaction() as conn:
            texts.set_body(conn, entry_id, long_body + " The mayor thanked them.")
        assert found(store, "mayor") == ["Harbour reopens"]
        assert store.conn.execute(
            "SELECT analysed_hash IS NULL FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()[0]
        index_is_sound(store)
        # An item pruned away takes its text and its index row with it.
        summary = prune(store, cutoff=2_000_000_000)
        assert summary.entries == 2
        assert store.conn.execute("SELECT count(*) FROM entry_texts").fetchone()[0] == 0
        assert found(store, "mayor") == [] and found(store, "budget") == []
        index_is_sound(store)
        assert store.conn.execute("SELECT count(*) FROM entries_fts_docsize").fetchone()[0] == 0


def test_a_new_cache_has_the_packed_layout_and_search_works(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite3") as store:
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert {"entry_texts", "entries_fts_source", "entries_fts"} <= names
        assert "entries_text_changed_reanalyse" not in names
        source = store.ensure_source("wire", "file")
        store.save_entries(source, [entry("Café reopens", "The council budget passed.", "a")])
        assert found(store, "cafe") == ["Café reopens"]
        phrase = Query(store, Filter(phrases=("council budget",), all_entries=True)).all()
        assert [r.title for r in phrase] == ["Café reopens"]
        assert Query(store, Filter(phrases=("budget council",), all_entries=True)).all() == []


def _automerge(store: Store) -> int | None:
    row = store.conn.execute("SELECT v FROM entries_fts_config WHERE k = 'automerge'").fetchone()
    return None if row is None else int(row[0])


def test_the_index_merges_sixteen_segments_at_a_time_and_finds_the_same(tmp_path: Path) -> None:
    """Migration 0061: fewer merges while saving (FTS5's `automerge` 16), the same results."""
    with Store(tmp_path / "cache.sqlite3") as store:
        assert _automerge(store) == 16
        source = store.ensure_source("wire", "file")
        for n in range(40):  # a transaction each: a segment each, merged on the way
            store.save_entries(
                source,
                [entry(f"Harbour report {n}", f"Crews {n} worked on wall {n % 3}.", f"g{n}")],
            )
        assert len(found(store, "crews")) == 40
        assert len(found(store, "wal")) == 40  # a word typed so far matches as a prefix
        walls = Query(store, Filter(phrases=("on wall 1",), all_entries=True)).all()
        assert sorted(r.title for r in walls) == sorted(
            f"Harbour report {n}" for n in range(40) if n % 3 == 1
        )
        index_is_sound(store)
    # A cache from before 0061 (FTS5's default of four) takes the setting when opened.
    conn = sqlite3.connect(tmp_path / "cache.sqlite3")
    conn.execute("DELETE FROM entries_fts_config WHERE k = 'automerge'")
    conn.execute("DELETE FROM schema_migrations WHERE version = 61")
    conn.execute("PRAGMA user_version = 60")
    conn.commit()
    conn.close()
    with Store(tmp_path / "cache.sqlite3") as store:
        assert _automerge(store) == 16
        assert len(found(store, "crews")) == 40


def _counting_unpacks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every packed body `texts` unpacks from now on (the test's own record of them)."""
    unpacked: list[bytes] = []
    decompress = texts._decompress

    def counted(data: bytes) -> bytes:
        unpacked.append(data)
        return decompress(data)

    monkeypatch.setattr(texts, "_decompress", counted)
    return unpacked


def test_bodies_a_parse_worker_packed_are_stored_as_packed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetched document parsed in a worker comes with its bodies packed (off the writing
    process): those are stored as given, not packed again, the same bytes `pack` makes here,
    and read back and searched as any other body; a body not given is packed here."""
    document = parsed_in_worker(
        [
            {
                "guid": f"g{n}",
                "title": f"Harbour report {n}",
                "description": "The ferry to Ostmark left on time again. " * (n + 2),
            }
            for n in range(3)
        ]
    )
    assert len(document.entries) == 3
    assert document.packed_bodies == {e.body: texts.pack(e.body) for e in document.entries}
    assert all(isinstance(p, bytes) for p in document.packed_bodies.values())
    packed_here: list[str] = []
    pack = texts.pack

    def counted(body: str) -> str | bytes:
        packed_here.append(body)
        return pack(body)

    monkeypatch.setattr(texts, "pack", counted)
    later = RawEntry(title="Later", body="A body no worker packed. " * 5, stable_id="later")
    with Store(tmp_path / "c.sqlite3") as store:
        sid = store.ensure_source("test:port", "feed", name="port")
        with texts.prepacked(document.packed_bodies):
            store.save_entries(sid, document.entries)
        assert packed_here == []
        # Just stored: read back (as a refresh reads them for the analysis) without unpacking.
        decompress = zlib.decompress
        unpacked = _counting_unpacks(monkeypatch)
        bodies = store.conn.execute("SELECT wirereader_body(body) FROM entry_texts").fetchall()
        assert sorted(r[0] for r in bodies) == sorted(e.body for e in document.entries)
        assert unpacked == []
        monkeypatch.setattr(zlib, "decompress", decompress)
        store.save_entries(sid, [later])
        assert packed_here == [later.body]
        assert texts._prepacked == {}  # only within the block
        for e in [*document.entries, later]:
            entry_id = store.conn.execute(
                "SELECT id FROM entries WHERE stable_id = ?", (e.stable_id,)
            ).fetchone()[0]
            stored = store.conn.execute(
                "SELECT body FROM entry_texts WHERE entry_id = ?", (entry_id,)
            ).fetchone()[0]
            assert stored == pack(e.body) and texts.body_of(store.conn, entry_id) == e.body
        found = store.conn.execute(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'Ostmark'"
        ).fetchone()[0]
        assert found == 3
        index_is_sound(store)


def test_bodies_unpacked_lately_are_read_again_without_unpacking_within_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The analysis reads a pending body twice; the second read is taken from the bodies
    unpacked lately (keyed by the packed bytes themselves, so always the right body), which
    stay within their count and size."""
    bodies = [
        f"Body number {n} about the harbour and the ferry to Ostmark. " * 3 for n in range(50)
    ]
    packed = [texts.pack(b) for b in bodies]
    assert all(isinstance(p, bytes) for p in packed)
    assert [texts.unpack(p) for p in packed] == bodies
    unpacked = _counting_unpacks(monkeypatch)
    assert [texts.unpack(p) for p in packed] == bodies
    assert unpacked == []  # all read again from the recent bodies
    monkeypatch.setattr(texts, "_RECENT_BODIES", 10)
    more = [texts.pack(f"Another body, {n}, of the harbour and its ferry. " * 3) for n in range(30)]
    assert all(texts.unpack(p).startswith("Another body") for p in more)
    assert len(texts._recent) <= 10
    assert texts._recent_chars == sum(len(b) for b in texts._recent.values())
    assert texts.unpack(b"z" + b"not zlib at all") == ""  # damaged: empty, and not kept
    assert b"z" + b"not zlib at all" not in texts._recent


def test_ctrl_c_inside_the_body_function_ends_the_save_as_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C's handler can raise while SQLite runs `wirereader_body` (the index's trigger
    calls it for every row saved). SQLite turns that into "user-defined function raised
    exception"; the transaction must end as the interrupt it was, not as one failed save with
    the fetch going on."""
    from wirereader.core import interruptible
    from wirereader.store import texts

    monkeypatch.setattr(interruptible, "_swallowed", [])

    def interrupted(stored: object) -> str:
        raise KeyboardInterrupt

    with Store(tmp_path / "cache.sqlite3") as store:
        monkeypatch.setattr(texts, "unpack", interrupted)
        with pytest.raises(KeyboardInterrupt), store.transaction() as conn:
            conn.execute("SELECT wirereader_body('packed')").fetchone()
        assert interruptible._swallowed == []  # raised once, not kept for later


def test_ctrl_c_inside_the_body_function_ends_a_migration_step_as_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrations' batches roll back through the same `roll_back` as the store's own
    transactions, so an interrupt SQLite swallowed in one of them ends the step as the
    interrupt, not as a failed statement that the conversion reports as a damaged cache."""
    from wirereader.core import interruptible
    from wirereader.store import texts
    from wirereader.store.write_transaction import in_write_transaction

    monkeypatch.setattr(interruptible, "_swallowed", [])

    def interrupted(stored: object) -> str:
        raise KeyboardInterrupt

    with Store(tmp_path / "cache.sqlite3") as store:
        monkeypatch.setattr(texts, "unpack", interrupted)
        with pytest.raises(KeyboardInterrupt):
            in_write_transaction(
                store.conn, lambda: store.conn.execute("SELECT wirereader_body('packed')")
            )
        assert interruptible._swallowed == []
        assert not store.conn.in_transaction  # rolled back


def test_a_save_whose_caller_keeps_the_texts_leaves_the_recent_bodies_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh keeps the texts it saved and hands them to the analysis itself, so its saves do
    not fill the cache of recent bodies (which would push out bodies read lately); any other
    save still does, so the analysis after it reads them without unpacking. Either way the
    index holds every body, and a body read later is the one saved."""
    monkeypatch.setattr(texts, "_recent", type(texts._recent)())
    monkeypatch.setattr(texts, "_recent_chars", 0)
    kept = [
        entry(f"Ferry story {n}", f"The ferry to Ostmark sailed late, day {n}. " * 4, f"k{n}", n)
        for n in range(5)
    ]
    other = [
        entry(f"Harbour story {n}", f"The harbour of Westmark was closed, day {n}. " * 4, f"o{n}")
        for n in range(5)
    ]
    with Store(tmp_path / "c.sqlite3") as store:
        sid = store.ensure_source("feed", "feed", name="feed")
        saved = store.save_entries(sid, kept, keep_texts=True)
        assert [row[2] for row in saved.texts] == [e.body for e in kept]
        assert texts._recent == {}
        store.save_entries(sid, other)
        assert sorted(texts._recent.values()) == sorted(e.body for e in other)
        unpacked = _counting_unpacks(monkeypatch)
        for entry_id, e in zip(saved.new, kept, strict=True):
            assert texts.body_of(store.conn, entry_id) == e.body
        assert len(unpacked) == 5  # read back from the stored bytes
        assert len(found(store, "Ostmark")) == 5 and len(found(store, "Westmark")) == 5
        index_is_sound(store)
        # the next save remembers again (the switch is only for the one statement)
        store.save_entries(sid, [entry("Late", "The last ferry of Ostmark. " * 4, "late")])
        assert "The last ferry of Ostmark. " * 4 in texts._recent.values()


def test_bodies_of_real_feeds_are_stored_in_zlibs_own_format(
    server: FeedServer, store: Store, db_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus's real feeds fetched from a server on 127.0.0.1, most of them parsed (and
    their bodies packed) in the parse workers: every packed body in the cache file is one the
    standard library's zlib reads back (as every release before this deflate did), it is the
    text the reader shows, and the packing keeps within two points of the share of the bytes
    zlib's level 6 kept. A body an older release packed (zlib level 6) still reads."""
    from wirereader.ingest import parse_pool

    monkeypatch.setattr(parse_pool, "MIN_BYTES", 2000)  # the first feed inline, then workers
    monkeypatch.setattr(parse_pool, "START_IN_BACKGROUND", False)
    for url in serve_feeds(server, corpus / "feeds"):
        subscribe(store, url)
    report = refresh(store, Config(timeout=5.0), analyse=False)
    assert report.new > 100 and not report.failures
    conn = sqlite3.connect(db_path)  # no wirereader_body: the bytes as stored
    try:
        rows = conn.execute("SELECT entry_id, body FROM entry_texts").fetchall()
    finally:
        conn.close()
    packed = [(entry_id, body) for entry_id, body in rows if isinstance(body, bytes)]
    assert len(packed) > 100
    raw_bytes = ours = level_6 = 0
    for entry_id, body in packed:
        assert body[:1] == b"z"
        text = zlib.decompress(body[1:]).decode("utf-8")
        assert text == texts.body_of(store.conn, entry_id)
        raw = text.encode("utf-8")
        raw_bytes += len(raw)
        ours += len(body)
        level_6 += min(len(raw), 1 + len(zlib.compress(raw, 6)))
    assert ours / raw_bytes < level_6 / raw_bytes + 0.02
    old = b"z" + zlib.compress(b"A body an older release packed, " * 4, 6)
    assert texts.unpack(old) == "A body an older release packed, " * 4
    index_is_sound(store)


def test_without_isal_the_bodies_are_packed_by_zlib_as_before() -> None:
    """Where `isal` cannot be imported (no wheel for the platform), `pack` is zlib's level 6,
    byte for byte what the releases before it stored; with it, zlib reads what it packs."""
    import subprocess
    import sys

    check = (
        "import sys, zlib\n"
        "sys.modules['isal'] = None\n"  # `import isal...` now raises ImportError
        "from wirereader.store import texts\n"
        "body = 'The harbour master said the ferry left on time. ' * 20\n"
        "assert texts.pack(body) == b'z' + zlib.compress(body.encode(), 6)\n"
        "assert texts.unpack(texts.pack(body)) == body\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)
    body = "The harbour master said the ferry left on time. " * 20
    packed = texts.pack(body)
    assert isinstance(packed, bytes) and zlib.decompress(packed[1:]).decode() == body


def test_a_stored_body_reads_as_zlib_reads_it_whole_or_damaged(corpus: Path) -> None:
    """Bodies are read back by ISA-L's inflate where it installs: for every stored form (ours,
    zlib's levels 1, 6 and 9 of older releases) of the real feeds' text, and for each of those
    damaged (bytes changed, cut short, a wrong header or check), `unpack` gives what zlib
    gives (the body, or "" where zlib fails), and `is_stored_body` says what zlib says."""
    import random

    def by_zlib(stored: bytes) -> str:
        try:
            return zlib.decompress(stored[1:]).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            return ""

    text = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted((corpus / "feeds").iterdir())
    )
    rng = random.Random(17)
    bodies = [text[at : at + rng.randint(64, 6000)] for at in range(0, len(text), 1499)]
    assert len(bodies) > 200
    forms: list[bytes] = []
    for body in bodies:
        raw = body.encode("utf-8")
        ours = texts.pack(body)
        assert isinstance(ours, bytes)
        forms += [ours, *(b"z" + zlib.compress(raw, level) for level in (1, 6, 9))]
    damaged = 0
    for stored in forms:
        assert texts.unpack(stored) == by_zlib(stored) != ""
        cut = stored[: rng.randint(1, len(stored) - 1)]
        header = stored[:2] + bytes([stored[2] ^ 1]) + stored[3:]
        check = stored[:-1] + bytes([stored[-1] ^ 0x40])
        changed = bytearray(stored)
        for _ in range(rng.randint(1, 3)):
            changed[rng.randrange(1, len(changed))] = rng.randrange(256)
        for bad in (cut, header, check, bytes(changed)):
            expected = by_zlib(bad)
            damaged += expected == ""
            assert texts.unpack(bad) == expected
            assert texts.is_stored_body(bad) == (expected != "" or bad == b"z" + zlib.compress(b""))
    assert damaged > 3 * len(forms)


def test_the_analysis_reads_each_pending_body_as_the_sql_function_gives_it(
    tmp_path: Path, corpus: Path
) -> None:
    """The analysis's reads of a batch (`pending_entries`, `next_texts`) unpack the stored
    bodies themselves: every row is the one `wirereader_body` gives, packed bodies of real
    feeds, short plain ones and empty ones alike, read cold and again from the recent bodies."""
    from wirereader.store import analysis as analysis_store

    feed = (corpus / "feeds" / "bbc-news-world.rss").read_text(encoding="utf-8")
    bodies = [feed[at : at + 40 + 37 * (at % 50)] for at in range(0, 60_000, 997)]
    bodies += ["", "Short.", "Ünïcode body, café ☕ — 日本 " * 5]
    with Store(tmp_path / "c.sqlite3") as store:
        sid = store.ensure_source("feed", "feed", name="feed")
        store.save_entries(
            sid, [entry(f"Story {n}", body, f"s{n}", n % 60) for n, body in enumerate(bodies)]
        )
        conn = store.conn
        stored = conn.execute("SELECT body FROM entry_texts").fetchall()
        assert sum(isinstance(r[0], bytes) for r in stored) > 20
        assert sum(isinstance(r[0], str) for r in stored) >= 2
        by_sql = [
            tuple(r)
            for r in conn.execute(
                analysis_store._pending_select(
                    "wirereader_body(t.body)", " LEFT JOIN entry_texts t ON t.entry_id = e.id"
                ),
                (len(bodies),),
            )
        ]
        assert sorted(r[3] for r in by_sql) == sorted(bodies)
        texts._recent.clear()
        for _ in range(2):  # cold, then from the recent bodies
            assert [tuple(r) for r in analysis_store.pending_entries(conn, len(bodies))] == by_sql
            assert [tuple(r) for r in analysis_store.next_texts(conn, 20, 10)] == [
                (r[0], r[2], r[3], r[9]) for r in by_sql[10:30]
            ]

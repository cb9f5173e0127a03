"""The cache: WAL, migrations, idempotent re-import, versions, full-text search."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.feedserver import parsed_in_worker
from tests.support.paths import FIXTURES, LIVEBLOG_SEED
from wirereader.core.model import RawEntry
from wirereader.ingest.files import import_file
from wirereader.query.timeline import Filter, Query
from wirereader.store.db import CacheError, Store
from wirereader.store.migrations import SchemaTooNewError, current_version, latest_version
from wirereader.store.texts import body_of
from wirereader.store.versions import versions_of


def entry(title: str, body: str, stable_id: str = "a", hour: int = 9) -> RawEntry:
    when = datetime(2024, 1, 9, hour, 0, tzinfo=timezone.utc)
    return RawEntry(title=title, body=body, stable_id=stable_id, published=when, author="A Writer")


def test_new_cache_is_wal_with_latest_schema(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert current_version(store.conn) == latest_version()


def test_a_large_import_does_not_leave_a_large_wal_behind(db_path: Path) -> None:
    # One transaction of ~25 MB (a first import of many feeds) grows the WAL past it; SQLite
    # keeps a WAL file at its largest size unless told otherwise.
    from wirereader.store.db import WAL_SIZE_LIMIT

    with Store(db_path) as store:
        source = store.ensure_source("test:big", "feed", name="big")
        body = " ".join(f"word{i}" for i in range(600))  # ~5 KB per entry, one page or more
        store.save_entries(
            source, [entry(f"Entry {i}", f"{i} {body}", f"e{i}") for i in range(5000)]
        )
        wal = Path(f"{db_path}-wal")
        assert wal.stat().st_size > 5 * WAL_SIZE_LIMIT
        store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        for i in range(2):  # the writes after a checkpoint start the WAL over, and cut it back
            store.save_entries(source, [entry("Later", body, f"later{i}")])
        assert wal.stat().st_size <= WAL_SIZE_LIMIT


def test_reimport_adds_nothing_and_survives_reopen(db_path: Path) -> None:
    with Store(db_path) as store:
        first = import_file(store, LIVEBLOG_SEED, tz=timezone.utc)
        assert len(first.saved.new) == 55  # 54 entries and the summary
    with Store(db_path) as store:
        again = import_file(store, LIVEBLOG_SEED, tz=timezone.utc)
        assert again.saved.new == [] and again.saved.updated == []
        assert again.saved.unchanged == 55
        assert store.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 55
        assert store.conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0] == 55


def test_changed_entry_keeps_its_old_version(store: Store) -> None:
    source = store.ensure_source("test", "file")
    store.save_entries(source, [entry("Harbour closes", "The harbour closed.")])
    result = store.save_entries(
        source, [entry("Harbour closes", "The harbour closed.\n\nFerries wait in dock.")]
    )
    assert len(result.updated) == 1
    versions = versions_of(store.conn, [result.updated[0]])
    assert [v.body for v in versions] == [
        "The harbour closed.",
        "The harbour closed.\n\nFerries wait in dock.",
    ]
    current = body_of(store.conn, result.updated[0])
    assert current.endswith("Ferries wait in dock.")


def test_a_save_can_hand_back_the_texts_it_stored(store: Store) -> None:
    """`keep_texts`: the new and the changed entries' texts as the cache now holds them (a
    refresh hands them to the analysis instead of reading them back), and only those."""
    from wirereader.sources.context import ParseContext
    from wirereader.sources.dispatch import parse_file
    from wirereader.store.analysis import texts_of

    _, parsed = parse_file(LIVEBLOG_SEED, ParseContext(str(LIVEBLOG_SEED)))
    source = store.ensure_source("test", "file")
    first = store.save_entries(source, parsed.entries[:-3], keep_texts=True)
    assert [row[0] for row in first.texts] == first.new
    assert sorted(first.texts) == [tuple(r) for r in texts_of(store.conn, first.new)]
    old = parsed.entries[0]
    changed = RawEntry(old.title, old.body + "\n\nUpdated.", old.stable_id, author=old.author)
    again = store.save_entries(source, [changed, *parsed.entries[1:]], keep_texts=True)
    assert len(again.new) == 3 and len(again.updated) == 1
    assert [row[0] for row in again.texts] == again.new + again.updated
    stored = {r[0]: tuple(r) for r in texts_of(store.conn, again.new + again.updated)}
    assert again.texts == [stored[row[0]] for row in again.texts]
    assert again.texts[-1][2].endswith("Updated.")
    assert store.save_entries(source, parsed.entries[:2]).texts == []  # (not asked for)


def test_same_stable_id_in_two_sources_is_two_entries(store: Store) -> None:
    one = store.ensure_source("one", "feed")
    two = store.ensure_source("two", "feed")
    store.save_entries(one, [entry("Harbour closes", "x", stable_id="guid-1")])
    store.save_entries(two, [entry("Election called", "y", stable_id="guid-1")])
    assert store.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 2


def test_full_text_search_with_prefixes_and_phrases(store: Store) -> None:
    source = store.ensure_source("test", "file")
    store.save_entries(
        source,
        [
            entry("Harbour closes", "Ferries wait in dock.", "a", 9),
            entry("Council meets", "The council opened two shelters.", "b", 10),
        ],
    )
    assert [r.title for r in Query(store, Filter(words=("ferr",))).all()] == ["Harbour closes"]
    assert [r.title for r in Query(store, Filter(phrases=("two shelters",))).all()] == [
        "Council meets"
    ]
    assert Query(store, Filter(phrases=("shelters two",))).all() == []
    # FTS syntax typed by a user is searched for, not interpreted.
    assert Query(store, Filter(words=('"', "AND", "*"))).all() == []


def test_cache_from_schema_v1_migrates_without_loss(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.executescript((FIXTURES / "schema-v1.sql").read_text("utf-8"))
    conn.close()
    with Store(old) as store:
        assert current_version(store.conn) == latest_version()
        rows = Query(store, Filter(all_entries=True)).all()
        assert [(r.title, r.author, r.read, r.starred) for r in rows] == [
            ("Harbour reopens after storm", "Shaun McDonald", False, False)
        ]
        assert Query(store, Filter(words=("harbour",))).count() == 1


def test_migration_marks_entries_without_a_source_time_as_guessed(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.executescript((FIXTURES / "schema-v1.sql").read_text("utf-8"))
    conn.execute(
        "INSERT INTO entries (id, source_id, stable_id, title, body, author, published,"
        " published_at, kind, content_hash, first_seen, last_seen) VALUES (2, 1, 'h:bbbb',"
        " 'Ferry times posted', '', '', NULL, 1704791900, 'post', 'hash2', 1704791900,"
        " 1704791900)"
    )
    conn.commit()
    conn.close()
    with Store(old) as store:
        got = store.conn.execute("SELECT id, time_guessed FROM entries ORDER BY id").fetchall()
    assert [tuple(r) for r in got] == [(1, 0), (2, 1)]


def test_cache_from_a_newer_wirereader_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        Store(db_path)


def test_a_refused_cache_leaves_no_connection_counted(db_path: Path) -> None:
    # A cache from a newer wirereader is refused by the migration step (not a DatabaseError);
    # the count of this process's connections to the file must fall back, or the descriptor
    # store/checked.py reads the file with stays open after the last real connection closes.
    from wirereader.store import checked, db

    with Store(db_path) as store:
        store.verify()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    key = str(db_path.resolve())
    for _ in range(3):
        with pytest.raises(SchemaTooNewError):
            Store(db_path)
    assert key not in db._open_counts
    st = db_path.stat()
    assert (st.st_dev, st.st_ino) not in checked._handles


def test_garbage_cache_file_gives_a_clear_error(db_path: Path) -> None:
    db_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="not a usable wirereader cache"):
        Store(db_path)


def test_a_migration_numbered_below_the_newest_is_still_applied(monkeypatch, tmp_path) -> None:
    from wirereader.store import migrations as m

    one = m.Migration(1, "0001_a.sql", "CREATE TABLE a (x);")
    three = m.Migration(3, "0003_c.sql", "CREATE TABLE c (x);")
    two = m.Migration(2, "0002_b.sql", "CREATE TABLE b (x);")
    conn = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    monkeypatch.setattr(m, "available_migrations", lambda: [one, three])
    assert m.migrate(conn) == ["0001_a.sql", "0003_c.sql"]
    monkeypatch.setattr(m, "available_migrations", lambda: [one, two, three])
    assert m.migrate(conn) == ["0002_b.sql"]  # added later with a lower number: still applied
    assert m.migrate(conn) == []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"a", "b", "c"} <= tables
    assert m.current_version(conn) == 3


def test_content_hashes_a_parse_worker_made_are_those_a_save_would_make(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document parsed in a worker carries its entries' content hashes; a save given them
    stores exactly what it would have hashed itself, and hashes only what it was not given
    (a changed text included)."""
    from wirereader.core import model

    document = parsed_in_worker(
        [
            {
                "guid": f"g{n}",
                "title": f"Harbour report {n}",
                "author": f"desk{n % 2}",
                "description": "The ferry to Ostmark left on time. " * (n + 1),
            }
            for n in range(4)
        ]
    )
    assert len(document.entries) == 4
    assert document.text_hashes == {
        (e.title, e.body, e.author): e.content_hash() for e in document.entries
    }
    hashed: list[str] = []
    text_hash = model.text_hash

    def counted(title: str, body: str, author: str) -> str:
        hashed.append(title)
        return text_hash(title, body, author)

    monkeypatch.setattr(model, "text_hash", counted)
    changed = RawEntry(title="Harbour report 0, corrected", body="New.", stable_id="g0")
    with Store(db_path) as store:
        sid = store.ensure_source("test:port", "feed", name="port")
        saved = store.save_entries(sid, document.entries, hashes=document.text_hashes)
        assert len(saved.new) == 4 and hashed == []
        stored = dict(store.conn.execute("SELECT stable_id, content_hash FROM entries"))
        assert stored == {
            e.stable_id: text_hash(e.title, e.body, e.author) for e in document.entries
        }
        again = store.save_entries(
            sid, [changed, *document.entries[1:]], hashes=document.text_hashes
        )
        assert again.updated == [saved.new[0]] and again.unchanged == 3
        assert hashed == [changed.title]


def test_a_full_cache_fails_with_its_own_error_and_the_store_goes_on(db_path: Path) -> None:
    """SQLite rolls a transaction back itself when the disk is full (here: the cache may not
    grow past its size, which is SQLITE_FULL as a full disk makes it). The error that reaches
    the caller is that one, not the failed ROLLBACK after it ("cannot rollback - no transaction
    is active", which a fetch onto a full disk printed for every feed), and once there is room
    again the same store writes."""
    from wirereader.store.write_transaction import in_write_transaction

    with Store(db_path) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        big = "x" * 200_000
        with pytest.raises(sqlite3.OperationalError, match="full"), store.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('big', ?)", (big,))
        assert not store.conn.in_transaction
        insert = "INSERT INTO meta (key, value) VALUES ('big', ?)"
        with pytest.raises(sqlite3.OperationalError, match="full"):
            in_write_transaction(store.conn, lambda: store.conn.execute(insert, (big,)))
        assert not store.conn.in_transaction
        store.conn.execute("PRAGMA max_page_count = 1000000")
        with store.transaction() as conn:
            conn.execute(insert, (big,))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT length(value) FROM meta WHERE key = 'big'").fetchone()[0]


@pytest.mark.parametrize("content", [b"\n", b"m", b"S", b"SQLite format 3"])
def test_a_file_shorter_than_a_database_is_refused_not_written_over(
    db_path: Path, content: bytes
) -> None:
    """SQLite takes a one-byte file for an empty database, and a cache was written over it
    (`--db notes`, a file holding one character, became a 229 KB cache). Any file shorter than
    a database's header is refused, and left as it was; an empty file is still a new cache."""
    db_path.write_bytes(content)
    with pytest.raises(CacheError, match="file is not a database"):
        Store(db_path)
    assert db_path.read_bytes() == content
    db_path.write_bytes(b"")
    with Store(db_path) as store:
        assert current_version(store.conn) == latest_version()


def _cache_as_shipped_before_the_record(path: Path) -> Path:
    """A cache as wirereader wrote it before `schema_migrations` existed (November): the
    migrations shipped then (their files are unchanged since), user_version 40, no record,
    one entry with the version rows the code of then wrote (the first text, then the current
    one, each in full)."""
    from wirereader.store import migrations as m

    conn = sqlite3.connect(path, isolation_level=None)
    for migration in m.available_migrations():
        if migration.version in (1, 2, 10, 11, 12, 20, 21, 22, 25, 30, 40):
            for statement in m.split_statements(migration.sql):
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 40")
    conn.execute(
        "INSERT INTO sources (id, key, kind, name, title, url, added_at)"
        " VALUES (1, 'harbour', 'text-capture', 'harbour', 'Harbour live', '', 1704790000)"
    )
    conn.execute(
        "INSERT INTO entries (id, source_id, stable_id, title, body, author, published,"
        " published_at, kind, content_hash, first_seen, last_seen) VALUES (1, 1, 'h:aaaa',"
        " 'Harbour reopens after storm', 'The harbour reopened at noon.', 'Shaun McDonald',"
        " NULL, 1704790800, 'post', 'hash1', 1704790800, 1704790800)"
    )
    conn.execute(
        "INSERT INTO entry_versions (id, entry_id, title, body, author, published, updated,"
        " content_hash, seen_at) VALUES"
        " (1, 1, 'Harbour to reopen', 'The harbour reopens at noon.', 'Shaun McDonald', NULL,"
        " NULL, 'hash0', 1704790000),"
        " (2, 1, 'Harbour reopens after storm', 'The harbour reopened at noon.',"
        " 'Shaun McDonald', NULL, NULL, 'hash1', 1704790800)"
    )
    conn.close()
    return path


def test_a_cache_from_before_the_migration_record_gets_the_migrations_added_since(
    tmp_path: Path,
) -> None:
    # A cache as wirereader wrote it before `schema_migrations` existed: the migrations shipped
    # then (their files are unchanged since), user_version 40, no record, an entry in it. The
    # migrations added since with lower numbers (0003, 0013, 0017, 0023, 0026) were never
    # applied to such a cache; read as "every migration up to 40", it failed after the upgrade
    # on their columns ("no such column: dated_first", "no column named time_guessed").
    from wirereader.store import migrations as m

    old = _cache_as_shipped_before_the_record(tmp_path / "old.sqlite3")
    with Store(old) as store:
        done = {r[0] for r in store.conn.execute("SELECT version FROM schema_migrations")}
        assert done == {migration.version for migration in m.available_migrations()}
        assert current_version(store.conn) == latest_version()
        # the columns the later migrations add are there, and the cache takes new items
        store.conn.execute("SELECT time_guessed FROM entries").fetchall()
        store.conn.execute("SELECT dated_first FROM thread_state").fetchall()
        import_file(store, LIVEBLOG_SEED, tz=timezone.utc)
        titles = [r.title for r in Query(store, Filter(all_entries=True)).all()]
    assert "Harbour reopens after storm" in titles
    assert len(titles) > 10
    with Store(old) as store:  # opened again: nothing left to apply
        assert m.migrate(store.conn) == []


def test_a_cache_upgraded_with_migrations_written_down_unapplied_gets_them(
    tmp_path: Path,
) -> None:
    # The record's first version wrote such a cache's later migrations down as "(before
    # record)" without applying them: those rows are read as not applied, and are applied.
    from wirereader.store import migrations as m

    path = tmp_path / "x.sqlite3"
    with Store(path) as store:
        assert current_version(store.conn) == latest_version()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE thread_state DROP COLUMN dated_first")
    conn.execute("ALTER TABLE thread_state DROP COLUMN dated_last")
    conn.execute("UPDATE schema_migrations SET name = '(before record)' WHERE version = 26")
    conn.close()
    with Store(path) as store:
        store.conn.execute("SELECT dated_first, dated_last FROM thread_state").fetchall()
        name = store.conn.execute("SELECT name FROM schema_migrations WHERE version = 26")
        assert name.fetchone()[0].startswith("0026_")
        assert m.migrate(store.conn) == []


def _upgraded_the_earlier_way(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade as the record's first version made it: a cache from before the record read
    as having had every migration up to its user_version (0004's conversion among them),
    written down as "(before record)", and the later ones (0041, 0050-0062) applied."""
    from wirereader.store import migrations as m

    def earlier(conn: sqlite3.Connection) -> set[int]:
        has_record = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'"
        ).fetchone()
        if has_record:
            return {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        return {v.version for v in m.available_migrations() if v.version <= 40}

    with monkeypatch.context() as patch:
        patch.setattr(m, "applied_versions", earlier)
        conn = sqlite3.connect(path, isolation_level=None)
        from wirereader.store import texts

        texts.register(conn)
        m.migrate(conn)
        conn.close()
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(entry_versions)")]
    conn.close()
    assert "body" in columns  # 0004 written down and not done: the state to mend


def test_a_cache_upgraded_with_0004_written_down_undone_is_converted_and_keeps_its_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Such a cache failed `show` ("no such column: v.text") and a new version of its entries,
    # and `doctor` said "ok". 0004 runs now, after 0050 and 0053, reading the current body
    # from `entry_texts`; the earlier text is kept, packed, and the current one once.
    from wirereader.store import doctor
    from wirereader.store import migrations as m

    old = _cache_as_shipped_before_the_record(tmp_path / "old.sqlite3")
    _upgraded_the_earlier_way(old, monkeypatch)
    with Store(old) as store:
        versions = versions_of(store.conn, [1])
        assert [(v.title, v.body) for v in versions] == [
            ("Harbour to reopen", "The harbour reopens at noon."),
            ("Harbour reopens after storm", "The harbour reopened at noon."),
        ]
        stored = store.conn.execute("SELECT typeof(text) FROM entry_versions ORDER BY id")
        assert [r[0] for r in stored] == ["blob", "null"]
        name = store.conn.execute("SELECT name FROM schema_migrations WHERE version = 4")
        assert name.fetchone()[0] == "0004_versions_stored_once"
        source = store.conn.execute("SELECT id FROM sources WHERE key = 'harbour'").fetchone()[0]
        later = RawEntry(
            title="Harbour reopens after storm",
            body="The harbour reopened at noon. Ferries sail again.",
            stable_id="h:aaaa",
            published=datetime(2024, 1, 9, 9, 0, tzinfo=timezone.utc),
            author="Shaun McDonald",
        )
        assert store.save_entries(source, [later]).updated == [1]
        bodies = [v.body for v in versions_of(store.conn, [1])]
        assert bodies == [
            "The harbour reopens at noon.",
            "The harbour reopened at noon.",
            "The harbour reopened at noon. Ferries sail again.",
        ]
        assert m.migrate(store.conn) == []
    assert doctor.check(old).healthy


def test_doctor_names_a_table_left_in_an_old_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A migration written down as done and not done: every other migration applied, the
    # check reads the tables against the layout this wirereader writes and says which.
    from wirereader.store import doctor

    old = _cache_as_shipped_before_the_record(tmp_path / "old.sqlite3")
    _upgraded_the_earlier_way(old, monkeypatch)
    conn = sqlite3.connect(old)
    conn.execute(
        "UPDATE schema_migrations SET name = '0004_versions_stored_once' WHERE version = 4"
    )
    conn.commit()
    conn.close()
    with Store(old):  # the files written down unapplied are applied; 0004 is not
        pass
    report = doctor.check(old)
    assert report.problems == [
        "schema: table entry_versions is not as this wirereader writes it (no column text;"
        " old column title, body): a migration written down as done was not"
    ]

"""Repair that recovers: a cache of 2,200 entries (22 starred, reads marked) whose pages the test
overwrites with random bytes, repaired by `doctor --repair`, then checked row by row."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.store import doctor, reading
from wirereader.store.db import Store
from wirereader.store.pages import PageFile, decode_record, varint
from wirereader.store.prune import prune
from wirereader.store.subscriptions import subscribe
from wirereader.store.texts import unpack

ENTRIES = 2200
WORDS = [
    "ceasefire",
    "talks",
    "minister",
    "border",
    "troops",
    "shelling",
    "aid",
    "convoy",
    "city",
    "port",
    "drone",
    "vote",
]


def build(path: Path) -> None:
    """The fixture cache: entries, versions, analysis, stars and read marks, checkpointed."""
    rng = random.Random(7)
    base = datetime(2025, 4, 1, tzinfo=timezone.utc)
    with Store(path) as store:
        source = store.ensure_source("/feeds/wire.jsonl", "file", name="wire")
        store.save_entries(
            source,
            [
                RawEntry(
                    title=f"Item {i} " + " ".join(rng.choice(WORDS) for _ in range(6)),
                    body=body,
                    # The feed's HTML stays in `entries` (the body is packed apart): it makes
                    # the rows wide enough for the table to have interior pages below its root.
                    html=f"<p>{body}</p>",
                    stable_id=f"e{i}",
                    published=base + timedelta(minutes=i),
                )
                for i in range(ENTRIES)
                for body in [
                    "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(3))
                    + f" {i}"
                ]
            ],
        )
        analyse_pending(store)
        for entry_id in range(1, ENTRIES + 1, 100):
            reading.set_starred(store, entry_id, True)
        for entry_id in range(1, ENTRIES + 1, 13):
            reading.set_read(store, [entry_id], True, at=1_700_000_000)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pristine") / "cache.sqlite3"
    build(path)
    return path


def state(path: Path) -> dict[int, tuple]:
    conn = sqlite3.connect(path)
    try:
        return {
            r[0]: (r[1], r[2], unpack(r[3]), r[4], r[5])
            for r in conn.execute(
                "SELECT e.id, e.stable_id, e.title, t.body, e.starred, e.read_at FROM entries e"
                " LEFT JOIN entry_texts t ON t.entry_id = e.id"
            )
        }
    finally:
        conn.close()


def pages_of(path: Path, where: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute(f"SELECT pageno FROM dbstat WHERE {where} ORDER BY 1")]
    finally:
        conn.close()


def damage(pristine: Path, folder: Path, pages: list[int]) -> Path:
    path = folder / "cache.sqlite3"
    shutil.copy(pristine, path)
    overwrite(path, pages)
    return path


def overwrite(path: Path, pages: list[int]) -> None:
    """Each of these pages of the file overwritten with random bytes (seeded by its number)."""
    size = PageFile(path).page_size
    with path.open("r+b") as handle:
        for number in pages:
            handle.seek((number - 1) * size)
            handle.write(random.Random(number).randbytes(size))


def with_subscriptions(pristine: Path, db_path: Path, count: int = 250) -> None:
    """The pristine cache at db_path, plus `count` subscriptions (250: the feeds table then
    spans a dozen leaves), checkpointed into the main file."""
    shutil.copy(pristine, db_path)
    with Store(db_path) as store:
        for n in range(count):
            subscribe(store, f"https://outlet{n}.example/news/rss.xml", name=f"outlet{n}")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def consistent(path: Path) -> None:
    """No row points at a row that is gone, and SQLite finds nothing wrong."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM entry_versions WHERE entry_id NOT IN"
            " (SELECT id FROM entries)) + (SELECT count(*) FROM dedup_keys WHERE entry_id NOT IN"
            " (SELECT id FROM entries)) + (SELECT count(*) FROM entry_entities WHERE entry_id"
            " NOT IN (SELECT id FROM entries)) + (SELECT count(*) FROM entries WHERE thread_id"
            " IS NOT NULL AND thread_id NOT IN (SELECT id FROM threads))"
        ).fetchone()[0]
        assert orphans == 0
        # The unfiltered view's counts the writer keeps (migration 0059) are the rows' own.
        items = "SELECT count(*) FROM entries WHERE repost_of IS NULL"
        assert conn.execute("SELECT items, unread FROM item_totals").fetchone() == (
            conn.execute(items).fetchone()[0],
            conn.execute(items + " AND read_at IS NULL").fetchone()[0],
        )
    finally:
        conn.close()


@pytest.mark.parametrize(
    "case",
    ["interior page of entries", "root page of entries", "schema page (page 1)"],
)
def test_damaged_tree_pages_lose_no_entry(pristine: Path, tmp_path: Path, case: str) -> None:
    where = {
        "interior page of entries": "name = 'entries' AND pagetype = 'internal' AND path != '/'",
        "root page of entries": "name = 'entries' AND path = '/'",
        "schema page (page 1)": "pageno = 1",
    }[case]
    target = pages_of(pristine, where)[:1]
    assert target, case
    path = damage(pristine, tmp_path, target)
    assert not doctor.check(path).healthy
    report = doctor.repair(path)
    assert report.healthy and not report.losses, report.actions
    assert report.recovery is not None
    assert report.recovery.tables["entries"].recovered == ENTRIES
    # Every entry, with its text, its star and its read mark.
    assert state(path) == state(pristine)
    consistent(path)


def test_lost_leaf_is_counted_and_its_ids_never_reused(
    pristine: Path, tmp_path: Path, cli, db_path: Path
) -> None:
    leaf = pages_of(pristine, "name = 'entries' AND pagetype = 'leaf'")[5]
    # The rows the damaged leaf held, read from the intact file before the damage.
    on_leaf = {cell.rowid for cell in PageFile(pristine).leaf(leaf).cells}
    assert on_leaf
    damage(pristine, db_path.parent, [leaf])
    result = cli("doctor", "--repair", "--json")
    report = json.loads(result.out)
    assert result.code == 1  # something was lost: never "ok"
    assert report["recovered"]["entries"] == {
        "recovered": ENTRIES - len(on_leaf),
        "lost": len(on_leaf),
        "dropped": 0,
    }
    assert report["recovered"]["entry_versions"]["dropped"] == len(on_leaf)
    assert any(line.startswith("entries:") for line in report["lost"])
    plain = cli("doctor", "--repair")  # already repaired: now healthy, and says so
    assert plain.code == 0
    before, after = state(pristine), state(db_path)
    assert set(after) == set(before) - on_leaf
    assert all(after[i] == before[i] for i in after)
    consistent(db_path)
    # A new entry takes an id above every id the damaged cache ever held.
    new = db_path.parent / "new.jsonl"
    new.write_text(json.dumps({"id": "fresh", "title": "A new story", "text": "Fresh."}) + "\n")
    assert cli("import", str(new)).code == 0
    rows = json.loads(cli("entries", "--all", "--json").out)
    fresh = next(r for r in rows if r["title"] == "A new story")
    assert fresh["id"] > ENTRIES
    shown = json.loads(cli("show", str(fresh["id"]), "--json").out)
    assert [v["title"] for v in shown["versions"]] == ["A new story"]
    consistent(db_path)


def test_repair_reports_losses_in_plain_text_without_ok(pristine: Path, cli, db_path: Path) -> None:
    leaf = pages_of(pristine, "name = 'entry_versions' AND pagetype = 'leaf'")[3]
    damage(pristine, db_path.parent, [leaf])
    result = cli("doctor", "--repair")
    assert result.code == 1
    assert not result.out.rstrip().endswith(": ok")
    assert "entry_versions:" in result.out and "lost" in result.out
    assert "not everything could be recovered" in result.out


def test_a_damaged_cache_is_never_written_and_reads_name_doctor(
    pristine: Path, cli, db_path: Path
) -> None:
    leaf = pages_of(pristine, "name = 'entries' AND pagetype = 'leaf'")[-2]
    damage(pristine, db_path.parent, [leaf])
    before = db_path.read_bytes()
    new = db_path.parent / "new.jsonl"
    new.write_text(json.dumps({"id": "x", "title": "Never written", "text": "x"}) + "\n")
    imported = cli("import", str(new))
    assert imported.code != 0
    assert "damaged" in imported.err and "doctor" in imported.err
    assert len(imported.err.strip().splitlines()) == 1
    assert db_path.read_bytes() == before
    reads = (["entries"], ["entries", "--all", "--json"], ["show", "2150"], ["search", "aid"])
    for command in reads:
        listing = cli(*command)
        assert "Traceback" not in listing.err, command
        if listing.code != 0:
            assert len(listing.err.strip().splitlines()) == 1 and "doctor" in listing.err


def test_records_and_varints_decode_as_sqlite_wrote_them(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite3"
    conn = sqlite3.connect(path)
    values = [None, 0, 1, -1, 300, -(2**40), 2**63 - 1, 1.5, "text é", b"\x00\x01", "x" * 9000]
    conn.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i, j, k)")
    conn.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    conn.commit()
    conn.close()
    pages = PageFile(path)
    cells = [c for n in pages.all_table_leaves() for c in pages.leaf(n).cells]
    assert [c.values for c in cells if len(c.values) == 11] == [values]
    assert varint(bytes([0x81, 0x00]), 0) == (128, 2)
    assert decode_record(bytes([2, 1, 7])) == [7]


def test_lost_subscriptions_are_counted_and_the_repair_says_what_it_cost(
    pristine: Path, cli, db_path: Path
) -> None:
    # The pristine cache plus 250 subscriptions (the feeds table then spans a dozen leaves):
    # a leaf of `feeds` lost used to be reported as "feeds: N recovered", then "ok", status 0.
    with_subscriptions(pristine, db_path)
    read_before = (
        sqlite3.connect(db_path).execute("SELECT items - unread FROM item_totals").fetchone()[0]
    )
    leaf = pages_of(db_path, "name = 'feeds' AND pagetype = 'leaf'")[4]
    on_leaf = {cell.rowid for cell in PageFile(db_path).leaf(leaf).cells}
    assert on_leaf
    overwrite(db_path, [leaf])
    result = cli("doctor", "--repair", "--json")
    report = json.loads(result.out)
    assert result.code == 1  # subscriptions lost: never "ok"
    assert report["recovered"]["feeds"] == {
        "recovered": 250 - len(on_leaf),
        "lost": len(on_leaf),
        "dropped": 0,
    }
    assert any(line.startswith("feeds:") for line in report["lost"])
    assert report["cost"] == {
        "subscriptions": {"before": 250, "after": 250 - len(on_leaf)},
        "entries": {"before": ENTRIES, "after": ENTRIES},
        "items read": {"before": read_before, "after": read_before},
    }


@pytest.mark.parametrize("table", ["entries", "entry_versions", "feeds"])
def test_a_lost_last_leaf_is_counted_from_the_tables_indexes(
    pristine: Path, cli, db_path: Path, table: str
) -> None:
    # The last leaf holds the highest ids: no page of the table shows an id above them, so
    # counting the gaps below the highest id seen said nothing was lost ("ok", status 0) for
    # feeds and versions (entries were caught by the entry ids their versions name).
    with_subscriptions(pristine, db_path)
    total = sqlite3.connect(db_path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    pages = PageFile(db_path)
    leaf = max(
        pages_of(db_path, f"name = '{table}' AND pagetype = 'leaf'"),
        key=lambda number: max(cell.rowid for cell in pages.leaf(number).cells),
    )
    on_leaf = {cell.rowid for cell in pages.leaf(leaf).cells}
    assert max(on_leaf) == total and len(on_leaf) < total
    overwrite(db_path, [leaf])
    result = cli("doctor", "--repair", "--json")
    report = json.loads(result.out)
    assert result.code == 1
    assert report["recovered"][table]["lost"] == len(on_leaf)
    assert report["recovered"][table]["recovered"] == total - len(on_leaf)
    assert any(line.startswith(f"{table}:") for line in report["lost"])
    if table == "entries":
        # A new entry still takes an id above every id the damaged cache held.
        new = db_path.parent / "new.jsonl"
        new.write_text(json.dumps({"id": "fresh", "title": "A new story", "text": "Fresh."}))
        assert cli("import", str(new)).code == 0
        rows = json.loads(cli("entries", "--all", "--json").out)
        assert next(r for r in rows if r["title"] == "A new story")["id"] > ENTRIES
    consistent(db_path)


def test_pruned_entries_are_not_reported_as_lost(pristine: Path, cli, db_path: Path) -> None:
    # `prune` deletes entries, so not every id below the highest is a row: with the indexes
    # read whole, a damaged page of another table must not count pruned ids as lost entries.
    shutil.copy(pristine, db_path)
    cutoff = int(datetime(2025, 4, 1, 12, tzinfo=timezone.utc).timestamp())
    with Store(db_path) as store:
        pruned = prune(store, cutoff).entries
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert pruned > 100
    left = ENTRIES - pruned
    leaf = pages_of(db_path, "name = 'entry_versions' AND pagetype = 'leaf'")[-4]
    on_leaf = {cell.rowid for cell in PageFile(db_path).leaf(leaf).cells}
    overwrite(db_path, [leaf])
    report = json.loads(cli("doctor", "--repair", "--json").out)
    assert report["recovered"]["entries"] == {"recovered": left, "lost": 0, "dropped": 0}
    assert report["recovered"]["entry_versions"]["lost"] == len(on_leaf)
    assert not any(line.startswith("entries:") for line in report["lost"])


def test_lost_sources_are_counted_once_beside_what_kept_their_entries(
    pristine: Path, cli, db_path: Path
) -> None:
    # Every page of `sources` lost, five of its sources with nothing pointing at them (files
    # that gave no entry): the repair said "sources: 0 recovered, 256 lost" and then "251
    # sources were lost: their entries are kept ...", and its losses listed both counts.
    with_subscriptions(pristine, db_path)
    with Store(db_path) as store:
        for n in range(5):
            store.ensure_source(f"/feeds/empty{n}.jsonl", "file", name=f"empty{n}")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = sqlite3.connect(db_path).execute("SELECT count(*) FROM sources").fetchone()[0]
    assert total == 256  # the pristine cache's one, the 250 subscriptions', the five files'
    overwrite(db_path, pages_of(db_path, "name = 'sources'"))
    result = cli("doctor", "--repair")
    assert result.code == 1
    lines = [line.split(": ", 1)[1] for line in result.out.splitlines()]
    assert "sources: 0 recovered, 256 lost" in lines, lines
    assert (
        "the entries and subscriptions of 251 of the 256 lost sources are kept under placeholder"
        " sources named recovered-ID (the other 5 had none)"
    ) in lines, lines
    said = [line for line in lines if "sources" in line and not line.startswith("backed up")]
    assert all("256" in line for line in said), said  # one count of lost sources, everywhere
    report = json.loads(cli("doctor", "--json").out)
    assert report["healthy"], report
    rows = json.loads(cli("feeds", "--json").out)
    assert len(rows) == 250
    entries = json.loads(cli("entries", "--all", "--json").out)
    assert len(entries) == ENTRIES and {e["source"] for e in entries} == {"recovered-1"}
    consistent(db_path)

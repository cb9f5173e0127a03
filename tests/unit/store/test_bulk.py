"""Many rows in few statements (store/bulk.py): the same rows, in the same order, as one
statement per row."""

from __future__ import annotations

import sqlite3

from wirereader.store.bulk import (
    IN_CHUNK,
    MAX_PARAMETERS,
    execute_flat,
    execute_rows,
    select_in,
    update_rows,
)


def _db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, n INTEGER)")
    return conn


def test_rows_over_several_chunks_all_land_in_order() -> None:
    conn = _db()
    rows = [(i, f"k{i}", i * 2) for i in range(1, 2 * (MAX_PARAMETERS // 3) + 7)]
    execute_rows(conn, "INSERT INTO t (seq, key, n)", rows)
    assert conn.execute("SELECT seq, key, n FROM t ORDER BY seq").fetchall() == rows


def test_a_tail_clause_applies_to_every_row_one_after_the_other() -> None:
    conn = _db()
    # The same key twice in one chunk and across chunks: each row is upserted in turn, as
    # executemany would.
    rows = [(f"k{i % 5}", 1) for i in range(MAX_PARAMETERS)]
    execute_rows(
        conn, "INSERT INTO t (key, n)", rows, "ON CONFLICT (key) DO UPDATE SET n = n + excluded.n"
    )
    counts = dict(conn.execute("SELECT key, n FROM t"))
    assert counts == {f"k{i}": len(range(i, MAX_PARAMETERS, 5)) for i in range(5)}


def test_rows_given_flat_land_as_the_same_rows_given_as_tuples() -> None:
    """`execute_flat`: full chunks, a partial last one, one chunk alone, none."""
    for count in (0, 1, MAX_PARAMETERS // 3, 2 * (MAX_PARAMETERS // 3) + 7):
        rows = [(i, f"k{i}", i * 2) for i in range(1, count + 1)]
        flat, one_by_one = _db(), _db()
        execute_flat(flat, "INSERT INTO t (seq, key, n)", 3, [v for row in rows for v in row])
        one_by_one.executemany("INSERT INTO t (seq, key, n) VALUES (?, ?, ?)", rows)
        query = "SELECT seq, key, n FROM t ORDER BY seq"
        assert flat.execute(query).fetchall() == one_by_one.execute(query).fetchall()


def test_or_ignore_keeps_the_first_row_of_a_key() -> None:
    conn = _db()
    execute_rows(conn, "INSERT OR IGNORE INTO t (key, n)", [("a", 1), ("b", 2), ("a", 3)])
    assert dict(conn.execute("SELECT key, n FROM t")) == {"a": 1, "b": 2}


def test_no_rows_runs_nothing() -> None:
    conn = _db()
    execute_rows(conn, "INSERT INTO t (key, n)", [])
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_select_in_finds_every_key_over_several_chunks_and_only_those() -> None:
    conn = _db()
    execute_rows(conn, "INSERT INTO t (seq, key, n)", [(i, f"k{i}", i) for i in range(1, 3001)])
    wanted = [f"k{i}" for i in range(3, 3001, 2)] + ["absent"]  # more than two chunks
    assert len(wanted) > 2 * IN_CHUNK
    found = select_in(conn, "key, n", "t", "key", wanted)
    assert sorted(n for _, n in found) == list(range(3, 3001, 2))
    assert select_in(conn, "key, n", "t", "key", []) == []


def test_rows_updated_together_change_what_one_statement_per_row_would() -> None:
    """`update_rows`: full chunks, a partial last one, one chunk alone, none; rows naming no
    stored row change nothing."""
    for count in (0, 1, MAX_PARAMETERS // 2, 2 * (MAX_PARAMETERS // 2) + 7):
        together, one_by_one = _db(), _db()
        for conn in (together, one_by_one):
            execute_rows(
                conn, "INSERT INTO t (seq, key, n)", [(i, f"k{i}", 0) for i in range(1, 2000)]
            )
        rows = [(i * 3, i * 2) for i in range(1, count + 1)] + [(5, 99_999)]
        update_rows(together, "UPDATE t SET n = n + v.column1", "t.seq = v.column2", rows)
        one_by_one.executemany("UPDATE t SET n = n + ? WHERE seq = ?", rows)
        assert (
            together.execute("SELECT * FROM t ORDER BY seq").fetchall()
            == one_by_one.execute("SELECT * FROM t ORDER BY seq").fetchall()
        )

"""Search inside Chinese and Japanese runs: titles of real feeds captured in February 2026 (a
games-news feed and a history blog), imported as a JSON Lines file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from wirereader.ingest.files import import_file
from wirereader.query.timeline import Filter, Query
from wirereader.store import texts
from wirereader.store.db import Store

TITLES = {
    "ships": "Japanese Concrete Ships of World War II - 第二次世界大戦における日本のコンクリート船",
    "inn": "江湖客栈-单人模式 (Journeyman's Inn)",
    "heaven": "ヘブンバーンズレッド (Heaven Burns Red)",
    "navy3": "大海战3 Navy Field III",
    "navy4": "大海战 Navy Field IV",
    "still": "死寂（Deathly Stillness）",
    "plain": "Concrete ships of the Aegean, part 1",
}


def _cache(tmp_path: Path) -> Store:
    feed = tmp_path / "titles.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"id": key, "title": title, "text": f"{title}. 日本の船と海战。"}) + "\n"
            for key, title in TITLES.items()
        ),
        "utf-8",
    )
    store = Store(tmp_path / "cache.sqlite3")
    import_file(store, feed, source="real titles")
    return store


def _found(store: Store, text: str) -> set[str]:
    rows = Query(store, Filter().with_text(text)).all()
    by_title = {title: key for key, title in TITLES.items()}
    return {by_title[row.title] for row in rows}


def test_a_word_inside_a_cjk_run_is_found(tmp_path: Path) -> None:
    with _cache(tmp_path) as store:
        assert _found(store, "大海战") == {"navy3", "navy4"}  # a run's start (found before too)
        assert _found(store, "海战 Navy") == {"navy3", "navy4"}
        assert _found(store, "コンクリート") == {"ships"}
        assert _found(store, "世界大戦") == {"ships"}
        assert _found(store, "客栈") == {"inn"}
        assert _found(store, "バーン") == {"heaven"}
        assert _found(store, "寂") == {"still"}
        assert _found(store, "concrete") == {"ships", "plain"}
        assert _found(store, "日本の船") == set(TITLES)  # in every body
        # A phrase is still a phrase: the characters in this order only.
        assert Query(store, Filter(phrases=("戦大",))).all() == []
        assert {r.title for r in Query(store, Filter(exclude_words=("客栈",))).all()} == {
            t for k, t in TITLES.items() if k != "inn"
        }


def test_an_older_cache_is_indexed_again_where_it_holds_cjk(tmp_path: Path) -> None:
    store = _cache(tmp_path)
    store.close()
    # The cache as the previous version left it: the view and triggers without the function,
    # the index built from the text as it is, migration 0062 not applied.
    conn = sqlite3.connect(tmp_path / "cache.sqlite3")
    texts.register(conn)
    for name in ("entry_texts_fts_insert", "entry_texts_fts_delete", "entry_texts_changed"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TRIGGER entries_title_changed")
    conn.execute("DROP VIEW entries_fts_source")
    unwrap = lambda sql: sql.replace(f"{texts.FTS_FUNCTION}(", "(")  # noqa: E731
    conn.execute(unwrap(texts.VIEW))
    for statement in texts.TRIGGERS:
        conn.execute(unwrap(statement))
    conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
    conn.execute("DELETE FROM schema_migrations WHERE version = 62")
    conn.execute("PRAGMA user_version = 61")
    conn.commit()
    conn.close()
    with Store(tmp_path / "cache.sqlite3") as store:
        assert _found(store, "コンクリート") == {"ships"}
        assert _found(store, "concrete") == {"ships", "plain"}
        # The index agrees with its content, and follows a changed title.
        store.conn.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
        )
        with store.transaction() as c:
            c.execute("UPDATE entries SET title = '新しい題名' WHERE stable_id = 'inn'")
        assert Query(store, Filter().with_text("題名")).count() == 1
        store.conn.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
        )

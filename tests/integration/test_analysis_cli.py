"""The analysis through the real CLI: items, threads, entities and `show` with versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED

NORTH_KOREA = ["04:39", "04:48", "06:09", "06:53", "07:08", "07:29", "08:02", "09:52"]
CEASEFIRE = ["12:20", "12:56", "13:07", "13:14", "13:30", "13:45", "14:03", "14:11"]


def _import(cli) -> None:
    result = cli("import", str(LIVEBLOG_SEED), str(ARTICLE_SEED), "--tz", "UTC")
    assert result.code == 0, result.err


def _entries(cli, *args: str) -> list[dict]:
    result = cli("entries", "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _by_time(rows: list[dict]) -> dict[str, dict]:
    return {r["published"][11:16]: r for r in rows if r["kind"] not in ("summary", "article")}


def test_items_fold_the_seed_reposts(cli) -> None:
    _import(cli)
    items = _entries(cli)
    every = _entries(cli, "--all")
    assert len(every) == 56 and len(items) == 51
    at = _by_time(items)
    raw = {r["id"]: r for r in every}
    for earlier, later in [
        ("11:03", "14:45"),
        ("10:19", "15:01"),
        ("08:29", "11:47"),
        ("05:22", "08:12"),
        ("07:31", "16:28"),
    ]:
        reposts = at[earlier]["reposts"]
        assert [r["published"][11:16] for r in reposts] == [later], earlier
        assert raw[reposts[0]["id"]]["canonical"] == at[earlier]["id"]
    assert at["08:29"]["reposts"][0]["author"] != at["08:29"]["author"]
    assert at["05:46"]["id"] != at["12:12"]["id"]


def test_threads_json_contract_and_seed_stories(cli) -> None:
    _import(cli)
    result = cli("threads", "--json")
    assert result.code == 0, result.err
    threads = json.loads(result.out)
    for t in threads:
        assert set(t) == {
            "id",
            "title",
            "entries",
            "first",
            "last",
            "time_guessed",
            "sources",
            "entities",
        }
        assert t["first"] <= t["last"] and "+00:00" in t["first"]
    items = _entries(cli)
    at = _by_time(items)
    article = next(r for r in items if r["kind"] == "article")
    nk = {at[t]["thread"] for t in NORTH_KOREA} | {article["thread"]}
    cf = {at[t]["thread"] for t in CEASEFIRE}
    assert len(nk) == 1 and len(cf) == 1 and nk != cf
    by_id = {t["id"]: t for t in threads}
    nk_thread = by_id[nk.pop()]
    assert len(nk_thread["sources"]) == 2  # the live blog and the article
    assert article["id"] in nk_thread["entries"]
    assert "Kim Jong Un" in nk_thread["entities"] or "North Korea" in nk_thread["entities"]
    # Thread entries are items: no repost id appears in any thread.
    reposts = {r["id"] for i in items for r in i["reposts"]}
    assert not reposts & {e for t in threads for e in t["entries"]}
    assert at["15:23"]["thread"] not in {nk_thread["id"], *cf}


def test_threads_filter_and_table(cli) -> None:
    _import(cli)
    result = cli("threads", "--json", "Kim")
    filtered = json.loads(result.out)
    assert filtered and all(isinstance(t["id"], int) for t in filtered)
    every = json.loads(cli("threads", "--json").out)
    assert len(filtered) < len(every)
    # Exactly the threads with an item the same filter lists, in the listing's order.
    items = json.loads(cli("entries", "--json", "Kim").out)
    matching = {item["thread"] for item in items if item["thread"] is not None}
    assert [t["id"] for t in filtered] == [t["id"] for t in every if t["id"] in matching]
    table = cli("threads", "--min-size", "5")
    assert table.code == 0 and "North Korea" in table.out


def test_entities_json_contract(cli) -> None:
    _import(cli)
    result = cli("entities", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert rows
    for row in rows:
        assert set(row) == {"id", "name", "kind", "aliases", "count"}
        assert row["kind"] in ("person", "place", "org")
    counts = [r["count"] for r in rows]
    assert counts == sorted(counts, reverse=True)
    names = {r["name"] for r in rows}
    assert "Alex Croft" not in names  # a byline, not a mention


def test_show_prints_versions_with_a_word_diff(cli) -> None:
    _import(cli)
    at = _by_time(_entries(cli))
    item = at["10:19"]
    repost = item["reposts"][0]["id"]
    result = cli("show", str(repost), "--json")  # a repost shows its item
    assert result.code == 0, result.err
    shown = json.loads(result.out)
    assert shown["item"]["id"] == item["id"]
    versions = shown["versions"]
    assert [v["entry"] for v in versions] == [item["id"], repost]
    assert all(v["published"] and v["author"] for v in versions)
    assert versions[0]["changes"] is None
    body = versions[1]["changes"]["body"]
    inserted = " ".join(s["text"] for s in body if s["op"] == "insert")
    assert "before calling for a temporary truce" in inserted
    assert versions[1]["changes"]["title"] is None
    assert shown["thread"]["id"] == item["thread"]
    threads = {t["id"]: t for t in json.loads(cli("threads", "--json").out)}
    expected = [i for i in threads[item["thread"]]["entries"] if i != item["id"]]
    assert [s["id"] for s in shown["siblings"]] == expected
    north_korea = json.loads(cli("show", str(at["08:02"]["id"]), "--json").out)
    assert len(north_korea["siblings"]) >= 8  # the rest of the North Korea troops story
    text = cli("show", str(item["id"]))
    assert text.code == 0 and "2 versions\n" in text.out and "temporary truce" in text.out
    anonymous = next(e for e in _entries(cli) if not e["author"])
    once = cli("show", str(anonymous["id"])).out
    assert "\n1 version\n" in once  # was "1 version(s)"
    # no author: no padding after the time (or after what says it is a guess)
    assert re.search(r" \d\d:\d\d( \(a guess: the source gave no time\))?$", once.splitlines()[1])


def test_show_an_unknown_id_fails_cleanly(cli) -> None:
    _import(cli)
    result = cli("show", "999999")
    assert result.code != 0
    assert "no entry with id 999999" in result.err
    assert "Traceback" not in result.err


def test_commands_on_an_empty_cache(cli, db_path: Path, tmp_path: Path) -> None:
    from wirereader.store.db import Store

    with Store(db_path):  # made, with nothing in it (a read command makes no cache)
        pass
    for args in (("threads", "--json"), ("entities", "--json")):
        result = cli(*args)
        assert result.code == 0, result.err
        assert json.loads(result.out) == []

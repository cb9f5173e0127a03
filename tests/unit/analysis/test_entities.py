"""Entities: extraction on the seeds and on invented text, alias merging, scopes, the cache."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis.entities.extract import Mention, extract
from wirereader.analysis.entities.record import EntityKeys, forget_thread_scopes, record_entities
from wirereader.analysis.entities.resolver import EntityResolver
from wirereader.analysis.pipeline import analyse_pending
from wirereader.core.model import RawEntry
from wirereader.core.text import clean_text
from wirereader.ingest.files import import_file
from wirereader.query.timeline import EntityRef, Filter, Query
from wirereader.sources.dispatch import ParseContext, parse_file
from wirereader.store import threads as thread_store
from wirereader.store.db import Store
from wirereader.store.texts import set_body


def seed_entries(path: Path) -> list[RawEntry]:
    _fmt, doc = parse_file(path, ParseContext(str(path)))
    return doc.entries


@pytest.fixture(scope="module")
def seed_mentions() -> list[tuple[RawEntry, list[Mention]]]:
    out = []
    for path in (LIVEBLOG_SEED, ARTICLE_SEED):
        for e in seed_entries(path):
            out.append((e, extract(e.title, e.body, authors=[e.author])))
    return out


def surfaces_by_canonical(pairs: list[tuple[RawEntry, list[Mention]]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for _entry, mentions in pairs:
        for m in mentions:
            found[m.canonical].add(m.surface)
    return found


# -- the seeds ------------------------------------------------------------------------------------


def test_seed_aliases_merge_into_one_entity(seed_mentions) -> None:
    found = surfaces_by_canonical(seed_mentions)
    assert {
        "Zelensky",
        "Zelenskyy",
        "Volodymyr Zelensky",
        "Volodymyr Zelenskiy",
        "Volodymyr Zelenskyy",
    } <= found["Volodymyr Zelensky"]
    assert {"Putin", "Vladimir Putin"} <= found["Vladimir Putin"]
    assert {"Trump", "Donald Trump"} <= found["Donald Trump"]
    assert {"Kim Jong Un", "Kim Jong-un", "Kim"} <= found["Kim Jong Un"]
    # none of these spellings is left as an entity of its own
    for stray in ("Zelensky", "Zelenskiy", "Zelenskyy", "Putin", "Trump", "Kim Jong-un"):
        assert stray not in found


def test_honorific_forms_in_the_seed_resolve(seed_mentions) -> None:
    header = seed_mentions[0]  # the live blog's summary: "Mr Putin", "Mr Trump", "Mr Kim"
    body = header[0].body
    assert "Mr Kim said" in body and "Mr Putin" in body and "Mr Trump" in body
    canon = {m.canonical for m in header[1]}
    assert {"Kim Jong Un", "Vladimir Putin", "Donald Trump"} <= canon
    assert "Kim" not in canon


def test_bylines_are_not_mentions(seed_mentions) -> None:
    authors = {e.author for e, _ in seed_mentions if e.author}
    assert {"Alex Croft", "Rebecca Whittaker", "Arpan Rai"} <= authors
    named = {m.canonical for _, ms in seed_mentions for m in ms} | {
        m.surface for _, ms in seed_mentions for m in ms
    }
    assert not named & {"Alex Croft", "Rebecca Whittaker", "Arpan Rai", "Croft", "Whittaker"}


def test_seed_kinds(seed_mentions) -> None:
    kinds: dict[str, set[str]] = defaultdict(set)
    for _e, mentions in seed_mentions:
        for m in mentions:
            kinds[m.canonical].add(m.kind)
    expected = {
        "Vladimir Putin": "person",
        "Volodymyr Zelensky": "person",
        "Kim Jong Un": "person",
        "Dmitry Peskov": "person",
        "Kursk": "place",
        "Crimea": "place",
        "Kyiv": "place",
        "North Korea": "place",
        "Kremlin": "org",
        "NATO": "org",
        "Korean Central News Agency": "org",
    }
    for name, kind in expected.items():
        assert kinds[name] == {kind}, name


def test_seed_sentence_starters_and_labels_are_not_entities(seed_mentions) -> None:
    canon = {m.canonical for _, ms in seed_mentions for m in ms}
    for word in ("The", "Breaking", "Watch", "Analysis", "Monday", "Asked", "Five", "Propaganda"):
        assert word not in canon


def test_every_listed_spelling_of_the_news_names_merges() -> None:
    ms = extract(
        "Mr Zelensky and Zelenskiy",
        "Zelenskyy met Mr Trump; Mr Putin and Kim Jong-un were not there. Mr Kim stayed home.",
    )
    assert [m.canonical for m in ms] == [
        "Volodymyr Zelensky",
        "Volodymyr Zelensky",
        "Volodymyr Zelensky",
        "Donald Trump",
        "Vladimir Putin",
        "Kim Jong Un",
        "Kim Jong Un",
    ]


# -- invented text with other names ---------------------------------------------------------------


def test_surname_and_honorific_join_the_full_name_in_an_entry() -> None:
    ms = extract(
        "Kovalchuk warns of floods",
        "Olena Kovalchuk, the regional governor, said the river was rising. "
        "Ms Kovalchuk later told reporters that Kovalchuk's office would stay open.",
    )
    assert {(m.surface, m.canonical, m.kind) for m in ms} >= {
        ("Olena Kovalchuk", "Olena Kovalchuk", "person"),
        ("Kovalchuk", "Olena Kovalchuk", "person"),
    }
    assert all(m.canonical == "Olena Kovalchuk" for m in ms if "Kovalchuk" in m.surface)


def test_a_name_with_the_joined_arabic_article_is_one_name() -> None:
    # 'al-' joined to the next word continues the name; it used to end it at 'Yasmin', with
    # 'Haddad' a second, guessed name
    ms = extract(
        "",
        "The nurse Yasmin al-Haddad said the clinic had closed. Al-Haddad, 40, had worked there "
        "since the Abu Kareem el-Masri hospital shut.",
    )
    assert [(m.surface, m.canonical, m.kind) for m in ms] == [
        ("Yasmin al-Haddad", "Yasmin al-Haddad", "person"),
        ("Al-Haddad", "Yasmin al-Haddad", "person"),
        ("Abu Kareem el-Masri", "Abu Kareem el-Masri", "person"),
    ]
    # the article opens a name with no capitalised word before it, and a listed name matches
    assert [(m.canonical, m.kind) for m in extract("", "al-Qaeda claimed the attack.")] == [
        ("Al-Qaeda", "org")
    ]
    # a hyphen after other lower-case words joins nothing ('well-Known' stays as it was)
    assert [m.canonical for m in extract("", "Aid reached a pre-Halvorsen camp.")] == ["Halvorsen"]


def test_the_article_form_of_a_surname_resolves_within_its_scope() -> None:
    resolver = EntityResolver()
    first, second, third = resolver.resolve_batch(
        [
            (extract("", "Yasmin al-Haddad arrived in Beirut on Tuesday."), ("s:1",)),
            (extract("", "Later al-Haddad said the talks would resume."), ("s:1",)),
            (extract("", "Later al-Haddad said the shop would close."), ("s:2",)),
        ]
    )
    assert ("Yasmin al-Haddad", "person") in {(m.canonical, m.kind) for m in first}
    assert [m.canonical for m in second] == ["Yasmin al-Haddad"]
    assert [(m.canonical, m.short) for m in third] == [("al-Haddad", True)]


def test_titles_and_roles_make_people_and_are_dropped_from_names() -> None:
    ms = extract(
        "",
        "Foreign Minister Tomas Varga met ministry spokeswoman Ilona Berecz in Budapest, "
        "while Chancellor Greta Lindqvist stayed in Berlin.",
    )
    got = {(m.canonical, m.kind) for m in ms}
    assert got == {
        ("Tomas Varga", "person"),
        ("Ilona Berecz", "person"),
        ("Budapest", "place"),
        ("Greta Lindqvist", "person"),
        ("Berlin", "place"),
    }


def test_shapes_of_names_give_their_kinds() -> None:
    ms = extract(
        "",
        "Long-time residents of Brackwater, Vermont, met Ilse Marten of the Canadian Harbour "
        "Institute, the Dunmore Rovers and officials from Port Halloran under the Clean Rivers "
        "Act. Marten, a former mayor, said the Tallis Foundation would pay.",
    )
    got = {(m.canonical, m.kind) for m in ms}
    assert got == {
        ("Brackwater", "place"),
        ("Vermont", "place"),
        ("Ilse Marten", "person"),
        ("Canadian Harbour Institute", "org"),
        ("Dunmore Rovers", "org"),
        ("Port Halloran", "place"),
        ("Tallis Foundation", "org"),
    }


def test_a_given_name_that_is_also_a_place_starts_a_person() -> None:
    ms = extract("", "Chad Morrow flew to Chad, then Jordan Vell met him in Jordan.")
    assert [(m.canonical, m.kind) for m in ms] == [
        ("Chad Morrow", "person"),
        ("Chad", "place"),
        ("Jordan Vell", "person"),
        ("Jordan", "place"),
    ]


def test_possessives_inside_and_after_names() -> None:
    ms = extract(
        "",
        "Spain's Interior Ministry thanked the Women's Rights Institute and the Democratic "
        "People's Republic of Korea.",
    )
    assert [(m.surface, m.canonical, m.kind) for m in ms] == [
        ("Spain", "Spain", "place"),
        ("Interior Ministry", "Interior Ministry", "org"),
        ("Women's Rights Institute", "Women's Rights Institute", "org"),
        ("Democratic People's Republic of Korea", "North Korea", "place"),
    ]


def test_capitals_glued_to_words_handles_and_numbers() -> None:
    ms = extract("", "Our 1B Tomas Varga bought the new iPhone Pro, @DeskNews Lisbon said, #Porto.")
    assert [m.canonical for m in ms] == ["Tomas Varga", "Lisbon"]


def test_one_name_keeps_one_kind_within_an_entry() -> None:
    ms = extract("Brackmoor", "The ferry stopped in Brackmoor before dawn.")
    assert [(m.canonical, m.kind) for m in ms] == [("Brackmoor", "place"), ("Brackmoor", "place")]


def test_transliteration_variants_fold_together() -> None:
    resolver = EntityResolver()
    a = resolver.resolve(extract("", "General Oleksandr Hrytsenkyy visited the front."), ["s:1"])
    b = resolver.resolve(extract("", "Oleksandr Hrytsenkiy said the line held."), ["s:2"])
    c = resolver.resolve(extract("", "Oleksandr Hrytsenky was not available."), ["s:3"])
    assert {m.canonical for m in a + b + c if "Hrytsenk" in m.surface} == {"Oleksandr Hrytsenkyy"}


def test_short_forms_resolve_within_their_scope_only() -> None:
    resolver = EntityResolver()
    batch = [
        (extract("", "Kim Dae-ho arrived in Seoul on Tuesday."), ("s:1",)),
        (extract("", "Mr Kim said the talks would resume."), ("s:1",)),
        (extract("", "Mr Kim said the shop would close."), ("s:2",)),
    ]
    first, same_source, other_source = resolver.resolve_batch(batch)
    assert [m.canonical for m in first if m.kind == "person"] == ["Kim Dae-ho"]
    assert [m.canonical for m in same_source] == ["Kim Dae-ho"]
    assert [(m.canonical, m.short) for m in other_source] == [("Kim", True)]


def test_a_lone_word_takes_the_kind_its_name_has_elsewhere() -> None:
    resolver = EntityResolver()
    first, second = resolver.resolve_batch(
        [
            (extract("", "Shelling hit the village of Brackmoor overnight."), ("s:1",)),
            (extract("", "Aid finally reached Brackmoor on Monday."), ("s:2",)),
        ]
    )
    assert [(m.canonical, m.kind) for m in first] == [("Brackmoor", "place")]
    # alone, that entry could only guess ('org'); the name's kind elsewhere settles it
    assert [m.kind for m in extract("", "Aid finally reached Brackmoor on Monday.")] == ["org"]
    assert [(m.canonical, m.kind) for m in second] == [("Brackmoor", "place")]


def test_a_short_form_two_people_share_resolves_to_neither() -> None:
    resolver = EntityResolver()
    batch = [
        (extract("", "Kim Dae-ho and Kim Min-seo met in Busan."), ("s:1",)),
        (extract("", "Mr Kim declined to comment."), ("s:1",)),
    ]
    _first, second = resolver.resolve_batch(batch)
    assert [(m.canonical, m.short) for m in second] == [("Kim", True)]


def test_title_case_headline_capitals_do_not_make_entities() -> None:
    ms = extract("Storm Batters Coastal Towns As Ministers Meet In Lisbon", "")
    assert [(m.canonical, m.kind) for m in ms] == [("Lisbon", "place")]


def test_shouting_and_endless_capitals_make_only_known_names() -> None:
    ms = extract(
        "",
        "Officials said BREAKING NEWS PUTIN SAYS RUSSIA WILL TALK TO KYIV, and Alpha Beta Gamma "
        "Delta Epsilon Zeta Eta Theta Iota came.",
    )
    assert [(m.surface, m.canonical) for m in ms] == [
        ("PUTIN", "Vladimir Putin"),
        ("RUSSIA", "Russia"),
        ("KYIV", "Kyiv"),
    ]


def test_hostile_capital_floods_are_not_kept_in_the_caches() -> None:
    from wirereader.analysis.entities import runcache as entities

    flood = " ".join(["Alpha"] * 50_000) + " of the " + " ".join(["Bravo"] * 50_000)
    assert extract("", flood + ". Kyiv is calm.") == [Mention("Kyiv", "Kyiv", "place")]
    longest = max((len(k) for k in (*entities._FAST, *entities._CUTS)), default=0)
    assert longest <= entities._LONGEST_CACHED


def test_byline_in_the_text_is_left_out_but_other_names_stay() -> None:
    ms = extract(
        "",
        "Priya Natarajan reports from Nairobi, where Amina Odhiambo leads the count.",
        authors=["Priya Natarajan"],
    )
    assert {m.canonical for m in ms} == {"Nairobi", "Amina Odhiambo"}


def test_every_name_of_a_shared_byline_is_an_author() -> None:
    ms = extract(
        "",
        "Priya Natarajan and Tomas Varga report from Nairobi with Amina Odhiambo.",
        authors=["By Priya Natarajan and Tomas Varga"],
    )
    assert {m.canonical for m in ms} == {"Nairobi", "Amina Odhiambo"}


def test_markup_and_escapes_stay_inert() -> None:
    hostile = (
        "[bold red]Vladimir Putin[/] met \x1b[31mKim Jong Un\x1b[0m at the "
        "<script>alert('Kremlin')</script> while [link=file:///etc/passwd]NATO[/link] watched. "
        "\u202eKyiv\u202c and ${jndi:ldap://Evil Corp} and `rm -rf /` Moscow."
    )
    raw = extract("[i]Breaking[/i]: Crimea", hostile)
    assert {"Vladimir Putin", "Kremlin", "NATO", "Crimea", "Moscow"} <= {m.canonical for m in raw}
    # at ingest the escape sequences go first, and the name they were glued to is found
    cleaned = extract("[i]Breaking[/i]: Crimea", clean_text(hostile))
    assert "Kim Jong Un" in {m.canonical for m in cleaned}
    for m in raw + cleaned:
        for text in (m.surface, m.canonical):
            assert not set(text) & set("[]<>/\\`${}=\x1b\u202e\u202c"), text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=60))
def test_any_text_extracts_without_error(body: str, title: str) -> None:
    for m in extract(title, body, authors=[title]):
        assert m.kind in {"person", "place", "org"}
        assert m.surface and m.canonical
        assert all(word in title + body for word in m.surface.split())


# -- the cache ------------------------------------------------------------------------------------


def rows(store: Store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(sql)]


def import_seed(store: Store) -> list[int]:
    import_file(store, LIVEBLOG_SEED, analyse=False)
    return [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]


def test_record_entities_is_idempotent_and_counts_entries(store: Store) -> None:
    ids = import_seed(store)
    with store.transaction() as conn:
        first = record_entities(conn, ids)
    assert first.entries == len(ids) and first.mentions > 0
    snapshot = [
        rows(store, f"SELECT * FROM {t} ORDER BY 1, 2")
        for t in ("entities", "entity_aliases", "entry_entities", "entity_scoped_keys")
    ]
    with store.transaction() as conn:
        again = record_entities(conn, ids)
    assert again.entries == 0 and again.skipped == len(ids)
    assert snapshot == [
        rows(store, f"SELECT * FROM {t} ORDER BY 1, 2")
        for t in ("entities", "entity_aliases", "entry_entities", "entity_scoped_keys")
    ]
    # entities.count is the number of entries that mention the entity
    mismatched = rows(
        store,
        "SELECT e.name FROM entities e WHERE e.count !="
        " (SELECT count(*) FROM entry_entities x WHERE x.entity_id = e.id)",
    )
    assert mismatched == []
    putin = rows(store, "SELECT kind, count FROM entities WHERE name = 'Vladimir Putin'")
    assert putin[0][0] == "person" and putin[0][1] >= 20


def test_a_dropped_threads_short_forms_do_not_pass_to_a_thread_given_its_id(store: Store) -> None:
    """A regrouping empties a thread and it goes; SQLite may give its id to the next new
    thread. The short forms its entries explained ("Kim" = Kim Dae-ho) go with it."""
    first = store.ensure_source("bench:one", "feed", name="one")
    second = store.ensure_source("bench:two", "feed", name="two")
    store.save_entries(
        first, [RawEntry("Arrival", "Kim Dae-ho arrived in Seoul on Tuesday.")], seen_at=1
    )
    store.save_entries(second, [RawEntry("Shop", "Mr Kim said the shop would close.")], seen_at=2)
    a, b = (r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id"))
    with store.transaction() as conn:
        other = thread_store.create_thread(conn, "other", 1)
        dropped = thread_store.create_thread(conn, "dropped", 1)
        conn.execute("UPDATE entries SET thread_id = ? WHERE id = ?", (dropped, a))
        record_entities(conn, [a])
        learned = rows(store, "SELECT scope, key FROM entity_scoped_keys ORDER BY 1")
        assert learned == [(f"s:{first}", "kim"), (f"t:{dropped}", "kim")]
        conn.execute("UPDATE entries SET thread_id = ? WHERE id = ?", (other, a))  # moved
        forget_thread_scopes(conn, thread_store.drop_empty(conn, [dropped, other]))
        assert rows(store, "SELECT id FROM threads") == [(other,)]
        assert thread_store.create_thread(conn, "new", 2) == dropped  # the id again
        conn.execute("UPDATE entries SET thread_id = ? WHERE id = ?", (dropped, b))
        record_entities(conn, [b])
    assert rows(store, "SELECT scope FROM entity_scoped_keys") == [(f"s:{first}",)]
    names = rows(
        store,
        f"SELECT e.name FROM entry_entities x JOIN entities e ON e.id = x.entity_id"
        f" WHERE x.entry_id = {b}",
    )
    assert names == [("Kim",)]


def test_changed_text_replaces_the_entry_mentions(store: Store) -> None:
    ids = import_seed(store)
    with store.transaction() as conn:
        record_entities(conn, ids)
    before = dict(rows(store, "SELECT name, count FROM entities"))
    target = rows(
        store,
        "SELECT x.entry_id FROM entry_entities x JOIN entities e ON e.id = x.entity_id"
        " WHERE e.name = 'Vladimir Putin' LIMIT 1",
    )[0][0]
    with store.transaction() as conn:
        conn.execute("UPDATE entries SET title = 'Floods in Lisbon' WHERE id = ?", (target,))
        set_body(conn, target, "Rain fell on Porto.")
        report = record_entities(conn, [target])
    assert report.entries == 1
    after = dict(rows(store, "SELECT name, count FROM entities"))
    assert after["Vladimir Putin"] == before["Vladimir Putin"] - 1
    assert after["Lisbon"] == before.get("Lisbon", 0) + 1
    names = rows(
        store,
        f"SELECT e.name FROM entry_entities x JOIN entities e ON e.id = x.entity_id"
        f" WHERE x.entry_id = {target} ORDER BY e.name",
    )
    assert names == [("Lisbon",), ("Porto",)]


def test_mentions_without_an_extracted_row_are_replaced_not_duplicated(store: Store) -> None:
    """A cache holding an entry's mentions but no entity_extracted row (an older or hand-made
    cache) used to stop the analysis with a UNIQUE error on entry_entities."""
    ids = import_seed(store)
    with store.transaction() as conn:
        record_entities(conn, ids)
    expected = rows(store, "SELECT * FROM entry_entities ORDER BY 1, 2")
    counts = rows(store, "SELECT id, count FROM entities ORDER BY id")
    stale = rows(store, "SELECT id FROM entities WHERE name = 'Vladimir Putin'")[0][0]
    other = rows(store, "SELECT id FROM entities WHERE name = 'Kyiv'")[0][0]
    victim = rows(
        store,
        f"SELECT entry_id FROM entry_entities WHERE entity_id = {stale}"
        f" AND entry_id NOT IN (SELECT entry_id FROM entry_entities WHERE entity_id = {other})"
        " LIMIT 1",
    )[0][0]
    with store.transaction() as conn:
        conn.execute("DELETE FROM entity_extracted")
        # a stale mention the text does not hold, counted as the cache would count it
        conn.execute("INSERT INTO entry_entities VALUES (?, ?, 3)", (other, victim))
        conn.execute("UPDATE entities SET count = count + 1 WHERE id = ?", (other,))
    with store.transaction() as conn:
        report = record_entities(conn, [*ids, ids[0]])  # an id given twice, too
    assert report.entries == len(ids)
    assert rows(store, "SELECT * FROM entry_entities ORDER BY 1, 2") == expected
    assert rows(store, "SELECT id, count FROM entities ORDER BY id") == counts
    assert rows(store, "SELECT count(*) FROM entity_extracted") == [(len(ids),)]


def test_the_pipeline_survives_mentions_without_an_extracted_row(store: Store) -> None:
    import_seed(store)
    analyse_pending(store)
    expected = rows(store, "SELECT * FROM entry_entities ORDER BY 1, 2")
    with store.transaction() as conn:
        conn.execute("DELETE FROM entity_extracted")
        conn.execute("UPDATE entries SET analysed_hash = NULL")
    analyse_pending(store)
    assert rows(store, "SELECT * FROM entry_entities ORDER BY 1, 2") == expected


def test_short_forms_resolve_per_source_in_the_cache(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    first.write_text(
        json.dumps(
            {
                "id": "a1",
                "title": "Kim Dae-ho in Seoul",
                "body": "Kim Dae-ho landed.",
                "published": "2025-04-28T10:00:00+00:00",
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "a2",
                "title": "Talks resume",
                "body": "Mr Kim said talks resume.",
                "published": "2025-04-28T11:00:00+00:00",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    second.write_text(
        json.dumps(
            {
                "id": "b1",
                "title": "Shop closes",
                "body": "Mr Kim said the shop closes.",
                "published": "2025-04-28T12:00:00+00:00",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    import_file(store, first, analyse=False)
    import_file(store, second, analyse=False)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries ORDER BY id")]
    with store.transaction() as conn:
        record_entities(conn, ids)
    by_entry = dict(
        rows(
            store,
            "SELECT n.stable_id, group_concat(e.name) FROM entry_entities x"
            " JOIN entities e ON e.id = x.entity_id JOIN entries n ON n.id = x.entry_id"
            " GROUP BY n.stable_id",
        )
    )
    assert by_entry["a2"] == "Kim Dae-ho"
    assert by_entry["b1"] == "Kim"


def test_the_pipeline_records_entities_once(store: Store) -> None:
    import_file(store, LIVEBLOG_SEED)  # imports analyse what is new
    count = rows(store, "SELECT count(*), sum(count) FROM entities")
    linked = rows(store, "SELECT count(*) FROM entry_entities")
    assert count[0][0] > 50 and linked[0][0] > 200
    assert analyse_pending(store).entries == 0
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entries")]
    with store.transaction() as conn:
        assert record_entities(conn, ids).entries == 0
    assert rows(store, "SELECT count(*), sum(count) FROM entities") == count
    assert rows(store, "SELECT count(*) FROM entry_entities") == linked


def test_entity_filters_find_entries_by_any_spelling(store: Store, db_path: Path, cli) -> None:
    import_file(store, ARTICLE_SEED, analyse=False)
    ids = import_seed(store)
    with store.transaction() as conn:
        record_entities(conn, ids)
    # the seeds write Zelensky (live blog) and Zelenskyy (article): both are one entity
    found = Query(store, Filter(entities=(EntityRef("Zelenskyy", "person"),))).all()
    titles = {r.title for r in found}
    assert "North Korea admits sending troops to Russia" in titles
    assert any("Zelensky" in r.body and "Zelenskyy" not in r.body for r in found)
    assert Query(store, Filter(entities=(EntityRef("Zelenskyy", "place"),))).all() == []
    # a spelling no text used still finds the entity through its folded key
    unlisted = Query(store, Filter(entities=(EntityRef("ZELENSKYI", "person"),))).all()
    assert {r.id for r in unlisted} == {r.id for r in found}
    store.close()
    db_path.unlink()
    for seed in (ARTICLE_SEED, LIVEBLOG_SEED):  # now as a user does it
        assert cli("import", str(seed)).code == 0
    result = cli("entries", "person:Zelenskiy", "--all", "--json")
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    assert len(listed) == len(found)
    assert all("Volodymyr Zelensky" in e["entities"] for e in listed)


ENTITY_TABLES = (
    "entities",
    "entity_keys",
    "entity_aliases",
    "entry_entities",
    "entity_scoped_keys",
)


def entity_tables(store: Store) -> list[list[tuple]]:
    return [rows(store, f"SELECT * FROM {t} ORDER BY 1, 2") for t in ENTITY_TABLES]


def test_a_runs_kept_keys_record_what_reading_every_key_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches recorded with a run's `EntityKeys` (small, so its generations turn over) leave
    the very tables that reading `entity_keys` for every batch leaves, also when a batch is
    rolled back or another writer records entities between two batches."""
    monkeypatch.setattr(EntityKeys, "LIMIT", 8_000)  # bytes: ~30 keys
    with Store(tmp_path / "plain.sqlite3") as plain, Store(tmp_path / "kept.sqlite3") as kept:
        ids = import_seed(plain)
        assert import_seed(kept) == ids
        keys = EntityKeys()
        batches = [ids[start : start + 7] for start in range(0, len(ids), 7)]
        for n, batch in enumerate(batches):
            if n == 3:  # a batch rolled back: what it created is not kept either
                with pytest.raises(RuntimeError), kept.transaction() as conn:
                    record_entities(conn, batch, keys=keys)
                    raise RuntimeError
            if n == 5:  # another writer's entities meanwhile
                for store in (plain, kept):
                    with store.transaction() as conn:
                        record_entities(conn, batches[-1])
            with plain.transaction() as conn:
                expected = record_entities(conn, batch)
            with kept.transaction() as conn:
                assert record_entities(conn, batch, keys=keys) == expected
            assert entity_tables(kept) == entity_tables(plain)
        kept_bytes = sum(keys._cost(key, found) for key, found in (keys.young | keys.old).items())
        assert kept_bytes <= EntityKeys.LIMIT + 1_000  # (the newer one's last key past half)
        # (Generations turned over: keys the batches met are no longer kept.)
        met = rows(plain, "SELECT count(DISTINCT key) FROM entity_keys")[0][0]
        assert met > len(keys.young) + len(keys.old)

"""Entity names' extent: where a name starts and ends, from the text's own structure (articles
and connectors that open a name, connectors between two names), on sentences written as news
writes them."""

from __future__ import annotations

from wirereader.analysis.entities.extract import extract


def names(title: str, body: str) -> set[tuple[str, str]]:
    return {(m.canonical, m.kind) for m in extract(title, body)}


def test_a_connector_that_opens_a_known_name_belongs_to_it() -> None:
    got = names("", "A spokesperson for The Los Angeles Superior Court confirmed the order.")
    assert got == {("Los Angeles Superior Court", "org")}
    assert ("The Hague", "place") in names("", "The envoy flew to The Hague on Monday.")


def test_a_compass_word_after_a_sentences_opening_article_is_part_of_the_name() -> None:
    got = names("", "The New England Patriots won on Sunday.")
    assert got == {("New England Patriots", "org")}
    assert names("", "The New Year began quietly.") == set()


def test_a_known_place_after_an_ordinary_word_is_inside_an_organisations_name() -> None:
    got = names("", "She spoke to analysts at the American Enterprise Institute on Monday.")
    assert got == {("American Enterprise Institute", "org")}

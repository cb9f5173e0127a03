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


def test_a_title_case_headlines_given_name_that_is_an_ordinary_word_opens_no_name() -> None:
    # 'Are' and 'Beat' are given names too; the entry writes 'are' in lower case, and calls the
    # known person by another given name
    got = names("Flying Cameras Are Everywhere at the Games", "Cameras are on every slope.")
    assert got == set()
    got = names("Auditioning to Beat Trump", "Who can take on President Donald Trump?")
    assert ("Beat Trump", "person") not in got
    assert ("Donald Trump", "person") in got
    # a given name the body confirms stays a person's
    got = names("Dana Eden, Co-Creator of the Series, Dies at 52", "Ms. Eden was found in Athens.")
    assert ("Dana Eden", "person") in got


def test_a_quoted_title_ending_in_a_stop_word_holds_no_name() -> None:
    body = 'She won for her role in "Everything Everywhere All at Once."'
    assert names("", body) == set()


def test_a_word_before_an_events_name_or_beside_one_names_the_event() -> None:
    assert names("", "The race opened the Milan-Cortina Winter Olympics early.") == set()
    assert names("", "Nazi Germany hosted both the Winter and Summer Olympics.") == {
        ("Germany", "place")
    }
    # the singular of a prize's name in the plural is the prize ('Oscars'), not a given name
    assert names("", "The film leads the 2026 Oscar nominations.") == set()


def test_a_towns_name_opening_a_sentence_is_the_ordinary_word_the_entry_writes() -> None:
    body = "The sound has changed. Young music and viral hits draw young people in."
    assert names("", body) == set()


# -- rules written on news feeds' house styles (headings, listings, reviews, attributions) ------


def test_a_markdown_heading_opens_a_sentence() -> None:
    body = "Here is how to file.\n\n## Determine whether you need to file\n\nStart early."
    assert names("", body) == set()


def test_a_town_before_a_comma_and_a_states_abbreviation_is_a_place() -> None:
    body = "A ranch.\n## Sonoma, Calif. (Image credit: Courtesy image)\nIt met in Washington, D.C."
    got = names("", body)
    assert ("Sonoma", "place") in got
    assert ("D.C.", "place") in got
    assert ("Washington", "place") in got


def test_the_outlet_a_quoted_source_speaks_in_is_an_organisation() -> None:
    body = (
        "It is bone dry, said Andy Crump at Paste Magazine. It is lovely, said Elise Taylor in "
        "Vogue. It soars, said Justin Chang in The New Yorker. He is fine, said Jo Lee in Kyiv."
    )
    got = names("", body)
    assert {("Paste Magazine", "org"), ("Vogue", "org"), ("New Yorker", "org")} <= got
    assert ("Kyiv", "place") in got
    assert ("Colorado Public Radio", "org") in names("", "He was shot, said Colorado Public Radio.")


def test_a_role_at_an_institution_makes_it_an_organisation() -> None:
    body = "It failed, said Jacob Hamburger, a law professor at Marquette University, on Monday."
    assert ("Marquette University", "org") in names("", body)
    assert ("Lee College", "place") in names("", "There was a lockdown at Lee College on Monday.")


def test_an_ampersand_joins_a_firms_name() -> None:
    body = "The device was made by Johnson & Johnson. Shares of Marks & Spencer rose."
    assert names("", body) == {("Johnson & Johnson", "org"), ("Marks & Spencer", "org")}
    assert names("", "There are some excellent mid-range B&Bs too.") == set()


def test_and_inside_an_institutions_name() -> None:
    body = "In Minneapolis, Immigration and Customs Enforcement ended its surge."
    assert ("Immigration and Customs Enforcement", "org") in names("", body)
    body = "Department of Health and Social Care officials feared it."
    assert names("", body) == {("Department of Health and Social Care", "org")}
    got = names("", "Trump and Putin met.")
    assert got == {("Donald Trump", "person"), ("Vladimir Putin", "person")}


def test_a_portfolio_before_secretary_is_part_of_the_title() -> None:
    got = names("", "President Donald Trump and Commerce Secretary Howard Lutnick kept quiet.")
    assert got == {("Donald Trump", "person"), ("Howard Lutnick", "person")}


def test_a_characters_name_before_its_actors_in_brackets_is_no_person() -> None:
    body = "Lt. Ben Gannon (Josh Lucas) and Lt. Kara Wade (Jessica Biel) are pilots."
    assert names("", body) == {("Josh Lucas", "person"), ("Jessica Biel", "person")}


def test_plural_acronyms_and_compound_adjectives_name_nothing() -> None:
    body = "He cancelled two ocean patrol vessels (OPVs). Tech CEOs met on Israeli-held land."
    assert names("", body) == set()


def test_a_kinship_noun_before_a_name_makes_a_person() -> None:
    got = names("", "He invited Tarique Rahman and his daughter Zaima to visit.")
    assert ("Zaima", "person") in got

"""The filter language shared by the CLI and the TUI."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wirereader.query.language import parse
from wirereader.query.timeline import EntityRef, FieldTerm, Filter, fts_match_expression

NOW = 1_750_000_000


def test_every_kind_of_term() -> None:
    parsed = parse(
        "+person:Putin -place:Crimea source:independent -source:tabloid since:6h "
        '"exact phrase" kind:breaking is:unread is:starred thread:7 ceasefire -rumour',
        now=NOW,
    )
    f = parsed.filter
    assert parsed.problems == []
    assert f.entities == (EntityRef("Putin", "person"),)
    assert f.exclude_entities == (EntityRef("Crimea", "place"),)
    assert f.sources == ("independent",) and f.exclude_sources == ("tabloid",)
    assert f.since == NOW - 6 * 3600
    assert f.phrases == ("exact phrase",)
    assert f.kinds == ("breaking",)
    assert f.unread_only and f.starred_only and f.thread_id == 7
    assert f.words == ("ceasefire",) and f.exclude_words == ("rumour",)


def test_minus_kind_excludes_it() -> None:
    f = parse("kind:breaking -kind:recap -kind:summary").filter
    assert f.kinds == ("breaking",) and f.exclude_kinds == ("recap", "summary")


def test_quoted_entity_value_is_one_entity() -> None:
    f = parse('+place:"North Korea" org:NATO').filter
    assert f.entities == (EntityRef("North Korea", "place"), EntityRef("NATO", "org"))
    assert f.phrases == ()


def test_problems_are_reported_not_raised() -> None:
    parsed = parse("since:yesterday is:loud thread:x")
    assert len(parsed.problems) == 3
    assert parsed.filter.since is None


def test_dates_and_unbalanced_quotes() -> None:
    assert parse("until:2025-04-28").filter.until == 1_745_798_400
    assert parse('"half typed').filter.words == ("half", "typed")


def test_capital_operators_are_not_words() -> None:
    parsed = parse("ebola OR cholera AND NOT NEAR -OR or")
    assert parsed.filter.words == ("or",)
    assert parsed.filter.any_of == (("ebola", "cholera"),)
    assert parsed.filter.exclude_words == ("OR",)  # -OR: leave out the word
    assert [p.split(":")[0] for p in parsed.problems] == ["'NOT'", "'NEAR'"]
    assert parse("ebola AND").problems == [] and parse("ebola AND").filter.words == ("ebola",)


def test_or_joins_its_neighbours_into_alternatives() -> None:
    parsed = parse('ebola OR "bird flu" OR covid-19 outbreak person:Ruto')
    assert parsed.problems == []
    assert parsed.filter.any_of == (("ebola", "bird flu", "covid 19"),)
    assert parsed.filter.words == ("outbreak",)
    assert parsed.filter.entities == (EntityRef("Ruto", "person"),)
    # One word is a prefix, several are the exact phrase; OR binds tighter than the AND.
    assert fts_match_expression(parsed.filter) == (
        '"outbreak"* AND ("ebola"* OR "bird flu" OR "covid 19")'
    )
    two = parse("a OR b c OR d").filter
    assert two.any_of == (("a", "b"), ("c", "d")) and two.words == ()
    for text, problem in [
        ("ebola OR", "'OR' needs a word"),
        ("OR ebola", "'OR' needs a word"),
        ("ebola OR -cholera", "'OR' cannot join '-cholera': a term left out is no alternative"),
        ("since:6h OR ebola", "'OR' cannot join 'since:6h': a time bound"),
        ("ebola OR kind:nope", "'kind:nope': expected a kind"),  # one problem, not two
    ]:
        parsed = parse(text)
        assert len(parsed.problems) == 1 and parsed.problems[0].startswith(problem), text
        assert parsed.filter.any_of == ()  # the rest still filters


def test_or_joins_keyed_terms_too() -> None:
    # `person:X OR person:Y` was a problem: a reporter following one story under two names.
    parsed = parse("person:Putin OR +person:Zelensky OR kremlin ceasefire")
    assert parsed.problems == []
    assert parsed.filter.any_of == (
        (EntityRef("Putin", "person"), EntityRef("Zelensky", "person"), "kremlin"),
    )
    assert parsed.filter.entities == () and parsed.filter.words == ("ceasefire",)
    # A group with a keyed term is an SQL condition of its own: the FTS match is the rest.
    assert fts_match_expression(parsed.filter) == '"ceasefire"*'
    f = parse(
        "source:bbc OR source:reuters kind:breaking OR is:starred thread:3 OR thread:4"
    ).filter
    assert f.any_of == (
        (FieldTerm("source", "bbc"), FieldTerm("source", "reuters")),
        (FieldTerm("kind", "breaking"), FieldTerm("is", "starred")),
        (FieldTerm("thread", "3"), FieldTerm("thread", "4")),
    )
    assert f.sources == () and f.kinds == () and not f.starred_only and f.thread_id is None
    # An unknown key is words, as it is outside a group: `foo:bar` is the phrase "foo bar".
    assert parse("foo:bar OR x").filter.any_of == (("foo bar", "x"),)


def test_a_minus_on_a_state_or_a_bound_is_a_problem() -> None:
    # `-is:starred` gave the starred items, silently.
    for text in ("-is:starred", "-is:unread", "-thread:3", "-since:6h", "-until:2025-01-01"):
        parsed = parse(text, now=NOW)
        assert len(parsed.problems) == 1 and parsed.problems[0].startswith(f"'{text}'"), text
        assert parsed.filter == Filter()
    assert parse("+is:starred").filter.starred_only


@given(st.text(max_size=200))
def test_any_text_parses_and_compiles_to_safe_fts(text: str) -> None:
    parsed = parse(text, now=NOW)
    expression = fts_match_expression(parsed.filter)
    assert isinstance(parsed.filter, Filter)
    # Every term is a quoted FTS5 string: no operator or column filter can leak in.
    for term in filter(None, expression.split(" AND ")):
        assert term.startswith('"') and term.rstrip("*").endswith('"')


def test_an_apostrophe_inside_a_word_is_part_of_it() -> None:
    # `person:O'Brien` was cut at the apostrophe: "no person called 'O' is mentioned".
    parsed = parse("person:O'Brien")
    assert parsed.problems == [] and parsed.filter.entities == (EntityRef("O'Brien", "person"),)
    # Two such names quoted the text between them: one term, 'person:OBrien OR person:ONeil'.
    parsed = parse("person:O'Brien OR place:\"Côte d'Ivoire\" OR person:O'Neil")
    assert parsed.problems == []
    assert parsed.filter.any_of == (
        (
            EntityRef("O'Brien", "person"),
            EntityRef("Côte d'Ivoire", "place"),
            EntityRef("O'Neil", "person"),
        ),
    )
    # (and "don't panic, it's" searched the phrase 't panic, it')
    assert parse("don't panic, it's fine").filter.phrases == ()
    assert parse("'bird flu' outbreak").filter.phrases == ("bird flu",)  # still a quote


def test_a_keyed_terms_open_quote_runs_to_the_end() -> None:
    # `entries 'place:"North Korea'` (the closing quote forgotten) said "nothing after 'place:'".
    parsed = parse('kyiv place:"North Korea')
    assert parsed.problems == []
    assert parsed.filter.entities == (EntityRef("North Korea", "place"),)
    assert parsed.filter.words == ("kyiv",)
    assert parse('"half typed').filter.words == ("half", "typed")  # a phrase's: words


def test_an_unbalanced_quote_elsewhere_leaves_a_closed_keyed_term_whole() -> None:
    # A stray quote elsewhere in the filter turned `person:"Kim Jong Un"` into the words
    # 'person:Kim', 'Jong', 'Un' (a person called 'Kim' and two words): it stays the term.
    parsed = parse('"bird flu person:"Kim Jong Un"')
    assert parsed.problems == []
    assert parsed.filter.entities == (EntityRef("Kim Jong Un", "person"),)
    assert parsed.filter.words == ("bird", "flu")  # the open phrase's: words, as before
    parsed = parse('-place:"North Korea" org:\'World Bank\' "summit')
    assert parsed.filter.exclude_entities == (EntityRef("North Korea", "place"),)
    assert parsed.filter.entities == (EntityRef("World Bank", "org"),)
    assert parsed.filter.words == ("summit",)
    parsed = parse('person:"A B" OR person:"C D" talks "open')
    assert parsed.filter.any_of == ((EntityRef("A B", "person"), EntityRef("C D", "person")),)
    assert parsed.filter.words == ("talks", "open")


def test_a_keyed_term_left_open_before_the_next_keyed_term_ends_there() -> None:
    # `person:"Kim place:"North Korea"` (the quote after Kim forgotten) read 'person:' with
    # nothing after it (a problem), the word Kim and the place: the value ends where the next
    # keyed term begins, and the reader's hint says how the text was read.
    parsed = parse('person:"Kim place:"North Korea"')
    assert parsed.problems == []
    assert parsed.filter.entities == (EntityRef("Kim", "person"), EntityRef("North Korea", "place"))
    assert parsed.filter.words == ()
    assert parsed.hint == 'read as person:"Kim" place:"North Korea"'
    # Both left open: each ends before the next term, the last at the end.
    parsed = parse("-person:'Kim Jong Un   source:'Korea Herald since:2d talks")
    assert parsed.problems == []
    assert parsed.filter.exclude_entities == (EntityRef("Kim Jong Un", "person"),)
    assert parsed.filter.sources == ("Korea Herald",)
    assert parsed.filter.since is not None and parsed.filter.words == ("talks",)
    # Quotes that pair as written are read as before, with no hint.
    for text in ['person:"Kim Jong Un" place:"North Korea"', 'place:"Kyiv" "a phrase: is:"']:
        assert parse(text).hint == "" and not parse(text).problems
    assert parse('"a phrase: is:"').filter.phrases == ("a phrase: is:",)

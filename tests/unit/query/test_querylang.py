"""The filter language shared by the CLI and the TUI."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wirereader.query.language import parse
from wirereader.query.timeline import EntityRef, Filter, fts_match_expression

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
    assert parsed.filter.words == ("ebola", "cholera", "or")
    assert parsed.filter.exclude_words == ("OR",)  # -OR: leave out the word
    assert [p.split(":")[0] for p in parsed.problems] == ["'OR'", "'NOT'", "'NEAR'"]
    assert parse("ebola AND").problems == [] and parse("ebola AND").filter.words == ("ebola",)


@given(st.text(max_size=200))
def test_any_text_parses_and_compiles_to_safe_fts(text: str) -> None:
    parsed = parse(text, now=NOW)
    expression = fts_match_expression(parsed.filter)
    assert isinstance(parsed.filter, Filter)
    # Every term is a quoted FTS5 string: no operator or column filter can leak in.
    for term in filter(None, expression.split(" AND ")):
        assert term.startswith('"') and term.rstrip("*").endswith('"')

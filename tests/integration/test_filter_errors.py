"""A filter term the language does not understand is a usage error on the CLI: exit 2, one line
on stderr naming the term, nothing on stdout (never every item as if no filter was given)."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import LIVEBLOG_SEED
from wirereader.query import language as querylang


@pytest.fixture
def seeded(cli) -> None:
    assert (
        cli("import", "--tz", "Europe/London", "--date", "2025-04-28", str(LIVEBLOG_SEED)).code == 0
    )


@pytest.mark.parametrize(
    ("command", "term", "expected"),
    [
        ("entries", "since:xyz", "filter 'since:xyz': expected a duration (6h, 2d) or a date"),
        ("entries", "is:bogus", "filter 'is:bogus': expected is:unread or is:starred"),
        ("threads", "thread:abc", "filter 'thread:abc': expected a thread number"),
        ("search", "kind:nope", "filter 'kind:nope': expected a kind (post, article, summary"),
        # `search 'ebola OR'` printed nothing: the dangling OR was a word that had to match.
        ("search", "OR", "filter 'OR': there is no OR: every word must match"),
        ("entries", "NOT", "filter 'NOT': there is no NOT: write -word to leave a word out"),
        # Internal errors: OverflowError from SQLite, ValueError from int('²').
        ("entries", "since:99999999999999999999", "filter 'since:99999999999999999999': expected"),
        ("threads", "thread:99999999999999999999", "filter 'thread:99999999999999999999': exp"),
        ("search", "thread:²", "filter 'thread:²': expected a thread number"),
    ],
)
def test_an_unknown_term_is_exit_2_and_one_line(cli, seeded, command, term, expected) -> None:
    result = cli(command, "ceasefire", term, "--json")
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith(f"wirereader: {expected}")


def test_several_unknown_terms_still_make_one_line(cli, seeded) -> None:
    result = cli("entries", "since:xyz", "-is:bogus", "until:later")
    assert result.code == 2 and result.out == ""
    [line] = result.err.splitlines()
    assert "'since:xyz'" in line and "'is:bogus'" in line and "'until:later'" in line


def test_good_terms_still_filter(cli, seeded) -> None:
    result = cli("entries", "kind:breaking", "since:2025-04-28", "is:unread", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert rows and {row["kind"] for row in rows} == {"breaking"}


def test_every_kind_is_a_known_term() -> None:
    for kind in querylang.KINDS:
        assert querylang.parse(f"kind:{kind} -kind:{kind.upper()}").problems == []


def test_an_operator_between_words_is_exit_2_and_a_lowercase_one_is_the_word(cli, seeded) -> None:
    # `ceasefire OR truce` required all three words, silently.
    result = cli("search", "ceasefire", "OR", "truce")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("wirereader: filter 'OR': there is no OR")
    assert "'or' searches for the word" in result.err
    plain = json.loads(cli("search", "ceasefire", "--json").out)
    assert plain
    # AND is what the language does anyway: the same items, not those with a word "and...".
    assert json.loads(cli("search", "ceasefire", "AND", "--json").out) == plain
    assert cli("search", "AND", "--json").code == 2  # nothing left to search for
    worded = json.loads(cli("search", "ceasefire", "or", "--json").out)  # the word itself
    assert worded and {row["id"] for row in worded} <= {row["id"] for row in plain}

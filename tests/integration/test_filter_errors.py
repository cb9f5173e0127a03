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
        ("search", "OR", "filter 'OR' needs a word, a \"phrase\" or a term like person:X on"),
        ("search", "source:x OR", "filter 'OR' needs a word, a \"phrase\" or a term like"),
        ("entries", "kyiv OR -source:x", "filter 'OR' cannot join '-source:x': a term left"),
        ("entries", "-is:starred", "filter '-is:starred': is: cannot be left out"),
        ("entries", "NOT", "filter 'NOT': there is no NOT: write -word to leave a word out"),
        # Internal errors: OverflowError from SQLite, ValueError from int('²').
        ("entries", "since:99999999999999999999", "filter 'since:99999999999999999999': expected"),
        ("threads", "thread:99999999999999999999", "filter 'thread:99999999999999999999': exp"),
        ("search", "thread:²", "filter 'thread:²': expected a thread number"),
        # `entries "person:$WHO"` with $WHO empty searched for the word 'person' (exit 0).
        ("entries", "person:", "filter 'person:': nothing after 'person:' (write person:Putin)"),
        ("search", "kyiv -source:", "filter '-source:': nothing after 'source:' (write source"),
        ("threads", "since:", "filter 'since:': nothing after 'since:' (write since:6h)"),
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


def _ids(cli, *terms: str) -> set[int]:
    result = cli("search", *terms, "--json", "--limit", "1000")
    assert result.code == 0, result.err
    return {row["id"] for row in json.loads(result.out)}


def test_or_matches_either_word_and_a_lowercase_or_is_the_word(cli, seeded) -> None:
    # `ceasefire OR truce` required all three words, silently: OR now joins alternatives.
    ceasefire, kyiv = _ids(cli, "ceasefire"), _ids(cli, "kyiv")
    assert ceasefire and kyiv and ceasefire != kyiv
    either = _ids(cli, "ceasefire", "OR", "kyiv")
    assert either == ceasefire | kyiv
    # OR binds its neighbours only: the word after the group must match as well.
    assert _ids(cli, "ceasefire", "OR", "kyiv", "russia") == either & _ids(cli, "russia")
    # A phrase may be an alternative.
    assert _ids(cli, '"ceasefire"', "OR", "kyiv") == either
    # AND is what the language does anyway: the same items, not those with a word "and...".
    assert _ids(cli, "ceasefire", "AND") == ceasefire
    assert cli("search", "AND", "--json").code == 2  # nothing left to search for
    worded = _ids(cli, "ceasefire", "or")  # the word itself
    assert worded and worded <= ceasefire
    result = cli("search", "ceasefire", "NOT", "kyiv")
    assert result.code == 2 and "there is no NOT: write -word" in result.err


def _entries(cli, *terms: str) -> set[int]:
    result = cli("entries", *terms, "--json", "--limit", "1000")
    assert result.code == 0, result.err
    return {row["id"] for row in json.loads(result.out)}


def test_or_joins_entities_sources_and_states(cli, seeded) -> None:
    # `person:X OR person:Y` was a usage error: two names of one story needed two listings.
    putin, kim = _entries(cli, "person:Putin"), _entries(cli, "person:Kim_Jong_Un")
    assert putin and kim and putin != kim and not kim <= putin
    assert _entries(cli, "person:Putin", "OR", "person:Kim_Jong_Un") == putin | kim
    # An alias finds the entity inside a group as it does alone.
    assert _entries(cli, "person:Putin", "OR", "person:Kim") == putin | kim
    # A group may mix an entity and a word; the terms after it must match as well.
    crimea = _entries(cli, "crimea")
    assert _entries(cli, "person:Kim_Jong_Un", "OR", "crimea") == kim | crimea
    russia = _entries(cli, "place:Russia")
    assert _entries(cli, "person:Putin", "OR", "person:Kim", "place:Russia") == (
        (putin | kim) & russia
    )
    breaking = _entries(cli, "kind:breaking")
    assert breaking and _entries(cli, "kind:breaking", "OR", "person:Kim") == breaking | kim
    # Every item is from the one source: a source alternative matches all of them.
    everything = _entries(cli)
    assert _entries(cli, "source:nowhere", "OR", "person:Kim") == kim
    assert _entries(cli, "person:Kim", "OR", "is:unread") == everything
    assert _entries(cli, "person:Kim", "OR", "is:starred") == kim
    # search takes the same language.
    assert _ids(cli, "person:Putin", "OR", "person:Kim_Jong_Un") == putin | kim


def test_the_filter_language_is_in_the_help_of_every_command_that_takes_it(cli) -> None:
    for command in ("entries", "search", "threads", "tail"):
        result = cli(command, "--help")
        assert result.code == 0
        assert "person:Putin OR person:Zelensky" in result.out and "since:6h" in result.out


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("entries", "--since", "2h"), "write since:2h"),
        (("search", "kyiv", "--source=bbc"), "write source:bbc"),
        (("threads", "--person"), "write person:VALUE"),
        (("tail", "--kind", "breaking"), "write kind:breaking"),
    ],
)
def test_a_filter_written_as_an_option_says_how_to_write_it(cli, args, hint) -> None:
    # `entries --since 2h` said only "unrecognized arguments: --since".
    result = cli(*args)
    assert result.code == 2 and not result.out
    [line] = result.err.splitlines()
    assert f"a filter is a term, not an option: {hint};" in line, line
    assert f"unrecognized arguments: {args[1 if args[1].startswith('--') else 2]}" in line


def test_an_unknown_option_is_still_only_unknown(cli) -> None:
    result = cli("entries", "--bogus")
    assert result.code == 2 and "not an option" not in result.err


def test_a_word_ending_in_a_colon_is_still_a_word(cli, seeded) -> None:
    assert cli("search", "Update:").code == 0 and cli("entries", "ceasefire:").code == 0


def test_only_the_reader_may_call_an_empty_last_term_unfinished() -> None:
    # The reader's box passes `typing` while its last term is being typed; the command line
    # never does, so `entries "person:"` stays a problem (exit 2).
    for text in ("person:", "ukraine -source:", "since:"):
        plain, typing = querylang.parse(text), querylang.parse(text, typing=True)
        assert len(plain.problems) == 1 and plain.hint == ""
        assert typing.problems == [] and typing.hint.startswith("e.g. ")
        assert typing.filter == plain.filter  # neither filters on the key's word
    # Only the last term, and only when nothing (not even a blank) follows it.
    assert len(querylang.parse("person: ukraine", typing=True).problems) == 1
    assert len(querylang.parse("person: ", typing=True).problems) == 1
    assert len(querylang.parse("person: person:", typing=True).problems) == 1


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("ukraine OR person:", "e.g. person:Putin"),  # OR cannot join 'person:' until the name
        ("ukraine OR", ""),  # the right-hand side comes next
        ("OR", ""),  # the start of ORANGE
        ("NOT", ""),  # the start of NOTTINGHAM
        ("ceasefire kind:bre", "expected a kind ("),  # on the way to kind:breaking
        ("ceasefire OR kind:bre", "expected a kind ("),
        ("-x OR", ""),
        ("-is:unread", "is: cannot be left out"),
    ],
)
def test_a_term_still_being_typed_is_never_a_problem(text: str, hint: str) -> None:
    # 'a OR person:' typed in the reader's box said "'OR' cannot join 'person:'" before the
    # name could be typed: the OR grouping read the term first. Whatever the term being typed
    # would be told waits for a blank after it (or Enter); the command line tells it at once.
    plain, typing = querylang.parse(text), querylang.parse(text, typing=True)
    assert plain.problems and typing.problems == []
    assert typing.hint.startswith(hint) and bool(typing.hint) == bool(hint)
    assert typing.filter == plain.filter
    finished = querylang.parse(text + " ", typing=True)
    assert finished.problems == plain.problems and finished.hint == ""
    # A problem before the term being typed is still one.
    earlier = querylang.parse("kind:nope " + text, typing=True)
    assert [p.partition(": ")[0] for p in earlier.problems] == ["'kind:nope'"]


def test_no_entries_names_the_source_or_entity_the_cache_does_not_know(cli, seeded) -> None:
    """`entries source:reutres` or `entries person:Zelenskky` said "no entries", as if nothing
    had been written: a typo read as a quiet news day. The line now says which name matched
    nothing and where the names are listed; a known name that matches no item says no more."""
    typo = cli("entries", "source:ecee82x", "ceasefire")
    assert typo.code == 0 and typo.out == ""
    assert typo.err.splitlines() == [
        "no entries; no source's name contains 'ecee82x' (see 'wirereader feeds')"
    ]
    person = cli("entries", "person:Navalny", "place:Atlantis")
    assert person.err.splitlines() == [
        "no entries; no person called 'Navalny' is mentioned (see 'wirereader entities');"
        " no place called 'Atlantis' is mentioned (see 'wirereader entities')"
    ]
    # Known names (an alias, a part of the source's name) with nothing in range: only "no entries".
    known = cli("entries", "person:Zelenskiy", "source:ecee82", "since:1h")
    assert known.code == 0 and known.err.splitlines() == ["no entries"]
    assert cli("search", "person:Zelenskiy", "source:ecee82").out.strip()  # they do match


def test_no_entries_says_when_the_time_window_holds_no_time(cli, seeded) -> None:
    # `since:2025-04-28 until:2025-04-28` (one day, meant inclusive) said only "no entries".
    for window in (["since:2025-04-28", "until:2025-04-28"], ["since:1h", "until:2025-04-27"]):
        empty = cli("entries", *window)
        assert empty.code == 0 and empty.out == ""
        assert empty.err.splitlines() == [
            "no entries; since: is not before until:, so no time is in between"
            " (until: a day means before that day begins)"
        ]
    day = cli("entries", "--json", "since:2025-04-28", "until:2025-04-29")
    assert day.code == 0 and json.loads(day.out)

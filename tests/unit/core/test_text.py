"""Cleaning untrusted text: the fast path gives exactly what the full cleaning gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wirereader.core.text import (
    _NEEDS_FULL_CLEAN,
    _clean_line_full,
    _clean_text_full,
    _needs_full_clean,
    clean_line,
    clean_text,
)

# Characters where the two paths could part: controls, odd spaces, NFC changes, surrogates.
TRICKY = list(
    "ab \n\t\r\x1b[31m\x07\x9b\u00a0\u00ad\u2003\u200b\u202e\ufeff\u2028\u1680\x85é\u0301\ud800"
    "\u212b\u3000\x1c’“"
)
everyday = st.text(st.sampled_from(TRICKY), max_size=60)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=400), everyday))
def test_clean_text_fast_path_is_exact(text: str) -> None:
    assert clean_text(text) == _clean_text_full(text)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=400), everyday), st.integers(1, 50))
def test_clean_line_fast_path_is_exact(text: str, limit: int) -> None:
    assert clean_line(text, limit) == _clean_line_full(text, limit)


def test_examples() -> None:
    assert clean_text("  One  two \n\n\n\nThree\x1b[2J ") == "One two\n\nThree"
    assert clean_line("A\n  title\u202e here", 100) == "A title here"
    assert clean_line("x" * 10, 5) == "xxxx…"
    assert clean_text("e\u0301\u1680") == "é"  # NFC


def test_soft_hyphens_go_so_names_and_searches_see_whole_words() -> None:
    # As a real feed sent them: a publisher's typesetting hints inside a name and a weekday.
    assert (
        clean_line("Nich\u00adolas Maduro arrives on Sun\u00adday")
        == "Nicholas Maduro arrives on Sunday"
    )
    assert clean_text("Nich\u00adolas\n\nSun\u00adday") == "Nicholas\n\nSunday"


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=400), everyday, st.text(st.characters(max_codepoint=0x7F))))
def test_the_ascii_check_is_the_pattern_s(text: str) -> None:
    assert _needs_full_clean(text) == bool(_NEEDS_FULL_CLEAN.search(text))


def test_an_rss_author_is_shown_by_name() -> None:
    # RSS 2.0's <author> is "address (Name)"; the reader and the tables printed the address
    # too ("theweek@futurenet.com (Justin Klawans, The Week US)"). Forms from the unseen feeds.
    from wirereader.core.text import author_name

    assert author_name("theweek@futurenet.com (Justin Klawans, The Week US)") == (
        "Justin Klawans, The Week US"
    )
    assert author_name("nospam@example.com (Hanno Böck)") == "Hanno Böck"
    assert author_name("none@none.com (AFP)") == "AFP"
    # Anything else is shown as the feed wrote it.
    for kept in ("Eliot (Eliot Jones)", "hidden (technobabble)", "test@example.com", "Ann Lee", ""):
        assert author_name(kept) == kept

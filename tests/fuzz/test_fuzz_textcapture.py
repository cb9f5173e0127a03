"""Property-based tests of the capture parser: captures rendered from random entries come back
entry for entry, and no input whatsoever makes the parser raise."""

from __future__ import annotations

from datetime import date, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirereader.sources.context import ParseContext
from wirereader.sources.detect import sniff
from wirereader.sources.textcapture import parse_article, parse_capture

LOWER = "abcdefghijklmnopqrstuvwxyzéøñ"
UPPER = "ABCDEFGHIJKLMNOPRSTUVWZ"

name_word = st.builds(
    lambda a, b: a + b, st.sampled_from(UPPER), st.text(LOWER, min_size=2, max_size=9)
)
author = st.builds(lambda a, b: f"{a} {b}", name_word, name_word)
word = st.text(LOWER, min_size=1, max_size=10)
sentence = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    name_word,
    st.lists(word, min_size=3, max_size=14),
    st.sampled_from([".", "!", "?", "."]),
)
title = st.builds(
    lambda first, rest: " ".join([first, *rest]), name_word, st.lists(word, max_size=10)
)
entry = st.tuples(title, author, st.lists(sentence, max_size=4))


def render(entries: list[tuple[str, str, list[str]]], minutes: list[int]) -> str:
    lines: list[str] = ["Standfirst of the blog. It sets the scene for readers."]
    glue_next = False
    for (head, by, body), minute in zip(entries, minutes, strict=True):
        stamp = f"{minute // 60:02d}:{minute % 60:02d} , {by}"
        if glue_next:
            lines[-1] += head  # the previous entry had no body: this title is glued on
        else:
            lines.append(head)
        lines.append(stamp + (body[0] if body else ""))
        lines += body[1:]
        glue_next = not body
    if glue_next:
        lines.append("")  # the last entry of a capture has nothing to glue
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=12), st.data())
def test_rendered_capture_parses_back_entry_for_entry(entries, data) -> None:
    minutes = sorted(
        data.draw(
            st.lists(
                st.integers(0, 1439), min_size=len(entries), max_size=len(entries), unique=True
            )
        ),
        reverse=True,
    )
    # The last entry has no following entry to glue a title onto; give it a body.
    if not entries[-1][2]:
        entries[-1] = (entries[-1][0], entries[-1][1], ["A closing sentence here."])
    text = render(entries, minutes)
    assert sniff(text) == "text-capture"
    doc = parse_capture(text, ParseContext("fuzz", date=date(2024, 5, 1), tz=timezone.utc))
    timeline = [e for e in doc.entries if e.kind.value != "summary"]
    assert len(timeline) == len(entries)
    for parsed, (head, by, body), minute in zip(timeline, entries, minutes, strict=True):
        assert parsed.title == head
        assert parsed.author == by
        assert parsed.published.hour * 60 + parsed.published.minute == minute
        assert parsed.body == "\n\n".join(body)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_no_text_makes_the_parsers_raise(text: str) -> None:
    ctx = ParseContext("fuzz", tz=timezone.utc)
    for document in (parse_capture(text, ctx), parse_article(text, ctx)):
        for e in document.entries:
            assert "\x1b" not in e.title + e.body
            assert e.published is None or e.published.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.from_regex(r"\d{1,2}:\d{2} , .{0,40}", fullmatch=True), st.text(max_size=80)),
        max_size=30,
    )
)
def test_capture_like_noise_never_raises(lines: list[str]) -> None:
    parse_capture("\n".join(lines), ParseContext("fuzz", tz=timezone.utc))

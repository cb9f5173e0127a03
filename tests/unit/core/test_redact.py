"""Passwords in URLs are shown as ***, and text without one is not searched word by word."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from wirereader.core.redact import _USERINFO, redact

_pieces = st.sampled_from(
    [
        "https://",
        "http://",
        "ftp+x://",
        "://",
        "alice",
        ":",
        "s3cret",
        "@",
        "/",
        " ",
        '"',
        "'",
        "<",
        ">",
        "\n",
        "example.org",
        "x",
        "é",
        "-",
        ".",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_pieces, max_size=16).map("".join))
def test_redact_is_the_userinfo_substitution(text: str) -> None:
    assert redact(text) == _USERINFO.sub(r"\1***", text)


def test_redact_hides_passwords() -> None:
    text = 'see https://alice:s3cret@example.org/feed and "http://bob:pw@host"'
    assert redact(text) == 'see https://alice:***@example.org/feed and "http://bob:***@host"'
    assert redact("mail alice@example.org, https://example.org/a:b") == (
        "mail alice@example.org, https://example.org/a:b"
    )


def test_long_text_without_a_password_is_cheap() -> None:
    # 20 MB of prose with links, as `export` writes it for a few hundred feeds: a scheme was
    # tried at every word (0.55 s of CPU on the 27 MB of 200 real feeds).
    text = "The council met at https://example.org/news/2026 and voted: 12 to 3. " * 300_000
    assert re.search(r"\b[a-z]+://", text)
    start = time.process_time()
    assert redact(text) is text
    assert time.process_time() - start < 0.1

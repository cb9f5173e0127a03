"""Secrets never printed: the password of a URL (`https://alice:s3cret@host/feed`) shown as `***`.

A feed URL may carry a user and password (sent as HTTP Basic auth). The cache keeps the URL as
given, since it is needed to fetch; everything shown or exported passes through `redact` first.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# scheme://user:PASSWORD@ - the user stays visible (it tells two subscriptions apart).
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"'<>]*:)[^@\s/\"'<>]+(?=@)")


# What every password match holds from its "://" on. A search for it starts at each "://" (a
# literal), where `_USERINFO` tries a scheme at every word: 0.55 s of CPU on the 27 MB that
# `export` writes for 200 feeds, where this finds in 4 ms that no password is there.
_MAYBE_USERINFO = re.compile(r"://[^/\s:@\"'<>]*:[^@\s/\"'<>]+@")


def redact(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`."""
    if "://" not in text or _MAYBE_USERINFO.search(text) is None:
        return text
    return _USERINFO.sub(r"\1***", text)


class RedactingStream:
    """A text stream that redacts what is written through it (stdout / stderr of commands
    that show subscriptions, so no code path of theirs can print a password)."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        return self._inner.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

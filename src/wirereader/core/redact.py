"""Secrets never printed: the password of a URL (`https://alice:s3cret@host/feed`) shown as `***`.

A feed URL may carry a user and password (sent as HTTP Basic auth). The cache keeps the URL as
given, since it is needed to fetch; everything shown or exported passes through `redact` first.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# scheme://user:PASSWORD@ - the user stays visible (it tells two subscriptions apart).
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"'<>]*:)[^@\s/\"'<>]+(?=@)")


def redact(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`."""
    return _USERINFO.sub(r"\1***", text) if "://" in text else text


class RedactingStream:
    """A text stream that redacts what is written through it (stdout / stderr of commands
    that show subscriptions, so no code path of theirs can print a password)."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        return self._inner.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

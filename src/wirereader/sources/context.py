"""What every parser is given besides the text, and the one error a file import reports.

Kept apart from `dispatch` so that the parsers, which `dispatch` imports, never import it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from wirereader.core.model import ParsedDocument


class ImportFailure(Exception):
    """One file could not be imported; str() is the one-line message for the user."""


@dataclass
class ParseContext:
    """What a parser may need besides the text."""

    origin: str  # file path or URL, for messages and relative links
    date: date | None = None  # --date: the day of the newest entry of a text capture
    tz: tzinfo | None = None  # --tz: the outlet's zone for times written without one
    modified: datetime | None = None  # the file's mtime, a last resort for dates


Parser = Callable[[str, ParseContext], ParsedDocument]

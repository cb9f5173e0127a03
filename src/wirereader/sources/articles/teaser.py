"""When is a feed body only a teaser? The rule behind `full_text = "auto"`.

A feed body is a teaser when any of these holds:
- it is empty (title-only items);
- it ends with a truncation mark: `…`, `...`, `[…]`, `[...]`, `(more…)`, "Read more",
  "Continue reading", "Read the full story/article" (with or without a trailing arrow or colon);
- it is short: fewer than TEASER_WORDS words in at most TEASER_PARAGRAPHS paragraphs. Feeds that
  carry the whole story (content:encoded, Atom content) run to several paragraphs; a standfirst of
  one or two short paragraphs is the item's summary, not the article.

A body of three or more paragraphs, or TEASER_WORDS words or more, without a truncation mark, is
the full text: "auto" leaves it alone. "always" fetches every item with a link; "never" none.
"""

from __future__ import annotations

import re

TEASER_WORDS = 150
TEASER_PARAGRAPHS = 2

_TRUNCATED = re.compile(
    r"""(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\(more\s*(?:…|\.\.\.)?\)
        |\b(?:read\ more|continue\ reading|full\ story|more\ here
            |read\ the\ (?:full|whole|rest\ of\ the)\ (?:story|article|report))\b[^\w]{0,6}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_WORD = re.compile(r"\w+")

MODES = ("auto", "always", "never")


def is_teaser(body: str) -> bool:
    text = body.strip()
    if not text:
        return True
    if _TRUNCATED.search(text[-200:]):
        return True
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return len(paragraphs) <= TEASER_PARAGRAPHS and len(_WORD.findall(text)) < TEASER_WORDS


def wants_full_text(mode: str, body: str, url: str) -> tuple[bool, str]:
    """(fetch the page?, the reason recorded with the decision)."""
    if not url.startswith(("http://", "https://")):
        return False, "no link"
    if mode == "never":
        return False, "never"
    if mode == "always":
        return True, "always"
    return (True, "teaser") if is_teaser(body) else (False, "full body")

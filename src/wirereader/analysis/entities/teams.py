"""Sports reports: the names an entry with a score uses for teams.

There, a place that beats, hosts or plays another is its team ("Creighton defeats Drake
65-53", "against Evansville"), an organisation, and so is every other mention of that name in
the entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wirereader.analysis.entities.cues import (
    PERSON,
    PLACE,
)
from wirereader.analysis.entities.tokens import (
    _Span,
    _where,
)

# A sports report: a score ("65-53", "51 - 50"). There, a place that beats, hosts or plays
# another is its team ("Creighton defeats Drake 65-53", "against Evansville"), an
# organisation, and so is every other mention of that name in the entry.
_SCORE = re.compile(r"(?<![\d.,:/])\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%-])")


def _has_score(text: str) -> bool:
    """`_SCORE.search(text)`, looking only around dashes: a regex scan of every character
    cost a fifth of the extraction's time on live-blog entries (measured on the seeds)."""
    for dash in "-–":
        i = text.find(dash)
        while i >= 0:
            # digits on both sides first: most dashes join words ('Long-time', 'Russia-Ukraine')
            before, after = text[max(0, i - 2) : i].rstrip(), text[i + 1 : i + 3].lstrip()
            if (
                before[-1:].isdigit()
                and after[:1].isdigit()
                and _SCORE.search(text, max(0, i - 4), i + 6)
            ):
                return True
            i = text.find(dash, i + 1)
    return False


# After a team's name: a score (group 1: any name, "Real Madrid 1-0", "Creighton (25-7)"), or a
# number or a verb of winning (an unknown name or a town only); one match tests both.
_TEAM_AFTER = re.compile(
    r"(?:['’]s?)?[ \t]+(?:(\(?\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%]))"
    r"|\d{1,3}\b|\(\d{1,3} ?[-–] ?\d|defeat|beat|won\b|wins\b|lost\b|loses\b"
    r"|edged|routed|topped|rallied|advance|clinch)"
)


# Before a team's name: "defeats Drake", "against the Colts" (a town or an unknown name only).
_PLAYS_BEFORE = re.compile(
    r"(?:defeat(?:s|ed)?|beat(?:s|ing)?|against|vs\.?|versus|over|past|edged|routed|topped"
    r"|host(?:s|ed|ing)?|visit(?:s|ed|ing)?|face[sd]?|play(?:s|ed|ing)?|meet(?:s|ing)?|seed)"
    r"[ \t]+(?:the[ \t]+)?$"
)


def _teams(spans: Sequence[_Span], title: str, body: str, cities: set[str]) -> set[str]:
    """The names a sports report uses for teams (empty unless the entry gives a score)."""
    if not (_has_score(body) or _has_score(title)):
        return set()
    texts = (title, body)
    teams: set[str] = set()
    for span in spans:
        if span.canonical in teams:
            continue  # each name is a team once: its other mentions need no look
        text = texts[span.where[2]]
        start, end = _where(span, text)
        after = _TEAM_AFTER.match(text, end)
        if after is not None and after.start(1) >= 0:
            teams.add(span.canonical)  # "Real Madrid 1-0", "Creighton (25-7)"
        elif (
            # a lone given name is a weak person ("defeats Drake"); a full name is not a team
            not (span.known or (span.kind == PERSON and span.strong and not span.short))
            or (len(span.tokens) == 1 and span.kind == PLACE and span.tokens[0].key in cities)
        ) and (
            after is not None
            or (
                # the cheap test first: a played name has a space or a tab before it
                text[start - 1 : start] in (" ", "\t")
                and _PLAYS_BEFORE.search(text, max(0, start - 16), start) is not None
            )
        ):
            # A city, a town or an unknown name: "against Evansville"; a country or a region
            # needs the score itself ("protests against Israel").
            teams.add(span.canonical)
    return teams

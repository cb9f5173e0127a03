"""Sports reports: the names an entry with a score uses for teams.

There, a place that beats, hosts or plays another is its team ("Creighton defeats Drake
65-53", "against Evansville"), an organisation, and so is every other mention of that name in
the entry. A player's surname is none, though it reads like one ('he and Wayne won it'): the
entry names the player in full ('Reggie Wayne'; `_players`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wirereader.analysis.entities.cues import (
    PERSON,
    PLACE,
)
from wirereader.analysis.entities.gazetteer import (
    Gazetteer,
    fold_key,
    nameless_words,
)
from wirereader.analysis.entities.tokens import (
    _Span,
    _Token,
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
            # digits on both sides first: most dashes join words ('Long-time', 'Russia-Ukraine'),
            # so the side after is read first and the side before only after a digit
            if (
                text[i + 1 : i + 3].lstrip()[:1].isdigit()
                and text[max(0, i - 2) : i].rstrip()[-1:].isdigit()
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
_PLAYS = tuple(
    """defeat defeats defeated beat beats beating against vs vs. versus over past edged routed
    topped host hosts hosted hosting visit visits visited visiting face faces faced play plays
    played playing meet meets meeting seed""".split()  # noqa: SIM905 (a word list, kept short)
)
_PLAYED_WINDOW = 16


def _played(text: str, start: int) -> bool:
    """Whether a played word ends, with blanks and perhaps 'the', just before `start`
    ('beat Drake', 'against the Colts'). String tests in place of a regex search of the window,
    which cost a microsecond a name in a sports report."""
    # a conditional, not max(): a builtin's call costs 4x as much
    window = text[start - _PLAYED_WINDOW if start > _PLAYED_WINDOW else 0 : start]
    word = window.rstrip(" \t")
    if len(word) == len(window):
        return False
    if word.endswith(_PLAYS):
        return True
    if word.endswith("the"):
        before = word[:-3]
        word = before.rstrip(" \t")
        return len(word) < len(before) and word.endswith(_PLAYS)
    return False


# Words of a game's report: with a score, they tell a match from a vote ('a 6-3 ruling').
_SPORT_WORDS = re.compile(
    r"\b(?:game|games|match|season|coach|points|goals?|scored|league|tournament|playoffs?"
    r"|quarterback|innings|semifinal|basketball|football|soccer|hockey|baseball|rugby|cricket"
    r"|halftime|overtime|touchdowns?|rebounds|seeded)\b"
)


# Before a place that is where something happens, not who plays: "in Chicago", "from Ohio",
# "a playoff loss at Pittsburgh".
_WHERE_BEFORE = ("in", "at", "near", "from", "of", "across", "around", "outside", "inside", "into")


def _team_town(span: _Span, text: str, start: int, g: Gazetteer) -> bool:
    """A city or a state of the data sets named in a game's report, not where something is:
    "between Evansville and Indiana State", "North Carolina's defense" (a country needs the
    score itself: "protests against Israel")."""
    if span.kind != PLACE:
        return False
    known = g.by_key.get(fold_key(span.canonical))
    if known is None or not known.exact:
        return False
    before = text[max(0, start - 12) : start].split()
    return not (before and before[-1].lower() in _WHERE_BEFORE)


def _players(fulls: Sequence[tuple[_Token, ...]], g: Gazetteer) -> set[str]:
    """The surnames (keys) of the people a sports report names in full ('Reggie Wayne',
    'Tony Thompson'): the report calls its players by them ('found Wayne in the end zone',
    'Bowe (45-1, 33 KOs)', "Brand's 15.9 points"), and they are no team's name, which is a
    town's, a nickname's ('Colts', 'Chiefs') or a college's. A full name of two or three words
    of which one is a word no one is named ('Colts Beat Chiefs', 'Basketball Tops Drake':
    `nameless_words`) or a word of play ('Win Over Chiefs'), or which opens with a city's name
    ('Cleveland Browns'), is a headline or a team, not a player.
    `fulls`: the words of each full name that looks like a person's."""
    nameless = nameless_words()
    cities = g.city_keys
    players: set[str] = set()
    for tokens in fulls:
        if (
            1 < len(tokens) <= 3
            and tokens[0].key not in cities
            and not any(t.lower in nameless or t.lower in _PLAYS for t in tokens)
        ):
            players.add(tokens[-1].key)
    return players


def _teams(
    spans: Sequence[_Span],
    title: str,
    body: str,
    g: Gazetteer,
    fulls: Sequence[tuple[_Token, ...]] = (),
) -> set[str]:
    """The names a sports report uses for teams (empty unless the entry gives a score).
    A lone surname of a player the entry names in full (`_players` of `fulls`) is none."""
    if not (_has_score(body) or _has_score(title)):
        return set()
    players = _players(fulls, g) if fulls else set()
    texts = (title, body)
    cities = g.city_keys
    game: bool | None = None  # a game's words in the entry: searched for once, when needed
    teams: set[str] = set()
    for span in spans:
        # the fields unpacked once: a named tuple's field read by name is a descriptor call,
        # and this loop visits every name of a report
        tokens, kind, canonical, short, known, strong, where, surface = span
        if canonical in teams:
            continue  # each name is a team once: its other mentions need no look
        if players and len(tokens) == 1 and tokens[0].key in players:
            continue  # 'Reggie Wayne' ... 'found Wayne in the end zone': the player
        start, end, part = where
        text = texts[part]
        if surface:
            pass  # a whole run: its ends are the run's ("'s" after it _TEAM_AFTER skips anyway)
        elif len(tokens) == 1:
            word = tokens[0].surface  # _where for one word, with one find
            start = text.find(word, start, end)
            end = start + len(word)
        else:
            start, end = _where(span, text)
        after = _TEAM_AFTER.match(text, end)
        # A lone given name is a weak person ("defeats Drake"); a full name is not a team, nor
        # is a boxer or a player with a record after it ("Wladimir Klitschko (59-3)"), but a
        # town's team named like one is ("Cleveland Browns 24-10"). Asked only where it matters:
        # this loop visits every name of a report.
        if after is not None and after.start(1) >= 0:
            if not (kind == PERSON and strong and not short and tokens[0].key not in cities):
                teams.add(canonical)  # "Real Madrid 1-0", "Creighton (25-7)"
        elif (
            not (known or (kind == PERSON and strong and not short and tokens[0].key not in cities))
            or (len(tokens) == 1 and kind == PLACE and tokens[0].key in cities)
        ) and (after is not None or _played(text, start)):
            # A city, a town or an unknown name: "against Evansville"; a country or a region
            # needs the score itself ("protests against Israel").
            teams.add(canonical)
        elif _team_town(span, text, start, g):
            if game is None:
                game = any(_SPORT_WORDS.search(t) is not None for t in texts)
            if game:
                teams.add(canonical)
    return teams

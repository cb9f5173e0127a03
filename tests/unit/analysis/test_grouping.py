"""Grouping a batch's new items: average linkage, the second look by centroid, time limits."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from wirereader.analysis.threads.grouping import story_groups

HOUR = 3600
DAY = 86400


def _unit(weights: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()}


def _groups(
    vectors: Sequence[Mapping[str, float]],
    times: list[int] | None = None,
    dated: list[bool] | None = None,
    threshold: float = 0.3,
    articles: bool = False,
) -> list[list[int]]:
    n = len(vectors)
    return story_groups(
        [_unit(v) for v in vectors],
        times or [0] * n,
        [threshold] * n,
        [72.0] * n,
        [0.7] * n,
        dated or [True] * n,
        [articles] * n,
        14 * DAY,
    )


def test_two_stories_told_in_turn_are_two_groups() -> None:
    strike = {"dock": 3, "strike": 3, "velmar": 2, "pay": 1}
    tram = {"tram": 3, "ostmark": 2, "council": 1, "university": 1}
    vectors = [strike, tram, {**strike, "union": 1}, {**tram, "hospital": 1}, strike]
    assert _groups(vectors) == [[0, 2, 4], [1, 3]]


def test_no_chaining_through_one_item() -> None:
    """A -- B -- C where A and C share nothing: single linkage would make one group; the
    average over all pairs keeps A and C apart."""
    a = {"quake": 2, "qeshm": 2}
    b = {"quake": 2, "qeshm": 1, "bandar": 1, "abbas": 1}
    c = {"bandar": 2, "abbas": 2}
    groups = _groups([a, b, c], threshold=0.45)
    assert [0, 2] not in groups and len(groups) == 2


def test_look_alike_events_stay_apart_when_each_is_told_alike() -> None:
    """Two title fights of one boxer: every report shares the boxer and the belts, but each
    fight's reports share much more with each other. As articles they stay two groups; as
    headlines the average alone decides."""
    shared = {"klitschko": 3, "heavyweight": 2, "title": 2}
    first = [{**shared, "rahman": 3, "mannheim": 2, "seventh": 1, f"a{i}": 1} for i in range(4)]
    second = [{**shared, "thompson": 3, "bern": 2, "sixth": 1, f"b{i}": 1} for i in range(4)]
    vectors = first + second
    assert _groups(vectors, threshold=0.3, articles=True) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert _groups(vectors, threshold=0.3, articles=False) == [list(range(8))]


def test_groups_that_each_name_what_the_other_never_does_are_two_events() -> None:
    """Two pirate attacks foiled by one navy: the reports are nearly word for word alike (the
    cohesion test lets them merge), but every report of one names its ship and no report of
    the other does, and the other way round."""
    shared = {"pirate": 4, "navy": 4, "aden": 3, "indian": 3}
    sukanya = [{**shared, "sukanya": 2, f"a{i}": 1} for i in range(4)]
    tabar = [{**shared, "tabar": 2, f"b{i}": 1} for i in range(4)]
    assert _groups(sukanya + tabar, articles=True) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # Named in passing by a report of the other attack (not among its ten strongest terms),
    # the ship is still a signature.
    detail = {f"d{k}": 0.5 for k in range(8)}
    in_passing = [{**t, **detail, "sukanya": 0.1} for t in tabar]
    assert _groups([*sukanya, *in_passing], articles=True) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # One side naming its ship is not enough: the other may just not say which ship it was.
    unnamed = [{**shared, f"b{i}": 2, f"c{i}": 1} for i in range(4)]
    assert _groups(sukanya + unnamed, articles=True) == [list(range(8))]
    # Nor for headlines, nor for groups too small for "every report" to mean much.
    assert _groups(sukanya + tabar, articles=False) == [list(range(8))]
    assert _groups(sukanya[:3] + tabar[:3], articles=True) == [list(range(6))]


def test_an_item_moves_to_the_group_whose_centroid_suits_it() -> None:
    """An item that shares one quoted passage with an item of another story pairs up with it
    first (their pair is the closest of all); the second look by centroid sends it to the
    story that most of its words belong to."""
    korea = [
        {"korea": 2, "troop": 2, "kursk": 2, "heroes": 4},
        {"korea": 2, "troop": 2, "kursk": 2, "deployment": 4},
        {"korea": 2, "troop": 2, "kursk": 2, "condemns": 4},
    ]
    quote = {"cannot": 3, "dedicate": 3, "resources": 3}
    admission = {"korea": 5, "troop": 5, "kursk": 2, **quote}
    calmer = {"trump": 1, "zelensky": 1, **quote}
    assert _groups([*korea, admission, calmer], threshold=0.35) == [[0, 1, 2, 3], [4]]


def test_dated_items_weeks_apart_never_group_and_guessed_times_do() -> None:
    story = {"dock": 3, "strike": 3, "velmar": 2}
    far = 60 * DAY
    assert _groups([story, story], times=[0, far]) == [[0], [1]]
    assert _groups([story, story], times=[0, far], dated=[True, False]) == [[0, 1]]


def test_short_items_need_to_be_near_in_time() -> None:
    """Headlines decay over hours: the same words a day apart are not enough."""
    headline = _unit({"fed": 1, "taper": 1})

    def grouped(gap: int) -> list[list[int]]:
        half_hour, low_floor = [0.5, 0.5], [0.2, 0.2]
        return story_groups(
            [headline, headline],
            [0, gap],
            [0.5, 0.5],
            half_hour,
            low_floor,
            [True] * 2,
            [False] * 2,
            14 * DAY,
        )

    assert grouped(HOUR // 6) == [[0, 1]]
    assert grouped(DAY) == [[0], [1]]


def test_edge_sizes() -> None:
    assert _groups([]) == []
    assert _groups([{"a": 1}]) == [[0]]
    assert _groups([{"a": 1}, {"b": 1}]) == [[0], [1]]

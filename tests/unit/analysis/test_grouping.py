"""Grouping a batch's new items: average linkage, the second look by centroid, time limits."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from wirereader.analysis.threads.grouping import Side, story_groups

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


def test_one_outlets_two_reports_need_more_than_two_outlets_reports() -> None:
    """Two teasers a few hours apart with the same beat's words: from two outlets they pair,
    from one outlet, each at a link of its own, they are two reports (a follow-up, another
    event of the beat); posts of one live blog (no link of their own, or one page's) still
    pair, since a live blog tells one story in many posts."""
    a = _unit({"geneva": 3, "talks": 3, "delegation": 2, "tense": 1})
    b = _unit({"geneva": 3, "talks": 3, "delegation": 2, "sanctions": 1})
    cosine = sum(w * b.get(t, 0.0) for t, w in a.items())

    def grouped(sources: list[int], links: list[int]) -> list[list[int]]:
        # A threshold a little under the pair's cosine (damped a little by the three hours):
        # the pair passes, but not by a third.
        return story_groups(
            [a, b],
            [0, 3 * HOUR],
            [cosine * 0.85] * 2,
            [72.0] * 2,
            [1.0] * 2,
            [True] * 2,
            [True] * 2,
            14 * DAY,
            None,
            sources,
            links,
        )

    assert grouped([1, 2], [10, 20]) == [[0, 1]]  # two outlets
    assert grouped([1, 1], [10, 20]) == [[0], [1]]  # one outlet, two reports
    assert grouped([1, 1], [10, 10]) == [[0, 1]]  # one live blog's page


def test_one_outlets_two_reports_share_a_name_the_extractor_found_in_one_only() -> None:
    """One outlet's two teasers of one event pair only if they name one entity; the extractor
    found "Tarique Rahman" in NDTV's report of Modi's letter but not in its report of the
    boycott, where his name is only a Title Case headline's possessive. His name's words among
    the boycott report's terms count as naming him. One word of a name ("Rahman" alone), or a
    place's name ("Bangladesh" is a word of every report of a country's beat), does not."""
    import numpy as np

    from wirereader.analysis.features import terms
    from wirereader.analysis.threads.grouping import cross_scores, sparse_rows, title_vector
    from wirereader.analysis.threads.name_words import name_words, names_of, spelled_out

    boycott_text = (
        "Why Jamaat, NCP Boycotted Tarique Rahman's Swearing-In As Bangladesh PM. Jamaat-e-Islami,"
        " the opposition to the Bangladesh Nationalist Party (BNP), announced that it would"
        " boycott the cabinet's oath ceremony."
    )
    letter_text = (
        "Tarique Rahman Gets PM Modi's Letter After Swearing-In, And An India Invite. PM Modi's"
        " letter extended an invitation to Tarique Rahman, his wife Dr Zubaida and his daughter"
        ' Zaima to visit India at a "mutually convenient time".'
    )
    # The entity terms the extractor gave each (as in the 21-feed analysis).
    boycott = {
        **dict.fromkeys(terms(boycott_text), 1.0),
        **dict.fromkeys(["@org:bangladesh nationalist party", "@org:bnp"], 2.0),
        "@place:bangladesh": 2.0,
    }
    letter = {
        **dict.fromkeys(terms(letter_text), 1.0),
        **dict.fromkeys(["@person:narendra modi", "@person:tarique rahman"], 2.0),
        "@place:india": 2.0,
    }
    assert name_words("@person:tarique rahman") == ("tarique", "rahman")
    assert name_words("@person:rahman") == name_words("@place:south africa") == ()
    assert name_words("@person:vladislav heraskevich") == ("vladislav", "heraskevich")
    assert spelled_out(names_of(letter), boycott)
    assert not spelled_out(names_of(boycott), letter)
    assert not spelled_out(
        names_of(["@person:tarique rahman"]), {"rahman", "@person:tarique rahman"}
    )

    def scores(a: dict[str, float], b: dict[str, float]) -> tuple[float, float]:
        vectors = [_unit(a), _unit(b)]
        titles = [title_vector(["tarique", "rahman", "swearing-in", "pm"])] * 2
        side = Side.of(
            vectors,
            [0, HOUR],
            [0.05] * 2,
            [72.0] * 2,
            [0.7] * 2,
            [True] * 2,
            [False] * 2,
            titles,
            [1, 1],  # one outlet
            [1, 2],  # two links
            [True] * 2,
        )
        dense = float(cross_scores(side, side, 14 * DAY)[0, 1])
        # The same pair from sparse rows over one vocabulary, as the thread index scores a
        # kept item (its vector then only a row).
        vocabulary = list(dict.fromkeys([*vectors[0], *vectors[1]]))
        column = {t: k for k, t in enumerate(vocabulary)}
        rows = sparse_rows(
            [np.asarray([column[t] for t in v], dtype=np.int64) for v in vectors],
            [np.fromiter(v.values(), float) for v in vectors],
            len(vocabulary),
        )
        heads = sparse_rows(
            [np.asarray([column[t] for t in h], dtype=np.int64) for h in titles],
            [np.fromiter(h.values(), float) for h in titles],
            len(vocabulary),
        )
        kept = side._replace(
            vectors=[{}, {}],
            terms=rows,
            heads=heads,
            entity_columns=np.asarray([t[0] == "@" for t in vocabulary]),
            column_terms=vocabulary,
        )
        return dense, float(cross_scores(kept, kept, 14 * DAY)[0, 1])

    dense, sparse = scores(boycott, letter)
    assert dense > 1.0 and math.isclose(dense, sparse, rel_tol=1e-5), (dense, sparse)
    # Without "tarique" among the boycott report's terms, nothing names him there.
    assert scores({t: w for t, w in boycott.items() if t != "tarique"}, letter) == (0.0, 0.0)


def test_two_teasers_of_one_beat_pair_only_if_their_titles_tell_one_event() -> None:
    """Two outlets' teasers of one beat share its words ("board", "peace", "gaza", "invite")
    whatever event each reports: with teasers, the titles must be alike (TITLE_MIN), not
    merely share a word. A headline without a teaser (its title is all there is) still only
    needs a shared word, as before."""
    from wirereader.analysis.threads.grouping import TITLE_MIN, title_vector

    beat = {"board": 3, "peace": 3, "gaza": 2, "invite": 2, "trump": 2}
    a = _unit({**beat, "hamas": 2, "killing": 1})
    b = _unit({**beat, "sheinbaum": 2, "declines": 1})
    # Their titles share one word among several each: a cosine under TITLE_MIN.
    title_a = title_vector(["hamas", "board", "stop", "israel", "killing", "gaza"])
    title_b = title_vector(["sheinbaum", "mexico", "declines", "board", "invite"])
    assert 0 < sum(w * title_b.get(t, 0.0) for t, w in title_a.items()) < TITLE_MIN

    def grouped(teased: list[bool], titles: list[dict[str, float]]) -> list[list[int]]:
        return story_groups(
            [a, b],
            [0, HOUR],
            [0.1] * 2,
            [72.0] * 2,
            [0.7] * 2,
            [True] * 2,
            [False] * 2,
            14 * DAY,
            titles,
            [1, 2],
            [1, 2],
            teased,
        )

    assert grouped([True, True], [title_a, title_b]) == [[0], [1]]
    assert grouped([False, False], [title_a, title_b]) == [[0, 1]]  # headlines alone
    assert grouped([True, False], [title_a, title_b]) == [[0, 1]]
    # Two teasers whose titles name one event pair.
    same = title_vector(["sheinbaum", "board", "peace", "mexico"])
    assert grouped([True, True], [title_b, same]) == [[0, 1]]


def test_the_sparse_scoring_of_a_batch_against_threads_gives_the_grouping_scores() -> None:
    """A part of a batch is scored against the items of earlier batches' threads in one sparse
    product (`cross_scores_at`, only pairs sharing a term); each pair must get the score the
    dense matrix of the grouping gives it, with every rule: one outlet's reports, headlines
    that share no word, dated items beyond the story gap, guessed times."""
    import random

    import numpy as np

    from wirereader.analysis.threads.grouping import (
        Side,
        cross_scores,
        cross_scores_at,
        sparse_rows,
        title_vector,
    )

    rng = random.Random(4)
    words = [f"w{i}" for i in range(40)]
    vocabulary = {w: i for i, w in enumerate(words)}

    def side(n: int) -> Side:
        vectors = [_unit({w: rng.random() + 0.1 for w in rng.sample(words, 6)}) for _ in range(n)]
        # Titles of two or three words, weighted: some pairs share a word yet fall under
        # TITLE_MIN, which only pairs of two teased items must reach.
        headlines = [
            title_vector(
                {w: rng.random() + 0.1 for w in rng.sample(words[:12], rng.choice([2, 3]))}
            )
            for _ in range(n)
        ]
        plain = Side.of(
            vectors,
            [rng.choice([0, 3 * HOUR, 2 * DAY, 20 * DAY]) for _ in range(n)],
            [rng.choice([0.05, 0.1, 0.2]) for _ in range(n)],
            [rng.choice([0.5, 9.0, 72.0]) for _ in range(n)],
            [rng.choice([0.2, 0.45, 0.7]) for _ in range(n)],
            [rng.random() < 0.8 for _ in range(n)],
            [rng.random() < 0.3 for _ in range(n)],
            headlines,
            [rng.choice([1, 2, 3]) for _ in range(n)],
            [rng.choice([7, 8]) for _ in range(n)],
            [rng.random() < 0.6 for _ in range(n)],
        )
        columns = [np.asarray([vocabulary[t] for t in v], dtype=np.int64) for v in vectors]
        return plain._replace(
            terms=sparse_rows(columns, [np.fromiter(v.values(), float) for v in vectors], 40),
            heads=sparse_rows(
                [np.asarray([vocabulary[t] for t in h], dtype=np.int64) for h in headlines],
                [np.fromiter(h.values(), float) for h in headlines],
                40,
            ),
        )

    a, b = side(30), side(50)
    dense = cross_scores(
        a._replace(terms=None, heads=None), b._replace(terms=None, heads=None), 14 * DAY
    )
    rows, cols, scores = cross_scores_at(a, b, 14 * DAY)
    sparse_scores = np.zeros_like(dense)
    sparse_scores[rows, cols] = scores
    assert (dense > 1.0).sum() > 20 and (dense == 0).sum() > 20  # both kinds of pairs occur
    assert np.allclose(sparse_scores, dense, rtol=1e-5, atol=1e-9)
    # The dense path with sparse rows (as a thread's items are scored) agrees too.
    assert np.allclose(cross_scores(a, b, 14 * DAY), dense, rtol=1e-5, atol=1e-9)


def _sparse(vectors: list[dict[int, float]], width: int) -> object:
    """Dict vectors (column -> weight) as the sparse rows `pair_cosines` multiplies."""
    import numpy as np

    from wirereader.analysis.threads.grouping import sparse_rows

    return sparse_rows(
        [np.asarray(list(v), dtype=np.int64) for v in vectors],
        [np.fromiter(v.values(), float, count=len(v)) for v in vectors],
        width,
    )


def test_listed_pairs_cosines_are_the_dot_products_of_their_rows_by_either_product() -> None:
    """`pair_cosines` takes a listed pair's dot product over dense rows of the shared columns
    where all pairs of the two sides cost less, else over the two sparse rows: each way, every
    pair's value is the plain sum over the terms the two rows share (rows in no particular
    column order, pairs repeated and in any order, rows sharing nothing: 0)."""
    import random

    import numpy as np
    import pytest

    from wirereader.analysis.threads import grouping
    from wirereader.analysis.threads.grouping import pair_cosines

    rng = random.Random(11)

    def rows(n: int, width: int) -> tuple[list[dict[int, float]], object]:
        vectors = [
            {c: rng.random() + 0.05 for c in rng.sample(range(width), rng.randint(0, 12))}
            for _ in range(n)
        ]
        return vectors, _sparse(vectors, width)

    for width, listed in ((30, 400), (150, 60)):  # many pairs over few terms, and fewer
        a_rows, a = rows(40, width)
        b_rows, b = rows(60, width)
        r = np.asarray([rng.randrange(40) for _ in range(listed)], dtype=np.intp)
        c = np.asarray([rng.randrange(60) for _ in range(listed)], dtype=np.intp)
        plain = [
            math.fsum(w * b_rows[j][t] for t, w in a_rows[i].items() if t in b_rows[j])
            for i, j in zip(r.tolist(), c.tolist(), strict=True)
        ]
        assert sum(1 for x in plain if x == 0.0) > 0 and sum(1 for x in plain if x > 0.0) > 5
        for cost in (0, 10**12):  # the sparse rows, then the dense ones, whatever the sizes
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(grouping, "DENSE_PRODUCTS_PER_PAIR", cost)
                got = pair_cosines(a, b, r, c)
            assert got.shape == (listed,)
            assert np.allclose(got, plain, rtol=1e-12, atol=1e-15)
            assert all(got[k] == 0.0 for k, x in enumerate(plain) if x == 0.0)


def test_listed_pairs_sparse_cosines_add_left_to_right_in_the_first_rows_order() -> None:
    """Over the sparse rows, a listed pair's cosine is the left-to-right float sum of its
    products in the stored order of its row of `a` (as `ordered_sum` adds them), to the bit,
    whichever other pairs are listed with it: a pair's score, hence a borderline join, does not
    depend on the part it was scored in. (Rows of 20-45 terms: sums of more than eight terms
    that a pairwise sum would add in another order.)"""
    import random

    import numpy as np
    import pytest

    from wirereader.analysis.sums import ordered_sum
    from wirereader.analysis.threads import grouping
    from wirereader.analysis.threads.grouping import pair_cosines

    rng = random.Random(5)
    width = 60

    def rows(n: int) -> tuple[list[dict[int, float]], object]:
        vectors = [
            {c: rng.random() / 7 for c in rng.sample(range(width), rng.randint(20, 45))}
            for _ in range(n)
        ]
        return vectors, _sparse(vectors, width)

    a_rows, a = rows(30)
    b_rows, b = rows(50)
    r = np.asarray([rng.randrange(30) for _ in range(300)], dtype=np.intp)
    c = np.asarray([rng.randrange(50) for _ in range(300)], dtype=np.intp)
    expected = [
        ordered_sum([w * b_rows[j][t] for t, w in a_rows[i].items() if t in b_rows[j]])
        for i, j in zip(r.tolist(), c.tolist(), strict=True)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grouping, "DENSE_PRODUCTS_PER_PAIR", 0)  # the sparse rows
        got = pair_cosines(a, b, r, c).tolist()
        alone = [pair_cosines(a, b, r[k : k + 1], c[k : k + 1])[0] for k in range(0, 300, 17)]
        patch.setattr(grouping, "PRODUCT_CELLS", 7)  # in blocks of one row
        blocked = pair_cosines(a, b, r, c).tolist()
    assert got == expected
    assert blocked == expected
    assert alone == expected[::17]
    assert pair_cosines(a, b, r[:0], c[:0]).shape == (0,)


def test_one_group_tells_what_average_linkage_makes_of_a_small_set() -> None:
    """`one_group` (a join's test in the thread index) runs average linkage's merges in plain
    floats: on random score matrices, with groups of articles held to the COHESION and
    signature tests, it says one group exactly where `average_linkage` makes one."""
    import random

    import numpy as np

    from wirereader.analysis.threads import grouping

    rng = random.Random(3)
    seen = set()
    for _ in range(300):
        n = rng.randint(2, 14)
        high = rng.choice([1.5, 2.5, 4.0])
        score = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                score[i][j] = score[j][i] = rng.uniform(0.0, high)
        articles = [float(rng.random() < 0.8) for _ in range(n)]
        events = [rng.randint(0, 1) for _ in range(n)]
        vectors = [
            {f"event{events[i]}": 1.0, **{f"w{rng.randint(0, 30)}": 0.5 for _ in range(25)}}
            for i in range(n)
        ]
        labels = grouping.average_linkage(np.asarray(score), np.asarray(articles), vectors)
        one = bool((labels == labels[0]).all())
        assert grouping.one_group([row[:] for row in score], articles, vectors) == one
        seen.add(one)
    assert seen == {True, False}


def test_cosines_and_probes_from_sparse_rows_are_those_of_the_dicts() -> None:
    """A side's sparse rows (each row's terms in its vector's order, any numbering of the
    terms: the thread index's) give `_gram`'s cosines bit for bit, either product, and each
    group's `probe_terms` in the same order, ties (equal weights) included."""
    import random

    import numpy as np

    from wirereader.analysis.threads import grouping

    rng = random.Random(5)
    products = set()
    for _ in range(300):
        width = rng.randint(5, 300)
        numbers = rng.sample(range(10 * width), width)  # the rows' numbering, not the names'
        n = rng.randint(2, 40)
        vectors = []
        for _ in range(n):
            terms = rng.sample(range(width), rng.randint(0, min(width, 30)))
            vectors.append({f"t{t}": rng.choice([0.1, 0.25, rng.random()]) for t in terms})
        rows = grouping.sparse_rows(
            [np.asarray([numbers[int(t[1:])] for t in v], dtype=np.int64) for v in vectors],
            [np.fromiter(v.values(), dtype=np.float64, count=len(v)) for v in vectors],
            10 * width,
        )
        data = rows.data.copy()
        assert np.array_equal(grouping._gram(vectors), grouping._gram_of_rows(rows))
        assert np.array_equal(rows.data, data)  # (the rows are left as they were)
        holders = np.bincount(rows.indices, minlength=10 * width)
        shared = holders > 1
        products.add(
            int(np.square(holders[shared]).sum()) * grouping.SPARSE_PRODUCT_COST
            < n * n * int(shared.sum())
        )
        labels = [rng.randint(0, 5) for _ in range(n)]
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(label, []).append(i)
        parts = sorted(groups.values(), key=lambda g: g[0])
        name = {numbers[t]: f"t{t}" for t in range(width)}
        assert [[name[c] for c in columns] for columns in grouping.probe_columns(rows, parts)] == [
            grouping.probe_terms([vectors[i] for i in group]) for group in parts
        ]
    assert products == {True, False}  # both the sparse and the dense product were met


def test_sparse_rows_are_the_matrix_scipy_makes_of_the_rows() -> None:
    """`sparse_rows` hands scipy 32-bit indexes where they fit: the matrix (its index types,
    indexes, values) is the one scipy makes of the rows as 64-bit arrays, empty rows,
    32- and 64-bit columns (all of one type, joined as bytes, or mixed) and no rows at all
    included; its arrays can be written (scipy sorts a matrix's indexes in place)."""
    import numpy as np
    from scipy import sparse

    from wirereader.analysis.threads import grouping

    rng = np.random.default_rng(3)
    for n, typed in [(n, t) for n in (0, 1, 5, 300) for t in ("mixed", "int32", "int64")]:
        columns = [
            rng.choice(1000, size=int(rng.integers(0, 40)), replace=False).astype(
                {"int32": np.int32, "int64": np.int64}.get(typed, np.int32 if k % 2 else np.int64)
            )
            for k in range(n)
        ]
        values = [rng.random(len(c)) for c in columns]
        for given in (values, None):
            got = grouping.sparse_rows(columns, given, 1000)
            lengths = [len(c) for c in columns]
            indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            index = np.concatenate(columns).astype(np.int64) if n else np.zeros(0, np.int64)
            data = np.concatenate(given) if given is not None and n else np.ones(len(index))
            want = sparse.csr_matrix((data, index, indptr), shape=(n, 1000))
            assert got.shape == want.shape
            assert got.indices.dtype == want.indices.dtype == np.int32
            assert got.indptr.dtype == want.indptr.dtype
            assert np.array_equal(got.indices, want.indices)
            assert np.array_equal(got.indptr, want.indptr)
            assert np.array_equal(got.data, want.data) and got.data.dtype == want.data.dtype
            assert got.data.flags.writeable and got.indices.flags.writeable

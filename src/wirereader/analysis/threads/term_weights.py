"""The TF weights of an item's title and body terms for story threads (`index.py`).

A pure function of the text, so the worker process that prepares a batch (`prepare_pool.py`)
computes them ahead of it; this module imports neither numpy nor the thread state, so that
worker does not load them. The title counts TITLE_WEIGHT times, more for long bodies (one more
per TITLE_PER_BODY_TERMS body terms): the headline says what a long piece is about; and the
first LEDE_TERMS terms of the body count LEDE_WEIGHT times, since news is written lede first.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain, repeat

from wirereader.analysis.features import strip_kind_prefix, terms

TITLE_WEIGHT = 2.0
LEDE_WEIGHT = 2.0  # who, what and where come first
LEDE_TERMS = 30
TITLE_PER_BODY_TERMS = 40
MAX_BODY_TERMS = 400  # the start of a long article says what it is about


def item_tokens(title: str, body: str) -> tuple[list[str], list[str]]:
    """The terms of an item's title and body that `text_weights` weighs."""
    # Slice first: a hostile megabyte body must not be tokenised whole for 400 terms.
    return terms(strip_kind_prefix(title)), terms(body[: MAX_BODY_TERMS * 16], MAX_BODY_TERMS)


def text_weights(title: str, body: str) -> dict[str, float]:
    """Each term of an item's title and body with its TF weight, 1 + log of its weighted count
    (a pure function of the text: a worker process prepares it ahead of the batch)."""
    title_terms, body_terms = item_tokens(title, body)
    # The headline says what a long piece is about: its weight grows with the body.
    title_weight = TITLE_WEIGHT + len(body_terms) / TITLE_PER_BODY_TERMS
    lede = body_terms[:LEDE_TERMS]
    # Occurrences counted in C (`Counter`), not added one by one: a lede term counts twice (it
    # is in `lede` and in `body_terms`); the keys in the order they were first seen, the title's
    # first. A term only in the body has a whole count (sums of 2.0 and 1.0 are exact), whose
    # weight comes from a table; a title term's weighted count is added up term by term in the
    # order the text gives, as a running sum (title, then lede, then the rest), so its float is
    # the one that sum has always given.
    counts = Counter(title_terms)
    titled = dict(counts) if title_terms else None
    counts.update(chain(lede, body_terms))
    # (A title term's count may be past the table: 0.0 stands in until it is worked out.)
    weights = dict(zip(counts, map(_ONE_PLUS_LOG.get, counts.values(), repeat(0.0)), strict=True))
    if titled:
        for t, n in titled.items():
            in_lede = lede.count(t)
            rest = counts[t] - n - 2 * in_lede
            c = 0.0
            for _ in range(n):
                c += title_weight
            for _ in range(in_lede):
                c += LEDE_WEIGHT
            for _ in range(rest):
                c += 1.0
            weights[t] = 1.0 + math.log(c)
    return weights


# 1 + log(n) of every whole count a term only in the body can have (LEDE_TERMS lede terms
# counted twice, the rest once).
_ONE_PLUS_LOG = {n: 1.0 + math.log(float(n)) for n in range(1, LEDE_TERMS + MAX_BODY_TERMS + 1)}
if LEDE_WEIGHT != 2.0:  # `text_weights` counts a lede term twice: another weight needs it rewritten
    raise ImportError("term_weights.text_weights is written for LEDE_WEIGHT = 2.0")


def log_weights(counts: dict[str, float]) -> dict[str, float]:
    return {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}

"""The TF weights of an item's title and body terms for story threads (`index.py`).

A pure function of the text, so the worker process that prepares a batch (`prepare_pool.py`)
computes them ahead of it; this module imports neither numpy nor the thread state, so that
worker does not load them. The title counts TITLE_WEIGHT times, more for long bodies (one more
per TITLE_PER_BODY_TERMS body terms): the headline says what a long piece is about; and the
first LEDE_TERMS terms of the body count LEDE_WEIGHT times, since news is written lede first.
"""

from __future__ import annotations

import math

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
    counts: dict[str, float] = {}
    title_terms, body_terms = item_tokens(title, body)
    # The headline says what a long piece is about: its weight grows with the body.
    title_weight = TITLE_WEIGHT + len(body_terms) / TITLE_PER_BODY_TERMS
    for t in title_terms:
        counts[t] = counts.get(t, 0.0) + title_weight
    for k, t in enumerate(body_terms):
        counts[t] = counts.get(t, 0.0) + (LEDE_WEIGHT if k < LEDE_TERMS else 1.0)
    return log_weights(counts)


def log_weights(counts: dict[str, float]) -> dict[str, float]:
    return {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}

"""Story-thread quality on the gold-labelled story sets in ../shared/corpus/stories.

Floors, not the figures of the day (`python bench/analysis_bench.py --no-speed` prints those):
a change that makes threads worse on either set fails here. The floors are the targets of the
analysis (UCI 0.87, ECB+ 0.92); in small batches, where threads stand now.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))
import analysis_bench


@pytest.fixture(scope="module")
def ecbplus(corpus: Path) -> list:
    return analysis_bench.ecbplus(corpus / "stories" / "ecbplus-dev.jsonl")


@pytest.fixture(scope="module")
def uci(corpus: Path) -> list:
    return analysis_bench.uci(corpus / "stories" / "uci-dev.csv")


def test_uci_headlines_meet_the_target(uci: list) -> None:
    precision, recall, f1, _, _ = analysis_bench.score(uci)
    assert f1 >= 0.87, (precision, recall, f1)


def test_ecbplus_articles_meet_the_target(ecbplus: list) -> None:
    precision, recall, f1, _, _ = analysis_bench.score(ecbplus)
    assert f1 >= 0.92, (precision, recall, f1)
    assert precision >= 0.90, "look-alike events must stay apart"


@pytest.mark.parametrize("batch_size", [100, 500])
def test_quality_holds_when_items_arrive_in_small_batches(
    uci: list, ecbplus: list, batch_size: int
) -> None:
    """The app analyses what each refresh brings: threads must not need one big batch."""
    assert analysis_bench.score(uci, batch_size)[2] >= 0.87
    assert analysis_bench.score(ecbplus, batch_size)[2] >= 0.905

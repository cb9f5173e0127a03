"""The topic-fold bench's two instruments: which hand entries a source uses, and the lists
reloaded without some entries (the fold's own), then restored."""

from __future__ import annotations

import sys

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))
import entities_topic_folds as folds
from wirereader.analysis.entities.extract import extract

TEXT = "Microsoft said on Tuesday it would patch the flaw. Greenpeace activists met in Oslo."


def _kinds(text: str) -> dict[str, str]:
    return {m.canonical: m.kind for m in extract("", text)}


def test_census_notes_each_source_s_hand_entries_and_rule_words() -> None:
    entries = folds.hand_entries()
    used = folds.census(
        {
            "a": [("", TEXT, "")],
            "b": [("", "Mr Smith flew to Toyota City for the Toyota board.", "")],
        },
        entries,
    )
    assert used[("orgs.txt", "Microsoft")] == {"a"}
    assert used[("orgs.txt", "Greenpeace")] == {"a"}
    assert ("orgs.txt", "Microsoft") in used and ("orgs.txt", "Toyota") in used
    assert used[("orgs.txt", "Toyota")] == {"b"}
    assert "b" in used[("gazetteer.honorifics", "mr")]  # a rule's word, noted by its set
    assert ("people.txt", "Donald Trump") not in used
    # the census leaves the extraction as it was
    assert _kinds(TEXT)["Microsoft"] == "org"


def test_lists_without_an_entry_and_back() -> None:
    text = "Zelenskyy said on Monday that talks would resume. Greenpeace activists met in Oslo."
    assert "Volodymyr Zelensky" in _kinds(text)  # the list's entry names him in full
    try:
        folds.use_lists([("people.txt", "Volodymyr Zelensky")])
        got = _kinds(text)
        assert "Volodymyr Zelensky" not in got and "Zelenskyy" in got
        assert got["Greenpeace"] == "org"  # the other entries stay
    finally:
        folds.use_lists()
    assert "Volodymyr Zelensky" in _kinds(text)


def test_another_model_and_back() -> None:
    shipped = folds.kinds.model()
    try:
        folds.use_model({"margin": (0.0, 0.0, 0.0)})
        assert folds.kinds.model() == {"margin": (0.0, 0.0, 0.0)}
    finally:
        folds.use_model(None)
    assert folds.kinds.model() is shipped


def test_deciders_count_found_mentions_by_what_typed_them() -> None:
    text = (
        "Perennial party girl Tara Reid checked herself into Promises Treatment Center, her rep"
        " told People. Microsoft said on Tuesday it would patch the flaw, and Mr Zubrowski met"
        " Kowalczyk in Oslo."
    )
    row = {
        "topic": 1,
        "text": text,
        "entities": [
            {"text": "Tara Reid", "type": "HUMAN_PART_PER"},  # a given name: a cue
            {"text": "Microsoft", "type": "HUMAN_PART_ORG"},  # the gazetteer's
            {"text": "Kowalczyk", "type": "HUMAN_PART_PER"},  # a guess the model decides
            {"text": "Narnia", "type": "LOC_GEO"},  # not in the text: not found, not counted
        ],
    }
    proper = {"tara", "reid", "microsoft", "kowalczyk", "narnia"}
    wrong: list[str] = []
    got = folds.deciders([row], proper, wrong)
    assert got[(folds.CUE, True)] == 1
    assert got[(folds.GAZETTEER, True)] == 1
    assert sum(got.values()) == 3
    kowalczyk = _kinds(text)["Kowalczyk"]
    assert got[(folds.MODEL, kowalczyk == "person")] == 1
    assert len(wrong) == (kowalczyk != "person")

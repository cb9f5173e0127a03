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

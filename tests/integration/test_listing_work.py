"""The listings do no work they do not print: a table unpacks no body, and `--json` writes
exactly what `json.dumps(indent=2)` wrote, by a cheaper route."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirereader.cli import main
from wirereader.cli.stream import indented_json
from wirereader.core.model import Link, RawEntry
from wirereader.store import texts
from wirereader.store.db import Store

BODY = "The ferries run all night while the unions and the harbour authority talk. " * 20


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        source = store.ensure_source("file:listing-test", "file", name="Harbour Gazette")
        entries = [
            RawEntry(
                title=f"Night ferries, day {n}: \"talks\" go on \\ 'à bientôt' \u2028",
                body=f"{BODY} Day {n}.",
                url=f"https://example.org/ferries/{n}",
                links=[Link(url=f"https://example.org/p/{n}", title="map")],
            )
            for n in range(30)
        ]
        store.save_entries(source, entries)
    return tmp_path


def test_the_entries_table_unpacks_no_body(cache, monkeypatch, capsys) -> None:
    unpacked: list[object] = []
    real = texts.unpack

    def counting(stored: object) -> str:
        if stored:
            unpacked.append(stored)
        return real(stored)

    monkeypatch.setattr(texts, "unpack", counting)
    monkeypatch.setenv("WIREREADER_CONFIG", str(cache / "none.toml"))
    db = str(cache / "cache.sqlite3")
    for filter_text in ([], ["ferries"], ["source:harbour"]):
        assert main(["--db", db, "entries", *filter_text]) == 0
        out = capsys.readouterr().out
        assert out.count("Night ferries, day") == 30, out
        assert unpacked == [], filter_text
    assert main(["--db", db, "entries", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["body"] for item in items] == [f"{BODY} Day {n}." for n in range(29, -1, -1)]
    assert len(unpacked) == 30
    link = {"url": "https://example.org/p/29", "title": "map", "rel": "related"}
    assert items[0]["links"] == [link]


def test_entries_json_is_the_indented_json_it_always_was(cache, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WIREREADER_CONFIG", str(cache / "none.toml"))
    assert main(["--db", str(cache / "cache.sqlite3"), "entries", "--all", "--json"]) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n"


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(value=_values, indent=st.sampled_from(["", "  ", "    "]))
def test_indented_json_writes_what_json_dumps_writes(value, indent) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
    assert indented_json(value, indent) == expected

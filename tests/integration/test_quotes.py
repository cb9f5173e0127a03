"""Quoted embedded posts are part of an item everywhere: `show`, `--json`, the export (the
reader shows them too: tests/tui/test_tui_everyday.py). A handle has one '@'."""

from __future__ import annotations

import json

from tests.support.paths import LIVEBLOG_SEED

QUOTE = {
    "author": "Andrii Sybiha",
    "handle": "@andrii_sybiha",
    "date": "April 28, 2025",
    "url": "https://x.com/andrii_sybiha",
}


def _quoting(cli) -> dict:
    assert cli("import", "--tz", "Europe/London", str(LIVEBLOG_SEED)).code == 0
    rows = json.loads(cli("entries", "--json").out)
    [row] = [r for r in rows if any(q["handle"] == QUOTE["handle"] for q in r["quotes"])]
    return row


def test_entries_json_carries_the_quoted_post(cli) -> None:
    row = _quoting(cli)
    [quote] = row["quotes"]
    assert {k: quote[k] for k in QUOTE} == QUOTE
    assert quote["text"].startswith("If Russia truly wants peace, it must cease fire immediately.")
    shown = json.loads(cli("show", str(row["id"]), "--json").out)
    assert shown["item"]["quotes"] == row["quotes"]
    exported = json.loads(cli("export").out)
    assert [r["quotes"] for r in exported if r["id"] == row["id"]] == [row["quotes"]]


def test_show_prints_the_quoted_post(cli) -> None:
    row = _quoting(cli)
    result = cli("show", str(row["id"]))
    assert result.code == 0, result.err
    assert "▌ If Russia truly wants peace, it must cease fire immediately." in result.out
    assert "  — Andrii Sybiha (@andrii_sybiha), April 28, 2025" in result.out
    assert "@@" not in result.out

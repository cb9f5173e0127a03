"""A corpus of hostile entries, imported through the real CLI in every format we read.

Each one must be stored safely (escape sequences and controls gone, markup kept as literal text,
absurd times replaced), printed inert by the CLI, and never reach a shell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.paths import REPO

ESC = "\x1b"
HOSTILE_TITLES = {
    "csi": f"Clear {ESC}[2J{ESC}[31mred{ESC}[0m screen",
    "osc8": f"{ESC}]8;;https://evil.example/{ESC}\\Click me{ESC}]8;;{ESC}\\ now",
    "osc52": f"Clipboard {ESC}]52;c;cm0gLXJmIH4K\x07 write",
    "c0c1": "Bell\x07 back\x08space \x9b31m C1 \x85next line",
    "bidi": "Invoice \u202egnp.exe\u202c done",
    "zero-width": "Zero\u200bwidth\u2060joined\ufeff text",
    "markup-close": "[/",
    "markup-link": "[link=file:///etc/passwd]x[/link]",
    "markup-click": "[@click=app.quit]press[/]",
    "markup-style": "[bold red]x[/]",
    "textual-var": "$text-primary [$accent]y[/]",
}
LEFTOVERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\ufeff]")


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_hostile_titles_and_bodies_are_stored_clean_and_printed_inert(cli, tmp_path) -> None:
    rows = [
        {"id": key, "title": title, "text": f"Body of {key}: {title}", "url": "javascript:alert(1)"}
        for key, title in HOSTILE_TITLES.items()
    ]
    assert cli("import", str(jsonl(tmp_path / "hostile.jsonl", rows))).code == 0
    stored = {e["title"]: e for e in json.loads(cli("entries", "--json").out)}
    assert len(stored) == len(HOSTILE_TITLES)
    for title, e in stored.items():
        assert not LEFTOVERS.search(title + e["body"]), repr(title)
    assert "Clear red screen" in stored
    assert "Click me now" in stored  # the OSC 8 hyperlink is gone, its text stays
    assert "Invoice gnp.exe done" in stored
    for literal in ("[/", "[link=file:///etc/passwd]x[/link]", "[@click=app.quit]press[/]"):
        assert literal in stored
    human = cli("entries").out + cli("search", "Body").out
    assert ESC not in human and "\x07" not in human
    assert "[link=file:///etc/passwd]x[/link]" in human and "[@click=app.quit]press[/]" in human


def test_huge_title_huge_body_and_absurd_times(cli, tmp_path) -> None:
    rows: list[dict] = [
        {"id": "huge-title", "title": "T" * 1_000_000, "text": "short"},
        {"id": "huge-body", "title": "Ten megabytes", "text": "word " * 2_000_000},
        {"id": "year-0", "title": "Year zero", "text": "x", "published": "0000-01-01T00:00:00Z"},
        {"id": "year-9999", "title": "Far future", "text": "x",
         "published": "9999-12-31T23:59:59-12:00"},
        {"id": "epoch-huge", "title": "Epoch overflow", "text": "x", "published": 1e20},
    ]  # fmt: skip
    result = cli("import", str(jsonl(tmp_path / "big.jsonl", rows)))
    assert result.code == 0, result.err
    entries = {e["id"]: e for e in json.loads(cli("entries", "--all", "--json").out)}
    by_title = {e["title"][:20]: e for e in entries.values()}
    assert len(by_title["T" * 20]["title"]) <= 2000
    assert len(by_title["Ten megabytes"]["body"]) == len(("word " * 2_000_000).strip())
    for title in ("Year zero", "Far future", "Epoch overflow"):
        published = by_title[title]["published"]
        assert published.startswith(("20", "21")), (title, published)  # dated when first seen


def test_hostile_feed_and_page_import_without_harm(cli, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">\n'
        + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">\n'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + f'<!ENTITY xxe SYSTEM "file://{secret}">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>Bomb &i;</title>'
        "<guid>1</guid><description>&xxe;</description></item>"
        "<item><title>Fine item</title><guid>2</guid><description>ok</description></item>"
        "</channel></rss>\n"
    )
    nested = tmp_path / "nested.xml"
    nested.write_text(
        '<rss version="2.0"><channel><title>n</title><item><title>Deep</title><guid>d</guid>'
        "<description><![CDATA["
        + "<div>" * 20_000
        + "deep text"
        + "</div>" * 20_000
        + "]]></description></item></channel></rss>\n"
    )
    page = tmp_path / "cycle.html"
    page.write_text(
        "<html><head><script type='application/ld+json'>"
        '{"@context":"https://schema.org","@type":["LiveBlogPosting"],"@id":"#b",'
        '"headline":"Cycle","isPartOf":{"@id":"#b"},"liveBlogUpdate":['
        '{"@type":"BlogPosting","headline":"Good update","articleBody":"Fine.",'
        '"datePublished":"2024-03-01T10:00:00+01:00"},'
        '"not an object", 42, null, {"@type":"BlogPosting","headline":{"x":1},'
        '"articleBody":["a",{"b":2}],"datePublished":"9999-99-99"}]}'
        "</script></head><body><p>x</p></body></html>"
    )
    for path in (bomb, nested, page):
        result = cli("import", str(path))
        assert "Traceback" not in result.err, result.err
        lines = [x for x in result.err.splitlines() if x.strip()]
        assert result.code == 0 or (lines and str(path) in lines[0]), result.err
    everything = cli("export", "--format", "json").out
    assert "TOP-SECRET-CONTENT" not in everything  # no external entity was read
    assert "a" * 10_000 not in everything  # no entity expansion blew up
    assert "Good update" in everything


def test_no_code_path_reaches_a_shell() -> None:
    """Outside text must never reach a shell: no shell=True, os.system or os.popen anywhere."""
    offenders = []
    for path in (REPO / "src" / "wirereader").rglob("*.py"):
        text = path.read_text("utf-8")
        for pattern in (r"shell\s*=\s*True", r"\bos\.system\(", r"\bos\.popen\(", r"\beval\("):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(REPO)}: {pattern}")
    assert offenders == []


def test_an_endless_file_is_too_large_not_read_for_ever(cli) -> None:
    # A device (or a pipe) says its size is 0: `import /dev/zero` read until memory ran out.
    if not Path("/dev/zero").exists():
        return
    result = cli("import", "/dev/zero")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines()[0].startswith("wirereader: /dev/zero: too large (more than")


def test_a_url_python_cannot_split_is_a_bad_url(cli, tmp_path) -> None:
    # `add 'http://[::1'`, and the same URL in the config's [[feeds]] (which every command
    # reads), were "internal error: ValueError: Invalid IPv6 URL".
    result = cli("add", "http://[::1")
    assert result.code == 1
    assert result.err == "wirereader: http://[::1: bad URL (invalid IPv6 URL)\n"
    config = tmp_path / "config.toml"
    config.write_text('[[feeds]]\nurl = "http://[::1"\nname = "v6"\n')
    for command in ("feeds", "fetch"):
        result = cli(command, env={"WIREREADER_CONFIG": str(config)})
        assert result.code in (0, 1) and "internal error" not in result.err, result.err
        assert "config [[feeds]] http://[::1: bad URL (invalid IPv6 URL)" in result.err

"""The name scanner's shortcuts against the slow paths they stand for, on real news text: the
bundled seed entries, and the six real feeds and ECB+ articles when the shared corpus is there
(`../shared/corpus` or `WIREREADER_SHARED`)."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

from wirereader.analysis.entities import context, names, runcache, tokens
from wirereader.analysis.entities.cues import (
    CONNECTORS,
    KIN_BEFORE,
    MODEL_NUMBER,
    ORG_LAST,
    PERSON,
    PLACE,
    PLACE_AFTER,
    PLACE_AFTER_FIRST,
    PLACE_ENDINGS,
    PLACE_PREPOSITIONS,
    REGION_WORDS,
    SPEECH_AFTER,
    SURNAME_ENDINGS,
    ending_kind,
)
from wirereader.analysis.entities.extract import (
    _THING_AFTER,
    _THING_AFTER_FIRST,
    clear_caches,
    extract_located,
)
from wirereader.analysis.entities.gazetteer import EVENT, fold_key, gazetteer
from wirereader.analysis.entities.pending import _elect
from wirereader.analysis.entities.tokens import _RUN, _RUN_ASCII, _is_sentence_start, _Run
from wirereader.sources.dispatch import ParseContext, parse_file

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "src" / "wirereader" / "data"


def _entries(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for path in paths:
        _fmt, doc = parse_file(path, ParseContext(str(path)))
        out += [(e.title or "", e.body or "") for e in doc.entries]
    return out


@cache
def entries() -> list[tuple[str, str]]:
    """(title, body) of the seed entries, then of the real corpus's feeds and ECB+ articles."""
    out = _entries(sorted(DATA.glob("*.txt")))
    shared = Path(os.environ.get("WIREREADER_SHARED", ROOT.parent / "shared")) / "corpus"
    if (shared / "feeds").is_dir():
        out += _entries(sorted(p for p in (shared / "feeds").iterdir() if p.is_file()))
    ecb = shared / "stories" / "ecbplus-dev.jsonl"
    if ecb.is_file():
        with ecb.open(encoding="utf-8") as f:
            out += [("", json.loads(line)["text"]) for line in f if line.strip()][:300]
    return out


def texts() -> list[str]:
    return [t for entry in entries() for t in entry if t]


def test_the_ascii_run_pattern_finds_the_same_runs_in_ascii_text() -> None:
    ascii_texts = [t for t in texts() if t.isascii()]
    assert ascii_texts
    # non-ASCII text made ASCII, so that the seed entries count too
    ascii_texts += [t.encode("ascii", "replace").decode() for t in texts()[:200]]
    for text in ascii_texts:
        want = [m.span() for m in _RUN.finditer(text)]
        assert [m.span() for m in _RUN_ASCII.finditer(text)] == want


def test_the_speech_verb_shortcut_never_skips_a_match() -> None:
    # `_speech_after` asks `SPEECH_AFTER` only where its cheap test lets it (a blank and two
    # letters no verb starts with, it does not): at every offset of every text it answers as
    # the pattern does
    for text in texts():
        for at in range(len(text)):
            assert context._speech_after(text, at) == (SPEECH_AFTER.match(text, at) is not None)
    assert not context._speech_after("Smith and Jones", 5)
    assert context._speech_after("Smith said", 5)


def test_the_shortcuts_before_the_patterns_after_a_name_never_skip_a_match() -> None:
    # the first letters `_context_kind`, `_single` and `_mentions` read before asking
    # `PLACE_AFTER`, `MODEL_NUMBER` and `_THING_AFTER`: every offset where one matches
    # passes its test
    for text in texts():
        for at in range(len(text)):
            after = text[at : at + 2]
            if PLACE_AFTER.match(text, at):
                assert after[1:] in PLACE_AFTER_FIRST if after[:1] == " " else after[:1] == "\t"
            if MODEL_NUMBER.match(text, at):
                assert after[:1] in names._BLANKS
                assert after[1:] in names._BLANKS or after[1:].isdigit()
            if _THING_AFTER.match(text, at):
                assert text[at + 1 : at + 2] in _THING_AFTER_FIRST


# The run pattern as it was written before its quantifiers were made possessive, its
# connectors a tree of letters and its tail an alternation: it must find the same runs from
# every offset
_PLAIN_UP = tokens._UP
_PLAIN_ABBREVIATED = "|".join(f"(?<={a})" for a in tokens._ABBREVIATIONS.split())
_PLAIN_CAP = (
    rf"[{_PLAIN_UP}](?:\.(?:[A-Z]\.)+|\.(?=[ \t]+[{_PLAIN_UP}])|\w*(?:['’\-]\w+)*"
    rf"(?:['’](?<=s['’])(?=[ \t])|(?=\.)(?:{_PLAIN_ABBREVIATED})\.(?=[ \t]))?)"
)
_PLAIN_CONNECTOR = (
    r"(?:of|for|de|da|do|dos|das|del|della|dei|degli|delle|di|du|van|von|der|den|la|le|al|el"
    r"|bin|ibn|y)"
)
_PLAIN_RUN = re.compile(
    rf"{_PLAIN_CAP}(?:[ \t]+(?:{_PLAIN_CONNECTOR}[ \t]+"
    rf"(?:(?:the|der|la|le|de|los|las)[ \t]+)?)?{_PLAIN_CAP})*"
)


def test_the_run_pattern_matches_as_its_plain_form_from_every_offset() -> None:
    assert _PLAIN_RUN.pattern != _RUN.pattern
    samples = [*texts()[:3000], "Mr. LaRue and Gen. Lee met Workers' Party men in St. Louis, U.S."]
    for text in samples:
        for at in range(len(text)):
            m, want = _RUN.match(text, at), _PLAIN_RUN.match(text, at)
            assert (m and m.span()) == (want and want.span()), (text[at : at + 80], at)


def test_cached_runs_give_what_a_cold_start_gives() -> None:
    # the scan and the cut read what they saw before off `_FAST` and `_CUTS`: each entry
    # extracted from empty caches and again with every other entry's runs cached
    sample = entries()[:400]
    clear_caches()
    cold = []
    for title, body in sample:
        clear_caches()
        cold.append(extract_located(title, body))
    for title, body in sample:
        extract_located(title, body)
    warm = [extract_located(title, body) for title, body in sample]
    assert warm == cold
    # and in the reverse order, each entry after the runs of those that follow it
    assert [extract_located(title, body) for title, body in reversed(sample)][::-1] == cold


def test_a_quoted_writer_is_cut_so_whatever_cut_the_words_before() -> None:
    # 'Memphis Barker' cut elsewhere (the place Memphis, a word of a name) and cached by its
    # text: after 'said' and before 'in' a publication the words are the writer's all the same
    quoted = '"It is bad," said Memphis Barker in The Daily Telegraph.'
    clear_caches()
    cold = extract_located("", quoted)
    assert ("Memphis Barker", "person") in [(m.surface, m.kind) for m, *_ in cold]
    for before in (
        "A report by Memphis Barker came out on Monday.",
        "Police in Memphis Barker Street said on Monday that the road was closed.",
    ):
        clear_caches()
        extract_located("", before)
        assert extract_located("", quoted) == cold
        assert extract_located("", quoted) == cold  # cached from the quote itself


def test_a_bodys_headline_is_cut_so_whatever_cut_its_words_before() -> None:
    # a body's opening line is cut at its verbs first, reading the entry (here 'design' in
    # lower case), so the run is not taken from the cut another entry cached by its text
    body = (
        "## Meandering towards Design Systems\n\nIn the last talk of the day, Emil discusses"
        " how the industry moved towards Design Systems\n\n- More complex than \u201cHow to"
        " build a design system in React?\u201d\n- Every organisation has a design system."
    )
    clear_caches()
    cold = extract_located("Patterns Day 2019 - Emil Bj\u00f6rklund", body)
    clear_caches()
    extract_located(
        "", "Introducing ReliCSS: a tool the industry moved towards Design Systems for."
    )
    assert extract_located("Patterns Day 2019 - Emil Bj\u00f6rklund", body) == cold


def test_event_singulars_are_read_off_the_gazetteer_when_it_loads() -> None:
    g = gazetteer()
    assert {fold_key(w) for w in ("Oscar", "Grammy", "Olympic")} <= g.event_singulars
    assert "coronaviru" not in g.event_singulars  # no plural
    for key in g.event_singulars:
        assert g.by_key[key + "s"].kind == EVENT


def test_the_scans_sentence_starts_are_those_of_is_sentence_start() -> None:
    # the scan answers the common cases (a word and a blank, a stop and a blank, a line's
    # start) without calling `_is_sentence_start`
    g = gazetteer()
    for text in texts():
        for item in names._Extractor(g, "", text).items:
            if isinstance(item, _Run) and item.end - item.start <= runcache._LONGEST_CACHED:
                assert item.initial == _is_sentence_start(text, item.start), item


def test_a_words_record_answers_as_the_tests_it_stands_for() -> None:
    # `names._word_flags`: the cut's tests that read a word alone, answered once a distinct
    # word; each flag against the test it replaced, for every word of the runs of the texts
    g = gazetteer()
    extractor = names._Extractor(g, "", "")
    seen: set[str] = set()
    unknown = 0
    for text in texts():
        for m in _RUN.finditer(text):
            run = tokens._tokens(m.group())
            for i, tok in enumerate(run):
                flags = names._word_flags(g, tok)
                if flags & names._UNKNOWN:
                    unknown += 1
                    assert extractor._match(run, i) is None, (m.group(), i)
                if tok.surface in seen:
                    continue
                seen.add(tok.surface)
                low, surface = tok.lower, tok.surface
                town = g.by_key.get(tok.key)
                assert flags == (
                    (names._CONNECTOR if low in CONNECTORS else 0)
                    | (names._TITLE | names._TITLE_OR_ELECT if low in g.titles else 0)
                    | (names._TITLE_OR_ELECT if _elect(low, g.titles) else 0)
                    | (names._PREFIX if surface in names._PREFIXES else 0)
                    | (names._ROYAL if low in g.royal else 0)
                    | (names._REGION if low in REGION_WORDS else 0)
                    | (names._ORDINARY if low in g.ordinary else 0)
                    | (names._GIVEN if low in g.given_names else 0)
                    | (
                        names._ORG_WORD
                        if low in ORG_LAST or (2 <= len(surface) <= 6 and surface.isupper())
                        else 0
                    )
                    | (names._SHOUTED if len(surface) > 6 and surface.isupper() else 0)
                    | (
                        names._TOWN
                        if town is not None and tokens._spelled_as(surface, town.canonical)
                        else 0
                    )
                    | (
                        names._UNKNOWN
                        if town is None
                        and tok.key not in g.multi_first
                        and g.by_acronym.get(surface.replace(".", "")) is None
                        else 0
                    )
                ), surface
    assert len(seen) > 1000 and unknown > 1000  # the texts reach every branch many times
    assert runcache._WORDS
    clear_caches()
    assert not runcache._WORDS  # a cold start forgets the records too


def test_the_words_before_a_name_that_no_cue_reads_are_left_out_of_its_cues() -> None:
    # `context._PREV_CUES`: every word one of `_context_kind`'s cues on the word before a name
    # reads is in the union that gates them
    g = gazetteer()
    cues = context._PREV_CUES or context._fill_prev_cues(g)
    for words in (g.lower_titles, KIN_BEFORE, g.org_nouns, context._CITED_IN, PLACE_PREPOSITIONS):
        assert set(words) <= cues
    assert {"the", "of", "and", "or"} <= cues


def test_a_lone_words_ending_guess_is_the_suffix_tests_it_caches() -> None:
    # `cues.ending_kind`, cached by the word's lower case, answers as the two suffix tests
    # `context._endings` made of every lone word; `clear_caches` forgets it
    seen = set()
    for text in texts()[:2000]:
        for m in _RUN.finditer(text):
            for tok in tokens._tokens(m[0]):
                seen.add(tok.lower)
    place = person = 0
    for low in seen:
        want = (
            (PLACE, False)
            if low.endswith(PLACE_ENDINGS)
            else (PERSON, False)
            if low.endswith(SURNAME_ENDINGS)
            else ("", False)
        )
        assert ending_kind(low) == want, low
        place += want[0] == PLACE
        person += want[0] == PERSON
    assert place and person  # the sample holds both
    assert ending_kind.cache_info().currsize
    clear_caches()
    assert not ending_kind.cache_info().currsize


def test_a_runs_first_word_starts_where_the_run_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # `_context_kind` takes a run's start for its first word's without searching: every call
    # on real text whose name opens its run finds the word there
    calls = []
    real = context._ContextKinds._context_kind

    def checked(
        self: context._ContextKinds,
        text: str,
        run: _Run,
        at_run_start: bool,
        first: tokens._Token,
        size: int,
    ) -> tuple[str, bool]:
        if at_run_start and first is run.tokens[0]:
            calls.append(1)
            assert text.find(first.surface, run.start, run.end) == run.start, run
        return real(self, text, run, at_run_start, first, size)

    monkeypatch.setattr(context._ContextKinds, "_context_kind", checked)
    clear_caches()
    for title, body in entries()[:600]:
        extract_located(title, body)
    assert len(calls) > 100


def test_the_letters_read_before_a_call_after_a_name_never_skip_a_match() -> None:
    # the tests `_mentions`, `_single` and `_context_kind` make of the letters after a name
    # before asking for a caption's 'credit:', 'and' / 'or', or an apostrophe
    for text in texts():
        for at in range(len(text)):
            after = text[at : at + 2]
            if text.startswith(" credit:", at):
                assert after[1:] == "c" and after[1:] in _THING_AFTER_FIRST
            if text.startswith(names._AND_OR, at):
                assert after in (" a", " o")
            if text.startswith(("'", "’"), at):
                assert after[:1] in context._APOSTROPHES


def test_a_cut_read_in_context_is_reused_only_where_the_context_answers_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `runcache._CONTEXT_CUTS`: a mid-sentence run whose cut asked the words around it ('X
    # said', 'the X', the kind its context gives) is reused where a run of the same text gets
    # the same answers. Every ECB+ dev article and real feed entry, extracted from empty caches,
    # against the same entry extracted with every other entry's cuts cached
    shared = Path(os.environ.get("WIREREADER_SHARED", ROOT.parent / "shared")) / "corpus"
    ecb = shared / "stories" / "ecbplus-dev.jsonl"
    if not ecb.is_file():
        pytest.skip("the shared corpus is not here")
    with ecb.open(encoding="utf-8") as f:
        sample = [("", json.loads(line)["text"]) for line in f if line.strip()]
    sample += entries()[:400]
    cold = []
    for title, body in sample:
        clear_caches()
        cold.append(extract_located(title, body))
    replays = {True: 0, False: 0}
    real = names._Extractor._replayed

    def counted(self: names._Extractor, *args: object) -> bool:
        same = real(self, *args)  # type: ignore[arg-type]
        replays[same] += 1
        return same

    monkeypatch.setattr(names._Extractor, "_replayed", counted)
    clear_caches()
    for title, body in sample:
        extract_located(title, body)
    warm = [extract_located(title, body) for title, body in sample]
    assert [i for i, (a, b) in enumerate(zip(cold, warm, strict=True)) if a != b] == []
    # both ways taken many times: reused, and cut again where an answer differed
    assert replays[True] > 1000 and replays[False] > 100, replays
    assert runcache._CONTEXT_CUTS and runcache._OPENER_CUTS
    clear_caches()
    assert not runcache._CONTEXT_CUTS and not runcache._OPENER_CUTS


@pytest.mark.parametrize(
    ("told", "lower", "cut", "whole"),
    [
        # 'Inspector' is a common word that merely opens the sentence where the entry writes
        # 'inspector' in lower case, a title of the name otherwise (an ECB+ dev article's words)
        (
            "Two climbers died on Mt Cook. Inspector Gaskin said police were pushed to their"
            " limits.",
            " The inspector said the fall was unsurvivable.",
            ("Gaskin", "person"),
            ("Inspector Gaskin", "person"),
        ),
        # 'The' opening a sentence keeps its capital for the name where the entry writes the
        # same words mid-sentence (`_article_name`)
        (
            "Trump made billions. The New Yorker has calculated the sum.",
            " It was first reported by Justin Chang in The New Yorker.",
            ("The New Yorker", "org"),
            ("Yorker", "org"),
        ),
    ],
)
def test_a_sentence_opening_run_is_reused_only_where_the_entry_answers_the_same(
    told: str, lower: str, cut: tuple[str, str], whole: tuple[str, str]
) -> None:
    # `runcache._OPENER_CUTS`: a run opening a sentence is cut with the entry's answers to its
    # questions: the run's cut from one entry is not reused in the other
    lower = told + lower

    def named(body: str) -> list[tuple[str, str]]:
        return sorted((m.surface, m.kind) for m, _part, _a, _b in extract_located("", body))

    cold = []
    for body in (lower, told):
        clear_caches()
        cold.append(named(body))
    assert cut in cold[0] and whole in cold[1] and whole not in cold[0]
    for order in ((lower, told, lower), (told, lower, told)):
        clear_caches()
        warm = [named(body) for body in order]
        assert warm == [cold[0] if body is lower else cold[1] for body in order]
        assert runcache._OPENER_CUTS

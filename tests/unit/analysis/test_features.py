"""Words and terms by Unicode rules, and float sums that do not depend on the Python version."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis import features
from wirereader.analysis.dedup.reposts import fingerprint, same_item
from wirereader.analysis.features import terms, words
from wirereader.analysis.sums import ordered_sum


def test_words_of_scripts_with_combining_marks_stay_whole() -> None:
    # Python's `re` \w leaves out vowel signs and viramas: "हिन्दी समाचार" was six pieces.
    assert words("हिन्दी समाचार") == ["हिन्दी", "समाचार"]
    # Thai writes vowels and tones as combining marks (and no spaces between words).
    assert words("ข่าววันนี้ ประเทศไทย") == ["ข่าววันนี้", "ประเทศไทย"]
    assert terms("बाढ़ से हालात गंभीर, सेना बुलाई गई") == [
        "बाढ़", "से", "हालात", "गंभीर", "सेना", "बुलाई", "गई"
    ]  # fmt: skip
    # Latin text decomposed (e + combining acute) keeps its accent inside the word.
    assert words("Cafe\u0301 opens") == ["cafe\u0301", "opens"]


def test_two_different_hindi_stories_are_not_one_item() -> None:
    """Cut at every mark, two Hindi texts share most of their fragments (the same few
    consonants), which made unrelated stories look alike to dedup."""
    flood = "बिहार में बाढ़ से हालात गंभीर हो गए हैं और सेना को राहत कार्य के लिए बुलाया गया है। " * 3
    budget = "सरकार ने संसद में नया बजट पेश किया जिसमें किसानों के लिए कर राहत दी गई है। " * 3
    a, b = fingerprint("बिहार बाढ़", flood), fingerprint("नया बजट", budget)
    assert a.size == len(flood.split()) and not same_item(a, b)
    repost = fingerprint("बिहार बाढ़", flood + "और जानकारी आने पर अपडेट किया जाएगा।")
    assert same_item(a, repost)


def test_ascii_text_gets_the_same_words_and_terms_from_either_engine(corpus: Path) -> None:
    """ASCII text takes the faster `re` patterns (the term pattern a simpler one, its words'
    trailing apostrophes and hyphens cut off with the term); they must find exactly what the
    Unicode patterns find, or a text's tokens would depend on a curly quote elsewhere in it."""
    texts = [ARTICLE_SEED.read_text("utf-8"), LIVEBLOG_SEED.read_text("utf-8")]
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for _, line in zip(range(200), f, strict=False)]
    rng = random.Random(5)
    alphabet = "abcXYZ019_'’-.,  \n\t!('"
    texts += ["".join(rng.choice(alphabet) for _ in range(80)) for _ in range(2000)]
    texts += ["rock'n'roll o'-' x-'- well-- 'tis a_b_ 3,400.5- _x q'", "dogs' o''x ''a b'' c'd'e"]
    checked = 0
    for text in texts:
        ascii_text = text.encode("ascii", "ignore").decode().lower()
        assert features._WORD_ASCII.findall(ascii_text) == features._WORD.findall(ascii_text)
        assert words(ascii_text) == features._WORD.findall(ascii_text)
        by_unicode_rules = [t for t in map(features._term, features._TERM.findall(ascii_text)) if t]
        assert terms(ascii_text) == by_unicode_rules
        assert terms(ascii_text, 7) == by_unicode_rules[:7]
        checked += 1
    assert checked == len(texts) > 2000


def test_text_read_as_ascii_gets_the_words_and_terms_of_the_unicode_patterns(
    corpus: Path,
) -> None:
    """A text whose non-ASCII characters are no word characters (curly quotes, dashes, no-break
    spaces, emoji) is read as ASCII, those made blanks and its curly apostrophes apostrophes:
    it must get exactly the words and terms the Unicode patterns find in it, and so must a text
    with a word character among them (an accent, a combining mark, a joiner, a final sigma, a
    sign that lowers into ASCII), which is not read so."""
    from itertools import chain

    from wirereader.analysis.dedup.reposts import _paragraph_words
    from wirereader.analysis.features import terms_of_words

    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), f, strict=False)]
    pieces = ["Word", "two", "x_9", "it's", "dogs'", "o''x", "3.5", "2,000", "well-known"]
    pieces += ["a-", "-b", "'", "-", ".", ",", " ", " ", "\n", "\n\n"]
    pieces += list("’‘“”—–…\xa0\u2028\x85•→™\U0001f609\ud800")  # none a word character
    wordy = ["é", "Σ", "ΟΔΟΣ", "\u212a", "e\u0301", "\ufe0f", "\u200d", "İ", "٣"]  # each one
    rng = random.Random(11)
    for _ in range(6000):
        parts = [rng.choice(pieces) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), rng.choice(wordy))
        texts.append("".join(parts))
    read_as_ascii = taken = 0
    for text in texts:
        lowered = text.lower().replace("’", "'")
        assert words(text) == features._WORD.findall(lowered)
        assert features.paragraph_words(text) == [
            features._WORD.findall(p) for p in lowered.split("\n\n")
        ]
        by_unicode_rules = [
            t for t in map(features._term, features._TERM.findall(text.lower())) if t
        ]
        assert terms(text) == by_unicode_rules
        found = terms_of_words(text, list(chain.from_iterable(_paragraph_words(text))), 400)
        assert found is None or found == by_unicode_rules[:400]
        if not lowered.isascii() and features._as_ascii(lowered) is not None:
            read_as_ascii += 1
            taken += found is not None
    assert read_as_ascii > 2000 and taken > 200


def test_paragraphs_lowered_together_give_each_paragraph_s_words(corpus: Path) -> None:
    """`paragraph_words` lowers the whole text once: casing that looks at neighbours (a final
    sigma) must not see across a blank line, and a paragraph that lowers to ASCII (the Kelvin
    sign) must still take the ASCII pattern as it would alone."""
    texts = [
        "ΟΔΥΣΣΕΥΣ\n\nΣΑΣ ΟΔΟΣ'\n\n'ΣΟΦΙΑ ΑΣ.",
        "\u212a\u212aelvin one\n\nİstanbul O’Brien’s\n\n\n\nwell-known 3,400.5 rock'n'roll",
        "",
        "\n\n",
        ARTICLE_SEED.read_text("utf-8"),
    ]
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for _, line in zip(range(100), f, strict=False)]
    # ASCII texts without an apostrophe go through the whole text in one pass: line breaks
    # inside and between paragraphs, runs of them, other blanks and controls.
    rng = random.Random(5)
    pieces = ["Word", "two", "x_9", "-", ".", " ", "\n", "\n\n", "\r\n\r\n", "\t", "\x0b", "\x1c"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        assert features.paragraph_words(text) == [words(p) for p in text.split("\n\n")]
    assert features.paragraph_words(texts[0])[0] == ["οδυσσευς"]  # the final sigma kept


def test_ordered_sum_adds_left_to_right_on_every_python() -> None:
    # 3.12's compensated sum() gives 1.0 here; plain left-to-right addition loses the 1.0.
    values = [1e100, 1.0, -1e100]
    assert ordered_sum(values) == 0.0
    assert ordered_sum([0.1] * 10) == 0.9999999999999999  # not fsum's 1.0
    assert ordered_sum([]) == 0.0 and ordered_sum(iter([2.5])) == 2.5
    if sys.version_info < (3, 12):  # what the cache's stored scores were computed with
        rng = random.Random(3)
        for _ in range(200):
            xs = [rng.uniform(-1, 1) * 10 ** rng.randint(-8, 8) for _ in range(40)]
            assert ordered_sum(xs) == sum(xs)


def test_a_body_s_terms_from_its_words_are_the_terms_the_term_pattern_finds(
    corpus: Path,
) -> None:
    """`terms_of_words` (the terms of the words dedup found) gives `terms` of the text to the
    term, or None: hyphens and numbers joining words, apostrophes at a word's edge, words of
    two terms ('1990s'), non-ASCII text, case folds into ASCII (the Kelvin sign), stop words
    and the limit included; and real articles take it too (a fifth of ECB+'s: hyphens join
    many of their words)."""
    from itertools import chain

    from wirereader.analysis.dedup.reposts import _paragraph_words
    from wirereader.analysis.features import terms_of_words

    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        texts = [r["text"] for r in map(json.loads, f)]
    texts += [ARTICLE_SEED.read_text("utf-8"), LIVEBLOG_SEED.read_text("utf-8")]
    real = len(texts)
    pieces = "a b-c - -- 3 3.5 2,000 1990s _x x_ ' '' it's dogs' o''x rock'n'roll ’ \u212a Ü é "
    pieces += "x-'y a- -a 5- . , the Said 3rd a.b u.s. 'tis ab-- --c 9_ _9a x'- ä-b Storm storms"
    rng = random.Random(3)
    for _ in range(5000):
        parts = [rng.choice(pieces.split()) + rng.choice(["", " ", " ", "\n\n"]) for _ in range(8)]
        texts.append("".join(parts[: rng.randint(0, 8)]))
    texts.append(" ".join(f"storm{k} coast" for k in range(300)))  # past the limit of 400
    taken = 0
    for text in texts:
        found = terms_of_words(text, list(chain.from_iterable(_paragraph_words(text))), 400)
        if found is not None:
            assert found == terms(text, 400), text
            taken += 1
    assert 1000 < taken < len(texts) - 1000  # both ways, many times
    assert terms_of_words(texts[-1], texts[-1].split(), 400) == terms(texts[-1], 400)
    assert sum(terms_of_words(t, words(t)) is not None for t in texts[:real]) > real // 6


def test_words_numbered_on_several_threads_keep_their_hashes_and_terms(monkeypatch) -> None:
    """The word table numbers the words of chunks prepared on several threads at once (the
    main process may): every word gets its own hash and term, tables filling up and being
    replaced included."""
    import threading

    monkeypatch.setattr(features, "CACHED_WORDS", 2_000)
    rng = random.Random(5)
    pool = [f"{rng.choice(['storm', 'coast', 'the', '1990s', 'x'])}{n}" for n in range(6_000)]
    pool += ["the", "1990s", "said", "storms", "x"]
    wrong: list[str] = []

    def work(seed: int) -> None:
        pick = random.Random(seed)
        for _ in range(30):
            lists = [[pick.choice(pool) for _ in range(pick.randint(0, 60))] for _ in range(20)]
            found = features.numbered_words(lists)
            every = [w for words in lists for w in words]
            if found.hashes.tolist() != [features._crc(w) for w in every]:
                wrong.append("hash")
            terms = [features._word_term(w) for w in every]
            got = [
                ""
                if n == features.NO_TERM
                else features._SPLIT_WORD
                if n < 0
                else found.table.terms[n]
                for n in found.terms.tolist()
            ]
            if got != terms:
                wrong.append("term")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_a_sender_numbers_its_terms_in_the_order_it_first_sends_them() -> None:
    """`PackedWeights` cross as numbers of the sender's running vocabulary: each term keeps the
    number it was first sent with, new ones numbered on in the order they come, each once."""
    sent = features._SentTerms()
    rng = random.Random(7)
    pool = [f"t{n}" for n in range(3_000)]
    expected: dict[str, int] = {}
    for _ in range(200):
        terms = [rng.choice(pool) for _ in range(rng.randint(0, 60))]
        if rng.random() < 0.5:
            terms = list(dict.fromkeys(terms))  # a pack's vocabulary: distinct
        base = len(expected)
        fresh: list[str] = []
        for term in terms:  # the numbering, written out term by term
            if term not in expected:
                expected[term] = base + len(fresh)
                fresh.append(term)
        token, got_base, got_fresh, numbers = sent.numbered(terms)
        assert (token, got_base, got_fresh) == (sent.token, base, fresh)
        assert list(numbers) == [expected[t] for t in terms]
    assert len(expected) > 2_000

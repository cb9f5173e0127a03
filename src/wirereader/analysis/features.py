"""Text features shared by dedup and threads: words, terms, shingles and stable hashes.

Hashes must be stable across processes (they are stored in the cache), so nothing here uses
Python's randomised `hash()`; words are hashed once with CRC-32 and cached.
"""

from __future__ import annotations

import os
import re
import threading
import zlib
from array import array
from collections.abc import Callable
from itertools import chain, islice
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np
import regex

# Title prefixes that say what an entry is, not what it is about: "Watch: X" reposts "X".
_KIND_PREFIX = re.compile(
    r"^\s*(?:(?:watch|video|breaking|in pictures|pictured|pictures|mapped|map|icymi|reminder|"
    r"live|updated?|exclusive|explained|explainer|opinion|recap|revealed|photos?)\s*[:|\-–—]"
    r"|analysis\s*[|:])\s*",
    re.IGNORECASE,
)
# Words by Unicode rules: the `regex` module's \w holds combining marks (Unicode TR #18), which
# Python's `re` leaves out, cutting Hindi or Thai words at every vowel sign and virama
# ("हिन्दी समाचार" -> six pieces). On ASCII text the two agree exactly and `re` is faster (the
# `regex` term pattern measured 2-6x slower), so ASCII text takes `re`.
# On ASCII text the patterns are compiled with re.ASCII (the same classes there, tested against
# each pattern's Unicode matches, 1.3x faster), and a term is a letter and the run after it, the
# apostrophes and hyphens it ends with cut off with the term (`_term_of`, once per distinct
# word): the same terms as the Unicode pattern (tested) in half the time, as the pattern's
# "ends with a letter" backtracked at every word (the prepare worker's largest single cost).
_WORD_PATTERN = r"\w+(?:'\w+)*"
_TERM_PATTERN = r"[^\W\d_](?:[\w'’-]*\w)?|\d+(?:[.,]\d+)*"
_WORD_ASCII = re.compile(_WORD_PATTERN, re.ASCII)
# An ASCII text whose every apostrophe has a word character after it (most text) has for words
# its runs of word characters and apostrophes that start with a word character: the same
# words (tested), a fifth faster, as the pattern's "apostrophe, then more" group is not tried
# at every word's end.
_WORD_RUN = re.compile(r"\w[\w']*", re.ASCII)
_LOOSE_APOSTROPHE = re.compile(r"'(?!\w)", re.ASCII)
_TERM_ASCII = re.compile(r"[a-zA-Z][\w'-]*|\d+(?:[.,]\d+)*", re.ASCII)
_WORD = regex.compile(_WORD_PATTERN)
_TERM = regex.compile(_TERM_PATTERN)
# A lowered text's non-ASCII characters that are no word character by those Unicode rules
# (curly quotes, dashes, ellipses, no-break spaces, arrows, emoji) part its words and its terms
# exactly as a blank does, and its curly apostrophe is an apostrophe to both; so a text whose
# every non-ASCII character is one of those has the words and terms of the ASCII text with
# them made blanks (`_as_ascii`), which the ASCII patterns find. Most of a real English feed's
# non-ASCII text is so (on the 200 unseen feeds: 83% of the non-ASCII titles and bodies), and
# the `regex` patterns cost it 5-6 times the ASCII ones (words: 150 against 25 us a 4,700-
# character body).
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_CHARACTER = regex.compile(r"\w")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves said says
    say told tells tell one two new like get got us mr ms mrs may might must shall year years
    time day days week weeks people monday tuesday wednesday thursday friday saturday sunday
    today yesterday according also just still even many much well back first last could
    """.split()  # noqa: SIM905 - a word list reads better as text
)

MASK64 = (1 << 64) - 1
CACHED_WORDS = 500_000  # per cache: bounded, so a hostile feed cannot grow it forever

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A bounded cache of a pure function that works out what it lacks (`__missing__`), so a
    text's words are looked up by `map(memo.__getitem__, words)`, one C loop: the prepare
    worker's per-word Python loops (`cache.get(w)`, then a test of the answer) were among its
    largest costs."""

    def __init__(self, work: Callable[[K], V], limit: int = CACHED_WORDS) -> None:
        super().__init__()
        self.work = work
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self.work(key)
        if len(self) < self.limit:
            self[key] = value
        return value


def _crc(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def _term_of(raw: str) -> str:
    # (An ASCII word comes with the apostrophes and hyphens after it: see _TERM_ASCII.)
    return _term(raw.rstrip("'-"))


_word_hash_cache: Memo[str, int] = Memo(_crc)
_term_cache: Memo[str, str] = Memo(_term_of)


def _stand_in(character: str) -> str:
    """What a non-ASCII character of a lowered text is to its words and terms: "'" (the curly
    apostrophe), " " (no word character) or "" (a word character: none stands in for it)."""
    if character == "’":
        return "'"
    return "" if _WORD_CHARACTER.fullmatch(character) else " "


_stand_ins: Memo[str, str] = Memo(_stand_in)


def _as_ascii(text: str) -> str | None:
    """A lowered text as the ASCII text of the same words and terms, each of its non-ASCII
    characters made what stands in for it (one `replace` a distinct character; the same length,
    so the search goes on where it was); None if a word character is among them."""
    at = 0
    while (found := _NON_ASCII.search(text, at)) is not None:
        character = found.group()
        stand_in = _stand_ins[character]
        if not stand_in:
            return None
        text = text.replace(character, stand_in)
        at = found.start()
    return text


def strip_kind_prefix(title: str) -> str:
    """'Watch: Trump claims ...' -> 'Trump claims ...' (one prefix, as outlets write them)."""
    return _KIND_PREFIX.sub("", title, count=1)


def words(text: str) -> list[str]:
    """Lower-case words with apostrophes folded: the unit of normalised text and shingles."""
    return _lowered_words(text.lower().replace("’", "'"))


def _lowered_words(text: str) -> list[str]:
    """`words` of a text lowered and its curly apostrophes folded."""
    if not text.isascii():
        plain = _as_ascii(text)
        if plain is None:
            return _WORD.findall(text)
        text = plain
    return _ascii_words(text)


def _ascii_words(text: str) -> list[str]:
    if "'" not in text:
        return text.translate(_WORD_RUNS).split()
    if _LOOSE_APOSTROPHE.search(text):
        return _WORD_ASCII.findall(text)
    # `_WORD_RUN`'s words: each run of word characters and apostrophes, those it starts with
    # cut off (the split is 13% faster than the pattern, the same words: tested).
    spaced = text.translate(_WORD_RUNS)
    if spaced[:1] == "'" or " '" in spaced:
        return [w.lstrip("'") for w in spaced.split()]
    return spaced.split()


# Every ASCII character but a word character or an apostrophe made a blank: the text's runs of
# those are then its blank-separated parts.
_WORD_RUNS = str.maketrans(
    {c: " " for c in map(chr, range(128)) if c != "'" and not _WORD_RUN.fullmatch(c)}
)


def paragraph_words(text: str) -> list[list[str]]:
    """`words` of each paragraph (parts between blank lines), the text lowered once: a line
    break is neither cased nor ignored by casing, so the paragraphs lower as the whole does."""
    text = text.lower().replace("’", "'")
    if not text.isascii():
        plain = _as_ascii(text)
        if plain is None:  # (a paragraph may still be read as ASCII)
            return [_lowered_words(p) for p in text.split("\n\n")]
        text = plain
    if "'" not in text:
        # The commonest text, made blanks but for its line breaks in one pass, then split
        # where the text itself is: the same words as each paragraph's `_ascii_words` (the
        # translation keeps every character's place), without a call per paragraph.
        return [p.split() for p in text.translate(_WORD_RUNS_BY_LINE).split("\n\n")]
    return [_ascii_words(p) for p in text.split("\n\n")]


# `_WORD_RUNS` with a line break left as it is.
_WORD_RUNS_BY_LINE = {c: blank for c, blank in _WORD_RUNS.items() if c != ord("\n")}


def normalised(text: str) -> str:
    """Text reduced to its words: case, punctuation, quotes and spacing no longer matter."""
    return " ".join(words(text))


def stem(word: str) -> str:
    """A light plural fold (troops/troop, countries/country); enough for headline overlap."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str, limit: int = 0) -> list[str]:
    """Content terms for TF-IDF: lower-case, possessives dropped, stop words out, plurals folded."""
    text = text.lower()
    plain = text if text.isascii() else _as_ascii(text)
    raws = _TERM.findall(text) if plain is None else _TERM_ASCII.findall(plain)
    # (Stop words are "". Taken up to the limit: a body's first 6,400 characters hold ~1,000
    # words for its 400 terms, and the rest were looked up for nothing.)
    found = filter(None, map(_term_cache.__getitem__, raws))
    return list(islice(found, limit) if limit else found)


# Where a text's terms are not its words' terms: a hyphen inside a term ('covid-19' is one
# term, two words), a number with a decimal point or thousands (one term '3.5', two words).
_HYPHEN_JOIN = re.compile(r"-[\w']", re.ASCII)
# (Searched for as "0.0" in the text's bytes with every digit made "0", every "," a "." and
# everything else a blank: 2 us a 1,200-character text against 5 us by a pattern, which
# tries its first character at every position.)
_NUMBER_MARKS = bytes(
    ord("0") if chr(c).isdigit() and c < 128 else ord(".") if chr(c) in ".," else ord(" ")
    for c in range(256)
)
_SPLIT_WORD = "\x00"  # the term of a word that holds more than one ('1990s': '1990', 's')


def words_give_terms(text: str) -> bool:
    """Whether the terms of a text's words (as `paragraph_words` gives them) are its terms
    (`terms`), but for words of two terms ('1990s', see `terms_of_words`): an ASCII text (or
    one read as ASCII, `_as_ascii`: its non-ASCII characters no word's) with no hyphen between
    word characters, no decimal point or thousands separator between
    digits, and every apostrophe inside a word (then a term can only end at a character no
    word holds, so each term is one word's). The tests hold for the text as for its lower
    case: an ASCII text is not lowered for them (a non-ASCII one is: the Kelvin sign lowers
    to an ASCII "k")."""
    if not text.isascii():
        plain = _as_ascii(text.lower())
        if plain is None:
            return False
        text = plain
    return not (
        ("'" in text and _LOOSE_APOSTROPHE.search(text))
        or ("-" in text and _HYPHEN_JOIN.search(text))
        or b"0.0" in text.encode("ascii").translate(_NUMBER_MARKS)
    )


def terms_of_words(text: str, words: list[str], limit: int = 0) -> list[str] | None:
    """`terms(text, limit)` from the text's `words` (as `paragraph_words` gives them), or None
    where the two may differ (`words_give_terms`, and a word of two terms). The words were
    found anyway (for dedup), and the terms of the words, each worked out once (`Memo`), are
    the text's terms where no term joins two words. Finding them again with the term pattern
    was the prepare worker's largest single cost (21-32 us an entry). (The prepare worker
    takes the same terms by number: `WordTable`.)"""
    if not words_give_terms(text):
        return None
    out = list(filter(None, map(_word_term_cache.__getitem__, words)))  # stop words are ""
    if _SPLIT_WORD in out:
        return None
    return out[:limit] if limit and len(out) > limit else out


def _word_term(word: str) -> str:
    raws = _TERM_ASCII.findall(word)
    if len(raws) > 1:
        return _SPLIT_WORD
    return _term_cache[raws[0]] if raws else ""


_word_term_cache: Memo[str, str] = Memo(_word_term)

# A word's term number in a `WordTable` when it has no term (a stop word, a one-letter word,
# no letter or digit) or more than one ('1990s': `_SPLIT_WORD`).
NO_TERM, SPLIT_TERM = -1, -2


class WordTable:
    """The words a process has met, numbered, with each word's hash (`_crc`, as shingles take
    it) and the number of its term (`_word_term`, as `terms_of_words` takes it) in arrays by
    word number, and the terms numbered too: a chunk's words are then looked up once each
    (`numbered_words`, one C loop into an array), and their hashes and terms taken from the
    arrays (numpy) instead of looked up again word by word in a cache of each, then the terms'
    strings again in a chunk's vocabulary (`term_weights.packed_text_weights`): those per-word
    lookups were a third of the prepare worker's CPU on the feeds benchmark's corpus.

    Numbers last as long as their table; a full table (CACHED_WORDS words) is replaced by a
    new one at the next chunk (`word_table`), and a chunk keeps the table it was numbered
    in. A table's lock guards its growth: the main process may prepare on two threads."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.hashes = array("Q")  # by word number
        self.term_of = array("q")  # by word number: a term number, NO_TERM or SPLIT_TERM
        self.terms: list[str] = []  # by term number
        self.numbers: _Numbered = _Numbered(self._add_word)
        self.term_numbers: _Numbered = _Numbered(self._add_term)

    def _add_word(self, word: str) -> int:
        term = _word_term(word)
        self.hashes.append(_crc(word))
        self.term_of.append(
            NO_TERM if not term else SPLIT_TERM if term == _SPLIT_WORD else self.term_numbers[term]
        )
        return len(self.hashes) - 1

    def _add_term(self, term: str) -> int:
        self.terms.append(term)
        return len(self.terms) - 1


class _Numbered(dict[str, int]):
    """Strings to their numbers, a new string numbered (`add`) as it is met: looked up by
    `map(numbered.__getitem__, strings)`, one C loop."""

    def __init__(self, add: Callable[[str], int]) -> None:
        super().__init__()
        self.add = add

    def __missing__(self, key: str) -> int:
        number = self[key] = self.add(key)
        return number


_TABLE: WordTable | None = None
_TABLE_LOCK = threading.Lock()


def word_table() -> WordTable:
    """This process's word table (a new one once the last is full)."""
    global _TABLE
    with _TABLE_LOCK:
        if _TABLE is None or len(_TABLE.hashes) >= CACHED_WORDS or _TABLE.pid != os.getpid():
            _TABLE = WordTable()
        return _TABLE


class NumberedWords(NamedTuple):
    """Several texts' words, numbered in one `WordTable`."""

    lists: list[list[str]]  # each text's words
    counts: Any  # int64: words per text
    hashes: Any  # uint64: each word's hash, text after text
    terms: Any  # int64: each word's term number (NO_TERM, SPLIT_TERM) in `table`
    table: WordTable


def numbered_words(lists: list[list[str]], table: WordTable | None = None) -> NumberedWords:
    """The words of `lists` (one list a text) numbered in `table` (this process's), with
    their hashes and term numbers."""
    table = table or word_table()
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    n = int(counts.sum())
    if not n:
        return NumberedWords(lists, counts, _NO_HASHES, _NO_NUMBERS, table)
    with table.lock:
        numbers = np.fromiter(
            map(table.numbers.__getitem__, chain.from_iterable(lists)), dtype=np.int64, count=n
        )
        # (Views of the arrays while they cannot grow; the gathers are copies.)
        hashes = np.frombuffer(table.hashes, dtype=np.uint64)[numbers]
        terms = np.frombuffer(table.term_of, dtype=np.int64)[numbers]
    return NumberedWords(lists, counts, hashes, terms, table)


def term_numbers(table: WordTable, terms: list[str]) -> list[int]:
    """The numbers of `terms` in `table` (new terms numbered)."""
    with table.lock:
        return list(map(table.term_numbers.__getitem__, terms))


_NO_HASHES = np.zeros(0, dtype=np.uint64)
_NO_NUMBERS = np.zeros(0, dtype=np.int64)


def _term(raw: str) -> str:
    w = raw.replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) < 2 or w in STOPWORDS:
        return ""
    return stem(w)


MIX_ADD, MIX_1, MIX_2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
HASH_PRIME = 0x100000001B3  # of `hash_tuple`


def mix64(value: int) -> int:
    """A 64-bit finaliser (splitmix64): spreads CRC bits over the whole word."""
    z = (value + MIX_ADD) & MASK64
    z = ((z ^ (z >> 30)) * MIX_1) & MASK64
    z = ((z ^ (z >> 27)) * MIX_2) & MASK64
    return z ^ (z >> 31)


def text_key(tag: int, text: str) -> int:
    """A stable signed 63-bit key (fits SQLite INTEGER) for a normalised text and a key type."""
    return mix64(unmixed_key(tag, text)) >> 1


def unmixed_key(tag: int, text: str) -> int:
    """`text_key` before its mixing: `mix64_keys` of these is `text_key` of each."""
    data = text.encode("utf-8", "surrogatepass")
    return (tag << 56) ^ (zlib.crc32(data) << 24) ^ zlib.adler32(data) ^ (len(text) << 12)


def mix64_keys(values: Any) -> Any:
    """`mix64(v) >> 1` of each of `values` (uint64, each below 2**64) as int64: text keys made
    for a whole batch at once (the mixing in Python was 0.6 us a key, four keys a text)."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(MIX_ADD)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX_1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_2)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(1)).astype(np.int64)


# The factors `shingles` multiplies its three word hashes by (written out there for speed).
SHINGLE_FACTORS = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D)


def shingles(tokens: list[str]) -> set[int]:
    """Hashes of every run of three consecutive words (one hash for shorter texts)."""
    hs = list(map(_word_hash_cache.__getitem__, tokens))
    if len(hs) < 3:
        return {hash_tuple(hs) & MASK64} if hs else set()
    # Three 32-bit word hashes times different odd 32-bit constants: small integers (fast in
    # CPython), order-sensitive, and uniform enough for MinHash bins.
    return {
        x * 0x9E3779B1 + y * 0x85EBCA77 + z * 0xC2B2AE3D
        for x, y, z in zip(hs, hs[1:], hs[2:], strict=False)
    }


def hash_tuple(values: list[int]) -> int:
    h = 0
    for v in values:
        h = (h * HASH_PRIME + v) & MASK64
    return h


class PackedWeights:
    """The term weights of several texts (each a dict, term -> weight) as flat arrays over one
    vocabulary of theirs, the form they cross back from the worker process in: a chunk's
    vocabulary is a few thousand distinct terms against tens of thousands of (text, term)
    pairs, so the main process maps each distinct term once and works on the arrays
    (`threads.index`) instead of rebuilding, then walking, one dict per text.

    Pickled, the vocabulary crosses as numbers of the sending process's own running
    vocabulary (`_SentTerms`), with the strings of the terms it had not sent before: the
    receiving process keeps those strings by sender (`_ReceivedTerms`), and `vocabulary` then
    says which of them this pack's terms are, so `threads.index` maps a sender's term once per
    run (an array lookup), not each chunk's thousands of terms again by string. `terms` gives
    the strings all the same. A pack whose sender's earlier terms were not all received here
    (`resolvable` false) is left out by the caller, which then weighs those texts itself."""

    terms: list[str]
    # (the sender's token, the sender's number of each of `terms`, as int64 bytes)
    vocabulary: tuple[str, bytes] | None = None
    resolvable = True

    def __init__(self, weights: dict[int, dict[str, float]]) -> None:
        rows = weights.values()
        # Built by C loops (`map`, `chain`, `dict.fromkeys`), not term by term: a chunk holds
        # tens of thousands of (text, term) pairs.
        every_term = list(chain.from_iterable(rows))
        self.terms = list(dict.fromkeys(every_term))  # in first-seen order
        number = dict(zip(self.terms, range(len(self.terms)), strict=True))
        self.entries = array("q", weights)
        # Each text's terms, text after text, each in its dict's order.
        # (Arrays from lists, not iterators: built in one go, not grown item by item.)
        self.ids = array("q", list(map(number.__getitem__, every_term)))
        self.values = array("d", list(chain.from_iterable([row.values() for row in rows])))
        self.counts = array("q", map(len, rows))

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        if self.resolvable:  # (a pack received here goes on numbered by this process)
            terms = self.terms
            state.pop("terms", None)
            state.pop("vocabulary", None)
            token, base, fresh, numbers = _sent_terms().numbered(terms)
            state["_sent"] = (token, base, fresh, numbers.tobytes())
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        sent = state.pop("_sent", None)
        self.__dict__.update(state)
        if sent is not None:
            token, base, fresh, numbers = cast(tuple[str, int, list[str], bytes], sent)
            self.vocabulary = (token, numbers)
            self.resolvable = _RECEIVED.take(token, base, fresh)

    def __getattr__(self, name: str) -> object:
        # `terms` of a pack that came with numbers only: the strings, from what was received.
        if name == "terms" and self.__dict__.get("vocabulary") is not None:
            token, numbers = self.__dict__["vocabulary"]
            self.terms = _RECEIVED.strings(token, array("q", numbers))
            return self.terms
        raise AttributeError(name)

    @classmethod
    def of(
        cls,
        terms: list[str],
        entries: array[int],
        ids: array[int],
        values: array[float],
        counts: array[int],
    ) -> PackedWeights:
        """A pack made from its parts, as `threads.term_weights.packed_text_weights` counts
        them for a whole chunk."""
        pack = cls.__new__(cls)
        pack.terms, pack.entries, pack.ids, pack.values, pack.counts = (
            terms,
            entries,
            ids,
            values,
            counts,
        )
        return pack

    def rows(self) -> dict[int, TermRow]:
        """Each text's row, by the id it came with."""
        return {entry: TermRow(self, k) for k, entry in enumerate(self.entries)}

    def starts(self) -> list[int]:
        """Where each text's terms start in `ids` (and one past the last)."""
        out = [0]
        for n in self.counts:
            out.append(out[-1] + n)
        return out


class TermRow(NamedTuple):
    """One text's weights in a `PackedWeights`."""

    pack: PackedWeights
    at: int  # the text's place in the pack

    def as_dict(self) -> dict[str, float]:
        """The dict the row was packed from, in its order."""
        start = sum(self.pack.counts[: self.at])
        end = start + self.pack.counts[self.at]
        terms = self.pack.terms
        return {
            terms[i]: w
            for i, w in zip(self.pack.ids[start:end], self.pack.values[start:end], strict=True)
        }


# A sender starts a new vocabulary (a new token) past this many terms, so that neither its own
# numbering nor what a receiver keeps of it grows with a long run (~175k terms at 1M news-like
# entries); a receiver keeps the strings of its last RECEIVED_SENDERS senders. That must exceed
# the senders one refresh has at once (up to 4 parse workers, the prepare worker, and each one's
# next token once it passes SENT_TERMS_MAX): a sender dropped while it still sends has every
# later pack weighed again by the receiver. Only senders that exist cost memory.
SENT_TERMS_MAX = 65_536
RECEIVED_SENDERS = 12


class _SentTerms:
    """The terms this process has sent in packs, numbered in the order it first sent them."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.token = f"{self.pid}:{os.urandom(8).hex()}"
        self.number: dict[str, int] = {}

    def numbered(self, terms: list[str]) -> tuple[str, int, list[str], array[int]]:
        """(token, the number of the first term new here, the new terms, each term's number)."""
        number = self.number
        base = len(number)
        found = list(map(number.get, terms))
        fresh: list[str] = []
        if None in found:
            for k, n in enumerate(found):
                if n is None:
                    term = terms[k]
                    n = number.get(term)
                    if n is None:
                        n = number[term] = base + len(fresh)
                        fresh.append(term)
                    found[k] = n
        return self.token, base, fresh, array("q", found)  # type: ignore[arg-type]


_SENT: _SentTerms | None = None
_SENT_LOCK = threading.Lock()


def _sent_terms() -> _SentTerms:
    global _SENT
    with _SENT_LOCK:
        # (A forked child starts its own: two processes must never share a token.)
        if _SENT is None or len(_SENT.number) > SENT_TERMS_MAX or _SENT.pid != os.getpid():
            _SENT = _SentTerms()
        return _SENT


class _ReceivedTerms:
    """What each sender's numbers stand for, as far as its packs were received here (in the
    order it sent them: a pipe delivers them in order)."""

    def __init__(self) -> None:
        self.by_sender: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def take(self, token: str, base: int, fresh: list[str]) -> bool:
        """Take in a pack's new terms; whether every number it uses is known here."""
        with self.lock:
            known = self.by_sender.get(token)
            if known is None:
                if base:
                    return False
                while len(self.by_sender) >= RECEIVED_SENDERS:
                    del self.by_sender[next(iter(self.by_sender))]
                known = self.by_sender[token] = []
            if len(known) == base:
                known.extend(fresh)
            return len(known) >= base + len(fresh)

    def known(self, token: str) -> list[str] | None:
        """The sender's terms received so far, by number (None: none kept)."""
        return self.by_sender.get(token)

    def strings(self, token: str, numbers: array[int]) -> list[str]:
        known = self.by_sender.get(token, [])
        return [known[n] for n in numbers]

    def forget(self) -> None:
        with self.lock:
            self.by_sender.clear()


_RECEIVED = _ReceivedTerms()


def received_terms(token: str) -> list[str] | None:
    """The terms received from the sender of this token, by its numbers (see PackedWeights)."""
    return _RECEIVED.known(token)


def forget_received_terms() -> None:
    """Drop what was received of every sender's terms (its later packs are then left out and
    their texts weighed by the receiver)."""
    _RECEIVED.forget()

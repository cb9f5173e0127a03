"""Capitalised runs of text and the tokens of a name: what entity extraction reads.

The run pattern (`_RUN`), the tokens a run's text splits into (cached: runs repeat), the run
and span records the extractor passes along, and small tests on the text around a run: does it
start a sentence, is its line a Title Case headline, does it close a quoted title, is a word
written whole elsewhere in the entry. Pure functions over strings.

Names keep their leading underscore: they are this package's internals, shared by
`cues`, `teams`, `names` and `extract`, not an interface.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from wirereader.analysis.entities.gazetteer import (
    Known,
    fold_key,
)

# Capitals of the Latin, Greek, Cyrillic, Armenian and Georgian scripts. The ranges past Latin-1
# also hold lower-case letters (they alternate), so a run must also pass `str.isupper`; one
# exact class of every capital in Unicode would make the regex seven times slower.
_UP = "A-ZÀ-ÖØ-ÞĀ-ʯͰ-ϿЀ-ԯԱ-ՖႠ-ჅḀ-ỿ"


_ABBREVIATIONS = (
    "Mr Mrs Ms Dr St Jr Sr Gen Lt Col Sgt Rep Sen Gov Prof Rev Capt Maj Adm Cmdr Det Mt Ft"
)


# each a look-behind over the word and its dot, read once the dot is taken (`_CAP`)
_ABBREVIATED = "|".join(f"(?<={a}\\.)" for a in _ABBREVIATIONS.split())


# Every token starts with a capital, so the regex engine can skip ahead on that one class: a
# pattern that began with a look-behind or an alternation would be several times slower.
_CAP = (
    rf"[{_UP}](?:"
    rf"\.(?:[A-Z]\.)+"  # U.S., U.N.
    rf"|\.(?=[ \t]+[{_UP}])"  # an initial: Donald J. Trump
    rf"|\w*+(?:['’\-]\w+)*+"  # Zelensky, Jong-un, O'Brien, Russia's
    # Workers' Party, Mr. LaRue: the cheap test of the next character comes before look-behinds.
    # An alternation that ends with an empty one, not an optional group, and its alternatives
    # opening with a character: the engine skips one on its first character without entering
    # it (with `(?:...)?` and a look-ahead first it cost a fifth of the pattern's instructions)
    rf"(?:['’](?<=s['’])(?=[ \t])|\.(?:{_ABBREVIATED})(?=[ \t])|)"
    r")"
)


# of for de da do dos das del della dei degli delle di du van von der den la le al el bin ibn y,
# written as a tree of their letters: an alternation of words tests each word's first letter in
# turn, and the pattern tries it after every word of a run (the words are the same: a blank must
# follow, so at most one of them can match anywhere and their order does not matter)
_CONNECTOR = (
    r"(?:of|for|d(?:e(?:[lnr]|i|gli|lle)?|ella|[aiu]|os?|as?)|v[ao]n|l[ae]|[ae]l|bin|ibn|y)"
)


# The Arabic article written joined to the next word ('Ahmed al-Sharaa', 'al-Qaeda') belongs
# to the name: the scan joins it (`scan._Scanner._scan`), not the run pattern, which would
# test for it after every run (1.8% more of the pattern's instructions on ECB+, by callgrind).
_ARTICLES = ("al", "el")


# The quantifiers are possessive (`*+`, `++`): all that follows each of them may match
# nothing, so the engine never gives back what one took and the runs are the same, but a
# possessive repeat keeps no state to give it back with (12% fewer of the pattern's
# instructions on ECB+, by callgrind).
_RUN = re.compile(
    rf"{_CAP}(?:[ \t]++(?:{_CONNECTOR}[ \t]++(?:(?:the|der|la|le|de|los|las)[ \t]++)?)?{_CAP})*+"
)
# The same pattern for ASCII text (`str.isascii`, a flag: no scan), where the only capitals
# are A-Z and every word character is ASCII: the same runs, found with a one-range class and
# ASCII word tests (sre's search tests the first class at every character of the text: 8% fewer
# of the pattern's instructions on the real feeds and both bench corpora, by callgrind).
_RUN_ASCII = re.compile(_RUN.pattern.replace(f"[{_UP}]", "[A-Z]"), re.ASCII)


# A capital inside a word, a handle or a path ('iPhone', '@Name', '#Tag', '/Path') starts no name.
_GLUED = frozenset("@#/_")


# A run starts a sentence when only quotes, brackets or dashes stand between it and one of these.
_SENTENCE_END = frozenset(".!?:;\n|")


_OPENING_QUOTES = frozenset("\"'“‘«")


# '#': a Markdown heading's marks (ingest writes HTML headings so): a heading opens a sentence
_LEAD_PUNCT = " \t\"'“”‘’([«—–-*•#"


_TITLE_CASE_SHARE = 0.7


class _Token(NamedTuple):
    surface: str  # without a possessive ending
    key: str  # fold_key(surface)
    lower: str  # surface lower-cased, dots dropped
    possessive: bool
    written: str  # as written, possessive kept: inside a name it belongs to it ("People's")


_new = tuple.__new__


def _name_text(tokens: Sequence[_Token]) -> str:
    """A name as written: "Democratic People's Republic of Korea", not "People Republic"."""
    if len(tokens) == 1:
        return tokens[0].surface
    words = [t.written for t in tokens]  # a list comprehension: no generator to unpack
    words[-1] = tokens[-1].surface
    return " ".join(words)


# English plurals that end in no 's': their possessive is "People's", not "Peoples'"
_PLURALS_WITHOUT_S = frozenset(("people", "men", "women", "children"))


_CONTRACTION = re.compile(r"(?:['’](?:ll|ve|re|m|d)|n['’]t)$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _tokens(group: str) -> tuple[_Token, ...]:
    """The tokens of a run's text; runs repeat ('Vladimir Putin'), so this is cached."""
    raws = group.split()
    last = len(raws) - 1
    return tuple([_token(raw, k == last) for k, raw in enumerate(raws)])  # a list: no generator


def _token(raw: str, last: bool = True) -> _Token:
    possessive = False
    surface = written = raw
    # Contractions and possessives all have an apostrophe: a word without one (most words)
    # needs neither the regex nor the endings' tests.
    if "'" in raw or "’" in raw:
        surface = _CONTRACTION.sub("", raw) or raw  # "We’ll", "I’ve": the word before counts
        written = surface
        if not last and (
            surface.endswith(("s'", "s’")) or surface[:-2].lower() in _PLURALS_WITHOUT_S
        ):
            # "Workers' Party", "Swiss People's Party", "Children's Hospital": a plural
            # possessive inside a name is part of the name
            surface = surface[:-1] if surface[-1] != "s" else surface[:-2]
            lower = surface.lower().replace(".", "")
            return _new(_Token, (surface, fold_key(surface), lower, False, written))
        for ending in ("'s", "’s", "'", "’"):
            if surface.endswith(ending) and len(surface) > len(ending):
                surface = surface[: -len(ending)]
                possessive = True
                break
    # tuple.__new__ skips the named tuple's Python-level __new__ (every new run's words)
    lower = surface.lower().replace(".", "")
    return _new(_Token, (surface, fold_key(surface), lower, possessive, written))


class _Run(NamedTuple):
    start: int
    end: int
    tokens: tuple[_Token, ...]
    initial: bool  # starts a sentence
    title_case: bool  # in a Title Case headline, where capitals say nothing
    part: int  # 0: the title, 1: the body

    @property
    def where(self) -> tuple[int, int, int]:
        return self.start, self.end, self.part


class _Span(NamedTuple):
    tokens: tuple[_Token, ...]
    kind: str  # '' when only evidence from the rest of the entry can decide
    canonical: str
    short: bool
    known: bool  # from a gazetteer
    strong: bool  # the kind rests on evidence (a gazetteer, a title, a given name), not a guess
    where: tuple[int, int, int]  # the run it came from: start, end, 0 title / 1 body
    surface: str = ""  # the tokens' text, when already known


def _is_sentence_start(text: str, start: int) -> bool:
    if start > 1 and text[start - 1] == " " and text[start - 2].isalnum():
        return False  # the commonest case, a word and a blank before it: the loop's answer
    i = start - 1
    while i >= 0 and text[i] in _LEAD_PUNCT:
        # A quotation opens a sentence of its own: 'through ‘Banking’', 'program "Meet the Press"'
        if text[i] in _OPENING_QUOTES and (i == 0 or text[i - 1] in " \t\n"):
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


@lru_cache(maxsize=1024)  # the title's answer asked again by `extract`
def _is_title_case(line: str) -> bool:
    """A headline In Which Every Word Is Capitalised (at least three words of four letters)."""
    upper = lower = 0
    for w in line.split():
        if len(w) > 3 and w[0].isalpha():
            if w[0].isupper():
                upper += 1
            else:
                lower += 1
    total = upper + lower
    return total >= 3 and upper >= _TITLE_CASE_SHARE * total


@lru_cache(maxsize=65536)
def _plain(text: str) -> str:
    """Lower case without diacritics, hyphens or dots: 'Düsseldorf' and 'Dusseldorf' agree."""
    text = text.lower().replace("-", " ").replace(".", "")
    if text.isascii():
        return " ".join(text.split())  # NFKD changes no ASCII letter: the same, unnormalised
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


_DOUBLED = re.compile(r"([a-z])\1")


def _spelled(known: Known, tokens: Sequence[_Token]) -> bool:
    """A town's name with doubled letters matches only as spelled: the folded key alone
    would read 'Moon' as 'Mon' (folding merges double letters, for transliterations)."""
    return _spelled_as(" ".join(t.surface for t in tokens), known.canonical)


_NOT_LETTER = re.compile(r"[^\w ]+")


@lru_cache(maxsize=65536)
def _spelled_as(written: str, canonical: str) -> bool:
    """Doubled letters on either side must be written as the data writes them: 'Moon' is not
    'Mon', and 'Man' is not 'Ma‘ān' (its key folds 'aa' to 'a')."""
    plain = _plain(written)
    canon = _NOT_LETTER.sub("", _plain(canonical))
    if not (_DOUBLED.search(plain) or _DOUBLED.search(canon)):
        return True
    return _NOT_LETTER.sub("", plain) == canon


# The characters that join a word to the next, besides letters and digits (a hyphen or an
# apostrophe: 'co' is not in 'co-op')
_JOINING = "_'’-"


def _has_word(texts: Iterable[str], word: str) -> bool:
    """Whether `word` stands in one of `texts` as a whole word (a hyphen or an apostrophe
    joins words: 'co' is not in 'co-op'). Searched in place: rewriting the entry's words first
    (one regex substitution) cost 59 µs an ECB+ article, a fifth of its extraction."""
    n = len(word)
    for text in texts:
        i = text.find(word)
        while i >= 0:
            j = i + n
            # a word character on either side (a letter, a digit or a joining mark), tested in
            # place: a call per match cost more than its test
            if (i == 0 or not ((c := text[i - 1]).isalnum() or c in _JOINING)) and (
                j == len(text) or not ((c := text[j]).isalnum() or c in _JOINING)
            ):
                return True
            i = text.find(word, i + 1)
    return False


def _written_lower(texts: Sequence[str], low: str) -> bool:
    """Whether an entry writes a word in lower case, also in the singular or the plural
    ('Horse' and 'horses', 'Juror No. 12' and 'the jurors'): evidence that a capitalised lone
    word with no other cue is a common noun capitalised for emphasis or in a headline line,
    not a name. Every form holds `part`, so one substring search per text answers most words."""
    if low.endswith("es"):
        part = low[:-2]
        forms: tuple[str, ...] = (low, low[:-1], part)
    elif low.endswith("s"):
        part = low[:-1]
        forms = (low, part)
    else:
        part = low
        forms = (low, low + "s", low + "es")
    if part not in texts[1] and part not in texts[0]:
        return False
    return any(_has_word(texts, f) for f in forms)


_CLOSING_QUOTES = frozenset("\"'”’»")


_QUOTE_OPENS = frozenset(" \t\n([—–-")


_MAX_TITLE_WORDS = 8


def _item_start(item: _Span | _Run) -> int:
    return item.where[0] if isinstance(item, _Span) else item.start


def _quoted_title_start(text: str, start: int, end: int) -> int:
    """Whether the run at start:end closes a short quotation that opened with a capital: a
    work's title ('won an Oscar for "Tender Mercies"', 'the "Home Alone" movies', '"A Hymn to
    Life"'), not a name; where the quotation opens, or -1. Only runs no gazetteer knows come
    here: '"Putin"' stays Putin."""
    i = start - 1
    limit = start - 80 if start > 80 else 0  # not max(): a builtin's call costs 4x as much
    while i >= limit:
        c = text[i]
        if c in ".!?\n":
            return -1  # quoted speech: a sentence ends inside it
        if c in _OPENING_QUOTES and (i == 0 or text[i - 1] in _QUOTE_OPENS):
            quoted = text[i + 1 : end]
            title = quoted[:1].isupper() and len(quoted.split()) <= _MAX_TITLE_WORDS
            return i if title else -1
        i -= 1
    return -1


def _single_quoted_title_start(text: str, start: int, end: int) -> int:
    """Where a single quotation opens whose closing mark the run at start:end took in as a
    plural's possessive ('‘Mortal Engines’ (2018)', "'Chariots of the Gods' is"), or -1: a
    work's title as `_quoted_title_start` reads one, opened by the mark that pairs with the
    closing one ('‘' with '’', "'" with "'"), so "“Democrats’ plan”" stays a name."""
    opened = _quoted_title_start(text, start, end - 1)
    if opened >= 0 and text[opened] == ("‘" if text[end - 1] == "’" else "'"):
        return opened
    return -1


def _where(span: _Span, text: str) -> tuple[int, int]:
    """Offsets of a span in its text (only the benchmark asks, so it is not kept on the way)."""
    run_start, run_end, _part = span.where
    first, last = span.tokens[0].surface, span.tokens[-1].surface
    start = text.find(first, run_start, run_end)
    end = text.find(last, start, run_end) + len(last)
    return start, end

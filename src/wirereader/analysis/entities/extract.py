"""People, places and organisations named in an entry, fast enough to run on every import.

No model: capitalised runs are cut into names with small gazetteers (analysis/data/*.txt), titles
and honorifics ("President", "Mr"), lower-case role words ("spokesman Dmitry Peskov"), name
suffixes ("... Ministry", "... region") and evidence from the rest of the entry (a word that
starts a sentence counts only if the entry also capitalises it mid-sentence). Within one entry
a surname joins the full name written elsewhere in it ("Putin" -> "Vladimir Putin"); across
entries `resolver.EntityResolver` merges spellings globally and short forms ("Mr Kim")
only within a scope (a thread or a source), since other people share them.

Pure functions over strings: no I/O, no SQLite, no Textual.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from wirereader.analysis.entities.gazetteer import (
    EVENT,
    TITLE,
    Gazetteer,
    Known,
    fold_key,
    gazetteer,
)

PERSON, PLACE, ORG = "person", "place", "org"


class Mention(NamedTuple):
    """One mention of an entity in an entry.

    `short` marks a surname-only or honorific-only form ("Mr Kim", "Kim"), or a lone unknown
    word, that no full name in the entry explained: it may only be merged with a person's full
    name within a thread or source, never globally.
    """

    surface: str
    canonical: str
    kind: str
    short: bool = False


# Capitals of the Latin, Greek, Cyrillic, Armenian and Georgian scripts. The ranges past Latin-1
# also hold lower-case letters (they alternate), so a run must also pass `str.isupper`; one
# exact class of every capital in Unicode would make the regex seven times slower.
_UP = "A-ZÀ-ÖØ-ÞĀ-ʯͰ-ϿЀ-ԯԱ-ՖႠ-ჅḀ-ỿ"
_ABBREVIATIONS = (
    "Mr Mrs Ms Dr St Jr Sr Gen Lt Col Sgt Rep Sen Gov Prof Rev Capt Maj Adm Cmdr Det Mt Ft"
)
_ABBREVIATED = "|".join(f"(?<={a})" for a in _ABBREVIATIONS.split())
# Every token starts with a capital, so the regex engine can skip ahead on that one class: a
# pattern that began with a look-behind or an alternation would be several times slower.
_CAP = (
    rf"[{_UP}](?:"
    rf"\.(?:[A-Z]\.)+"  # U.S., U.N.
    rf"|\.(?=[ \t]+[{_UP}])"  # an initial: Donald J. Trump
    rf"|\w*(?:['’\-]\w+)*"  # Zelensky, Jong-un, O'Brien, Russia's
    # Workers' Party, Mr. LaRue: the cheap test of the next character comes before look-behinds
    rf"(?:['’](?<=s['’])(?=[ \t])|(?=\.)(?:{_ABBREVIATED})\.(?=[ \t]))?"
    r")"
)
_CONNECTOR = r"(?:of|for|de|da|do|dos|das|del|della|di|du|van|von|der|den|la|le|al|el|bin|ibn|y)"
_RUN = re.compile(
    rf"{_CAP}(?:[ \t]+(?:{_CONNECTOR}[ \t]+(?:(?:the|der|la|le|de|los|las)[ \t]+)?)?{_CAP})*"
)
# A capital inside a word, a handle or a path ('iPhone', '@Name', '#Tag', '/Path') starts no name.
_GLUED = frozenset("@#/_")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONNECTORS = _words(
    "of for de da do dos das del della di du van von der den la le al el bin ibn y the los las"
)
# A run starts a sentence when only quotes, brackets or dashes stand between it and one of these.
_SENTENCE_END = frozenset(".!?:;\n|")
_OPENING_QUOTES = frozenset("\"'“‘«")
_LEAD_PUNCT = " \t\"'“”‘’([«—–-*•"
_SPEECH_AFTER = re.compile(
    r"[ \t]*(?:,[^,\n]{1,60},[ \t]*)?"
    r"(?:said|says|told|added|wrote|tweeted|posted|stated|insisted)\b"
)
_PLACE_AFTER = re.compile(
    r"[ \t]+(?:region|district|oblast|province|county|area|border|frontline|coast|valley)\b"
)
_COMMA_NAME = re.compile(r",[ \t]+([A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)?)")
# "Tymofiy Mylovanov, president of ...", "X, a former minister"
_APPOSITIVE = re.compile(r",[ \t]+(?:(?:a|an|the|who|former|then|now|deputy|acting)[ \t]+)*(\w+)")
_PLACE_OF = _words(
    """village town city region district province county oblast settlement island port capital
    outskirts suburb streets centre center"""
)
_PLACE_PREPOSITIONS = _words("in near outside across around towards toward inside into")
_ORG_LAST = _words(
    """ministry ministries department council committee commission agency office party parliament
    assembly court army navy forces force guard police service services bank corp corporation inc
    ltd llc plc company co group union association federation organisation organization institute
    university college school church foundation fund authority administration
    bureau board cabinet government senate congress duma rada brigade regiment battalion division
    fleet command coalition alliance movement front network news times post journal herald tribune
    telegraph gazette press agency airlines airways railways motors industries holdings partners
    capital ventures labs technologies systems club fc team league staff foods patrol academy
    construction engineering logistics solutions consulting insurance securities investments
    survey observatory laboratory bros brothers international
    records pictures studios entertainment media telecom recovery energy pharmaceuticals house
    library museum theatre theater bar pub cafe café restaurant bakery brewery shop store
    supermarket"""
)
_ORG_FIRST = _words(
    """ministry department bank university council court office school institute college agency
    committee commission church museum centre center party union federation association league
    academy board bureau"""
)
_PLACE_LAST = _words(
    """region oblast province county district city town village island islands river sea ocean
    lake valley mountains mountain mount peninsula bay gulf coast street square avenue road
    airport port state republic territory strait canal desert plain heights hill hills gardens
    glacier park beach springs falls bridge place point harbour harbor lane boulevard plaza
    palace tower stadium arena prison jail hotel station hospital clinic base camp center centre
    castle cathedral abbey mosque temple synagogue monument memorial cemetery mall zoo strip wall"""
)
_PLACE_FIRST = _words("santa san saint st mount mt lake port fort cape camp isla los las stade")
_PERSON_LAST = _words("jr sr ii iii iv")
_CORPORATE = _words("bros brothers corp corporation inc ltd llc plc group holdings airlines")
# Words that name no one alone, though they may stand inside a name ("Women's Rights Institute")
_NOT_ALONE = _words("men women")
_THING_FIRST = _words("battle siege operation")
# Compass words, ordinary words at a sentence's start, that begin names of regions and teams.
_REGION_WORDS = _words("new north south east west northern southern eastern western")
# Names of things that are not people, places or organisations: laws, indexes, prizes, games.
_THING_LAST = _words(
    """act acts bill treaty accord accords agreement index programme program games award awards
    prize cup championship championships festival summit conference report plan strategy
    doctrine initiative fund war wars olympics olympic paralympics paralympic carnival parade
    diplomacy massacre tour"""
)
_EAST_ASIAN_SURNAMES = _words(
    "kim lee park choi jung kang cho yoon jang lim han moon xi li wang zhang liu chen yang"
)
_ROMAN = frozenset("IVXLC")
# Endings of town names in the region the seeds cover and beyond (Pokrovsk, Kamianka, Volgograd).
_PLACE_ENDINGS = ("sk", "ivka", "ovka", "ivske", "grad", "gorod", "burg", "opol", "stan", "shire")
_BYLINE_SPLIT = re.compile(r",|;|&|\band\b|\bby\b|\bBy\b")  # "By Ann Lee and Bo Chan"
# Endings of surnames in many languages (Peterson, Gonzalez, Kowalski, Ivanov, Shevchenko ...).
_SURNAME_ENDINGS = tuple(
    _words(
        """son sen ez ski sky ska ov ev ova eva enko chuk yan escu ini elli etti opoulos wicz
        stein ovich evich shvili dze oglu ić"""
    )
)
_TITLE_CASE_SHARE = 0.7
_MAX_NAME_WORDS = 6


class _Token(NamedTuple):
    surface: str  # without a possessive ending
    key: str  # fold_key(surface)
    lower: str  # surface lower-cased, dots dropped
    possessive: bool
    written: str  # as written, possessive kept: inside a name it belongs to it ("People's")


def _name_text(tokens: Sequence[_Token]) -> str:
    """A name as written: "Democratic People's Republic of Korea", not "People Republic"."""
    if len(tokens) == 1:
        return tokens[0].surface
    return " ".join([*(t.written for t in tokens[:-1]), tokens[-1].surface])


_CONTRACTION = re.compile(r"(?:['’](?:ll|ve|re|m|d)|n['’]t)$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _tokens(group: str) -> tuple[_Token, ...]:
    """The tokens of a run's text; runs repeat ('Vladimir Putin'), so this is cached."""
    raws = group.split()
    last = len(raws) - 1
    return tuple(_token(raw, k == last) for k, raw in enumerate(raws))


def _token(raw: str, last: bool = True) -> _Token:
    possessive = False
    surface = _CONTRACTION.sub("", raw) or raw  # "We’ll", "I’ve": the word before counts
    written = surface
    if not last and surface.endswith(("s'", "s’")):
        # "Workers' Party": a plural possessive inside a name is part of the name
        written = surface
        surface = surface[:-1]
        return _Token(surface, fold_key(surface), surface.lower().replace(".", ""), False, written)
    for ending in ("'s", "’s", "'", "’"):
        if surface.endswith(ending) and len(surface) > len(ending):
            surface = surface[: -len(ending)]
            possessive = True
            break
    return _Token(surface, fold_key(surface), surface.lower().replace(".", ""), possessive, written)


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


class _Pending:
    """The name being collected from a run, with what the words before it said about it."""

    __slots__ = (
        "after_known",
        "at_run_start",
        "honorific",
        "person",
        "place_before",
        "region",
        "royal",
        "run",
        "text",
        "tokens",
    )

    def __init__(
        self,
        text: str,
        run: _Run,
        *,
        at_run_start: int = -1,
        person: bool = False,
        honorific: bool = False,
        royal: _Token | None = None,
        place_before: int = -1,
        after_known: bool = False,
    ) -> None:
        self.text = text
        self.run = run
        self.tokens: list[_Token] = []
        self.at_run_start = at_run_start  # >= 0 while the name starts its run
        self.person = person
        self.honorific = honorific
        self.royal = royal
        self.place_before = place_before  # index in `out` of a place just before ("Kyiv ...")
        self.after_known = after_known  # right after a gazetteer name in the same run
        self.region = False  # holds only compass words so far ("New", "Western")


def _is_sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _LEAD_PUNCT:
        # A quotation opens a sentence of its own: 'through ‘Banking’', 'program "Meet the Press"'
        if text[i] in _OPENING_QUOTES and (i == 0 or text[i - 1] in " \t\n"):
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


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


_ARTICLE_BEFORE = re.compile(r"(?:^|[ \t])(?:a|an)[ \t]+$")
_PHRASE_END = re.compile(
    r"$|[.,;:!?)\"”’']|[ \t]+(?:for|in|at|on|and|or|with|from|to|of|as|by|that|which|after)\b"
)
_MODEL_NUMBER = re.compile(r"[ \t]+\d{1,3}(?![\d.,:%]| ?[-–])")


# Runs whose fate needs no context (a gazetteer name, a stop word), by their text.
# A span's tokens, kind, canonical, surface, and whether a gazetteer vouches for it (a town's
# name does not: a full name in the entry may still claim it).
_Decided = tuple[tuple[_Token, ...], str, str, str, bool]
_FAST: dict[str, _Decided | bool] = {}
_FAST_LIMIT = 200_000
_LONGEST_CACHED = 120  # longer runs are never names of their own (see _MAX_NAME_WORDS)
# How a mid-sentence run of several words was cut when nothing around it mattered.
_CUTS: dict[str, list[tuple[Any, ...]]] = {}  # by the run's text


def clear_caches() -> None:
    """Forget the per-text caches (benchmarks measure a cold start with this)."""
    _FAST.clear()
    _CUTS.clear()
    _tokens.cache_clear()
    _spelled_as.cache_clear()
    _plain.cache_clear()
    fold_key.cache_clear()


def _fast(group: str, g: Gazetteer) -> _Decided | bool:
    """A whole run that is one gazetteer name: its span's fields; True: never a name ('The',
    'He', 'Cold War'); False: look closer."""
    verdict = _FAST.get(group)
    if verdict is None:
        verdict = False
        tokens = _tokens(group)
        if len(tokens) == 1:
            tok = tokens[0]
            known = g.by_acronym.get(tok.surface.replace(".", "")) or g.by_key.get(tok.key)
            if known is None and (
                _is_ordinary(g, tok.lower) or _never_alone(g, tok) or _adjective(tok.surface)
            ):
                verdict = True
            elif known is not None and known.weak:
                known = None  # one word naming a town: the words around it decide
        else:
            known = g.by_key.get(" ".join(t.key for t in tokens))
            if known is not None and known.weak and not _spelled(known, tokens):
                known = None
        if known is not None:
            surface = _name_text(tokens)
            verdict = (
                True
                if known.kind in (EVENT, TITLE)
                else (tokens, known.kind, known.canonical, surface, not known.weak)
            )
        if len(_FAST) >= _FAST_LIMIT:
            _FAST.clear()  # bounded: hostile input cannot grow it forever
        _FAST[group] = verdict
    return verdict


_ADJECTIVE_TAILS = ("ed", "ing", "based", "born", "run", "made", "era", "style", "like", "wide")


@lru_cache(maxsize=65536)
def _plain(text: str) -> str:
    """Lower case without diacritics, hyphens or dots: 'Düsseldorf' and 'Dusseldorf' agree."""
    text = unicodedata.normalize("NFKD", text.lower().replace("-", " ").replace(".", ""))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


_DOUBLED = re.compile(r"([a-z])\1")


def _spelled(known: Known, tokens: Sequence[_Token]) -> bool:
    """A town's name with doubled letters matches only as spelled: the folded key alone
    would read 'Moon' as 'Mon' (folding merges double letters, for transliterations)."""
    return _spelled_as(" ".join(t.surface for t in tokens), known.canonical)


@lru_cache(maxsize=65536)
def _spelled_as(written: str, canonical: str) -> bool:
    plain = _plain(written)
    return not _DOUBLED.search(plain) or plain == _plain(canonical)


def _adjective(surface: str) -> bool:
    """'AI-generated', 'Dusseldorf-based', 'Soviet-era': a compound adjective, not a name."""
    head, dash, tail = surface.rpartition("-")
    return bool(dash and head and tail.islower() and tail.endswith(_ADJECTIVE_TAILS))


def _never_alone(g: Gazetteer, tok: _Token) -> bool:
    """A word that makes no name by itself: 'the Pope', 'the Region', 'De', 'II', 'X'."""
    low, surface = tok.lower, tok.surface
    return (
        low in g.titles
        or low in g.royal
        or low in _PLACE_LAST
        or low in _CONNECTORS
        or len(surface) < 2
        or (surface.isupper() and set(surface) <= _ROMAN)
    )


def _is_ordinary(g: Gazetteer, low: str) -> bool:
    """A stop word or demonym, also in the plural ('Ukrainians')."""
    if low in g.stopwords or low in g.demonyms:
        return True
    return low.endswith("s") and low[:-1] in g.demonyms


def _org_ahead(tokens: Sequence[_Token], i: int) -> bool:
    """Whether the name starting at `i` ends as an organisation's does ('... Committee')."""
    for tok in tokens[i + 1 :]:
        if tok.lower in _ORG_LAST:
            return True
        if tok.possessive:
            return False
    return False


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_'’-"


def _has_word(texts: Iterable[str], word: str) -> bool:
    """Whether `word` stands in one of `texts` as a whole word (a hyphen or an apostrophe
    joins words: 'co' is not in 'co-op'). Searched in place: rewriting the entry's words first
    (one regex substitution) cost 59 µs an ECB+ article, a fifth of its extraction."""
    n = len(word)
    for text in texts:
        i = text.find(word)
        while i >= 0:
            j = i + n
            if (i == 0 or not _word_char(text[i - 1])) and (
                j == len(text) or not _word_char(text[j])
            ):
                return True
            i = text.find(word, i + 1)
    return False


_CLOSING_QUOTES = frozenset("\"'”’»")
_QUOTE_OPENS = frozenset(" \t\n([—–-")
_MAX_TITLE_WORDS = 6


def _item_start(item: _Span | _Run) -> int:
    return item.where[0] if isinstance(item, _Span) else item.start


def _quoted_title_start(text: str, start: int, end: int) -> int:
    """Whether the run at start:end closes a short quotation that opened with a capital: a
    work's title ('won an Oscar for "Tender Mercies"', 'the "Home Alone" movies', '"A Hymn to
    Life"'), not a name; where the quotation opens, or -1. Only runs no gazetteer knows come
    here: '"Putin"' stays Putin."""
    i = start - 1
    limit = max(0, start - 80)
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


class _Extractor:
    """One entry's extraction; holds the evidence gathered from the whole entry."""

    def __init__(self, g: Gazetteer, title: str, body: str) -> None:
        self.g = g
        self.texts = (title, body)
        # Runs in reading order: a span already decided, or a run to cut with the evidence.
        self.items: list[_Span | _Run] = []
        # Words the entry capitalises mid-sentence: a sentence-initial word is a name only then.
        self.mid_caps: set[str] = set()
        self._scan(title, 0, _is_title_case(title))
        self._scan(body, 1, False)
        self.used_context = False

    def _scan(self, text: str, part: int, title_case: bool) -> None:
        g, items, mid_caps = self.g, self.items, self.mid_caps
        fast_get = _FAST.get
        search = _RUN.search
        pos = 0
        while True:
            m = search(text, pos)
            if m is None:
                break
            pos, base = m.end(), m.start()
            if base and (text[base - 1].isalnum() or text[base - 1] in _GLUED):
                if not text[base - 1].isalpha():
                    # "1B Mark Teixeira", "@BigNews Kyiv": only the glued word is left out
                    pos = base + len(m.group().split(None, 1)[0])
                continue  # "iPhone Pro": a product name glued to its brand
            if text[base] > "\x7f" and not text[base].isupper():
                pos = base + 1
                continue
            group = m.group()
            if len(group) > _LONGEST_CACHED:
                # Hostile or shouting text: decided without filling the caches with it.
                run = _Run(base, pos, _tokens.__wrapped__(group), False, True, part)
                items.append(run)
                continue
            verdict = fast_get(group)
            if verdict is None:
                verdict = _fast(group, g)
            if verdict is True:
                continue
            if verdict is not False:
                tokens, kind, canonical, surface, known = verdict
                where = (base, m.end(), part)
                items.append(_Span(tokens, kind, canonical, False, known, True, where, surface))
                continue
            end = m.end()
            if text[end : end + 1] in _CLOSING_QUOTES:
                opened = _quoted_title_start(text, base, end)
                if opened >= 0 and fold_key(group.rsplit(None, 1)[-1]) not in _ORG_LAST:
                    # 'the "Home Alone" movies', '"A Hymn to Life"': a work's title, with every
                    # name found in it ("Creamery Corp" is an organisation's name in quotes)
                    while items and _item_start(items[-1]) > opened:
                        items.pop()
                    continue
            tokens = _tokens(group)
            # Shouting ("BREAKING NEWS PUTIN SAYS") capitalises everything, as Title Case does.
            shouting = len(tokens) > 2 and group.isupper()
            initial = _is_sentence_start(text, base)
            run = _Run(base, m.end(), tokens, initial, title_case or shouting, part)
            items.append(run)
            if not run.title_case:
                for tok in run.tokens[1:] if run.initial else run.tokens:
                    mid_caps.add(tok.key)

    # -- evidence ---------------------------------------------------------------------------

    def _ordinary(self, low: str) -> bool:
        return _is_ordinary(self.g, low)

    def _common_word(self, token: _Token) -> bool:
        """Whether a capitalised word is an ordinary word that merely starts a sentence."""
        low = token.lower
        if self._ordinary(low):
            return True
        if token.key in self.mid_caps or low in self.g.given_names:
            return False
        if "-" in token.surface and token.surface.rsplit("-", 1)[1][:1].islower():
            return True  # "Long-time", "Far-right": a compound word, not a name
        # Written in lower case elsewhere in the entry ('Damages were ... repair the damages.')
        return low.endswith(("ing", "ed", "ly")) or _has_word(self.texts, low)

    # -- cutting runs into spans --------------------------------------------------------------

    def spans(self) -> list[_Span]:
        out: list[_Span] = []
        texts = self.texts
        for item in self.items:
            if isinstance(item, _Span):
                out.append(item)
                continue
            if (
                item.initial
                and len(item.tokens) == 1
                and item.tokens[0].key not in self.mid_caps
                and item.tokens[0].key not in self.g.by_key  # a town's name
                and not _SPEECH_AFTER.match(texts[item.part], item.end)
            ):
                continue  # one unknown word opening a sentence, never seen mid-sentence
            plain = not (item.initial or item.title_case)
            if plain and len(item.tokens) == 1 and "-" not in item.tokens[0].surface:
                self._single(texts[item.part], item, out)
                continue
            cached = _CUTS.get(texts[item.part][item.start : item.end]) if plain else None
            if cached is not None:
                where = item.where
                out += [_Span._make((*fields, where, "")) for fields in cached]
                continue
            first = len(out)
            self.used_context = False
            self._cut(texts[item.part], item, out)
            if plain and not self.used_context:
                # Mid-sentence and decided by the words alone: the next entry reuses the cut.
                if len(_CUTS) >= _FAST_LIMIT:
                    _CUTS.clear()
                _CUTS[texts[item.part][item.start : item.end]] = [span[:6] for span in out[first:]]
        return out

    def _match(self, tokens: Sequence[_Token], i: int) -> tuple[int, Known] | None:
        """The longest gazetteer name starting at token i ('UN Security Council' over 'UN')."""
        g = self.g
        tok = tokens[i]
        if tok.key in g.multi_first:
            for j in range(min(len(tokens), i + g.max_words), i + 1, -1):
                known = g.by_key.get(" ".join(t.key for t in tokens[i:j]))
                if known is not None and (not known.weak or _spelled(known, tokens[i:j])):
                    return j, known
        known = g.by_acronym.get(tok.surface.replace(".", "")) or g.by_key.get(tok.key)
        if known is None or (known.weak and not _spelled(known, tokens[i : i + 1])):
            return None
        return i + 1, known

    def _cut(self, text: str, run: _Run, out: list[_Span]) -> None:
        g = self.g
        tokens = run.tokens
        n = len(tokens)
        i = 0
        if run.initial or run.title_case:
            # "The Kremlin", "Asked by", "Five people": ordinary words that start a sentence.
            while i < n and self._match(tokens, i) is None and self._common_word(tokens[i]):
                if tokens[i].lower in g.titles or tokens[i].lower in g.royal:
                    break
                i += 1
            if (
                i == 0
                and run.initial
                and n > 2
                and tokens[1].lower in _CONNECTORS
                and self._opener(tokens[0])
            ):
                i = 1  # "Shares of AMD", "Residents of Kherson": a noun opening the sentence
        st = _Pending(text, run, at_run_start=i)
        while i < n:
            tok = tokens[i]
            low = tok.lower
            if low in _CONNECTORS:
                if st.tokens:
                    st.tokens.append(tok)
                i += 1
                continue
            after_given = bool(st.tokens) and st.tokens[-1].lower in g.given_names
            match = self._match(tokens, i)
            if (
                match is not None
                and match[0] == i + 1
                and match[1].kind == PLACE
                and low in g.given_names
                and i + 1 < n
                and tokens[i + 1].lower not in _CONNECTORS
                and tokens[i + 1].lower not in _ORG_FIRST
                and not self._ordinary(tokens[i + 1].lower)
            ):
                match = None  # "Jordan Peterson", "Paris Hilton": a given name, not the place
            elif (
                match is not None
                and match[1].weak
                and match[0] == i + 1
                and (
                    (st.tokens and not st.region and not run.title_case)
                    or (run.title_case and tok.key not in self.mid_caps)  # "Party That Goes On"
                    or st.person
                    or (i + 1 == n and _SPEECH_AFTER.match(text, run.end))
                )
            ):
                # "Reggie Bush", "President Lincoln", "Jackson said", "Clean Rivers Act": a
                # name that holds a town's or a region's name, or a person named like one
                match = None
            elif (
                match is not None
                and st.person
                and not st.tokens
                and match[0] == i + 1
                and tok.key in g.city_keys
            ):
                match = None  # "President Bush", "Governor Houston": a title names a person
            elif (
                match is not None
                and match[1].weak
                and not run.title_case
                and self._name_goes_on(tokens, match[0])
            ):
                match = None  # "Duncan Rait", "Essex Police", "Kansas City Chiefs"
            if match is not None and not (after_given and match[0] == i + 1):
                j, known = match
                # "Western Sydney", "New England": a compass word before a place names a region
                region = bool(st.tokens) and known.kind == PLACE and st.region
                lead = tuple(st.tokens) if region else ()
                if region:
                    st.tokens.clear()
                self._flush(st, out)
                if known.kind == TITLE:
                    st = _Pending(text, run, person=True)
                    i = j
                    continue
                st = _Pending(text, run, after_known=True)
                if known.kind != EVENT:
                    # "Kyiv School of Economics" is one name; "Russia's Foreign Ministry" is two
                    joins = known.kind == PLACE and not tokens[j - 1].possessive
                    st.place_before = len(out) if joins else -1
                    if lead:
                        named = (*lead, *tokens[i:j])
                        span = _Span(named, PLACE, _name_text(named), False, False, True, run.where)
                    else:
                        span = _Span(
                            tokens[i:j],
                            known.kind,
                            known.canonical,
                            False,
                            not known.weak,
                            True,
                            run.where,
                        )
                    out.append(span)
                i = j
                continue
            if "-" in tok.surface and not st.tokens and self._compound(tok, run, out):
                st = _Pending(text, run)
                i += 1
                continue
            followed = (
                i + 1 < n
                and tokens[i + 1].lower not in _CONNECTORS
                and tokens[i + 1].lower not in _ORG_LAST  # "General Staff" is no general
            )
            if low in g.royal and followed:
                self._flush(st, out)
                st = _Pending(text, run, person=True, royal=tok)
            elif low in g.titles and followed and not tok.possessive:
                if st.tokens and not (
                    st.tokens[0].lower in g.titles or all(self._title_word(t) for t in st.tokens)
                ):
                    self._flush(st, out)
                # "Energy Minister", "Ukrainian Foreign Minister": the title is not a name
                honorific = st.honorific or low in g.honorifics
                st = _Pending(text, run, person=True, honorific=honorific)
            elif (
                low in _REGION_WORDS
                and not run.title_case
                and (i > 0 or not run.initial)
                and i + 1 < n
                and (not st.tokens or st.region)
                and self._names_on(tokens[i + 1])
            ):
                # "the New England Patriots", "in Western Sydney": capitalised in mid-sentence
                # before a name, a compass word is part of the name
                if not st.tokens:
                    self._flush(st, out)
                    st = _Pending(text, run)
                    st.region = True
                st.tokens.append(tok)
            elif self._ordinary(low) and not after_given:
                if low in g.demonyms and _org_ahead(tokens, i):
                    if st.tokens:
                        self._flush(st, out)
                        st = _Pending(text, run)
                    st.tokens.append(tok)  # "Democratic National Committee"
                elif st.person and not st.tokens and i + 1 < n and low not in g.stopwords:
                    st.tokens.append(tok)  # "Energy Minister German Galushchenko"
                elif st.tokens and not st.person and low in _ORG_LAST:
                    st.tokens.append(tok)  # "Essex Police": a town's or region's force
                else:
                    self._flush(st, out)
                    st = _Pending(text, run)
            else:
                st.tokens.append(tok)
            if tok.possessive and not (st.tokens and _org_ahead(tokens, i)):
                # A possessive ends a name, unless an organisation's name goes on after it
                # ("Women's Rights Institute", "St Mary's Hospital").
                self._flush(st, out)
                st = _Pending(text, run)
            i += 1
        self._flush(st, out)

    def _compound(self, tok: _Token, run: _Run, out: list[_Span]) -> bool:
        """'Trump-Zelensky talks', 'Russia-Ukraine war': two known names joined by a hyphen."""
        parts = [_token(p) for p in tok.surface.split("-")]
        found = [self.g.by_key.get(p.key) or self.g.by_acronym.get(p.surface) for p in parts]
        if not all(found):
            return False
        for part, known in zip(parts, found, strict=True):
            if known is not None and known.kind not in (EVENT, TITLE):
                out.append(
                    _Span((part,), known.kind, known.canonical, False, True, True, run.where)
                )
        return True

    def _name_goes_on(self, tokens: Sequence[_Token], j: int) -> bool:
        """Whether the name of a town ending before token j goes on into an unknown name."""
        if j >= len(tokens) or tokens[j - 1].possessive:
            return False
        if j == len(tokens) - 1 and _plural(tokens[j].surface):
            return False  # "Kansas City Chiefs": a town's team (see _flush)
        nxt = tokens[j].lower
        g = self.g
        if nxt in _ORG_LAST:
            return True  # "Essex Police", "Kent County Council"
        return not (
            nxt in _CONNECTORS
            or nxt in g.titles
            or nxt in g.royal
            or self._ordinary(nxt)
            or self._match(tokens, j) is not None
        )

    def _names_on(self, token: _Token) -> bool:
        """Whether a capitalised word can go on a name: not a connector, an ordinary word or
        a title ('New Year', 'North Korean', 'West President' are no names)."""
        low = token.lower
        g = self.g
        return not (
            low in _CONNECTORS
            or low in g.titles
            or low in g.royal
            or self._ordinary(low)
            or token.surface.isupper()
        )

    def _opener(self, token: _Token) -> bool:
        """A capitalised word before 'of' that opens a sentence and names nothing itself."""
        low = token.lower
        g = self.g
        return not (
            token.key in self.mid_caps
            or low in g.given_names
            or low in g.titles
            or low in g.royal
            or low in _ORG_FIRST
            or low in _PLACE_FIRST
            or low in _PLACE_LAST
            or low in _THING_FIRST
            or token.surface.isupper()
            or self._match((token,), 0) is not None
        )

    def _title_word(self, token: _Token) -> bool:
        low = token.lower
        return low in self.g.titles or self._ordinary(low)

    def _flush(self, st: _Pending, out: list[_Span]) -> None:
        pending = st.tokens
        while pending and pending[-1].lower in _CONNECTORS:
            pending.pop()
        if not pending:
            return
        g = self.g
        run = st.run
        tokens = tuple(pending)
        first, last = tokens[0], tokens[-1]
        if (
            run.title_case
            and not all(t.key in self.mid_caps for t in tokens)
            and not (
                len(tokens) > 1
                and first.lower in g.given_names
                # "Meet In", "Win Over Drake": words the entry also writes in lower case
                and all(len(t.surface) > 2 and not self._common_word(t) for t in tokens[1:])
            )
        ):
            return  # a Title Case headline capitalises everything: only the body vouches
        if sum(1 for t in tokens if t.lower not in _CONNECTORS) > _MAX_NAME_WORDS:
            return  # no unknown name runs this long: a headline or a list of names
        single = len(tokens) == 1
        if (
            not single
            and not st.person
            and (last.lower in _THING_LAST or first.lower in _THING_FIRST)
        ):
            return  # "Endangered Species Act", "Winter Games", "Battle of the Oranges"
        if single and (
            first.lower in _NOT_ALONE
            or first.lower in g.titles
            or first.lower in g.royal
            or first.lower in _PLACE_LAST
            or len(first.surface) < 2
            or (first.surface.isupper() and set(first.surface) <= _ROMAN)
        ):
            return  # "the Pope", "the Ministry", "World War II"
        if single and st.after_known and not st.person:
            low = first.lower
            if not (
                st.place_before >= 0
                and st.place_before == len(out) - 1
                and (
                    (low.endswith("s") and not low.endswith(("ss", "us", "is"))) or low in _ORG_LAST
                )
            ):
                return  # "UN Charter", "NATO summit": a word qualifying the name before it
            place = out.pop()  # "Indianapolis Colts", "Sydney FC": a city's team or body
            tokens = (*place.tokens, first)
            canonical = _name_text(tokens)
            out.append(_Span(tokens, ORG, canonical, False, False, True, run.where))
            return
        sentence_start = run.initial and st.at_run_start >= 0
        if (
            sentence_start
            and single
            and first.key not in self.mid_caps
            and not st.person
            and not _SPEECH_AFTER.match(st.text, run.end)
        ):
            return  # "Propaganda, because ...": one capitalised word opening a sentence
        kind = ""
        strong = True
        if st.royal is not None:
            tokens = (st.royal, *tokens)
            kind = PERSON
        elif st.person:
            kind = PERSON
        elif (
            last.lower in _ORG_LAST
            or any(t.lower in _ORG_FIRST for t in tokens[:-1])
            or any(t.lower in _CORPORATE for t in tokens[1:-1])  # "Warner Bros Discovery"
        ):
            kind = ORG
            if st.place_before >= 0 and st.place_before == len(out) - 1:
                place = out.pop()  # "Kyiv School of Economics"
                tokens = (*place.tokens, *tokens)
        elif not single and (last.lower in _PLACE_LAST or first.lower in _PLACE_FIRST):
            kind = PLACE
        elif not single and last.lower in _PERSON_LAST:
            kind = PERSON
        elif single and 2 <= len(first.surface) <= 6 and first.surface.isupper():
            kind = ORG
        elif first.lower in g.given_names and not single:
            kind = PERSON
        elif (
            not single
            and _plural(last.surface)
            and st.at_run_start >= 0
            and st.text[max(0, run.start - 4) : run.start].lower() == "the "
        ):
            kind = ORG  # "the Tar Heels", "the Backstreet Boys": people are not "the"
        else:
            kind, strong = self._context_kind(
                st.text, run, st.at_run_start >= 0, tokens[0], len(tokens)
            )
        canonical = _name_text(tokens)
        if canonical.isupper() and len(canonical) > 6:
            canonical = canonical.title()
        short = kind == PERSON and st.royal is None and len(tokens) == 1
        out.append(_Span(tokens, kind, canonical, short or st.honorific, False, strong, run.where))

    def _single(self, text: str, run: _Run, out: list[_Span]) -> None:
        """`_cut` for one unknown word in mid-sentence, the commonest run that needs a look."""
        tok = run.tokens[0]
        surface = tok.surface
        if _MODEL_NUMBER.match(text, run.end):
            return  # "Falcon 9", "Artemis 2": a product or a mission, not a name
        at = max(0, run.start - 4)
        if (
            "a" in text[at : run.start]  # the cheap test first
            and _ARTICLE_BEFORE.search(text, at, run.start)
            and _PHRASE_END.match(text, run.end)
        ):
            return  # "won an Oscar for", "bought a Tesla.": a thing ("a Colts receiver" is not)
        town = self.g.by_key.get(tok.key)
        if town is not None and not _spelled(town, run.tokens):
            town = None
        if tok.lower in _ORG_LAST or (2 <= len(surface) <= 6 and surface.isupper()):
            kind, strong = ORG, True
        elif town is not None:
            # A town's name ("Jackson") is a place unless the words around it make it a person
            kind, strong = self._context_kind(text, run, True, tok, 1)
            if kind != PERSON or not strong:  # a surname's ending alone does not outweigh it
                kind, strong = PLACE, True
                surface = town.canonical
        elif tok.lower in self.g.given_names and text[max(0, run.start - 4) : run.start] != "the ":
            kind, strong = PERSON, True  # "Portia", "Vincent": a first name alone
        else:
            kind, strong = self._context_kind(text, run, True, tok, 1)
        canonical = surface.title() if len(surface) > 6 and surface.isupper() else surface
        short = kind == PERSON or not strong  # a guess may still be claimed by a full name
        out.append(_Span(run.tokens, kind, canonical, short, False, strong, run.where))

    def _context_kind(
        self, text: str, run: _Run, at_run_start: bool, first: _Token, size: int
    ) -> tuple[str, bool]:
        """Kind from the words around a name: 'spokesman X', 'in X', 'X said'."""
        self.used_context = True
        if _PLACE_AFTER.match(text, run.end):
            return PLACE, True  # "the Brackmoor district", "Sumy region"
        if at_run_start:
            # the words before the name, which may start inside its run ("Members of the X")
            start = text.find(first.surface, run.start, run.end)
            start = run.start if start < 0 else start
            before = text[max(0, start - 40) : start].split()
            prev = before[-1].rstrip(",").lower() if before else ""
            if prev.isalpha() and prev.isascii():
                if prev in self.g.lower_titles:
                    return PERSON, True
                if prev == "the":
                    # "the Colts", "the Red Sox": people are not "the"; a name of two words or
                    # more after it is an organisation's ("the Halvorsen Metall union")
                    return ORG, size > 1
                if size == 1 and prev in _PLACE_PREPOSITIONS:
                    return PLACE, True
                if prev == "of" and len(before) > 1 and before[-2].lower() in _PLACE_OF:
                    return PLACE, True  # "the village of Kamianka"
        if _SPEECH_AFTER.match(text, run.end):
            return PERSON, True
        m = _COMMA_NAME.match(text, run.end)
        if m:
            known = self.g.by_key.get(fold_key(m.group(1))) or self.g.by_acronym.get(m.group(1))
            if known is not None and known.kind == PLACE:
                return PLACE, True  # "Charlottesville, Virginia"
        m = _APPOSITIVE.match(text, run.end)
        if m and m.group(1).lower() in self.g.lower_titles:
            return PERSON, True
        if size == 1 and first.lower.endswith(_PLACE_ENDINGS):
            return PLACE, False
        if size == 1 and first.lower.endswith(_SURNAME_ENDINGS):
            return PERSON, False
        return "", False


def _plural(word: str) -> bool:
    """A capitalised plural ('Heels', 'Chiefs', 'Bros'); not 'Williams' after a given name,
    which is tested first, nor 'Davis', 'Ross', 'Cyrus'."""
    return (
        len(word) > 3
        and word[-1] == "s"
        and word[-2] not in "siuy'’"
        and word[:-1].isalpha()
        and not word.isupper()
    )


@lru_cache(maxsize=65536)
def surname_key(canonical: str) -> str:
    """The short form a full name is called by: the last name, or the first for 'Kim Jong Un'."""
    words = [w for w in fold_key(canonical).split() if w not in _PERSON_LAST]
    if not words:
        return ""
    if len(words) > 1 and words[0] in _EAST_ASIAN_SURNAMES:
        return words[0]
    return words[-1]


def extract(title: str, body: str, *, authors: Iterable[str] = ()) -> list[Mention]:
    """Every mention of a person, place or organisation in an entry, in reading order.

    Bylines are not mentions: names equal to one of `authors` are left out.
    """
    return [m for m, _span in _mentions(title, body, authors)]


def extract_located(
    title: str, body: str, *, authors: Iterable[str] = ()
) -> list[tuple[Mention, int, int, int]]:
    """`extract` with where each mention is: (mention, 0 title / 1 body, start, end)."""
    return [
        (m, span.where[2], *_where(span, body if span.where[2] else title))
        for m, span in _mentions(title, body, authors)
    ]


def _where(span: _Span, text: str) -> tuple[int, int]:
    """Offsets of a span in its text (only the benchmark asks, so it is not kept on the way)."""
    run_start, run_end, _part = span.where
    first, last = span.tokens[0].surface, span.tokens[-1].surface
    start = text.find(first, run_start, run_end)
    end = text.find(last, start, run_end) + len(last)
    return start, end


def _mentions(title: str, body: str, authors: Iterable[str]) -> list[tuple[Mention, _Span]]:
    g = gazetteer()
    spans = _Extractor(g, title or "", body or "").spans()
    if not spans:
        return []
    # A surname joins the full name the entry gives elsewhere ("Mr Merezhko", "Oleksandr Merezhko"):
    # first names whose kind rests on evidence, then names that only look like a person's.
    strong: dict[str, str | None] = {}
    weak: dict[str, str | None] = {}
    # One name, one kind within an entry: where a cue said what a name is ('in Cobh'), its
    # guessed occurrences elsewhere ('Cobh' as a headline) follow.
    decided: dict[str, str] = {}
    # "President Bush ... Bush": one-word names the entry's evidence made a person's, which
    # a city's name (Būsh, Egypt) then follows
    people: set[str] = set()
    for span in spans:
        if span.strong and not span.known:
            decided[span.canonical] = span.kind
            if span.kind == PERSON and len(span.tokens) == 1:
                people.add(span.tokens[0].key)
        if span.short or " " not in span.canonical or span.kind not in (PERSON, ""):
            continue
        names = strong if span.strong else weak
        _claim(names, surname_key(span.canonical), span.canonical)
        for alias in g.scoped_aliases.get(span.canonical, ()):
            _claim(names, alias, span.canonical)
    teams = _teams(spans, title or "", body or "", g.city_keys)
    bylines: set[str] = set()
    for author in authors:
        if author:
            bylines |= _byline_keys(author)
    mentions: list[tuple[Mention, _Span]] = []
    for span in spans:
        kind, canonical, short = span.kind, span.canonical, span.short
        if len(span.tokens) == 1 and (
            not span.known or (span.kind == PLACE and span.tokens[0].key in g.city_keys)
        ):
            # a city's name too ('Bush', 'Houston'): "George W. Bush ... Bush" is the man
            key = span.tokens[0].key
            full = strong.get(key) or (None if key in strong else weak.get(key))
            if full:
                kind, canonical, short = PERSON, full, False
            elif span.kind == PLACE and key in people:
                kind, canonical, short = PERSON, _name_text(span.tokens), True
        if not span.strong and canonical == span.canonical and canonical in decided:
            kind = decided[canonical]
            short = short and kind == PERSON
        if teams and canonical in teams:
            kind, short = ORG, False
        if not kind:
            # Nothing said what it is. A person is introduced by a full name, so a lone word
            # that names no one in the entry is more often a company, a team or a brand.
            # It stays `short`: a full name in the same thread or source may still claim it.
            kind = PERSON if 1 < len(span.tokens) <= 3 else ORG
            short = len(span.tokens) == 1
        if bylines and fold_key(canonical) in bylines:
            continue
        surface = span.surface or _name_text(span.tokens)
        mentions.append((Mention(surface, canonical, kind, short), span))
    return _one_kind(mentions) if len(mentions) > 1 else mentions


def _one_kind(mentions: list[tuple[Mention, _Span]]) -> list[tuple[Mention, _Span]]:
    """One name, one kind within an entry: where its mentions disagree ('IG Metall' an
    organisation after 'the', a person in a headline), the kind with the most evidence wins
    (a mention whose kind rests on evidence counts twice a guess; a tie goes to the first)."""
    kinds: dict[str, str] = {}
    for m, _span in mentions:
        if kinds.setdefault(m.canonical, m.kind) != m.kind:
            break
    else:
        return mentions  # the common case: no name has two kinds
    votes: dict[str, dict[str, int]] = {}
    for m, span in mentions:
        tally = votes.setdefault(m.canonical, {})
        tally[m.kind] = tally.get(m.kind, 0) + (2 if span.strong else 1)
    out = []
    for m, span in mentions:
        tally = votes[m.canonical]
        kind = max(tally, key=tally.__getitem__)  # dicts keep order: the first wins a tie
        if kind != m.kind:
            m = Mention(m.surface, m.canonical, kind, m.short and kind == PERSON)
        out.append((m, span))
    return out


# A sports report: a score ("65-53", "51 - 50"). There, a place that beats, hosts or plays
# another is its team ("Creighton defeats Drake 65-53", "against Evansville"), an
# organisation, and so is every other mention of that name in the entry.
_SCORE = re.compile(r"(?<![\d.,:/])\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%-])")


def _has_score(text: str) -> bool:
    """`_SCORE.search(text)`, looking only around dashes: a regex scan of every character
    cost a fifth of the extraction's time on live-blog entries (measured on the seeds)."""
    for dash in "-–":
        i = text.find(dash)
        while i >= 0:
            # digits on both sides first: most dashes join words ('Long-time', 'Russia-Ukraine')
            before, after = text[max(0, i - 2) : i].rstrip(), text[i + 1 : i + 3].lstrip()
            if (
                before[-1:].isdigit()
                and after[:1].isdigit()
                and _SCORE.search(text, max(0, i - 4), i + 6)
            ):
                return True
            i = text.find(dash, i + 1)
    return False


# After a team's name: a score (group 1: any name, "Real Madrid 1-0", "Creighton (25-7)"), or a
# number or a verb of winning (an unknown name or a town only); one match tests both.
_TEAM_AFTER = re.compile(
    r"(?:['’]s?)?[ \t]+(?:(\(?\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%]))"
    r"|\d{1,3}\b|\(\d{1,3} ?[-–] ?\d|defeat|beat|won\b|wins\b|lost\b|loses\b"
    r"|edged|routed|topped|rallied|advance|clinch)"
)
# Before a team's name: "defeats Drake", "against the Colts" (a town or an unknown name only).
_PLAYS_BEFORE = re.compile(
    r"(?:defeat(?:s|ed)?|beat(?:s|ing)?|against|vs\.?|versus|over|past|edged|routed|topped"
    r"|host(?:s|ed|ing)?|visit(?:s|ed|ing)?|face[sd]?|play(?:s|ed|ing)?|meet(?:s|ing)?|seed)"
    r"[ \t]+(?:the[ \t]+)?$"
)


def _teams(spans: Sequence[_Span], title: str, body: str, cities: set[str]) -> set[str]:
    """The names a sports report uses for teams (empty unless the entry gives a score)."""
    if not (_has_score(body) or _has_score(title)):
        return set()
    texts = (title, body)
    teams: set[str] = set()
    for span in spans:
        if span.canonical in teams:
            continue  # each name is a team once: its other mentions need no look
        text = texts[span.where[2]]
        start, end = _where(span, text)
        after = _TEAM_AFTER.match(text, end)
        if after is not None and after.start(1) >= 0:
            teams.add(span.canonical)  # "Real Madrid 1-0", "Creighton (25-7)"
        elif (
            # a lone given name is a weak person ("defeats Drake"); a full name is not a team
            not (span.known or (span.kind == PERSON and span.strong and not span.short))
            or (len(span.tokens) == 1 and span.kind == PLACE and span.tokens[0].key in cities)
        ) and (
            after is not None
            or (
                # the cheap test first: a played name has a space or a tab before it
                text[start - 1 : start] in (" ", "\t")
                and _PLAYS_BEFORE.search(text, max(0, start - 16), start) is not None
            )
        ):
            # A city, a town or an unknown name: "against Evansville"; a country or a region
            # needs the score itself ("protests against Israel").
            teams.add(span.canonical)
    return teams


@lru_cache(maxsize=4096)
def _byline_keys(author: str) -> frozenset[str]:
    """The name keys of a byline ('By Ann Lee and Bo Chan' -> 'ann lee', 'bo chan')."""
    return frozenset(k for k in (fold_key(n) for n in _BYLINE_SPLIT.split(author)) if k)


def _claim(names: dict[str, str | None], key: str, canonical: str) -> None:
    """Give a short form to one full name; two different names sharing it leave it to none."""
    if names.get(key, canonical) != canonical:
        names[key] = None
    else:
        names[key] = canonical

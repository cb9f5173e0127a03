"""The gazetteers and word lists behind entity extraction, loaded once from `analysis/data/`.

Everything is keyed by `fold_key`: case, diacritics, hyphens and the usual transliteration
endings (Zelensky / Zelenskyy / Zelenskiy) fold to one key, so the data files list only names
that really differ. Acronyms (US, WHO, ICE) match case-sensitively, or "us" and "Who" would.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_NON_KEY = re.compile(r"[^a-z0-9 ]+")
_DOUBLE = re.compile(r"([a-z])\1+")
# `_DOUBLE`'s replacement, the letter once: a callable in C, where the template r"\1" went
# through the re module's Python code for every doubled letter (four times slower, measured)
_ONCE = operator.itemgetter(1)
# Transliteration endings of Slavic names: -yy, -iy, -ii, -ij, -yi all become -y.
_ENDING = re.compile(r"(?:yy|iy|ii|ij|yi)\b")
_POSSESSIVE = re.compile(r"'s?$|'s(?= )")


@lru_cache(maxsize=65536)
def fold_key(text: str) -> str:
    """The matching key of a name: 'Zelenskyy’s' and 'zelensky' give the same key."""
    low = text.lower()
    if low.isascii() and low.replace(" ", "").isalpha():
        # Plain ASCII words (most names; the gazetteers load 35k): the steps below that would
        # change nothing are skipped, the result is the same.
        return " ".join(_DOUBLE.sub(_ONCE, _ENDING.sub("y", low)).split())
    text = text.translate(_APOSTROPHES)
    text = _POSSESSIVE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("-", " ").replace("'", "").replace(".", "")
    text = _NON_KEY.sub(" ", text)
    text = _ENDING.sub("y", text)
    text = _DOUBLE.sub(_ONCE, text)
    return " ".join(text.split())


def is_acronym(alias: str) -> bool:
    """'US', 'U.N.', and short forms with capitals inside ('MoD', 'AfD'): these match only as
    written, or folding would read 'Mood' as 'MoD'."""
    letters = alias.replace(".", "").replace(" ", "")
    if len(letters) >= 2 and letters.isupper():
        return True
    return 2 < len(letters) <= 5 and letters.isalpha() and any(c.isupper() for c in letters[1:])


EVENT = "event"  # matched so its words make no entity, never reported
TITLE = "title"  # a title of several words: the name after it is a person's


@dataclass(frozen=True)
class Known:
    """A gazetteer entry an alias points at."""

    canonical: str
    kind: str
    # A town's name is only a hint: the words around it may make it a person ('Jackson said')
    # and a full name in the same entry claims it ('Bill Clinton' ... 'Clinton').
    weak: bool = False
    # From a data set of place names (GeoNames, ISO 3166-2), not a hand list of news spellings:
    # matches only as spelled, as a town does ('Luann' folds to 'Lu’an''s key, a city of 1.9M).
    exact: bool = False


@dataclass
class Gazetteer:
    by_key: dict[str, Known] = field(default_factory=dict)  # folded alias -> entity
    by_acronym: dict[str, Known] = field(default_factory=dict)  # exact 'US' -> entity
    scoped_aliases: dict[str, set[str]] = field(default_factory=dict)  # canonical -> {'kim'}
    aliases: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (name, kind) -> all
    max_words: int = 1
    multi_first: set[str] = field(default_factory=set)  # first words of many-word names
    stopwords: frozenset[str] = frozenset()
    demonyms: frozenset[str] = frozenset()
    # Words that never name anything alone: stop words, demonyms and their plurals
    # ('Ukrainians'), and peoples named by the plural of their nationality's noun (`_peoples`)
    ordinary: frozenset[str] = frozenset()
    given_names: frozenset[str] = frozenset()
    honorifics: frozenset[str] = frozenset()
    royal: frozenset[str] = frozenset()
    titles: frozenset[str] = frozenset()
    lower_titles: frozenset[str] = frozenset()
    # Of `titles`, the words that qualify a title and name no person ('health', 'acting'):
    # titles only before another title (WordNet 3.0, `title_modifiers.txt`)
    title_modifiers: frozenset[str] = frozenset()
    # the keys of WordNet's proper names of places no other list holds ('alps', 'soviet union')
    wordnet_places: frozenset[str] = frozenset()
    wordnet_first: frozenset[str] = frozenset()  # their first words' keys: asked first
    # adjectives WordNet writes capitalised and never as a noun ('alpine', 'orwellian')
    wordnet_adjectives: frozenset[str] = frozenset()
    # Common nouns whose commonest sense is an organisation ('militia', 'insurer', 'union'):
    # one right before an unknown name types it ('the insurer Bupa', 'carmaker Halvorsen')
    org_nouns: frozenset[str] = frozenset()
    # Common nouns whose commonest sense is a region, a structure or a facility ('courthouse',
    # 'precinct', 'warehouse'), and ISO 3166-2's subdivision types ('prefecture', 'governorate'):
    # one ending an unknown name of several words makes it a place
    place_nouns: frozenset[str] = frozenset()
    # The AP abbreviations of the US states written with a dot ('Calif.', 'N.M.', 'W.Va.'),
    # from `state_abbreviations.txt`: one after a name and a comma is the state
    # (`extract._state_after_comma`, with `subdivision_initials`)
    state_abbreviations: frozenset[str] = frozenset()
    # the names an extraction gives them and the subdivisions' dotted initials ('Calif',
    # 'N.M.', 'N.' of ECB+'s 'N. Y.', 'B.C.'): an entry with none of them needs no look for one
    state_names: frozenset[str] = frozenset()
    # The nouns of institutions named by what follows 'of' / 'for', worked out once from the
    # cue lists by the extractor (`pending._institution_heads`; cues.py imports this module)
    institution_heads: frozenset[str] | None = None
    # Keys of one-word city names from GeoNames, the sure ones too: 'Bush' (Būsh, Egypt) and
    # 'Houston' are also surnames, so a full name in the same entry may claim them.
    city_keys: set[str] = field(default_factory=set)
    # The initials of the subdivisions named by two words or more ('NY' New York, 'DC' District
    # of Columbia, 'BC' British Columbia): written with dots after a town and a comma ('Buena
    # Vista, N.M.', 'Vancouver, B.C.'), the state or province it is in
    subdivision_initials: frozenset[str] = frozenset()
    # Keys of the singulars of one-word events' and prizes' names in the plural ('oscar' of the
    # Oscars, 'grammy' of the Grammys: 'the 2026 Oscar nominations' names the prize, not a
    # person). Derived from `by_key` when the gazetteer loads (`event_singulars`).
    event_singulars: frozenset[str] = frozenset()

    def add(self, alias: str, known: Known) -> None:
        if is_acronym(alias):
            self.by_acronym.setdefault(alias.replace(".", "").replace(" ", ""), known)
            return
        self.add_keyed(fold_key(alias), known)

    def add_keyed(self, key: str, known: Known) -> None:
        if not key:
            return
        self.by_key.setdefault(key, known)
        if " " in key:
            self.multi_first.add(key.split(" ", 1)[0])
            self.max_words = max(self.max_words, key.count(" ") + 1)


def event_singulars(by_key: dict[str, Known]) -> frozenset[str]:
    """The keys of the singulars of one-word event names in the plural: 'oscar', 'grammy',
    'olympic', 'game'. The rule is only a plural's 's' taken off: it also gives 'christma'
    (Christmas) and 'abram' (the Abrams tank), harmless, as no one writes the first and the
    second names no one alone in the news (neither is in any corpus here)."""
    return frozenset(
        key[:-1]
        for key, known in by_key.items()
        if known.kind == EVENT
        and key.endswith("s")
        and not key.endswith(("us", "is", "ss"))  # 'Coronavirus', 'Taurus': no plurals
        and " " not in key
    )


def _lines(name: str, *, comments: bool = False) -> list[str]:
    text = resources.files("wirereader.analysis").joinpath("data", name).read_text("utf-8")
    return [
        ln.strip()
        for ln in text.splitlines()
        if ln.strip() and (comments or not ln.startswith("#"))
    ]


def _words(name: str) -> frozenset[str]:
    return frozenset(w.lower() for ln in _lines(name) for w in ln.split())


def _word_per_line(name: str) -> frozenset[str]:
    """A data file of one word a line, as written, read without `_words`' per-line work (68M
    instructions to load `nameless_words.txt` that way, by callgrind)."""
    text = resources.files("wirereader.analysis").joinpath("data", name).read_text("utf-8")
    return frozenset(w for w in text.split("\n") if w and w[0] != "#")


def _peoples(demonyms: frozenset[str], places: dict[str, Known]) -> set[str]:
    """The plural nouns of peoples whose adjective is a demonym: Danes, Swedes, Poles (Danish,
    Swedish, Polish), Kurds, Turks, Finns (-ish), Serbs, Croats (-ian), Scots (-tish). They
    name a group, no person, place or organisation. Left out: stems under three letters
    ('IRS' is no 'Irish') and -ian stems that name a place ('Jordans' are no Jordanians)."""
    out: set[str] = set()
    for d in demonyms:
        for ending in ("tish", "ish", "ian"):
            stem = d[: -len(ending)]
            if d.endswith(ending) and len(stem) >= 3:
                if ending == "ian" and fold_key(stem) in places:
                    break  # 'Jordanian', 'Brazilian': the stem is the country
                out.add(stem + "s")
                if ending == "ish":
                    out.add(stem + "es")  # Danes, Swedes, Poles
                break
    return out


@cache
def nameless_words() -> frozenset[str]:
    """Frequent English words that are no one's first or family name ('truth', 'social',
    'sanctions'; from names-dataset and wordfreq, scripts/build_entity_data.py). Read when first
    asked, not with the gazetteer: only runs of two or three unknown words ask (20,385 words;
    one lower-case word a line, `_word_per_line`)."""
    return _word_per_line("nameless_words.txt")


@cache
def plain_words() -> frozenset[str]:
    """Words the case-keeping English dictionaries write in lower case only that are no noun or
    verb ('precise', 'informal', 'diagnostic', 'completed', 'easier'; SCOWL and WordNet 3.0,
    scripts/build_entity_data.py): capitalised mid-sentence, one alone names nothing. Read when
    first asked (13,226 words), as `nameless_words`."""
    return _word_per_line("plain_words.txt")


@cache
def common_acronyms() -> frozenset[str]:
    """Acronyms WordNet 3.0 gives only as a common noun's short form ('LED', 'SUV', 'BMI',
    'CPU'; scripts/build_entity_data.py), as written: one alone, uncued, names nothing."""
    return _word_per_line("common_acronyms.txt")


@cache
def nationalities() -> frozenset[str]:
    """Adjectives of nationality alone ('chinese', 'italian'; countryinfo's demonyms,
    nationalities.txt), without `demonyms.txt`'s faiths and allegiances ('islamic')."""
    return _words("nationalities.txt")


@cache
def gazetteer() -> Gazetteer:
    g = Gazetteer()
    # The hand-kept files first (they carry the news spellings and aliases); the generated data
    # sets (scripts/build_entity_data.py) after them, so a name both list keeps its hand entry.
    files = (
        ("people.txt", "person"),
        ("places.txt", "place"),
        ("orgs.txt", "org"),
        ("events.txt", EVENT),
        ("countries.txt", "place"),
    )
    for name, kind in files:
        for line in _lines(name):
            canonical, *aliases = [part.strip() for part in line.split("|")]
            known = Known(canonical, kind)
            g.add(canonical, known)
            # a hand line and a generated one may name one entity ('United States|America'):
            # their aliases add up
            known_aliases = g.aliases.setdefault((canonical, kind), [])
            known_aliases += [
                a for a in aliases if not a.startswith("~") and a not in known_aliases
            ]
            for alias in aliases:
                if alias.startswith("~"):
                    g.scoped_aliases.setdefault(canonical, set()).add(fold_key(alias[1:]))
                else:
                    g.add(alias, known)
    g.stopwords = _words("stopwords.txt")
    # Adjectives of nationality (generated from countryinfo), then the hand-kept ones of
    # faith, allegiance, region and people, and spellings the data set lacks
    g.demonyms = _words("nationalities.txt") | _words("demonyms.txt")
    # A town whose key is an ordinary word's ('Wil' is 'Will' folded) is left out.
    ordinary = {fold_key(w) for w in g.stopwords | g.demonyms}
    initials: set[str] = set()
    for line in _lines("subdivisions.txt"):
        # One word naming a region is often an ordinary word too ('Rivers', 'Lakes', 'Centre')
        canonical, *aliases = line.split("|")
        words = [w for w in canonical.split() if w[:1].isupper()]
        if len(words) > 1:
            initials.add("".join(w[0] for w in words))
        known = Known(canonical, "place", weak=" " not in canonical, exact=True)
        for name in (canonical, *aliases):
            if fold_key(name) not in ordinary:
                g.add(name, known)
    g.subdivision_initials = frozenset(initials)
    weak = False
    for line in _lines("cities.txt", comments=True):
        if line.startswith("#"):
            weak = weak or line.startswith("# towns")
            continue
        # 'Name', or 'Name<TAB>key', then the keys of its other spellings ('Kupyansk<TAB>
        # kupyansk<TAB>kupiansk'): the build folded them, so loading folds nothing
        name, _tab, keys = line.partition("\t")
        known = Known(name, "place", weak, exact=True)
        for key in keys.split("\t") if keys else (name.lower(),):
            if key not in ordinary:
                g.add_keyed(key, known)
                if " " not in key:
                    g.city_keys.add(key)
    # WordNet's proper names of places no list above holds (scripts/build_entity_data.py):
    # mountains, rivers, regions, former countries ('Alps', 'Soviet Union'). They type a name
    # the rules cut, never cut a run (as a gazetteer's entry 'Thames' cut 'Thames Water').
    # ('Name', or 'Name<TAB>key': the build folded them, so loading folds nothing)
    by_key = g.by_key
    wordnet_keys = (
        key or name.lower()
        for name, _tab, key in (ln.partition("\t") for ln in _lines("wordnet_places.txt"))
    )
    g.wordnet_places = frozenset(key for key in wordnet_keys if key not in by_key)
    g.wordnet_first = frozenset(key.split(" ", 1)[0] for key in g.wordnet_places)
    g.wordnet_adjectives = _words("wordnet_adjectives.txt")
    g.given_names = _words("given_names.txt")
    g.ordinary = frozenset(
        g.stopwords | g.demonyms | {d + "s" for d in g.demonyms} | _peoples(g.demonyms, g.by_key)
    )
    sections: dict[str, set[str]] = {}
    current = ""
    for line in _lines("titles.txt"):
        if line.startswith("["):
            current = line.strip("[]")
        elif current == "phrase":
            g.add(line, Known(line, TITLE))
        else:
            sections.setdefault(current, set()).add(line.lower())
    g.honorifics = frozenset(sections.get("honorific", ()))
    g.royal = frozenset(sections.get("royal", ()))
    g.titles = frozenset(sections.get("title", ())) | g.honorifics
    g.lower_titles = frozenset(sections.get("lower", ()))
    g.title_modifiers = _words("title_modifiers.txt") & g.titles
    g.org_nouns = _words("org_nouns.txt") - g.lower_titles
    g.place_nouns = _words("place_nouns.txt")
    g.state_abbreviations = frozenset(
        ln.split("\t", 1)[0] for ln in _lines("state_abbreviations.txt")
    )
    g.state_names = frozenset(
        form for a in g.state_abbreviations for form in (a, a.rstrip("."), a.split(".", 1)[0] + ".")
    ) | {".".join(i) + "." for i in g.subdivision_initials}
    g.event_singulars = event_singulars(g.by_key)
    return g

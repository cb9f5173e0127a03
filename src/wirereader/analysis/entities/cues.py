"""The word classes and context patterns that say what kind a name is.

Kinds (`PERSON`, `PLACE`, `ORG`); suffixes and first words of organisations and places
('... Ministry', 'Lake ...'); words that make no name alone; the patterns read around a name
('X said', 'in X', 'the village of X', 'a Tesla.'); endings of town names and surnames. These are
grammar and orthography, not names: every name itself comes from the data files of
`analysis/data/` (see `gazetteer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from wirereader.analysis.entities.gazetteer import (
    Gazetteer,
    plain_words,
)
from wirereader.analysis.entities.tokens import (
    _Token,
)

PERSON, PLACE, ORG = "person", "place", "org"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CONNECTORS = _words(
    "of for de da do dos das del della dei degli delle di du van von der den la le al el bin ibn y "
    "the los las"
)


# Verbs of speech after a name (`SPEECH_PAIRS` takes their first two letters for a cheap test)
_SPEECH_VERBS = (
    "said",
    "says",
    "told",
    "added",
    "wrote",
    "tweeted",
    "posted",
    "stated",
    "insisted",
    "argued",
    "testified",
    "recalled",
    "explained",
)
SPEECH_VERBS = _SPEECH_VERBS
SPEECH_AFTER = re.compile(r"[ \t]*(?:,[^,\n]{1,60},[ \t]*)?(?:" + "|".join(_SPEECH_VERBS) + r")\b")
# The first two letters of the verbs: after a name and a blank, the regex is asked only when
# they follow, or more blanks or a comma (`SPEECH_BLANK`)
SPEECH_PAIRS = frozenset(verb[:2] for verb in _SPEECH_VERBS)
SPEECH_BLANK = frozenset(" \t,")

# A quoted writer and where they wrote, right before a name: 'said Matteo Wong in Slate',
# 'wrote Ann Lee in The Atlantic', 'said Kase Wickman at Vanity Fair', 'said Jeremy Kahn on
# Fortune'. The name is the publication, not a place (searched in the 60 characters before the
# name, only after 'in', 'at' or 'on')
CITED = re.compile(
    r"\b(?:said|says|wrote|writes|argued|argues)(?: [A-Z][\w.'’-]*){1,3},? (?:in|at|on)"
    r"(?: [Tt]he)? $"
)

# What befalls a person and never a place or an organisation, right after a name ('Jackson was
# arrested', 'Gray, 16, died'): a town's name so written is someone's surname. Not after a
# preposition ('a woman of Burnsville was killed': the name is not the subject)
FATE_AFTER = re.compile(
    r"[ \t]*(?:,[ \t]*\d{1,3},[ \t]*)?(?:(?:was|has[ \t]+been|had[ \t]+been)[ \t]+)?"
    r"(?:arrested|jailed|sentenced|died|dies|killed|injured|wounded)\b"
)


_PRONOUNS = frozenset(["he", "she", "his", "her", "him", "himself", "herself"])
_SENTENCE_REST = re.compile(r"[^.!?\n]{0,120}")  # matches always, perhaps empty


def pronoun_after(text: str, end: int) -> bool:
    """Whether a personal pronoun follows before the sentence ends ('Comeaux used a
    wheelchair in prison - he claimed'): organisations are 'it' and 'they'. The sentence's
    words in a set, not a regex searching for each pronoun (that cost 3% of an ECB+ article's
    extraction)."""
    rest = _SENTENCE_REST.match(text, end).group().lower()  # type: ignore[union-attr]
    return not _PRONOUNS.isdisjoint(rest.replace(",", " ").split())


# Before a name, a relative's noun: the name is a person's ("his wife, Mary,", "his daughter
# Zaima"); not when a lower-case role or body follows the name ("his father, Creighton coach
# Greg McDermott": the name qualifies it)
KIN_BEFORE = frozenset(
    (
        *("mother", "father", "wife", "husband", "widow", "widower", "son", "sons", "daughter"),
        *("daughters", "brother", "brothers", "sister", "sisters", "stepson", "stepdaughter"),
        *("grandson", "granddaughter", "nephew", "niece", "uncle", "aunt", "cousin"),
        *("boyfriend", "girlfriend", "fiancee", "fiancé", "fiancée"),
    )
)
# After a possessive, what only a person has: "Comeaux's mother", "Lohan's publicist" (not
# 'lawyer': companies have lawyers too). The run may end with the possessive already.
PERSONAL_POSSESSIVE = re.compile(
    r"(?:['’]s?)?[ \t]+(?:(?:former|late|new|ex)[ \t-]+)?"
    r"(?:mother|father|parents|wife|husband|widow|son|sons|daughter|daughters|brother|sister"
    r"|boyfriend|girlfriend|fiancee|fiancé|fiancée|family|children|publicist|birthday|funeral"
    r"|own words)\b"
)


_PLACE_AFTER_WORDS = (
    *("region", "district", "oblast", "province", "county", "area", "border", "frontline"),
    *("coast", "valley"),
)
PLACE_AFTER = re.compile(r"[ \t]+(?:" + "|".join(_PLACE_AFTER_WORDS) + r")\b")
# What may follow the blank after a name when `PLACE_AFTER` matches there: more blanks or the
# first letter of one of its words (the extractor asks the regex only then)
PLACE_AFTER_FIRST = frozenset(" \t") | {word[0] for word in _PLACE_AFTER_WORDS}


COMMA_NAME = re.compile(r",[ \t]+([A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)?)")


# "Tymofiy Mylovanov, president of ...", "X, a former minister"
APPOSITIVE = re.compile(r",[ \t]+(?:(?:a|an|the|who|former|then|now|deputy|acting)[ \t]+)*(\w+)")


PLACE_OF = _words(
    """village town city region district province county oblast settlement island port capital
    outskirts suburb streets centre center"""
)


PLACE_PREPOSITIONS = _words("in near outside across around towards toward inside into")


# The roles a person holds in a business, before 'of' and its name: 'chief executive of Omega
# Timing', 'a co-founder of World Liberty', 'the owner of Hull City'
BUSINESS_ROLE_OF = _words(
    "founder co-founder cofounder executive ceo owner co-owner chairman chairwoman"
)


# "Lai Ching Heen, a two-Michelin-starred Chinese restaurant", "Nomura Residence, an elegant
# house": an appositive's head noun says what the name before it is. The noun is one of the
# first words after 'a' / 'an' (its adjectives before it), before a punctuation mark.
APPOSITIVE_NP = re.compile(r",[ \t]+(?:a|an)[ \t]+([^,.;:!?()\n]{1,60})")

# An appositive's heads that name a business or another organisation (besides
# `Gazetteer.org_nouns`): the venues of `FACILITY_LAST` a reader finds in travel and food
# writing, and hotels.
APPOSITIVE_ORG = _words(
    """bar pub cafe café restaurant bakery brewery shop store supermarket hotel inn retailer
    chain brand startup"""
)

# ... and those that name a place: `PLACE_OF`'s and the buildings and grounds the judgement
# convention counts as places (a house, a farm, a mall, a market)
APPOSITIVE_PLACE = PLACE_OF | _words("house home farm mall market estate residence neighbourhood")


ORG_LAST = _words(
    """ministry ministries department council committee commission agency office party parliament
    assembly court army navy forces force guard police service services bank corp corporation inc
    ltd llc plc company co group union association federation confederation organisation
    organization institute university college school church foundation fund authority
    administration society
    bureau board cabinet government senate congress duma rada brigade regiment battalion division
    fleet command coalition alliance movement front network news times post journal herald tribune
    magazine radio
    telegraph gazette press agency airlines airways rail railways motors industries holdings
    partners capital ventures labs technologies systems club fc team league staff foods patrol
    academy conservancy corps
    construction engineering logistics solutions consulting insurance securities investments
    survey observatory laboratory bros brothers international
    records pictures studios entertainment media telecom recovery energy pharmaceuticals house
    library museum gallery theatre theater bar pub cafe café restaurant bakery brewery shop store
    supermarket"""
)


# Organisations' last words that also name a building or a site: after 'at', 'into' or 'in'
# such a name is where something happens ('a lockdown at Lee College', 'the fire at Wasilla
# Bible Church', 'arraigned in San Diego Superior Court'), a place, as news reads a facility
# (on ECB+ dev, 9 of 10 such names after 'at' are annotated places). Elsewhere the name is the
# organisation ('Lee College said').
FACILITY_LAST = _words(
    """university college school academy church club court museum library gallery theatre
    theater bar pub cafe café restaurant bakery brewery shop store supermarket"""
)


_AT_PLACE = frozenset(("at", "into", "in"))


def facility_at(text: str, start: int) -> bool:
    """Whether 'at', 'into' or 'in' (perhaps with 'the') stands right before `start`."""
    before = text[max(0, start - 10) : start].split()
    if before and before[-1] in ("the", "The"):
        before.pop()
    return bool(before) and before[-1].lower() in _AT_PLACE


ORG_FIRST = _words(
    """ministry department bank university council court office school institute college agency
    committee commission church museum centre center party union federation association league
    academy board bureau"""
)


PLACE_LAST = _words(
    """region oblast province county district city town village island islands river sea ocean
    lake valley mountains mountain mount peninsula bay gulf coast street square avenue road
    airport port state republic territory strait canal desert plain heights hill hills gardens
    glacier park beach springs falls bridge place point harbour harbor lane boulevard plaza
    palace tower stadium arena prison jail hotel station hospital clinic base camp center centre
    castle cathedral abbey mosque temple synagogue monument memorial cemetery mall zoo strip wall
    highway freeway motorway expressway land"""
)


PLACE_FIRST = _words("santa san saint st mount mt lake port fort cape camp isla los las stade")


PERSON_LAST = _words("jr sr ii iii iv")


CORPORATE = _words("bros brothers corp corporation inc ltd llc plc group holdings airlines &")


# Words that name no one alone, though they may stand inside a name ("Women's Rights Institute")
NOT_ALONE = _words("men women")


THING_FIRST = _words("battle siege operation project")


# Prefixes of ships' names ('USS Abraham Lincoln', 'HMS Duncan'): the name after one is a
# vessel's, not a person's, and the prefix is no organisation. Only the prefixes of English-language
# navies and merchant ships that name nothing else in news ('SS' and 'INS' do), written as
# capitals: matched by the token's surface.
VESSEL_PREFIXES = frozenset(["USS", "USNS", "USCGC", "HMS", "HMAS", "HMCS", "HMNZS", "RMS", "MV"])


# Player positions of American football and basketball written before a player's name in
# sports reports ('Saints RB Reggie Bush', 'Chiefs QB Brady Quinn'): a title, but only when a
# name of two words follows (as capitals they are also states' and others' abbreviations:
# 'DE', 'SF').
POSITIONS = frozenset(
    [
        "QB",
        "RB",
        "WR",
        "TE",
        "LB",
        "CB",
        "DE",
        "DT",
        "FB",
        "OL",
        "OT",
        "OG",
        "DB",
        "PG",
        "SG",
        "SF",
        "PF",
    ]
)


# Compass words, ordinary words at a sentence's start, that begin names of regions and teams
# ('Lower Saxony', 'Upper Austria').
REGION_WORDS = _words("new north south east west northern southern eastern western upper lower")


# Names of things that are not people, places or organisations: laws, indexes, prizes, games,
# days ('Rose Monday', 'Black Friday').
THING_LAST = _words(
    """act acts bill treaty accord accords agreement index programme program games award awards
    prize cup championship championships festival summit conference report plan strategy
    doctrine initiative fund war wars olympics olympic paralympics paralympic carnival parade
    diplomacy massacre tour monday tuesday wednesday thursday friday saturday sunday"""
)


EAST_ASIAN_SURNAMES = _words(
    "kim lee park choi jung kang cho yoon jang lim han moon xi li wang zhang liu chen yang"
)


ROMAN = frozenset("IVXLC")


# Endings of town names in the region the seeds cover and beyond (Pokrovsk, Kamianka, Volgograd),
# and French and American towns' '-ville'.
PLACE_ENDINGS = (
    *("sk", "ivka", "ovka", "ivske", "grad", "gorod", "burg", "opol", "stan", "shire"),
    "ville",  # Charleville, Jacksonville, Brazzaville: French and American towns
)


BYLINE_SPLIT = re.compile(r",|;|&|\band\b|\bby\b|\bBy\b")  # "By Ann Lee and Bo Chan"


# Endings of surnames in many languages (Peterson, Gonzalez, Kowalski, Ivanov, Shevchenko ...).
SURNAME_ENDINGS = tuple(
    _words(
        """son sen ez ski sky ska ov ev ova eva enko chuk yan escu ini elli etti opoulos wicz
        stein ovich evich shvili dze oglu ić"""
    )
)


@lru_cache(maxsize=65536)
def ending_kind(low: str) -> tuple[str, bool]:
    """A guess from how one word ends, by its lower case: 'pokrovsk' a place, 'kowalski' a
    person (`context._endings`). Cached: the two suffix tests cost 0.4 µs a word, a cache hit a
    tenth of that, and an ECB+ article asks six times."""
    if low.endswith(PLACE_ENDINGS):
        return PLACE, False
    if low.endswith(SURNAME_ENDINGS):
        return PERSON, False
    return "", False


MAX_NAME_WORDS = 6


ARTICLE_BEFORE = re.compile(r"(?:^|[ \t])(?:a|an)[ \t]+$")


PHRASE_END = re.compile(
    r"$|[.,;:!?)\"”’']|[ \t]+(?:for|in|at|on|and|or|with|from|to|of|as|by|that|which|after)\b"
)


MODEL_NUMBER = re.compile(r"[ \t]+\d{1,3}(?![\d.,:%]| ?[-–])")


_ADJECTIVE_TAILS = (
    *("ed", "ing", "based", "born", "run", "made", "era", "style", "like", "wide"),
    *("held", "bound", "ly"),  # 'Israeli-held', 'Ukraine-bound', 'Trump-friendly', 'AI-only'
)


def adjective(surface: str) -> bool:
    """'AI-generated', 'Dusseldorf-based', 'Soviet-era', 'Israeli-held', 'Trump-friendly': a
    compound adjective, not a name. So is one whose last part is a word the case-keeping
    dictionaries write in lower case only and that is no noun or verb (`plain_words`:
    'GPL-compatible', 'AI-driven', 'Turing-complete', 'COVID-positive', 'N-dimensional')."""
    head, dash, tail = surface.rpartition("-")
    return bool(
        dash
        and head
        and tail.islower()
        and (tail.endswith(_ADJECTIVE_TAILS) or tail in plain_words())
    )


def demonym_compound(g: Gazetteer, surface: str) -> bool:
    """'Japanese-Peruvian', 'Chinese-American', 'Indo-Russian': a word whose last
    part after a hyphen is an adjective of nationality or faith (`g.demonyms`) is an adjective
    too, not a name. Asked of a lone word only: inside a longer run it may open an
    organisation's name ('the Chinese-American Planning Council')."""
    head, dash, tail = surface.rpartition("-")
    return bool(dash and head and tail[:1].isupper() and tail.lower() in g.demonyms)


def never_alone(g: Gazetteer, tok: _Token) -> bool:
    """A word that makes no name by itself: 'the Pope', 'the Region', 'De', 'II', 'X'."""
    low, surface = tok.lower, tok.surface
    return (
        low in g.titles
        or low in g.royal
        or low in PLACE_LAST
        or low in CONNECTORS
        or len(surface) < 2
        or (surface.isupper() and set(surface) <= ROMAN)
    )


def org_ahead(tokens: Sequence[_Token], i: int) -> bool:
    """Whether the name starting at `i` ends as an organisation's does ('... Committee')."""
    for tok in tokens[i + 1 :]:
        if tok.lower in ORG_LAST:
            return True
        if tok.possessive:
            return False
    return False


def acronym_plural(word: str) -> bool:
    """'CEOs', 'ETFs', 'RBIs', 'OPVs': an acronym with a plural's lower-case 's' names a class
    of things, no one organisation (ECB+ and the real feeds hold none that is a name)."""
    return word[-1:] == "s" and len(word) > 2 and word[:-1].isupper() and word[:-1].isalpha()


# A code: capital letters and digits, a letter first and a digit somewhere, a hyphen between
# ('Q3', 'FY25', 'C4', 'N16', 'G2B', 'H5N1', 'GPT-5', 'RS-232')
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-?[0-9][A-Z0-9]*)\Z")


def code(word: str) -> bool:
    """A word of capitals and digits ('Q3', 'FY25', 'N16', 'G2B', 'C4', 'S3', 'GPT-5'): a
    quarter, a sum, a model or a product number, the short form of a common phrase; alone it
    is no one's and no place's name (a group so named that the gazetteer knows stays: 'G7',
    'MI6')."""
    return _CODE.match(word) is not None


def plural(word: str) -> bool:
    """A capitalised plural ('Heels', 'Chiefs', 'Bros'); not 'Williams' after a given name,
    which is tested first, nor 'Davis', 'Ross', 'Cyrus'."""
    return (
        len(word) > 3
        and word[-1] == "s"
        and word[-2] not in "siuy'’"
        and word[:-1].isalpha()
        and not word.isupper()
    )

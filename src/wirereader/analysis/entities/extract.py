"""People, places and organisations named in an entry, fast enough to run on every import.

Capitalised runs are cut into names with gazetteers built from maintained data sets and small
hand lists (analysis/data/*.txt, `gazetteer`), titles and honorifics, name suffixes and the
words around a name (`names`, with the word classes of `cues`); sports reports name teams by
their towns (`teams`). Where those rules only guess a kind, a small learned model decides it
from the evidence of all the name's mentions (`kinds`). Within one entry a surname joins the
full name written elsewhere in it ("Putin" -> "Vladimir Putin") and one name keeps one kind;
across entries `resolver.EntityResolver` merges spellings globally and short forms ("Mr Kim")
only within a scope (a thread or a source), since other people share them.

The modules by job: `tokens` (runs and tokens of text), `cues` (word classes and context
patterns), `scan` (an entry's runs in reading order), `runcache` (runs settled by their text
alone, and the caches), `runs` (tests of a run before its cut), `names` (an entry's runs cut
into names), `pending` (the name a cut collects), `context` (the kind the words around a name
give it), `teams` (sports reports), `kinds` (the learned kind of guessed names), this module
(the mentions of an entry, the public interface).

Pure functions over strings: no I/O, no SQLite, no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from wirereader.analysis.entities import kinds as learned_kinds
from wirereader.analysis.entities.cues import (
    BYLINE_SPLIT,
    CITED,
    CONNECTORS,
    EAST_ASIAN_SURNAMES,
    ORG,
    PERSON,
    PERSON_LAST,
    PLACE,
    SPEECH_AFTER,
    SPEECH_VERBS,
    acronym_plural,
    code,
    pronoun_after,
)
from wirereader.analysis.entities.gazetteer import (
    Gazetteer,
    common_acronyms,
    fold_key,
    gazetteer,
    nameless_words,
    plain_words,
)
from wirereader.analysis.entities.names import (
    _Extractor,
)
from wirereader.analysis.entities.runcache import (
    clear_caches,
)
from wirereader.analysis.entities.teams import (
    _teams,
)
from wirereader.analysis.entities.tokens import (
    _has_word,
    _is_title_case,
    _name_text,
    _Span,
    _Token,
    _tokens,
    _where,
    _written_lower,
)

_new = tuple.__new__


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


@lru_cache(maxsize=65536)
def surname_key(canonical: str) -> str:
    """The short form a full name is called by: the last name, or the first for 'Kim Jong Un'."""
    words = [w for w in fold_key(canonical).split() if w not in PERSON_LAST]
    if not words:
        return ""
    if len(words) > 1 and words[0] in EAST_ASIAN_SURNAMES:
        return words[0]
    return words[-1]


@lru_cache(maxsize=4096)
def article_key(canonical: str) -> str:
    """The short form of a full name ending in a word with the Arabic article ('al-Sharaa' for
    'Ahmed al-Sharaa'), written so as often as the bare surname; '' for other names."""
    last = canonical.rsplit(None, 1)[-1]
    if " " in canonical and last[:3].lower() in ("al-", "el-"):
        return fold_key(last)
    return ""


def extract(title: str, body: str, *, authors: Iterable[str] = ()) -> list[Mention]:
    """Every mention of a person, place or organisation in an entry, in reading order.

    Bylines are not mentions: names equal to one of `authors` are left out.
    """
    return _mentions(title, body, authors)[0]


def extract_located(
    title: str, body: str, *, authors: Iterable[str] = ()
) -> list[tuple[Mention, int, int, int]]:
    """`extract` with where each mention is: (mention, 0 title / 1 body, start, end)."""
    mentions, spans, _evidence = _mentions(title, body, authors)
    return [
        (m, span.where[2], *_where(span, body if span.where[2] else title))
        for m, span in zip(mentions, spans, strict=True)
    ]


def kind_evidence(
    title: str, body: str, *, authors: Iterable[str] = ()
) -> tuple[list[tuple[Mention, int, int, int]], dict[str, list[str]]]:
    """What the kind model is trained on (`scripts/build_kind_model.py`): the entry's located
    mentions with the rules' kinds, and the features of each name the model decides."""
    mentions, spans, evidence = _mentions(title, body, authors, learned=False)
    located = [
        (m, span.where[2], *_where(span, body if span.where[2] else title))
        for m, span in zip(mentions, spans, strict=True)
    ]
    return located, evidence


def _mentions(
    title: str, body: str, authors: Iterable[str], *, learned: bool = True
) -> tuple[list[Mention], list[_Span], dict[str, list[str]]]:
    """The entry's mentions, and beside each the span it came from (two lists, not pairs:
    `extract` returns the first as it is); with `learned` False, the rules' kinds and the
    kind model's features of each name it would decide."""
    g = gazetteer()
    extractor = _Extractor(g, title or "", body or "")
    spans = _respanned(g, (title or "", body or ""), extractor.spans())
    if extractor.quoted:
        # a name no gazetteer knows that the entry also quotes whole as a work's title is
        # that work's title where it stands unquoted too
        quoted = extractor.quoted
        spans = [s for s in spans if s.known or s.canonical not in quoted]
    if not spans:
        return [], [], {}
    if title and body:
        spans = _title_names_end_at_surname(spans)
        if _is_title_case(title):
            spans = _title_names_the_body_names(g, spans, title, body)
    # A surname joins the full name the entry gives elsewhere ("Mr Merezhko", "Oleksandr Merezhko"):
    # first names whose kind rests on evidence, then names that only look like a person's.
    strong: dict[str, str | None] = {}
    weak: dict[str, str | None] = {}
    # "President Bush ... Bush": one-word names the entry's evidence made a person's, which a
    # city's name that is a surname too (Būsh, Egypt) then follows
    people: set[str] = set()
    # The given names of the people the entry names in full ('Tara Reid', 'Tyler Hansbrough'):
    # features and sports reports call them by it too ('Get well soon, Tara!'), and a lone
    # given name that no cue typed (a town's name is a hint only) is that person
    firsts: dict[str, str | None] = {}
    # One name, one kind within an entry: where a cue said what a name is ('in Cobh'), its
    # guessed occurrences elsewhere ('Cobh' as a headline) follow.
    decided: dict[str, str] = {}
    # the words of the full names that look like people's: a sports report's players (`teams`)
    fulls: list[tuple[_Token, ...]] = []
    # 'Larry and David Ellison': (the claims it goes to, the given name's key, 'Larry Ellison')
    couples: list[tuple[dict[str, str | None], str, str]] = []
    scoped_aliases = g.scoped_aliases
    # The spans' fields unpacked once: a named tuple's field read by name is a descriptor call,
    # and these two loops read several fields of every span (4% of an ECB+ article's
    # instructions went to such reads, by callgrind).
    led: list[_Span] | None = None  # the spans `_led_by` made people's, in a copy of `spans`
    leads: bool | None = None  # `_leads`, asked at the first one-word place
    # The spans that end in a code, no name: a code cut from a run ('When GPT-5 was released';
    # `runcache._fast` leaves out a run that is one) or a name that ends in one, a model's
    # ('Leica M2', 'Bambu Lab X1C', 'AWS S3'): a product. Found here, so that they claim no
    # surname ('Williams' for 'Williams FW14B'), and left out below.
    # So are the acronyms WordNet gives only as a common noun's short form that nothing beside
    # any of their mentions makes a name's ('a colourful LED wall', 'a premium electric SUV', 'a
    # normal BMI': `_cued`; 'chipmakers AMD and Nvidia', 'Advanced Micro Devices (AMD)', 'AMD
    # CEO' keep it), which the acronym rule typed (strong), where a common noun's modifier or
    # determiner stands right before it (`_common_use`; not 'Shares of AMD fell', 'AMD said').
    # Not in the kind model's evidence, as
    # `plain_words` below. (Reads the entry's text here, after the cut: the run caches of
    # `runcache` need not know of it.)
    codes: set[_Span] = set()
    acronyms = common_acronyms() if learned else frozenset()
    acronyms_cued: dict[str, bool] = {}  # such an acronym: is some mention a name's?
    texts = (title or "", body or "")
    for span in spans:
        tokens, kind, canonical, short, known, is_strong, where_at, _surface = span
        if not known and not tokens[-1].surface.isalpha() and code(tokens[-1].surface):
            codes.add(span)
            continue
        if not known and (is_strong or kind == PLACE):  # a town's name is a guess too
            if (
                is_strong
                and len(tokens) == 1
                and tokens[0].surface in acronyms
                and _common_use(texts[where_at[2]], where_at[0], tokens[0].surface)
            ):
                surface = tokens[0].surface
                named_acronym = acronyms_cued.get(surface)
                if named_acronym is None:
                    named_acronym = acronyms_cued[surface] = any(
                        _cued(g, text, at, at + len(surface))
                        for text in texts
                        for at in _word_at(text, surface)
                    )
                if not named_acronym:
                    codes.add(span)
                    continue
            if (
                kind == PLACE
                and len(tokens) == 1
                and (leads or (leads is None and (leads := _leads(title, body))))
                and _led_by(g, title, body, tokens[0], where_at)
            ):
                if led is None:
                    led = list(spans)
                canonical = _name_text(tokens)
                kind, short = PERSON, True
                led[spans.index(span)] = span._replace(
                    kind=kind, canonical=canonical, short=True, surface="", strong=True
                )
                is_strong = True
            if is_strong:
                decided[canonical] = kind
        if short or " " not in canonical or kind not in (PERSON, ""):
            if kind == PERSON and is_strong and not known and len(tokens) == 1:
                people.add(tokens[0].key)
            continue
        names = strong if is_strong else weak
        fulls.append(tokens)
        _claim(names, surname_key(canonical), canonical)
        if len(tokens) < 4 and tokens[0].lower in g.given_names:
            _claim(firsts, tokens[0].key, canonical)  # 'Tara Reid' ... 'Tara'
            text_at = body if where_at[2] else title
            if where_at[0] > 6 and text_at.startswith(" and ", where_at[0] - 5):
                couple = _couple(g, spans, span)
                if couple is not None:
                    couples.append((names, *couple))
        if "-" in canonical:
            article = article_key(canonical)
            if article:
                _claim(names, article, canonical)  # 'al-Sharaa' for 'Ahmed al-Sharaa'
        for alias in scoped_aliases.get(canonical, ()):
            _claim(names, alias, canonical)
    for names, key, couple_name in couples:
        if (
            key not in strong  # no surname of a full name ('with Collins and Billy Ray')
            and key not in weak
            and firsts.get(key, couple_name) == couple_name  # 'Betty ...' beside 'Betty Cooper'
            and not _after_capital((title, body), couple_name.split(None, 1)[0])  # 'Stirling Moss'
        ):
            _claim(names, key, couple_name)
    if led is not None:
        spans = led
    teams = _teams(spans, title or "", body or "", g, fulls)
    bylines: set[str] = set()
    for author in authors:
        if author:
            bylines |= _byline_keys(author)
    mentions: list[Mention] = []
    kept: list[_Span] = []
    cities = g.city_keys
    # the one-word names something in the entry may claim: one set lookup spares the rest
    claimable = (
        strong.keys() | weak.keys() | people | firsts.keys()
        if (strong or weak or people or firsts)
        else None
    )
    kinds: dict[str, str] = {}  # the first kind of each name, to see if one has two
    lower_seen: dict[str, bool] = {}  # `_lower_elsewhere`'s answers: a word comes back
    disputed: set[str] = set()  # names given two kinds
    guessed: list[int] = []  # the mentions whose kind is a guess: the kind model decides them
    cued: set[str] = set()  # the names a cue or a data set typed in some mention
    # names no data set knows: is every mention of the body a thing's name? (the title's apart)
    things: dict[str, bool] = {}
    title_things: dict[str, bool] = {}
    thing_after = _THING_AFTER.match
    wordnet_first = g.wordnet_first
    wordnet_adjectives = g.wordnet_adjectives
    # The title's names of ordinary words the body never writes (`_headline_words`), found
    # before the loop: the title's spans come first, and the loop then asks one set's
    # emptiness of each span (asked in the loop, the test cost 1-2% of the bytecodes)
    # (a title alone, with no body, says nothing of which of its words the body writes)
    headline: set[_Span] = set()
    for span in spans if body else ():
        if span.where[2]:
            break
        # the body's test first (one substring search): most of a title's names are in it;
        # nor inside a longer word ('Earth’s', 'Worldwide')
        if not (span.known or span.strong or span.canonical in body) and _headline_words(
            g, span.tokens
        ):
            headline.add(span)
    for span in spans:
        tokens, kind, named, short, known, is_strong, where, written = span
        if (
            named[-1] == "s"
            and not known
            and tokens[-1].surface[-2:-1].isupper()  # no call for 'Williams', 'Paris'
            and acronym_plural(tokens[-1].surface)
        ):
            continue  # 'Tech CEOs' cut from a headline's words (`runcache._fast` for most)
        canonical = named
        single = len(tokens) == 1
        if codes and span in codes:
            continue
        if (
            claimable
            and single
            and tokens[0].key in claimable
            and (not known or (kind == PLACE and tokens[0].key in cities))
        ):
            # a city's name too ('Bush', 'Houston'): "George W. Bush ... Bush" is the man
            key = tokens[0].key
            # a team's name is claimed by no full name that only looks like a person's: a
            # sports headline's run ('Basketball Tops Drake', 'Colts Beat Chiefs') is none,
            # and a player's surname is no team (`teams._players`)
            full = strong.get(key) or (
                None if key in strong or (teams and named in teams) else weak.get(key)
            )
            if full:
                kind, canonical, short = PERSON, full, False
            elif not kind and (key in strong or key in weak):
                # two full names share it ("Mark Heller", "Mark Jay Heller"): which one it is
                # stays open, that it is a person's surname does not
                kind, short = PERSON, True
            elif kind == PLACE and key in people and key in cities:
                kind, canonical, short = PERSON, _name_text(tokens), True
            if (
                canonical is named
                and kind != PERSON
                and not known
                and key in firsts
                and (not is_strong or _weak_town(g, key))
            ):
                full = firsts[key]
                if full:
                    kind, canonical, short = PERSON, full, False
        if not is_strong and canonical == named and canonical in decided:
            kind = decided[canonical]
            short = short and kind == PERSON
        if (
            kind == ORG
            and single
            and not known
            and named[-1:] == "s"
            and canonical is named
            and _family(g, tokens[0].key, strong)
            and not (teams and canonical in teams)
        ):
            # "the Bidens", "the Garridos remain in prison": a family in the plural, named by
            # the surname of a person the entry or the gazetteer knows, is people, no team
            kind, short = PERSON, False
            cued.add(canonical)
        if teams and canonical in teams:
            kind, short = ORG, False
        elif (
            not is_strong
            and canonical is named
            and single
            and (
                tokens[0].lower in wordnet_adjectives
                or (named[-3:] == "ian" and _person_adjective(g, tokens[0].lower, strong, weak))
                or _lower_elsewhere(texts, tokens[0].lower, lower_seen)
                or (
                    learned  # not in the kind model's evidence: see below
                    and tokens[0].lower in nameless_words()
                    and _cut_after_capital(g, texts[where[2]], span)
                )
                or (
                    learned  # not in the kind model's evidence either
                    and tokens[0].lower in plain_words()
                    and tokens[0].surface[1:].islower()
                    and kind in ("", ORG)
                    and canonical not in decided
                    and _plain_in_sentence(g, texts[where[2]], span)
                    and sum(s.canonical == named for s in spans) == 1
                )
            )
        ):
            # a lone word no cue and no full name explained, that the entry also writes in
            # lower case: a common noun ('the Horse ... horses'). Asked here, after the full
            # names have claimed their surnames, for the few words still unexplained (asked
            # in the cut, it ran for every surname too: 5,000 times on 772 ECB+ articles). So
            # is an adjective WordNet writes capitalised and never as a noun ('the rich Alpine
            # country', 'the Andean god'): asked of a lone word only, since inside a run such a
            # word may be a surname ('Vito Genovese') or an organisation's ('Alpine Rescue');
            # and so is a person's name made an adjective ('Trumpian': `_person_adjective`).
            # So is a frequent English word no one is named (`nameless_words`) that the cut
            # took from the end of a mid-sentence run after a capitalised word ('elevate Good
            # Luck to', "Kelly's First Amendment freedoms", 'Everything Everywhere All'): the
            # run is a title's or a phrase's capitals, and its last word alone names nothing.
            # So is the entry's one mention of a word the case-keeping dictionaries write only
            # in lower case and that is no noun or verb (`plain_words`: 'the 2013 edition of
            # the Diagnostic and', 'considered Critical as well'), capitalised after a word in
            # lower case with nothing beside it that makes it a name (`_plain_in_sentence`).
            # Nouns and verbs are not asked: brands are named by them ('Rust', 'Slack',
            # 'Zoom'), and so are teams by plurals ('the Lions').
            # (Not in the kind model's evidence, as WordNet's places below: the model learns
            # what the rules guess, and a rebuild on fewer names moved others' kinds.)
            continue
        elif headline and canonical is named and span in headline:
            # a title's ordinary words the body never writes ('A New Chapter for Bangladesh',
            # 'What in the World?', 'Open Source'): a headline's capitals, no name
            continue
        if not kind:
            # Nothing said what it is. A person is introduced by a full name, so a lone word
            # that names no one in the entry is more often a company, a team or a brand,
            # unless a personal pronoun follows in its sentence ('rescue Raite by taking him
            # down'). It stays `short`: a full name in the same thread or source may claim it.
            # (read from the end of the word's run: a word cut from a longer run ends there
            # too or before, in the same sentence)
            # Two or three words look like a given name and a surname, unless no one is named
            # by the last, where the surname would stand ('a Truth Social post', 'Slant
            # Magazine', 'World Liberty Financial', "'Secondary Sanctions?'"): English puts a
            # phrase's head noun last, so the run is more often a company's, a publication's
            # or a product's name, or no name, than a person's, and the data settle it as a
            # cue would (the kind model, trained on guesses that look like people's names,
            # would make places of them).
            if single and pronoun_after(body if where[2] else title, where[1]):
                kind = PERSON
            elif 1 < len(tokens) <= 3:
                # ... unless it ends in the full name of a person the entry names ('Actress
                # Lindsay Lohan' in a headline, 'Lindsay Lohan' in the body)
                full = strong.get(tokens[-1].key)
                if _nameless(tokens, nameless_words()) and not (
                    full and canonical.endswith(" " + full)
                ):
                    kind = ORG
                    cued.add(canonical)
                else:
                    kind = PERSON
            else:
                kind = ORG
            short = single
        if bylines and fold_key(canonical) in bylines:
            continue
        if single and not known and canonical is named:
            # "La Fenice", "La Stampa", "Le Figaro", "El Chapo": a Romance article written
            # with a capital right before a lone word no full name of the entry claimed opens
            # the name (English writes no 'La' or 'El' of its own; the cut leaves connectors
            # out). A full name's surname ('Marine Le Pen' ... 'Le Pen') was claimed above.
            # (the run's extent: the article, then the word; asked of these words alone, with
            # no gate an entry: the gate's eight substring searches of the title and the body,
            # for 'La ', 'Le ', 'El ', 'Il ', took 8 µs an ECB+ article and 5 µs a news-like
            # entry, 2-5% of the extraction; the tests here add 0.3% to an ECB+ article's
            # bytecodes, whose texts seldom hold an article, and its instructions fall 1%)
            run_at = where[0]
            article = texts[where[2]][run_at : run_at + 3]
            if article in _ROMANCE_ARTICLES and where[1] - run_at == 3 + len(tokens[0].surface):
                canonical = article + named
                written = article + (written or _name_text(tokens))
        if (
            not known  # a flag first: a gazetteer's name skips the lookup below
            and tokens[0].key in wordnet_first  # then this: it fails for most names
            and kind != PLACE
            and learned
            and canonical is named
            and fold_key(canonical) in g.wordnet_places
        ):
            # a name WordNet files only as a location or a natural object ('the Soviet Union',
            # 'the French Alps', 'in the Berkshires') that no list above knows: no cue
            # outweighs it ('the' before it, a demonym opening it). Not in the kind model's
            # evidence: it learns what the rules guess (a rebuild on fewer names moved others)
            kind, short, is_strong = PLACE, False, True
        if not known:
            # asked of every mention until one is no modifier (the first answers for most):
            # a thing's noun after the run, and the mention the run's last name; the title and
            # the body apart (below)
            seen = things if where[2] else title_things
            if seen.get(canonical, True):
                text = texts[where[2]]
                end = where[1]
                nxt = text[end + 1 : end + 2]
                seen[canonical] = (
                    nxt in _THING_AFTER_FIRST  # 'c' among them: 'credit' below needs it too
                    and (
                        thing_after(text, end) is not None
                        # "(Image credit: Lamy)", "Photo credit: ...": a caption's label (read
                        # at the name's end alone: two searches of each entry's texts for
                        # 'credit:' first cost more, 0.6 µs a news-like entry, 0.9 µs an ECB+
                        # article; asked after a 'c' alone: a call's argument parsing is most
                        # of its cost)
                        or (nxt == "c" and text.startswith(" credit:", end))
                    )
                    and text.endswith(tokens[-1].surface, 0, end)
                )
        # tuple.__new__ skips the named tuple's Python-level __new__: one mention of every
        # name, so this is the commonest construction of an extraction (15 µs an ECB+ article)
        mentions.append(_new(Mention, (written or _name_text(tokens), canonical, kind, short)))
        kept.append(span)
        if is_strong:
            cued.add(canonical)
        else:
            guessed.append(len(kept) - 1)
        if kinds.setdefault(canonical, kind) != kind:
            disputed.add(canonical)
    if True in things.values() or True in title_things.values():
        # "the AFCON final", "Artemis II launch", "the Epstein-Barr virus": a name no data set
        # knows, that only ever qualifies an event's or a product's noun, is that thing's name
        # where the body names it, the body decides: the title's headlinese ('Rafale deal
        # talks' beside the body's '100 Rafale jets') is no evidence against it
        drop = {name for name, thing in things.items() if thing}
        drop.update(n for n, thing in title_things.items() if thing and n not in things)
        at = [i for i, m in enumerate(mentions) if m.canonical not in drop]
        mentions = [mentions[i] for i in at]
        kept = [kept[i] for i in at]
        guessed = [i for i, s in enumerate(kept) if not s.strong]
    # one bracket is no cast list ('(Reuters)' opens many bodies); str.count first, the
    # pattern only for the few bodies with two brackets or more. A bracket at all first: one
    # memchr, where counting ' (' stops at every blank (1.1 µs a news-like body, 1.7 µs an
    # ECB+ article's; 0.08 and 0.8 µs with the test first: most bodies hold no bracket)
    if body and "(" in body and body.count(" (") > 1 and len(_CAST.findall(body)) > 1:
        mentions, kept, guessed = _without_characters(body, mentions, kept, guessed)
    if disputed:
        _one_kind(mentions, kept, disputed)
    if not learned:
        return mentions, kept, _evidence(g, texts, mentions, kept, teams)
    if len(mentions) > 1 and not g.state_names.isdisjoint(kinds):
        _state_after_comma(g, texts, mentions, kept, cued)
    if guessed:
        _learned(g, texts, mentions, kept, cued | teams if teams else cued, guessed)
    return mentions, kept, {}


# A generational suffix written after a comma ('Frank Sinatra, Jr.'): the person's name's last
# word; alone, no name
_SUFFIXES_ALONE = frozenset(("jr", "sr", "jnr", "snr"))


# A company's legal form written after a comma ('MOS Technology, Inc.'): the organisation's
# name's last word; alone ('## Rifle Paper Co.' cut after a heading's opening words), no name
_FORMS = frozenset(("inc", "ltd", "llc", "corp", "co", "plc", "gmbh"))


# One capital and its dot after a word in lower case ('posted on X. The company'): the scan
# reads the dot as an initial's, because a capital follows, but it ends the sentence
_LETTER_STOP = re.compile(r"[A-Z]\.")
_WORD_AFTER = re.compile(r"[ \t]+[A-Z][a-z]")
_LOWER_BEFORE = re.compile(r"\b[a-z]+ $")  # a word in lower case before it


# Capitalised words and a linking word right before a capitalised word ('Immigration and' before
# 'Customs Enforcement'): the words of a longer name the cut parted, if the entry's acronym
# spells it (`_spelled_whole`); an acronym of three letters or more
_LINKED = re.compile(r"((?:[A-Z][a-z]+ ){1,3})(?:and|of|for|on) ([A-Z][a-z])")
_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")


def _roles(g: Gazetteer) -> frozenset[str]:
    """The role words `_respanned` drops before a full name: the gazetteer's lower-case titles
    that are no titles of address (the cut takes those off already). Made once."""
    global _ROLES
    _ROLES = g.lower_titles - g.titles
    return _ROLES


_ROLES: frozenset[str] = frozenset()
_LONE_WORDS = _SUFFIXES_ALONE | _FORMS  # the words `_lone_word` reads, lower case, no dot


def _respanned(g: Gazetteer, texts: tuple[str, str], spans: list[_Span]) -> list[_Span]:
    """The cut's spans with constructions mended that the cut, which sees one run at a time,
    cannot: a name cut at a linking word that the entry's acronym spells whole ('Immigration
    and Customs Enforcement' ... 'ICE', `_spelled_whole`); a person's role written with a
    capital before the name ('Lawmaker Jairam Ramesh said', 'Author Marisa McClellan': the role
    is dropped, as the cut drops it in lower case); a generational suffix or a company's legal
    form after a comma ('Frank Sinatra, Jr.', 'MOS Technology, Inc.': one name; a lone 'Jr.' or
    'Co.' is none); one capital whose dot ends the sentence after a word in lower case ('on X.
    The company'), a lone letter, which the cut never makes a name ('on X yesterday'). Reads the
    entry's text after the cut: the run caches of `runcache` need not know of it. One pass over
    the spans asks two cheap questions of each (a role's word first; a short lone word that
    is a suffix, a form or a letter and its dot) and looks closer only at the few picked."""
    spans = _spelled_whole(texts, spans)
    # the spans changed, by index (None: no name): one pass reads the cheap tests below of
    # each span, and only the few they pick are looked at closer. (A search of the text for
    # the rules' words first, to skip the pass, cost more than the pass: ~90 us of CPU an
    # ECB+ article in the regular expression's engine, where its bytecodes counted none.)
    changed: dict[int, _Span | None] = {}
    roles = _ROLES or _roles(g)
    lone = _LONE_WORDS
    for i, span in enumerate(spans):
        tokens = span[0]
        if len(tokens) > 1:
            if tokens[0].lower in roles and not span[4]:
                mended = _without_role(g, span)
                if mended is not span:
                    changed[i] = mended
        elif not span[4]:
            surface = tokens[0].surface  # 'Jr.', 'Inc.', 'GmbH', 'X.'
            if (len(surface) == 2 and surface[1] == ".") or surface.rstrip(".").lower() in lone:
                _lone_word(texts, spans, i, changed)
    if not changed:
        return spans
    out: list[_Span] = []
    for i, span in enumerate(spans):
        kept = changed.get(i, span)
        if kept is not None:
            out.append(kept)
    return out


def _lone_word(
    texts: tuple[str, str], spans: list[_Span], i: int, changed: dict[int, _Span | None]
) -> None:
    """`_respanned`'s rules of one word: a suffix or a legal form after a comma joins the name
    before it, and alone is none; one capital whose dot ends the sentence is none."""
    span = spans[i]
    first, where = span.tokens[0], span.where
    surface = first.surface
    # the suffix as written, not its letters ('J.R.' is initials)
    low = surface.rstrip(".").lower()
    form = low in _FORMS
    if low in _SUFFIXES_ALONE or form:
        text = texts[where[2]]
        start, end = _where(span, text)
        before = changed.get(i - 1, spans[i - 1]) if i else None
        if (
            text.endswith(", ", 0, start)
            and before is not None
            and (
                # a known organisation keeps its name ('McAfee, Inc.': the form goes)
                (before.kind == ORG or before.kind == "") and not before.known
                if form
                else before.kind == PERSON
            )
            and before.where[2] == where[2]
            and _where(before, text)[1] == start - 2
        ):
            # 'Frank Sinatra, Jr.': the suffix ends the name before the comma, with its dot
            # ('Jr.,' is read 'Jr', as 'Kennedy Jr. said' keeps it)
            dot = "." if text[end : end + 1] == "." and surface[-1] != "." else ""
            changed[i - 1] = before._replace(
                tokens=(*before.tokens, first),
                kind=ORG if form else PERSON,
                canonical=f"{before.canonical} {surface}{dot}",
                surface="",
                strong=True,
                where=(before.where[0], where[1], where[2]),
            )
            changed[i] = None
        elif not form or not surface.isupper():
            # 'Jr.' or 'Inc.' alone names no one ('CO' may be Colorado or a gas)
            changed[i] = None
    elif len(surface) == 2 and _LETTER_STOP.fullmatch(surface):
        text = texts[where[2]]
        start, end = _where(span, text)
        if (
            _LOWER_BEFORE.search(text, start - 30 if start > 30 else 0, start) is not None
            and _WORD_AFTER.match(text, end) is not None
        ):
            # 'on X. The company': a lone letter, no initial; not before another letter ('an
            # L. A Superior Court judge': initials)
            changed[i] = None


def _without_role(g: Gazetteer, span: _Span) -> _Span:
    """A person's name without the role's word that opens it, capitalised ('Lawmaker Jairam
    Ramesh', 'Singer Taylor Swift'), before a full name the cut typed a person's or one opened
    by a given name where it left the kind open; the span as it is otherwise ('Rapper Drake',
    'Star Ferry': one word after it; 'Head of Product')."""
    tokens = span.tokens
    first = tokens[0]
    rest = tokens[1:]
    lower_titles = g.lower_titles
    if (
        len(rest) > 1
        and first.surface[1:].islower()
        and not first.possessive
        and (span.kind == PERSON or rest[0].lower in g.given_names)
        and not any(t.lower in CONNECTORS or t.lower in lower_titles for t in rest)
    ):
        return span._replace(
            tokens=rest, kind=PERSON, canonical=_name_text(rest), surface="", strong=True
        )
    return span


def _spelled_whole(texts: tuple[str, str], spans: list[_Span]) -> list[_Span]:
    """The spans with a name cut at a linking word made whole where up to three capitalised
    words and 'and', 'of', 'for' or 'on' stand right before a span and the initials of all
    their words but the linking ones are one of the entry's acronyms of three letters or more
    ('Immigration and Customs Enforcement' ... 'ICE', 'Convention on Biological Diversity' ...
    'CBD'; two letters spell too much by chance): the words before are the name's, and no
    name of their own. Only where such words stand before an acronym's first letters."""
    acronyms = set(_ACRONYM.findall(texts[1])) | set(_ACRONYM.findall(texts[0]))
    if not acronyms:
        return spans
    out = spans
    for part in (0, 1):
        text = texts[part]
        for m in _LINKED.finditer(text):
            words = m.group(1).split()
            second = m.start(2)
            after = m.group(2)[0]  # the next name's first letter, asked with the words' first
            for k in range(len(words), 0, -1):
                prefix = "".join([w[0] for w in words[-k:]])
                if not any(a.startswith(prefix + after) for a in acronyms):
                    continue
                at = next(
                    (j for j, s in enumerate(out) if s.where[2] == part and s.where[0] == second),
                    -1,
                )
                if at < 0 or out[at].known or out[at].kind == PERSON:
                    break
                span = out[at]
                ending = "".join([t.surface[0] for t in span.tokens if t.lower not in CONNECTORS])
                if prefix + ending not in acronyms:
                    continue
                begin = text.rfind(words[-k], m.start(), second)
                tokens = _tokens(text[begin : _where(span, text)[1]])
                whole = span._replace(
                    tokens=tokens,
                    kind=ORG,
                    canonical=_name_text(tokens),
                    surface="",
                    strong=True,
                    where=(begin, span.where[1], part),
                )
                out = [s for s in out[:at] if s.where[2] != part or s.where[0] < begin] + [
                    whole,
                    *out[at + 1 :],
                ]
                break
    return out


def _learned(
    g: Gazetteer,
    texts: tuple[str, str],
    mentions: list[Mention],
    spans: list[_Span],
    settled: set[str],
    guessed: list[int],
) -> None:
    """The kinds of the names the rules only guessed (`guessed`: their mentions), but those a
    gazetteer, a sports report or a cue settled in some mention (`settled`: 'Heller argued'
    ... 'Heller'), decided by the learned model
    (`kinds`) once per distinct name, from the evidence of its mentions; the mentions are
    changed in place. A kind a cue gave (a title, a suffix, 'in X', 'X said') is right 93% of
    the time on the training names, a guess 75%: deciding only the guesses scored 0.922 by
    topic folds of dev, deciding every name 0.924, at several times the cost."""
    groups: dict[str, list[int]] = {}
    for i in guessed:
        groups.setdefault(mentions[i].canonical, []).append(i)
    lone: set[str] | None = None  # the keys of one-word mentions, for many-word names
    for name, at in groups.items():
        if name in settled:
            continue
        first = mentions[at[0]]
        named = [spans[i] for i in at]
        if lone is None:
            for s in named:  # a loop, not any(): no generator to start for each name
                if len(s.tokens) > 1:
                    lone = {sp.tokens[0].key for sp in spans if len(sp.tokens) == 1}
                    break
        kind = learned_kinds.decide_name(g, texts, named, first.kind, False, lone or set())
        if kind == PLACE and first.kind and _speaks(texts, named):
            kind = first.kind  # "..., said Tatler.": who speaks is a person or a body
        if kind != first.kind:
            for i in at:
                m = mentions[i]
                short = m.short or (kind == PERSON and " " not in m.canonical)
                mentions[i] = _new(Mention, (m.surface, m.canonical, kind, short))


def _speaks(texts: tuple[str, str], spans: list[_Span]) -> bool:
    """Whether a mention of the name is a speaker that ends its clause, right after a verb of
    speech ('..., said Tatler.', 'according to Sportico,'): no place speaks so (a place named
    for its government, 'said Moscow', is a gazetteer's, never guessed). The model reads the
    verb and the stop apart, and a stop after a name is a place's cue ('in Paris.'). Asked
    only where the model would make a guessed name of another kind a place."""
    return any(
        learned_kinds.speaks_at_clause_end(texts, s) for s in spans[: learned_kinds.CONTEXTS]
    )


def _evidence(
    g: Gazetteer,
    texts: tuple[str, str],
    mentions: list[Mention],
    spans: list[_Span],
    teams: set[str],
) -> dict[str, list[str]]:
    """The kind model's features of every name no gazetteer and no sports report settled,
    cued or guessed (the model learns from both; `scripts/build_kind_model.py`)."""
    settled = {
        m.canonical
        for m, s in zip(mentions, spans, strict=True)
        if s.known or (teams and m.canonical in teams)
    }
    groups: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        if m.canonical not in settled:
            groups.setdefault(m.canonical, []).append(i)
    lone = {s.tokens[0].key for s in spans if len(s.tokens) == 1}
    evidence: dict[str, list[str]] = {}
    for canonical, at in groups.items():
        named = [spans[i] for i in at]
        strong = any(s.strong for s in named)
        kind = mentions[at[0]].kind
        evidence[canonical] = learned_kinds.features(g, texts, named, kind, strong, lone)
    return evidence


# Nouns of events and products a name qualifies when it names one ("the AFCON final", "the
# Artemis II launch", "the Rafale jets", "the Epstein-Barr virus"), right after its run. Not a
# team's game or season, nor a deal or a campaign, which people and companies have; nor a film,
# an album or a song, which studios and bands make ("an HBO film", "a Cramps album" on ECB+'s
# dev topics). One regex match a mention: it fails at the first letter for most words.
# Romance articles written with a capital before a name ('La Fenice', 'El Chapo', 'Il Foglio')
_ROMANCE_ARTICLES = ("La ", "Le ", "El ", "Il ")
_THING_AFTER = re.compile(
    r" (?:finals?|launch|mission|rocket|jets|fighters?|app|chatbot|vaccine|virus)\b"
)
# The first letters of its nouns: the regex is asked only where one follows the blank
_THING_AFTER_FIRST = frozenset("flmrjacv")


# A name, then a person's name in brackets: a cast list's character and the actor who plays
# it ('Hester (Hera Hilmar)', 'Lt. Kara Wade (Jessica Biel)', 'Pluto Nash (Murphy)'). One
# regex search an entry with a body; the rest only runs where it matches.
# (the pattern starts with its literal blank and bracket: a search that began with a class of
# letters tried it at every letter of every body, +10% of the extraction's instructions)
_CAST = re.compile(r" \((?=[A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_'’.]+){0,2}\))")


def _without_characters(
    body: str, mentions: list[Mention], kept: list[_Span], guessed: list[int]
) -> tuple[list[Mention], list[_Span], list[int]]:
    """The entry's mentions without the fictional characters of a cast list: a name followed
    by a person's name in brackets, where the entry holds two such pairs or more (a film's
    review or a list of films, not a lone aside). A reader filtering people wants the actors,
    who are real; the characters go, in every mention of the entry."""
    ends: dict[int, int] = {}  # where a body run ends -> its last mention
    starts: dict[int, int] = {}  # where a body run starts -> its first mention
    for i, span in enumerate(kept):
        run_start, run_end, part = span.where
        if part:
            ends[run_end] = i
            starts.setdefault(run_start, i)
    characters: set[str] = set()
    pairs = 0
    for match in _CAST.finditer(body):
        actor = starts.get(match.end())  # the bracketed name, a run of its own
        character = ends.get(match.start())  # the name whose run ends at the bracket
        if actor is None or character is None or mentions[actor].kind != PERSON:
            continue
        if " " not in mentions[actor].canonical:
            continue  # a nickname ('Kimani (Kiki) Gray'), not an actor the entry names in full
        span = kept[actor]
        close = body.find(")", match.end())
        if span.where[1] != close or kept[character] is span:
            continue  # the bracket holds more than the name ('(Jessica Biel, right)')
        if body[close + 1 : close + 2] == " " and body[close + 2 : close + 3].isupper():
            continue  # the name goes on after the bracket ('Kimani (Kiki) Gray')
        if not body.endswith(kept[character].tokens[-1].surface, 0, match.start()):
            continue  # the run's last name is not the one before the bracket
        pairs += 1
        characters.add(mentions[character].canonical)
    if pairs < 2:
        return mentions, kept, guessed
    keep = [i for i, m in enumerate(mentions) if m.canonical not in characters]
    kept = [kept[i] for i in keep]
    return (
        [mentions[i] for i in keep],
        kept,
        [i for i, s in enumerate(kept) if not s.strong],
    )


def _couple(g: Gazetteer, spans: list[_Span], span: _Span) -> tuple[str, str] | None:
    """'billionaires Larry and David Ellison', 'a couple, Phillip and Nancy Garrido': a lone
    given name right before 'and' and a full name shares its surname. The given name's key and
    that person's name ('Phillip' ... 'Phillip Garrido'), for the entry to claim the given
    name with, unless the word is also a full name's surname there ('with Collins and Billy
    Ray' beside 'Suzanne Collins')."""
    start, _end, part = span.where
    at = spans.index(span)
    if not at:
        return None
    before = spans[at - 1]
    tokens = before.tokens
    if (
        len(tokens) == 1
        and not before.known
        and before.where[1] == start - 5
        and before.where[2] == part
        and tokens[0].lower in g.given_names
        # a place's or a thing's name is no surname ('the Peter and Paul Fortress')
        and not _nameless(span.tokens, nameless_words())
        and span.tokens[-1].lower not in g.place_nouns
    ):
        return tokens[0].key, _name_text(tokens + span.tokens[1:])
    return None


def _after_capital(texts: tuple[str, str], word: str) -> bool:
    """Whether the entry writes `word` right after a capitalised word: the surname of a name
    the extraction cut ('Stirling Moss', Stirling a town), not a lone given name."""
    pattern = re.compile(r"[A-Z][\w'’-]*[ \t]" + re.escape(word) + r"\b")
    return any(pattern.search(text) for text in texts)


def _family(g: Gazetteer, key: str, strong: dict[str, str | None]) -> bool:
    """Whether a word in the plural is a family's: its singular ('biden' of 'bidens',
    'garrido' of 'garridos') is the surname of a full name in the entry that evidence made a
    person's ('Nancy Garrido'; a guess, 'Tar Heel' of 'the Tar Heels', is none), or a
    person's name the gazetteer knows."""
    for stem in (key[:-1], key[:-2] if key.endswith("es") else ""):
        if not stem:
            continue
        if strong.get(stem):
            return True
        known = g.by_key.get(stem)
        if known is not None and known.kind == PERSON:
            return True
    return False


def _title_names_end_at_surname(spans: list[_Span]) -> list[_Span]:
    """A person's name in the title ends at the surname the body calls them by ('Attack on
    Taylor Swift Concert' ... 'Ms. Swift'): a Title Case headline runs the name into the next
    noun."""
    # the title's names come first: the few long ones are found before the body is read
    long_names = []
    for i, (tokens, kind, _name, _short, known, _strong, where, _written) in enumerate(spans):
        if where[2]:
            break
        if len(tokens) > 2 and kind == PERSON and not known:
            long_names.append(i)
    if not long_names:
        return spans
    surnames = {
        s.tokens[0].key
        for s in spans
        if s.where[2] and len(s.tokens) == 1 and s.kind == PERSON and s.strong
    }
    out = list(spans)
    for i in long_names:
        s = spans[i]
        tokens = s.tokens
        for j in range(1, len(tokens) - 1):
            if tokens[j].key in surnames:
                cut = tokens[: j + 1]
                out[i] = s._replace(tokens=cut, canonical=_name_text(cut), surface="")
                break
    return out


def _title_names_the_body_names(
    g: Gazetteer, spans: list[_Span], title: str, body: str
) -> list[_Span]:
    """A name the body gives is a name where a Title Case title writes it and no name of the
    title covers it: the headline's run is dropped ('Tarique Rahman Gets PM Modi's Letter',
    'Buckingham Palace 'Ready to Support' Police'), or loses its surname to the headline's verb
    ('Newsom Tells World Leaders to Stand Up to Trump'), but the entry itself names it. The
    body's names (its first word asked in the title first: most are not there) are
    - a name of two words or more, written word for word;
    - a surname the body gives alone and as the last word of a full name that opens with a
      given name ('Gavin Newsom' ... 'Newsom told reporters'), not a word the entry writes in
      lower case ('Young' beside 'young voters')."""
    title_spans = 0
    for span in spans:
        if span[6][2]:
            break
        title_spans += 1
    # a body name's last word must stand in the title, asked first: most names are not there
    hits = [s for s in spans[title_spans:] if s[0][-1].surface in title]
    if not hits:
        return spans
    # each name once (a title's own names come back all through a long body)
    longer: dict[tuple[_Token, ...], _Span] = {}
    for s in hits:
        if len(s[0]) > 1:
            longer.setdefault(s[0], s)
    names: dict[str, _Span] = {}
    surnames: list[str] = []
    given = g.given_names
    for tokens, span in longer.items():
        if tokens[0].surface in title:
            names.setdefault(_name_text(tokens), span)
        if len(tokens) < 4 and span[1] in (PERSON, "") and tokens[0].lower in given:
            surnames.append(tokens[-1].key)
    if not names and not surnames:
        return spans
    covered: list[tuple[int, int]] | None = None
    found: list[_Span] = []
    alone: dict[str, _Span] = {}
    if surnames:
        alone = {s[0][0].key: s for s in reversed(hits) if len(s[0]) == 1}
    for written, span in (
        *names.items(),
        *((alone[k][0][0].surface, alone[k]) for k in dict.fromkeys(surnames) if k in alone),
    ):
        if len(span.tokens) == 1 and _has_word((title, body), written.lower()):
            continue
        at = title.find(written)
        while at >= 0:
            end = at + len(written)
            if (at == 0 or not title[at - 1].isalnum()) and (
                end == len(title) or not title[end].isalnum()
            ):
                if covered is None:
                    covered = [_where(s, title) for s in spans[:title_spans]]
                if not any(a < end and at < b for a, b in covered):
                    found.append(span._replace(where=(at, end, 0)))
                    covered.append((at, end))
            at = title.find(written, end)
    if not found:
        return spans
    heads = sorted(spans[:title_spans] + found, key=lambda s: _where(s, title)[0])
    return heads + spans[title_spans:]


# After a surname, the government or the time of the person who led it: 'the Bush
# administration', 'a Bush - era rule', 'the Obama-era policy'
_LED_AFTER = re.compile(r"(?: | ?- ?)era\b| administration\b")


def _leads(title: str, body: str) -> bool:
    """Whether the entry writes 'administration' or 'era' after a word at all."""
    body, title = body or "", title or ""
    return " administration" in body or "era " in body or " administration" in title


def _led_by(
    g: Gazetteer, title: str, body: str, token: _Token, where: tuple[int, int, int]
) -> bool:
    """Whether a town's name that is a surname too stands before 'administration' or 'era':
    the person who led it ('the Bush administration' is no town Būsh's). Asked of the one-word
    places a cue or a town's name typed, as the spans are first read."""
    if not _weak_town(g, token.key):
        return False
    text = body if where[2] else title
    end = text.find(token.surface, where[0], where[1]) + len(token.surface)
    return _LED_AFTER.match(text, end) is not None


def _weak_town(g: Gazetteer, key: str) -> bool:
    """Whether a word's kind came from a town's name only (a hint: 'Tara', 'Tyler')."""
    known = g.by_key.get(key)
    return known is not None and known.weak


def _nameless(tokens: tuple[_Token, ...], nameless: frozenset[str]) -> bool:
    """Whether the last word of a name (its head, where a surname stands) is a frequent
    English word that no one is named (`gazetteer.nameless_words`: names-dataset knows no one
    called 'Magazine', 'Financial' or 'Realty', and does know 'Brown', 'Driver', 'Street')."""
    last = tokens[-1].lower
    return last not in CONNECTORS and last in nameless


def _person_adjective(
    g: Gazetteer, low: str, strong: dict[str, str | None], weak: dict[str, str | None]
) -> bool:
    """A lone word in '-ian' made of the name of a person the entry names in full or the
    gazetteer knows: the person's manner, no name ('Trumpian jolts'; not 'Cherian', whose stem
    names no one, nor 'Parisian', a place's)."""
    if not low.endswith("ian") or len(low) < 7:
        return False
    stem = low[:-3]
    if stem in strong or stem in weak:
        return True
    known = g.by_key.get(stem)
    return known is not None and known.kind == PERSON and not known.weak


# The connectors a run of ordinary words may hold ('Tower of Fantasy')
_PLAIN_CONNECTORS = frozenset(("of", "for", "the"))


def _headline_words(g: Gazetteer, tokens: tuple[_Token, ...]) -> bool:
    """Whether a title's name no gazetteer knows, not even as a hint, is made of ordinary
    English words (`gazetteer.nameless_words`: frequent, no one's first or family name); asked
    of a name the body never writes: a headline's capitals ('A New Chapter for Bangladesh',
    'What in the World?', 'The Drought', 'Privacy Policy'), not a name. A name a title gives
    is nearly always named in the body too, where its evidence is ('Netflix', 'California'
    are known)."""
    nameless = nameless_words()
    if len(tokens) == 1:
        if tokens[0].lower not in nameless or tokens[0].key in g.by_key:
            return False
    elif not all(t.lower in nameless or t.lower in _PLAIN_CONNECTORS for t in tokens) or all(
        t.lower in _PLAIN_CONNECTORS for t in tokens
    ):
        return False
    return True


def _cut_after_capital(g: Gazetteer, text: str, span: _Span) -> bool:
    """Whether a lone name was cut from the end of a mid-sentence run whose word before it is
    capitalised and no demonym ('elevate Good Luck to', 'orchestration of Everything
    Everywhere All', 'Kelly's First Amendment freedoms'; not 'the French Alps')."""
    run_start, run_end, _part = span.where
    if run_start < 2 or not (text[run_start - 2].islower() or text[run_start - 2] in ",;"):
        return False
    surface = span.tokens[0].surface
    start = text.find(surface, run_start, run_end)
    if start <= run_start or text[start - 1] != " ":
        return False
    at = text.rfind(" ", run_start, start - 1)
    prev = text[at + 1 if at >= 0 else run_start : start - 1]
    return prev[:1].isupper() and prev.isalpha() and prev.lower() not in g.demonyms


_SPOKEN = frozenset(SPEECH_VERBS) | {"says", "writes", "according", "talked", "spoke"}
_POSSESSIVE = ("'s", "’s")


def _word_at(text: str, word: str) -> list[int]:
    """Where `word` stands as a word of its own in `text`."""
    found = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            found.append(at)
        at = text.find(word, end)
    return found


def _capital_name(g: Gazetteer, word: str) -> bool:
    """A word that may be a name's: capitalised, and if in capitals no common noun's acronym
    ('the WBC and IBF belts'; not 'HTML and PDF')."""
    word = word.strip(",.;:!?()\"'“”‘’")
    if not word[:1].isupper():
        return False
    return not word.isupper() or (word.isalpha() and word not in common_acronyms())


def _cued(g: Gazetteer, text: str, start: int, end: int, *, joined_after: bool = True) -> bool:
    """Whether the words around text[start:end] make it a name: a possessive or a verb of
    speech after it ("AMD's", 'Wired said'), a title or a role's noun before or after it ('AMD
    CEO', 'Virgin boss', 'watchdog Ofcom'), a capitalised word right after it (a longer name's
    word), a verb of speech before it ('said Esquire', 'said to Wired', 'said X in Slate'), a
    name beside it by 'and', 'or', '&', 'at' or a comma ('Nvidia and AMD', 'Schleicher at
    Slate'; after it too with `joined_after`: 'AMD and Nvidia', where an adjective's would be a
    title's words, 'the Diagnostic and Statistical Manual'), or a capitalised name it shortens in
    brackets ('Advanced Micro Devices (AMD)')."""
    after = text[end : end + 60]
    if after.startswith(_POSSESSIVE) or SPEECH_AFTER.match(text, end):
        return True
    following = after.split(None, 2)
    if following:
        first = following[0]
        low = first.strip(",.;:!?)\"'”’").lower()
        if low in g.titles or low in g.lower_titles:
            return True
        if after[:1] == " " and _capital_name(g, first):
            return True
        if (
            joined_after
            and len(following) > 1
            and (first in ("and", "or", "&") or after[:1] == ",")
            and _capital_name(g, following[1] if first in ("and", "or", "&") else first)
        ):
            return True
    before = text[max(0, start - 60) : start]
    words = before.split()
    if not words:
        return False
    prev = words[-1].lower()
    if prev in g.lower_titles or prev in g.org_nouns or prev in _SPOKEN:
        return True
    if len(words) > 1:
        if prev in ("to", "in", "at", "on", "by") and words[-2].lower() in _SPOKEN:
            return True
        if prev in ("and", "or", "&", "at") and _capital_name(g, words[-2]):
            return True
        if words[-1].endswith(",") and _capital_name(g, words[-1]):
            return True
        if before.endswith("(") and _capital_name(g, words[-2]):
            return True
    return bool(CITED.search(before))


# Words before a name that say nothing of a common noun's use: a bare name follows them as
# readily ('shares of AMD', 'a deal with AMD')
_PREPOSITIONS = frozenset(
    [
        "of",
        "with",
        "to",
        "for",
        "from",
        "by",
        "at",
        "on",
        "in",
        "into",
        "onto",
        "against",
        "between",
        "about",
        "like",
        "than",
        "via",
        "over",
        "under",
        "after",
        "before",
        "during",
        "without",
        "within",
        "through",
        "across",
        "toward",
        "towards",
        "versus",
        "vs",
    ]
)


def _common_use(text: str, run_start: int, surface: str) -> bool:
    """Whether the word right before `surface` (found from `run_start`) is a common noun's
    modifier or determiner: in lower case, no preposition, no sentence's end before it ('a
    colourful LED wall', 'a premium electric SUV', 'a “normal BMI', 'natural light inside, LED
    panels'; not 'Shares of AMD fell')."""
    start = text.find(surface, run_start)
    if start < 2 or text[start - 1] != " ":
        return False
    at = text.rfind(" ", 0, start - 1)
    prev = text[at + 1 : start - 1].lstrip("\"'“‘(")
    return prev[:1].islower() and prev[-1] not in ".!?:;" and prev.rstrip(",") not in _PREPOSITIONS


def _plain_in_sentence(g: Gazetteer, text: str, span: _Span) -> bool:
    """Whether a lone word stands inside a sentence, after a word in lower case or a number
    (not after a stop, a colon, a comma or a quotation mark), with nothing beside it that makes
    it a name (`_cued`)."""
    run_start, run_end, _part = span.where
    surface = span.tokens[0].surface
    start = text.find(surface, run_start, run_end)
    if start < 2 or text[start - 1] != " ":
        return False
    at = text.rfind(" ", 0, start - 1)
    prev = text[at + 1 : start - 1]
    if not prev or not (prev[0].islower() or prev[0].isdigit()) or prev[-1] in ".!?:;,":
        return False
    return not _cued(g, text, start, start + len(surface), joined_after=False)


def _lower_elsewhere(texts: tuple[str, str], low: str, seen: dict[str, bool]) -> bool:
    """`tokens._written_lower`, answered once per word of an entry."""
    known = seen.get(low)
    if known is None:
        known = seen[low] = _written_lower(texts, low)
    return known


# A comma, then what may be a state's AP abbreviation or a subdivision's dotted initials (group
# 1): 'Calif.', 'N.M.', 'W.Va.', 'B.C.', and 'N. Y.' as ECB+ spaces it; one pattern of one branch
# a shape, its match then looked up (a branch for each of the 45 abbreviations was tried at
# every comma)
_ABBREVIATION_AFTER_COMMA = re.compile(
    r", ((?:[A-Z]\. ?){1,2}[A-Z]\.|[A-Z][a-z]{1,4}\.|[A-Z]\. ?[A-Z][a-z]\.)(?![\w.'’-])"
)
_DOTTED_INITIALS = re.compile(r"(?:[A-Z]\.){2,3}")


def _state_after_comma(
    g: Gazetteer,
    texts: tuple[str, str],
    mentions: list[Mention],
    spans: list[_Span],
    cued: set[str],
) -> None:
    """'Buena Vista, N.M.', 'Birmingham, Ala.', 'Schenectady, N. Y.', 'Vancouver, B.C.': a US
    state's AP abbreviation, or a subdivision's initials written with dots and no blank (of the
    ISO 3166-2 names of two words or more, `Gazetteer.subdivision_initials`), after a name and
    a comma is the state or the province, and the name before it a place in it (unless a data
    set typed it, or it is a person's by evidence: 'John Smith, Ga.' is rare in news, but 'Rep.
    John Lewis, D-Ga.' is written otherwise; after a person's name the initials are no
    subdivision's: 'Jane Doe, M.D.' is a doctor's degree). Read after the kind model, so its
    training examples are the rules' alone. The mentions are changed in place, and their names
    join `cued` (the kind model leaves them)."""
    states = g.state_abbreviations
    # per part: the commas' offsets, and where each abbreviation starts -> where it ends
    found: list[tuple[set[int], dict[int, int]]] = []
    initials: set[tuple[int, int]] = set()  # (part, comma) of the subdivisions' initials
    for part, text in enumerate(texts):
        commas: set[int] = set()
        starts: dict[int, int] = {}
        if ", " in text:
            for hit in _ABBREVIATION_AFTER_COMMA.finditer(text):
                written = hit.group(1)
                form = written.replace(" ", "")
                if form not in states:
                    if not (
                        form == written
                        and _DOTTED_INITIALS.fullmatch(form)
                        and form.replace(".", "") in g.subdivision_initials
                    ):
                        continue
                    initials.add((part, hit.start()))
                commas.add(hit.start())
                starts[hit.start(1)] = hit.end(1)
        found.append((commas, starts))
    if not (found[0][0] or found[1][0]):
        return
    if initials:
        for m, span in zip(mentions, spans, strict=True):
            start, end, part = span.where
            if m.kind == PERSON and (part, end) in initials:
                commas, starts = found[part]
                commas.discard(end)
                starts.pop(end + 2, None)
    for i, (m, span) in enumerate(zip(mentions, spans, strict=True)):
        start, end, part = span.where
        commas, starts = found[part]
        # the mention is the abbreviation, not a name it opens ('Your friend, G.K. Chesterton')
        abbreviation = starts.get(start, -1) >= end
        if m.kind == PLACE or span.known or not (end in commas or abbreviation):
            continue
        if not abbreviation and (
            (m.kind == PERSON and span.strong)
            or _where(span, texts[part])[1] != end  # the name ends its run, at the comma
        ):
            continue
        mentions[i] = _new(Mention, (m.surface, m.canonical, PLACE, False))
        cued.add(m.canonical)


def _one_kind(mentions: list[Mention], spans: list[_Span], disputed: set[str]) -> None:
    """One name, one kind within an entry: where its mentions disagree ('IG Metall' an
    organisation after 'the', a person in a headline), the kind with the most evidence wins
    (a mention whose kind rests on evidence counts twice a guess; a tie goes to the first).
    Called with the names `_mentions` saw with two kinds, and only those are counted; the
    mentions are changed in place."""
    votes: dict[str, dict[str, int]] = {}
    for m, span in zip(mentions, spans, strict=True):
        if m.canonical not in disputed:
            continue
        tally = votes.setdefault(m.canonical, {})
        tally[m.kind] = tally.get(m.kind, 0) + (2 if span.strong else 1)
    # dicts keep order: the first kind wins a tie
    winners = {name: max(t, key=t.__getitem__) for name, t in votes.items()}
    for i, m in enumerate(mentions):
        kind = winners.get(m.canonical)
        if kind is not None and kind != m.kind:
            mentions[i] = Mention(m.surface, m.canonical, kind, m.short and kind == PERSON)


@lru_cache(maxsize=4096)
def _byline_keys(author: str) -> frozenset[str]:
    """The name keys of a byline ('By Ann Lee and Bo Chan' -> 'ann lee', 'bo chan')."""
    return frozenset(k for k in (fold_key(n) for n in BYLINE_SPLIT.split(author)) if k)


def _claim(names: dict[str, str | None], key: str, canonical: str) -> None:
    """Give a short form to one full name; two different names sharing it leave it to none."""
    if names.get(key, canonical) != canonical:
        names[key] = None
    else:
        names[key] = canonical


__all__ = [
    "ORG",
    "PERSON",
    "PLACE",
    "Mention",
    "article_key",
    "clear_caches",
    "extract",
    "extract_located",
    "surname_key",
]

"""One entry's capitalised runs cut into names, each with a kind and the evidence for it.

`_Extractor` scans an entry's title and body for capitalised runs, decides at once the runs a
gazetteer or a stop word settles (cached by their text, `runcache`), and cuts the others into
names with titles and honorifics ("President", "Mr"), lower-case role words ("spokesman Dmitry
Peskov"), name suffixes ("... Ministry", "... region") and evidence from the rest of the entry
(a word that starts a sentence counts only if the entry also capitalises it mid-sentence).
Mid-sentence runs whose cut needed no context are cached by their text too (`runcache._CUTS`).

The extraction's steps live in modules of one job each, in the order of the data flow:
`tokens` (runs and tokens), `scan` (the runs found in reading order; a mixin of `_Extractor`),
`runcache` (runs settled by their text), `runs` (tests of a run before its cut), this module
(the cut), `pending` (the name being collected and the spans made of it), `context` (the kind
the words around a name give it; a mixin of `_Extractor`), with the word classes of `cues`;
`extract` turns the spans into mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from wirereader.analysis.entities.context import (
    _NEXT_WORD,
    Read,
    _asks,
    _ContextKinds,
    _speech_after,
    _spelled_by_acronym,
)
from wirereader.analysis.entities.cues import (
    ARTICLE_BEFORE,
    CONNECTORS,
    CORPORATE,
    FACILITY_LAST,
    MAX_NAME_WORDS,
    MODEL_NUMBER,
    NOT_ALONE,
    ORG,
    ORG_FIRST,
    ORG_LAST,
    PERSON,
    PERSON_LAST,
    PHRASE_END,
    PLACE,
    PLACE_FIRST,
    PLACE_LAST,
    PLACE_OF,
    POSITIONS,
    REGION_WORDS,
    ROMAN,
    THING_FIRST,
    THING_LAST,
    VESSEL_PREFIXES,
    acronym_plural,
    adjective,
    demonym_compound,
    never_alone,
    org_ahead,
    plural,
)
from wirereader.analysis.entities.gazetteer import (
    EVENT,
    TITLE,
    Gazetteer,
    Known,
    fold_key,
    nameless_words,
    nationalities,
)
from wirereader.analysis.entities.pending import (
    _ELECT,
    _adjacent,
    _institution_heads,
    _known_span,
    _Pending,
)
from wirereader.analysis.entities.runcache import (
    _CONTEXT_CUTS,
    _CONTEXT_LIMIT,
    _CONTEXT_VARIANTS,
    _CUTS,
    _FAST_LIMIT,
    _OPENER_CUTS,
    _WORDS,
)
from wirereader.analysis.entities.runs import (
    _ANY_CAPITAL_ARTICLE,
    _WORD_SPAN,
    _after_adjective,
    _title_article,
    _written_as_verb,
)
from wirereader.analysis.entities.scan import (
    _ELISION_MARKS,
    _Scanner,
)
from wirereader.analysis.entities.tokens import (
    _has_word,
    _is_title_case,
    _name_text,
    _Run,
    _Span,
    _spelled,
    _spelled_as,
    _Token,
    _token,
)

# A headline line is short; a longer line in Title Case is shouting or a list of names.
_HEADLINE_CHARS = 120
# Words written in capitals before a name that are no part of it: ships' prefixes, players'
# positions (see `cues`)
_PREFIXES = VESSEL_PREFIXES | POSITIONS
# Articles that open a sentence before a name ("The New England Patriots")
_OPENING_ARTICLES = frozenset(("the", "a", "an"))


_BLANKS = frozenset(" \t")


# 'and' / 'or' and up to four capitalised words after a name (see `_elided_thing`); the
# literal test first, since most names are followed by neither
_AND_OR = (" and ", " or ")
# A game's score right after a name ("Real Madrid 1-0"; see `teams`)
_SCORE_AFTER = re.compile(r"[ \t]+\(?\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%])")


_new = tuple.__new__


# Titles after a government's portfolio or a court's level ('Commerce Secretary', 'Transport
# Minister', 'District Judge')
_PORTFOLIO_TITLES = frozenset(("secretary", "minister", "judge"))
# The nouns of meetings a place's name and a topic name ("Berlin Energy Conference"); a
# meeting is an event, no entity (the judgements' convention: events are no names).
_MEETINGS = frozenset(("conference", "forum", "summit"))

# The words that open an office's portfolio after its title ("Minister for Planning",
# "Secretary of Health"), and how many words of a portfolio an office's name runs to.
_PORTFOLIO_LINKS = frozenset(("for", "of"))
_MAX_PORTFOLIO = 4


# The words an institution's noun is linked by to what names it (see `_institution_of`)
_LINKS = frozenset(("of", "for", "the"))

# A generational suffix ('Jr.', 'Sr.', 'III'), lower-cased without its dot, as `_Token.lower`
_GENERATIONAL = frozenset(("jr", "sr", "jnr", "snr", "ii", "iii", "iv"))

# Days of the week: US news writes the day right after the subject ("Judge Richard Leon
# Thursday blocked the Pentagon"), where no surname stands
_WEEKDAYS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)


# A word's record: the tests of `_Extractor._cut` and `_single` that read the word alone,
# answered once per distinct word and kept as bit flags in `runcache._WORDS` (by the surface:
# the key and the lower case follow from it), so the cut reads one int where it asked up to
# eight sets and `_match` a word. Per warm ECB+ article `_cut` 3,004 -> 2,727 bytecodes,
# `_match` 1,122 -> 736, `_single` 1,280 -> 1,094; a new word costs ~70 (docs/architecture.md,
# 2026-12-07). Bounded as `_FAST` is: 200,000 words, 7.7 MB for the dict, 104 KB after the
# three bench corpora (4,523 words).
_CONNECTOR = 1  # low in CONNECTORS
_TITLE_OR_ELECT = 2  # a title, or a title's '-elect' / '-designate'
_PREFIX = 4  # a ship's prefix or a player's position (`_PREFIXES`)
_UNKNOWN = 8  # `_match` finds nothing at the word: no known name is or opens with it
_ROYAL = 16
_TITLE = 32
_REGION = 64  # REGION_WORDS
_ORDINARY = 128  # g.ordinary
# ... and those `_Extractor._single` reads of a lone word:
_ORG_WORD = 256  # an organisation's last word ('Police') or an acronym's shape ('NATO')
_TOWN = 512  # a gazetteer name spelled as the word (a town's, mostly): `g.by_key[key]`
_GIVEN = 1024  # a given name
_SHOUTED = 2048  # written in capitals and longer than an acronym: shown in Title Case
_ROYAL_OR_TITLE = _ROYAL | _TITLE
_NOT_NAME_WORD = _ROYAL | _TITLE | _REGION | _ORDINARY  # a name's word is none of them


# The flags the short word lists give, by a word's lower case (filled on the first word, 0.2
# ms: one dict lookup then answers the seven lists for a new word; the 15,533 given names are
# asked apart, a table of them cost 1.3-2.6 ms a process)
_LISTED: dict[str, int] = {}


def _fill_listed(g: Gazetteer) -> dict[str, int]:
    listed = dict.fromkeys(g.ordinary, _ORDINARY)
    for words, flag in (
        (CONNECTORS, _CONNECTOR),
        (g.titles, _TITLE | _TITLE_OR_ELECT),
        (g.royal, _ROYAL),
        (REGION_WORDS, _REGION),
        (ORG_LAST, _ORG_WORD),
    ):
        for word in words:
            listed[word] = listed.get(word, 0) | flag
    for title in g.titles:  # 'prime minister-elect': `_elect`, answered by the table
        for ending in _ELECT:
            listed[title + ending] = listed.get(title + ending, 0) | _TITLE_OR_ELECT
    _LISTED.update(listed)
    return _LISTED


def _word_flags(g: Gazetteer, tok: _Token) -> int:
    """A word's record (the flags above), worked out the first time the word is seen (its key
    and lower case follow from its surface, so any token of that surface gives the same)."""
    surface, key, low, _possessive, _written = tok
    flags = (_LISTED or _fill_listed(g)).get(low, 0)
    if low in g.given_names:
        flags |= _GIVEN
    if surface in _PREFIXES:
        flags |= _PREFIX
    if surface.isupper():
        if 2 <= len(surface) <= 6:
            flags |= _ORG_WORD
        elif len(surface) > 6:
            flags |= _SHOUTED
    town = g.by_key.get(key)
    if town is None:
        if key not in g.multi_first and g.by_acronym.get(surface.replace(".", "")) is None:
            flags |= _UNKNOWN
    elif _spelled_as(surface, town.canonical):
        flags |= _TOWN
    if len(_WORDS) >= _FAST_LIMIT:
        _WORDS.clear()  # bounded: hostile input cannot grow it forever
    _WORDS[surface] = flags
    return flags


# The verbs a quoted writer's name follows, with their blank (`_quoted_writer`), and what
# follows the name: 'in' / 'at' / 'on' and a publication's capital
_QUOTED_BY = ("said ", "says ", "wrote ", "writes ")
_WRITER_AFTER = re.compile(r",? (?:in|at|on) (?:[Tt]he )?[A-Z]")
# A person's initials, each with its dot ('J.', 'J.M.', 'J.R.R.')
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_MIDDLE_INITIAL = re.compile(r"[A-Z]\.")  # one letter and its dot, after a given name


# Initials written with dots: 'N.M.', 'D.C.', 'P.E.I.'


class _Extractor(_Scanner, _ContextKinds):
    """One entry's extraction; holds the evidence gathered from the whole entry."""

    def __init__(self, g: Gazetteer, title: str, body: str) -> None:
        self.g = g
        self.texts = (title, body)
        # Runs in reading order: a span already decided, or a run to cut with the evidence.
        self.items: list[_Span | _Run] = []
        # Words the entry capitalises mid-sentence: a sentence-initial word is a name only then.
        self.mid_caps: set[str] = set()
        # Of those, the last words of the runs: the words that end a name (see `_ends_name`)
        self.tail_caps: set[str] = set()
        self._inner_tails: dict[str, bool] = {}  # `_ends_name`'s answers for other words
        # Whether the line starting at an offset is a Title Case headline, once per line
        self.title_lines: dict[tuple[int, int], bool] = {}
        # Runs that 'on' / 'and' alone parts from the run before: (the later run's index in
        # `items`, the word), looked at once the runs are cut (`_join_linked`)
        self.links: list[tuple[int, str]] = []
        # "Sixers Hire Maurice Cheeks as Head Coach\nMaurice Cheeks was...": a body opening
        # with a short Title Case line opens with its headline, whose capitals say nothing
        # of the words' being names (`prose_caps`)
        line = body.find("\n", 0, _HEADLINE_CHARS + 1)
        self.headline_end = line if line > 0 and _is_title_case(body[:line]) else 0
        self.headline_runs: list[tuple[tuple[_Token, ...], bool]] = []
        # The works' titles the entry quotes ('“Ben-Hur”', '‘Sirat’'): the scan drops their runs
        self.quoted: set[str] = set()
        self._scan(title, 0, _is_title_case(title))
        self._scan(body, 1, False)
        # The words the prose (no headline) capitalises mid-sentence: what tells a headline's
        # verb before a given name (`_headline_word`) and a word its cuts leave alone; the
        # body's headline counts in `mid_caps` as before (it vouches for the title's words:
        # without it ECB+ dev's thread recall falls, docs/architecture.md)
        self.prose_caps: set[str] | frozenset[str] = self.mid_caps
        if self.headline_runs:
            self.prose_caps = frozenset(self.mid_caps)
            for tokens, initial in self.headline_runs:
                self.mid_caps.update(t.key for t in (tokens if not initial else tokens[1:]))
                if not initial or len(tokens) > 1:
                    self.tail_caps.add(tokens[-1].key)
        self.used_context = False
        self.reads = None  # the questions a cut asked of its context (`context._asked_at`)
        self.read_text, self.read_base = "", 0
        self.heads = _institution_heads(g)

    # -- evidence ---------------------------------------------------------------------------

    def _common_word(self, token: _Token) -> bool:
        """Whether a capitalised word is an ordinary word that merely starts a sentence."""
        low = token.lower
        if low in self.g.ordinary:
            return True
        if token.key in self.mid_caps or low in self.g.given_names:
            return False
        if "-" in token.surface and token.surface.rsplit("-", 1)[1][:1].islower():
            return True  # "Long-time", "Far-right": a compound word, not a name
        # Written in lower case elsewhere in the entry ('Damages were ... repair the damages.')
        return low.endswith(("ing", "ed", "ly")) or _has_word(self.texts, low)

    def _capitalised_mid(self, key: str) -> bool:
        """Whether the entry capitalises a word mid-sentence (a question an opening run's cut
        asks through `_asked_key`, to be cached with its answer)."""
        return key in self.mid_caps

    def _question(self, text: str, end: int) -> bool:
        """`context._asks` of the sentence going on at `end`, as a recorded question."""
        return _asks(text, end)

    def _ends_name(self, key: str) -> bool:
        """Whether the entry ends a name mid-sentence with a word: a run's last word
        (`tail_caps`, kept by the scan), or a possessive, or a word before 'of', a stop word
        ('Saturday') or a suffix ('LuAnn Johnson of Burnsville', 'Maurice Cheeks Saturday',
        'Arcade Comeaux Jr.'). A lone word opening a sentence is a name if the entry also
        writes it so ('Trump' ... 'Donald Trump'), not if it only opens or qualifies longer
        names ('Corruption' ... 'Corruption Perception Index', 'Handball' ... 'European Men's
        Handball Championship'). Words inside runs are looked at only for a word that needs
        it (once in several entries), not in the scan, which runs for every run."""
        if key in self.tail_caps:
            return True
        known = self._inner_tails.get(key)
        if known is not None:
            return known
        known = False
        stopwords = self.g.stopwords
        for item in self.items:
            if isinstance(item, _Span):
                continue
            # fields unpacked once: this loop visits every run of the entry
            _start, _end, tokens, initial, title_case, _part = item
            if title_case:
                continue
            for k in range(1 if initial else 0, len(tokens) - 1):
                tok = tokens[k]
                if tok.key == key:
                    nxt = tokens[k + 1].lower
                    if (
                        tok.possessive
                        or nxt in CONNECTORS
                        or nxt in stopwords
                        or nxt in PERSON_LAST
                    ):
                        known = True
                        break
            if known:
                break
        self._inner_tails[key] = known
        return known

    # -- cutting runs into spans --------------------------------------------------------------

    def spans(self) -> list[_Span]:
        out: list[_Span] = []
        texts = self.texts
        mid_caps, by_key = self.mid_caps, self.g.by_key
        links = self.links
        headline_end = self.headline_end  # read once: asked of every body run
        starts: list[int] = []  # where each item's spans begin in `out`, when runs are linked
        for item in self.items:
            if links:
                starts.append(len(out))
            if isinstance(item, _Span):
                out.append(item)
                continue
            # fields unpacked once: a named tuple's field read by name is a descriptor call
            start, end, tokens, initial, title_case, part = item
            text = texts[part]
            if not (initial or title_case) and len(tokens) > 1:
                # A cached cut holds where it was made: not after a quoting verb, where two or
                # three words may be a quoted writer's ('said Memphis Barker in The Daily
                # Telegraph', `_quoted_writer`, asked by `_cut` alone), nor in a body's
                # headline, whose runs are cut at its verbs first, reading the entry
                # (`_headline_pieces`: '## Meandering towards Design Systems')
                fresh = (part and start < headline_end) or (
                    len(tokens) < 4 and text.endswith(_QUOTED_BY, 0, start)
                )
                cached = None if fresh else _CUTS.get(text[start:end])
                if cached is not None:
                    where = (start, end, part)
                    if len(cached) == 1:  # most runs are one name: no comprehension's frame
                        out.append(_new(_Span, (*cached[0], where, "")))
                    else:
                        out += [_new(_Span, (*fields, where, "")) for fields in cached]
                    continue
                variants = None if fresh else _CONTEXT_CUTS.get(text[start:end])
                if variants is not None and self._reused(variants, text, start, part, out):
                    continue  # cut before where the words around it asked the same
                if (
                    len(tokens) > 2
                    and _ANY_CAPITAL_ARTICLE.search(text, start, end)
                    and _title_article(text, start, end)
                ):
                    continue  # "her hit Like A Virgin": a work's title mid-sentence (never cached)
            runs: Sequence[_Run] = (item,)
            if title_case and not part and len(tokens) > 2:
                # "Sixers Hire Maurice Cheeks as Head Coach": the title cut at its verb too
                runs = self._title_pieces(text, item) or runs
            if not title_case and (
                (initial and len(tokens) > 2) or (part and start < headline_end)
            ):
                if not part and tokens[1].key in mid_caps and self._body_names_rest(tokens):
                    # "Fake Berlin Wall fragments on sale": the body says "the Berlin Wall"
                    second = tokens[1].surface
                    at = text.find(second, start + len(tokens[0].surface))
                    runs = (_Run(at, end, tokens[1:], False, False, part),)
                else:
                    # a headline's first run opens its line; its later runs, after a
                    # lower-case word, are cut as usual
                    pieces = self._headline_pieces(text, item)
                    if pieces is not None:  # [] when every word is the headline's
                        runs = pieces
            for run in runs:
                if run is not item:  # a piece of the run: the item's fields are unpacked above
                    start, end, tokens, initial, title_case, part = run
                plain = not (initial or title_case)
                if initial and len(tokens) == 1:
                    key = tokens[0].key  # read once: a field read by name is a descriptor call
                    if (
                        (key not in mid_caps or not self._ends_name(key))
                        and (key not in by_key or self._prose_lower_town(tokens[0]))  # a town
                        and not _speech_after(text, end)
                    ):
                        continue  # one unknown word opening a sentence, never seen mid-sentence
                if plain and len(tokens) == 1 and "-" not in tokens[0].surface:
                    self._single(text, run, out)
                    continue
                # a run opening a sentence outside a Title Case line or a body's headline:
                # its cut is cached with the answers of the questions it asked of the entry
                # (`runcache._OPENER_CUTS`, which says what the key covers)
                opener = initial and not title_case and not (part and item[0] < headline_end)
                if opener:
                    variants = _OPENER_CUTS.get(text[start:end])
                    if variants is not None and self._reused(variants, text, start, part, out):
                        continue
                first = len(out)
                self.used_context = False
                if opener or (plain and not (part and item[0] < headline_end)):
                    self.reads, self.read_text, self.read_base = [], text, start
                self._cut(text, run, out)
                if opener and not self.used_context:
                    reads, self.reads = self.reads, None
                    self._keep_context_cut(
                        text[start:end], reads or [], out[first:], start, _OPENER_CUTS
                    )
                elif plain and not self.used_context:
                    reads, self.reads = self.reads, None
                    if not reads:
                        # Mid-sentence and decided by the words alone: the next entry reuses
                        # the cut.
                        if len(_CUTS) >= _FAST_LIMIT:
                            _CUTS.clear()
                        _CUTS[text[start:end]] = [span[:6] for span in out[first:]]
                    elif len(out) >= first:
                        # decided by the words alone and the recorded questions' answers
                        self._keep_context_cut(
                            text[start:end], reads, out[first:], start, _CONTEXT_CUTS
                        )
                self.reads = None
        if links:
            starts.append(len(out))
            for at, word in reversed(links):
                self._join_linked(out, starts, at, word)
        return out

    @staticmethod
    def _keep_context_cut(
        key: str,
        reads: list[Read],
        spans: list[_Span],
        start: int,
        cache: dict[str, list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]],
    ) -> None:
        """Keep a run's cut with the questions its context answered (`_CONTEXT_CUTS`, or
        `_OPENER_CUTS` for a run opening a sentence)."""
        variants = cache.get(key)
        if variants is None:
            if len(cache) >= _CONTEXT_LIMIT:
                cache.clear()  # bounded: hostile input cannot grow it forever
            variants = cache[key] = []
        elif len(variants) >= _CONTEXT_VARIANTS:
            return
        placed = [
            (span[:6], span.where[0] - start, span.where[1] - start, span.surface) for span in spans
        ]
        variants.append((tuple(reads), placed))

    def _reused(
        self,
        variants: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]],
        text: str,
        start: int,
        part: int,
        out: list[_Span],
    ) -> bool:
        """Add the spans of the first cached cut of this run's text whose questions this
        place answers the same (`_replayed`); whether one did (`_CONTEXT_CUTS`,
        `_OPENER_CUTS`)."""
        for asked, placed in variants:
            if self._replayed(asked, text, start, part):
                if len(placed) == 1:  # most cuts are one name: no comprehension's frame
                    fields, s, e, surface = placed[0]
                    out.append(_new(_Span, (*fields, (start + s, start + e, part), surface)))
                else:
                    out += [
                        _new(_Span, (*fields, (start + s, start + e, part), surface))
                        for fields, s, e, surface in placed
                    ]
                return True
        return False

    def _join_linked(self, out: list[_Span], starts: list[int], at: int, word: str) -> None:
        """One institution's name written as two runs parted by 'on' or 'and', joined:
        - 'on' after an institution's noun ('House Committee on Foreign Affairs', 'Council
          on Foreign Relations');
        - 'and' after an institution's noun, 'of' / 'for' and its portfolio ('Ministry of
          Health and Family Welfare', 'Department for Culture and Media'), unless the words
          after 'and' end as an institution's own name (two bodies);
        - 'and' between frequent English words no one is named (`nameless_words`) before an
          organisation's last word ('Food and Drug Administration', 'Immigration and Customs
          Enforcement').
        The run after the word is one name no gazetteer knows and no title or given name makes
        a person's ('Pakistan and India', 'the Council on Monday', 'Ministry of Defence and
        President Zelensky' stay apart). `at`: the later run's index in `items`."""
        first_run, second_run = self.items[at - 1], self.items[at]
        assert isinstance(first_run, _Run) and isinstance(second_run, _Run)
        a0, b0, b1 = starts[at - 1], starts[at], starts[at + 1]
        tokens = second_run.tokens
        given = self.g.given_names
        if (
            b1 == b0
            or any(s.known for s in out[b0:b1])
            or any(t.lower in given or t.possessive for t in tokens)
        ):
            return
        second = out[b1 - 1]
        last_low = tokens[-1].lower
        heads = self.heads
        before = first_run.tokens
        first = out[b0 - 1] if b0 - a0 == 1 else None  # the run before is one name, or none
        if first is not None and (
            first.known
            or first.kind == PERSON
            or first.tokens[-1] is not before[-1]  # it ends the run before
            or before[-1].possessive
        ):
            return
        link = _token(word)
        # "Immigration and Customs Enforcement (ICE)": the acronym after the name spells both
        # runs, whatever their last word and kind
        spelled = word == "and" and _spelled_by_acronym(
            self.texts[second_run.part],
            second_run.end,
            (*(before[1:] if before[0].lower == "the" else before), *tokens),
        )
        if word == "on" or (last_low not in ORG_LAST and not spelled):
            # after an institution's noun, or its noun, 'of' and a portfolio
            if first is None:
                return
            words = first.tokens
            if word == "on":
                if words[-1].lower not in heads:
                    return
            elif not any(
                words[k].lower in heads and words[k + 1].lower in ("of", "for")
                for k in range(len(words) - 1)
            ):
                return
            joined = (*words, link, *tokens)
            lo, start = b0 - 1, first.where[0]
            b0 = b1 - 1
        else:
            # frequent words no one is named, 'and', and an organisation's name
            nameless = nameless_words()
            if before[0].lower == "the":
                before = before[1:]
            if (
                len(before) > 2
                or not before
                or b1 - b0 != 1
                or (second.kind != ORG and not spelled)
                or (first is None and not first_run.initial)
                or (first is not None and len(first.tokens) != len(before))
                or not (
                    spelled
                    or (
                        all(t.lower in nameless for t in before)
                        and all(t.lower in nameless for t in tokens[:-1])
                    )
                )
            ):
                return
            joined = (*before, link, *tokens)
            lo, start = a0, first_run.start
        where = (start, second_run.end, second_run.part)
        out[lo : b0 + 1] = [_Span(joined, ORG, _name_text(joined), False, False, True, where)]

    # -- evidence ---------------------------------------------------------------------------

    def _headline_pieces(self, text: str, run: _Run) -> list[_Run] | None:
        """A run of a Title Case line in the body ('Sixers Hire Maurice Cheeks', 'Murder Of
        Zurana Horton', 'Win Over Chiefs') cut at the words the entry also writes in lower
        case or that are stop words: the names between them. None when the line is no
        headline or nothing cuts the run."""
        after = _NEXT_WORD.match(text, run.end)
        if after is not None and len(after.group(1)) > 3:
            return None  # a long word in lower case goes on: no Title Case line
        at = run.start - _HEADLINE_CHARS
        line_start = text.rfind("\n", at if at > 0 else 0, run.start) + 1  # not max(): a call
        if line_start == 0 and run.start > _HEADLINE_CHARS:
            return None  # no line break in reach before it: a paragraph, not a headline
        line_end = text.find("\n", run.end, line_start + _HEADLINE_CHARS + 1)
        if line_end < 0:
            if len(text) - line_start > _HEADLINE_CHARS:
                return None
            line_end = len(text)
        title_case = self.title_lines.get((run.part, line_start))
        if title_case is None:
            title_case = _is_title_case(text[line_start:line_end])
            self.title_lines[(run.part, line_start)] = title_case
        if not title_case:
            return None
        tokens = run.tokens
        cuts = [i for i, tok in enumerate(tokens) if self._headline_word(tokens, i)]
        return self._cut_at(text, run, cuts, title=False)

    def _title_pieces(self, text: str, run: _Run) -> list[_Run] | None:
        """A Title Case title's run cut at a verb before a given name ('Sixers Hire Maurice
        Cheeks'), its pieces Title Case still; None when no such word cuts it."""
        tokens = run.tokens
        cuts = [i for i in range(len(tokens) - 1) if self._headline_word(tokens, i, True)]
        return self._cut_at(text, run, cuts, title=True)

    def _cut_at(self, text: str, run: _Run, cuts: list[int], *, title: bool) -> list[_Run] | None:
        """The pieces of `run` between the words at `cuts` (left out); None when nothing cuts
        it or its words cannot be placed in the text. A body's piece of one word that is no
        name alone is dropped (`_headline_alone`); a title's pieces stay Title Case."""
        tokens = run.tokens
        if not cuts:
            return None
        where = [m.span() for m in _WORD_SPAN.finditer(text, run.start, run.end)]
        if len(where) != len(tokens):
            return None
        pieces: list[_Run] = []
        begin = 0
        for cut in [*cuts, len(tokens)]:
            alone = not title and cut == begin + 1 and self._headline_alone(tokens, begin)
            if cut > begin and not alone:
                start, end = where[begin][0], where[cut - 1][1]
                initial = run.initial and begin == 0
                part = 0 if title else run.part
                pieces.append(_Run(start, end, tokens[begin:cut], initial, title, part))
            begin = cut + 1
        return pieces

    def _headline_alone(self, tokens: Sequence[_Token], i: int) -> bool:
        """Whether a word a headline's words leave alone is no name: a title ('Head Coach'),
        or a word no gazetteer knows that the prose never capitalises mid-sentence ('Fatal
        Shooting', 'Pulls Gun On')."""
        tok = tokens[i]
        return tok.lower in self.g.titles or (
            tok.key not in self.prose_caps and self._match(tokens, i) is None
        )

    def _headline_word(self, tokens: Sequence[_Token], i: int, verb_only: bool = False) -> bool:
        """A word of a Title Case headline that is no part of a name: 'Hire', 'Over', 'Sets'
        (with `verb_only`, only a word before a given name, as 'Hire')."""
        tok = tokens[i]
        low = tok.lower
        g = self.g
        if (
            low in CONNECTORS
            or low in g.given_names
            or low in g.titles
            or low in g.royal
            or low in ORG_LAST
            or low in ORG_FIRST
            or low in PLACE_LAST
            or low in PLACE_FIRST
            or low in REGION_WORDS
            or tok.surface.isupper()
            or tok.key in g.multi_first
        ):
            return False
        match = self._match(tokens, i)
        if match is not None and not match[1].weak:
            return False  # a town's name is only a hint: 'Hire' is also Hiré
        return (
            (not verb_only and ((low in self.g.ordinary) or _written_as_verb(self.texts, low)))
            # "Sixers Hire Maurice Cheeks": a word the entry never capitalises mid-sentence,
            # before a given name, is the headline's verb, no part of the name after it, when
            # the entry also writes the name without it ('Nitai Roy Chowdhury' stays whole)
            or (
                i + 1 < len(tokens)
                and tokens[i + 1].lower in g.given_names
                and tok.key not in self.prose_caps
                and self._written_without(tokens, i)
            )
        )

    def _written_without(self, tokens: Sequence[_Token], i: int) -> bool:
        """Whether the entry writes the name after token i (its first two words) more often
        than it writes them after that token."""
        name = " ".join(t.surface for t in tokens[i + 1 : i + 3])
        whole = tokens[i].surface + " " + name
        title, body = self.texts
        return title.count(name) + body.count(name) > title.count(whole) + body.count(whole)

    def _match(self, tokens: Sequence[_Token], i: int) -> tuple[int, Known] | None:
        """The longest gazetteer name starting at token i ('UN Security Council' over 'UN')."""
        g = self.g
        tok = tokens[i]
        key = tok.key  # read once: asked twice for most words
        if key in g.multi_first:
            top = i + g.max_words
            n = len(tokens)
            for j in range(n if n < top else top, i + 1, -1):  # not min(): a builtin's call
                # a list, not a generator: str.join makes one of a generator first anyway
                known = g.by_key.get(" ".join([t.key for t in tokens[i:j]]))
                if known is not None and (
                    not (known.weak or known.exact) or _spelled(known, tokens[i:j])
                ):
                    return j, known
        known = g.by_acronym.get(tok.surface.replace(".", "")) or g.by_key.get(key)
        if known is None or (
            (known.weak or known.exact) and not _spelled(known, tokens[i : i + 1])
        ):
            return None
        if known.weak and i and tok.lower in THING_LAST:
            # "the NATO Summit", "the 52nd G7 Summit", "Community Leadership Summit": a word
            # naming a thing ends the run's name, though a town is called so too (Summit, New
            # Jersey): no town after another capitalised word of the run
            return None
        return i + 1, known

    def _cut(self, text: str, run: _Run, out: list[_Span], article: bool = True) -> None:
        g = self.g
        tokens = run.tokens
        n = len(tokens)
        if n > 1 and text.find("-", run.start, run.end) >= 0:
            cuts = _after_adjective(text, run)
            if len(cuts) != 1 or cuts[0] is not run:
                # "Generation Z-led uprising": the run qualifies a noun; "the New York-based
                # Acme Partners": 'New York', then 'Acme Partners'
                for cut in cuts:
                    self._cut(text, cut, out, article)
                return
        if n > 1 and tokens[-1].lower in _MEETINGS and self._place_meeting(tokens):
            return  # "Berlin Energy Conference", "Paris Peace Forum": an event, no entity
        i = 0
        first = tokens[0].surface
        if (
            n == 1
            and first[1:2] == "-"
            and first[:1] in "DRI"
            and text[run.start - 1 : run.start] == "("
        ):
            self.used_context = True  # the bracket decided: the cut is not cached
            return  # "Sen. Mark Kelly (D-Ariz.)": a lawmaker's party and state, no name
        if first == "The" and article and not run.title_case and self._article_name(text, run, out):
            return
        if (
            1 < n < 4
            and not (run.initial or run.title_case)
            and text.endswith(_QUOTED_BY, 0, run.start)
            and self._quoted_writer(text, run)
        ):
            self.used_context = True  # the words around decided: the cut is not cached
            out.append(_Span(tokens, PERSON, _name_text(tokens), False, False, True, run.where))
            return
        word_flags = _WORDS.get
        # The last `_match` of the words opening a sentence, and where: the loop below asks it
        # again of the word the opening words stop at (`_match` reads the gazetteer alone)
        pre_at, pre = -1, None
        if run.initial or run.title_case:
            # "The Kremlin", "Asked by", "Five people": ordinary words that start a sentence.
            while i < n:
                flags = word_flags(tokens[i].surface)
                if flags is None:
                    flags = _word_flags(g, tokens[i])
                # a word no known name is or opens with skips the gazetteer (`_UNKNOWN`)
                pre, pre_at = None if flags & _UNKNOWN else self._match(tokens, i), i
                # the entry's part of `_common_word` asked through a recorded question (an
                # opening run's cut is cached with its answers: `runcache._OPENER_CUTS`)
                if pre is not None or not (
                    tokens[i].lower in g.ordinary
                    or self._asked_key(_Extractor._common_word, tokens[i])
                ):
                    break
                if tokens[i].lower in g.titles or tokens[i].lower in g.royal:
                    break
                if (
                    i == 0
                    and n > 1
                    and tokens[0].lower == "will"
                    and run.initial
                    and not run.title_case
                    and self._names_on(tokens[1])
                    and not self._asked_at(_Extractor._question, text, run.end)
                ):
                    break  # "Will Artino scored 14": a modal opens a question, not this
                if tokens[i].lower not in g.stopwords and org_ahead(tokens, i):
                    break  # "Finns Party", "Scottish National Party": an organisation's name
                if (
                    i == 1
                    and run.initial
                    and not run.title_case
                    and tokens[0].lower in _OPENING_ARTICLES
                    and tokens[1].lower in REGION_WORDS
                    and n > 2
                    and self._names_on(tokens[2])
                    and self._match(tokens, 2) is not None
                ):
                    # "The New England Patriots": after the article, a compass word before a
                    # known name is the name's own word ("The New Mood" names nothing)
                    break
                i += 1
            if (
                i == 0
                and run.initial
                and n > 2
                and tokens[1].lower in CONNECTORS
                and self._asked_key(_Extractor._opener, tokens[0])
            ):
                i = 1  # "Shares of AMD", "Residents of Kherson": a noun opening the sentence
        st = _Pending(text, run, at_run_start=i)
        while i < n:
            tok = tokens[i]
            # the token's fields unpacked once: the tests below read them up to four times
            surface, key, low, possessive, written = tok
            flags = word_flags(surface)  # the word's record: its tests that need no context
            if flags is None:
                flags = _word_flags(g, tok)
            if flags & _CONNECTOR and (st.tokens or not self._opens_known(tokens, i)):
                if low == "of" and i + 1 < n and self._person_of(st):
                    # "Robert Buckley of the U.K.", "Sultan Ahmed bin Sulayem of Dubai": a
                    # person's full name ends before 'of'; what follows is where they are
                    # from or whom they work for, a name of its own
                    self._flush(st, out)
                    st = _Pending(text, run)
                elif st.tokens:
                    st.tokens.append(tok)
                elif (
                    st.after_known
                    and (low == "of" or low == "for")
                    and i + 1 < n
                    and out
                    and out[-1].tokens[-1] is tokens[i - 1]
                    and tokens[i - 1].lower in self.heads
                    and out[-1].kind != PERSON
                ):
                    # "Communist Party of China", "University of Chicago": a known name
                    # ending in an institution's noun goes on across 'of' (and the next
                    # word decides if the name does: `_institution_of`)
                    st.tokens.extend(out.pop().tokens)
                    st.tokens.append(tok)
                    st.place_before = -1
                    st.institution = True
                i += 1
                continue
            # a title, or one in '-elect' or '-designate'
            if flags & _TITLE_OR_ELECT and not possessive:
                at = self._office_holder(tokens, i)
                if at is not None:
                    # "Minister for Planning Ahsan Iqbal", "Prime Minister-elect Tarique
                    # Rahman": an office, its portfolio after 'for' / 'of', or its '-elect',
                    # before a given name is the person's title, no part of the name
                    self._flush(st, out)
                    st = _Pending(text, run, person=True, honorific=st.honorific)
                    i = at
                    continue
            if flags & _PREFIX and i + 1 < n:
                if surface in VESSEL_PREFIXES:
                    self._flush(st, out)
                    return  # "USS Abraham Lincoln": a ship's name runs to the end of the run
                if i + 2 < n and self._names_on(tokens[i + 1]) and self._names_on(tokens[i + 2]):
                    self._flush(st, out)  # "Saints RB Reggie Bush": the team, then the player
                    st = _Pending(text, run, person=True)
                    i += 1
                    continue
            # an ordinary word after a given name is a surname ("Doris Day"), but a day of the
            # week after a title's person is none: "Judge Richard Leon Thursday blocked" (a
            # run with no title may name a day: "on ABC for Oscar Sunday")
            after_given = (
                bool(st.tokens)
                and st.tokens[-1].lower in g.given_names
                and not (st.person and low in _WEEKDAYS)
            )
            match = None if flags & _UNKNOWN else pre if i == pre_at else self._match(tokens, i)
            if (
                after_given
                and run.title_case
                and match is not None
                and match[1].kind == PERSON
                and st.tokens[-1].key not in self.mid_caps
                and fold_key(match[1].canonical.split(None, 1)[0]) != st.tokens[-1].key
            ):
                # "Auditioning to Beat Trump": in a Title Case headline, a given name the entry
                # never capitalises mid-sentence, before a known person named otherwise, is
                # the headline's word
                after_given = False
            if (
                match is not None
                and match[0] == i + 1
                and match[1].kind == PLACE
                and low in g.given_names
                and i + 1 < n
                and tokens[i + 1].lower not in CONNECTORS
                and tokens[i + 1].lower not in ORG_FIRST
                and tokens[i + 1].lower not in self.g.ordinary
            ):
                match = None  # "Jordan Peterson", "Paris Hilton": a given name, not the place
            elif (
                match is not None
                and match[1].weak
                and match[0] == i + 1
                and (
                    (st.tokens and not st.region and not run.title_case)
                    or (run.title_case and key not in self.mid_caps)  # "Party That Goes On"
                    or st.person
                    or (i + 1 == n and self._asked_at(_Extractor._said, text, run.end))
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
                and key in g.city_keys
            ):
                match = None  # "President Bush", "Governor Houston": a title names a person
            elif (
                match is not None
                and match[0] == i + 1 == n
                and st.tokens
                and not st.person
                and (
                    # "Energy Independence", "Health Canada": a known name that ends a run
                    # right after a portfolio's word (no title before it) is a name's word
                    (len(st.tokens) == 1 and st.tokens[0].lower in g.title_modifiers)
                    # "J.M. Barrie", "J. M. Barrie": a town's name that ends a run right after
                    # a person's initials (two or more: "5 N. Houston" is a street) is the
                    # person's surname (`_flush`: `_initials_open`)
                    or (
                        match[1].kind == PLACE
                        and all(_INITIALS.fullmatch(t.surface) for t in st.tokens)
                        and sum(len(t.surface) for t in st.tokens) > 2
                    )
                )
            ):
                match = None
            elif (
                match is not None
                and match[1].weak
                and not run.title_case
                and self._name_goes_on(tokens, match[0])
            ):
                match = None  # "Duncan Rait", "Essex Police", "Kansas City Chiefs"
            if match is not None and st.tokens and not st.person and not st.region:
                # a known name after words of a name no gazetteer knows (one test spares the
                # rest for most matches, which open their name)
                if (
                    st.tokens[-1].lower in _LINKS
                    and match[1].kind in (PLACE, ORG)
                    and self._institution_of(st.tokens)
                ):
                    # "State Bank of Pakistan", "University of Chicago": an institution's
                    # noun and 'of' / 'for' name it by the place or body after them
                    inner = _known_span(tokens[i : match[0]], match[1], run.where)
                    if st.inner is None:
                        st.inner = [inner]
                    else:
                        st.inner.append(inner)
                    st.tokens.extend(tokens[i : match[0]])
                    st.institution = True
                    i = match[0]
                    continue
                if (
                    match[0] == n
                    and match[1].kind == PLACE
                    and self._asked_at(_Extractor._score_after, text, run.end)
                ):
                    # "Real Madrid 1-0", "Inter Milan 2-1": a club named by a word and its town
                    st.tokens.extend(tokens[i:])
                    break
                if (
                    len(st.tokens) == 1
                    and match[1].kind == ORG
                    and st.tokens[0].lower in g.demonyms
                    and self._other_nations(st.tokens[0], tokens[i : match[0]], match[1])
                ):
                    # "the Italian Communist Party": a nationality before a short form of
                    # another nation's body ('Communist Party', China's) names its own body
                    st.tokens.extend(tokens[i : match[0]])
                    i = match[0]
                    continue
                if not run.title_case and self._inside_org(st.tokens, tokens, match):
                    # "Free Democratic Party", "International Paralympic Committee": a known
                    # name inside a longer name ending as an organisation's does is no name of
                    # its own ("Seeks US Court Protection": a headline's words are not a name)
                    st.tokens.extend(tokens[i : match[0]])
                    i = match[0]
                    continue
            if (
                match is not None
                and match[1].kind == EVENT
                and len(st.tokens) == 1
                and not st.person
                and st.royal is None
                and not st.region
                and not self._asked_key(_Extractor._ends_run_here, st.tokens[0].key)
            ):
                # "Milan-Cortina Winter Olympics", "Rio Carnival": one word before an event's
                # name in the same run names the event, no one of its own, unless the entry
                # ends a run with it elsewhere ('Messi said')
                st.tokens.clear()
                after_given = False
            if (
                match is not None
                and match[0] == i + 1
                and not after_given
                and len(st.tokens) > 1
                and _MIDDLE_INITIAL.fullmatch(st.tokens[-1].surface) is not None
                and st.tokens[-2].lower in g.given_names
            ):
                # "Paul B. Spiegel": a known name of one word after a given name and a middle
                # initial is the person's surname, not 'Der Spiegel' (an ordinary word is none:
                # "a rap by Sammy C. It's in the name")
                match = None
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
                        span = _known_span(tokens[i:j], known, run.where)
                    out.append(span)
                i = j
                continue
            if "-" in surface and not st.tokens and self._compound(tok, run, out):
                st = _Pending(text, run)
                i += 1
                continue
            followed = (
                flags & _ROYAL_OR_TITLE  # read only after a royal's or a title's word
                and i + 1 < n
                and tokens[i + 1].lower not in CONNECTORS
                and tokens[i + 1].lower not in ORG_LAST  # "General Staff" is no general
                # "Martin Luther King Jr.": a generational suffix after the word makes it a
                # surname; a king or a bishop is never named 'Jr.' or 'III'
                and not (st.tokens and tokens[i + 1].lower in _GENERATIONAL)
                # "Health Secretary", "Acting Director": a word that qualifies a title is a
                # title only before one ("JAMA Health Forum", "the Foreign Relations Committee")
                and (
                    low not in g.title_modifiers
                    or tokens[i + 1].lower in g.titles
                    or tokens[i + 1].lower in g.royal
                )
            )
            if not flags & _NOT_NAME_WORD:
                # a name's word: none of the tests below holds (a new test on the word there
                # must add its flag to `_NOT_NAME_WORD`)
                st.tokens.append(tok)
            elif low in g.royal and followed:
                self._flush(st, out)
                st = _Pending(text, run, person=True, royal=tok)
            elif (
                low in g.titles
                and st.tokens
                and not st.person
                and (
                    self._institution_of(st.tokens)
                    or (st.institution and tokens[i - 1].lower in g.titles)
                )
                # "Government of Prime Minister Costas Karamanlis": the office's holder;
                # "Department of Agriculture Farm Service Agency": a second institution
                and not any(t.lower in g.given_names for t in tokens[i + 1 :])
                and not org_ahead(tokens, i)
            ):
                # "Ministry of Foreign Affairs", "Office of the Prime Minister": a portfolio or
                # an office after an institution's noun and 'of' names the institution
                st.tokens.append(tok)
                st.institution = True
            elif low in g.titles and followed and not possessive:
                if st.tokens and not (
                    st.tokens[0].lower in g.titles
                    or all(self._title_word(t) for t in st.tokens)
                    or (low in _PORTFOLIO_TITLES and self._portfolio(st.tokens))
                ):
                    self._flush(st, out)
                # "Energy Minister", "Ukrainian Foreign Minister": the title is not a name
                honorific = st.honorific or low in g.honorifics
                st = _Pending(text, run, person=True, honorific=honorific)
            elif (
                low in g.title_modifiers
                and st.tokens
                and not st.person
                and self._institution_of(st.tokens)
                and org_ahead(tokens, i)
            ):
                # "Department of Agriculture Farm Service Agency": a portfolio's word after an
                # institution's 'of', before a second institution's name, opens that name
                self._flush(st, out)
                st = _Pending(text, run)
                st.tokens.append(tok)
            elif (
                low in REGION_WORDS
                and not possessive  # "the North's Central Military Commission"
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
            elif (low in self.g.ordinary) and not after_given:
                if (
                    st.tokens
                    and st.tokens[-1].lower in _LINKS
                    and low not in g.stopwords
                    and self._institution_of(st.tokens)
                    and not org_ahead(tokens, i)
                ):
                    # "Organisation of Islamic Cooperation", "Council of Arab Economic Unity"
                    st.tokens.append(tok)
                    st.institution = True
                elif (
                    low == "will"
                    and not st.tokens
                    and (
                        i > 0
                        or not run.initial
                        or not self._asked_at(_Extractor._question, text, run.end)
                    )
                    and not run.title_case
                    and i + 1 < n
                    and self._names_on(tokens[i + 1])
                ):
                    # "center Will Artino": the modal has no capital; opening a sentence
                    # that asks nothing ("Will Artino scored 14"), it is no modal either
                    st.tokens.append(tok)
                elif written != surface and not possessive and org_ahead(tokens, i):
                    # "National People's Congress", "Pakistan People's Party": a plural's
                    # possessive (`tokens._token`) goes on the name it is in
                    st.tokens.append(tok)
                elif low not in g.stopwords and org_ahead(tokens, i):
                    if st.tokens:
                        self._flush(st, out)
                        st = _Pending(text, run)
                    st.tokens.append(tok)  # "Democratic National Committee", "Finns Party"
                elif st.person and not st.tokens and i + 1 < n and low not in g.stopwords:
                    st.tokens.append(tok)  # "Energy Minister German Galushchenko"
                elif (
                    i + 2 == n
                    and not st.tokens
                    and low in g.demonyms
                    and (i > 0 or not run.initial)
                    and not run.title_case
                    and self._generic_town(tokens[i + 1])
                ):
                    # "the Islamic Republic", "the Soviet Union": a town named by a place's or
                    # body's noun ('Republic', Missouri) after a nationality's word is no town
                    # but the noun, and the two are one name
                    st.tokens.append(tok)
                elif (
                    i == 0
                    and n == 2
                    and low in g.demonyms
                    and not run.initial
                    and not run.title_case
                    and self._surname(tokens[1])
                    and self._person_cue_before(text, run.start)
                ):
                    # "played by Christian Bale", "director Christian Rivers": a nationality's
                    # word right after 'by' or a person's role, before one word that is no
                    # word of a list, is a given name before its surname, not a qualifier
                    self.used_context = True  # the word before decided: the cut is not cached
                    st = _Pending(text, run, person=True)
                    st.tokens.append(tok)
                elif (st.tokens or st.after_known) and not st.person and low in ORG_LAST:
                    st.tokens.append(tok)  # "Essex Police": a town's or region's force
                elif low == "day" and st.tokens and not st.person:
                    # "World Cancer Day", "Earth Day": the name of a day, not of an entity
                    # ("Doris Day" is a given name's: `after_given`)
                    st = _Pending(text, run)
                elif (
                    low in _WEEKDAYS
                    and i == 1
                    and len(st.tokens) == 1
                    and not st.person
                    and st.tokens[0].lower not in g.given_names
                ):
                    # "Black Friday", "Super Tuesday", "Cyber Monday": a run of one word and a
                    # day names a day, where 'Black' alone was taken for a name; longer names
                    # end before the day ("checked into Morningside Recovery Center Thursday",
                    # "the Chicago Bears Thursday", "Le Parisien Wednesday"), and so does a
                    # given name's person ("Richard Leon Thursday blocked": `after_given`)
                    st = _Pending(text, run)
                else:
                    self._flush(st, out)
                    st = _Pending(text, run)
            else:
                st.tokens.append(tok)
            plural_possessive = (
                written != surface  # only "Workers'" keeps its apostrophe inside a run
                and i + 1 < n
                and tokens[i + 1].lower in g.given_names
            )  # "the Chargers' Jamal Williams": a team's player, two names
            if (possessive or plural_possessive) and not (
                st.tokens and org_ahead(tokens, i) and not (i + 2 < n and self._owner(st.tokens))
            ):
                # A possessive ends a name, unless an organisation's name goes on after it
                # ("Women's Rights Institute", "St Mary's Hospital") and the word before is no
                # name of its own before a name of two words or more ("Hasina's Awami League",
                # "NOAA's Global Monitoring Laboratory": the party's leader, the agency's
                # laboratory; "Yasuhiro Nakasone's Administration" stays one).
                self._flush(st, out)
                st = _Pending(text, run)
            i += 1
        self._flush(st, out)

    def _person_of(self, st: _Pending) -> bool:
        """Whether the name collected so far is a person's full name: two words or more, the
        first a given name (or a title stood before it), none an institution's, an
        organisation's or a place's noun ('Bank of', 'University of', 'Lake of'). One word
        before 'of' is an epithet's bearer or a noble's title ('Pytheas of Massalia', 'Duke
        of Edinburgh'), left whole."""
        tokens = st.tokens
        if len(tokens) < 2 or st.institution:
            return False
        g = self.g
        if not (st.person or tokens[0].lower in g.given_names):
            return False
        heads = self.heads
        for t in tokens:
            low = t.lower
            if (
                t.possessive
                or low in heads
                or low in ORG_LAST
                or low in PLACE_LAST
                or low in FACILITY_LAST
                or low in g.titles
            ):
                return False
        return True

    def _institution_of(self, pending: Sequence[_Token]) -> bool:
        """Whether the name so far ends with an institution's noun and 'of' / 'for' (and
        'the'): 'State Bank of', 'Organisation of', 'Department for', 'Office of the'. The
        nouns are `cues.ORG_FIRST` and the WordNet organisation nouns that end
        organisations' names (`_institution_heads`)."""
        k = len(pending) - 1
        low = pending[k].lower
        if low == "the" and k > 1:
            k -= 1
            low = pending[k].lower
        if low != "of" and low != "for":
            return False
        head = pending[k - 1] if k else None
        return head is not None and not head.possessive and head.lower in self.heads

    def _article_name(self, text: str, run: _Run, out: list[_Span]) -> bool:
        """A run mid-sentence opening with a capitalised 'The' ("said Jeet Heer in The Nation",
        "told The Boston Globe"): the writer kept the article's capital because it belongs to
        the name, which is that of a publication, a company or a band, an organisation, and
        runs whole (the article with it: 'Nation' or 'Conversation' alone is a wrong span,
        'Boston' of 'The Boston Globe' no place). A gazetteer's name after the article keeps
        its own kind ('The Hague', 'The Guardian'), and so does a title or one ordinary word
        ('The President', 'The French'). On the dev half of the unseen feeds' names 13 of 1001
        were cut so (The [Intercept], The [Boston] Globe, The [Film Stage])."""
        tokens = run.tokens
        n = len(tokens)
        if n < 2 or n > MAX_NAME_WORDS:
            return False
        g = self.g
        second = tokens[1]
        low = second.lower
        if low in g.titles or low in g.royal or low in CONNECTORS:
            return False
        if n == 2 and (low in g.ordinary or never_alone(g, second)):
            return False
        # the entry and the words around decide below, asked through recorded questions
        # where the run opens a sentence (its cut is cached with their answers:
        # `runcache._OPENER_CUTS`); mid-sentence, the text before it: the cut is not cached
        if run.initial:
            # "Trump made billions. The New Yorker has calculated ...": opening a sentence, the
            # article's capital says nothing, unless the entry writes the same words so
            # mid-sentence ("said Justin Chang in The New Yorker")
            if not self._asked_key(_Extractor._written_mid, text[run.start : run.end]):
                return False
        else:
            self.used_context = True
            word = run.start - 1
            while word > 0 and text[word - 1].isalpha():
                word -= 1
            if text[word : word + 1].isupper():
                return False  # "Comeaux Jr. On The Lam": a headline's capitals, not a name's
        if n == 2 and self._asked_key(_Extractor._written_lower, low):
            return False  # "on The Loose": a word the entry writes in lower case
        if self._asked_run(_Extractor._copied_from_title, text, run):
            return False  # "Texas Inmate on The Loose": the body's copy of a headline's words
        if tokens[-1].lower in THING_LAST:
            return False  # 'The Hunger Games', 'The Marshall Plan': a thing's name
        for tok in tokens[1:-1]:
            if tok.possessive:
                return False  # "The Washington Post's Howard Kurtz": two names
        for at in (0, 1):
            match = self._match(tokens, at)
            if match is not None and match[0] == n:
                return False  # 'The Hague', 'The Washington Post': the gazetteer's name
        # the run cut as any other: where it holds no name ("Inmate on The Loose", a
        # headline's idiom), neither does the article's
        found: list[_Span] = []
        self._cut(text, run, found, article=False)
        if found:
            span = _Span(tuple(tokens), ORG, _name_text(tokens), False, False, True, run.where)
            out.append(span)
        return True

    def _written_lower(self, low: str) -> bool:
        """Whether the entry writes a word in lower case (`_has_word`), as a recorded question."""
        return _has_word(self.texts, low)

    def _copied_from_title(self, text: str, run: _Run) -> bool:
        """Whether a body's run repeats words of the entry's title (a recorded question: the
        answer depends on the part, which a cached cut's key does not hold)."""
        return bool(run.part) and self.texts[0].find(text[run.start : run.end]) >= 0

    def _written_mid(self, words: str) -> bool:
        """Whether the entry writes `words` after a word in lower case, mid-sentence."""
        for text in self.texts:
            at = text.find(words)
            while at >= 0:
                if at > 1 and text[at - 1] == " " and text[at - 2].islower():
                    return True
                at = text.find(words, at + 1)
        return False

    def _opens_known(self, tokens: Sequence[_Token], i: int) -> bool:
        """Whether a connector opens a known name of several words ('Los Angeles', 'The
        Hague', 'El Paso'), which it belongs to, rather than standing before a name."""
        if tokens[i].key not in self.g.multi_first:
            return False
        match = self._match(tokens, i)
        return match is not None and match[0] > i + 1

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
        if j == len(tokens) - 1 and plural(tokens[j].surface):
            return False  # "Kansas City Chiefs": a town's team (see _flush)
        nxt = tokens[j].lower
        g = self.g
        if nxt in ORG_LAST:
            return True  # "Essex Police", "Kent County Council"
        return not (
            nxt in CONNECTORS
            or nxt in g.titles
            or nxt in g.royal
            or (nxt in self.g.ordinary)
            or self._match(tokens, j) is not None
        )

    def _other_nations(self, demonym: _Token, words: Sequence[_Token], known: Known) -> bool:
        """Whether a known organisation's name (`words`) is a short form of a canonical name
        that opens with another nationality ('Communist Party' of 'Chinese Communist Party'):
        after `demonym` ('Italian'), the words name that nation's body, not the known one."""
        opening = known.canonical.split(None, 1)[0].lower()
        return (
            opening in nationalities()
            and opening != demonym.lower
            and all(t.lower != opening for t in words)
        )

    def _inside_org(
        self, pending: Sequence[_Token], tokens: Sequence[_Token], match: tuple[int, Known]
    ) -> bool:
        """Whether a known name (`match`, ending before token j) stands inside a longer
        organisation's name: capitalised words no gazetteer knows come before it (`pending`),
        it names an organisation, a place or an event ('Paralympic'), and the name runs on to
        an organisation's last word ('Party', 'Committee') with no possessive between."""
        j, known = match
        kind = known.kind
        if kind == EVENT:
            return not any(t.possessive for t in pending) and org_ahead(tokens, j - 1)
        if kind not in (ORG, PLACE):
            return False
        elif any(t.possessive for t in pending) or (
            kind == ORG and any(t.lower in self.g.ordinary for t in pending)
        ):
            # "Ukrainian Defence Ministry": the known organisation, qualified; a place after
            # an ordinary word is inside a name ("American Enterprise Institute")
            return False
        elif pending[0].lower in self.g.given_names:
            return False  # "Richard Nixon White House": a person's name, then the body's
        last = tokens[j - 1]
        if last.possessive or not (
            (kind == ORG and last.lower in ORG_LAST) or org_ahead(tokens, j - 1)
        ):
            return False
        # "Nixon ... the Nixon White House": a word the entry ends a name with elsewhere is a
        # name of its own (asked last: it reads the entry, so the run's cut is not cached)
        return not self._asked_key(_Extractor._ends_name, pending[-1].key)

    def _score_after(self, text: str, end: int) -> bool:
        """Whether a game's score follows the run ("Real Madrid 1-0"): context, so the run's
        cut is not cached by its text."""
        self.used_context = True
        return _SCORE_AFTER.match(text, end) is not None

    def _names_on(self, token: _Token) -> bool:
        """Whether a capitalised word can go on a name: not a connector, an ordinary word or
        a title ('New Year', 'North Korean', 'West President' are no names)."""
        low = token.lower
        g = self.g
        return not (
            low in CONNECTORS
            or low in g.titles
            or low in g.royal
            or (low in self.g.ordinary)
            or token.surface.isupper()
        )

    def _body_names_rest(self, tokens: Sequence[_Token]) -> bool:
        """Whether a headline's first run of three words or more (its second word capitalised
        mid-sentence somewhere in the entry: the caller asks) is an opening word and a name the
        body writes without it: the opener is capitalised only by its place, the name is
        the body's. Only names of two words or more: a surname alone in the body ("Keir
        Starmer" ... "Starmer said") is how a person is named again, not a sign that the given
        name is an opener. The opener must be a word the entry never capitalises mid-sentence
        and that names nothing itself (`_opener`)."""
        if tokens[1].lower in CONNECTORS:
            return False
        rest = _name_text(tokens[1:])
        return _has_word((self.texts[1],), rest) and self._opener(tokens[0])

    def _opener(self, token: _Token) -> bool:
        """A capitalised word before 'of' that opens a sentence and names nothing itself."""
        low = token.lower
        g = self.g
        return not (
            token.key in self.mid_caps
            or low in g.given_names
            or low in g.titles
            or low in g.royal
            or low in ORG_FIRST
            or low in PLACE_FIRST
            or low in PLACE_LAST
            or low in THING_FIRST
            or token.surface.isupper()
            or self._match((token,), 0) is not None
        )

    def _ends_run_here(self, key: str) -> bool:
        """Whether the entry ends a run mid-sentence with a word ('Messi said'): asked while
        cutting a run, so the run's cut is not cached."""
        self.used_context = True
        return key in self.tail_caps

    def _prose_lower_town(self, token: _Token) -> bool:
        """A town's name opening a sentence that the entry also writes in lower case ('Young
        music, viral hits ...' beside 'young people'): the ordinary word."""
        known = self.g.by_key.get(token.key)
        return known is not None and known.weak and _has_word(self.texts, token.lower)

    def _prose_lower(self, low: str) -> bool:
        """Whether a word is a stop word or the entry writes it in lower case."""
        return low in self.g.stopwords or _has_word(self.texts, low)

    def _office_holder(self, tokens: Sequence[_Token], i: int) -> int | None:
        """Where a person's name starts after the title at token i, when an office's portfolio
        ('for Planning', 'of Foreign Affairs') or an '-elect' / '-designate' stands between
        them: the index of the given name that opens the name, or None. A title alone before
        a name is left to the title's rule."""
        g = self.g
        n = len(tokens)
        j = i + 1
        if tokens[i].lower not in g.titles:
            # "Minister-elect Tarique Rahman": a title with '-elect' is a title as the title's
            # own rule reads one, whatever name follows
            return j if j < n and tokens[j].lower not in CONNECTORS else None
        if j >= n or tokens[j].lower not in _PORTFOLIO_LINKS:
            return None  # "Minister Ahsan Iqbal": the title's own rule
        j += 1
        words = 0
        while j < n and words < _MAX_PORTFOLIO and tokens[j].lower not in g.given_names:
            low = tokens[j].lower
            if low in CONNECTORS and low not in _PORTFOLIO_LINKS:
                return None  # "Minister of la Santé": no English portfolio
            if low not in _PORTFOLIO_LINKS and low != "and":
                words += 1
            j += 1
        if words == 0 or tokens[j - 1].lower in _PORTFOLIO_LINKS:
            return None
        if j + 1 >= n or tokens[j].lower not in g.given_names:
            return None
        known = self._match(tokens, j)
        # ('Gary Locke': a given name that is also a town's opens a person's name)
        return j if known is None or known[1].kind == PERSON or known[0] == j + 1 else None

    def _place_meeting(self, tokens: Sequence[_Token]) -> bool:
        """Whether a run is a known place's name, then words that are no given name, then a
        meeting's noun: the meeting's name ('Berlin Energy Conference', 'Paris Peace Forum'),
        which names an event, as the city alone before the noun does ('Munich Security
        Conference')."""
        at = 1 if tokens[0].lower == "the" else 0
        match = self._match(tokens, at)
        if match is None or match[1].kind != PLACE or match[0] >= len(tokens):
            return False
        return all(
            t.lower not in self.g.given_names and t.lower not in CONNECTORS and not t.possessive
            for t in tokens[match[0] : -1]
        )

    def _portfolio(self, tokens: Sequence[_Token]) -> bool:
        """Whether the words before 'Secretary', 'Minister' or 'Judge' are a portfolio or a
        court's level ('Commerce Secretary Howard Lutnick', 'Transport Minister', 'U.S. District
        Judge Cynthia Rufe'): at most two words, none a given name or a name the gazetteer knows
        ('Treasury Secretary', 'NATO Secretary General'), not ending as an organisation's name
        does ('Family Court Judge': the court is named)."""
        g = self.g
        return (
            len(tokens) <= 2
            and tokens[-1].lower not in ORG_LAST
            and all(
                t.lower not in g.given_names and self._match(tokens, i) is None
                for i, t in enumerate(tokens)
            )
        )

    def _surname(self, token: _Token) -> bool:
        """Whether a capitalised word can be a family name: no acronym, no word of the lists
        of ordinary, title, nationality or name-ending words, no name the gazetteer knows but
        as a town ('Rivers')."""
        low = token.lower
        g = self.g
        known = g.by_key.get(token.key)
        return (
            len(token.surface) > 2
            and not token.surface.isupper()
            and (known is None or known.weak)
            and low not in g.ordinary
            and low not in g.stopwords
            and low not in g.titles
            and low not in g.demonyms
            and low not in ORG_LAST
            and low not in PLACE_LAST
            and low not in THING_LAST
        )

    def _owner(self, tokens: Sequence[_Token]) -> bool:
        """Whether the words before a possessive are a name of their own, which owns what
        follows rather than opening its name: an acronym ('NOAA's'), a person's full name
        of two words ('Joshua Kushner's'), or one word the entry ends a name with elsewhere ('Sheikh
        Hasina' ... 'Hasina's') that is no title's, ordinary or frequent English word."""
        last = tokens[-1]
        surface = last.surface
        if len(surface) > 3 and surface[-2] in "'’":
            surface = surface[:-2]
        if len(surface) > 1 and surface.isupper() and surface.isalpha():
            return True
        g = self.g
        low = last.lower
        if len(tokens) > 1:
            # two words, a given name and a word no frequent English word ('Baby Sitter's Club')
            return (
                len(tokens) == 2
                and tokens[0].lower in g.given_names
                and low not in nameless_words()
                and low not in g.ordinary
                and low not in g.titles
            )
        if (
            low in g.titles
            or low in g.ordinary
            or low in g.stopwords
            or low in nameless_words()
            or low in ORG_LAST
        ):
            return False
        self.used_context = True  # the entry's other names decided: the cut is not cached
        return last.key in self.tail_caps

    def _generic_town(self, token: _Token) -> bool:
        """Whether a word is a town's name the gazetteer knows only as a town (weak) that is
        also a frequent English noun ending places' or organisations' names ('Republic',
        'Union', 'Centre')."""
        known = self.g.by_key.get(token.key)
        low = token.lower
        return (
            known is not None
            and known.weak
            and (low in PLACE_LAST or low in ORG_LAST)
            and low in nameless_words()
        )

    def _person_cue_before(self, text: str, start: int) -> bool:
        """Whether the word right before `start` is 'by' or a person's role in lower case
        ('played by', 'director', 'actor'; not a word that only qualifies a title, 'first')."""
        before = text[max(0, start - 24) : start]
        if not before.endswith(" "):
            return False
        words = before.split()
        if not words:
            return False
        word = words[-1]
        return word == "by" or (word in self.g.titles and word not in self.g.title_modifiers)

    def _title_word(self, token: _Token) -> bool:
        low = token.lower
        return low in self.g.titles or (low in self.g.ordinary)

    def _flush_inner(self, st: _Pending, out: list[_Span]) -> None:
        """`_flush`, then the places and bodies an institution is named by, which stay names
        of their own as a reader (and ECB+) reads them: 'State Bank of Pakistan' also names
        Pakistan."""
        inner, st.inner = st.inner, None
        self._flush(st, out)
        if inner:
            out += inner

    def _flush(self, st: _Pending, out: list[_Span]) -> None:
        if st.inner is not None:
            self._flush_inner(st, out)
            return
        pending = st.tokens
        while pending and pending[-1].lower in CONNECTORS:
            pending.pop()
        if not pending:
            return
        g = self.g
        run = st.run
        tokens = tuple(pending)
        first, last = tokens[0], tokens[-1]
        if last.surface[-1] == "s" and acronym_plural(last.surface):
            return  # 'Tech CEOs', 'Saints RBs': a class of things, no name (`_fast` for one word)
        # read once: each read of a token's field is a descriptor call, and the tests below
        # read them up to a dozen times a name
        first_low, last_low = first.lower, last.lower
        if (
            run.title_case
            and not all(t.key in self.mid_caps for t in tokens)
            and not (
                len(tokens) > 1
                and first_low in g.given_names
                # "Meet In", "Win Over Drake": words the entry also writes in lower case
                and all(len(t.surface) > 2 and not self._common_word(t) for t in tokens[1:])
                # "Flying Cameras Are Everywhere": a given name that is a stop word or that
                # the entry writes in lower case is the headline's word
                and not self._prose_lower(first_low)
            )
        ):
            return  # a Title Case headline capitalises everything: only the body vouches
        if (
            len(tokens) > MAX_NAME_WORDS  # counted only when it can matter: most names are short
            and sum(1 for t in tokens if t.lower not in CONNECTORS) > MAX_NAME_WORDS
        ):
            return  # no unknown name runs this long: a headline or a list of names
        single = len(tokens) == 1
        if not single and not st.person and (last_low in THING_LAST or first_low in THING_FIRST):
            if st.place_before >= 0 and st.place_before == len(out) - 1:
                out.pop()  # "Munich Security Conference": the city names the event
            return  # "Endangered Species Act", "Winter Games", "Battle of the Oranges"
        if (
            single
            and st.after_known
            and not st.person
            and first_low in PLACE_LAST
            and st.place_before >= 0
            and st.place_before == len(out) - 1
        ):
            place = out.pop()  # "Arnhem Land", "Sydney Airport": a place named by a town
            tokens = (*place.tokens, first)
            out.append(_Span(tokens, PLACE, _name_text(tokens), False, False, True, run.where))
            return
        if single and (
            first_low in NOT_ALONE
            or first_low in g.demonyms  # "the Soviet-era Turkmen Communist Party": a qualifier
            or first_low in g.titles
            or first_low in g.royal
            or first_low in PLACE_LAST
            or len(first.surface) < 2
            or (first.surface.isupper() and set(first.surface) <= ROMAN)
            # "Many Swiss-based ...", 'a Japanese-Peruvian menu'
            or (
                "-" in first.surface
                and (adjective(first.surface) or demonym_compound(g, first.surface))
            )
            # "Inc.", "Co." alone: a company's form, no name (after a known name it joins it)
            or ((first_low in CORPORATE or first_low == "co") and not st.after_known)
        ):
            return  # "the Pope", "the Ministry", "World War II"
        if single and st.after_known and not st.person:
            low = first_low
            adjacent = st.place_before >= 0 and st.place_before == len(out) - 1
            if adjacent and low in THING_LAST:
                out.pop()  # "the Minsk Accords", "the Sydney Festival": the city names a thing
                return
            if not (
                adjacent
                and (
                    (low.endswith("s") and not low.endswith(("ss", "us", "is"))) or low in ORG_LAST
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
            and not st.person
            and not self._asked_key(_Extractor._capitalised_mid, first.key)
            and not self._asked_at(_Extractor._said, st.text, run.end)
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
            last_low in ORG_LAST
            or st.institution
            or (
                not single  # one word has no words before its last: no generator to start
                and (
                    first_low in ORG_FIRST
                    # two words have none between, the commonest: no generator to start
                    or (
                        len(tokens) > 2
                        and (
                            any(t.lower in ORG_FIRST for t in tokens[1:-1])
                            # "Warner Bros Discovery"
                            or any(t.lower in CORPORATE for t in tokens[1:-1])
                        )
                    )
                    or "&" in first.surface  # "H&R Block" ("Johnson & Johnson": `CORPORATE`)
                )
            )
        ):
            kind = ORG
            if st.place_before >= 0 and st.place_before == len(out) - 1:
                place = out.pop()  # "Kyiv School of Economics"
                tokens = (*place.tokens, *tokens)
            if (
                last_low in FACILITY_LAST
                or (st.institution and any(t.lower in FACILITY_LAST for t in tokens[:-1]))
            ) and self._asked_run(_Extractor._at_facility, st.text, run, tokens[0]):
                kind = PLACE  # "a lockdown at Lee College": where something happens
        elif not single and (
            last_low in PLACE_LAST
            or first_low in PLACE_FIRST
            or (first_low in PLACE_OF and tokens[1].lower == "of")  # "the City of Palmer"
            # a noun of a place's kind (WordNet) after a word no given name: "Fulton
            # Courthouse", "Tasman Saddle Hut" (not "Bill Gates", a man named by it)
            or (last_low in g.place_nouns and first_low not in g.given_names)
        ):
            kind = PLACE
            if (
                last_low in PLACE_LAST
                and st.place_before >= 0
                and st.place_before == len(out) - 1
                and not run.title_case
                and _adjacent(run.tokens, out[-1].tokens[-1], tokens[0])
            ):
                # "the Turkey Creek Bridge", "Independence National Historical Park": the
                # place's name right before a place's name of words no gazetteer knows, ending
                # in a place's word, is its first word (as "Kyiv School of Economics" is)
                place = out.pop()
                tokens = (*place.tokens, *tokens)
        elif not single and last_low in PERSON_LAST:
            kind = PERSON
        elif (
            not single
            and first.surface[1:2] == "."
            and _INITIALS.fullmatch(first.surface)
            and self._initials_open(tokens)
        ):
            # "J.R.R. Tolkien", "H.R. Haldeman": initials open a person's name; before a given
            # name ('W. Mark Felt', 'J. Edgar Hoover') a guess, which the entry's full name
            # with that given name ('Mark Felt') outweighs for the surname
            kind = PERSON
            strong = not any(t.lower in g.given_names for t in tokens[1:-1])
        elif single and 2 <= len(first.surface) <= 6 and first.surface.isupper():
            kind = ORG
        elif st.region and not single and first_low != "new" and first_low in REGION_WORDS:
            # "Lower Saxony", "Northern Territory": a compass word opens a region's name
            # ('New' opens companies' too: "New Balance")
            kind, strong = PLACE, False
        elif (
            first_low in g.given_names
            and not single
            and not (
                # "the Charlotte Bobcats", "the Phoenix Suns": a city named like a person
                # opens a team's name; people are not "the" (the next branch). The cheap
                # tests first; 'the' last, since asking it keeps the run's cut from the cache
                # (so only for a city's name: "the Jordan Roberts era" is never asked).
                last_low[-1] == "s"
                and first.key in g.city_keys
                and plural(last.surface)
                and st.at_run_start >= 0
                and self._asked_at(_Extractor._after_the, st.text, run.start)
            )
        ):
            kind = PERSON
        elif (
            not single
            and plural(last.surface)
            and st.at_run_start >= 0
            and (
                self._asked_at(_Extractor._after_the, st.text, run.start)
                or self._asked_at(_Extractor._after_rank, st.text, run.start)
            )
        ):
            # "the Tar Heels", "the Backstreet Boys": people are not "the"; nor ranked in the
            # plural ("the No. 1 Tar Heels", "No. 9 Drake Bulldogs 53")
            kind = ORG
        else:
            kind, strong = self._asked_run(
                _Extractor._context_kind, st.text, run, st.at_run_start >= 0, tokens[0], len(tokens)
            )
            if (
                not strong
                and not single
                and st.place_before >= 0
                and st.place_before == len(out) - 1
                and last_low in nameless_words()
                and first_low not in g.given_names
                and not run.title_case
                and len(out[-1].tokens) == 1
                and out[-1].tokens[0].key in g.city_keys
                and _adjacent(run.tokens, out[-1].tokens[-1], first)
            ):
                # "the London Stock Exchange", "the Milwaukee Journal Sentinel": a city's name
                # right before words no gazetteer knows and no one is named by (an
                # organisation's name, where no cue said otherwise) is its first word, as in
                # "Kyiv School of Economics". A country's is not: headlines quoted in a body
                # ('Greenland Tariff Threats', 'U.S. Will Restart') read as such runs too.
                place = out.pop()
                tokens = (*place.tokens, *tokens)
                kind, strong = ORG, True
            if not strong and last.surface[:1] == "d" and last.surface[1:2] in _ELISION_MARKS:
                # "Cortina d'Ampezzo", "Val d'Isère": with no given name before it and no cue
                # around it, the elided article names a place more often than a family
                kind = PLACE
        canonical = written = _name_text(tokens)
        if canonical.isupper() and len(canonical) > 6:
            canonical = canonical.title()
        short = kind == PERSON and st.royal is None and len(tokens) == 1
        # the text beside a span that is its whole run (the mention's surface, and for sports
        # reports where it ends); '' when the span is a part of its run
        whole = written if len(tokens) == len(run.tokens) else ""
        out.append(
            _new(
                _Span,
                (tokens, kind, canonical, short or st.honorific, False, strong, run.where, whole),
            )
        )

    def _quoted_writer(self, text: str, run: _Run) -> bool:
        """'said Memphis Barker in The Daily Telegraph', 'said Jonathan V. Last in The
        Bulwark': two or three capitalised words between 'said' and 'in' / 'at' / 'on' and a
        publication's name are the writer's, a person's, whatever a word of them also names
        (a town, a common word), unless they hold a title or end as a place's or an
        organisation's name does ('said Apple CEO Tim Cook', 'said Gaza City Council in')."""
        if _WRITER_AFTER.match(text, run.end) is None:
            return False
        g = self.g
        last = run.tokens[-1]
        if last.lower in ORG_LAST or last.lower in PLACE_LAST or last.possessive:
            return False
        if any(t.lower in g.titles or t.lower in CONNECTORS for t in run.tokens):
            return False
        known = g.by_key.get(last.key)
        return known is None or known.weak

    def _initials_open(self, tokens: tuple[_Token, ...]) -> bool:
        """Whether a name's first words are a person's initials before a name of words: not
        an acronym written with dots and blanks ('U. S. Fish and Wildlife Service')."""
        if len(tokens) > 4:
            return False  # "H.G. Peter Golden Age Wonder Woman": a person's name is short
        letters: list[str] = []
        for k, tok in enumerate(tokens):
            if not _INITIALS.fullmatch(tok.surface):
                # 'P.S. Actually', 'in C. Sadly it is', '508 N. Soda Street': a word no one
                # is named after a postscript's mark or a letter ending a sentence, or ending
                # a street's name
                nameless = nameless_words()
                return (
                    len(tok.surface) > 1
                    and tok.lower not in nameless
                    and tokens[-1].lower not in nameless
                    and self.g.by_acronym.get("".join(letters)) is None
                    and all(len(t.surface) > 1 for t in tokens[k:])
                )
            letters.append(tok.surface.replace(".", ""))
        return False

    def _single(self, text: str, run: _Run, out: list[_Span]) -> None:
        """`_cut` for one unknown word in mid-sentence, the commonest run that needs a look."""
        start, end, tokens, _initial, _title_case, part = run  # each field read once
        tok = tokens[0]
        surface = tok.surface
        after = text[end : end + 2]  # a blank and a digit: the regex is asked only then
        if (
            after[:1] in _BLANKS
            and (after[1:] in _BLANKS or after[1:].isdigit())
            and MODEL_NUMBER.match(text, end)
        ):
            return  # "Falcon 9", "Artemis 2": a product or a mission, not a name
        at = start - 4 if start > 4 else 0  # not max(): a builtin's call costs 4x as much
        if (
            "a" in text[at:start]  # the cheap test first
            and ARTICLE_BEFORE.search(text, at, start)
            and PHRASE_END.match(text, end)
        ):
            return  # "won an Oscar for", "bought a Tesla.": a thing ("a Colts receiver" is not)
        if (
            (after == " a" or after == " o")  # two comparisons spare most calls
            and text.startswith(_AND_OR, end)
            and self._elided_thing(text, end)
        ):
            return  # "both the Winter and Summer Olympics": the first of two events
        flags = _WORDS.get(surface)  # the word's record: its tests that need no context
        if flags is None:
            flags = _word_flags(self.g, tok)
        canonical = surface.title() if flags & _SHOUTED else surface
        if flags & _ORG_WORD:
            kind, strong = ORG, True
        elif flags & _TOWN:
            # A town's name ("Jackson") is a place unless the words around it make it a person
            kind, strong = self._context_kind(text, run, True, tok, 1)
            if not strong or kind not in (PERSON, ORG):  # a surname's ending does not outweigh it
                # no cue: the town's name is a guess the kind model weighs (`kinds`)
                strong = kind == PLACE and strong
                kind = PLACE
                surface = self.g.by_key[tok.key].canonical
                canonical = surface.title() if len(surface) > 6 and surface.isupper() else surface
        elif flags & _GIVEN and text[at:start] != "the ":
            kind, strong = PERSON, True  # "Portia", "Vincent": a first name alone
        else:
            kind, strong = self._context_kind(text, run, True, tok, 1)
        short = kind == PERSON or not strong  # a guess may still be claimed by a full name
        where = (start, end, part)
        out.append(_new(_Span, (tokens, kind, canonical, short, False, strong, where, tok.surface)))

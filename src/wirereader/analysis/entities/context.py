"""What the words around a name say of its kind ('spokesman X', 'in X', 'X said').

Place in the data flow: `names._Extractor` cuts a run into names; where a name's own words
leave its kind open, the cut asks `_ContextKinds._context_kind` (a mixin of the extractor)
and the tests here of the text before and after the name (a speech verb, a place's
preposition, an appositive, a question, a cited publication), with the word classes and
patterns of `cues`. A name typed from its context marks the entry's cut `used_context`, so
the run's cut is not cached by its text (`runcache`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from wirereader.analysis.entities.cues import (
    APPOSITIVE,
    APPOSITIVE_NP,
    APPOSITIVE_ORG,
    APPOSITIVE_PLACE,
    BUSINESS_ROLE_OF,
    CITED,
    COMMA_NAME,
    FATE_AFTER,
    KIN_BEFORE,
    ORG,
    ORG_LAST,
    PERSON,
    PERSONAL_POSSESSIVE,
    PLACE,
    PLACE_AFTER,
    PLACE_AFTER_FIRST,
    PLACE_LAST,
    PLACE_OF,
    PLACE_PREPOSITIONS,
    SPEECH_AFTER,
    SPEECH_BLANK,
    SPEECH_PAIRS,
    THING_LAST,
    ending_kind,
    facility_at,
)
from wirereader.analysis.entities.gazetteer import (
    EVENT,
    Gazetteer,
    fold_key,
    nameless_words,
)
from wirereader.analysis.entities.tokens import (
    _Run,
    _Token,
)

_STOP_MARK = re.compile(r"[.!?\n]")


def _asks(text: str, end: int) -> bool:
    """Whether the sentence going on at `end` is a question ('Will Halvorsen sign?')."""
    m = _STOP_MARK.search(text, end)
    return m is None or m.group() == "?"


# What may follow a blank after a run when `FATE_AFTER` matches there: the first letter of
# 'was', 'has', 'had' or one of its verbs (`_context_kind` asks the regex only then, or after
# a comma)
_FATE_FIRST = frozenset("whajsdki")


_RANK_BEFORE = re.compile(r"\bNo\.?[ \t]?\d{1,3}[ \t]$")


_PREPOSITIONS_BEFORE = PLACE_PREPOSITIONS | {"of", "from", "at", "to", "by", "for", "with"}


def _speech_after(text: str, end: int) -> bool:
    """Whether a speech verb follows at `end` ('X said', 'X, a spokesman, told'): the cheap
    test first, the regex only where it may match. The regex cannot match after a blank and two
    letters no speech verb starts with (the commonest case, 'Smith and', 'Paris in'), answered
    here without it. (That test was a function of its own: its call cost ~6 bytecodes of each
    of the 6.7 calls a news-like entry makes, 40 of its 8,687 cold, -0.5%.)"""
    return (
        text[end : end + 1] != " "
        or text[end + 1 : end + 2] in SPEECH_BLANK
        or text[end + 1 : end + 3] in SPEECH_PAIRS
    ) and SPEECH_AFTER.match(text, end) is not None


_NEXT_WORD = re.compile(r"[ \t]+([a-z]+)\b")
# Up to three lower-case words after a name ('foothills', 'rehab facility', 'fuel
# distribution center')
_LOWER_WORDS = re.compile(r"(?:[ \t]+[a-z]+\b(?![-'’])){1,3}")


# After the words `COMMA_NAME` read, where they go on: the first words of a longer name ('Better
# Money Habits, Bank of America's platform') or an appositive's possessive ('Pavin, Thailand's
# political elites'), not the town or state the name before the comma lies in
_NAME_GOES_ON = re.compile(r"(?:['’]s\b| (?:of|de|del|for) [A-Z])")


_COORDINATED = re.compile(r" (?:and|or) ((?:[A-Z][\w'’-]*)(?: [A-Z][\w'’-]*){0,3})(?![\w'’-])")


_CITED_IN = frozenset(("in", "at", "on"))  # the words before a publication (`_cited`)


def _cited(text: str, start: int) -> bool:
    """Whether a quoted writer stands before 'in', 'at' or 'on' (perhaps with 'the') and the
    name at `start` ('said Matteo Wong in Slate', 'wrote Ann Lee in The Atlantic', 'said Kase
    Wickman at Vanity Fair'): the name is the publication. The regex only where one of its
    verbs is in the window (most names have none)."""
    window = text[start - 60 if start > 60 else 0 : start]  # not max(): a builtin's call
    return (
        "said " in window or "says " in window or " wr" in window or " argue" in window
    ) and CITED.search(window) is not None


_ACRONYM_AFTER = re.compile(r" \(([A-Z]{2,8})\)")


def _spelled_by_acronym(text: str, end: int, words: Sequence[_Token]) -> bool:
    """Whether an acronym in brackets right after `end` is the initials of `words`, the way
    news introduces an organisation ('Immigration and Customs Enforcement (ICE)')."""
    if text[end : end + 2] != " (":
        return False  # the commonest case, answered without the regex
    m = _ACRONYM_AFTER.match(text, end)
    return m is not None and m.group(1) == "".join([t.surface[0] for t in words]).upper()


# An appositive's article after a name (`cues.APPOSITIVE_NP`), tested before the pattern
_A_AN = (", a ", ", an ")
# An apostrophe right after a name: `PERSONAL_POSSESSIVE` is asked only after one
_APOSTROPHES = frozenset("'’")


# Every word before a name that one of `_ContextKinds._context_kind`'s cues reads (the
# gazetteer's lower-case titles and organisations' nouns, a relative, 'the', a preposition, 'of',
# 'and' / 'or'): one lookup spares the cues for the other words. Filled on the first name. A new
# cue on that word must add its words here, or it is never asked.
_PREV_CUES: set[str] = set()


def _fill_prev_cues(g: Gazetteer) -> set[str]:
    _PREV_CUES.update(g.lower_titles, KIN_BEFORE, g.org_nouns, _CITED_IN, PLACE_PREPOSITIONS)
    _PREV_CUES.update(("the", "of", "and", "or"))
    return _PREV_CUES


_new = tuple.__new__

# What `_ContextKinds._asked_*` record of a question, by how its arguments are kept
_AT, _RUN_ARG, _KEY = 0, 1, 2

# A recorded question: the method asked, how its arguments are kept, the argument (an offset
# from the run's start, a run placed so, or a word's key), the other arguments, the answer
Read = tuple[Callable[..., Any], int, Any, tuple[Any, ...], Any]


class _ContextKinds:
    """The kind a name's context gives it, asked by the cut of `names._Extractor`."""

    g: Gazetteer
    used_context: bool
    # The questions a mid-sentence run's cut asks of the words around it and of the entry,
    # with their answers (None: not recorded), and the text and offset of the run being cut:
    # a run of the same text elsewhere asks them again (`_replayed`, `runcache._CONTEXT_CUTS`)
    reads: list[Read] | None
    read_text: str
    read_base: int

    # -- recorded questions: a cut asks the context through these to be cached ----------------

    def _asked_at(self, fn: Callable[..., Any], text: str, at: int) -> Any:
        """`fn(self, text, at)`, a question on the text at an offset, recorded."""
        was = self.used_context
        answer = fn(self, text, at)
        reads = self.reads
        if reads is None or text is not self.read_text:
            self.used_context = True
        else:
            self.used_context = was
            reads.append((fn, _AT, at - self.read_base, (), answer))
        return answer

    def _asked_run(self, fn: Callable[..., Any], text: str, run: _Run, *rest: Any) -> Any:
        """`fn(self, text, run, *rest)`, a question on the text around a run, recorded (the
        rest: tokens of the run, flags and counts, kept as they are)."""
        was = self.used_context
        answer = fn(self, text, run, *rest)
        reads = self.reads
        if reads is None or text is not self.read_text:
            self.used_context = True
        else:
            self.used_context = was
            base = self.read_base
            start, end, tokens, initial, title_case, _part = run
            kept = (start - base, end - base, tokens, initial, title_case)
            reads.append((fn, _RUN_ARG, kept, rest, answer))
        return answer

    def _asked_key(self, fn: Callable[..., Any], key: Any) -> Any:
        """`fn(self, key)`, a question on the entry about a word (its key, or its token),
        recorded."""
        was = self.used_context
        answer = fn(self, key)
        reads = self.reads
        if reads is None:
            self.used_context = True
        else:
            self.used_context = was
            reads.append((fn, _KEY, key, (), answer))
        return answer

    def _replayed(self, reads: tuple[Read, ...], text: str, base: int, part: int) -> bool:
        """Whether every recorded question, asked again of a run at `base` in `text`, gets
        the answer it got then (in order: the first that differs ends the look)."""
        for fn, how, arg, rest, answer in reads:
            # the commonest first: a word's question (an opener's), then one on a run
            if how == _KEY:
                got = fn(self, arg)
            elif how == _RUN_ARG:
                start, end, tokens, initial, title_case = arg
                run = _new(_Run, (base + start, base + end, tokens, initial, title_case, part))
                got = fn(self, text, run, *rest)
            else:
                got = fn(self, text, base + arg)
            if got != answer:
                return False
        return True

    def _elided_thing(self, text: str, end: int) -> bool:
        """Whether 'and' / 'or' and an event's or a thing's name of capitalised words follow a
        word ('the Winter and Summer Olympics', 'the Senior and Junior Championships'): the
        word is the first of two such names, written once."""
        m = _COORDINATED.match(text, end)
        if m is None:
            return False
        last = m.group(1).rsplit(None, 1)[-1]
        low = last.lower()
        if low in THING_LAST:
            return True
        known = self.g.by_key.get(fold_key(last))
        return known is not None and known.kind == EVENT

    def _context_kind(
        self, text: str, run: _Run, at_run_start: bool, first: _Token, size: int
    ) -> tuple[str, bool]:
        """Kind from the words around a name: 'spokesman X', 'in X', 'X said'."""
        self.used_context = True
        end = run.end  # read once: the tests below look after the name up to five times
        after = text[end : end + 2]  # a blank and a first letter, or an age's comma
        # its two characters sliced once: the tests below read them up to seven times
        mark, letter = after[:1], after[1:]
        blank = mark == " "  # the commonest case: the letter after it spares most regexes
        if (letter in PLACE_AFTER_FIRST if blank else mark == "\t") and PLACE_AFTER.match(
            text, end
        ):
            return PLACE, True  # "the Brackmoor district", "Sumy region"
        if at_run_start:
            # the words before the name, which may start inside its run ("Members of the X")
            if first is run.tokens[0]:
                # the run's first word (a lone word's, mostly): its text opens the run, and a
                # token's surface opens its text ('Obama' of "Obama's"), so no search is needed
                start = run.start
            else:
                start = text.find(first.surface, run.start, end)
                start = run.start if start < 0 else start
            # the last two words (a conditional, not max(): a builtin's call costs 4x as much)
            before = text[start - 40 if start > 40 else 0 : start].rsplit(None, 2)
            prev = before[-1].rstrip(",").lower() if before else ""
            if (
                prev in (_PREV_CUES or _fill_prev_cues(self.g))
                and prev.isalpha()
                and prev.isascii()
            ):
                if prev in self.g.lower_titles:
                    return PERSON, True
                if size == 1 and prev in KIN_BEFORE and not self._qualified_by_role(text, end):
                    # "his wife, Mary,", "his daughter Zaima"; not a full name, which a given
                    # name types already and which would then share its surname with another
                    # strong one ('His sister, Mahnefah Gray' left 'Gray' to neither Gray)
                    return PERSON, True
                if prev in self.g.org_nouns and before[-1].islower():
                    # "security firm Trend Micro", "the insurer Bupa": a noun written in lower
                    # case right before the name, no comma between ("High School, DiLeo")
                    return ORG, True
                if prev == "the":
                    # "in the Sangre de Cristo foothills", "the Morningside Recovery rehab
                    # facility": 'the' is the noun's after the name, and a place's or an
                    # organisation's noun says what the name is
                    # (not after a possessive: "the Snake-Armed Goddess' temple" is hers)
                    head = (
                        self._head_after(text, end)
                        if size > 1
                        and text[end - 1 : end] not in _APOSTROPHES
                        and text[end - 2 : end - 1] not in _APOSTROPHES
                        else ""
                    )
                    if head:
                        return head, True
                    # "the Colts", "the Red Sox": people are not "the"; a name of two words or
                    # more after it is an organisation's ("the Halvorsen Metall union"), and
                    # one a writer wrote in ("said Jonathan Last in The Bulwark")
                    return ORG, size > 1 or (
                        len(before) > 1 and before[-2] in _CITED_IN and _cited(text, start)
                    )
                if prev in _CITED_IN and _cited(text, start):
                    # "said Matteo Wong in Slate", "said Kase Wickman at Vanity Fair": what
                    # they wrote in, of one word or more
                    return ORG, True
                if size == 1 and prev in PLACE_PREPOSITIONS and not self._qualifies(text, end):
                    return PLACE, True
                if prev == "of" and len(before) > 1 and before[-2].lower() in PLACE_OF:
                    return PLACE, True  # "the village of Kamianka"
                if prev == "of" and len(before) > 1 and before[-2].lower() in BUSINESS_ROLE_OF:
                    return ORG, True  # "chief executive of Omega Timing"
                if (prev == "and" or prev == "or") and self._place_joined(text, start):
                    return PLACE, True  # "in Milan and Cortina": one preposition, two places
        if (
            (
                (not blank or letter in SPEECH_BLANK or text[end + 1 : end + 3] in SPEECH_PAIRS)
                and SPEECH_AFTER.match(text, end)
                # 'Microsoft said', 'Wired said': a frequent word that is no one's first or
                # family name (names-dataset, wordfreq: `nameless_words`) speaks for a body;
                # the name's other evidence decides
                and not (size == 1 and first.lower in nameless_words())
            )
            or (
                (letter in _FATE_FIRST if blank else mark == ",")
                and FATE_AFTER.match(text, end)
                and len(run.tokens) >= size
                and run.tokens[-size] is first  # the name ends its run
                and not self._after_preposition(text, run, first)
            )
            or (
                (first.possessive or mark in _APOSTROPHES)  # no call: the letter is read
                and PERSONAL_POSSESSIVE.match(text, end)
            )
        ):
            return PERSON, True
        if text[end : end + 1] == ",":
            # both patterns below begin with a comma
            m = COMMA_NAME.match(text, end)
            if m:
                known = self.g.by_key.get(fold_key(m.group(1))) or self.g.by_acronym.get(m.group(1))
                if (
                    known is not None
                    and known.kind == PLACE
                    and _NAME_GOES_ON.match(text, m.end()) is None
                ):
                    return PLACE, True  # "Charlottesville, Virginia"
            m = APPOSITIVE.match(text, end)
            if m and m.group(1).lower() in self.g.lower_titles:
                return PERSON, True
            m = APPOSITIVE_NP.match(text, end) if text.startswith(_A_AN, end) else None
            if m:
                kind = self._appositive_head(m.group(1))
                if kind:
                    return kind, True
        return self._endings(first, size)

    def _appositive_head(self, phrase: str) -> str:
        """The kind an appositive's noun phrase gives the name before it ('a Chinese
        restaurant', 'an elegant house', 'a security think tank'), or '': its first words
        in lower case up to one that names an organisation or a place; a person's title
        ('a former minister') or a word of another sort (a name, 'of', 'who') ends the look."""
        lower_titles = self.g.lower_titles
        org_nouns = self.g.org_nouns
        for word in phrase.split()[:5]:
            word = word.strip("“”\"'’")
            if not word.islower() or word in lower_titles or word in self.g.stopwords:
                return ""
            if word in APPOSITIVE_ORG or word in org_nouns:
                return ORG
            if word in APPOSITIVE_PLACE:
                return PLACE
        return ""

    def _after_preposition(self, text: str, run: _Run, first: _Token) -> bool:
        """Whether a preposition stands right before the name ('of Burnsville was killed')."""
        start = text.find(first.surface, run.start, run.end)
        before = text[max(0, (run.start if start < 0 else start) - 12) : start].split()
        return bool(before) and before[-1].lower() in _PREPOSITIONS_BEFORE

    def _place_joined(self, text: str, start: int) -> bool:
        """Whether the name at `start` is joined by 'and' / 'or' to a known place after a
        place's preposition ("in Milan and Cortina", "near Kharkiv or Sumy"): the preposition
        governs both names."""
        # words split off the text before it, not a regex search of the window (a search
        # tries a match at every offset: it cost 0.4% of the extraction on ECB+, callgrind)
        # words[-1]: 'and' / 'or' (a conditional, not max(): a builtin's call costs 4x as much)
        words = text[start - 60 if start > 60 else 0 : start].split()
        for size in range(1, min(4, len(words) - 1)):
            if words[-size - 2].lower() in PLACE_PREPOSITIONS:
                named = words[-size - 1 : -1]
                if not all(w[:1].isupper() and w[-1:].isalnum() for w in named):
                    return False
                known = self.g.by_key.get(fold_key(" ".join(named)))
                return known is not None and known.kind == PLACE
        return False

    def _qualified_by_role(self, text: str, end: int) -> bool:
        """Whether a lower-case role or body follows the name ('Creighton coach', 'Ford
        plant' is not asked): a title or an organisation's noun."""
        m = _NEXT_WORD.match(text, end)
        return m is not None and (
            m.group(1) in self.g.lower_titles or m.group(1) in self.g.org_nouns
        )

    def _head_after(self, text: str, end: int) -> str:
        """The kind of the noun a name qualifies ('the X foothills', 'the X rehab facility',
        'the X union voted'): the first of up to three lower-case words after it, before a
        stop word, that is a place's or an organisation's noun (the rules' words that end
        such names, and WordNet's organisation nouns; not WordNet's nouns of structures,
        which read 'the VS Code window' and 'the X field' as places), or ''."""
        words = _LOWER_WORDS.match(text, end)
        if words is None:
            return ""
        g = self.g
        for word in words.group(0).split():
            if word in g.stopwords:
                return ""
            # (as written: read as a plural, a verb's 'opens' would be the noun 'open')
            if word in PLACE_LAST:
                return PLACE
            if word in ORG_LAST or word in g.org_nouns:
                return ORG
        return ""

    def _qualifies(self, text: str, end: int) -> bool:
        """Whether a name only qualifies the noun after it ('in Colts territory', 'in a
        Tesla factory'): a lower-case word follows that is no stop word ('in Kherson is')."""
        m = _NEXT_WORD.match(text, end)
        return m is not None and m.group(1) not in self.g.stopwords

    def _after_the(self, text: str, start: int) -> bool:
        """'the' before the run: context, so the run's cut is not cached by its text (cached,
        "the Tar Heels" made every later entry's "Tar Heels" an organisation)."""
        self.used_context = True
        return text[max(0, start - 4) : start].lower() == "the "

    def _after_rank(self, text: str, start: int) -> bool:
        """A rank before the run ('No. 1 '): context, so the run's cut is not cached."""
        self.used_context = True
        return _RANK_BEFORE.search(text, max(0, start - 9), start) is not None

    def _at_facility(self, text: str, run: _Run, first: _Token) -> bool:
        """`cues.facility_at` before the name: context, so the run's cut is not cached. Not
        where a quoted writer wrote in it ('said Natalia Keogan in the A.V. Club'): that names
        the publication (`_cited`), an organisation."""
        self.used_context = True
        start = text.find(first.surface, run.start, run.end)
        start = run.start if start < 0 else start
        return facility_at(text, start) and not _cited(text, start)

    def _said(self, text: str, end: int) -> bool:
        """'X said' after the run: context, so the run's cut is not cached by its text."""
        self.used_context = True
        return _speech_after(text, end)

    @staticmethod
    def _endings(first: _Token, size: int) -> tuple[str, bool]:
        """A guess from how one word ends: 'Pokrovsk' a place, 'Kowalski' a person."""
        return ending_kind(first.lower) if size == 1 else ("", False)

"""The scan: an entry's capitalised runs found in reading order, the easy ones settled at once.

Place in the data flow: the first step of `names._Extractor` (a mixin of it). `_scan` finds
the capitalised runs of the title and the body (`tokens._RUN`), joins what a run pattern
cannot ('al-', "d'", an ampersand), settles a run that is one gazetteer name or never a name
(`runcache._fast`), and leaves the rest as runs for the cut, with the evidence the cut reads:
the words the entry capitalises mid-sentence (`mid_caps`), the last words of its runs
(`tail_caps`), a body's Title Case headline, and the runs 'on' / 'and' alone part (`links`).
"""

from __future__ import annotations

from wirereader.analysis.entities.cues import (
    ORG_LAST,
)
from wirereader.analysis.entities.gazetteer import (
    Gazetteer,
    fold_key,
)
from wirereader.analysis.entities.runcache import (
    _FAST,
    _LONGEST_CACHED,
    _fast,
)
from wirereader.analysis.entities.runs import (
    _closes_quote,
    _take_run_ending_at,
)
from wirereader.analysis.entities.tokens import (
    _ARTICLES,
    _CLOSING_QUOTES,
    _GLUED,
    _LEAD_PUNCT,
    _RUN,
    _RUN_ASCII,
    _SENTENCE_END,
    _is_sentence_start,
    _item_start,
    _quoted_title_start,
    _Run,
    _single_quoted_title_start,
    _Span,
    _Token,
    _tokens,
)

# The apostrophes of an elided article ("d'Ivoire", "d’Ampezzo")
_ELISION_MARKS = frozenset("'’")

_QUOTE_OR_STOP = _CLOSING_QUOTES | frozenset(",.")
# The marks `_is_sentence_start` steps back over: before any other character that is no
# sentence's end it answers no at once
_LEAD_MARKS = frozenset(_LEAD_PUNCT)
_new = tuple.__new__


class _Scanner:
    """The scan of `names._Extractor`: an entry's runs in reading order."""

    g: Gazetteer
    items: list[_Span | _Run]
    mid_caps: set[str]
    tail_caps: set[str]
    links: list[tuple[int, str]]
    quoted: set[str]
    headline_end: int
    headline_runs: list[tuple[tuple[_Token, ...], bool]]

    def _scan(self, text: str, part: int, title_case: bool) -> None:
        g, items, mid_caps = self.g, self.items, self.mid_caps
        headline = self.headline_end if part else 0
        append, add_cap, add_tail = items.append, mid_caps.add, self.tail_caps.add
        fast_get = _FAST.get
        ascii_text = text.isascii()
        finditer = (_RUN_ASCII if ascii_text else _RUN).finditer
        ampersand = "&" in text  # asked once: few texts join names with one
        # a single quotation's opening mark, asked once: most texts open none
        single_quotes = " '" in text or (not ascii_text and "‘" in text)
        start = 0
        while start >= 0:
            # One finditer over the text (a search call per run cost a tenth of the scan); it
            # starts again only where a run must be looked at again from inside ("1B Mark").
            restart = -1
            for m in finditer(text, start):
                base, pos = m.span()
                before = text[base - 1] if base else " "
                # a blank before the run, the commonest case, answered by one comparison
                if before != " " and (before.isalnum() or before in _GLUED):
                    if not before.isalpha():
                        # "1B Mark Teixeira", "@BigNews Kyiv": only the glued word is left out
                        restart = base + len(m.group().split(None, 1)[0])
                        break
                    continue  # "iPhone Pro": a product name glued to its brand
                if not ascii_text and text[base] > "\x7f" and not text[base].isupper():
                    restart = base + 1
                    break
                group = m[0]  # not m.group(): a call that parses its arguments
                if (
                    before == "-"
                    and text[base - 3 : base - 1] in _ARTICLES
                    and (base < 4 or not text[base - 4].isalnum())
                ):
                    # 'al-Qaeda', 'Ahmed al-Sharaa': the joined Arabic article belongs to the
                    # name, and joins the run just before it (rare: tested only after a hyphen)
                    base -= 3
                    if text[base - 1 : base] in (" ", "\t"):
                        joined = _take_run_ending_at(items, base - 1, part)
                        if joined is not None:
                            base = joined
                    group = text[base:pos]
                    before = text[base - 1] if base else " "
                elif (
                    before != " "  # the commonest case, answered by one comparison
                    and before in _ELISION_MARKS
                    and base > 3
                    and text[base - 2] == "d"
                    and text[base - 3] in " \t"
                    and items
                ):
                    # "Côte d'Ivoire", "Cortina d'Ampezzo", "Giscard d'Estaing": the elided
                    # article joins the run just before it (only after an apostrophe)
                    joined = _take_run_ending_at(items, base - 3, part)
                    if joined is not None:
                        base = joined
                        group = text[base:pos]
                        before = text[base - 1] if base else " "
                elif ampersand and (
                    before == "&" or (before == " " and text[base - 2 : base] == "& ")
                ):
                    # "Johnson & Johnson", "H&R Block", "AT&T": capitalised words joined by an
                    # ampersand are one organisation's name; the run before joins this one
                    glued = before == "&"
                    end_before = base - 1 if glued else base - 3
                    if text[end_before - 1 : end_before].isalnum() and not (
                        # "his WBA & IBO titles": two acronyms of a list, each its own name
                        not glued
                        and group.isupper()
                        and text[end_before - 2 : end_before].isupper()
                    ):
                        joined = _take_run_ending_at(items, end_before, part)
                        if joined is None and glued and " " in group:
                            # "H&R Block": a letter glued before the ampersand is no run of
                            # its own ('Q&A', 'R&D' join nothing: one word after the sign)
                            joined = end_before
                            while joined > 0 and text[joined - 1].isalnum():
                                joined -= 1
                            if not text[joined].isupper():
                                joined = None
                        if joined is not None:
                            base = joined
                            group = text[base:pos]
                            before = text[base - 1] if base else " "
                        elif glued and " " not in group:
                            # "B&Bs", "M&Ms": one word glued after the sign to letters that
                            # are no run is the word's tail, no name of its own
                            continue
                verdict = fast_get(group)
                if verdict is None:
                    # the length asked only of a run the cache lacks: it never holds a long one
                    if len(group) > _LONGEST_CACHED:
                        # Hostile or shouting text: decided without filling the caches with it.
                        run = _Run(base, pos, _tokens.__wrapped__(group), False, True, part)
                        items.append(run)
                        continue
                    verdict = _fast(group, g)
                if verdict is True:
                    if (
                        text[pos : pos + 1] in _QUOTE_OR_STOP
                        and _closes_quote(text, pos)
                        and len(group) > 1
                    ):
                        # '"Everything Everywhere All at Once."': a quoted work's title ends
                        # with a stop word too, and every run in it is no name
                        opened = _quoted_title_start(text, base, pos)
                        if opened >= 0:
                            while items and _item_start(items[-1]) > opened:
                                items.pop()
                    continue
                if verdict is not False:
                    # tuple.__new__ skips the named tuple's Python-level __new__ (a run in two
                    # ends here, so it is the scan's commonest step)
                    tokens, kind, canonical, surface, known = verdict
                    where = (base, pos, part)
                    append(
                        _new(_Span, (tokens, kind, canonical, False, known, True, where, surface))
                    )
                    continue
                after = text[pos : pos + 1]
                if (
                    after in _QUOTE_OR_STOP
                    and (  # one lookup for the commonest, a blank
                        after in _CLOSING_QUOTES
                        # American style puts the comma or the stop inside: '"The Godfather,"'
                        or text[pos + 1 : pos + 2] in _CLOSING_QUOTES
                    )
                ):
                    opened = _quoted_title_start(text, base, pos)
                    if opened >= 0 and fold_key(group.rsplit(None, 1)[-1]) not in ORG_LAST:
                        # 'the "Home Alone" movies', '"A Hymn to Life"': a work's title, with every
                        # name found in it ("Creamery Corp" is an organisation's name in quotes)
                        while items and _item_start(items[-1]) > opened:
                            items.pop()
                        _record_work(self.quoted, text, opened, pos)
                        continue
                elif single_quotes and group[-1] in _CLOSING_QUOTES:
                    # "‘Mortal Engines’ (2018)": the plural's possessive mark the run took in
                    # ('Workers’ Party') closes a single quotation opened before the run
                    opened = _single_quoted_title_start(text, base, pos)
                    if opened >= 0 and fold_key(group.rsplit(None, 1)[-1]) not in ORG_LAST:
                        while items and _item_start(items[-1]) > opened:
                            items.pop()
                        _record_work(self.quoted, text, opened, pos)
                        continue
                tokens = _tokens(group)
                # Shouting ("BREAKING NEWS PUTIN SAYS") capitalises everything, as Title Case does.
                # (Title Case or shouting: the two read alike below, so one answer is kept)
                title_like = title_case or (len(tokens) > 2 and group.isupper())
                # a word and a blank before the run, the commonest case, or a sentence's end
                # before it, answered without a call (`_is_sentence_start` answers the same);
                # the call only where a mark it steps back over stands before the run (a comma,
                # a bracket's close: it would stop there and answer no)
                if before == " " and base > 1:
                    prev = text[base - 2]
                    initial = not prev.isalnum() and (
                        prev in _SENTENCE_END
                        or (prev in _LEAD_MARKS and _is_sentence_start(text, base))
                    )
                    if (
                        # 'and' / 'on' before the run? Two characters, so that a word in -n or
                        # -d before a run ('in', 'said') costs no call
                        (prev == "d" or prev == "n")
                        and text[base - 3] == ("n" if prev == "d" else "o")
                        and items
                        and not title_like
                    ):
                        self._linked(text, items, base, part)
                else:
                    initial = before in _SENTENCE_END or (
                        before in _LEAD_MARKS and _is_sentence_start(text, base)
                    )
                append(_new(_Run, (base, pos, tokens, initial, title_like, part)))
                if title_like:
                    continue
                if base < headline:
                    self.headline_runs.append((tokens, initial))
                    continue
                if not initial:
                    for tok in tokens:
                        add_cap(tok.key)
                    add_tail(tok.key)  # the run's last word
                elif len(tokens) > 1:
                    for tok in tokens[1:]:
                        add_cap(tok.key)
                    add_tail(tok.key)
            start = restart

    def _linked(self, text: str, items: list[_Span | _Run], base: int, part: int) -> None:
        """Note a run that only 'on' / 'and' parts from the run before it, in the same text
        ('Committee on Foreign Affairs', 'Food and Drug Administration')."""
        if text.startswith(" and ", base - 5):
            word, end = "and", base - 5
        elif text.startswith(" on ", base - 4):
            word, end = "on", base - 4
        else:
            return
        prev = items[-1]
        if isinstance(prev, _Run) and prev.end == end and prev.part == part and not prev.title_case:
            self.links.append((len(items), word))


# Words that introduce a name in quotes ('collectively called “Coalition S”'), not a work
_NAMING = frozenset(("called", "named", "dubbed", "nicknamed", "as", "company", "firm", "group"))


def _record_work(quoted: set[str], text: str, opened: int, end: int) -> None:
    """Keep a quoted work's title ('This “Ben-Hur” is', the title's ‘Sirat’): the entry's
    other mentions of it, unquoted, are the work's too. Typographic quotes only (code quotes
    strings in ASCII), and not a quotation that introduces a name ('called “X”') or sits
    inside one (a nickname: 'Joaquín “El Chapo” Guzmán')."""
    if text[opened] not in "“‘«":
        return
    before = text[max(0, opened - 24) : opened].split()
    if before and before[-1].lower() in _NAMING:
        return
    after = end
    while after < len(text) and text[after] in ",.'’”» ":
        after += 1
    if (
        before
        and before[-1][:1].isupper()
        and text[after : after + 1].isupper()
        and text[after - 1 : after] == " "
    ):
        return
    quoted.add(text[opened + 1 : end].rstrip(",.'’"))

"""The name a cut is collecting (`_Pending`), and the spans made of gazetteer names.

Place in the data flow: inside the cut. `names._Extractor._cut` walks a run's words into a
`_Pending` name (with what the words before it said: a title, an honorific, a place just
before) and `_flush` turns it into spans (`tokens._Span`); a gazetteer name found inside the
run becomes a span at once (`_known_span`). Also the tests the cut makes of titles: an office
not yet held ('minister-elect') and the institutions' nouns that 'of' / 'for' go on from
('Bank of England').
"""

from __future__ import annotations

from wirereader.analysis.entities.cues import (
    ORG_FIRST,
    ORG_LAST,
)
from wirereader.analysis.entities.gazetteer import (
    Gazetteer,
    Known,
)
from wirereader.analysis.entities.tokens import (
    _Run,
    _Span,
    _Token,
)


class _Pending:
    """The name being collected from a run, with what the words before it said about it."""

    __slots__ = (
        "after_known",
        "at_run_start",
        "honorific",
        "inner",
        "institution",
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
        self.institution = False  # an institution's noun and 'of' went on into a name
        self.inner: list[_Span] | None = None  # the known names inside it ('... of Pakistan')


_ELECT = ("-elect", "-designate")


def _elect(low: str, titles: frozenset[str]) -> bool:
    """Whether a word is a title chosen and not yet in office ('minister-elect')."""
    return low.endswith(_ELECT) and low.rsplit("-", 1)[0] in titles


def _institution_heads(g: Gazetteer) -> frozenset[str]:
    """The nouns of institutions named by what follows 'of' / 'for' ('Bank of England',
    'Department for Education', 'Organisation of Islamic Cooperation'): `cues.ORG_FIRST`,
    and the WordNet organisation nouns (`org_nouns.txt`) that end organisations' names
    (`cues.ORG_LAST`), with the British spelling of 'organization'."""
    heads = g.institution_heads
    if heads is None:
        heads = g.institution_heads = ORG_FIRST | (g.org_nouns & ORG_LAST) | {"organisation"}
    return heads


def _known_span(tokens: tuple[_Token, ...], known: Known, where: tuple[int, int, int]) -> _Span:
    """A gazetteer name's span, with its kind and canonical name (a weak entry, a town's name
    the words around may make a person's, is not marked known)."""
    return _Span(tokens, known.kind, known.canonical, False, not known.weak, True, where)


def _adjacent(tokens: tuple[_Token, ...], before: _Token, after: _Token) -> bool:
    """Whether `after` follows `before` in a run's tokens, with no word between ('Diego Garcia
    of the Chagos Islands' has two)."""
    for k in range(len(tokens) - 1):
        if tokens[k] is before:
            return tokens[k + 1] is after
    return False

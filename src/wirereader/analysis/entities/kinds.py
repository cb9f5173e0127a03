"""A name's kind learned from evidence: a small logistic model over what the entry says of it.

The rules of `names` cut an entry's capitalised runs into names and guess a kind from cues
(titles, suffixes, 'X said', 'in X'). Where no gazetteer vouches for a name, the kind is
decided here, once per distinct name and entry, by a multinomial logistic model over the
evidence gathered from all of the name's mentions in the entry:

- the name's own form: word count, word shapes (Xx, XX, X.X.), its first and head word
  ('University', 'Corp', 'Lake'), the endings of its last word ('-son', '-ville', '-ton'),
  function words inside it ('of', 'the');
- maintained data: a given name first (names-dataset), a town or a country inside it
  (GeoNames, ISO 3166), a demonym first ('American ... Institute');
- the words around each mention ('Mr', 'said', 'in', 'at', 'of the', "'s", a pronoun after);
- the entry's consistency: the surname written alone elsewhere, the head word written in
  lower case elsewhere;
- the rules' own guess and whether it rested on evidence.

The weights are built at build time by `scripts/build_kind_model.py` from the ECB+ topics the
benchmark tunes on (the odd ones) and shipped in `analysis/data/kind_model.txt`; a feature is
kept only if it occurs in several training topics, so the model learns cues, not the names of
one story. Scoring is a few dictionary lookups per name: no numpy on the hot path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

from wirereader.analysis.entities.cues import _PRONOUNS, _SENTENCE_REST, ORG, PERSON, PLACE
from wirereader.analysis.entities.gazetteer import Gazetteer
from wirereader.analysis.entities.tokens import _Span, _Token, _where

KINDS = (PERSON, PLACE, ORG)
MODEL_FILE = "kind_model.txt"
MARGIN = "margin"  # the model file's line of the margin (see `decide`), never a feature

_SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?«»—–-"
_FUNCTION_WORDS = frozenset("of for the de da del di du van von der la le al el bin and y".split())


def shape(word: str) -> str:
    """'Obama' -> 'Xx', 'NATO' -> 'X', 'U.S.' -> 'X.X.', "O'Brien" -> "X'Xx", 'McCain' ->
    'XxXx': letters by case, digits, runs of one class written once."""
    if not word.isascii():
        word = "".join(c if c.isascii() else ("X" if c.isupper() else "x") for c in word)
    coded = word.translate(_SHAPE)
    out = []
    for c in coded:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _around(text: str, start: int, end: int) -> tuple[list[str], str]:
    """Two words before a mention (lower case) and the next word or punctuation mark."""
    before = text[max(0, start - 30) : start].split()[-2:]
    before = [w.strip(_EDGE_PUNCT).lower() or w[-1:] for w in before]
    rest = text[end : end + 25]
    if not rest:
        return before, "$"
    first = rest[0]
    if not first.isspace():
        if rest.startswith(("'s", "’s")):
            return before, "'s"
        return before, first
    words = rest.split(None, 1)
    return before, words[0].strip(_EDGE_PUNCT).lower() if words else "$"


def features(
    g: Gazetteer,
    texts: Sequence[str],
    spans: Sequence[_Span],
    kind: str,
    strong: bool,
    lone_words: set[str],
) -> list[str]:
    """The evidence on one distinct name of an entry, from all its mentions (`spans`; the
    longest gives the name's form), as feature names. `kind`/`strong`: the rules' guess;
    `lone_words`: the keys of the entry's one-word mentions."""
    tokens: tuple[_Token, ...] = max((s.tokens for s in spans), key=len)
    first, last = tokens[0], tokens[-1]
    words = [t for t in tokens if t.lower not in _FUNCTION_WORDS]
    n = len(words) or 1
    out = [
        "bias",
        f"guess={kind or '?'}",  # a fixed prior for the rules' guess (see the build script)
        f"rule={kind or '?'}{'!' if strong else ''}",
        f"n={min(n, 4)}",
        f"shape1={shape(first.surface)}",
        f"first={first.lower}",
        f"head={last.lower}",
    ]
    lw = last.lower
    if len(lw) > 4:
        out.append(f"end3={lw[-3:]}")
        out.append(f"end2={lw[-2:]}")
    if n > 1:
        out.append(f"shapeN={shape(last.surface)}")
        out.append(f"n={min(n, 4)}rule={kind or '?'}")
    for t in tokens[1:-1]:
        if t.lower in _FUNCTION_WORDS:
            out.append(f"inner={t.lower}")
    given = g.given_names
    if first.lower in given:
        out.append("given1" if n > 1 else "given")
    if n > 1 and last.lower in given:
        out.append("givenN")
    if first.lower in g.demonyms:
        out.append("demonym1")
    by_key = g.by_key
    for t in tokens:
        known = by_key.get(t.key)
        if known is not None:
            out.append(f"has={known.kind}{'~' if known.weak else ''}")
    if n > 1:
        if last.key in lone_words:
            out.append("lone_last")
        if first.key in lone_words:
            out.append("lone_first")
    if len(spans) > 1:
        out.append("many" if len(spans) > 3 else "some")
    for span in spans:
        part = span.where[2]
        text = texts[part]
        start, end = _where(span, text)
        if start < 0:
            continue
        before, after = _around(text, start, end)
        if not part:
            out.append("in_title")
        if before:
            out.append(f"b1={before[-1]}")
            if len(before) > 1:
                out.append(f"b2={before[0]} {before[1]}")
        else:
            out.append("b1=^")
        out.append(f"a1={after}")
        rest = _SENTENCE_REST.match(text, end).group().lower()  # type: ignore[union-attr]
        if not _PRONOUNS.isdisjoint(rest.replace(",", " ").split()):
            out.append("pronoun_after")
    return out


@cache
def model() -> dict[str, tuple[float, float, float]]:
    """The shipped weights: feature -> (person, place, org)."""
    text = resources.files("wirereader.analysis").joinpath("data", MODEL_FILE).read_text("utf-8")
    return parse_weights(text.splitlines())


def parse_weights(lines: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    weights: dict[str, tuple[float, float, float]] = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        name, a, b, c = line.rsplit("\t", 3)
        weights[name] = (float(a), float(b), float(c))
    return weights


def scores(feats: Iterable[str], weights: dict[str, tuple[float, float, float]]) -> list[float]:
    """The three kinds' probabilities (person, place, org). A feature seen twice counts once."""
    p = l_ = o = 0.0
    get = weights.get
    for f in set(feats):
        w = get(f)
        if w is not None:
            p += w[0]
            l_ += w[1]
            o += w[2]
    top = max(p, l_, o)
    e = [math.exp(p - top), math.exp(l_ - top), math.exp(o - top)]
    total = e[0] + e[1] + e[2]
    return [x / total for x in e]


def decide(feats: Iterable[str], guess: str) -> str:
    """The most probable kind, if it beats the rules' guess by the model's margin (its line
    `margin`): how much more probable a kind must be to replace the guess. The guess is already
    a feature; the margin keeps close calls with the rules (chosen by the build script's topic
    folds, checked on the real feeds' dev half, where ECB+'s conventions do not hold)."""
    weights = model()
    s = scores(feats, weights)
    best = s.index(max(s))
    if guess in KINDS and s[best] - s[KINDS.index(guess)] < weights[MARGIN][0]:
        return guess
    return KINDS[best]

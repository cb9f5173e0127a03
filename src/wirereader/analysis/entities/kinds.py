"""A name's kind learned from evidence: a small logistic model over what the entry says of it.

The rules of `names` cut an entry's capitalised runs into names and type them from cues
(titles, suffixes, given names, 'X said', 'in X'). Where they only guess (no gazetteer, no cue,
no sports report: `extract._learned`), the kind is decided here, once per distinct name and
entry, by a multinomial logistic model over the evidence of the name's mentions in the entry:

- the name's own form: word count, word shapes (Xx, X, X.X., XxXx), the last letters of its
  last word ('-son', '-ville', '-ton'), function words inside it ('of', 'for'); not its words
  themselves, which named the people of a few stories ('first=andrew', 'head=williams'; the
  rules already read the words that type a name, 'University', 'Corp', 'Lake');
- maintained data: a given name first or last (names-dataset), a town, region or country
  inside it (GeoNames, ISO 3166, the hand lists), a demonym first ('American ... Institute');
- the words around its first two mentions ('Mr', 'said', 'in', 'at', 'of the', "'s") and
  whether one stands in the title; a verb of speech right before it ('said Futurism.',
  'according to TsKVPR': who speaks is a person or a body, `cue=speaker`);
- the entry's consistency: its last or first word also named alone (people are called by
  their surname), how often it is named;
- the rules' own guess, as a fixed prior the model must outweigh by a margin.

The weights are built at build time by `scripts/build_kind_model.py` from the ECB+ topics the
benchmark tunes on (the odd ones) and the hand-judged real-feed names of the feeds' dev half,
and shipped in `analysis/data/kind_model.txt`; a feature is kept only if it occurs in several
training topics (a feed counts as one), so the model learns cues, not the names of one story
(the script can also average fits that each leave out a share of the topics: `--bags`).
Scoring is a few dictionary lookups per name: no numpy on the hot path.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

from wirereader.analysis.entities.cues import CONNECTORS, ORG, PERSON, PLACE
from wirereader.analysis.entities.gazetteer import Gazetteer
from wirereader.analysis.entities.tokens import _Span, _Token

KINDS = (PERSON, PLACE, ORG)
MODEL_FILE = "kind_model.txt"
MARGIN = "margin"  # the model file's line of the margin (see `decide`), never a feature

_SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
# A run of one character, written once by `shape` (one regex pass, not a loop per letter)
_REPEATS = re.compile(r"(.)\1+", re.DOTALL)
_ONCE = operator.itemgetter(1)
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?«»—–-"
_FUNCTION_WORDS = CONNECTORS | {"and"}  # words inside names: "Bank of", "Smith and"
# A verb of speech right before a name: the name is who speaks, a person or a body ('..., said
# Reuters.'); ECB+ and the feeds name speakers after the quote as often as before it
_SPEECH_BEFORE = frozenset(("said", "says", "told", "tells", "wrote", "writes", "reported"))


def shape(word: str) -> str:
    """'Obama' -> 'Xx', 'NATO' -> 'X', 'U.S.' -> 'X.X.', "O'Brien" -> "X'Xx", 'McCain' ->
    'XxXx': letters by case, digits, runs of one class written once."""
    if not word.isascii():
        word = "".join(c if c.isascii() else ("X" if c.isupper() else "x") for c in word)
    return _REPEATS.sub(_ONCE, word.translate(_SHAPE))


def _around(text: str, start: int, end: int) -> list[str]:
    """The features of the words around a mention: the two before it (lower case, or '^' at
    the text's start) and the next word or punctuation mark after it."""
    # the last two words, not all (a conditional, not max(): a builtin's call costs 4x as much)
    before = text[start - 30 if start > 30 else 0 : start].rsplit(None, 2)
    out = []
    if before:
        last = before[-1]
        word = last.strip(_EDGE_PUNCT).lower() or last[-1]
        out.append("b1=" + word)
        if len(before) > 1:
            prev = before[-2]
            out.append("b2=" + (prev.strip(_EDGE_PUNCT).lower() or prev[-1]) + " " + word)
        if word in _SPEECH_BEFORE or (word == "to" and out[-1] == "b2=according to"):
            out.append("cue=speaker")  # 'said Reuters.', 'according to Harper': who speaks
    else:
        out.append("b1=^")
    nxt = text[end : end + 1]
    if not nxt:
        out.append("a1=$")
    elif not nxt.isspace():
        out.append("a1='s" if text.startswith(("'s", "’s"), end) else "a1=" + nxt)
    else:
        words = text[end : end + 25].split(None, 1)
        out.append("a1=" + (words[0].strip(_EDGE_PUNCT).lower() if words else "$"))
    return out


_CLAUSE_STOPS = frozenset(".,;")


def speaks_at_clause_end(texts: Sequence[str], span: _Span) -> bool:
    """Whether the mention is the speaker of a verb of speech right before it and its clause
    ends right after it ('..., said Tatler.', 'according to Sportico.'): the features
    `cue=speaker` and `a1=.` / `a1=,` / `a1=;` of `mention_features`, read without building
    them. (`extract._learned` asks it where the model makes such a guessed name a place.)"""
    run_start, run_end, part = span.where
    text = texts[part]
    tokens = span.tokens
    start = text.find(tokens[0].surface, run_start, run_end)
    if start < 0:
        return False
    last = tokens[-1].surface
    end = start + len(last) if len(tokens) == 1 else text.find(last, start, run_end) + len(last)
    if text[end : end + 1] not in _CLAUSE_STOPS:
        return False
    before = text[max(0, start - 30) : start].rsplit(None, 2)
    if not before:
        return False
    word = before[-1].strip(_EDGE_PUNCT).lower()
    return word in _SPEECH_BEFORE or (
        word == "to" and len(before) > 1 and before[-2].strip(_EDGE_PUNCT).lower() == "according"
    )


# Mentions whose surroundings are read, the first ones of a name in the entry: a name named
# ten times costs no more than one named twice (by topic folds of dev, reading one mention
# scored 0.920, the rules' own figure; two and three 0.922).
CONTEXTS = 2


def name_features(g: Gazetteer, tokens: Sequence[_Token], kind: str, strong: bool) -> list[str]:
    """The name's own form and data, with the rules' guess (`kind`; `strong`: it rested on
    evidence): the same wherever the name stands, so the scoring caches their sum."""
    first, last = tokens[0], tokens[-1]
    words = [t for t in tokens if t.lower not in _FUNCTION_WORDS]
    n = len(words) or 1
    out = [
        "bias",
        f"guess={kind or '?'}",  # a fixed prior for the rules' guess (see the build script)
        f"rule={kind or '?'}{'!' if strong else ''}",
        f"n={min(n, 4)}",
        f"shape1={shape(first.surface)}",
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
    return out


def entry_features(tokens: Sequence[_Token], mentions: int, lone_words: set[str]) -> list[str]:
    """What the rest of the entry says: how often the name comes, and whether its first or
    last word also stands alone (people are called by their surname)."""
    out = []
    if len(tokens) > 1:
        if tokens[-1].key in lone_words:
            out.append("lone_last")
        if tokens[0].key in lone_words:
            out.append("lone_first")
    if mentions > 1:
        out.append("many" if mentions > 3 else "some")
    return out


def mention_features(texts: Sequence[str], span: _Span) -> list[str]:
    """The words around one mention (two before it, one after) and whether it stands in the
    title. (`tokens._where` written out: this runs for every guessed name.)"""
    run_start, run_end, part = span.where
    text = texts[part]
    tokens = span.tokens
    start = text.find(tokens[0].surface, run_start, run_end)
    if start < 0:
        return []
    if len(tokens) == 1:
        end = start + len(tokens[0].surface)  # the one word, found above
    else:
        last = tokens[-1].surface
        end = text.find(last, start, run_end) + len(last)
    out = _around(text, start, end)
    if not part:
        out.append("in_title")
    return out


def _longest(spans: Sequence[_Span]) -> tuple[_Token, ...]:
    return max((s.tokens for s in spans), key=len)


def features(
    g: Gazetteer,
    texts: Sequence[str],
    spans: Sequence[_Span],
    kind: str,
    strong: bool,
    lone_words: set[str],
) -> list[str]:
    """The evidence on one distinct name of an entry, from its mentions (`spans`, in reading
    order; the longest gives the name's form), as feature names: what the model is trained
    on. `kind`/`strong`: the rules' guess; `lone_words`: the keys of one-word mentions."""
    tokens = _longest(spans)
    out = name_features(g, tokens, kind, strong)
    out += entry_features(tokens, len(spans), lone_words)
    for span in spans[:CONTEXTS]:
        out += mention_features(texts, span)
    return out


Weights = dict[str, tuple[float, float, float]]
_NAME_SUMS: dict[tuple[tuple[_Token, ...], str, bool], tuple[float, float, float]] = {}
_NAME_SUMS_LIMIT = 50_000


def decide_name(
    g: Gazetteer,
    texts: Sequence[str],
    spans: Sequence[_Span],
    kind: str,
    strong: bool,
    lone_words: set[str],
) -> str:
    """`decide(features(...), kind)`, faster (a test holds them equal): the name's own
    features are summed once per name and guess (cached across entries), the entry's and its
    mentions' features are looked up as they are made."""
    weights = _MODEL or _load()
    tokens = spans[0].tokens if len(spans) == 1 else _longest(spans)
    key = (tokens, kind, strong)
    base = _NAME_SUMS.get(key)
    if base is None:
        if len(_NAME_SUMS) >= _NAME_SUMS_LIMIT:
            _NAME_SUMS.clear()  # bounded: hostile input cannot grow it forever
        base = _NAME_SUMS[key] = _sum(name_features(g, tokens, kind, strong), weights)
    if len(spans) == 1:
        feats = mention_features(texts, spans[0])  # one mention: no feature twice
        if len(tokens) > 1:
            feats += entry_features(tokens, 1, lone_words)
    else:
        unique = set(entry_features(tokens, len(spans), lone_words))
        for span in spans[:CONTEXTS]:
            unique.update(mention_features(texts, span))
        feats = list(unique)
    return _choose(_added(base, feats, weights), kind, weights)


def _sum(feats: Iterable[str], weights: Weights) -> tuple[float, float, float]:
    """The features' summed weights; a feature seen twice counts once."""
    return _added((0.0, 0.0, 0.0), set(feats), weights)


def _added(
    z: tuple[float, float, float], feats: Iterable[str], weights: Weights
) -> tuple[float, float, float]:
    """`z` plus each feature's weights (unknown features weigh nothing)."""
    p, l_, o = z
    get = weights.get
    for f in feats:
        w = get(f)
        if w is not None:
            p += w[0]
            l_ += w[1]
            o += w[2]
    return p, l_, o


def clear_cache() -> None:
    _NAME_SUMS.clear()


@cache
def model() -> Weights:
    """The shipped weights: feature -> (person, place, org)."""
    text = resources.files("wirereader.analysis").joinpath("data", MODEL_FILE).read_text("utf-8")
    return parse_weights(text.splitlines())


_MODEL: Weights = {}  # `model()`, once loaded: a global read instead of a call per name


def _load() -> Weights:
    global _MODEL
    _MODEL = model()
    return _MODEL


def parse_weights(lines: Iterable[str]) -> Weights:
    weights: Weights = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        name, a, b, c = line.rsplit("\t", 3)
        weights[name] = (float(a), float(b), float(c))
    return weights


def scores(feats: Iterable[str], weights: Weights) -> list[float]:
    """The three kinds' probabilities (person, place, org). A feature seen twice counts once."""
    return _probabilities(_sum(feats, weights))


def _probabilities(z: tuple[float, float, float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = e[0] + e[1] + e[2]
    return [x / total for x in e]


def decide(feats: Iterable[str], guess: str) -> str:
    """The most probable kind, if it beats the rules' guess by the model's margin."""
    weights = model()
    return _choose(_sum(feats, weights), guess, weights)


def _choose(z: tuple[float, float, float], guess: str, weights: Weights) -> str:
    """The most probable kind, if it beats the rules' guess by the model's margin (its line
    `margin`): how much more probable a kind must be to replace the guess. The guess is already
    a feature; the margin keeps close calls with the rules (chosen by the build script's topic
    folds, checked on the real feeds' dev half, where ECB+'s conventions do not hold)."""
    p, l_, o = z  # the first largest, as z.index(max(z)), without two calls
    best = 0 if p >= l_ and p >= o else 1 if l_ >= o else 2
    if KINDS[best] == guess:
        return guess  # the commonest answer, without a softmax
    if guess in KINDS:
        s = _probabilities(z)
        if s[best] - s[KINDS.index(guess)] < weights[MARGIN][0]:
            return guess
    return KINDS[best]

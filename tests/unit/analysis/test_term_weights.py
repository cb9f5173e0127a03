"""An item's TF weights for threads: counted in C, the same floats as the running sum they
were defined by (stored centroids and thread decisions rest on their last bits)."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.analysis.features import PackedWeights
from wirereader.analysis.threads.term_weights import (
    LEDE_TERMS,
    LEDE_WEIGHT,
    TITLE_PER_BODY_TERMS,
    TITLE_WEIGHT,
    item_tokens,
    packed_text_weights,
    text_weights,
)


def _by_running_sum(title: str, body: str) -> dict[str, float]:
    """The definition: every occurrence added to its term's count in reading order."""
    counts: dict[str, float] = {}
    title_terms, body_terms = item_tokens(title, body)
    title_weight = TITLE_WEIGHT + len(body_terms) / TITLE_PER_BODY_TERMS
    for t in title_terms:
        counts[t] = counts.get(t, 0.0) + title_weight
    for k, t in enumerate(body_terms):
        counts[t] = counts.get(t, 0.0) + (LEDE_WEIGHT if k < LEDE_TERMS else 1.0)
    return {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}


def _bits(weights: dict[str, float]) -> list[tuple[str, bytes]]:
    return [(t, struct.pack("<d", w)) for t, w in weights.items()]


def _real_texts(corpus: Path) -> list[tuple[str, str]]:
    """The seeds and every ECB+ article, each with its first line as a title (so title terms
    recur in the lede and the body)."""
    texts = [("Seed", ARTICLE_SEED.read_text("utf-8")), ("Live", LIVEBLOG_SEED.read_text("utf-8"))]
    with (corpus / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            texts.append((text.split("\n", 1)[0], text))
    return texts


_BODY = " ".join(f"storm{k % 7} coast" for k in range(300))
# Edge cases: title terms counted in all three parts, a title count past any whole-count
# table, a title alone, a body alone, nothing.
_EDGE_TEXTS = [
    ("Storm storm storm hits coast", _BODY),
    ("Watch: storm " * 500, _BODY),
    ("Storm", ""),
    ("", _BODY),
    ("", ""),
]


def test_weights_are_the_running_sums_to_the_bit(corpus: Path) -> None:
    texts = _real_texts(corpus) + _EDGE_TEXTS
    fractional = 0
    for title, text in texts:
        got, want = text_weights(title, text), _by_running_sum(title, text)
        assert _bits(got) == _bits(want), title
        fractional += any(w != round(w) for w in want.values())
    assert len(texts) > 700 and fractional > 700


def test_packed_weights_keep_every_text_its_terms_and_floats() -> None:
    weights = {
        7: text_weights("Storm hits coast", "The storm hit the coast at dawn."),
        3: {},
        9: text_weights("Coast road shut", "Police shut the coast road after the storm."),
    }
    pack = PackedWeights(weights)
    assert pack.terms[:3] == ["storm", "hit", "coast"]  # first seen first
    rows = pack.rows()
    assert list(rows) == [7, 3, 9]
    for entry, row in rows.items():
        assert _bits(row.as_dict()) == _bits(weights[entry])


def _pack_bits(pack: PackedWeights) -> tuple[object, ...]:
    return (
        pack.terms,
        pack.entries.tobytes(),
        pack.ids.tobytes(),
        pack.values.tobytes(),
        pack.counts.tobytes(),
        [type(a) for a in (pack.entries, pack.ids, pack.values, pack.counts)],
    )


def test_a_chunk_s_weights_counted_at_once_are_each_text_s_to_the_bit(corpus: Path) -> None:
    """`packed_text_weights` (a whole chunk in numpy) packs exactly what `text_weights` gives
    text by text: terms first seen first, each text's terms in its dict's order, the floats'
    bits (running sums of title terms included), empty texts and texts of one repeated term."""
    texts = _real_texts(corpus)
    texts[5:5] = [
        *_EDGE_TEXTS,
        ("हिन्दी समाचार नई दिल्ली", "हिन्दी समाचार और भारत की राजधानी नई दिल्ली में"),
    ]
    for start in range(0, len(texts), 97):
        chunk = texts[start : start + 97]
        ids = [1000 - start - k for k in range(len(chunk))]
        each = PackedWeights({i: text_weights(t, b) for i, (t, b) in zip(ids, chunk, strict=True)})
        assert _pack_bits(packed_text_weights(chunk, ids)) == _pack_bits(each), start
    assert _pack_bits(packed_text_weights([("", ""), ("", "")], [4, 2])) == _pack_bits(
        PackedWeights({4: {}, 2: {}})
    )
    assert _pack_bits(packed_text_weights([], [])) == _pack_bits(PackedWeights({}))


def test_a_chunk_s_weights_from_the_words_dedup_numbered_are_the_same(
    corpus: Path, monkeypatch: Any
) -> None:
    """The prepare worker counts a chunk's weights from the words dedup found and numbered
    (`fingerprints_shingles_and_words`): the same packs as `text_weights` text by text, for
    bodies past the terms' limit of characters and past dedup's, texts in other scripts and
    words of two terms; also when the word table fills up between chunks and a new one
    numbers the next (a chunk keeps its own table)."""
    from wirereader.analysis import features
    from wirereader.analysis.dedup.reposts import fingerprints_shingles_and_words

    texts = _real_texts(corpus)
    texts[3:3] = [
        *_EDGE_TEXTS,
        ("Long", "the 1990s storm coast " * 400),
        ("Longer", "storm surge coast " * 5000),
        ("हिन्दी समाचार", "हिन्दी समाचार और भारत की राजधानी नई दिल्ली में " * 9),
        ("Covid-19 in the 1990s", "Covid-19 cases rose 3.5% in the 1990s, dogs' o''x rock'n'roll"),
    ]
    for limit in (features.CACHED_WORDS, 500):
        monkeypatch.setattr(features, "CACHED_WORDS", limit)
        tables = []  # (kept: an id is unique only while its object lives)
        for start in range(0, len(texts), 61):
            chunk = texts[start : start + 61]
            ids = [start + k for k in range(len(chunk))]
            words = fingerprints_shingles_and_words(chunk, ids)[2]
            tables.append(words.table)
            each = PackedWeights(
                {i: text_weights(t, b) for i, (t, b) in zip(ids, chunk, strict=True)}
            )
            assert _pack_bits(packed_text_weights(chunk, ids, words)) == _pack_bits(each), start
        assert (len(set(map(id, tables))) > 3) == (limit == 500)


def test_packs_cross_as_their_sender_s_numbers_with_only_new_terms(monkeypatch: Any) -> None:
    """Pickled, a pack carries its sender's numbers and only the terms that sender had not
    sent before; received in order, its terms are the same strings. A pack whose sender's
    earlier terms never arrived says so (`resolvable`), and the caller weighs its texts."""
    import pickle

    from wirereader.analysis import features

    monkeypatch.setattr(features, "_SENT", None)  # (a sender of its own)
    features.forget_received_terms()
    first = PackedWeights({1: text_weights("Storm hits coast", "The storm hit the coast.")})
    second = PackedWeights({2: text_weights("Coast road shut", "Police shut the coast road.")})
    sent_first, sent_second = pickle.dumps(first), pickle.dumps(second)
    assert b"storm" in sent_first and b"storm" not in sent_second  # sent once
    got_first, got_second = pickle.loads(sent_first), pickle.loads(sent_second)
    for got, made in ((got_first, first), (got_second, second)):
        assert got.resolvable and got.vocabulary is not None
        assert got.terms == made.terms
        assert list(got.rows()[got.entries[0]].as_dict().items()) == list(
            made.rows()[made.entries[0]].as_dict().items()
        )
    third = PackedWeights({3: text_weights("Ferry late", "The ferry left late.")})
    sent_third = pickle.dumps(third)
    features.forget_received_terms()  # (as if the packs before had not arrived here)
    assert not pickle.loads(sent_third).resolvable
    features.forget_received_terms()


def test_every_sender_of_a_refresh_stays_resolvable() -> None:
    """Four parse workers and the prepare worker send at once, each also under its next token:
    none of them is dropped while it sends, so no pack falls back to being weighed again."""
    from wirereader.analysis import features
    from wirereader.ingest.parse_pool import MAX_WORKERS

    features.forget_received_terms()
    senders = 2 * (MAX_WORKERS + 1)
    for round_ in range(3):
        for sender in range(senders):
            fresh = [f"term{sender}-{round_}"]
            assert features._RECEIVED.take(f"sender{sender}", round_, fresh)
    features.forget_received_terms()

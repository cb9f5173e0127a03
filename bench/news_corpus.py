"""A generated corpus with a news-like vocabulary, for the analysis and feeds benchmarks.

The feeds benchmark's own corpus has about a hundred distinct words, so every item shares terms
with every thread (a worst case for candidate lookup). This one is closer to a real news day:

- words drawn from a Zipfian vocabulary (rank r with weight 1 / r**1.07, as in English text)
  of `VOCABULARY` invented words, so a few words are everywhere and most are rare;
- stories with words of their own (drawn from the vocabulary's middle ranks), two or three
  people (given names the entity extractor knows, invented surnames), a real place from the
  gazetteer and an organisation, spread over a few hours;
- one rate at every size, a million items a year: 10k items are three and a half days of the
  stream, 40k two weeks, 1M a year;
- reposts in the same feed (a live blog posting an entry again, sometimes with an update
  paragraph) and copies across sources (a wire story run by other outlets under their own
  headline, sometimes cut).

Streaming: `news_chunks` yields the corpus feed by feed in chunks, so a million items never sit
in memory at once. Deterministic for a seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from importlib import resources

from wirereader.core.model import RawEntry

VOCABULARY = 40_000
ZIPF_EXPONENT = 1.07
REPOST_SHARE = 0.06  # the same feed posts an entry again (new guid)
COPY_SHARE = 0.05  # another feed runs the same story text
ITEMS_PER_STORY = 12
A_YEAR_OF_ITEMS = 1_000_000  # the stream's rate: a million items a year
MINUTES_A_YEAR = 365 * 24 * 60
CHUNK = 5_000

_SYLLABLE_TEXT = (
    "ka lo ven tor mi sa dren ol ua bek ris tan por mel ash vin cor dal fen gri hol jas kem lur"
    " nor pel quin rad sol tev ur vas wen yor zel bra cle dro fli gla"
)
_GIVEN_TEXT = (
    "maria john anna david elena michael sarah james laura daniel sofia peter emma thomas olga"
    " ahmed fatima carlos ana lucas chen wei priya raj yuki kenji omar leila ivan irina pablo"
    " marta hugo ines jonas lena mateo nadia oskar greta"
)
_SYLLABLES = _SYLLABLE_TEXT.split()
_GIVEN = _GIVEN_TEXT.split()


def _pseudo_word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(low, high)))


def _places() -> list[str]:
    """Country names from the generated ISO list the entity extractor loads.

    The generated list, not the hand-written places.txt: an edit to a hand list must not change
    the benchmark's text (and so its outcome digests)."""
    for path in resources.files("wirereader").rglob("countries.txt"):  # type: ignore[attr-defined]
        names = [
            line.split("|")[0].strip()
            for line in path.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if names:
            return names
    return ["Lisbon", "Nairobi", "Osaka", "Quito", "Tromsø", "Lviv"]


class NewsCorpus:
    """`total` items over `feeds` feeds."""

    def __init__(self, total: int, feeds: int = 200, seed: int = 11) -> None:
        self.total, self.feeds, self.seed = total, feeds, seed
        rng = random.Random(seed)
        self.words = list(dict.fromkeys(_pseudo_word(rng, 1, 4) for _ in range(VOCABULARY * 2)))
        self.words = self.words[:VOCABULARY]
        weights = [1.0 / (r + 1) ** ZIPF_EXPONENT for r in range(len(self.words))]
        self.cum = list(itertools.accumulate(weights))
        self.surnames = [_pseudo_word(rng, 2, 3).capitalize() for _ in range(3_000)]
        self.places = _places()
        self.orgs = [
            f"{_pseudo_word(rng, 2, 3).capitalize()} {kind}"
            for kind in (
                "Council",
                "Bank",
                "Party",
                "Authority",
                "Union",
                "Group",
                "Ministry",
                "Agency",
            )
            for _ in range(40)
        ]

    def _story(self, rng: random.Random, start: datetime, n: int) -> dict:
        people = [
            f"{rng.choice(_GIVEN).capitalize()} {rng.choice(self.surnames)}"
            for _ in range(rng.randint(2, 3))
        ]
        own = rng.sample(self.words[300:20_000], 10)
        # One rate at every size, a year of news at a million items (~2,700 a day), so a larger
        # corpus is a longer stretch of the same stream, as a cache grows. (It was a month at
        # every size: a 1M corpus then held 100x the items a day of a 10k one, and each item's
        # time window 100x the threads: dated, the threads stage took 466 against 235 us.)
        minutes = n * ITEMS_PER_STORY * MINUTES_A_YEAR // A_YEAR_OF_ITEMS
        return {
            "people": people,
            "place": rng.choice(self.places),
            "org": rng.choice(self.orgs),
            "own": own,
            "at": start + timedelta(minutes=minutes),
        }

    def _sentence(self, rng: random.Random, story: dict) -> str:
        words = rng.choices(self.words, cum_weights=self.cum, k=rng.randint(10, 20))
        for _ in range(rng.randint(2, 4)):
            words[rng.randrange(len(words))] = rng.choice(story["own"])
        roll = rng.random()
        if roll < 0.5:
            words.insert(rng.randrange(len(words)), rng.choice(story["people"]))
        elif roll < 0.7:
            words.insert(rng.randrange(len(words)), story["place"])
        elif roll < 0.8:
            words.insert(rng.randrange(len(words)), "the " + story["org"])
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def _item(self, rng: random.Random, story: dict) -> tuple[str, str]:
        title_words = rng.sample(story["own"], 3) + rng.choices(
            self.words[:2000], cum_weights=self.cum[:2000], k=3
        )
        rng.shuffle(title_words)
        lead = story["people"][0] if rng.random() < 0.5 else story["place"]
        title = f"{lead}: {' '.join(title_words)}"
        paragraphs = [
            " ".join(self._sentence(rng, story) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 4))
        ]
        return title, "\n\n".join(paragraphs)

    def chunks(self) -> Iterator[dict[str, list[RawEntry]]]:
        """The corpus in chunks of about CHUNK items: feed name -> its entries in the chunk."""
        rng = random.Random(self.seed + 1)
        start = datetime(2025, 6, 1, tzinfo=timezone.utc)
        stories: dict[int, dict] = {}  # the stories still being written, by number
        story: dict = {}
        recent: list[tuple[str, str, datetime]] = []  # (title, body, time) to repost or copy
        chunk: dict[str, list[RawEntry]] = {}
        size = 0
        for n in range(self.total):
            feed = f"news{n % self.feeds:03d}"
            roll = rng.random()
            if recent and story and roll < REPOST_SHARE + COPY_SHARE:
                title, body, when = rng.choice(recent[-3_000:])
                if roll < REPOST_SHARE:  # a repost, sometimes updated
                    if rng.random() < 0.4:
                        body += "\n\nUpdate: " + self._sentence(rng, story)
                else:  # another outlet's copy: its own headline, sometimes cut short
                    title = f"{title.split(':')[0]}: " + " ".join(
                        rng.choices(self.words[:3000], k=5)
                    )
                    paragraphs = body.split("\n\n")
                    if len(paragraphs) > 2 and rng.random() < 0.5:
                        body = "\n\n".join(paragraphs[:-1])
                when = when + timedelta(minutes=rng.randint(5, 180))
            else:
                k = max(0, n // ITEMS_PER_STORY + rng.randint(-3, 3))
                if k not in stories:
                    stories[k] = self._story(rng, start, k)
                    for old in [s for s in stories if s < k - 8]:
                        del stories[old]
                story = stories[k]
                title, body = self._item(rng, story)
                when = story["at"] + timedelta(minutes=rng.randint(0, 360))
                recent.append((title, body, when))
                if len(recent) > 6_000:
                    del recent[:3_000]
            chunk.setdefault(feed, []).append(
                RawEntry(
                    title=title,
                    body=body,
                    stable_id=f"{feed}-{n}",
                    published=when,
                    author=rng.choice(_GIVEN).capitalize() + " " + rng.choice(self.surnames),
                )
            )
            size += 1
            if size >= CHUNK:
                yield chunk
                chunk, size = {}, 0
        if chunk:
            yield chunk


def news_chunks(
    total: int, feeds: int = 200, seed: int = 11
) -> Iterator[dict[str, list[RawEntry]]]:
    return NewsCorpus(total, feeds, seed).chunks()

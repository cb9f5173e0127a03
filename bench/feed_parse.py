"""Feed parse speed: fastfeedparser vs feedparser vs our parse_feed (which adds routing, entity
defusing, HTML -> body text and cleaning), in items/s.

    python bench/feed_parse.py                    # 200 feeds x 200 items + ../shared/corpus/feeds
    python bench/feed_parse.py --feeds 40         # a quicker run
    python bench/feed_parse.py --routes           # also: which parser each corpus file takes

The generated corpus mixes RSS 2.0 (80%), Atom 1.0 (15%) and RDF (5%) feeds of invented news items
with HTML bodies of 3-6 paragraphs and a link (about 2 KB an item, like real news feeds), about
10% of items reposted under a new guid, some with an extra paragraph.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
CORPUS = Path(os.environ.get("WIREREADER_SHARED", REPO.parent / "shared")) / "corpus"

from wirereader.sources.feeds import parse_feed  # noqa: E402

WORDS = [
    "council",
    "harbour",
    "minister",
    "storm",
    "river",
    "bridge",
    "election",
    "vote",
    "court",
    "ruling",
    "market",
    "shares",
    "police",
    "report",
    "hospital",
    "school",
    "teachers",
    "strike",
    "budget",
    "tax",
    "energy",
    "prices",
    "wind",
    "farm",
    "coast",
    "ferry",
    "airport",
    "flights",
    "delayed",
    "talks",
    "agreement",
    "border",
    "trade",
    "union",
    "workers",
    "museum",
    "festival",
    "match",
    "season",
    "coach",
    "injury",
    "weather",
    "warning",
    "flood",
    "rescue",
    "volunteers",
    "village",
    "mayor",
    "plan",
    "housing",
    "rents",
    "train",
]
PLACES = ["Northport", "Eastvale", "Kingsbridge", "Lowmoor", "Ashford Bay", "Greywater"]
PEOPLE = ["Maria Olsen", "Tomas Reyes", "Priya Nair", "Jonah Whitfield", "Elena Petrova"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    words[rng.randrange(len(words))] = rng.choice(PLACES)
    words[rng.randrange(len(words))] = rng.choice(PEOPLE)
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random) -> str:
    paragraphs = [
        "<p>" + " ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) + "</p>"
        for _ in range(rng.randint(3, 6))
    ]
    paragraphs.insert(
        1, f'<p>Read more: <a href="https://bench.invalid/{rng.random()}">{_sentence(rng)}</a></p>'
    )
    return "".join(paragraphs)


def make_corpus(n_feeds: int, n_items: int, seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    earlier: list[tuple[str, str]] = []
    feeds = []
    for number in range(n_feeds):
        kind = "atom" if number % 20 in (1, 2, 3) else "rdf" if number % 20 == 4 else "rss"
        items = []
        for i in range(n_items):
            if earlier and rng.random() < 0.10:
                title, body = rng.choice(earlier)
                if rng.random() < 0.5:
                    body += "<p>" + _sentence(rng) + "</p>"
            else:
                title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
                body = _body(rng)
                earlier.append((title, body))
            stamp = 1_700_000_000 - (number * n_items + i) * 60
            items.append(
                (f"feed{number}-item{i}", escape(title), escape(body), stamp, rng.choice(PEOPLE))
            )
        feeds.append(_render(kind, number, items))
    return feeds


def _render(kind: str, number: int, items: list[tuple[str, str, str, int, str]]) -> bytes:
    link = f"https://bench.invalid/{number}/"
    if kind == "atom":
        parts = [
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">',
            f'<title>Bench Courier {number}</title><link href="{link}"/>',
        ]
        for guid, title, body, stamp, author in items:
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
            parts.append(
                f"<entry><id>tag:bench.invalid,2024:{guid}</id><title>{title}</title>"
                f'<link rel="alternate" href="{link}{guid}"/><updated>{when}</updated>'
                f"<author><name>{author}</name></author>"
                f'<content type="html">{body}</content></entry>'
            )
        parts.append("</feed>")
    elif kind == "rdf":
        parts = [
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
            'syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">',
            f'<channel rdf:about="{link}"><title>Bench Wire {number}</title>'
            f"<link>{link}</link></channel>",
        ]
        for guid, title, body, stamp, author in items:
            when = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(stamp))
            parts.append(
                f'<item rdf:about="{link}{guid}"><title>{title}</title>'
                f"<link>{link}{guid}</link><dc:date>{when}</dc:date>"
                f"<dc:creator>{author}</dc:creator><description>{body}</description>"
                "</item>"
            )
        parts.append("</rdf:RDF>")
    else:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
            f"<title>Bench Gazette {number}</title><link>{link}</link>",
        ]
        for guid, title, body, stamp, author in items:
            when = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(stamp))
            parts.append(
                f"<item><title>{title}</title><link>{link}{guid}</link>"
                f'<guid isPermaLink="false">{guid}</guid><pubDate>{when}</pubDate>'
                f"<dc:creator>{author}</dc:creator><description>{body}</description>"
                "</item>"
            )
        parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def _fastfeedparser(data: bytes) -> int:
    import fastfeedparser

    return len(fastfeedparser.parse(data)["entries"])


def _feedparser(data: bytes) -> int:
    import feedparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(feedparser.parse(io.BytesIO(data)).entries)


def _ours(data: bytes) -> int:
    return len(parse_feed(data).entries)


def measure(label: str, documents: list[bytes], budget: float) -> list[str]:
    """One table row per parser: items/s over the documents (feedparser: a timed prefix).

    Wall time and this process's CPU time are both shown: on a shared machine the CPU figure
    is the steadier one.
    """
    rows = []
    megabytes = sum(map(len, documents)) / 1e6
    for name, run in (
        ("fastfeedparser", _fastfeedparser),
        ("feedparser", _feedparser),
        ("parse_feed (ours)", _ours),
    ):
        items = done = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for data in documents:
            items += run(data)
            done += 1
            if time.perf_counter() - started > budget:
                break
        wall = time.perf_counter() - started
        cpu = max(time.process_time() - cpu_started, 1e-9)
        note = "" if done == len(documents) else f" (first {done} of {len(documents)} feeds)"
        rows.append(
            f"{label:<22} {name:<18} {items:>7} items {wall:>7.2f} s {items / wall:>10,.0f}/s wall"
            f" {items / cpu:>10,.0f}/s CPU{note}"
        )
    rows.append(f"{label:<22} {'':<18} {len(documents)} feeds, {megabytes:.1f} MB")
    return rows


def routes() -> list[str]:
    lines = []
    files = sorted((CORPUS / "feeds").iterdir())
    tests = sorted((CORPUS / "feedparser-tests" / "wellformed").rglob("*.xml"))
    counter: Counter[str] = Counter()
    for path in files:
        lines.append(f"  {path.name:<45} {parse_feed(path.read_bytes()).format}")
    for path in tests:
        try:
            counter[parse_feed(path.read_bytes()).format] += 1
        except ValueError:
            counter["rejected"] += 1
    lines.append(
        "  feedparser-tests/wellformed: "
        + ", ".join(f"{fmt} {count}" for fmt, count in sorted(counter.items()))
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument(
        "--feedparser-seconds",
        type=float,
        default=20.0,
        help="time budget for each slow run (default 20 s)",
    )
    parser.add_argument("--routes", action="store_true")
    args = parser.parse_args()
    generated = make_corpus(args.feeds, args.items)
    rows = measure(f"generated {args.feeds}x{args.items}", generated, args.feedparser_seconds)
    if (CORPUS / "feeds").is_dir():
        real = [p.read_bytes() for p in sorted((CORPUS / "feeds").iterdir())]
        rows += measure("corpus/feeds x10", real * 10, args.feedparser_seconds)
    else:
        rows.append(f"(no corpus at {CORPUS}: real feeds skipped)")
    print("\n".join(rows))
    if args.routes:
        print("\nWhich parser each file takes:")
        print("\n".join(routes()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

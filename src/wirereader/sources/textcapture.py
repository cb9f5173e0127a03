"""Plain-text live-blog captures (and plain articles), as copied out of a browser.

A capture looks like this (newest entry first):

    <standfirst paragraphs, 'Key Points' and '- ' bullets>      -> one `summary` entry
    Title of entry A
    16:28 , Alex CroftTitle of entry B                           <- A has no body: B's title is
    15:40 , Alex CroftFirst paragraph of B...                       glued after A's author
    More paragraphs of B
    Title of entry C
    15:23 , Rebecca WhittakerFirst paragraph of C...

Rules, none of them tied to particular names:
- an entry's title is the last non-blank line before its time line, unless no line separates it
  from the previous time line: then it is the text glued after the previous entry's author;
- the author is the run of capitalised words after `HH:MM , ` up to where the next word is glued
  on (a lower-case letter followed by a capital, a quote or a digit); names seen more often in the
  file win over shorter or longer splits, so `McDonald` is not cut at `Mc`;
- embedded posts (`— Name (@handle) Month D, YYYY` with the quoted text before it),
  `pic.twitter.com/...`, `Read the full report:` + a linked title, a trailing repeat of the
  headline (a link card) and stray image fragments such as `.jpg)` become metadata or are dropped;
- times have no date: the day comes from --date, else the latest embedded post's date (shifted by
  the midnights crossed between that entry and the newest one), else the file's modification time;
  times going *up* while reading newest-first mean the previous day.

Body text format (shared by every parser): paragraphs separated by a blank line, `- ` list items
on consecutive lines, `## ` sub-headings, `> ` quotes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from wirereader.core.model import Kind, Link, ParsedDocument, Quote, RawEntry
from wirereader.core.text import clean_line, clean_text, normalise_for_match

if TYPE_CHECKING:
    from wirereader.sources.context import ParseContext

TIME_LINE = re.compile(r"^(\d{1,2}):(\d{2}) , ?(.*)$")
EMBED_SIGNATURE = re.compile(
    r"^[—–-]\s*(?P<name>[^(]*?)\s*\((?P<handle>@\w{1,30})\)\s*"
    r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{1,2}, \d{4})\s*$"
)
PIC_LINK = re.compile(r"\s*\b(pic\.twitter\.com/\w+)")
FULL_REPORT = re.compile(
    r"^Read (?:the |our |last \w+[’']s |more:? )?(?:full )?(?:report|story)"
    r"(?: here)?:?$",
    re.IGNORECASE,
)
IMAGE_FRAGMENT = re.compile(r"^\S*\.(?:jpe?g|png|gif|webp|avif)\)?\]?$", re.IGNORECASE)
TRUNCATED_TAIL = re.compile(r"^\d{1,2}(?::\d{0,2})?(?: ,?)?$")

KIND_PREFIXES: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(r"^Breaking\s*:", re.I), Kind.BREAKING),
    (re.compile(r"^Analysis\s*\|", re.I), Kind.ANALYSIS),
    (re.compile(r"^Watch\s*:", re.I), Kind.VIDEO),
    (re.compile(r"^(?:In pictures|Pictured)\s*:", re.I), Kind.GALLERY),
    (re.compile(r"^Mapped\s*:", re.I), Kind.MAP),
    (re.compile(r"^ICYMI\s*:", re.I), Kind.RECAP),
    (re.compile(r"^Reminder\s*:", re.I), Kind.REMINDER),
]
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)}

# A name word: capitalised, may hold apostrophes or hyphens (O'Brien, Jean-Luc, McDonald).
_NAME_WORD = re.compile(r"[A-Z](?:[^\W\d_]|['’.-](?=[^\W\d_]))*")
_PARTICLES = {"de", "van", "von", "der", "da", "di", "du", "del", "la", "le", "bin", "al"}
_MAX_AUTHOR_WORDS = 5


def kind_of(title: str) -> Kind:
    for pattern, kind in KIND_PREFIXES:
        if pattern.match(title):
            return kind
    return Kind.POST


@dataclass
class _Block:
    """One entry while parsing: its time line and the raw lines that follow it."""

    hour: int
    minute: int
    rest: str  # what follows 'HH:MM , ' on the time line
    line_no: int
    title: str = ""
    author: str = ""
    glued: str = ""  # text glued after the author
    lines: list[str] = field(default_factory=list)


# -- authors -------------------------------------------------------------------------------------


def _split_points(rest: str) -> list[int]:
    """Offsets in `rest` where an author name could end and glued text begin."""
    points = []
    words = 0
    i = 0
    n = len(rest)
    while i < n and words < _MAX_AUTHOR_WORDS:
        match = _NAME_WORD.match(rest, i)
        if match is None:
            particle = re.match(r"[a-z]+ ", rest[i:])
            if particle and particle.group(0).strip() in _PARTICLES:
                i += particle.end()
                continue
            break
        word_end = match.end()
        # Inside the word, every lower->upper (or letter->quote/digit) change is a candidate.
        for j in range(match.start() + 2, word_end):
            if rest[j - 1].islower() and (rest[j].isupper() or rest[j] in "\"'“‘"):
                points.append(j)
        words += 1
        if word_end == n:
            points.append(n)
            break
        nxt = rest[word_end]
        if nxt == " ":
            i = word_end + 1
        elif nxt in '"“‘[(' or nxt.isdigit():
            points.append(word_end)
            break
        else:
            break
    return points


def _author_counts(blocks: list[_Block]) -> Counter[str]:
    """How many time lines each candidate author string could start."""
    counts: Counter[str] = Counter()
    for block in blocks:
        for candidate in {block.rest[:p].strip() for p in _split_points(block.rest)}:
            if " " in candidate or len(candidate) > 2:
                counts[candidate] += 1
    return counts


def _split_author(rest: str, counts: Counter[str], *, must_glue: bool) -> tuple[str, str]:
    points = _split_points(rest)
    if must_glue:
        # Nothing separates this time line from the next: the next title is glued on, so the
        # name cannot run to the end of the line.
        points = [p for p in points if p < len(rest.rstrip())] or points
    if not points:
        return "", rest.strip()
    # The most frequent name in the file wins; on a tie, the longer one (McDonald over Mc).
    best = max(points, key=lambda p: (counts[rest[:p].strip()], p))
    return rest[:best].strip(), rest[best:].strip()


# -- embeds and noise ----------------------------------------------------------------------------


def _handle_url(handle: str) -> str:
    return f"https://x.com/{handle.lstrip('@')}"


def _extract_embeds(lines: list[str], title: str) -> tuple[list[str], list[Quote], list[Link]]:
    """Split an entry's lines into body lines, embedded posts and links."""
    quotes: list[Quote] = []
    links: list[Link] = []
    body: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        signature = EMBED_SIGNATURE.match(line.strip())
        if signature:
            # The quoted post is the paragraph before the signature; paragraphs after it that
            # end in an ellipsis are the rest of the post as the embed truncated it.
            quote_lines = []
            while body and not body[-1].strip():
                body.pop()
            if body:
                quote_lines.append(body.pop())
            j = i + 1
            last_cut = None
            while j < len(lines) and j - i <= 6:
                if PIC_LINK.sub("", lines[j]).rstrip().endswith(("…", "...")):
                    last_cut = j
                j += 1
            if last_cut is not None:
                quote_lines += [x for x in lines[i + 1 : last_cut + 1] if x.strip()]
                i = last_cut
            text = "\n\n".join(quote_lines)
            for pic in PIC_LINK.findall(text):
                links.append(Link(url=f"https://{pic}", rel="media"))
            text = PIC_LINK.sub("", text).strip()
            # 'Name 🇺🇦' or 'Name / Ім'я': keep the first spelling, drop flags and emoji.
            name = signature.group("name").split(" / ")[0]
            name = re.sub(r"[^\w\s.'’-]", "", name).strip()
            quotes.append(
                Quote(
                    text=clean_text(text),
                    author=clean_line(name),
                    handle=signature.group("handle"),
                    date=signature.group("date"),
                    url=_handle_url(signature.group("handle")),
                )
            )
            i += 1
            continue
        if FULL_REPORT.match(line.strip()):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines):
                links.append(Link(title=clean_line(lines[j]), rel="full-report"))
                i = j + 1
                continue
            i += 1
            continue
        if IMAGE_FRAGMENT.match(line.strip()):
            i += 1
            continue
        for pic in PIC_LINK.findall(line):
            links.append(Link(url=f"https://{pic}", rel="media"))
        body.append(PIC_LINK.sub("", line).rstrip())
        i += 1
    _drop_link_card(body, title, links)
    return body, quotes, links


def _drop_link_card(body: list[str], title: str, links: list[Link]) -> None:
    """A last line after a blank line that repeats the headline is a link card, not text."""
    while body and not body[-1].strip():
        body.pop()
    if len(body) < 2 or body[-2].strip():
        return
    card = body[-1].strip()
    a, b = normalise_for_match(card), normalise_for_match(title)
    if not a or not b:
        return
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / max(1, min(len(words_a), len(words_b)))
    if a == b or a.startswith(b) or b.startswith(a) or overlap >= 0.8:
        links.append(Link(title=clean_line(card), rel="full-report"))
        body.pop()


def _body_text(lines: list[str]) -> str:
    """Lines to the body format: one paragraph per line, list items kept together."""
    paragraphs: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith(("- ", "• ")) and paragraphs and paragraphs[-1].startswith("- "):
            paragraphs[-1] += "\n- " + line[2:].strip()
        elif line.startswith("• "):
            paragraphs.append("- " + line[2:].strip())
        else:
            paragraphs.append(line)
    return clean_text("\n\n".join(paragraphs))


# -- dates ---------------------------------------------------------------------------------------


def _day_offsets(blocks: list[_Block]) -> list[int]:
    """Days between each entry and the newest one (0, 0, -1, ...), reading newest first."""
    offsets = []
    day = 0
    previous: tuple[int, int] | None = None
    for block in blocks:
        current = (block.hour, block.minute)
        if previous is not None and current > previous:
            day -= 1  # times went up: we crossed midnight going back
        offsets.append(day)
        previous = current
    return offsets


def _newest_day(
    blocks: list[_Block], offsets: list[int], quotes: list[list[Quote]], ctx: ParseContext
) -> tuple[date, str]:
    if ctx.date is not None:
        return ctx.date, "--date"
    candidates = []
    for offset, entry_quotes in zip(offsets, quotes, strict=True):
        for quote in entry_quotes:
            month, day, year = re.match(r"(\w+) (\d+), (\d+)", quote.date).groups()  # type: ignore[union-attr]
            try:
                candidates.append(date(int(year), MONTHS[month], int(day)) - timedelta(offset))
            except ValueError:
                continue
    if candidates:
        return max(candidates), "embedded posts"
    if ctx.modified is not None:
        return ctx.modified.date(), "file modification time"
    return datetime.now(timezone.utc).date(), "today"


# -- the parsers ---------------------------------------------------------------------------------


def parse_capture(text: str, ctx: ParseContext) -> ParsedDocument:
    lines = [line.rstrip() for line in clean_text_lines(text)]
    blocks: list[_Block] = []
    for number, line in enumerate(lines):
        match = TIME_LINE.match(line)
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            blocks.append(_Block(int(match.group(1)), int(match.group(2)), match.group(3), number))
    if not blocks:
        return ParsedDocument([], format="text-capture")
    counts = _author_counts(blocks)
    warnings: list[str] = []

    header_end = _title_line(lines, 0, blocks[0].line_no)
    for k, block in enumerate(blocks):
        end = blocks[k + 1].line_no if k + 1 < len(blocks) else len(lines)
        block.lines = lines[block.line_no + 1 : end]
        must_glue = k + 1 < len(blocks) and not any(x.strip() for x in block.lines)
        block.author, block.glued = _split_author(block.rest, counts, must_glue=must_glue)
    for k, block in enumerate(blocks):
        if k == 0:
            block.title = lines[header_end] if header_end is not None else ""
        elif not any(x.strip() for x in blocks[k - 1].lines):
            # Nothing between the two time lines: the previous entry had no body, and this
            # entry's title was glued after its author.
            block.title, blocks[k - 1].glued = blocks[k - 1].glued, ""
        else:
            prev = blocks[k - 1]
            t = _title_line(prev.lines, 0, len(prev.lines))
            if t is not None:
                block.title = prev.lines[t]
                prev.lines = prev.lines[:t]
    last = blocks[-1]
    if last.lines and TRUNCATED_TAIL.match(last.lines[-1].strip() or "x"):
        warnings.append(f"{ctx.origin}: truncated (ends inside an entry's time line)")
        last.lines = last.lines[:-1]

    parsed: list[tuple[_Block, list[str], list[Quote], list[Link]]] = []
    for block in blocks:
        body_lines = ([block.glued] if block.glued else []) + block.lines
        body, quotes, links = _extract_embeds(body_lines, block.title)
        parsed.append((block, body, quotes, links))

    offsets = _day_offsets(blocks)
    newest, why = _newest_day(blocks, offsets, [p[2] for p in parsed], ctx)
    guessed = why in ("file modification time", "today")
    tz = ctx.tz or timezone.utc
    entries = []
    for (block, body, quotes, links), offset in zip(parsed, offsets, strict=True):
        day = newest + timedelta(days=offset)
        published = datetime.combine(day, time(block.hour, block.minute), tzinfo=tz)
        title = clean_line(block.title) or clean_line(block.glued) or "(untitled)"
        entries.append(
            RawEntry(
                title=title,
                body=_body_text(body),
                author=clean_line(block.author),
                published=published,
                time_guessed=guessed,
                kind=kind_of(title),
                quotes=quotes,
                links=links,
            )
        )
    if header_end:
        summary = _summary(lines[:header_end], entries[0].published)
        if summary is not None:
            summary.time_guessed = guessed
            entries.insert(0, summary)
    title = entries[0].title if entries and entries[0].kind is Kind.SUMMARY else ""
    return ParsedDocument(
        entries, title=title, format="text-capture", warnings=warnings, truncated=bool(warnings)
    )


def clean_text_lines(text: str) -> list[str]:
    # Clean per line, keeping blank lines: they separate link cards from the body.
    return [clean_line(line, limit=100_000) for line in text.split("\n")]


def _title_line(lines: list[str], start: int, end: int) -> int | None:
    """Index of the last non-blank line in lines[start:end]."""
    for i in range(end - 1, start - 1, -1):
        if lines[i].strip():
            return i
    return None


def _summary(header: list[str], published: datetime | None) -> RawEntry | None:
    paragraphs = [line.strip() for line in header if line.strip()]
    if not paragraphs:
        return None
    out: list[str] = []
    for line in paragraphs:
        if line.lower() in ("key points", "key events", "key updates"):
            out.append(f"## {line}")
        else:
            out.append(line)
    first_sentence = re.split(r"(?<=[.!?])\s", paragraphs[0], maxsplit=1)[0]
    return RawEntry(
        title=clean_line(first_sentence, limit=200),
        body=_body_text(out),
        stable_id="summary",
        published=published,
        kind=Kind.SUMMARY,
    )


_TERMINAL = ".!?:;…\"”’')]"


def parse_article(text: str, ctx: ParseContext) -> ParsedDocument:
    """A plain article: the first line is the title, the rest paragraphs and sub-headings.

    A short line without closing punctuation between two paragraphs is a sub-heading. A cut-off
    last paragraph is kept as it is.
    """
    lines = [line for line in clean_text_lines(text) if line.strip()]
    if not lines:
        return ParsedDocument([], format="article")
    title, rest = lines[0].strip(), [line.strip() for line in lines[1:]]
    parts: list[str] = []
    for i, line in enumerate(rest):
        is_last = i == len(rest) - 1
        if (
            not is_last
            and len(line) <= 120
            and not line.endswith(tuple(_TERMINAL))
            and line[:1].isupper()
            and not line.startswith(("- ", "• "))
        ):
            parts.append(f"## {line}")
        else:
            parts.append(line)
    published, guessed = ctx.modified, True
    if ctx.date is not None:
        published = datetime.combine(ctx.date, time(0, 0), tzinfo=ctx.tz or timezone.utc)
        guessed = False
    entry = RawEntry(
        title=clean_line(title),
        body=_body_text(parts),
        stable_id="article",
        published=published,
        time_guessed=guessed,
        kind=Kind.ARTICLE,
    )
    return ParsedDocument([entry], title=entry.title, format="article")

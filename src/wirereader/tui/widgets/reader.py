"""The reader pane: one item in full, with its quotes, numbered links, versions and thread.

Every piece of outside text is appended to a `rich.text.Text` as plain text; nothing here is ever
parsed as markup, so a title such as `[link=file:///etc/passwd]x[/link]` shows as written.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from wirereader.core.text import author_name
from wirereader.query.detail import Detail, all_links
from wirereader.tui.widgets.cells import cut

HEADING = "bold"
MUTED = "dim"


def when(epoch: int, tz: tzinfo | None) -> str:
    """Month, day and time; the year too when it is not this one (feeds carry posts of years
    ago: a 2000 post read as 'Nov 04', this year's)."""
    moment = datetime.fromtimestamp(epoch, tz).astimezone(tz)
    if moment.year != datetime.now(tz).year:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.strftime("%b %d %H:%M")


def render_body(body: str, out: Text) -> None:
    """The shared body format: paragraphs, `- ` lists, `## ` headings and `> ` quotes."""
    for block in body.split("\n\n"):
        block = block.strip("\n")
        if not block:
            continue
        for line in block.split("\n"):
            if line.startswith("## "):
                out.append(line[3:], "bold underline")
            elif line.startswith("> "):
                out.append("▌ ", "dim")
                out.append(line[2:], "italic")
            elif line.startswith("- "):
                out.append("  • ")
                out.append(line[2:])
            else:
                out.append(line)
            out.append("\n")
        out.append("\n")


# The reader lays out its whole text at once, ~3 us a character: a feed's 2 MB body (the most a
# body keeps) froze every key for 6-7 s of CPU. The longest body of 200 real feeds is 234,000
# characters; 200,000 lay out in ~0.6 s.
READER_BODY_CHARS = 200_000


def reader_part(body: str, limit: int = READER_BODY_CHARS) -> tuple[str, int]:
    """The start of `body` the reader shows (cut at a paragraph end when one is near), and how
    many characters are left out (0: all of it)."""
    if len(body) <= limit:
        return body, 0
    end = body.rfind("\n\n", 0, limit)
    if end < limit // 2:
        end = limit
    return body[:end], len(body) - end


def render_detail(detail: Detail, tz: tzinfo | None) -> Text:
    e = detail.entry
    out = Text()
    out.append(e.title or "(untitled)", "bold")
    out.append("\n")
    # A time the source did not give is marked as the timeline and `show` mark it.
    guessed = " (a guess)" if e.time_guessed else ""
    meta = [e.source, "~" * bool(e.time_guessed) + when(e.published_at, tz) + guessed]
    if e.author:
        meta.append(author_name(e.author))
    if e.kind != "post":
        meta.append(e.kind)
    if e.starred:
        meta.append("★ starred")
    meta.append("read" if e.read else "unread")
    out.append(" · ".join(meta), MUTED)
    out.append("\n")
    if detail.article_marker:
        out.append(detail.article_marker, "italic yellow")
        out.append("\n")
    if e.entities:
        out.append("Mentions: ", MUTED)
        out.append(", ".join(e.entities[:12]))
        out.append("\n")
    out.append("\n")
    if e.body:
        body, rest = reader_part(e.body)
        render_body(body, out)
        if rest:
            out.append(
                f"… {rest:,} more characters not shown here: "
                f"'wirereader show {e.id}' prints the whole text\n\n",
                "italic yellow",
            )
    for quote in detail.quotes:
        out.append("▌ ", "dim")
        out.append(str(quote.get("text") or ""), "italic")
        out.append("\n")
        who = " ".join(
            x
            for x in (
                str(quote.get("author") or ""),
                f"({quote['handle']})" if quote.get("handle") else "",  # '@name' already
                str(quote.get("date") or ""),
            )
            if x
        )
        if who:
            out.append(f"  — {who}", MUTED)
            out.append("\n")
        out.append("\n")
    links = all_links(detail)
    if links:
        out.append("Links\n", HEADING)
        for number, (title, url) in enumerate(links, 1):
            out.append(f"[{number}] ", "bold")
            if title:
                out.append(title + " ")
            out.append(url, "underline dim")
            out.append("\n")
        out.append("\n")
    if detail.reposts:
        out.append(f"Also posted ({len(detail.reposts)})\n", HEADING)
        for repost in detail.reposts:
            out.append(f"  {when(repost.published_at, tz)}  ", MUTED)
            out.append(repost.source)
            out.append("\n")
        out.append("\n")
    if detail.versions:
        out.append(f"Versions ({len(detail.versions) + 1})\n", HEADING)
        for number, change in enumerate(detail.versions, 2):
            out.append(f"  v{number}, seen {when(change.seen_at, tz)}\n", MUTED)
            if change.title_before is not None:
                out.append("    title: ", MUTED)
                out.append(change.title_before, "strike")
                out.append(" → ")
                out.append(change.title_after)
                out.append("\n")
            for paragraph in change.removed:
                out.append("    − ", "red")
                out.append(paragraph, "red")
                out.append("\n")
            for paragraph in change.added:
                out.append("    + ", "green")
                out.append(paragraph, "green")
                out.append("\n")
            if change.title_before is None and not change.removed and not change.added:
                out.append("    (author or layout changed)\n", MUTED)
        out.append("\n")
    if e.thread is not None:
        label = detail.thread_title or f"thread {e.thread}"
        out.append("Thread: ", HEADING)
        out.append(label, "bold")
        size = detail.thread_size
        out.append(f"  ({size} item{'' if size == 1 else 's'})\n", MUTED)
        for sibling in detail.siblings:
            out.append(f"  {when(sibling.published_at, tz)} ", MUTED)
            out.append(cut(sibling.source, 12), "cyan")
            out.append(" ")
            out.append(sibling.title)
            out.append("\n")
    out.rstrip()
    return out


class Reader(VerticalScroll, can_focus=True):
    """Scrollable full text of the item under the timeline cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("space", "page_down", "Page down", show=False),
    ]

    DEFAULT_CSS = """
    Reader { padding: 0 1; }
    Reader > Static { width: 1fr; }
    """

    def __init__(self, tz: tzinfo | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.detail: Detail | None = None
        self.rendered = Text("Select an item to read it.", style="dim")
        self._body = Static(self.rendered, id="reader-body")

    def compose(self):
        yield self._body

    def show(self, detail: Detail | None) -> None:
        self.detail = detail
        if detail is None:
            self.rendered = Text("Nothing selected.", style="dim")
        else:
            self.rendered = render_detail(detail, self.tz)
        self._body.update(self.rendered)
        self.scroll_home(animate=False)

    @property
    def links(self) -> list[tuple[str, str]]:
        return all_links(self.detail) if self.detail is not None else []

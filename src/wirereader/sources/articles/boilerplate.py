"""What is not the article: page furniture removed before and after trafilatura.

trafilatura already drops navigation, footers and most link lists; what it keeps too often is the
furniture that sits *inside* the article body: newsletter boxes, support appeals, share bars,
"Read more" lines and related-story lists. Two layers catch them:

- `prune_tree` works on the HTML before extraction: elements whose class / id name them as
  furniture, and small boxes whose own heading does ("Sign up for our newsletter").
- `is_boilerplate_block` / `drop_boilerplate` work on the extracted blocks after, for what carries
  no telling markup: a paragraph that addresses the reader ("Never miss the latest news ...").

Both only ever remove *small* pieces, so a site whose article wrapper happens to be called
"share-container" does not lose its article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import html as lxml_html

from wirereader.core.model import Link


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# class / id tokens that name furniture. Matched against each whole token and each of its
# `-`/`_`-separated parts, so "newsletter-signup" and "c-related_list" match but "shareholder" not.
_FURNITURE_TOKENS = _words(
    """
    newsletter newsletters signup sign-up subscribe subscription subscriptions donate donation
    donations contribute contributions contribution epic appeal support-us supportus paywall
    share sharing sharebar share-tools social-share socialshare social-links social-icons
    related related-articles related-stories related-content more-stories morestories
    recommended recommendations read-more readmore also-read see-also
    cookie cookies cookie-banner consent gdpr cmp
    promo promotion advert advertisement adslot ad-slot ad-container sponsored
    outbrain taboola breadcrumb breadcrumbs comments comment-count tags-list
    """
)
# parts that are too generic alone ("social", "more") only count as whole tokens above.
_FURNITURE_PARTS = _words(
    """
    newsletter newsletters signup subscribe donate donation contribution contributions epic
    appeal paywall share sharing sharebar related recommended readmore cookie cookies consent
    gdpr promo advert advertisement outbrain taboola breadcrumb breadcrumbs
    """
)
_SPLIT = re.compile(r"[-_]")
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})

# A furniture box is small: a wrapper bigger than this is the article (or a page section), and a
# mistaken class name must not take the story with it.
MAX_BOX_CHARS = 1_500

# Headings that introduce furniture rather than a section of the story.
BOILERPLATE_HEADING = re.compile(
    r"""^(?:
        .{0,40}\bnewsletters?\b.{0,40}
      | (?:sign|signing)\ up\b.{0,60}
      | subscribe\b.{0,60}
      | get\ (?:the|our)\ .{0,30}(?:briefing|newsletter|email|app)\b.{0,20}
      | support\ (?:us|our\b.{0,40}|independent\b.{0,40}|quality\b.{0,40}|(?:local|free)\b.{0,40})
      | (?:please\ )?(?:donate|make\ a\ contribution)\b.{0,40}
      | (?:related|recommended|popular|trending)
        (?:\ (?:stories|articles|content|reading|links|coverage))?
      | (?:more|most)\ (?:from|on|stories|read|popular|viewed|like\ this)\b.{0,40}
      | read\ (?:more|next|also)\b.{0,40}
      | you\ (?:may|might)\ (?:also\ )?like\b.{0,20}
      | (?:see|read)\ also\b.{0,20}
      | share\ (?:this|on|the)\b.{0,30}
      | follow\ us\b.{0,40}
      | (?:top|editor'?s?)\ (?:stories|picks)\b.{0,20}
      | advertisement | sponsored(?:\ content)?
    )[.!:]?$""",
    re.IGNORECASE | re.VERBOSE,
)

# Paragraphs that speak to the reader about the site, not about the news.
_BOILERPLATE_LINE = re.compile(
    r"""
      ^read\ (?:more|next|also)\b\s*[:|-]?
    | ^(?:see|read)\ also\b
    | ^(?:related|recommended)(?:\ (?:stories|articles|content|coverage|reading))?\s*:
    | ^(?:more|most)\ (?:from|on)\b.{0,60}:
    | ^share\ (?:this|on|via)\b
    | ^follow\ us\b
    | ^(?:advertisement|advert|sponsored(?:\ content)?)$
    | ^click\ here\ to\b
    | never\ miss\ (?:a|the|another)\b
    | \b(?:sign|signing)\ up\ (?:to|for)\ (?:our|the|my)\b.{0,40}
        \b(?:newsletter|email|alerts?|briefing|updates)
    | \bsubscribe\ (?:to|for)\ (?:our|the)\b.{0,40}
        \b(?:newsletter|email|alerts?|briefing|updates|channel)
    | \b(?:our|free|daily|weekly)\ (?:\w+\ ){0,2}newsletters?\b
    | \b(?:enter|pop)\ your\ email\b
    | \bunsubscribe\ from\ this\ service\b
    | \b(?:support|fund)\ (?:our|independent|quality|local|public[-\ ]interest)\ (?:\w+\ ){0,2}
        journalism\b
    | \bplease\ consider\ (?:supporting|subscribing|donating|a\ donation
        |making\ a\ (?:\w+\ )?contribution)
    | \bmake\ a\ (?:\w+\ ){0,2}contribution\ (?:today|now)\b
    | \brelies?\ on\ (?:readers|supporters)\ like\ you\b
    | \bevery\ (?:donation|contribution)\b.{0,40}\bhelps?\b
    | \bdownload\ (?:our|the)\ (?:free\ )?(?:\w+\ )?app\b
    | \bwe\ use\ cookies\b
    | \baccept\ (?:all\ )?cookies\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A boilerplate paragraph is short; a long one that merely mentions a newsletter is news.
MAX_BOILERPLATE_LINE = 400


def _is_furniture_name(value: str) -> bool:
    for token in value.lower().split():
        if token in _FURNITURE_TOKENS:
            return True
        if any(part in _FURNITURE_PARTS for part in _SPLIT.split(token)):
            return True
    return False


def _text_length(element: lxml_html.HtmlElement) -> int:
    return len(" ".join(element.text_content().split()))


def prune_tree(root: lxml_html.HtmlElement) -> int:
    """Remove furniture boxes from a parsed page in place; return how many were removed."""
    doomed: list[lxml_html.HtmlElement] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in _PROTECTED_TAGS:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if names.strip() and _is_furniture_name(names) and _text_length(element) <= MAX_BOX_CHARS:
            doomed.append(element)
    for heading in root.iter("h2", "h3", "h4", "h5", "h6"):
        text = " ".join(heading.text_content().split())
        if text and BOILERPLATE_HEADING.match(text):
            box = _enclosing_box(heading)
            if box is not None:
                doomed.append(box)
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is None or not _attached(element, root):
            continue  # already gone with an ancestor
        element.drop_tree()  # keeps the element's tail: the story text that follows it
        removed += 1
    return removed


def _enclosing_box(heading: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The largest small container around a furniture heading, or None when there is none.

    A heading sitting directly in the article body has no box of its own: the block filter after
    extraction deals with it, so the story around it is never removed.
    """
    box = None
    node = heading.getparent()
    while node is not None and node.tag not in _PROTECTED_TAGS:
        if _text_length(node) > MAX_BOX_CHARS:
            break
        if node.tag in ("div", "aside", "section", "form", "figure", "details", "footer"):
            box = node
        node = node.getparent()
    return box


def _attached(element: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> bool:
    node = element
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


@dataclass
class Block:
    """One block of an extracted article: a paragraph, heading, list item, quote or caption."""

    kind: str  # "p", "h", "li", "quote", "caption", "table"
    text: str
    group: int = 0  # list items / quote lines of one list or quote share a group number
    only_links: bool = False  # every word of the block is link text (a link list, a button)
    links: list[Link] = field(default_factory=list)  # links inside it; dropped with it


def is_boilerplate_line(text: str) -> bool:
    return len(text) <= MAX_BOILERPLATE_LINE and bool(_BOILERPLATE_LINE.search(text))


def drop_boilerplate(blocks: Sequence[Block]) -> list[Block]:
    """Blocks without furniture: reader-addressed lines, and furniture sections after extraction.

    A furniture heading ("Related stories", "Support independent journalism") is dropped with the
    blocks that follow it *while they look like furniture too* (a reader-addressed line, a list
    or line made only of links); the first block of real text ends the section, so a box that
    extraction flattened into the body never takes the story after it.
    """
    kept: list[Block] = []
    in_section = False
    for block in blocks:
        if block.kind == "h" and BOILERPLATE_HEADING.match(block.text):
            in_section = True
            continue
        furniture = is_boilerplate_line(block.text) and block.kind != "quote"
        if in_section:
            if furniture or block.only_links:
                continue
            in_section = False
        if furniture:
            continue
        kept.append(block)
    return kept

"""Links read from feeds and pages, made absolute where they can be.

Python raises ValueError for a URL it cannot split ('http://[::1': an IPv6 bracket never
closed), in `urljoin` and in whoever splits the URL later. One such link in an item failed
its whole feed, page or article with every other item in it; every reader of outside links
asks here first and drops the one link instead.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


def splits(url: str) -> bool:
    """Whether Python can split `url`."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def joined(base: str, href: str) -> str | None:
    """`href` resolved against `base` (none when `base` is empty), or None when either cannot
    be split: no link a reader can open."""
    try:
        url = urljoin(base, href) if base else href
    except ValueError:
        return None
    return url if splits(url) else None

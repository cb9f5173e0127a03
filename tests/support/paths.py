"""Where the tests find the repository, the outside corpus, the bundled seeds and saved pages."""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
SHARED = Path(os.environ.get("WIREREADER_SHARED", REPO.parent / "shared"))
SEEDS = REPO / "src" / "wirereader" / "data"
LIVEBLOG_SEED = SEEDS / "002_ecee820a5713ae14.txt"
ARTICLE_SEED = SEEDS / "000_6456d62e45da5321.txt"
ARTICLE_PAGES = TESTS / "articles_pages"  # saved news pages the article tests extract
FIXTURES = TESTS / "fixtures"  # an old cache schema, for the migration tests

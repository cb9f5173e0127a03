"""Workers start with what they need loaded once in the forkserver (`ingest.worker_preload`):
the feed parser's modules, the gazetteer and the kind model; and they parse and prepare a feed
exactly as this process does."""

from __future__ import annotations

import gc
import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor

from tests.support.feedserver import rss
from wirereader.core.workers import PRELOAD, exit_with, worker_context
from wirereader.ingest.parse_pool import _parse


def _before_any_work() -> dict[str, object]:
    from wirereader.analysis.entities import gazetteer, kinds

    return {
        "gazetteer": gazetteer.gazetteer.cache_info().currsize,
        "kind model": kinds.model.cache_info().currsize,
        "feed parser": "fastfeedparser.main" in sys.modules,
        "packer": "wirereader.store.texts" in sys.modules,
        "frozen": gc.get_freeze_count() > 0,
    }


def _feed() -> bytes:
    items = [
        {
            "title": f"Ferry {n} leaves Kingsbridge",
            "guid": f"https://example.invalid/ferry/{n}",
            "link": f"https://example.invalid/ferry/{n}",
            "pubDate": f"Mon, 0{1 + n % 5} Dec 2025 10:00:00 GMT",
            "description": f"<p>Mayor Ann Lee of Northport said ferry {n} left for France"
            " on Monday, the Red Cross said.</p>",
        }
        for n in range(8)
    ]
    return rss("Harbour", items)


def test_a_worker_starts_with_the_parsers_and_the_analysis_data_loaded() -> None:
    assert PRELOAD[0] == "wirereader.core.worker_signals"  # first: Ctrl-C ignored before imports
    assert "wirereader.ingest.worker_preload" in PRELOAD
    pool = ProcessPoolExecutor(
        1, mp_context=worker_context(), initializer=exit_with, initargs=(os.getpid(),)
    )
    try:
        loaded = pool.submit(_before_any_work).result(timeout=120)
        body, url = _feed(), "http://example.invalid/harbour.xml"
        there = pool.submit(_parse, body, url, "", None, True).result(timeout=120)
    finally:
        pool.shutdown()
    assert loaded == {
        "gazetteer": 1,
        "kind model": 1,
        "feed parser": True,
        "packer": True,
        "frozen": True,
    }
    here = _parse(body, url, "", None, True)
    assert [e.title for e in there.entries] == [e.title for e in here.entries]
    assert there.packed_bodies == here.packed_bodies and there.text_hashes == here.text_hashes
    assert there.prepared is not None and here.prepared is not None
    made, alone = (pickle.loads(pickle.dumps(p)).unpack() for p in (there.prepared, here.prepared))
    assert made.mentions == alone.mentions and made.prints == alone.prints
    assert any(ms for _, ms in made.mentions.values())

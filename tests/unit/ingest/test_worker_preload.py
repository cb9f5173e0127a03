"""Workers start with what they need loaded once in the forkserver: the feed parser's modules
(`ingest.worker_preload`), and the gazetteer and the kind model when a pool's workers will
prepare the analysis (`ingest.worker_analysis_data`); and they parse and prepare a feed exactly
as this process does."""

from __future__ import annotations

import gc
import json
import os
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.support.feedserver import rss
from wirereader.core.workers import ANALYSIS_DATA, PRELOAD, exit_with, worker_context
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


ROOT = Path(__file__).resolve().parents[3]
# A process of its own: one forkserver serves a process, started by its first pool.
FRESH = """
import json, os, sys
from concurrent.futures import ProcessPoolExecutor
from wirereader.core.workers import exit_with, worker_context
from tests.unit.ingest.test_worker_preload import _before_any_work
pool = ProcessPoolExecutor(1, mp_context=worker_context(analysis_data=sys.argv[1] == "1"),
                           initializer=exit_with, initargs=(os.getpid(),))
print(json.dumps(pool.submit(_before_any_work).result(timeout=120)))
pool.shutdown()
"""


def _fresh_worker(analysis_data: bool) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", FRESH, "1" if analysis_data else "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])},
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    loaded: dict[str, object] = json.loads(done.stdout)
    return loaded


def test_a_worker_starts_with_the_parsers_and_if_asked_the_analysis_data_loaded() -> None:
    assert PRELOAD[0] == "wirereader.core.worker_signals"  # first: Ctrl-C ignored before imports
    assert "wirereader.ingest.worker_preload" in PRELOAD and ANALYSIS_DATA not in PRELOAD
    parsers = {"feed parser": True, "packer": True, "frozen": True}
    assert _fresh_worker(True) == {"gazetteer": 1, "kind model": 1, **parsers}
    # a refresh of known feeds: its parse workers prepare nothing, the forkserver loads no data
    assert _fresh_worker(False) == {"gazetteer": 0, "kind model": 0, **parsers}


def test_a_worker_parses_and_prepares_a_feed_as_this_process_does() -> None:
    pool = ProcessPoolExecutor(
        1,
        mp_context=worker_context(analysis_data=True),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )
    try:
        body, url = _feed(), "http://example.invalid/harbour.xml"
        there = pool.submit(_parse, body, url, "", None, True).result(timeout=120)
    finally:
        pool.shutdown()
    here = _parse(body, url, "", None, True)
    assert [e.title for e in there.entries] == [e.title for e in here.entries]
    assert there.packed_bodies == here.packed_bodies and there.text_hashes == here.text_hashes
    assert there.prepared is not None and here.prepared is not None
    made, alone = (pickle.loads(pickle.dumps(p)).unpack() for p in (there.prepared, here.prepared))
    assert made.mentions == alone.mentions and made.prints == alone.prints
    assert any(ms for _, ms in made.mentions.values())

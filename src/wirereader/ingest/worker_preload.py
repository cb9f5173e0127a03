"""Imported by the forkserver after `core.worker_signals` (core.workers.PRELOAD): what the
workers need, imported and loaded once there, before any worker is forked from it.

A big fetch forks two parse workers (each also prepares the analysis of its feeds' entries),
the analysis's preparing worker and its grouping worker. Each used to import the feed parser's
modules (fastfeedparser, dateutil, the body packer) on its first document and load the
gazetteer and the kind model on its first entries: ~0.15 s of CPU a worker (0.11 s of it the
gazetteer), paid again in every worker. Done here, it is paid once, while the forkserver
starts, and the workers share those pages (copy on write). `gc.freeze()` then keeps what the
forkserver holds out of the workers' collections, which would otherwise walk those objects and
copy their pages.

Nothing here may fail the forkserver: a worker that finds something not loaded loads it itself,
as before.
"""

from __future__ import annotations

import contextlib
import gc

from wirereader.analysis import prepare_pool  # noqa: F401 - the analysis's worker's tasks
from wirereader.ingest import parse_pool  # noqa: F401 - the parse workers' tasks
from wirereader.sources import dispatch, feeds  # noqa: F401
from wirereader.store import texts  # noqa: F401 - bodies are packed in the parse workers


def _load() -> None:
    from wirereader.analysis.entities import kinds
    from wirereader.analysis.entities.gazetteer import gazetteer, nameless_words, nationalities
    from wirereader.analysis.entities.record import text_mentions  # noqa: F401
    from wirereader.analysis.threads.term_weights import packed_text_weights  # noqa: F401

    feeds._fastfeedparser()  # imported on a process's first feed otherwise
    gazetteer()
    nameless_words()
    nationalities()
    kinds.model()


with contextlib.suppress(Exception):  # each worker loads what it finds missing, as before
    _load()
gc.freeze()

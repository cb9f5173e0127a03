"""Imported by the forkserver after `core.worker_signals` (core.workers.PRELOAD): the modules
the workers need, imported once there, before any worker is forked from it.

A big fetch forks two parse workers, and may fork the analysis's preparing worker and its
grouping worker. Each parse worker imported the feed parser's modules (fastfeedparser, dateutil,
the body packer) on its first document, and the preparing worker the modules of the preparing.
`gc.freeze()` then keeps what the forkserver holds out of the workers' collections, which would
otherwise walk those objects and copy their pages. The analysis's data is loaded by
`worker_analysis_data`, only when a pool's workers will prepare the analysis.
"""

from __future__ import annotations

import contextlib
import gc

from wirereader.analysis import prepare_pool  # noqa: F401 - the analysis's worker's tasks
from wirereader.ingest import parse_pool  # noqa: F401 - the parse workers' tasks
from wirereader.sources import dispatch, feeds  # noqa: F401
from wirereader.store import texts  # noqa: F401 - bodies are packed in the parse workers

with contextlib.suppress(Exception):  # each worker imports what it finds missing, as before
    feeds._fastfeedparser()  # imported on a process's first feed otherwise
gc.freeze()

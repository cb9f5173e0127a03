"""Imported by the forkserver after `worker_preload` when a pool's workers will prepare the
analysis (`core.workers.worker_context(analysis_data=True)`): a first fetch's parse workers
prepare their new feeds' entries, and the analysis's worker prepares the batches' texts. Each
loaded the gazetteer and the kind model on its first entries (~0.11 s of CPU a worker); loaded
here, that is paid once, and the workers share the pages (copy on write). A refresh of known
feeds, whose parse workers prepare nothing, does not load them in the forkserver.

Nothing here may fail the forkserver: a worker that finds nothing loaded loads it itself.
"""

from __future__ import annotations

import contextlib
import gc


def _load() -> None:
    from wirereader.analysis.entities import kinds
    from wirereader.analysis.entities.gazetteer import (
        common_acronyms,
        gazetteer,
        nameless_words,
        nationalities,
        plain_words,
    )
    from wirereader.analysis.entities.record import text_mentions  # noqa: F401
    from wirereader.analysis.threads.term_weights import packed_text_weights  # noqa: F401

    gazetteer()
    nameless_words()
    nationalities()
    plain_words()
    common_acronyms()
    kinds.model()


with contextlib.suppress(Exception):  # each worker loads what it finds missing, as before
    _load()
gc.freeze()

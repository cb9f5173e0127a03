"""The analysis after a write path saved something: never fails the write that came before it."""

from __future__ import annotations

from wirereader.store.db import Store


def run_analysis(store: Store, what: str = "entries") -> str:
    """Dedup, entities and threads for what was just saved; '' or a one-line problem."""
    from wirereader.analysis.pipeline import analyse_pending

    try:
        analyse_pending(store)
    except Exception as exc:  # what was saved stays saved; analysis catches up next time
        return analysis_failed(exc, what)
    return ""


def analysis_failed(exc: Exception, what: str) -> str:
    """The one-line warning for an analysis that failed after `what` was saved."""
    return f"analysis of the new {what} failed ({type(exc).__name__}: {exc})"

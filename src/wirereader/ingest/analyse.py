"""The analysis after a write path saved something: never fails the write that came before it."""

from __future__ import annotations

import sqlite3

from wirereader.store.db import Store, describe_database_error


def run_analysis(store: Store, what: str = "entries") -> str:
    """Dedup, entities and threads for what was just saved; '' or a one-line problem."""
    from wirereader.analysis.pipeline import analyse_pending

    try:
        analyse_pending(store)
    except Exception as exc:  # what was saved stays saved; analysis catches up next time
        return analysis_failed(exc, what, store)
    return ""


def analysis_failed(exc: Exception, what: str, store: Store | None = None) -> str:
    """The one-line warning for an analysis that failed after `what` was saved. A cache error
    is said as every command says it ("OperationalError: database or disk is full" was the
    only line of a full disk that did not say what it meant), with the analysis' next try."""
    if isinstance(exc, sqlite3.Error):
        why = describe_database_error(store.path if store else None, exc)
        return f"analysis of the new {what} failed: {why}; it is tried again next time"
    return f"analysis of the new {what} failed ({type(exc).__name__}: {exc})"

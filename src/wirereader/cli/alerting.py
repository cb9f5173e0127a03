"""Alerts from the command line: after `fetch` and in `tail --fetch`, the new items of the batch
are matched against the alerting topics (wirereader.query.alerts); a terminal notification goes to
stderr when it is a terminal, and an alert command's problem is one warning line."""

from __future__ import annotations

import sys

from wirereader.cli.common import warn
from wirereader.core.config import Config
from wirereader.query.alerts import (
    AlertReport,
    Notifier,
    check_alerts,
    new_item_ids,
    write_terminal_notification,
)
from wirereader.store.db import Store


def notifier() -> Notifier:
    terminal = write_terminal_notification(sys.stderr) if sys.stderr.isatty() else None
    return Notifier(terminal)


def alert_new_items(store: Store, cfg: Config, after_id: int) -> AlertReport:
    """Alerts for the items saved after entry id `after_id` (taken before the batch)."""
    if not cfg.alerts:
        return AlertReport()
    try:
        report = check_alerts(store, cfg, new_item_ids(store, after_id), notifier())
    except Exception as exc:  # an alert must never cost the user the fetch's result
        warn(f"alerts failed ({type(exc).__name__}: {exc})")
        return AlertReport()
    for message in report.warnings:
        warn(message)
    return report

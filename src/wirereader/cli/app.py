"""`wirereader` with no command opens the reader; `wirereader demo` opens it on the sample data.

Textual is imported only here, when the app is about to run, so the other commands start fast.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
from datetime import date, timezone
from pathlib import Path

from wirereader.cli.common import UserError, load_args_config, open_store
from wirereader.core.config import Config
from wirereader.core.timezones import ZoneError, resolve_zone
from wirereader.store.db import Store

# The bundled samples: a live-blog capture and an article, both from April 28, 2025. The article
# carries no date of its own, so the demo gives it that day instead of the file's mtime.
SAMPLE_DAY = date(2025, 4, 28)
SAMPLES = (
    ("002_ecee820a5713ae14.txt", "liveblog-sample"),
    ("000_6456d62e45da5321.txt", "article-sample"),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="open the reader on the bundled sample data (offline)")
    p.set_defaults(func=cmd_demo)


def run_app(args: argparse.Namespace) -> int:
    cfg = load_args_config(args)
    with open_store(args, cfg, reads_only=True) as store:
        return _run(store, cfg)


def _run(store: Store, cfg: Config, *, demo: bool = False) -> int:
    try:
        tz = resolve_zone(cfg.timezone or None)
    except ZoneError as exc:
        raise UserError(f"config timezone: {exc}") from None
    # The reader's start makes a few hundred thousand objects (Textual's modules, styles, the
    # widgets) that live as long as it does: the collector's full passes over them while they
    # are made cost the first paint ~40 ms of CPU. It runs again from the first frame on, with
    # them frozen out of its passes (WireReader._first_paint).
    gc.disable()
    try:
        from wirereader.tui.app import WireReader

        app = WireReader(store, cfg, tz=tz, demo=demo)
        app.run()
    finally:
        gc.enable()
    if app.unsaved_error:
        raise UserError(app.unsaved_error)
    if app.fatal_error:
        raise UserError(app.fatal_error)
    if app.return_code:
        raise UserError(f"{store.path}: the reader stopped on an error")
    return 0


def sample_paths() -> list[tuple[Path, str]]:
    data = Path(__file__).resolve().parent.parent / "data"
    return [(data / name, source) for name, source in SAMPLES]


def load_samples(store: Store, *, analysed: bool = True) -> int:
    """Import the bundled samples (idempotent: a second import changes nothing)."""
    from wirereader.ingest.files import import_file

    count = 0
    for path, source in sample_paths():
        report = import_file(
            store, path, source=source, day=SAMPLE_DAY, tz=timezone.utc, analyse=False
        )
        count += len(report.saved.new)
    if analysed:
        analyse(store)
    return count


def analyse(store: Store) -> None:
    """Dedup, threads and entities for what was imported (a no-op when nothing is pending)."""
    from wirereader.analysis.pipeline import analyse_pending

    analyse_pending(store)


def cmd_demo(args: argparse.Namespace) -> int:
    cfg = Config()  # the demo needs no config: no feeds, no topics of the user's
    cfg.topics = {
        "Ceasefire": '"ceasefire"',
        "Crimea": "Crimea",
        "North Korea": '"North Korea"',
    }
    if getattr(args, "db", None):
        with open_store(args, cfg) as store:
            load_samples(store)
            return _run(store, cfg, demo=True)
    with (
        tempfile.TemporaryDirectory(prefix="wirereader-demo-") as folder,
        Store(Path(folder) / "demo.sqlite3") as store,
    ):
        load_samples(store)
        return _run(store, cfg, demo=True)

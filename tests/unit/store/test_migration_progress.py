"""A slow migration (0004 took 60 s at 1M items) says so on stderr while it runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.unit.store.test_versions import old_cache
from wirereader.cli.migration_progress import MigrationProgress
from wirereader.store import migrate_versions, migrations
from wirereader.store.db import Store
from wirereader.store.migrate_versions import NAME
from wirereader.store.versions import versions_of


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_a_slow_conversion_says_so_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """The line a command shows while a migration runs (every migration counts as slow here):
    one line per migration to a pipe or a log; on a terminal one line rewritten with the share
    done, erased at the end."""
    path = old_cache(tmp_path / "old.sqlite3")
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(migrate_versions, "BATCH", 2)
    monkeypatch.setattr(migrations, "progress_reporter", MigrationProgress(stream, delay=0.0))
    with Store(path) as store:
        assert len(versions_of(store.conn, [1])) >= 1
    shown = stream.getvalue()
    if terminal:
        updates = [u for u in shown.split("\r\x1b[2K") if u]
        shares = [int(u.rsplit(" ", 1)[1].rstrip("%")) for u in updates if NAME in u]
        assert len(shares) > 2 and shares == sorted(shares) and shares[-1] < 100
        assert shown.endswith("\r\x1b[2K")  # the line is gone once the cache is converted
    else:
        lines = shown.splitlines()
        assert f"wirereader: updating the cache ({NAME}); this runs once" in lines
        assert len(lines) == len(set(lines))

"""No import cycles anywhere in the package, imports inside functions included (import-linter's
layers see only imports between layers: a cycle inside `store/` passes them)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

from tests.support.paths import REPO

LAYOUT_STATS = REPO / "bench" / "layout_stats.py"


def _layout_stats() -> ModuleType:
    spec = importlib.util.spec_from_file_location("layout_stats", LAYOUT_STATS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_import_cycle() -> None:
    out = subprocess.run(
        [sys.executable, str(LAYOUT_STATS)], capture_output=True, text=True, check=True
    ).stdout
    assert "import cycles:                 0\n" in out, out


def test_the_cycle_finder_finds_one() -> None:
    """The check can fail: three modules importing each other in a ring are one cycle."""
    found = _layout_stats().cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert [sorted(c) for c in found] == [["a", "b", "c"]]

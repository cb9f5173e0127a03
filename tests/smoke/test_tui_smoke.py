"""Runs tests/smoke/tmux_smoke.py: the installed app under tmux, as a user starts it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "tmux_smoke.py"


def test_installed_app_under_tmux() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "passed" in proc.stdout

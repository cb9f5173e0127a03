"""The analysis's BLAS runs on one thread: the setting must come before numpy first loads."""

from __future__ import annotations

import os
import subprocess
import sys

# Records the BLAS thread setting at the moment numpy is first imported, then imports the
# analysis as a command does.
_PROBE = """
import os, sys
seen = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not seen:
            seen.append(os.environ.get("OPENBLAS_NUM_THREADS"))
        return None
sys.meta_path.insert(0, Watch())
import wirereader.analysis.pipeline
import wirereader.analysis.threads.grouping
print(seen)
"""


def test_one_blas_thread_is_set_before_numpy_loads() -> None:
    """OpenBLAS reads its thread count once, when numpy loads: set any later (as it once was,
    in the grouping module, after the dedup modules had loaded numpy), every small product
    ran on a thread pool spinning on the other core (6x the CPU of one thread)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['1']"

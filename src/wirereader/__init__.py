"""wirereader: live blogs and news feeds as one calm, deduplicated view in the terminal."""

import os

# One BLAS thread: the analysis's matrices are small, and a BLAS thread pool spins on the other
# core between calls (the threads stage at 10k entries: 390 us/entry with the default pool,
# 170 with one thread; a 300 x 355 by 355 x 80 product: 2.3 ms of CPU with two threads, 0.37
# with one). OpenBLAS reads this once, when numpy first loads, so it is set here, before any
# module of the package can import numpy (set in `grouping.py`, it came after the dedup
# modules had loaded numpy, and every product ran on the default pool).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"

"""Float sums whose last bits do not depend on the Python version.

Python 3.12 made the built-in `sum()` of floats compensated (Neumaier), so the same scores added
with `sum()` differ in their last bits between 3.11 and 3.12, and a borderline thread decision
(a score against a threshold, two candidates tied) could go either way depending on the
interpreter. `ordered_sum` adds strictly left to right in plain float arithmetic, which is what
`sum()` did up to 3.11: results stored by earlier versions stay reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import add


def ordered_sum(values: Iterable[float]) -> float:
    """The left-to-right float sum of `values` (0.0 when empty), the same on every version."""
    return reduce(add, values, 0.0)

"""Text measured in terminal cells (a wide character counts twice, as the terminal shows it):
a name cut to a column with "…", or fitted to it exactly."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def cut(text: str, width: int) -> str:
    """`text` in `width` cells at most, cut with "…" (a bare cut, "Deutsche Wel", reads as a
    word)."""
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: cut with "…" or padded."""
    return set_cell_size(cut(text, width), width)

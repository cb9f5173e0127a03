"""Listings printed as they are read: the first line at once and flat memory at any cache size.

A listing never holds the whole view: rows come from one SQL cursor a chunk at a time, and
each chunk is printed before the next is read. JSON is written as the same array `json.dump`
with `indent=2` would give, item by item. Tables have their column widths fixed before the
first row (from the cache's largest id, its longest source name and the longest kind), so a
row printed early never has to move when a later row turns out wider.

Measured with `plain entries` at 100,000 items before this: 42.6 s and 639 MB, every row held
in Python and laid out by one Rich table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # (Rich is imported where a table is printed: see cli.common)
    from rich.console import Console

T = TypeVar("T")
CHUNK = 500  # rows per printed chunk: one write per chunk, memory bounded by it


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_SCALARS: dict[Any, str] = {None: "null", True: "true", False: "false"}


def indented_json(value: Any, indent: str = "") -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`, text for text, each line after the
    first prefixed by `indent` (an item of an array).

    With `indent` set the standard library encodes in Python, node by node (its C encoder only
    writes compact JSON). Here strings, the bulk of an item, go through the C string encoder
    and only the nesting is Python: the 6,472 items of 200 real feeds (27 MB of JSON) took
    0.27-0.32 s, now 0.20-0.22 s (compact JSON by the C encoder: 0.14 s). Floats and anything
    else unusual are left to `json.dumps`, as are dicts with keys that are not strings.
    """
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(key) is str for key in value):
            return _fallback(value, indent)
        inner = indent + "  "
        return (
            "{\n"
            + ",\n".join(
                f"{inner}{encode_basestring(key)}: {indented_json(item, inner)}"
                for key, item in value.items()
            )
            + f"\n{indent}}}"
        )
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return (
            "[\n"
            + ",\n".join(inner + indented_json(item, inner) for item in value)
            + f"\n{indent}]"
        )
    if value is None or value is True or value is False:
        return _SCALARS[value]
    if type(value) is int:
        return int.__repr__(value)
    return _fallback(value, indent)


def _fallback(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def print_json_stream(items: Iterable[dict[str, Any]]) -> int:
    """One JSON array on stdout, written item by item; returns how many items it held."""
    out = sys.stdout
    count = 0
    for chunk in chunks(items):
        parts = []
        for item in chunk:
            text = indented_json(item, "  ")
            parts.append(("[\n" if count == 0 else ",\n") + "  " + text)
            count += 1
        out.write("".join(parts))
        out.flush()  # the first items reach a pipe at once, not when a buffer fills
    out.write("\n]\n" if count else "[]\n")
    return count


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    style: str = ""
    right: bool = False


class StreamTable:
    """A table printed chunk by chunk with widths fixed up front.

    On a terminal each cell keeps its style and a cell longer than its column is cut with "…";
    piped, the lines are plain text and no cell is ever cut (a script or `grep` gets whole
    titles, whatever the terminal's width), only padded. Cells are always plain strings placed
    into fixed cells, never parsed as markup (titles come from outside).
    """

    def __init__(self, columns: Sequence[Column], console: Console | None = None) -> None:
        from rich.console import Console

        self.columns = list(columns)
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.styled = self.console.is_terminal
        self.rows = 0

    def _cells(self, values: Sequence[str]) -> list[str]:
        from rich.cells import cell_len, set_cell_size

        out = []
        last = len(self.columns) - 1
        for i, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            value = value.replace("\n", " ")
            if cell_len(value) > column.width:
                if not self.styled:
                    out.append(value)
                    continue
                value = set_cell_size(value, max(0, column.width - 1)) + "…"
            elif column.right:
                value = " " * (column.width - cell_len(value)) + value
            elif i == last:
                # The line's end is stripped: padding the last cell only costs memory, and a
                # piped table's last column is as wide as the pipe (PIPE_WIDTH, a million
                # cells): `entities | ...` held 500 rows of a megabyte each (176 MB at 131).
                out.append(value)
                continue
            out.append(set_cell_size(value, column.width))
        return out

    def _write(self, lines: list[list[str]], styles: list[str]) -> None:
        if self.styled:
            from rich.text import Text

            text = Text()
            last = len(self.columns) - 1
            for cells in lines:
                for i, (cell, style) in enumerate(zip(cells, styles, strict=True)):
                    if i:
                        text.append("  ")
                    text.append(cell.rstrip() if i == last else cell, style=style or None)
                text.append("\n")
            self.console.print(text, end="", soft_wrap=True)
        else:
            sys.stdout.write("".join("  ".join(cells).rstrip() + "\n" for cells in lines))
            sys.stdout.flush()

    def header(self) -> None:
        from rich.cells import cell_len

        cells = [
            " " * (c.width - cell_len(c.header)) + c.header if c.right else c.header
            for c in self.columns
        ]
        self._write([self._cells(cells)], ["bold"] * len(self.columns))

    def add_rows(self, rows: Iterable[Sequence[str]]) -> None:
        lines = [self._cells(values) for values in rows]
        if not lines:
            return
        if self.rows == 0:
            self.header()
        self.rows += len(lines)
        self._write(lines, [c.style for c in self.columns])

    def print_all(self, rows: Iterable[T], cells: Callable[[T], Sequence[str]]) -> int:
        """Print every row (as `cells(row)`), a chunk at a time; returns the row count."""
        for chunk in chunks(rows):
            self.add_rows([cells(row) for row in chunk])
        return self.rows

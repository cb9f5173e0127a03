"""Reading table rows straight from the pages of an SQLite file, without SQLite.

When a cache's b-tree is damaged, SQLite stops at the first bad page: a damaged interior page
hides every leaf below it, a damaged root hides the whole table, a damaged page 1 hides the
schema. Yet the rows themselves sit intact on their leaf pages. This module reads them the way
SQLite's recovery extension (`.recover`) does: every page of the file (with the committed frames
of its WAL laid over it) is parsed as a b-tree page, table leaves are decoded cell by cell
(following overflow chains), and each leaf is attributed to its table by walking down from the
table's root where the tree still holds, else by the shape of its records.

The format is SQLite's documented file format (https://www.sqlite.org/fileformat2.html): the
100-byte header, b-tree page headers, cell pointer arrays, varints, the record format and
overflow pages. Only what a recovery needs is implemented; everything read is bounds-checked, so
random bytes yield nothing rather than an exception.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HEADER_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)  # checksums little- / big-endian
TABLE_LEAF, TABLE_INTERIOR = 13, 5
INDEX_LEAF, INDEX_INTERIOR = 10, 2
PAGE_SIZES = tuple(512 << n for n in range(8))  # 512 .. 65536

Value = int | float | str | bytes | None


class PageError(ValueError):
    """This page (or cell) cannot be decoded."""


def varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at `pos` and the position after it (SQLite's 1-9 byte big-endian form)."""
    value = 0
    for i in range(8):
        if pos + i >= len(data):
            raise PageError("varint past the end")
        byte = data[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    if pos + 8 >= len(data):
        raise PageError("varint past the end")
    value = (value << 8) | data[pos + 8]
    if value >= 1 << 63:
        value -= 1 << 64
    return value, pos + 9


def decode_record(payload: bytes) -> list[Value]:
    """The values of one record (header of serial types, then the values)."""
    header_size, pos = varint(payload, 0)
    if header_size < 1 or header_size > len(payload):
        raise PageError("record header out of range")
    types = []
    while pos < header_size:
        serial, pos = varint(payload, pos)
        types.append(serial)
    if pos != header_size:
        raise PageError("record header overruns")
    values: list[Value] = []
    body = header_size
    for serial in types:
        if serial == 0:
            values.append(None)
        elif 1 <= serial <= 6:
            size = (1, 2, 3, 4, 6, 8)[serial - 1]
            chunk = payload[body : body + size]
            if len(chunk) != size:
                raise PageError("integer past the record")
            values.append(int.from_bytes(chunk, "big", signed=True))
            body += size
        elif serial == 7:
            chunk = payload[body : body + 8]
            if len(chunk) != 8:
                raise PageError("float past the record")
            values.append(struct.unpack(">d", chunk)[0])
            body += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            size = (serial - 12) // 2
            chunk = payload[body : body + size]
            if len(chunk) != size:
                raise PageError("text past the record")
            if serial % 2:
                try:
                    values.append(chunk.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise PageError("text is not UTF-8") from exc
            else:
                values.append(bytes(chunk))
            body += size
        else:  # 10, 11: reserved, never written
            raise PageError(f"reserved serial type {serial}")
    if body != len(payload):
        raise PageError("record length does not match its header")
    return values


@dataclass
class Cell:
    rowid: int
    values: list[Value]


@dataclass
class Leaf:
    """A table leaf page: its readable cells and how many it held that could not be read."""

    number: int
    cells: list[Cell] = field(default_factory=list)
    unreadable: int = 0


class PageFile:
    """The pages of an SQLite file, with the committed frames of its WAL laid over them."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        self.header_ok = data[:16] == HEADER_MAGIC
        self.page_size = self._page_size(data)
        self.reserved = data[20] if self.header_ok and len(data) > 20 else 0
        self.usable = self.page_size - self.reserved
        self.pages: dict[int, bytes] = {}
        for number in range(1, len(data) // self.page_size + 1):
            start = (number - 1) * self.page_size
            self.pages[number] = data[start : start + self.page_size]
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            self.pages.update(_wal_pages(wal.read_bytes(), self.page_size))

    def _page_size(self, data: bytes) -> int:
        if self.header_ok and len(data) >= 100:
            size = int.from_bytes(data[16:18], "big")
            size = 65536 if size == 1 else size
            if size in PAGE_SIZES:
                return size
        # The header is gone: the size at which most pages parse as b-tree pages.
        return max(PAGE_SIZES, key=lambda size: _btree_pages_at(data, size))

    def page_type(self, number: int) -> int | None:
        page = self.pages.get(number)
        if page is None:
            return None
        return page[100 if number == 1 else 0]

    def freelist(self) -> set[int]:
        """Pages on the freelist: their old contents are deleted rows, never to be revived."""
        page1 = self.pages.get(1, b"")
        if not self.header_ok or len(page1) < 40:
            return set()
        trunk = int.from_bytes(page1[32:36], "big")
        free: set[int] = set()
        while trunk and trunk not in free and trunk in self.pages:
            free.add(trunk)
            page = self.pages[trunk]
            following = int.from_bytes(page[0:4], "big")
            count = int.from_bytes(page[4:8], "big")
            if count > (self.usable - 8) // 4:
                break
            for i in range(count):
                free.add(int.from_bytes(page[8 + 4 * i : 12 + 4 * i], "big"))
            trunk = following
        return free

    def _cell_pointers(self, number: int) -> tuple[int, list[int], int]:
        """The page's type, its cell offsets and (for interior pages) its right-most child."""
        page = self.pages.get(number)
        if page is None:
            raise PageError(f"page {number} is past the end of the file")
        base = 100 if number == 1 else 0
        kind = page[base]
        if kind not in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
            raise PageError(f"page {number} is not a b-tree page")
        count = int.from_bytes(page[base + 3 : base + 5], "big")
        interior = kind in (TABLE_INTERIOR, INDEX_INTERIOR)
        header = 12 if interior else 8
        right = int.from_bytes(page[base + 8 : base + 12], "big") if interior else 0
        start = base + header
        if start + 2 * count > self.usable:
            raise PageError(f"page {number}: {count} cells cannot fit")
        offsets = [
            int.from_bytes(page[start + 2 * i : start + 2 * i + 2], "big") for i in range(count)
        ]
        return kind, offsets, right

    def children(self, number: int) -> list[int]:
        """The child pages of a table interior page."""
        kind, offsets, right = self._cell_pointers(number)
        if kind != TABLE_INTERIOR:
            raise PageError(f"page {number} is not a table interior page")
        page = self.pages[number]
        found = []
        for offset in offsets:
            if not 0 < offset <= self.usable - 4:
                raise PageError(f"page {number}: cell pointer out of range")
            found.append(int.from_bytes(page[offset : offset + 4], "big"))
        return [*found, right]

    def interior_keys(self, number: int) -> list[int]:
        """The rowid keys of a table interior page (they bound the rows below it)."""
        _, offsets, _ = self._cell_pointers(number)
        page = self.pages[number]
        keys = []
        for offset in offsets:
            try:
                keys.append(varint(page, offset + 4)[0])
            except PageError:
                continue
        return keys

    def leaf(self, number: int) -> Leaf:
        """Every readable cell of a table leaf page."""
        kind, offsets, _ = self._cell_pointers(number)
        if kind != TABLE_LEAF:
            raise PageError(f"page {number} is not a table leaf")
        page = self.pages[number]
        leaf = Leaf(number)
        for offset in offsets:
            try:
                leaf.cells.append(self._table_cell(page, offset))
            except PageError:
                leaf.unreadable += 1
        return leaf

    def _table_cell(self, page: bytes, offset: int) -> Cell:
        if not 0 < offset < self.usable:
            raise PageError("cell pointer out of range")
        size, pos = varint(page, offset)
        rowid, pos = varint(page, pos)
        if size < 0 or size > 1 << 31:
            raise PageError("payload size out of range")
        local = self._local_size(size)
        return Cell(rowid, decode_record(self._payload(page, pos, local, size)))

    def _payload(self, page: bytes, pos: int, local: int, size: int) -> bytes:
        """A cell's payload of `size` bytes: `local` of them on the page at `pos`, the rest on
        its overflow pages."""
        payload = page[pos : pos + local]
        if len(payload) != local or pos + local > self.usable:
            raise PageError("payload past the page")
        if local < size:
            next_page = int.from_bytes(page[pos + local : pos + local + 4], "big")
            payload += self._overflow(next_page, size - local)
        return payload

    def _local_size(self, size: int) -> int:
        """How much of a table leaf cell's payload is on the page itself (the format's rule)."""
        most = self.usable - 35
        if size <= most:
            return size
        least = ((self.usable - 12) * 32 // 255) - 23
        local = least + (size - least) % (self.usable - 4)
        return local if local <= most else least

    def _overflow(self, number: int, remaining: int) -> bytes:
        chunks: list[bytes] = []
        seen: set[int] = set()
        while remaining > 0:
            if number in seen or number not in self.pages:
                raise PageError("overflow chain broken")
            seen.add(number)
            page = self.pages[number]
            take = min(remaining, self.usable - 4)
            chunks.append(page[4 : 4 + take])
            remaining -= take
            number = int.from_bytes(page[0:4], "big")
        return b"".join(chunks)

    def table_leaves(self, root: int) -> tuple[list[int], set[int], int]:
        """Walk a table's b-tree from its root: its leaf pages (in order), every page reached,
        and how many pages could not be read on the way (their subtrees are found by shape)."""
        leaves: list[int] = []

        def visit(number: int) -> Iterable[int]:
            kind = self.page_type(number)
            if kind == TABLE_LEAF:
                self._cell_pointers(number)
                leaves.append(number)
                return ()
            if kind == TABLE_INTERIOR:
                return reversed(self.children(number))
            raise PageError(f"page {number} is not part of a table")

        reached, broken = self._walk(root, visit)
        return leaves, reached, broken

    def index_rowids(self, root: int) -> tuple[set[int], int]:
        """The rowids an index b-tree names (the last value of each of its records, on leaf and
        interior pages alike), and how many of its pages could not be read.

        An index holds one record per row of its table, on pages of its own: when a table leaf
        is lost, the ids of the rows it held are still here, even above every id the table's
        own pages still show (its last leaf)."""
        rowids: set[int] = set()

        def visit(number: int) -> Iterable[int]:
            kind, offsets, right = self._cell_pointers(number)
            if kind not in (INDEX_LEAF, INDEX_INTERIOR):
                raise PageError(f"page {number} is not part of an index")
            page = self.pages[number]
            children: list[int] = []
            for offset in offsets:
                if not 0 < offset < self.usable:
                    continue
                pos = offset
                if kind == INDEX_INTERIOR:
                    children.append(int.from_bytes(page[pos : pos + 4], "big"))
                    pos += 4
                try:
                    rowid = self._index_rowid(page, pos)
                except PageError:
                    continue
                if rowid is not None:
                    rowids.add(rowid)
            if kind == INDEX_INTERIOR:
                children.append(right)
            return children

        _reached, broken = self._walk(root, visit)
        return rowids, broken

    @staticmethod
    def _walk(root: int, visit: Callable[[int], Iterable[int]]) -> tuple[set[int], int]:
        """Depth-first over a b-tree from its root: `visit` reads a page and gives the pages to
        go to next (the last given is read first), or raises PageError. Every page read, and
        how many could not be (a page met twice, a cycle, counts as one not read)."""
        reached: set[int] = set()
        broken = 0
        stack = [root]
        while stack:
            number = stack.pop()
            if number in reached:
                broken += 1  # a cycle: damage
                continue
            reached.add(number)
            try:
                stack.extend(visit(number))
            except PageError:
                reached.discard(number)
                broken += 1
        return reached, broken

    def _index_rowid(self, page: bytes, pos: int) -> int | None:
        size, pos = varint(page, pos)
        if size < 0 or size > 1 << 31:
            raise PageError("payload size out of range")
        most = (self.usable - 12) * 64 // 255 - 23
        if size <= most:
            local = size
        else:
            least = (self.usable - 12) * 32 // 255 - 23
            local = least + (size - least) % (self.usable - 4)
            local = local if local <= most else least
        values = decode_record(self._payload(page, pos, local, size))
        last = values[-1] if values else None
        return last if isinstance(last, int) and not isinstance(last, bool) else None

    def all_table_leaves(self) -> Iterator[int]:
        for number in sorted(self.pages):
            if self.page_type(number) == TABLE_LEAF:
                yield number


def _btree_pages_at(data: bytes, size: int) -> int:
    count = 0
    for start in range(0, len(data) - size + 1, size):
        if data[start] in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
            cells = int.from_bytes(data[start + 3 : start + 5], "big")
            content = int.from_bytes(data[start + 5 : start + 7], "big") or 65536
            if cells > 0 and 8 + 2 * cells <= content <= size:
                count += 1
    return count


def _wal_checksum(data: bytes, big_endian: bool, s1: int, s2: int) -> tuple[int, int]:
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def _wal_pages(wal: bytes, page_size: int) -> dict[int, bytes]:
    """The pages of the WAL's committed transactions (salts and checksums verified, as SQLite
    does when it opens the WAL); frames after the last valid commit are ignored."""
    if len(wal) < 32:
        return {}
    magic, _, size, _, salt1, salt2, c1, c2 = struct.unpack(">8I", wal[:32])
    if magic not in WAL_MAGICS or size != page_size:
        return {}
    big = magic == WAL_MAGICS[1]
    if _wal_checksum(wal[:24], big, 0, 0) != (c1, c2):
        return {}
    s1, s2 = c1, c2
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    pos = 32
    while pos + 24 + page_size <= len(wal):
        number, commit, f1, f2, k1, k2 = struct.unpack(">6I", wal[pos : pos + 24])
        if (f1, f2) != (salt1, salt2):
            break
        page = wal[pos + 24 : pos + 24 + page_size]
        s1, s2 = _wal_checksum(wal[pos : pos + 8], big, s1, s2)
        s1, s2 = _wal_checksum(page, big, s1, s2)
        if (s1, s2) != (k1, k2):
            break
        pending[number] = page
        if commit:
            committed.update(pending)
            pending = {}
        pos += 24 + page_size
    return committed

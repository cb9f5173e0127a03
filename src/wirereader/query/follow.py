"""Following the cache like `tail -f`: the new items matching a filter, as they land.

Items land from any process: another `wirereader fetch` or `import`, a running reader's refresh,
or the follower's own `--fetch`. SQLite's `PRAGMA data_version` changes when another connection
commits, so an idle poll costs one pragma. An entry is announced once its analysis has run
(its reposts are then folded into the item they repeat, and its entities are known to the
filter), or after `settle` seconds when nothing analyses it (a `--no-analyse` import).
"""

from __future__ import annotations

import time

from wirereader.query.alerts import matching_items, newest_entry_id
from wirereader.query.language import parse
from wirereader.query.timeline import EntryRow, Query
from wirereader.store.db import Store

SETTLE_SECONDS = 15.0
_CHUNK = 500


class Follower:
    def __init__(self, store: Store, query_text: str, *, settle: float = SETTLE_SECONDS) -> None:
        self.store = store
        self.query_text = query_text
        parsed = parse(query_text)
        self.filter = parsed.filter
        self.problems = parsed.problems
        self.settle = settle
        self.mark = newest_entry_id(store)  # entries up to here were there before we started
        self._pending: dict[int, float] = {}  # entry id -> when it was first seen
        self._version = self._data_version()

    def _data_version(self) -> int:
        return int(self.store.conn.execute("PRAGMA data_version").fetchone()[0])

    def latest(self, count: int) -> list[EntryRow]:
        """The newest `count` matching items already in the cache, oldest first (tail -n)."""
        if count <= 0:
            return []
        rows = Query(self.store, self.filter).page(count, details=True)
        return list(reversed(rows))

    def poll(self, *, force: bool = False, now: float | None = None) -> list[EntryRow]:
        """Matching items that landed since the last poll, in the order they landed.

        Without `force` it does nothing unless another connection committed since the last
        look (or entries are still waiting for their analysis)."""
        now = time.monotonic() if now is None else now
        version = self._data_version()
        if not force and version == self._version and not self._pending:
            return []
        self._version = version
        for (entry_id,) in self.store.conn.execute(
            "SELECT id FROM entries WHERE id > ? ORDER BY id", (self.mark,)
        ):
            self._pending.setdefault(int(entry_id), now)
            self.mark = max(self.mark, int(entry_id))
        if not self._pending:
            return []
        ready = self._ready(now)
        for entry_id in ready:
            del self._pending[entry_id]
        if not ready:
            return []
        found = matching_items(self.store, self.filter, ready)
        return sorted(found, key=lambda row: row.id)

    def _ready(self, now: float) -> list[int]:
        waiting = sorted(self._pending)
        done: set[int] = set()
        for start in range(0, len(waiting), _CHUNK):
            chunk = waiting[start : start + _CHUNK]
            rows = self.store.conn.execute(
                f"SELECT id FROM entries WHERE id IN ({','.join('?' * len(chunk))})"
                " AND (analysed_hash IS NOT NULL OR repost_of IS NOT NULL)",
                chunk,
            )
            done.update(int(r[0]) for r in rows)
        return [i for i in waiting if i in done or now - self._pending[i] >= self.settle]

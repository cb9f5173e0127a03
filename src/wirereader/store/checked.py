"""Remembering that a cache passed SQLite's quick check, so an unchanged cache is not read again.

The quick check reads every page: 0.8 s at 30,000 items, tens of seconds at 1,000,000 (2.7 GB),
and every process that writes (a `fetch` from cron, the reader saving what was read) ran it
before its first write. A process that checked the cache, or found it remembered as checked,
records on closing the file as it leaves it (`<cache>-checked`, beside the WAL): its own writes
went through SQLite and spread no damage. The next process runs the check only when the file
is no longer that file:

- identity: device, inode, size, modification and change times (ns) of the cache and of its
  WAL (or that there is none, or an empty one: every open creates it). Any write, a copy over
  it, `touch`, a restore with the old modification time (the change time cannot be set back)
  makes it another file. The Linux this
  was written on stamps files at microsecond grain (multigrain timestamps); on a kernel with
  coarse stamps a write in the same tick as the record would go unseen, so
- the first and the last 64 KB are hashed too (the header, the schema, the newest pages).

What it gives up: damage done to the file from outside SQLite while a process that checked it
had it open is not seen by the next process's check but by the first read of the damaged page
(every read reports a malformed page as damage, naming `doctor`) or by `doctor`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

SAMPLE_BYTES = 64 * 1024


def memo_path(cache: Path) -> Path:
    return cache.with_name(cache.name + "-checked")


def identity(cache: Path) -> list[object] | None:
    """What the file system says about the cache and its WAL, and a hash of the cache's ends;
    None when the cache cannot be read."""
    parts: list[object] = []
    try:
        for path in (cache, cache.with_name(cache.name + "-wal")):
            try:
                st = os.stat(path)
            except FileNotFoundError:
                parts.append(None)
                continue
            if st.st_size == 0 and path != cache:
                parts.append(None)  # an empty WAL (every open makes one) holds no writes
                continue
            parts.append([st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
        parts.append(_ends_digest(cache))
    except OSError:
        return None
    return parts


# Descriptors of the caches this process has read the ends of, by (device, inode); see
# `_ends_digest`. `release` closes a cache's once the process has no connection to it.
_handles: dict[tuple[int, int], int] = {}
_handles_lock = threading.Lock()


def _ends_digest(cache: Path) -> str:
    """A hash of the cache's first and last 64 KB.

    Read through a descriptor kept open, never one opened and closed here: closing any
    descriptor of a file drops every POSIX lock the process holds on it, SQLite's included
    (https://sqlite.org/howtocorrupt.html, 2.2). Another process then takes this one's open
    connections for gone: the last of its own to close deletes the WAL and its index under
    them, and this process's next commits went into the unlinked WAL, which corrupted the
    cache (a `search` while the reader refreshed: 'database disk image is malformed').
    """
    st = os.stat(cache)
    with _handles_lock:
        fd = _handles.get((st.st_dev, st.st_ino))
        if fd is None:
            fd = os.open(cache, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            opened = os.fstat(fd)  # the path may name another file since the stat
            _handles.setdefault((opened.st_dev, opened.st_ino), fd)
        digest = hashlib.sha256()
        os.lseek(fd, 0, os.SEEK_SET)
        digest.update(os.read(fd, SAMPLE_BYTES))
        size = os.fstat(fd).st_size
        if size > SAMPLE_BYTES:
            os.lseek(fd, max(SAMPLE_BYTES, size - SAMPLE_BYTES), os.SEEK_SET)
            digest.update(os.read(fd, SAMPLE_BYTES))
    return digest.hexdigest()


def release(cache: Path) -> None:
    """Close the descriptor `_ends_digest` keeps for the cache: only once the process has no
    connection to it left (closing it drops their locks)."""
    try:
        st = os.stat(cache)
    except OSError:
        return
    with _handles_lock:
        fd = _handles.pop((st.st_dev, st.st_ino), None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def remembered(cache: Path) -> bool:
    """Whether the cache is the file that was last recorded as checked."""
    try:
        recorded = json.loads(memo_path(cache).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    now = identity(cache)
    return now is not None and isinstance(recorded, dict) and recorded.get("identity") == now


def remember(cache: Path) -> None:
    """Record the cache as checked, as it is now. Best effort: a folder that cannot be written
    only means the next process checks again."""
    now = identity(cache)
    if now is None:
        return
    target = memo_path(cache)
    temporary = target.with_name(f"{target.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps({"identity": now}), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def forget(cache: Path) -> None:
    with contextlib.suppress(OSError):
        memo_path(cache).unlink(missing_ok=True)

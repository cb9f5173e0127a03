"""The reader survives every failed write: a star or read mark that cannot be written now (another
process holds the write lock, the file turned read-only) is a notice and a retry, never a crash
or a frozen screen, and it is written once the cache lets it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route, rss, serve_feeds
from tests.support.tui import demo_store, make_app, settle, until
from wirereader.core.config import Config, FeedConfig
from wirereader.ingest.refresh import FULL_DISK, refresh
from wirereader.query.feeds import feed_statuses
from wirereader.query.timeline import Query
from wirereader.store.db import Store
from wirereader.store.subscriptions import sync_config


@pytest.fixture
def demo(db_path: Path):
    store = demo_store(db_path)
    yield store
    store.close()


def state(db_path: Path, entry_id: int) -> tuple[bool, bool]:
    with sqlite3.connect(db_path) as other:
        read_at, starred = other.execute(
            "SELECT read_at, starred FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
    return read_at is not None, bool(starred)


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_star_and_read_during_a_long_lock_are_kept_and_written_after(
    demo: Store, db_path: Path
) -> None:
    first, second = Query(demo).page(2)

    async def go():
        app = make_app(demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            # Another process takes the write lock and keeps it (a long import).
            holder = sqlite3.connect(db_path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            await pilot.press("s")
            await pilot.press("j", "enter")
            await pilot.pause(0.3)
            # The keys were handled at once: no freeze for the busy timeout.
            assert time.monotonic() - started < 3
            assert app.is_running
            assert any("not saved yet" in n for n in notices(app))
            current = app.timeline.current
            assert current is not None and current.id == second.id
            assert state(db_path, first.id) == (False, False)  # not written: the lock holds
            holder.execute("COMMIT")
            holder.close()
            for _ in range(100):  # the retry comes within a few seconds
                await pilot.pause(0.1)
                if state(db_path, first.id)[1] and state(db_path, second.id)[0]:
                    break
            assert state(db_path, first.id) == (False, True)
            assert state(db_path, second.id)[0]
            await settle(pilot)
            assert "reading state saved" in notices(app)
        assert app.return_code in (0, None) and not app.unsaved_error

    asyncio.run(go())


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """New opens of files in `folder` are read-only from here on (connections already open keep
    their access): a read-only bind mount of the folder over itself for root, whom file modes
    do not stop; file and folder modes otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        return
    files = [p for p in folder.iterdir() if p.is_file()]
    for p in files:
        p.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)
        for p in files:
            p.chmod(0o644)


def test_a_read_only_cache_is_a_notice_not_a_crash(demo: Store, db_path: Path) -> None:
    first = Query(demo).page(1)[0]

    async def go():
        app = make_app(demo)
        with contextlib.ExitStack() as stack:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                stack.enter_context(read_only(db_path.parent))  # until after the app's exit
                await pilot.press("s")
                await pilot.pause(0.3)
                assert app.is_running
                assert any("not saved yet" in n for n in notices(app))
            # The last try at exit failed too: the user is told, in one line, after the app.
            assert app.unsaved_error.startswith("1 reading-state changes not saved")
            assert state(db_path, first.id) == (False, False)

    asyncio.run(go())


def test_a_damaged_cache_stops_the_reader_with_the_line_naming_doctor(
    demo: Store, db_path: Path
) -> None:
    demo.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with sqlite3.connect(db_path) as conn:
        leaf = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'entry_versions' AND pagetype = 'leaf'"
            " ORDER BY pageno DESC LIMIT 1"
        ).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with db_path.open("r+b") as handle:
        handle.seek((leaf - 1) * size)
        handle.write(b"\x0d" + bytes(range(256)) * (size // 256 - 1) + b"\xff" * 255)

    async def go():
        app = make_app(fresh)  # as `wirereader` opens it: not checked yet
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(100):
                await pilot.pause(0.1)
                if not app.is_running:
                    break
        assert "damaged" in app.fatal_error and "doctor --repair" in app.fatal_error
        assert "\n" not in app.fatal_error

    with Store(db_path) as fresh:
        asyncio.run(go())


def test_the_background_article_fetch_on_a_read_only_cache_names_the_cache(
    server: FeedServer, db_path: Path
) -> None:
    """The reader fetches teasers' articles after each refresh. With the cache turned read-only
    it said "articles: attempt to write a readonly database" (SQLite's words, no file, nothing
    to do); now the line names the cache and what to check, as a failed read mark does."""
    server.routes["/news/ferry"] = Route(
        b"<html><head><title>Ferry</title></head><body><article><p>"
        + b"Crews on the island ferries returned to work on Monday. " * 12
        + b"</p></article></body></html>",
        content_type="text/html; charset=utf-8",
    )
    items = [{"guid": "ferry", "title": "Ferry strike ends", "link": server.url("/news/ferry"),
              "description": "Crews returned to work. Read more"}]  # fmt: skip
    server.routes["/feed.xml"] = Route(rss("Teasers", items))
    config = Config(feeds=[FeedConfig(url=server.url("/feed.xml"), name="teasers")])
    with Store(db_path) as store:
        assert refresh(store, config).new

    async def go(store: Store) -> list[str]:
        app = make_app(store, config)
        with contextlib.ExitStack() as stack:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                stack.enter_context(read_only(db_path.parent))
                app._articles_worker()
                await settle(pilot)
                assert app.is_running
                return notices(app)

    with Store(db_path) as store:
        said = asyncio.run(go(store))
    assert not any("attempt to write" in line for line in said), said
    assert any(str(db_path) in line and "read-only" in line for line in said), said


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: int) -> Iterator[None]:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("a small tmpfs cannot be mounted here (it takes root)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def full_disk_refresh(corpus: Path, server: FeedServer, tmp_path: Path, *, subscribed: bool):
    """The notices about a full disk of a refresh of the corpus's seven real feeds, run by the
    reader onto a disk with room for little more than the cache (`subscribed`: the feeds
    already are; else the refresh first subscribes the config's feeds)."""
    config = Config(feeds=[FeedConfig(url=url) for url in serve_feeds(server, corpus / "feeds")])
    made = tmp_path / "made.sqlite3"
    with Store(made) as store:
        if subscribed:
            sync_config(store, config)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder = tmp_path / "cache"
    folder.mkdir()
    with small_tmpfs(folder, made.stat().st_size + 64 * 1024):
        db = folder / "cache.sqlite3"
        db.write_bytes(made.read_bytes())

        async def go(store: Store) -> list[str]:
            app = make_app(store, config)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                app.action_refresh()
                for _ in range(600):
                    await pilot.pause(0.1)
                    if not app.refreshing:
                        break
                await settle(pilot)
                assert app.is_running
                return [n for n in notices(app) if "full" in n]

        with Store(db) as store:
            return db, asyncio.run(go(store))


def test_a_refresh_onto_a_full_disk_is_one_notice_of_the_cache(
    corpus: Path, server: FeedServer, tmp_path: Path
) -> None:
    """The reader's refresh of subscribed feeds onto a full disk showed three red notices,
    "<feed>: <url>: cannot save to the cache (database or disk is full)", as if those feeds
    were broken. Now one notice names the cache and the full disk, as `fetch` says it."""
    db, said = full_disk_refresh(corpus, server, tmp_path, subscribed=True)
    assert said == [f"{db}: {FULL_DISK}"], said


def test_a_refresh_that_cannot_subscribe_on_a_full_disk_names_the_cache(
    corpus: Path, server: FeedServer, tmp_path: Path
) -> None:
    """The config's feeds could not even be subscribed: the notice was "refresh failed:
    database or disk is full", naming no file."""
    db, said = full_disk_refresh(corpus, server, tmp_path, subscribed=False)
    assert len(said) == 1 and said[0].startswith(f"refresh failed: {db}: "), said


def _fill(folder: Path) -> Path:
    """Every free byte of the file system of `folder` taken by one file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    return filler


def test_mark_all_read_on_a_full_disk_says_the_marks_are_not_saved_yet(
    db_path: Path, tmp_path: Path
) -> None:
    """'A' on a full disk said "51 entries marked read" while nothing was written: it now says
    they are kept and saved once there is room, and 'reading state saved' follows when the
    retry lands. The status line counted them unread, and a view left and come back to showed
    them unread, until then: both show the marks not saved yet."""
    with demo_store(db_path) as made:
        unread = Query(made).count()
        rows = made.conn.execute("SELECT count(*) FROM entries").fetchone()[0]  # (and reposts)
        made.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert unread > 0
    folder = tmp_path / "cache"
    folder.mkdir()
    with small_tmpfs(folder, db_path.stat().st_size + 256 * 1024):
        db = folder / "cache.sqlite3"
        db.write_bytes(db_path.read_bytes())

        def read_in_file() -> int:
            with sqlite3.connect(db) as other:
                sql = "SELECT count(*) FROM entries WHERE read_at IS NOT NULL"
                return other.execute(sql).fetchone()[0]

        async def go(store: Store) -> None:
            app = make_app(store)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                filler = _fill(folder)
                await pilot.press("A")
                await pilot.pause(0.3)
                assert app.is_running
                said = notices(app)
                assert f"{unread} entries marked read" not in said, said
                mark = [n for n in said if n.startswith(f"{unread} entries marked read")]
                assert len(mark) == 1 and "not saved yet" in mark[0], said
                assert read_in_file() == 0
                # The status line counts what the screen shows, the marks waiting over the
                # file's: none unread; and so do the rows of the view left and come back to.

                def counted() -> bool:
                    return not app.status.counting

                await settle(pilot)  # (the count after 'A' is a worker started at once)
                assert app.status.unread == 0
                await pilot.press("u")
                await settle(pilot)
                await pilot.press("u")
                await until(pilot, counted, "the view's count")
                assert (app.status.total, app.status.unread) == (unread, 0)
                shown = [app.timeline.row(i) for i in range(app.timeline.total)]
                assert shown and all(row is not None and row.read for row in shown)
                filler.unlink()
                await until(pilot, read_in_file, "the retried write")  # within seconds
                await settle(pilot)
                assert read_in_file() == rows
                assert "reading state saved" in notices(app)
            assert not app.unsaved_error

        with Store(db) as store:
            asyncio.run(go(store))


def held_start_up_check(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The cache's start-up check held back until the event returned is set (the quick check
    of a big cache takes seconds)."""
    checked = threading.Event()
    real_check = Store.verify

    def slow_check(store: Store) -> None:
        checked.wait(10)
        real_check(store)

    monkeypatch.setattr(Store, "verify", slow_check)
    return checked


def test_mark_all_read_before_the_start_up_check_says_the_write_has_not_landed(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the cache's start-up check has passed (seconds on a big cache) the first write
    waits for it in the background: 'A' said "N entries marked read" while nothing was written.
    It now says the marks are not saved yet, and "reading state saved" once they are."""
    with demo_store(db_path) as made:
        unread = Query(made).count()
    assert unread > 0
    checked = held_start_up_check(monkeypatch)

    def read_in_file() -> int:
        with sqlite3.connect(db_path) as other:
            sql = "SELECT count(*) FROM entries WHERE read_at IS NOT NULL AND repost_of IS NULL"
            return other.execute(sql).fetchone()[0]

    async def go(store: Store) -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.2)
            await pilot.press("A")
            await pilot.pause(0.3)
            said = notices(app)
            assert f"{unread} entries marked read" not in said, said
            mark = [n for n in said if n.startswith(f"{unread} entries marked read")]
            assert len(mark) == 1 and "not saved yet" in mark[0], said
            assert read_in_file() == 0
            checked.set()
            await until(pilot, read_in_file, "the write after the start-up check")
            await settle(pilot)
            assert read_in_file() == unread
            assert "reading state saved" in notices(app)
        assert not app.unsaved_error

    with Store(db_path) as store:  # as `wirereader` opens it: not checked yet
        asyncio.run(go(store))


def _notices_on_a_read_only_cache(db_path: Path, key: str) -> list[str]:
    """The notices after `key` in the reader on the cache at `db_path`, on a read-only bind
    mount of its folder."""
    with read_only(db_path.parent), Store(db_path) as store:
        assert store.read_only

        async def go() -> list[str]:
            app = make_app(store)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press(key)
                await pilot.pause(0.3)
                assert app.is_running
                return notices(app)

        return asyncio.run(go())


def test_mark_all_read_on_a_read_only_cache_says_nothing_is_saved(db_path: Path) -> None:
    """On a cache on a read-only file system 'A' said "N entries marked read" (the reader had
    said once, at its start, that nothing can be written): it now says they are not saved."""
    with demo_store(db_path) as made:
        unread = Query(made).count()
    said = _notices_on_a_read_only_cache(db_path, "A")
    mark = [n for n in said if n.startswith(f"{unread} entries")]
    assert len(mark) == 1 and "not saved" in mark[0] and "read-only" in mark[0], said


def test_star_and_mark_read_say_saved_only_once_the_write_has_landed(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'s' and 'm' said "starred" and "marked read" at once, while the write waited for the
    cache's start-up check (seconds on a big cache), then for a lock another process held:
    nothing was in the file. They now say the mark is not saved yet, and why, and "starred" /
    "marked read" alone only once the write has landed."""
    with demo_store(db_path) as made:
        first, second = Query(made).page(2)
    checked = held_start_up_check(monkeypatch)

    async def go(store: Store) -> None:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.2)
            await pilot.press("s", "m")
            await pilot.pause(0.3)
            said = notices(app)
            assert "starred" not in said and "marked read" not in said, said
            assert "starred, not saved yet: saved once the cache's start-up check has passed" in (
                said
            ), said
            assert any(n.startswith("marked read, not saved yet") for n in said), said
            assert state(db_path, first.id) == (False, False)
            checked.set()
            await until(pilot, lambda: state(db_path, first.id) == (True, True), "the write")
            await settle(pilot)
            assert "reading state saved" in notices(app)
            # Checked, the cache free: the write lands at once, and the notice says so.
            await pilot.press("j", "s")
            await pilot.pause(0.2)
            assert state(db_path, second.id) == (False, True)
            assert notices(app)[-1] == "starred"
            # Another process holds the write lock (a long import): not saved yet, kept.
            holder = sqlite3.connect(db_path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                await pilot.press("m")
                await pilot.pause(0.3)
                said = notices(app)
                assert said[-1].startswith("marked read, not saved yet: kept"), said
                assert state(db_path, second.id) == (False, True)
            finally:
                holder.execute("COMMIT")
                holder.close()
            await until(pilot, lambda: state(db_path, second.id)[0], "the retried write")
        assert not app.unsaved_error

    with Store(db_path) as store:  # as `wirereader` opens it: not checked yet
        asyncio.run(go(store))


def test_star_on_a_read_only_cache_says_it_is_not_saved(db_path: Path) -> None:
    """On a read-only file system 's' said "starred": it is kept for the session only."""
    demo_store(db_path).close()
    said = _notices_on_a_read_only_cache(db_path, "s")
    assert "starred" not in said, said
    assert "starred here, not saved: the cache is on a read-only file system" in said, said


def test_the_feeds_screen_counts_the_marks_not_saved_yet(
    corpus: Path, server: FeedServer, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'A' before the write had landed, then 'F': the feeds screen counted every feed's items
    unread (the file's counts) while the reader showed them all read. It counts the marks
    waiting to be saved, as the status line does."""
    from wirereader.tui.screens.feeds import FeedsScreen

    config = Config(feeds=[FeedConfig(url=url) for url in serve_feeds(server, corpus / "feeds")])
    with Store(db_path) as made:
        sync_config(made, config)
        assert refresh(made, config).new > 100
    checked = held_start_up_check(monkeypatch)

    async def feeds_pane(pilot, app) -> list[int]:  # (no settle: it awaits the check)
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, FeedsScreen), "the pane")
        screen = app.screen
        await until(pilot, lambda: len(screen.feeds) == len(config.feeds), "the feeds")
        unread = [f.unread for f in screen.feeds]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FeedsScreen), "the pane closed")
        return unread

    async def go(store: Store) -> tuple[list[int], list[int]]:
        app = make_app(store, config)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.2)
            before = await feeds_pane(pilot, app)
            await pilot.press("slash", *"source:bbc", "enter")
            await until(pilot, lambda: app.filter.sources == ("bbc",), "the filter")
            await pilot.pause(0.3)
            await pilot.press("A")
            await pilot.pause(0.2)
            assert any("not saved yet" in n for n in notices(app)), notices(app)
            shown = await feeds_pane(pilot, app)
            checked.set()
            return before, shown

    with Store(db_path) as store:
        before, shown = asyncio.run(go(store))
        names = [f.name for f in feed_statuses(store)]
    bbc = next(i for i, name in enumerate(names) if "BBC" in name)
    assert before[bbc] > 0 and shown[bbc] == 0, (names, before, shown)
    assert [n for i, n in enumerate(shown) if i != bbc] == [
        n for i, n in enumerate(before) if i != bbc
    ]

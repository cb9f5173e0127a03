"""What the first fetch's wall waits on: a timeline of `wirereader fetch` of the feeds
benchmark's 40k corpus, stage by stage, with every process's CPU.

    python bench/fetch_timeline.py [--trees DIR[,DIR...]] [--rounds N] [--feeds 200] [--items 200]

Serves the corpus as `bench/feeds_bench.py` does, then runs `wirereader add --opml --no-fetch`
and `wirereader fetch` into an empty cache, as a user runs them, once a round for each tree
(alternating; each with `PYTHONPATH` set to its own `src`, so its workers import it too). The
fetch runs under a wrapper that logs, with the wall since the command was launched and the main
thread's CPU: the interpreter's start, each feed's save, each analysis step (entries
analysed), the last feed stored, the parse pool's close, the analysis of what was left then
(`Analysis.finish`: the tail), its close, the cache's close (the last connection's WAL
checkpoint) and `main`'s return; the process's end is when the command exits. Every process of
the command (the forkserver's workers too) is sampled from /proc every 50 ms for its CPU.

On a loaded machine the walls stretch; what the main thread did after the last feed was
stored (its CPU there) and how many entries were left to analyse then are the figures to
compare, with every process's CPU.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
LONG = 0.2  # seconds: a single wait this long is listed in the timeline


# -- the wrapper, in the command's own process -----------------------------------------------


def _child(log: Path, launched: float, argv: list[str]) -> int:
    events: list[tuple[str, float, float, int, float]] = []
    # Where the main thread's time went: [wall, CPU, waited for a core, calls].
    waits: dict[str, list[float]] = {}

    def queued() -> float:
        """The main thread's time waiting for a core so far (its run-queue wait)."""
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9

    def mark(name: str, n: int = 0) -> None:
        events.append((name, time.monotonic() - launched, time.thread_time(), n, queued()))

    mark("interpreter up")
    import atexit
    import threading

    from wirereader import cli
    from wirereader.analysis import pipeline
    from wirereader.ingest import parse_pool, refresh
    from wirereader.store import db

    mark("imports of the command's entry")
    main_thread = threading.main_thread()

    def wrap(owner: object, name: str, before: str | None, after: str | None, count=None):  # type: ignore[no-untyped-def]
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            here = threading.current_thread() is main_thread
            if before and here:
                mark(before)
            value = original(*args, **kwargs)
            if after and here:
                mark(after, count(args, value) if count else 0)
            return value

        setattr(owner, name, wrapper)

    wrap(refresh, "refresh", "refresh start", "refresh end")

    def timed(owner: object, name: str, label: str, generator: bool = False) -> None:
        original = getattr(owner, name)
        slot = waits.setdefault(label, [0.0, 0.0, 0.0, 0.0])

        def add(wall: float, cpu: float, waited: float) -> None:
            took = time.monotonic() - wall
            if took > LONG and "analysing" not in label and "saving" not in label:
                mark(f"  {took:.2f} s in {label}, from {wall - launched:.2f} s")
            slot[0] += took
            slot[1] += time.thread_time() - cpu
            slot[2] += queued() - waited
            slot[3] += 1

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if threading.current_thread() is not main_thread:
                return original(*args, **kwargs)
            wall, cpu, waited = time.monotonic(), time.thread_time(), queued()
            try:
                return original(*args, **kwargs)
            finally:
                add(wall, cpu, waited)

        def gen_wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            inner = iter(original(*args, **kwargs))
            while True:
                wall, cpu, waited = time.monotonic(), time.thread_time(), queued()
                try:
                    item = next(inner)
                except StopIteration:
                    add(wall, cpu, waited)
                    return
                add(wall, cpu, waited)
                yield item

        import inspect

        made = gen_wrapper if generator else wrapper
        static = isinstance(inspect.getattr_static(owner, name), staticmethod)
        setattr(owner, name, staticmethod(made) if static else made)

    from wirereader.analysis import prepare_pool
    from wirereader.sources import fetch

    timed(fetch.Fetcher, "fetch_batches", "waiting for fetch outcomes", generator=True)
    timed(parse_pool.ParsePool, "result", "a parse's result")
    timed(prepare_pool.PreparePool, "result", "the analysis worker's result")
    timed(pipeline.Analysis, "_with_ahead", "prepared ahead (taken back)")
    timed(pipeline.Analysis, "stored", "Analysis.stored")
    timed(pipeline.Analysis, "_start_workers", "  of it starting the analysis's workers")
    timed(prepare_pool.PreparePool, "submit", "PreparePool.submit")
    timed(refresh, "process_feed", "saving feeds (process_feed)")
    timed(pipeline, "_analyse_batch", "analysing batches (_analyse_batch)")
    timed(pipeline.Analysis, "_pending", "reading a batch's rows (Analysis._pending)")
    timed(pipeline, "_release_freed_memory", "malloc_trim after a batch")
    timed(prepare_pool, "prepared_as_saved", "the parse workers' prepare handed over")
    commit = waits.setdefault("leaving write transactions (COMMIT)", [0.0, 0.0, 0.0, 0.0])
    import contextlib

    original_tx = db.Store.transaction

    @contextlib.contextmanager
    def transaction(self):  # type: ignore[no-untyped-def]
        here = threading.current_thread() is main_thread
        with original_tx(self) as conn:
            yield conn
            wall, cpu, waited = time.monotonic(), time.thread_time(), queued()
        if here:
            commit[0] += time.monotonic() - wall
            commit[1] += time.thread_time() - cpu
            commit[2] += queued() - waited
            commit[3] += 1

    db.Store.transaction = transaction  # type: ignore[method-assign]

    def new_entries(args, value):  # type: ignore[no-untyped-def]
        return len(value.new) + len(value.updated)

    wrap(refresh, "process_feed", None, "feed saved", new_entries)
    wrap(pipeline.Analysis, "step", "step start", "step end", lambda a, v: v)

    def finished(args, value):  # type: ignore[no-untyped-def]
        return value.entries

    def before_finish(self):  # type: ignore[no-untyped-def]
        mark("finish start", self.report.entries)

    original_finish = pipeline.Analysis.finish

    def finish(self):  # type: ignore[no-untyped-def]
        before_finish(self)
        value = original_finish(self)
        mark("finish end", value.entries)
        return value

    pipeline.Analysis.finish = finish  # type: ignore[method-assign]
    wrap(pipeline.Analysis, "close", "analysis close start", "analysis close end")
    wrap(parse_pool.ParsePool, "close", "parse pool close start", "parse pool close end")
    original_start = parse_pool.ParsePool._start

    def start(self):  # type: ignore[no-untyped-def]
        mark("parse workers asked for (CPU: the asking thread's)")
        try:
            return original_start(self)
        finally:
            mark("parse workers up (CPU: the starting thread's)")

    parse_pool.ParsePool._start = start  # type: ignore[method-assign]
    wrap(db.Store, "close", "store close start", "store close end")

    def dump() -> None:
        mark("exit handlers")
        log.write_text(json.dumps({"events": events, "waits": waits}))

    atexit.register(dump)  # registered first: runs last
    sys.argv = ["wirereader", *argv]
    mark("main start")
    code = cli.main()
    mark("main end")
    import gc

    gc.freeze()
    return code


# -- the sampler and the runs -----------------------------------------------------------------


def _descendants(root: int) -> dict[int, tuple[str, int, str]]:
    """Every live process under `root` (itself included): its name and CPU ticks so far."""
    parents: dict[int, int] = {}
    stats: dict[int, tuple[str, int, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        try:
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            cmdline = ""
        stats[pid] = (f"{name}:{fields[1]}", int(fields[11]) + int(fields[12]), cmdline)
    mine = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grew = True
    return {pid: stats[pid] for pid in mine if pid in stats}


def _run(tree: Path, urls: list[str], tmp: Path) -> dict[str, object]:
    from wirereader.sources.opml import OpmlOutline, render_opml

    db, opml, config = tmp / "peer.sqlite3", tmp / "feeds.opml", tmp / "peer.toml"
    for leftover in tmp.glob("peer.sqlite3*"):
        leftover.unlink()
    opml.write_text(render_opml([OpmlOutline(url=u, title=f"f{n}") for n, u in enumerate(urls)]))
    config.write_text("[fetch]\nconcurrency = 8\nper_host = 8\ntimeout = 30\n")
    env = {**os.environ, "WIREREADER_CONFIG": str(config), "PYTHONPATH": str(tree / "src")}
    base = [sys.executable, "-m", "wirereader", "--db", str(db)]
    subprocess.run(
        [*base, "add", "--opml", str(opml), "--no-fetch"], env=env, check=True, capture_output=True
    )
    log = tmp / "timeline.json"
    launched = time.monotonic()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(log),
        repr(launched),
        "--db",
        str(db),
        "fetch",
    ]
    err = tmp / "timeline.err"
    with err.open("wb") as sink:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    seen: dict[int, tuple[str, int, str]] = {}
    while child.poll() is None:
        for pid, stat in _descendants(child.pid).items():
            seen[pid] = stat
        time.sleep(0.05)
    ended = time.monotonic() - launched
    errors = err.read_text("utf-8", "replace")
    logged = json.loads(log.read_text()) if log.exists() else {"events": [], "waits": {}}
    return {
        "events": logged["events"],
        "waits": logged["waits"],
        "pid": child.pid,
        "ended": ended,
        "cpu": seen,
        "code": child.returncode,
        "err": errors,
    }


def _roles(cpu: dict[int, tuple[str, int, str]], main: int) -> dict[str, float]:
    roles: dict[str, float] = {}
    workers = 0
    for pid in sorted(cpu):
        _, ticks, cmdline = cpu[pid]
        if pid == main:
            role = "main"
        elif "forkserver" in cmdline and cpu[pid][0].endswith(f":{main}"):
            role = "forkserver"
        elif "resource_tracker" in cmdline:
            role = "resource tracker"
        else:
            workers += 1
            role = f"worker {workers}"
        roles[role] = roles.get(role, 0.0) + ticks / TICK
    return roles


def _report(tree: Path, run: dict[str, object]) -> dict[str, float]:
    events = run["events"]
    assert isinstance(events, list)
    first: dict[str, list[float]] = {}
    for name, wall, cpu, n, queued in events:
        first.setdefault(name, [wall, cpu, n, queued])
    saves = [e for e in events if e[0] == "feed saved"]
    last = saves[-1] if saves else ["", 0.0, 0.0, 0, 0.0]
    # Entries analysed after the last feed was stored: the steps that began after it, and
    # what `finish` analysed.
    tail = 0
    began = None
    for name, wall, _cpu, n, _q in events:
        if name == "step start":
            began = wall
        elif name == "step end" and began is not None and began >= last[1]:
            tail += int(n)
    f_start = first.get("finish start", [0.0, 0.0, 0, 0.0])
    f_end = first.get("finish end", [0.0, 0.0, 0, 0.0])
    tail += int(f_end[2] - f_start[2])
    in_steps = sum(int(e[3]) for e in events if e[0] == "step end")
    main_end = first.get("main end", [0.0, 0.0, 0, 0.0])
    ended = float(run["ended"])  # type: ignore[arg-type]
    cpu = run["cpu"]
    assert isinstance(cpu, dict)
    roles = _roles(cpu, int(run["pid"]))  # type: ignore[call-overload]
    total = sum(roles.values())
    print(f"  {tree}: exit {run['code']}, {len(saves)} feeds saved")
    for name, wall, thread_cpu, n, queued in events:
        if name in ("feed saved", "step start"):
            continue
        print(
            f"    {wall:7.2f} s  main thread CPU {thread_cpu:6.2f} s, waited for a core"
            f" {queued:6.2f} s  {name}" + (f" ({n:,})" if n else "")
        )
    print(f"    {ended:7.2f} s  the process has ended")
    waits = run["waits"]
    assert isinstance(waits, dict)
    for label, (wall, wcpu, wq, calls) in waits.items():
        print(
            f"    in {label}: {wall:.2f} s wall, {wcpu:.2f} s CPU, blocked"
            f" {wall - wcpu - wq:.2f} s, {calls:,.0f} calls"
        )
    blocked = float(main_end[0]) - float(main_end[1]) - float(main_end[3])
    after_cpu = float(main_end[1]) - float(last[2])
    after_blocked = (
        (float(main_end[0]) - float(last[1])) - after_cpu - (float(main_end[3]) - float(last[4]))
    )
    print(
        f"    main thread to main's return: CPU {main_end[1]:.2f} s, waited for a core"
        f" {main_end[3]:.2f} s, blocked {blocked:.2f} s"
    )
    print(
        f"    last feed stored at {last[1]:.2f} s; entries analysed in steps {in_steps:,},"
        f" after the last feed {tail:,}; after it: main thread CPU {after_cpu:.2f} s, blocked"
        f" {after_blocked:.2f} s, wall to the exit {ended - float(last[1]):.2f} s"
    )
    print(
        "    CPU by process: "
        + ", ".join(f"{name} {s:.2f}" for name, s in roles.items())
        + f"; all {total:.2f} s"
    )
    if run["err"]:
        print("    stderr:", str(run["err"]).strip().splitlines()[-1][:200])
    return {
        "wall": ended,
        "all_cpu": total,
        "main_cpu": roles.get("main", 0.0),
        "tail": float(tail),
        "after_cpu": after_cpu,
        "blocked": blocked,
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return _child(Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", default=str(REPO), help="comma-separated trees to compare")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    import feeds_bench

    trees = [Path(t).resolve() for t in args.trees.split(",")]
    with tempfile.TemporaryDirectory(prefix="wirereader-timeline-") as tmp:
        folder = Path(tmp) / "feeds"
        folder.mkdir()
        for n, body in enumerate(feeds_bench.make_feeds(args.feeds, args.items)):
            (folder / f"feed{n:03d}.xml").write_bytes(body)
        ctx = multiprocessing.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        honour, stop = ctx.Event(), ctx.Event()
        server = ctx.Process(
            target=feeds_bench.serve, args=(str(folder), send, honour, stop), daemon=True
        )
        server.start()
        summary: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
        try:
            port = receive.recv()
            feeds_bench._wait_for(port)
            urls = [f"http://127.0.0.1:{port}/feed{n:03d}.xml" for n in range(args.feeds)]
            for r in range(args.rounds):
                order = trees if r % 2 == 0 else trees[::-1]
                for tree in order:
                    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                    print(f"round {r + 1}, load {load}")
                    summary[tree].append(_report(tree, _run(tree, urls, Path(tmp))))
        finally:
            stop.set()
            server.join(timeout=5)
            if server.is_alive():
                server.terminate()
    print(
        "\nsummary (per run: wall s / all processes' CPU s / main process CPU s / main thread"
        " blocked s / entries analysed after the last feed / main thread CPU after it s):"
    )
    for tree, runs in summary.items():
        cells = "; ".join(
            f"{r['wall']:.1f} / {r['all_cpu']:.1f} / {r['main_cpu']:.1f} / {r['blocked']:.2f}"
            f" / {r['tail']:,.0f} / {r['after_cpu']:.2f}"
            for r in runs
        )
        print(f"  {tree}: {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

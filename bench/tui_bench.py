"""Reader app figures at 40k, 100k and 1M items: first full paint, side panes filled, filter
keystroke latency (median and p95) and peak memory.

    python bench/tui_bench.py                    # every size (builds the synthetic caches once)
    python bench/tui_bench.py --sizes 40k,100k   # some sizes
    python bench/tui_bench.py --quick            # 40k only, fewer runs
    python bench/tui_bench.py --plans 1m         # the query plan of every query the reader runs
    python bench/tui_bench.py --queries 1m       # CPU of the first page's query per filter

The caches are synthetic (invented words, no news text), written through Store.save_entries,
with entities and threads filled in as the analysis would, and kept in --cache-dir (default
$WIREREADER_BENCH_CACHE, else $TMPDIR/wirereader-bench) so later runs skip the build: the 1M
cache takes about half an hour and 2-3 GB on a 2-core machine. Startup is measured as a user sees
it: the installed command `python -m wirereader --db CACHE` in a real pseudo-terminal, from just
before the process starts to the first full frame (the app writes the time of its first paint
when WIREREADER_PAINT_REPORT is set).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import random
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SIZES = {"40k": 40_000, "100k": 100_000, "1m": 1_000_000}
PAINT_TARGET_S = 0.40  # the cache adds nothing visible to Textual's own start
PANES_TARGET_S = 0.5
KEYSTROKE_P95_TARGET_MS = 30
RSS_TARGET_MB = 300

WORDS = [
    "harbour",
    "council",
    "river",
    "bridge",
    "tariff",
    "summit",
    "ferry",
    "grain",
    "vote",
    "budget",
    "storm",
    "drought",
    "rail",
    "port",
    "senate",
    "envoy",
    "treaty",
    "border",
    "market",
    "strike",
    "court",
    "ruling",
    "mayor",
    "school",
    "clinic",
    "levy",
    "canal",
    "orchard",
    "pipeline",
    "reactor",
    "airport",
    "tunnel",
    "quarry",
    "festival",
    "museum",
    "glacier",
    "valley",
    "coast",
    "island",
    "forest",
    "frontier",
    "convoy",
    "barracks",
    "ministry",
    "charter",
    "accord",
    "pension",
    "index",
    "dividend",
    "quota",
    "cargo",
    "fleet",
]
NAMES = [
    f"{a} {b}"
    for a in ("Arlo", "Brina", "Cato", "Dessa", "Evren", "Fenna", "Gorin", "Hale", "Ines", "Jory")
    for b in ("Varga", "Oduya", "Lindqvist", "Moreau", "Tanaka", "Quell")
]
PLACES = [f"{w.title()}stad" for w in WORDS[:40]]
ORGS = [f"{w.title()} Union" for w in WORDS[10:40]]


class Vocabulary:
    """Invented words with natural-language frequencies (Zipf: the word of rank r is used
    about 1/r as often as the commonest), so a typed word matches a realistic share of the
    items: a few common words are everywhere, most are rare. The bench's query words sit at
    ranks 200-260, like ordinary news nouns."""

    SYLLABLES = (
        "ka", "ri", "to", "ne", "sa", "mo", "lu", "vi", "de", "ra", "pe",
        "shi", "na", "go", "bu", "te", "li", "ma", "zo", "fa", "ro", "ki",
    )  # fmt: skip

    def __init__(self, rng: random.Random, size: int = 20_000) -> None:
        self.rng = rng
        invented: list[str] = []
        seen: set[str] = set(WORDS)
        while len(invented) < size - len(WORDS):
            word = "".join(rng.choices(self.SYLLABLES, k=rng.choice((1, 2, 2, 3, 3, 4))))
            if word not in seen:
                seen.add(word)
                invented.append(word)
        self.vocab = invented[:200] + list(WORDS) + invented[200:]
        weights = [1.0 / (rank + 1) for rank in range(len(self.vocab))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words(self, k: int) -> str:
        return " ".join(self.rng.choices(self.vocab, cum_weights=self.cumulative, k=k))


CACHE_DIR = Path(
    os.environ.get("WIREREADER_BENCH_CACHE")
    or Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "wirereader-bench"
)


def cache_path(n: int) -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return CACHE_DIR / f"tui-v2-{n}.sqlite3"


def build_cache(n: int) -> Path:
    from wirereader.core.model import Kind, RawEntry
    from wirereader.store.db import Store

    path = cache_path(n)
    done = path.with_suffix(".done")
    if path.exists() and done.exists():
        return path
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    rng = random.Random(n)
    text = Vocabulary(rng)
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    kinds = [Kind.POST] * 12 + [Kind.BREAKING, Kind.ANALYSIS, Kind.VIDEO]
    t0 = time.perf_counter()
    with Store(path) as store:
        sources = [
            store.ensure_source(f"bench:{i}", "feed", name=f"wire-{i:02d}") for i in range(20)
        ]
        per_source = n // len(sources)
        for sid in sources:
            entries = []
            for j in range(per_source):
                who = rng.choice(NAMES)
                where = rng.choice(PLACES)
                title = f"{who} on {where} {text.words(6)}"
                body = (
                    f"{who} said the {text.words(12)} near {where}. "
                    f"{rng.choice(ORGS)} asked about {text.words(20)}.\n\n{text.words(60)}"
                )
                when = start + timedelta(seconds=rng.randrange(60 * 86400))
                entries.append(
                    RawEntry(
                        title=title,
                        body=body,
                        stable_id=f"{sid}-{j}",
                        author=rng.choice(NAMES),
                        published=when,
                        url=f"https://example.org/{sid}/{j}",
                        kind=rng.choice(kinds),
                    )
                )
            store.save_entries(sid, entries)
        _fill_analysis(store, rng)
    done.write_text("ok")
    print(f"  built {n:,}-item cache in {time.perf_counter() - t0:.1f} s: {path}")
    return path


def _fill_analysis(store, rng: random.Random) -> None:
    """Entities, mentions and threads as the analysis layer would write them."""
    conn = store.conn
    with store.transaction():
        entity_ids = {}
        for kind, names in (("person", NAMES), ("place", PLACES), ("org", ORGS)):
            for name in names:
                cur = conn.execute("INSERT INTO entities (name, kind) VALUES (?, ?)", (name, kind))
                entity_ids[name] = cur.lastrowid
        rows = conn.execute(
            "SELECT id, title, wirereader_body(body), published_at FROM entries"
            " JOIN entry_texts ON entry_id = id ORDER BY published_at"
        ).fetchall()
        mentions = []
        for row in rows:
            for name in {*NAMES, *PLACES, *ORGS} & _names_in(row[1] + " " + row[2]):
                mentions.append((entity_ids[name], row[0]))
        conn.executemany(
            "INSERT OR IGNORE INTO entry_entities (entity_id, entry_id) VALUES (?, ?)", mentions
        )
        conn.execute(
            "UPDATE entities SET count = (SELECT count(*) FROM entry_entities"
            " WHERE entity_id = entities.id)"
        )
        # Threads: runs of ~12 consecutive items sharing a word.
        for start in range(0, len(rows), 12):
            chunk = rows[start : start + 12]
            cur = conn.execute(
                "INSERT INTO threads (title, first_at, last_at, size) VALUES (?, ?, ?, ?)",
                (chunk[0][1], chunk[0][3], chunk[-1][3], len(chunk)),
            )
            conn.executemany(
                "UPDATE entries SET thread_id = ? WHERE id = ?",
                [(cur.lastrowid, r[0]) for r in chunk],
            )


def mark_analysed(path: Path) -> None:
    """Every entry marked as analysed (its threads and entities are the builder's), so a
    command that analyses what is pending first (`threads`, `entities`) does not analyse the
    whole synthetic cache. In batches: one transaction over 1M rows would need a GB of WAL."""
    from wirereader.store.db import Store

    with Store(path) as store:
        conn = store.conn
        while True:
            with store.transaction():
                ids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM entries WHERE analysed_hash IS NOT content_hash LIMIT 20000"
                    )
                ]
                if not ids:
                    return
                conn.execute(
                    "UPDATE entries SET analysed_hash = content_hash"
                    f" WHERE id IN ({','.join(map(str, ids))})"
                )


def _names_in(text: str) -> set[str]:
    out = set()
    for name in NAMES:
        if name in text:
            out.add(name)
    for word in text.split():
        if word.endswith("stad"):
            out.add(word)
    for org in ORGS:
        if org in text:
            out.add(org)
    return out


BASELINE_APP = """
import os, time
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("a minimal Textual app: no cache, no queries")

    def on_mount(self):
        self.call_after_refresh(self.painted)

    def painted(self):
        with open(os.environ["WIREREADER_PAINT_REPORT"], "a") as out:
            for mark in ("paint", "panes"):
                out.write(f"{mark} {time.time():.6f} {time.process_time():.6f}\\n")
        self.exit()

Minimal().run()
"""


def baseline(runs: int) -> tuple[list[float], list[float]]:
    """The same measurement for a minimal Textual app: the floor Textual itself sets."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "minimal_app.py"
        script.write_text(BASELINE_APP)
        times, cpu, _, _ = first_paint(Path(folder), runs, argv=[sys.executable, str(script)])
    return times, cpu


def first_paint(
    db: Path, runs: int, argv: list[str] | None = None
) -> tuple[list[float], list[float], list[float], int]:
    """Seconds from process start to the first full frame and to the side panes filled (their
    counts run in a worker), and the peak RSS (KB) of the runs."""
    times: list[float] = []
    cpu: list[float] = []
    panes: list[float] = []
    peak = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "paint"
            env = {
                **os.environ,
                "WIREREADER_PAINT_REPORT": str(report),
                "WIREREADER_EXIT_AFTER_PAINT": "1",
                "WIREREADER_CONFIG": str(Path(folder) / "none.toml"),
                "TERM": "xterm-256color",
                "COLUMNS": "120",
                "LINES": "40",
            }
            master, slave = pty.openpty()
            import fcntl
            import termios

            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            started = time.time()
            proc = subprocess.Popen(
                argv or [sys.executable, "-m", "wirereader", "--db", str(db)],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                close_fds=True,
            )
            os.close(slave)
            deadline = time.time() + 30
            while proc.poll() is None and time.time() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                        if b"\x1b[6n" in chunk:  # cursor-position query: answer like a terminal
                            os.write(master, b"\x1b[1;1R")
                    except OSError:
                        break
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            os.close(master)
            if not report.exists():
                raise SystemExit("the app did not report its first paint")
            marks = {line.split()[0]: line.split()[1:] for line in report.read_text().splitlines()}
            times.append(float(marks["paint"][0]) - started)
            cpu.append(float(marks["paint"][1]))
            panes.append(float(marks["panes"][0]) - started if "panes" in marks else float("nan"))
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return times, cpu, panes, peak


async def _keystrokes(db: Path, text: str) -> dict:
    """Per keystroke: from the key entering the app to the first frame written after the
    timeline took the new view (the frame that shows it)."""
    from wirereader.core.config import Config
    from wirereader.store.db import Store
    from wirereader.tui.app import WireReader
    from wirereader.tui.widgets.timeline import Timeline

    frames: list[float] = []
    frame_cpu: list[float] = []
    views: list[float] = []
    original_set_query = Timeline.set_query

    def set_query(self, *args, **kwargs):
        original_set_query(self, *args, **kwargs)
        views.append(time.perf_counter())

    Timeline.set_query = set_query  # type: ignore[method-assign]
    with Store(db) as store:
        app = WireReader(store, Config(), tz=timezone.utc)
        original_display = app._display

        def display(screen, renderable):
            original_display(screen, renderable)
            frames.append(time.perf_counter())
            frame_cpu.append(time.thread_time())

        app._display = display  # type: ignore[method-assign]
        latencies = []
        cpu = []
        typed = []  # per measured keystroke: True when typed, False when taken back
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("slash")
            await pilot.pause(0.5)
            keys = [*text, *["backspace"] * len(text)]
            for key in keys:
                views.clear()
                t0, c0 = time.perf_counter(), time.thread_time()
                await pilot.press(key)
                for _ in range(50):  # until the frame after the new view is out
                    if views and any(f > views[-1] for f in frames):
                        break
                    await pilot.pause(0.01)
                if views:
                    index = min(i for i, f in enumerate(frames) if f > views[-1])
                    latencies.append((frames[index] - t0) * 1000)
                    cpu.append((frame_cpu[index] - c0) * 1000)
                    typed.append(key != "backspace")
                await pilot.pause(0.05)
            total = app.timeline.total
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"latencies": latencies, "cpu": cpu, "typed": typed, "rss_kb": rss, "total": total}


def keystroke_child(db: str, text: str) -> None:
    print(json.dumps(asyncio.run(_keystrokes(Path(db), text))))


def keystrokes(db: Path, text: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--keystrokes", str(db), text],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 30 keystrokes: the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share + 0.5) - 1))]


def main() -> int:
    global CACHE_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="40k,100k,1m", help="comma-separated: 40k,100k,1m")
    parser.add_argument("--cache-dir", type=Path, help="where the synthetic caches are kept")
    parser.add_argument("--plans", metavar="SIZE", help="print the reader's query plans only")
    parser.add_argument("--keystrokes", nargs=2, metavar=("DB", "TEXT"))
    parser.add_argument(
        "--queries", metavar="SIZE", help="CPU of the first page's query per filter only"
    )
    args = parser.parse_args()
    if args.cache_dir:
        CACHE_DIR = args.cache_dir
    if args.keystrokes:
        keystroke_child(*args.keystrokes)
        return 0
    names = ["40k"] if args.quick else [x.strip().lower() for x in args.sizes.split(",")]
    unknown = [x for x in names + ([args.plans.lower()] if args.plans else []) if x not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; sizes: {', '.join(SIZES)}")
    if args.plans:
        return print_plans(build_cache(SIZES[args.plans.lower()]))
    if args.queries:
        if args.queries.lower() not in SIZES:
            parser.error(f"unknown size {args.queries!r}; sizes: {', '.join(SIZES)}")
        return print_query_costs(build_cache(SIZES[args.queries.lower()]))
    # An installed package starts from its bytecode; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would compile every module at every start instead.
    import compileall

    import wirereader

    compileall.compile_dir(Path(wirereader.__file__).parent, quiet=1)
    runs = 2 if args.quick else args.runs
    floor, floor_cpu = baseline(runs=runs)
    print(
        f"minimal Textual app (the floor): first paint median {statistics.median(floor):.3f} s,"
        f" CPU {statistics.median(floor_cpu):.3f} s"
    )
    ok = True
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (figures inflate with load)")
    for name in names:
        n = SIZES[name]
        db = build_cache(n)
        times, cpu, panes, peak = first_paint(db, runs)
        median, pane = statistics.median(times), statistics.median(panes)
        ok &= median < PAINT_TARGET_S and pane < PANES_TARGET_S
        print(
            f"{n:>9,} items: first paint median {median:.3f} s, best {min(times):.3f} s"
            f" over {runs} runs (target < {PAINT_TARGET_S} s)"
            f" {'ok' if median < PAINT_TARGET_S else 'OVER TARGET'};"
            f" CPU of the app to first paint {statistics.median(cpu):.3f} s"
        )
        print(
            f"{'':>16}side panes (entity and thread counts) filled: median {pane:.3f} s,"
            f" best {min(panes):.3f} s (target < {PANES_TARGET_S} s)"
            f" {'ok' if pane < PANES_TARGET_S else 'OVER TARGET'}; peak RSS {peak / 1024:.0f} MB"
        )
        result = keystrokes(db, "harbour council")
        lat, kcpu = result["latencies"], result["cpu"]
        p95 = percentile(lat, 0.95)
        ok &= p95 < KEYSTROKE_P95_TARGET_MS
        print(
            f"{'':>16}filter keystroke to repainted timeline: median"
            f" {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms, worst {max(lat):.1f} ms over"
            f" {len(lat)} keystrokes (target p95 < {KEYSTROKE_P95_TARGET_MS} ms)"
            f" {'ok' if p95 < KEYSTROKE_P95_TARGET_MS else 'OVER TARGET'}; main-thread CPU"
            f" median {statistics.median(kcpu):.1f} ms, p95 {percentile(kcpu, 0.95):.1f} ms"
        )
        # Typing narrows the view with each key; backspace comes back to views shown a moment
        # earlier (whose first pages the reader remembers while the cache is unchanged).
        for label, wanted in (("typing", True), ("taking back", False)):
            part = [x for x, t in zip(lat, result["typed"], strict=True) if t is wanted]
            part_cpu = [x for x, t in zip(kcpu, result["typed"], strict=True) if t is wanted]
            if part:
                print(
                    f"{'':>18}{label}: median {statistics.median(part):.1f} ms, p95"
                    f" {percentile(part, 0.95):.1f} ms over {len(part)} keystrokes; CPU median"
                    f" {statistics.median(part_cpu):.1f} ms,"
                    f" p95 {percentile(part_cpu, 0.95):.1f} ms"
                )
        rss_mb = result["rss_kb"] / 1024
        ok &= rss_mb < RSS_TARGET_MB
        print(
            f"{'':>16}peak RSS with the app open and filtering: {rss_mb:.0f} MB"
            f" (target < {RSS_TARGET_MB} MB)"
        )
    return 0 if ok else 1


QUERY_FILTERS = (
    "har",  # a prefix as typed: 69,375 matches at 1M
    "harbour cou",
    "harbour council",
    "harbour is:unread",
    "harbour kind:breaking",
    "harbour source:wire-03",
    "harbour council kind:breaking",
    "kakaka is:unread",
    "rimo",  # a common invented word: a quarter of the items
)


def print_query_costs(db: Path) -> int:
    """Main-thread CPU of the reader's first-page query (`Query.page_keys(100)`) per filter,
    best of three: the part of a filter keystroke that depends on the cache's size."""
    from wirereader.query import language
    from wirereader.query.timeline import Query
    from wirereader.store.db import Store

    with Store(db) as store:
        for text in QUERY_FILTERS:
            flt = language.parse(text).filter
            costs, found = [], 0
            for _ in range(3):
                query = Query(store, flt)
                started = time.thread_time()
                found = len(query.page_keys(100))
                costs.append((time.thread_time() - started) * 1000)
            matches = Query(store, flt).count()
            print(f"{text:32} {min(costs):6.1f} ms CPU  ({found} rows of {matches:,} matching)")
    return 0


PLAN_SESSION = (
    ["slash", *"harbour", "enter"],  # filter as you type
    ["escape"],
    ["e", "space"],  # an entity from the pane
    ["escape", "escape"],
    ["T", "home", "enter"],  # a thread
    ["escape"],
    ["u"],  # unread only
    ["u", "asterisk"],  # starred only
    ["asterisk", "G", "g", "j", "j", "enter"],  # the last page, the detail pane
)


def print_plans(db: Path) -> int:
    """Open the reader on this cache, go through the views a user opens, and print the plan of
    every distinct read it ran (parameters inlined); 1 when one scans a big table without an
    index. tests/tui/test_reader_plans.py asserts the same on a small cache."""
    from wirereader.store.db import Store
    from wirereader.store.plans import full_scans, plan, reads, record_statements

    async def session(store: Store) -> None:
        from wirereader.core.config import Config
        from wirereader.tui.app import WireReader

        app = WireReader(store, Config(), tz=timezone.utc)
        async with app.run_test(size=(120, 40)) as pilot:
            for keys in ([], *PLAN_SESSION):
                await pilot.press(*keys)
                await pilot.pause()
                await app.workers.wait_for_complete()

    with record_statements() as seen, Store(db) as store:
        store.conn.set_trace_callback(seen.append)
        asyncio.run(session(store))
        store.conn.set_trace_callback(None)
        bad = False
        for sql in reads(seen):
            details = plan(store.conn, sql)
            scans = full_scans(details)
            bad |= bool(scans)
            print(f"{'FULL SCAN ' if scans else ''}{' '.join(sql.split())[:160]}")
            for detail in details:
                print(f"    {detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

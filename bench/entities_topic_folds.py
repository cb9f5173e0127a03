"""Entity kinds as on unseen topics, measured on the ECB+ dev topics alone: topic folds.

    python bench/entities_topic_folds.py [--corpus ../shared/corpus] [--folds 5]
        [--feeds DIR] [--entries] [--l2 3.0 --min-topics 3 --prior 1.0 --margin 0.2 --bags 1]

`bench/entities_bench.py`'s dev figure flatters: the kind model, the hand lists and the rules
were all fitted with the dev topics in view, so a dev topic's names are known before they are
read. Here the dev topics (the odd ones; the even, held-out topics are never read) are split
into `--folds` groups of whole topics (every `folds`-th topic in order, as
`scripts/build_kind_model.py --cv`), and each fold is measured by the benchmark's own count
(`entities_bench.recall`: proper names of people, places and organisations) three ways:

- `shipped`: the shipped model and lists (the folds add up to the bench's dev line);
- `model out`: the kind model rebuilt without the fold's topics (the build's other training
  data, the real feeds' judged dev-half names, kept), with the settings given;
- `lists out`: that model, and the hand lists without the entries only the fold's topics use.

The last is the cross-validated dev figure: what a topic no list entry and no weight was
fitted to reads like. An entry of a hand list (people.txt, places.txt, orgs.txt, events.txt,
the phrases of titles.txt) is 'used' by a source when an extraction over it looks up one of
the entry's aliases and finds the entry. Sources: each ECB+ dev topic, each of the six real
feeds, each seed file of `src/wirereader/data`, and (with `--feeds`) each feed of the unseen
feeds' dev group. An entry the dev data uses only in ECB+ topics of one fold is dropped when
that fold is measured (a list grown without those topics would not hold it); an entry any feed
or seed uses is evidence from news at large and stays. `--entries` prints every hand entry
used by one source alone (one topic, one feed or one seed), and the entries no dev source uses.
`--deciders` counts the `model out` way's found gold mentions by what decided their kind (see
`deciders`), with `--errors` each wrong one.

Generated lists (countries, cities, subdivisions, given names, WordNet's places, org_nouns,
place_nouns, nameless_words) are maintained data, not fitted to a topic, and are never dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import build_kind_model as build  # type: ignore[import-not-found]  # noqa: E402

from entities_bench import (  # noqa: E402
    batch_finder,
    gold_spans,
    held_out,
    load_ecb,
    ours,
    proper_words,
    recall,
)
from entities_feed_sample import REAL_FEEDS, UNSEEN_GROUPS  # noqa: E402
from wirereader.analysis.entities import gazetteer as gaz  # noqa: E402
from wirereader.analysis.entities import kinds  # noqa: E402
from wirereader.analysis.entities.extract import (  # noqa: E402
    clear_caches,
    extract,
    extract_located,
    kind_evidence,
)
from wirereader.sources.dispatch import ParseContext, parse_file  # noqa: E402

# The hand-kept lists whose entries name one entity each, and the kind `gazetteer()` gives them
HAND_FILES = {
    "people.txt": "person",
    "places.txt": "place",
    "orgs.txt": "org",
    "events.txt": "event",
}
TITLES = "titles.txt"

Entry = tuple[str, str]  # (file, canonical name)


def hand_entries() -> dict[tuple[str, str], Entry]:
    """(canonical, kind) of each hand entry's `Known` -> (file, canonical)."""
    out: dict[tuple[str, str], Entry] = {}
    for name, kind in HAND_FILES.items():
        for line in gaz._lines(name):
            canonical = line.split("|", 1)[0].strip()
            out.setdefault((canonical, kind), (name, canonical))
    section = ""
    for line in gaz._lines(TITLES):
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "phrase":
            out.setdefault((line, gaz.TITLE), (TITLES, line))
    return out


class _Recording(dict[str, Any]):
    """A gazetteer dictionary that notes which entries a lookup finds."""

    found: set[tuple[str, str]]

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key)
        if value is None:
            return default
        if not value.exact:
            self.found.add((value.canonical, value.kind))
        return value

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if not value.exact:
            self.found.add((value.canonical, value.kind))
        return value

    def __contains__(self, key: object) -> bool:
        value = dict.get(self, key)  # type: ignore[call-overload]
        if value is None:
            return False
        if not value.exact:
            self.found.add((value.canonical, value.kind))
        return True


class _RecordingSet(frozenset[str]):
    """A rule's word set that notes, in `found`, each (set, word) a membership test finds."""

    label: str
    found: set[tuple[str, str]]

    def __contains__(self, word: object) -> bool:
        hit = frozenset.__contains__(self, word)
        if hit:
            self.found.add((self.label, str(word)))
        return hit


# The rules' word sets: the hand-kept sets of `cues` and `context` read by the rules, and the
# word sections of titles.txt and demonyms.txt on the gazetteer (the generated sets, given
# names, stop words, nameless words, org and place nouns, are maintained data and not read here)
_RULE_MODULES = ("cues", "context", "names", "extract", "runs", "teams", "pending", "kinds")
_GAZETTEER_SETS = ("titles", "honorifics", "royal", "lower_titles", "demonyms")
_SMALL = 400  # a word set larger than this is data, not a rule's list


def _rule_sets() -> list[tuple[Any, str, frozenset[str]]]:
    """(module, attribute, set) of every module-level word set of the rules."""
    out = []
    for name in _RULE_MODULES:
        module = sys.modules.get(f"wirereader.analysis.entities.{name}")
        for attr, value in vars(module or object()).items():
            if (
                type(value) is frozenset
                and 0 < len(value) <= _SMALL
                and all(isinstance(w, str) and len(w) > 1 for w in value)
            ):
                out.append((module, attr, value))
    return out


def record_rules(found: set[tuple[str, str]]) -> Callable[[], None]:
    """Make the rules' word sets note each word a test finds in `found`; returns the undo."""
    undo = []
    labels: dict[int, str] = {}
    for module, attr, value in _rule_sets():
        label = labels.setdefault(id(value), f"{module.__name__.rsplit('.', 1)[1]}.{attr}")
        wrapped = _RecordingSet(value)
        wrapped.label, wrapped.found = label, found
        setattr(module, attr, wrapped)
        undo.append((module, attr, value))
    g = gaz.gazetteer()
    for attr in _GAZETTEER_SETS:
        value = getattr(g, attr)
        wrapped = _RecordingSet(value)
        wrapped.label, wrapped.found = f"gazetteer.{attr}", found
        setattr(g, attr, wrapped)
        undo.append((g, attr, value))

    def restore() -> None:
        for owner, attr, value in undo:
            setattr(owner, attr, value)

    return restore


def use_lists(drop: Iterable[Entry] = (), *, record: set[tuple[str, str]] | None = None) -> None:
    """Reload the gazetteer without the entries `drop` names (as if their lines were not
    written); with `record`, its dictionaries note in `record` each entry a lookup finds."""
    dropped: dict[str, set[str]] = defaultdict(set)
    for name, canonical in drop:
        dropped[name].add(canonical)
    original = _ORIGINAL_LINES

    def lines(name: str, *, comments: bool = False) -> list[str]:
        got = original(name, comments=comments)
        if name not in dropped:
            return got
        if name == TITLES:
            return [ln for ln in got if ln not in dropped[name]]
        return [ln for ln in got if ln.split("|", 1)[0].strip() not in dropped[name]]

    gaz._lines = lines
    gaz.gazetteer.cache_clear()
    gaz.nationalities.cache_clear()
    g = gaz.gazetteer()
    if record is not None:
        for attr in ("by_key", "by_acronym"):
            table = _Recording(getattr(g, attr))
            table.found = record
            setattr(g, attr, table)
    clear_caches()


_ORIGINAL_LINES = gaz._lines


def use_model(weights: dict[str, tuple[float, float, float]] | None) -> None:
    """Decide kinds with `weights` (None: the shipped model)."""
    if weights is None:
        kinds.model = _SHIPPED_MODEL
        kinds._MODEL = _SHIPPED_MODEL()
    else:
        kinds.model = lambda: weights
        kinds._MODEL = weights
    clear_caches()


_SHIPPED_MODEL = kinds.model


def census(
    sources: dict[str, list[tuple[str, str, str]]], entries: dict[tuple[str, str], Entry]
) -> dict[Entry, set[str]]:
    """Each hand entry -> the sources whose extraction uses it."""
    used: dict[Entry, set[str]] = defaultdict(set)
    for source, docs in sources.items():
        found: set[tuple[str, str]] = set()
        words: set[tuple[str, str]] = set()
        use_lists(record=found)  # fresh caches: every source looks its names up again
        restore = record_rules(words)
        for title, body, author in docs:
            extract(title, body, authors=(author,))
        restore()
        for known in found:
            entry = entries.get(known)
            if entry is not None:
                used[entry].add(source)
        for label, word in words:
            used[(label, word)].add(source)
    use_lists()
    return used


def feed_docs(paths: Iterable[Path]) -> dict[str, list[tuple[str, str, str]]]:
    out = {}
    for path in paths:
        _fmt, doc = parse_file(path, ParseContext(str(path)))
        out[path.name] = [(e.title, e.body, e.author or "") for e in doc.entries]
    return out


Counts = list[float]  # gold, found, exact, kind agrees


def counts(rows: list[dict], proper: set[str], find: Callable[..., Any] = ours) -> Counts:
    r = recall(rows, proper, find)
    found = r["recall"] * r["gold"]
    return [r["gold"], found, r["exact"] * r["gold"], r["kind_agrees"] * found]


def line(label: str, c: Counts) -> str:
    gold, found, exact, kind_ok = c
    return (
        f"  {label:26} {gold:5.0f} {found / gold:7.3f} {exact / gold:6.3f}"
        f" {kind_ok / max(found, 1):8.3f}"
    )


def dev_sources(
    corpus: Path, dev: list[dict], feeds: Path | None = None
) -> dict[str, list[tuple[str, str, str]]]:
    """The dev data by source: each ECB+ dev topic, each of the six real feeds, each seed
    file, and with `feeds` each feed of the unseen feeds' dev group."""
    sources: dict[str, list[tuple[str, str, str]]] = {}
    for t in sorted({r["topic"] for r in dev}):
        sources[f"ecb:{t}"] = [("", r["text"], "") for r in dev if r["topic"] == t]
    real = sorted(p for p in (corpus / "feeds").iterdir() if p.name.startswith(REAL_FEEDS))
    sources.update({f"feed:{k}": v for k, v in feed_docs(real).items()})
    seed_dir = REPO / "src" / "wirereader" / "data"
    sources.update({f"seed:{k}": v for k, v in feed_docs(sorted(seed_dir.glob("*.txt"))).items()})
    if feeds:
        unseen = [feeds / name for name in UNSEEN_GROUPS["dev"]]
        sources.update({f"unseen:{k}": v for k, v in feed_docs(unseen).items()})
    return sources


def fold_only(used: dict[Entry, set[str]], fold_of: dict[int, int]) -> dict[Entry, int]:
    """The hand entries the dev data uses only in ECB+ topics of one fold -> that fold."""
    out = {}
    for e, ss in used.items():
        if e[0].endswith(".txt") and all(s.startswith("ecb:") for s in ss):
            folds = {fold_of[int(s[4:])] for s in ss}
            if len(folds) == 1:
                out[e] = folds.pop()
    return out


# What decided the kind of an extracted name (`deciders`)
GAZETTEER, CUE, MODEL = "gazetteer or team", "cue", "model"


def deciders(
    rows: list[dict], proper: set[str], wrong: list[str] | None = None
) -> Counter[tuple[str, bool]]:
    """The found gold mentions of `rows` by what decided the kind of the name that covers them
    and whether it agrees (as `entities_bench.recall` counts, one gold mention once: the first
    body name that overlaps it): a gazetteer or a sports report's team (no evidence for the
    kind model), a cue of the rules (the model's evidence holds `rule=KIND!`), or the kind
    model on a guess. With `wrong`, each disagreeing mention is added to it, with its context."""
    out: Counter[tuple[str, bool]] = Counter()
    for row in rows:
        text = row["text"]
        located = [(m, a, b) for m, part, a, b in extract_located("", text) if part == 1]
        _rules, evidence = kind_evidence("", text)
        for name, spans, kind in gold_spans(row, proper):
            hits = [h for h in located if any(h[1] < e and s < h[2] for s, e in spans)]
            if not hits:
                continue
            m, a, b = hits[0]
            feats = evidence.get(m.canonical)
            if feats is None:
                by = GAZETTEER
            else:
                by = CUE if any(f.startswith("rule=") and f.endswith("!") for f in feats) else MODEL
            ok = any(h[0].kind == kind for h in hits)
            out[(by, ok)] += 1
            if not ok and wrong is not None:
                context = text[max(0, a - 40) : b + 30].replace("\n", " ")
                wrong.append(f"{by:17} {name!r} {kind}->{m.kind} t{row['topic']} | {context}")
    return out


def run_folds(
    corpus: Path,
    dev: list[dict],
    proper: set[str],
    one_fold: dict[Entry, int],
    fold_of: dict[int, int],
    settings: argparse.Namespace,
    *,
    verbose: bool = True,
) -> dict[str, Counts]:
    """Each fold measured `ways` (see the module's docstring); the folds' summed counts."""
    ecb_examples = build.examples(dev)
    feed_examples = (
        build.feed_examples(corpus, build.JUDGED, settings.feed_weight)
        if settings.feed_weight > 0
        else []
    )
    ways = ("shipped", "model out", "lists out", f"lists out, stored {settings.batch}")
    total: dict[str, Counts] = {w: [0.0] * 4 for w in ways}
    decided: Counter[tuple[str, bool]] = Counter()
    topics = sorted(fold_of)
    errors = getattr(settings, "errors", False)
    for k in sorted(set(fold_of.values())):
        part = [r for r in dev if fold_of[r["topic"]] == k]
        train = [e for e in ecb_examples if fold_of[e[0]] != k] + feed_examples
        l2, min_topics, prior = settings.l2, settings.min_topics, settings.prior
        vocab, w = build.bagged(train, l2, min_topics, prior, settings.bags)
        text = build.render(vocab, w, l2, min_topics, prior, settings.margin)
        weights = kinds.parse_weights(text.splitlines())
        drop = [e for e, f in one_fold.items() if f == k]
        fold_topics = ",".join(str(t) for t in topics if fold_of[t] == k)
        try:
            for way in ways:
                use_model(None if way == "shipped" else weights)
                use_lists(drop if way.startswith("lists out") else ())
                find = batch_finder(part, settings.batch) if "stored" in way else ours
                c = counts(part, proper, find)
                if errors and way == "lists out":
                    recall(part, proper, find, verbose=True)
                if way == "model out" and getattr(settings, "deciders", False):
                    wrong: list[str] | None = [] if errors else None
                    decided.update(deciders(part, proper, wrong))
                    for w in wrong or ():
                        print("    " + w)
                total[way] = [a + b for a, b in zip(total[way], c, strict=True)]
                if verbose:
                    label = f"{k} {way}" if way != "shipped" else f"{k} shipped [{fold_topics}]"
                    out = f"  ({len(drop)} entries out)" if way == "lists out" else ""
                    print(line(label, c) + out)
        finally:
            use_model(None)
            use_lists()
    if decided and verbose:
        print("  model out, found gold mentions by what decided the kind (right / all):")
        for by in (GAZETTEER, CUE, MODEL):
            right, bad = decided[(by, True)], decided[(by, False)]
            print(f"    {by:17} {right:5} / {right + bad:5} = {right / max(right + bad, 1):.3f}")
    return total


def cross_validated(
    corpus: Path,
    rows: list[dict],
    proper: set[str],
    folds: int,
    batch: int,
    feeds: Path | None = None,
) -> dict[str, Counts]:
    """The folds' totals with the build's settings, for `bench/entities_bench.py`'s table:
    `rows` may hold the held-out topics, which are dropped unread."""
    dev = [r for r in rows if not held_out(r["topic"])]
    topics = sorted({r["topic"] for r in dev})
    fold_of = {t: i % folds for i, t in enumerate(topics)}
    used = census(dev_sources(corpus, dev, feeds), hand_entries())
    settings = argparse.Namespace(
        l2=build.DEFAULT_L2,
        min_topics=build.DEFAULT_MIN_TOPICS,
        prior=build.DEFAULT_PRIOR,
        margin=build.DEFAULT_MARGIN,
        feed_weight=build.DEFAULT_FEED_WEIGHT,
        bags=build.DEFAULT_BAGS,
        batch=batch,
    )
    return run_folds(
        corpus, dev, proper, fold_only(used, fold_of), fold_of, settings, verbose=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("WIREREADER_SHARED", REPO.parent / "shared")) / "corpus",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--feeds", type=Path, help="the unseen feeds (their dev group is read)")
    parser.add_argument("--entries", action="store_true", help="list entries of one source")
    parser.add_argument(
        "--errors", action="store_true", help="print each fold's misses and kind errors, lists out"
    )
    parser.add_argument(
        "--deciders",
        action="store_true",
        help="count the model-out way's found mentions by what decided their kind",
    )
    parser.add_argument("--batch", type=int, default=500, help="documents per stored batch")
    parser.add_argument("--l2", type=float, default=build.DEFAULT_L2)
    parser.add_argument("--min-topics", type=int, default=build.DEFAULT_MIN_TOPICS)
    parser.add_argument("--prior", type=float, default=build.DEFAULT_PRIOR)
    parser.add_argument("--margin", type=float, default=build.DEFAULT_MARGIN)
    parser.add_argument("--feed-weight", type=float, default=build.DEFAULT_FEED_WEIGHT)
    parser.add_argument("--bags", type=int, default=build.DEFAULT_BAGS)
    args = parser.parse_args()

    rows = load_ecb(args.corpus)
    proper = proper_words(rows)  # the benchmark's gold definition, as its dev line reads it
    dev = [r for r in rows if not held_out(r["topic"])]
    del rows  # the held-out topics are not read below
    topics = sorted({r["topic"] for r in dev})
    fold_of = {t: i % args.folds for i, t in enumerate(topics)}

    sources = dev_sources(args.corpus, dev, args.feeds)
    entries = hand_entries()
    census_all = census(sources, entries)
    rules = {e: ss for e, ss in census_all.items() if not e[0].endswith(".txt")}
    used = {e: ss for e, ss in census_all.items() if e[0].endswith(".txt")}

    only_ecb = {
        e: {int(s[4:]) for s in ss} for e, ss in used.items() if all(s[:4] == "ecb:" for s in ss)
    }
    one_fold = fold_only(used, fold_of)
    by_source = defaultdict(list)
    for e, ss in used.items():
        if len(ss) == 1:
            by_source[next(iter(ss))].append(e)
    unused = sorted(set(entries.values()) - set(used))
    print(
        f"hand entries: {len(set(entries.values()))}; used by the dev data: {len(used)};"
        f" by ECB+ dev"
        f" topics alone: {len(only_ecb)} ({len(one_fold)} within one fold); by one source alone:"
        f" {sum(map(len, by_source.values()))}; by none: {len(unused)}"
    )
    if args.entries:
        for source in sorted(by_source, key=lambda s: (s.split(":")[0], s)):
            names = ", ".join(f"{c} ({f.split('.')[0]})" for f, c in sorted(by_source[source]))
            print(f"  only {source}: {names}")
        print(
            "  used by no dev source: " + ", ".join(f"{c} ({f.split('.')[0]})" for f, c in unused)
        )
    rule_one: dict[str, list[str]] = defaultdict(list)
    for (label, word), ss in rules.items():
        if len(ss) == 1:
            rule_one[next(iter(ss))].append(f"{word} ({label})")
    ecb_one = sum(len(v) for k, v in rule_one.items() if k.startswith("ecb:"))
    print(
        f"rules' words found by a test (a lower bound: set operations are not seen): {len(rules)};"
        f" by one source alone: {sum(map(len, rule_one.values()))} ({ecb_one} in one ECB+ topic)"
    )
    if args.entries:
        for source in sorted(rule_one, key=lambda s: (s.split(":")[0], s)):
            print(f"  only {source}: " + ", ".join(sorted(rule_one[source])))

    print(
        f"\nECB+ dev topics in {args.folds} folds of whole topics (the held-out topics unread);"
        f" kind model --l2 {args.l2} --min-topics {args.min_topics} --prior {args.prior}"
        f" --margin {args.margin} --bags {args.bags}"
    )
    print(f"  {'fold, way':26} {'gold':>5} {'recall':>7} {'exact':>6} {'kind acc':>8}")
    total = run_folds(args.corpus, dev, proper, one_fold, fold_of, args)
    print("  all folds:")
    for way, c in total.items():
        print(line(way, c))


if __name__ == "__main__":
    main()

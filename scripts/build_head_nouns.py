"""Build `src/wirereader/analysis/data/head_nouns.txt`: the common nouns that type a name they end.

    python scripts/build_head_nouns.py [--wordnet /usr/share/wordnet] [--check]

A name no gazetteer knows that ends in a common noun is a kind of that noun ('Tasman Saddle
Hut' a hut, 'Rideau Hall' a hall, 'Howard Projects' housing projects): the noun's commonest
sense in WordNet 3.0 (Debian's wordnet-base) says whether it is a place (a structure, a
facility or a geographical area: 'hut', 'creamery', 'warehouse', 'stadium') or an
organisation ('team', 'militia', 'orchestra'; 'country' is a location too, so neither). The names of
the two hand lists of `cues` (`_ORG_LAST`, `_PLACE_LAST`) come first in the rules; this list
adds the thousands of nouns no one wrote down.

Kept: lower-case nouns of `nameless_words.txt` (frequent English words that are no one's first
or family name, so a surname is never read as a head: 'Hill', 'Church', 'Wall' are family
names), whose commonest sense is under the roots below and is written so (not an acronym's:
'WHO'), with no sense that is a person (a 'guard', a 'judge'), for places no sense that is an
organisation ('house', 'court'), for organisations none that is a location ('country'); and
the plural of each ('Projects', 'Towers'). One line a noun: `noun<TAB>place` or `noun<TAB>org`.
No third-party package: WordNet's database files and the shipped word list.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "wirereader" / "analysis" / "data"
OUT = DATA / "head_nouns.txt"

# WordNet 3.0 data.noun offsets of the roots
_FACILITY_ROOTS = {"04341686": "structure, construction", "03315023": "facility, installation"}
_AREA_ROOTS = {"08574314": "geographical area"}
_ORG_ROOT = "08008335"  # organization
_PERSON_ROOT = "00007846"  # person, individual
_LOCATION_ROOT = "00027167"  # location


def _wordnet(folder: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """offset -> lemmas as written, and offset -> hyponyms' offsets (not instances)."""
    lemmas: dict[str, list[str]] = {}
    hyponyms: dict[str, list[str]] = {}
    with (folder / "data.noun").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue  # the licence's lines
            fields = line.split(" | ", 1)[0].split()
            count = int(fields[3], 16)
            lemmas[fields[0]] = [fields[4 + 2 * i] for i in range(count)]
            at = 4 + 2 * count
            for k in range(int(fields[at])):
                symbol, offset, pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
                if symbol == "~" and pos == "n":
                    hyponyms.setdefault(fields[0], []).append(offset)
    return lemmas, hyponyms


def _below(roots: list[str], hyponyms: dict[str, list[str]]) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for child in hyponyms.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def build(folder: Path) -> list[str]:
    lemmas, hyponyms = _wordnet(folder)
    facility = _below(list(_FACILITY_ROOTS), hyponyms)
    place = facility | _below(list(_AREA_ROOTS), hyponyms)
    org = _below([_ORG_ROOT], hyponyms)
    person = _below([_PERSON_ROOT], hyponyms)
    location = _below([_LOCATION_ROOT], hyponyms)
    text = (DATA / "nameless_words.txt").read_text("utf-8")
    nameless = {w for w in text.split("\n") if w and w[0] != "#"}
    ends: dict[str, str] = {}
    after: dict[str, str] = {}
    with (folder / "index.noun").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            fields = line.split()
            word = fields[0]
            if not (word.isalpha() and word.islower()):
                continue
            senses = fields[6 + int(fields[3]) :]  # by frequency, the commonest first
            if set(senses) & person or word not in lemmas[senses[0]]:
                continue  # a person's noun, or an acronym's sense ('WHO', 'CDC')
            kind = ""
            if senses[0] in org and not set(senses) & location:
                kind = "org"
            elif senses[0] in place and not set(senses) & org:
                kind = "place"
            if not kind:
                continue
            if word in nameless:
                ends[word] = kind
            # after a name: a building's or an organisation's noun that SemCor tags (a
            # common word), not an area's ('Colts territory', 'Russian border')
            if int(fields[5 + int(fields[3])]) > 0 and (kind == "org" or senses[0] in facility):
                after[word] = kind
    out = [
        "# Common nouns that type a name: noun, the kind of a name written right before it",
        "# ('the Crowley warehouse'), the kind of a name it ends ('Tasman Saddle Hut'); '-' for",
        "# none. Plurals follow their nouns. Generated by scripts/build_head_nouns.py from",
        f"# WordNet 3.0 ({folder}) and nameless_words.txt; do not edit by hand.",
    ]
    lines: dict[str, tuple[str, str]] = {}
    for word in sorted(ends.keys() | after.keys()):
        row = (after.get(word, "-"), ends.get(word, "-"))
        lines[word] = row
        plural = _plural(word)
        if plural not in ends and plural not in after:
            lines.setdefault(plural, row)
    out += [f"{w}\t{a}\t{e}" for w, (a, e) in sorted(lines.items())]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = parser.parse_args()
    text = "\n".join(build(args.wordnet)) + "\n"
    if args.check:
        same = OUT.exists() and OUT.read_text("utf-8") == text
        print(f"{OUT.name}: {'up to date' if same else 'differs from a rebuild'}")
        sys.exit(0 if same else 1)
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 4} nouns)")


if __name__ == "__main__":
    main()

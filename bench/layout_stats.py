"""The package's shape in four figures: largest module, modules loose at the package top, import
cycles, and modules that execute SQL.

    python bench/layout_stats.py [--src src/wirereader]

Reads the source with `ast` only (imports inside functions count too, as they do for a cycle),
so it runs on any checkout, old or new, without installing it. A cycle is a strongly connected
group of modules in the import graph; `from wirereader.x import y` where `y` is a module counts
as importing `wirereader.x.y`.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

# A call of execute / executemany / executescript on anything: how this code base runs SQL.
_EXECUTES = re.compile(r"\.execute(?:many|script)?\(")


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
    return {m for m in found if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    result.append(sorted(group))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=Path("src/wirereader"))
    args = parser.parse_args(argv)
    src: Path = args.src.resolve()
    files = sorted(p for p in src.rglob("*.py") if "__pycache__" not in p.parts)
    names = {module_name(p, src): p for p in files}
    known = set(names)
    graph: dict[str, set[str]] = {}
    sizes: dict[str, int] = {}
    sql: list[str] = []
    for name, path in names.items():
        text = path.read_text("utf-8")
        sizes[name] = text.count("\n")
        tree = ast.parse(text, str(path))
        graph[name] = imports_of(tree, name, path.name == "__init__.py", known)
        if _EXECUTES.search(text):
            sql.append(name)
    loose = ("__init__.py", "__main__.py")
    top = [p.name for p in files if p.parent == src and p.name not in loose]
    largest = max(sizes, key=lambda n: sizes[n])
    found = cycles(graph)
    print(f"modules:                       {len(files)}")
    print(f"largest module:                {largest} ({sizes[largest]} lines)")
    print(f"modules at the package top:    {len(top)}" + (f" ({', '.join(top)})" if top else ""))
    print(f"import cycles:                 {len(found)}")
    for group in found:
        print(f"  {' <-> '.join(group)}")
    print(f"modules executing SQL:         {len(sql)}")
    outside = [n for n in sql if n.split(".")[1:2] not in (["store"], ["query"])]
    listed = f" ({', '.join(outside)})" if outside else ""
    print(f"  outside store/ and query/:   {len(outside)}{listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

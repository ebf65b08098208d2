#!/usr/bin/env python3
"""Check the package's architecture: layers, import cycles and the size of the top floor.

Every import counts, those deferred into functions and those under TYPE_CHECKING included:
a lazy import is still a dependency, only a hidden one. Run from anywhere:

    python scripts/check_architecture.py        # prints the findings, exit 1 if any

The layers, highest first. A module may import its own layer and the layers below it,
never one above. Within a layer, two packages on one line are siblings that must not
import each other. The map is explained in docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "deadlinecal"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    ("commands",),
    ("postings",),
    ("output",),
    ("site",),
    ("page",),
    ("pipeline",),
    ("ledger", "ended"),
    ("history",),
    ("ical",),
    ("events",),
    ("dataset",),
    ("errors", "model", "text"),
)
MAX_TOP_LEVEL_MODULES = 15
MAX_MODULE_LINES = 500
# Counted from a definition's first decorator to its last line.
MAX_DEFINITION_LINES = 150


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    found: dict[str, Path] = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The package's modules that the module imports anywhere, with the line of each."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:
                    yield target, node.lineno
                elif base in known:
                    yield base, node.lineno


def layer_of(name: str) -> tuple[int, str] | None:
    """The layer (0 = highest) and the part of the package the module belongs to."""
    parts = name.split(".")
    if len(parts) == 1:
        return None  # the package's own __init__
    part = parts[1]
    for index, layer in enumerate(LAYERS):
        if part in layer:
            return index, part
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def findings(src: Path) -> list[str]:
    """Every broken rule, as lines to print."""
    known = modules(src)
    problems: list[str] = []
    graph: dict[str, set[str]] = {name: set() for name in known}
    reported: set[tuple[str, str]] = set()
    for name, path in known.items():
        for target, line in imported(name, path, known):
            if target == name or name.startswith(target + "."):
                continue  # a package's module reaching its own __init__ is no edge
            graph[name].add(target)
            if (name, target) in reported:
                continue
            reported.add((name, target))
            own, other = layer_of(name), layer_of(target)
            if own is None or other is None or own[1] == other[1]:
                continue
            # Upward, or sideways between two packages of one floor (the bottom floor's
            # modules may use each other).
            if other[0] < own[0] or (other[0] == own[0] and own[0] != len(LAYERS) - 1):
                problems.append(f"{path.relative_to(src.parent)}:{line}: {name} imports "
                                f"{target}, a layer that may not be imported from {own[1]}")
    for component in cycles(graph):
        problems.append("import cycle: " + " -> ".join(component))
    top = [path for path in (src / PACKAGE).glob("*.py")]
    if len(top) > MAX_TOP_LEVEL_MODULES:
        problems.append(f"{len(top)} modules directly in src/{PACKAGE} "
                        f"(at most {MAX_TOP_LEVEL_MODULES})")
    unplaced = sorted({name.split(".")[1] for name in known if "." in name
                       and layer_of(name) is None})
    problems += [f"{PACKAGE}.{part} belongs to no layer in {Path(__file__).name}"
                 for part in unplaced]
    problems += oversized(src)
    return problems


def oversized(src: Path) -> Iterator[str]:
    """Modules over MAX_MODULE_LINES and definitions over MAX_DEFINITION_LINES."""
    for name, path in modules(src).items():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(src.parent)
        if text.count("\n") > MAX_MODULE_LINES:
            yield f"{where}: {text.count(chr(10))} lines (at most {MAX_MODULE_LINES})"
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                size = (node.end_lineno or node.lineno) - first + 1
                if size > MAX_DEFINITION_LINES:
                    yield (f"{where}:{first}: {name}.{node.name} is {size} lines "
                           f"(at most {MAX_DEFINITION_LINES})")


def summary(src: Path) -> str:
    """The counts a reader asks for: top-level modules, modules, import edges, cycles."""
    known = modules(src)
    graph = {name: {target for target, _ in imported(name, path, known) if target != name}
             for name, path in known.items()}
    top = len(list((src / PACKAGE).glob("*.py")))
    return (f"{top} top-level modules, {len(known)} modules, "
            f"{sum(map(len, graph.values()))} module imports, {len(cycles(graph))} import "
            f"cycles, {len(findings(src))} findings")


def main() -> int:
    src = Path(__file__).resolve().parent.parent / "src"
    problems = findings(src)
    for line in problems:
        print(line)
    print(summary(src))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Draw the integration's rooms and their imports, from the code itself.

Usage:
  scripts/architecture.py            print the Mermaid picture
  scripts/architecture.py --write    put it into docs/architecture.md
  scripts/architecture.py --check    fail when docs/architecture.md is out of date

A room is a module of the package, or a sub-package drawn as one (the core,
the clients, registration, the store). An arrow A --> B means A imports B.
``const`` is left out of the picture: every room may read constants.
The same graph backs ``tests/test_architecture.py`` (no import cycles).
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "custom_components" / "media_request_tracker"
PACKAGE_NAME = "custom_components.media_request_tracker"
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- picture: scripts/architecture.py --write -->"
END = "<!-- end of picture -->"
LEFT_OUT = frozenset({"const"})


def module_name(path: Path) -> str:
    """Dotted name of a module inside the package, without the package prefix."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name ('' is the package itself)."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """Return the in-package module a ``from ... import`` names (NUL: outside)."""
    if node.level == 0:
        name = node.module or ""
        if not name.startswith(PACKAGE_NAME):
            return "\0"
        return name.removeprefix(PACKAGE_NAME).lstrip(".")
    base = importer.split(".") if importer else []
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph() -> dict[str, set[str]]:
    """Map each module to the package's modules it imports (TYPE_CHECKING too)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                target = _resolve(name, is_package, node)
                if target == "\0":
                    continue
                # ``from . import x`` may name a module x rather than a name in ``.``.
                targets = [
                    sub
                    for alias in node.names
                    if (sub := f"{target}.{alias.name}".lstrip(".")) in known
                ] or [target]
            elif isinstance(node, ast.Import):
                targets = [
                    alias.name.removeprefix(PACKAGE_NAME).lstrip(".")
                    for alias in node.names
                    if alias.name.startswith(PACKAGE_NAME)
                ]
            for target in targets:
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the groups of modules that import each other in a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def room(module: str) -> str:
    """Return the room a module is drawn in: a sub-package is one room."""
    if not module:
        return "__init__"
    head = module.split(".", maxsplit=1)[0]
    return head if (PACKAGE / head / "__init__.py").is_file() else module


def picture() -> str:
    """Draw the rooms and their arrows as a Mermaid flowchart, top to bottom."""
    arrows: dict[str, set[str]] = defaultdict(set)
    lines: dict[str, int] = defaultdict(int)
    for name, path in modules().items():
        lines[room(name)] += len(path.read_text(encoding="utf-8").splitlines())
    for source, targets in import_graph().items():
        for target in targets:
            a, b = room(source), room(target)
            if a != b and b not in LEFT_OUT:
                arrows[a].add(b)
    rooms = sorted(set(lines) - LEFT_OUT)
    out = ["```mermaid", "flowchart TD"]
    out.extend(
        f'    {_node(name)}["{name}{"/" if (PACKAGE / name / "__init__.py").is_file() else ".py"}'
        f' ({lines[name]})"]'
        for name in rooms
    )
    out.extend(
        f"    {_node(a)} --> {_node(b)}"
        for a in rooms
        for b in sorted(arrows.get(a, ()))
    )
    out.append("```")
    return "\n".join(out)


def _node(name: str) -> str:
    return name.strip("_") or "package"


def documented() -> str:
    """Return the picture docs/architecture.md shows."""
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    drawn = picture()
    if args.check:
        if documented() != drawn:
            print(
                "docs/architecture.md is out of date: run scripts/architecture.py --write"
            )
            return 1
        return 0
    if args.write:
        text = DOC.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(f"{text[:start]}\n{drawn}\n{text[end:]}", encoding="utf-8")
        return 0
    print(drawn)
    return 0


if __name__ == "__main__":
    sys.exit(main())

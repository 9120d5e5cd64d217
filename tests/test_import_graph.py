"""No import cycle among LeadTriage's modules, counting the imports hidden inside
functions: a cycle there still means two modules cannot be understood, tested or
moved apart, and it hides until the one call path that triggers it runs.

Imports under `if TYPE_CHECKING:` are left out (they never run)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "leadtriage"

# Cycles accepted for now, each one set of modules; the test fails on any other
# cycle, and on one of these growing. Remove an entry once its cycle is broken.
# (Empty: the store's cycle, db <-> backup <-> recovery, was the last; issue 16.)
ALLOWED: list[frozenset[str]] = []

# The same between packages (`leadtriage.<package>`): a package whose modules need
# each other both ways cannot be moved or reasoned about on its own either.
ALLOWED_PACKAGES: list[frozenset[str]] = []  # (importing <-> scoring was the last: FREEMAIL is in domain/)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    walk(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            walk(child)

    walk(tree)
    return found


def edges(path: Path) -> set[str]:
    """The leadtriage modules `path` imports, anywhere in the file."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out: set[str] = set()
    for node in _imports(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module; `from mod import name` the module.
            names = [f"{base}.{a.name}" if _exists(f"{base}.{a.name}") else base for a in node.names]
        for name in names:
            while name and not _exists(name):
                name = name.rpartition(".")[0]
            if name.startswith("leadtriage") and name != here:
                out.add(name)
    return out


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): edges(p) for p in PKG.rglob("*.py")}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.add(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walker_sees_function_level_imports(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    source = "def f():\n    from leadtriage.store import db\n"
    tree = ast.parse(source)
    assert [n.module for n in _imports(tree)] == ["leadtriage.store"]
    hidden = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from leadtriage.store import db\n"
    assert _imports(ast.parse(hidden))[1:] == []


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def package(name: str) -> str:
        return ".".join(name.split(".")[:2])

    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        out.setdefault(package(module), set()).update(
            package(t) for t in targets if package(t) != package(module))
    return out


def test_no_new_cycle_between_packages():
    found = cycles(package_graph(import_graph()))
    assert not [sorted(c) for c in found if c not in ALLOWED_PACKAGES], f"package cycles: {found}"
    gone = [sorted(c) for c in ALLOWED_PACKAGES if c not in found]
    assert not gone, f"no longer cycles, remove from ALLOWED_PACKAGES: {gone}"


def test_no_new_import_cycle():
    found = cycles(import_graph())
    new = [sorted(c) for c in found if c not in ALLOWED]
    assert not new, f"import cycles: {new}"


def test_allowed_cycles_still_exist():
    """An allowed cycle that was broken comes off the list, so it cannot return."""
    found = cycles(import_graph())
    gone = [sorted(c) for c in ALLOWED if c not in found]
    assert not gone, f"no longer cycles, remove from ALLOWED: {gone}"


def test_store_sits_below_safety():
    """The connection, schema and queries know nothing of backups and recovery:
    `safety/` builds on `store/`, and the open that needs both is `safety.opening`."""
    graph = import_graph()
    up = {(m, t) for m, targets in graph.items() if m.startswith("leadtriage.store")
          for t in targets if t.startswith(("leadtriage.safety", "leadtriage.services", "leadtriage.ui"))}
    assert not up, f"store imports from above it: {sorted(up)}"


def test_safety_is_qt_free():
    for path in (PKG / "safety").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = {a.name for n in _imports(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in _imports(tree) if isinstance(n, ast.ImportFrom)}
        bad = {n for n in names if n.startswith(("PySide6", "shiboken6", "leadtriage.ui"))}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}"

"""Imports point downwards: storage, domain and services never import Qt widgets."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "leadtriage"
NO_QT = ["store", "domain", "importing", "metrics", "scoring", "demo", "services", "playbook"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", [p for p in NO_QT if (PKG / p).exists()])
def test_lower_layers_do_not_import_qt(package):
    for path in (PKG / package).rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in {"PySide6", "shiboken6"}}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}"
        ui = {m for m in imported_modules(path) if m.startswith("leadtriage.ui")}
        assert not ui, f"{path.relative_to(PKG)} imports the UI layer: {ui}"


def test_handoff_uses_only_qtgui_for_pdf():
    for path in (PKG / "handoff").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.startswith("PySide6") and m not in {"PySide6.QtGui", "PySide6.QtCore", "PySide6"}}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}"


def test_cli_never_imports_widgets_at_module_level():
    for path in (PKG / "cli").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("PySide6", "leadtriage.ui")), path

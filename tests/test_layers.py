"""Imports point downwards: ui -> (read sides, services) -> store -> domain.

Storage, domain and services never import Qt; no Qt outside ui/ except the PDF
writer and the start-up checks; store/ and domain/ import nothing above them; the
UI reaches the database only through read sides and services (no `leadtriage.store`
import, no `.conn`), with the exceptions listed below, which may only shrink.
"""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "leadtriage"
NO_QT = ["store", "domain", "importing", "metrics", "scoring", "demo", "services", "leadwork", "playbook",
         "outcomes", "sync", "reads", "safety", "util"]
# Outside ui/, only these may touch Qt: the PDF writer (QtGui's PDF engine) and the
# start-up checks that Qt can run at all.
QT_OUTSIDE_UI = {"handoff/pdf.py", "selftest.py", "platform_check.py"}
# What store/ and domain/ may import from the package: themselves and what sits below.
BELOW_STORE = {"store", "domain", "errors", "paths", "progress", "gcpause", "config", "logs", "util",
               "machine_settings"}
BELOW_DOMAIN = {"domain", "errors", "paths", "util"}

# UI modules that still import the store at run time, and what they import (a type
# named only for annotations, under `if TYPE_CHECKING:`, is not an import at run
# time). Each is a debt: the test fails when one is no longer needed, so this list
# only gets shorter.
UI_STORE_IMPORTS = {
    "ui/excepthook.py": {"leadtriage.store.errors"},  # names a full disk or a read-only folder
    "ui/main_window.py": {"leadtriage.store.settings"},
    "ui/outcome_dialog.py": {"leadtriage.store.settings"},
    "ui/settings_dialog.py": {"leadtriage.store.settings"},
    "ui/dashboard/view.py": {"leadtriage.store.settings"},
    "ui/importing/review.py": {"leadtriage.store.settings"},
    "ui/importing/wizard.py": {"leadtriage.store.settings"},
}


def _type_only(tree: ast.AST) -> set[int]:
    """Nodes inside `if TYPE_CHECKING:`: names for annotations, no import at run time."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def imported_modules(path: Path, *, runtime_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_only(tree) if runtime_only else set()
    names = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "leadtriage":  # `from leadtriage import store` names a package
                names.update(f"leadtriage.{alias.name}" for alias in node.names)
    return names


def _package_names(path: Path) -> set[str]:
    """The leadtriage packages or modules `path` imports, by their first name."""
    return {m.split(".")[1] for m in imported_modules(path) if m.startswith("leadtriage.")}


@pytest.mark.parametrize("package", [p for p in NO_QT if (PKG / p).exists()])
def test_lower_layers_do_not_import_qt(package):
    for path in (PKG / package).rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in {"PySide6", "shiboken6"}}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}"
        ui = {m for m in imported_modules(path) if m.startswith("leadtriage.ui")}
        assert not ui, f"{path.relative_to(PKG)} imports the UI layer: {ui}"


def test_no_qt_outside_the_ui_but_the_pdf_writer_and_start_up_checks():
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith("ui/") or rel in QT_OUTSIDE_UI:
            continue
        bad = {m for m in imported_modules(path) if m.split(".")[0] in {"PySide6", "shiboken6"}}
        assert not bad, f"{rel} imports {bad}"


def test_handoff_uses_only_qtgui_for_pdf():
    for path in (PKG / "handoff").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.startswith("PySide6") and m not in {"PySide6.QtGui", "PySide6.QtCore", "PySide6"}}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}"


@pytest.mark.parametrize(("package", "allowed"), [("store", BELOW_STORE), ("domain", BELOW_DOMAIN)])
def test_store_and_domain_import_nothing_above_them(package, allowed):
    for path in (PKG / package).rglob("*.py"):
        above = _package_names(path) - allowed
        assert not above, f"{path.relative_to(PKG)} imports {above}, above {package}/"


def test_the_ui_reaches_the_store_only_through_the_listed_exceptions():
    found = {}
    for path in (PKG / "ui").rglob("*.py"):
        store = {m for m in imported_modules(path, runtime_only=True)
                 if m == "leadtriage.store" or m.startswith("leadtriage.store.")}
        if store:
            found[path.relative_to(PKG).as_posix()] = store
    new = {k: v - UI_STORE_IMPORTS.get(k, set()) for k, v in found.items()}
    assert not {k: v for k, v in new.items() if v}, "ui/ imports the store; use a read side in leadtriage/reads"
    gone = {k: v - found.get(k, set()) for k, v in UI_STORE_IMPORTS.items()}
    assert not {k: v for k, v in gone.items() if v}, "no longer imported: remove from UI_STORE_IMPORTS"


def test_no_widget_touches_a_connection():
    for path in (PKG / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            assert not (isinstance(node, ast.Attribute) and node.attr == "conn"), \
                f"{path.relative_to(PKG)}:{node.lineno} uses .conn; ask a read side (leadtriage/reads)"


def test_cli_never_imports_widgets_at_module_level():
    for path in (PKG / "cli").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("PySide6", "leadtriage.ui")), path

"""Packaging recipes: desktop integration files, icons, the PyInstaller spec and the
Linux install script. The PyInstaller build itself runs in `make package`, not here."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import types
import xml.etree.ElementTree as ET
from importlib.metadata import version as meta_version
from pathlib import Path

import pytest

import leadtriage

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "packaging"
DESKTOP = PKG / "linux" / "leadtriage.desktop"
METAINFO = PKG / "linux" / "io.leadtriage.LeadTriage.metainfo.xml"
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text("utf-8"))
    return dict(parser["Desktop Entry"])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


def test_version_is_single_sourced_from_pyproject():
    assert leadtriage.__version__ == PYPROJECT_VERSION == meta_version("leadtriage")


def test_desktop_file_names_the_app_its_icon_and_command():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == leadtriage.APP_NAME
    assert entry["Exec"] == "leadtriage"
    assert entry["Icon"] == "leadtriage"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
    # Qt sets the Wayland app id from the desktop file name: they must agree.
    from leadtriage.ui.app import make_application

    assert make_application().desktopFileName() == DESKTOP.stem


def test_metainfo_matches_desktop_file_and_version():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.leadtriage.LeadTriage"
    assert root.findtext("name") == leadtriage.APP_NAME
    assert root.findtext("summary")
    assert len(root.findall("description/p")) >= 1
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == desktop_entry()["Icon"]
    releases = [r.get("version") for r in root.findall("releases/release")]
    assert releases and releases[0] == PYPROJECT_VERSION, "add a <release> for the new version"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-validate not installed")
def test_desktop_file_passes_desktop_file_validate():
    proc = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstreamcli not installed")
def test_metainfo_passes_appstreamcli_validate():
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_linux_icons_exist_at_the_usual_sizes():
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = PKG / "linux" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "leadtriage.png"
        assert png_size(path.read_bytes()) == (size, size), path


def test_windows_ico_holds_png_images_up_to_256():
    data = (PKG / "windows" / "leadtriage.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = []
    for i in range(count):
        w, h, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        image = data[offset: offset + length]
        assert png_size(image) == ((w or 256), (h or 256))
        sizes.append(w or 256)
    assert {16, 32, 48, 256} <= set(sizes)


def test_macos_icns_is_well_formed():
    data = (PKG / "macos" / "leadtriage.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    pos, kinds = 8, {}
    while pos < len(data):
        kind, length = data[pos:pos + 4].decode(), struct.unpack(">I", data[pos + 4:pos + 8])[0]
        kinds[kind] = png_size(data[pos + 8:pos + length])
        pos += length
    assert pos == len(data)
    assert kinds["ic10"] == (1024, 1024) and kinds["icp4"] == (16, 16)


def test_icon_renderer_draws_the_svg(qapp):
    spec = importlib.util.spec_from_file_location("render_icons", PKG / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from PySide6.QtGui import QImage

    image = QImage.fromData(module.render_png(48))
    assert image.width() == 48
    assert image.pixelColor(0, 0).alpha() == 0  # rounded corner stays transparent
    assert image.pixelColor(24, 40).alpha() == 255  # the funnel is drawn


# -- the PyInstaller spec, executed against stand-ins for PyInstaller's objects --------

class _Recorder:
    def __init__(self, calls: list, kind: str):
        self.calls, self.kind = calls, kind

    def __call__(self, *args, **kwargs):
        obj = types.SimpleNamespace(kind=self.kind, args=args, kwargs=kwargs, **kwargs)
        if self.kind == "Analysis":
            obj.datas = list(kwargs["datas"]) + [
                ("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA"),
                ("PySide6/Qt/translations/qtwebengine_de.qm", "x", "DATA"),
            ]
            obj.binaries = [
                ("PySide6/Qt/lib/libQt6Core.so.6", "x", "BINARY"),
                ("PySide6/Qt/lib/libQt6Quick.so.6", "x", "BINARY"),
                ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", "x", "BINARY"),
            ]
            obj.pure, obj.scripts = [], []
        self.calls.append(obj)
        return obj


def run_spec(monkeypatch, platform: str) -> list:
    calls: list = []
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda name: [f"{name}.selftest", f"{name}.ui.app"]
    hooks.copy_metadata = lambda name: [(f"/site/{name}-{PYPROJECT_VERSION}.dist-info", f"{name}.dist-info")]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    namespace = {"SPECPATH": str(PKG), "__name__": "spec"}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = _Recorder(calls, kind)
    exec(compile((PKG / "leadtriage.spec").read_text("utf-8"), "leadtriage.spec", "exec"), namespace)
    return calls


def collected_executables(calls: list) -> list:
    """The executables in the bundle, in COLLECT order (the first names the .app)."""
    collect = next(c for c in calls if c.kind == "COLLECT")
    return [arg for arg in collect.args if getattr(arg, "kind", None) == "EXE"]


def test_spec_bundles_resources_metadata_and_only_the_qt_it_needs(monkeypatch):
    calls = run_spec(monkeypatch, "linux")
    analysis = next(c for c in calls if c.kind == "Analysis")
    assert analysis.args[0] == [str(PKG / "entry.py")]
    assert (str(ROOT / "resources"), "leadtriage/resources") in analysis.kwargs["datas"]
    assert any(dest == "leadtriage.dist-info" for _, dest in analysis.kwargs["datas"])
    assert {"PySide6.QtCharts", "PySide6.QtSvg", "leadtriage.selftest"} <= set(analysis.hiddenimports)
    for heavy in ("PySide6.QtWebEngineCore", "PySide6.QtQuick", "PySide6.QtQml", "PySide6.Qt3DCore",
                  "PySide6.QtMultimedia", "PySide6.QtPdf"):
        assert heavy in analysis.excludes
    assert [d[0] for d in analysis.datas if "translations" in d[0]] == ["PySide6/Qt/translations/qtbase_de.qm"]
    assert [b[0] for b in analysis.binaries] == ["PySide6/Qt/lib/libQt6Core.so.6"]
    exes = collected_executables(calls)
    assert [(e.name, e.console) for e in exes] == [("leadtriage", True)]
    assert not [c for c in calls if c.kind == "BUNDLE"]


def test_spec_on_macos_makes_an_app_with_info_plist(monkeypatch):
    calls = run_spec(monkeypatch, "darwin")
    exes = collected_executables(calls)
    assert [(e.name, e.console) for e in exes] == [("LeadTriage", False), ("leadtriage-cli", True)]
    bundle = next(c for c in calls if c.kind == "BUNDLE")
    plist = bundle.info_plist
    assert bundle.name == "LeadTriage.app" and bundle.bundle_identifier == "io.leadtriage.LeadTriage"
    assert plist["CFBundleShortVersionString"] == PYPROJECT_VERSION
    assert plist["NSHighResolutionCapable"] is True
    assert plist["NSRequiresAquaSystemAppearance"] is False
    assert bundle.icon.endswith("leadtriage.icns") and Path(bundle.icon).is_file()


def test_spec_on_windows_has_a_windowed_and_a_console_executable(monkeypatch):
    calls = run_spec(monkeypatch, "win32")
    exes = collected_executables(calls)
    assert [(e.name, e.console) for e in exes] == [("LeadTriage", False), ("leadtriage-cli", True)]
    assert all(Path(e.icon).name == "leadtriage.ico" for e in exes)
    iss = (PKG / "windows" / "leadtriage.iss").read_text("utf-8")
    assert "LeadTriage.exe" in iss and "leadtriage.ico" in iss and "AppVersion" in iss


def test_bundle_entry_point_calls_freeze_support_first():
    text = (PKG / "entry.py").read_text("utf-8")
    assert text.index("freeze_support()") < text.index("from leadtriage.cli import main")


# -- the Linux install script, on a stand-in bundle ---------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell script")
def test_install_script_installs_and_uninstalls_for_the_user(tmp_path):
    spec = importlib.util.spec_from_file_location("pkg_build", PKG / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    bundle = tmp_path / "unpacked" / "LeadTriage"
    bundle.mkdir(parents=True)
    launcher = bundle / "leadtriage"
    launcher.write_text("#!/bin/sh\necho leadtriage-standin \"$@\"\n")
    launcher.chmod(0o755)
    build.add_linux_desktop_files(bundle)
    prefix = tmp_path / "prefix with space"
    env = {**os.environ, "PREFIX": str(prefix)}
    subprocess.run(["sh", str(bundle / "install.sh")], env=env, check=True, capture_output=True)

    out = subprocess.run([str(prefix / "bin" / "leadtriage"), "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == "leadtriage-standin --version"
    desktop = (prefix / "share" / "applications" / "leadtriage.desktop").read_text()
    assert f'Exec="{prefix}/lib/leadtriage/leadtriage"' in desktop
    assert (prefix / "share" / "icons" / "hicolor" / "48x48" / "apps" / "leadtriage.png").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "leadtriage.svg").is_file()
    assert (prefix / "share" / "metainfo" / METAINFO.name).is_file()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(prefix / "share" / "applications" / "leadtriage.desktop")],
                       check=True)

    subprocess.run(["sh", str(prefix / "lib" / "leadtriage" / "install.sh"), "--uninstall"], env=env,
                   check=True, capture_output=True)
    assert not (prefix / "bin" / "leadtriage").exists()
    assert not (prefix / "lib" / "leadtriage").exists()
    assert not list((prefix / "share").rglob("leadtriage*"))


# -- make screenshots: discovery of dialogs behind "…" menu actions --------------------

def load_screenshots_module():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "tools" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshots_capture_dialogs_behind_ellipsis_actions(qtbot, tmp_path):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMessageBox, QVBoxLayout

    shots = load_screenshots_module()
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = window.menuBar().addMenu("&Tools")
    opened = []

    def open_settings():
        dialog = QDialog(window)
        dialog.setWindowTitle("Settings")
        QVBoxLayout(dialog).addWidget(QLabel("Rep name"))
        opened.append(dialog.exec())

    menu.addAction(QAction("&Settings…", window, triggered=open_settings))
    menu.addAction(QAction("&Delete all…", window,
                           triggered=lambda: QMessageBox.question(window, "Sure?", "Delete?")))
    menu.addAction(QAction("&Refresh", window, triggered=lambda: opened.append("refresh")))
    window.show()
    shooter = shots.Shooter(tmp_path, tmp_path)
    shooter.discovered(window)
    assert [name for name, _ in shooter.shots] == ["settings.png"]
    assert shooter.shots[0][1] == "Tools › Settings"
    assert opened == [QDialog.DialogCode.Rejected]  # captured, then closed; "Refresh" not triggered
    assert (tmp_path / "settings.png").stat().st_size > 1000


def test_screenshots_rewrite_only_the_marked_readme_block(tmp_path):
    shots = load_screenshots_module()
    readme = tmp_path / "README.md"
    readme.write_text(f"# App\n\nintro\n\n{shots.START}\nold\n{shots.END}\n\n## After\n", "utf-8")
    shots.update_readme(readme, tmp_path / "docs" / "screenshots", [("welcome.png", "First start")])
    text = readme.read_text("utf-8")
    assert "old" not in text and text.startswith("# App\n\nintro\n") and text.endswith("## After\n")
    assert "![First start](docs/screenshots/welcome.png)" in text

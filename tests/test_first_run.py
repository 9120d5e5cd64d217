"""First run and desktop integration: welcome page, About, title, scheme, High-DPI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette

import leadtriage
from leadtriage.ui import theme
from leadtriage.ui.about import AboutDialog
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.welcome import INTRO, WelcomePage
from leadtriage.ui.worker import Worker

UI = Path(leadtriage.__file__).resolve().parent / "ui"


def make_window(qtbot, store, qsettings):
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_welcome_explains_the_app_in_two_sentences(qtbot, store, qsettings):
    window = make_window(qtbot, store, qsettings)
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.intro.text() == INTRO
    assert len(re.findall(r"[.!?](\s|$)", INTRO)) == 2
    assert window.welcome.intro.isVisible()
    # The whole text fits: the label got the height its wrapped text needs.
    intro = window.welcome.intro
    assert intro.height() >= intro.heightForWidth(intro.width())


def test_welcome_offers_each_wired_action_and_hides_dead_ones(qtbot):
    page = WelcomePage()
    qtbot.addWidget(page)
    seen = []
    page.import_requested.connect(lambda: seen.append("import"))
    page.demo_requested.connect(lambda: seen.append("demo"))
    page.show()
    assert page.import_button.isVisible() and page.demo_button.isVisible()
    assert not page.settings_button.isVisible()  # nobody listens: no button that does nothing
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    assert seen == ["import", "demo"]
    page.settings_requested.connect(lambda: seen.append("settings"))
    page.hide()
    page.show()
    assert page.settings_button.isVisible()
    qtbot.mouseClick(page.settings_button, Qt.MouseButton.LeftButton)
    assert seen[-1] == "settings"


def test_welcome_demo_button_fills_the_queue(qtbot, store, qsettings):
    window = make_window(qtbot, store, qsettings)
    assert window.welcome.demo_button.isVisible()
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.splitter
    assert window.views.counts["all"] == 2000


def test_window_title_and_about_show_name_and_version(qtbot, store, qsettings):
    window = make_window(qtbot, store, qsettings)
    expected = f"LeadTriage {leadtriage.__version__} — {store.path.name}"
    qtbot.waitUntil(lambda: window.windowTitle() == expected, timeout=2000)  # set after first paint
    about = AboutDialog(store.path, window)
    qtbot.addWidget(about)
    assert about.title.text() == f"LeadTriage {leadtriage.__version__}"
    assert about.title.textFormat() == Qt.TextFormat.PlainText
    assert about.details["Database"] == str(store.path)
    qtbot.mouseClick(about.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"LeadTriage {leadtriage.__version__}\n") and str(store.path) in copied


def test_help_menu_opens_the_about_dialog(qtbot, store, qsettings, monkeypatch):
    window = make_window(qtbot, store, qsettings)
    opened = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: opened.append(self.title.text()) or 0)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text().startswith("&About")).trigger()
    assert opened == [f"LeadTriage {leadtriage.__version__}"]


def test_app_has_its_icon_and_desktop_name(qapp):
    from leadtriage.ui.app import make_application

    app = make_application()
    assert not app.windowIcon().isNull()
    assert QGuiApplication.highDpiScaleFactorRoundingPolicy() == Qt.HighDpiScaleFactorRoundingPolicy.PassThrough


@pytest.fixture
def follower(qapp):
    f = theme.SchemeFollower(qapp)
    yield f
    f.apply(Qt.ColorScheme.Light)
    f.setParent(None)
    f.deleteLater()


def test_dark_scheme_gets_fusion_and_a_dark_palette_and_light_restores(qapp, follower):
    native = qapp.style().name()
    follower.apply(Qt.ColorScheme.Dark)
    assert follower.is_dark
    assert qapp.style().name().lower() == "fusion"
    palette = qapp.palette()
    window, text = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText)
    assert window.lightness() < 80 and text.lightness() > 200
    assert palette.color(QPalette.ColorRole.Base).lightness() < 60
    follower.apply(Qt.ColorScheme.Light)
    assert qapp.style().name() == native
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 180


def test_scheme_follows_the_system_setting_and_its_override(qapp, follower, monkeypatch):
    monkeypatch.setenv(theme.ENV_OVERRIDE, "dark")
    follower._changed(Qt.ColorScheme.Unknown)  # what Qt calls when the system switches
    assert follower.is_dark
    monkeypatch.setenv(theme.ENV_OVERRIDE, "light")
    follower._changed(Qt.ColorScheme.Unknown)
    assert not follower.is_dark
    monkeypatch.delenv(theme.ENV_OVERRIDE)
    assert theme.system_scheme(qapp) == qapp.styleHints().colorScheme()


def test_dark_window_renders_dark(qtbot, demo_store, qsettings, follower):
    follower.apply(Qt.ColorScheme.Dark)
    window = make_window(qtbot, demo_store, qsettings)
    image = window.grab().toImage()
    corner = image.pixelColor(image.width() - 5, image.height() // 2)
    assert corner.lightness() < 90


def test_file_dialogs_stay_native():
    for path in UI.rglob("*.py"):
        assert "DontUseNativeDialog" not in path.read_text("utf-8"), path


def test_menus_and_the_toolbar_in_their_order(qtbot, store, qsettings):
    from PySide6.QtWidgets import QToolBar

    from leadtriage.ui.worker import Worker

    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Edit", "&View", "&Go", "&Cadences",
                                                               "&Leads", "&Help"]
    leads = [a.text() for a in window.leads_menu.actions()]
    assert leads == ["Export &briefs…", "Record field &outcome…"]
    toolbars = window.findChildren(QToolBar)
    assert len(toolbars) == 1
    assert [a.text().replace("&", "") for a in toolbars[0].actions()][:1] == ["Import lead list…"]
    assert "Export briefs…" in [a.text().replace("&", "") for a in toolbars[0].actions()]

"""The import wizard and its entry points, driven like a user would (pytest-qt)."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWizard

from leadtriage.ui.importing.review import DuplicatesDialog, ImportHistoryDialog
from leadtriage.ui.importing.wizard import ImportWizard
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker

BOOTH = ("Vorname;Nachname;Firma;E-Mail;Telefon;Land;Lieblingsfarbe\n"
         "Jürgen;Müller;Bäckerei Größ GmbH;jm@baeckerei.de;030 1234567;DE;blau\n"
         "Anna;Schmidt;Weiß KG;anna@weiss.de;089 123456;DE;grün\n"
         ";;;;;;rot\n")


def booth_file(tmp_path: Path) -> Path:
    path = tmp_path / "messe.csv"
    path.write_bytes(BOOTH.encode("cp1252"))
    return path


def make_wizard(qtbot, store, path=None) -> ImportWizard:
    wizard = ImportWizard(store, Worker(synchronous=True), path)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_walk_through_preview_mapping_check_and_import(qtbot, store, tmp_path):
    wizard = make_wizard(qtbot, store, booth_file(tmp_path))
    page = wizard.preview_page
    assert page.encoding.currentText() == "cp1252" and page.delimiter.currentData() == ";"
    assert page.model.data(page.model.index(0, 2)) == "Müller"  # umlauts arrive intact
    assert page.isComplete()
    # Wrong encoding chosen by hand: the preview follows, then back to the right one.
    page.encoding.setCurrentText("utf-8")
    page.encoding.activated.emit(page.encoding.currentIndex())
    assert wizard.plan is None and "not valid utf-8" in page.warning.text()
    page.encoding.setCurrentText("cp1252")
    page.encoding.activated.emit(page.encoding.currentIndex())
    assert wizard.plan is not None

    wizard.next()
    mapping = wizard.mapping_page
    assert [c.currentData() for c in mapping.combos] == [
        "first_name", "last_name", "company", "email", "phone", "country", ""]
    mapping.combos[6].setCurrentIndex(mapping.combos[6].findData("ignore"))

    wizard.next()
    details = wizard.details_page
    assert details.dry is not None
    text = details.summary.text()
    assert "2 new leads" in text and "1 rejected" in text
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0  # a check writes nothing
    details.source.setText("Messe")
    details.campaign.setText("HMI")
    details.cost.setValue(250)

    wizard.next()
    run = wizard.run_page
    assert run.result is not None and run.result.inserted == 2
    assert "Imported as batch" in run.report.text()
    assert "rejected rows" in run.rejects_link.text()
    assert store.conn.execute("SELECT source, campaign, custom_fields FROM leads").fetchall() == [
        ("Messe", "HMI", None), ("Messe", "HMI", None)]  # the ignored column is not kept
    out = tmp_path / "rej.csv"
    assert run.save_rejects(str(out)) == 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh))[1][:2] == ["4", "no phone, e-mail, name or company"]
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_confirmed_mapping_is_remembered(qtbot, store, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("c1,c2\nJane Roe,jane@roe.io\n", encoding="utf-8")
    wizard = make_wizard(qtbot, store, path)
    wizard.next()
    combos = wizard.mapping_page.combos
    assert not wizard.mapping_page.isComplete()  # nothing recognised: cannot go on
    combos[0].setCurrentIndex(combos[0].findData("full_name"))
    combos[1].setCurrentIndex(combos[1].findData("email"))
    assert wizard.mapping_page.isComplete()
    wizard.next()
    wizard.next()
    assert wizard.run_page.result.inserted == 1
    again = make_wizard(qtbot, store, path)
    assert again.plan.mapping_source == "profile"
    assert "already imported as batch 1" in again.preview_page.warning.text()
    again.next()
    assert [c.currentData() for c in again.mapping_page.combos] == ["full_name", "email"]


def test_unreadable_file_shows_message_and_blocks_next(qtbot, store, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    wizard = make_wizard(qtbot, store, path)
    assert "binary" in wizard.preview_page.warning.text()
    assert not wizard.preview_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_cancel_during_import_keeps_nothing(qtbot, store, tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("email\n" + "".join(f"p{i}@x.io\n" for i in range(50)), encoding="utf-8")
    wizard = make_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    run = wizard.run_page
    original = run.progress

    def cancel_on_first_report(done, total, message):
        original(done, total, message)
        assert "rows/s" in run.rate.text()
        run.cancel()

    run.progress = cancel_on_first_report
    wizard.details_page.options = lambda dry_run: __import__(
        "leadtriage.importing.service", fromlist=["ImportOptions"]).ImportOptions(chunk_size=10)
    wizard.next()
    assert run.result is None and "cancelled" in run.report.text().lower()
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0


def test_main_window_entry_points(qtbot, store, qsettings, tmp_path):
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.show()
    assert window.importing.import_action.shortcut().matches(Qt.Modifier.CTRL | Qt.Key.Key_O)
    assert window.importing.import_action in window.importing.toolbar.actions()
    qtbot.mouseClick(window.welcome.import_button, Qt.MouseButton.LeftButton)
    assert window.importing.wizard is not None and window.importing.wizard.isVisible()
    window.importing.wizard.reject()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(booth_file(tmp_path)))])
    # Offscreen Qt has no drag session, so QApplication will not route a synthetic drop;
    # hand the events to the window's filter the way Qt does during a real drag.
    enter = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    assert window.acceptDrops()
    assert window.importing.eventFilter(window, enter) and enter.isAccepted()
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "photo.jpg"))])
    refused = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, other, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier)
    assert not window.importing.eventFilter(window, refused)
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    assert window.importing.eventFilter(window, drop)
    wizard = window.importing.wizard
    assert wizard.plan is not None and wizard.plan.path.name == "messe.csv"
    wizard.next()
    wizard.next()
    wizard.next()
    assert wizard.run_page.result.inserted == 2
    assert window.stack.currentWidget() is window.splitter  # the queue shows the new leads
    assert window.views.counts["all"] == 2


def test_duplicates_review_merge_and_keep(qtbot, store, tmp_path):
    from leadtriage.importing.service import Importer

    importer = Importer(store)
    a = tmp_path / "a.csv"
    a.write_text("Name,Company,Email\nJohn Smith,Acme Inc,john@acme.com\nAnna Berg,Nord AB,anna@nord.se\n",
                 encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("Name,Company,Email\nJon Smith,ACME,jon@gmail.com\nAnna Bergh,Nord,ab@gmail.com\n", encoding="utf-8")
    importer.import_file(a)
    importer.import_file(b)
    dialog = DuplicatesDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list_model.rowCount() == 2
    rows = {dialog.compare_model.data(dialog.compare_model.index(r, 0)):
            (dialog.compare_model.data(dialog.compare_model.index(r, 1)),
             dialog.compare_model.data(dialog.compare_model.index(r, 2))) for r in range(dialog.compare_model.rowCount())}
    assert rows["First name"] == ("Jon", "John")
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert dialog.list_model.rowCount() == 1
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert dialog.list_model.rowCount() == 0 and dialog.empty.isVisible()
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 3


def test_history_undo(qtbot, store, tmp_path):
    from leadtriage.importing.service import Importer

    Importer(store).import_file(booth_file(tmp_path))
    dialog = ImportHistoryDialog(store)
    qtbot.addWidget(dialog)
    dialog.view.selectRow(0)
    assert dialog.undo_button.isEnabled()
    text = dialog.undo_selected(confirm=False)
    assert "removed 2 new leads" in text
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0
    dialog.view.selectRow(0)
    assert not dialog.undo_button.isEnabled()


def test_rows_model_passes_qtmodeltester(qtmodeltester):
    from leadtriage.ui.importing.models import RowsModel

    model = RowsModel(["Line", "Name", "Email"], [[2, "Jürgen", "j@x.de"], [3, "ragged"], [4, "x" * 500, None]])
    qtmodeltester.check(model)
    assert model.data(model.index(1, 2)) == ""  # ragged row: blank cell, not an error
    assert model.data(model.index(2, 1)).endswith("…")


def test_threaded_worker_path(qtbot, store, tmp_path):
    """The real thing: work on the thread pool with its own connection, results back on the UI thread."""
    worker = Worker()
    wizard = ImportWizard(store, worker, booth_file(tmp_path))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=10000)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.details_page.dry is not None, timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.run_page.result is not None, timeout=10000)
    assert wizard.run_page.result.inserted == 2
    assert worker.wait(5000)
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2


def test_import_asks_for_a_source_unless_a_column_holds_it(qtbot, store, tmp_path):
    """Issue 15 item 16: a list without a source showed as "(none)" on the dashboard."""
    wizard = make_wizard(qtbot, store, booth_file(tmp_path))
    wizard.next()
    wizard.next()
    details = wizard.details_page
    assert details.dry is not None and not details.isComplete()
    assert "Say where this list came from" in details.source_hint.text()
    assert not wizard.button(wizard.WizardButton.NextButton).isEnabled()
    details.source.setText("Trade show")
    assert details.isComplete() and details.source_hint.text() == ""


def test_hubspot_original_source_column_is_the_source(qtbot, store, tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_text("Record ID,First Name,Last Name,Email,Original Source\n"
                    "1,Ann,Lee,ann@lee.example.com,Organic Search\n"
                    "2,Bob,Ray,bob@ray.example.com,\n", encoding="utf-8")
    wizard = make_wizard(qtbot, store, path)
    wizard.next()
    assert wizard.mapping_page.targets()[4] == "source"
    wizard.next()
    details = wizard.details_page
    assert details.isComplete()  # the column holds the source; the box is the default for empty rows
    assert "source column" in details.source_hint.text()
    details.source.setText("HubSpot")
    wizard.next()
    assert dict(store.conn.execute("SELECT email, source FROM leads")) == {
        "ann@lee.example.com": "Organic Search", "bob@ray.example.com": "HubSpot"}


def test_damaged_line_is_shown_and_the_fixed_file_reads_again(qtbot, store, tmp_path):
    """A stray quote on line 60 (beyond the preview): the preview page names the line,
    shows it as written, and reads the file again once the user has fixed it."""
    rows = [f"Anna{i},Meyer{i},anna{i}@example.com\n" for i in range(100)]
    rows[58] = 'Anna58,"Meyer58,anna58@example.com\n'
    path = tmp_path / "list.csv"
    path.write_text("first_name,last_name,email\n" + "".join(rows), encoding="utf-8")
    wizard = make_wizard(qtbot, store, path)
    page = wizard.preview_page
    assert wizard.plan is None and not page.isComplete()
    assert "line 60" in page.warning.text() and "never closes" in page.warning.text()
    assert page.damaged.isVisible() and 'Anna58,"Meyer58,anna58@example.com' in page.damaged.text()
    assert page.damaged.textFormat() == Qt.TextFormat.PlainText
    rows[58] = "Anna58,Meyer58,anna58@example.com\n"
    path.write_text("first_name,last_name,email\n" + "".join(rows), encoding="utf-8")
    qtbot.mouseClick(page.read_again_button, Qt.MouseButton.LeftButton)
    assert wizard.plan is not None and page.isComplete() and not page.damaged.isVisible()
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_lines_read_as_cp1252_are_named_in_the_preview(qtbot, store, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"first_name,last_name,email\n" + "Jürgen,Müller,j@example.de\n".encode()
                     + "Jörg,Weiß,jw@example.de\n".encode("cp1252") + "Zoë,Brühl,zb@example.de\n".encode())
    wizard = make_wizard(qtbot, store, path)
    page = wizard.preview_page
    assert page.encoding.currentText() == "utf-8+cp1252"
    assert "1 line(s) are not valid UTF-8" in page.warning.text() and "line 3" in page.warning.text()
    assert page.model.data(page.model.index(0, 2)) == "Müller" and page.model.data(page.model.index(1, 2)) == "Weiß"
    # Changing the separator and back keeps the mixed reading (the box names it).
    page.encoding.activated.emit(page.encoding.currentIndex())
    assert wizard.plan is not None and wizard.plan.table.encoding == "utf-8+cp1252"


def test_check_page_counts_history_and_names_unknown_outcomes(qtbot, store, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("Email,Lead Source,Lead Status\na@a.example.com,Web,Closed - Converted\n"
                    "b@b.example.com,Web,Closed - Not Converted\nc@c.example.com,Web,Working - Contacted\n"
                    "d@d.example.com,Web,frobnicated\n", encoding="utf-8")
    wizard = make_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    text = wizard.details_page.summary.text()
    assert "history: 1 started a sales cycle, 1 did not" in text
    assert "1 enter the queue at their CRM stage" in text
    assert "line 5: unknown outcome 'frobnicated'" in text

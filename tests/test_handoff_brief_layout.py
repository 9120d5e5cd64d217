"""The printed brief as a field rep reads it: the pain points keep clear of the
buying plan beside them, and the history says which clock its times are on."""

from __future__ import annotations

import json

from leadtriage.handoff import render
from leadtriage.handoff.brief import collect_brief
from tests.conftest import FIXED_NOW
from tests.handoff_helpers import insert_lead

LONG_QUOTE = ("Our dispatchers re-plan every route by hand after each customer call and the planning "
              "spreadsheet breaks weekly; nobody trusts the numbers any more. ") * 3


def _cell_blocks(doc, anchor: str):
    """The text blocks of the table cell that holds `anchor`."""
    cursor = doc.find(anchor)
    assert not cursor.isNull(), anchor
    table = cursor.currentTable()
    cell = table.cellAt(cursor)
    block = doc.findBlock(cell.firstPosition())
    while block.isValid() and block.position() <= cell.lastPosition():
        yield block
        block = block.next()


def test_pain_points_leave_a_gap_before_the_buying_plan(store, qapp):
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPageLayout, QPdfWriter, QTextDocument, QTextOption

    from leadtriage.handoff import pdf

    lead = insert_lead(store, pain_points=json.dumps([{"tag": "Manual planning", "quote": LONG_QUOTE}]))
    brief = collect_brief(store.conn, lead, now=FIXED_NOW, rep_name="Alex Morgan")
    writer = QPdfWriter(str(store.path.parent / "probe.pdf"))
    writer.setResolution(pdf.RESOLUTION)
    writer.setPageLayout(QPageLayout(pdf.page_size_for("A4"), QPageLayout.Orientation.Portrait, pdf.MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    doc.setDefaultTextOption(option)
    doc.documentLayout().setPaintDevice(writer)
    rect = writer.pageLayout().paintRectPixels(pdf.RESOLUTION)
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.setHtml(render.render_pdf_html([brief]))
    layout = doc.documentLayout()
    pain_right = 0.0
    for block in _cell_blocks(doc, "Manual planning"):
        box = layout.blockBoundingRect(block)
        lines = block.layout()
        for i in range(lines.lineCount()):
            line = lines.lineAt(i)
            pain_right = max(pain_right, box.left() + line.x() + line.naturalTextWidth())
    plan_left = min(layout.blockBoundingRect(b).left() for b in _cell_blocks(doc, "BUYING PLAN"))
    gap_mm = (plan_left - pain_right) / pdf.RESOLUTION * 25.4
    del writer
    assert gap_mm >= 5, f"pain points end {gap_mm:.1f} mm before the buying plan"


def test_history_says_its_times_are_the_prospects_local_time(store):
    lead = insert_lead(store)  # Europe/Berlin; a call at 09:50 UTC
    brief = collect_brief(store.conn, lead, now=FIXED_NOW, rep_name="Alex Morgan")
    for text in (render.render_markdown(brief), render.render_html(brief), render.render_pdf_html([brief])):
        heading = text.split("10:50")[0].lower().rsplit("history", 1)[-1]
        assert "europe/berlin" in heading, heading
    utc = insert_lead(store, timezone=None, first_name="Utz")
    brief = collect_brief(store.conn, utc, now=FIXED_NOW, rep_name="Alex Morgan")
    md = render.render_markdown(brief)
    assert "utc" in md.split("09:50")[0].lower().rsplit("history", 1)[-1]

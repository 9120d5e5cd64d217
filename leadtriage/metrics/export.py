"""The dashboard's numbers to CSV and XLSX (pictures are the UI's job).

Spreadsheet safety: group names come from imported files, so any text cell that
starts with =, +, -, @, tab or CR is written with a leading apostrophe and can never
run as a formula."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from leadtriage.metrics.compute import STAGES, Dashboard

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


GROUP_COLUMNS = (
    ("group", "Group"), *((s, s.replace("_", " ").capitalize()) for s in STAGES),
    ("sales_cycle_starts", "Sales-cycle starts"), ("won_amount", "Won amount"), ("cost", "Cost"),
    ("cost_per_lead", "Cost per lead"), ("cost_per_qualified", "Cost per qualified"),
    ("cost_per_opportunity", "Cost per opportunity"), ("lead_to_opportunity", "Lead to opportunity"),
    *((f"{s}_rate", f"{s.replace('_', ' ').capitalize()} rate") for s in STAGES[1:]),
)


def group_rows(dash: Dashboard) -> list[list[Any]]:
    rows = []
    for g in [*dash.groups, dash.totals]:
        data = g.as_dict()
        data["group"] = g.label
        rows.append([safe_cell(data.get(key)) for key, _ in GROUP_COLUMNS])
    return rows


def _headers(currency: str) -> list[str]:
    """Column titles; the cost columns name the currency ("Cost per lead (EUR)")."""
    return [f"{label} ({currency})" if currency and (key.startswith("cost") or key == "won_amount") else label
            for key, label in GROUP_COLUMNS]


def write_csv(dash: Dashboard, path: str | Path, currency: str = "") -> Path:
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8 right
        out = csv.writer(fh)
        out.writerow([f"{dash.period.label} — by {dash.by or 'total'}"])
        out.writerow(_headers(currency))
        out.writerows(group_rows(dash))
    return path


def write_xlsx(dash: Dashboard, path: str | Path, currency: str = "") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    t = dash.totals
    summary = [
        ("Period", dash.period.label), ("Sales-cycle starts", t.sales_cycle_starts),
        *((s.replace("_", " ").capitalize(), getattr(t, s)) for s in STAGES),
        ("Cost", t.cost), ("Cost per lead", t.cost_per_lead), ("Cost per qualified lead", t.cost_per_qualified),
        ("Cost per opportunity", t.cost_per_opportunity), ("Unattributed spend", dash.unattributed_cost),
        ("Median time to first touch (min)", None if dash.speed.median_seconds is None
         else round(dash.speed.median_seconds / 60, 1)),
        ("Touched within 1 h", dash.speed.share_1h), ("Touched within 24 h", dash.speed.share_24h),
    ]
    if currency:
        summary.append(("Currency of costs", currency))
    for row in summary:
        ws.append([safe_cell(v) for v in row])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 28

    groups = wb.create_sheet(f"By {dash.by or 'total'}")
    groups.append(_headers(currency))
    for row in group_rows(dash):
        groups.append(row)
    for cell in groups[1]:
        cell.font = Font(bold=True)

    weekly = wb.create_sheet("Weekly starts")
    weekly.append(["Week starting", "Sales-cycle starts"])
    for p in dash.weekly:
        weekly.append([p.week, p.starts])

    activity = wb.create_sheet("Activity")
    activity.append(["Day", "Rep", "Dials", "Connects", "Conversations", "Meetings set"])
    for a in dash.activity:
        activity.append([a.day, safe_cell(a.rep), a.dials, a.connects, a.conversations, a.meetings_set])

    follow = wb.create_sheet("Needs follow-up")
    follow.append(["Field rep", "E-mail", "Lead ID", "Name", "Company", "Handed off (UTC)", "Business days waiting"])
    for group in dash.followups.values():
        for f in group.items:
            follow.append([safe_cell(v) for v in (f.field_rep, f.field_rep_email, f.public_id, f.name, f.company,
                                                  f.handed_off_at, f.business_days)])
    wb.save(path)
    return path

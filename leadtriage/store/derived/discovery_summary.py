"""`leads.discovery_summary`: the middle of a lead's CRM description, kept by SQLite.

A CRM export's description cell is the brief in one cell (`handoff.csv_export`):

    LeadTriage lead <ID>. Pain points: .... Motivations: .... Timeline: ...
    [. First meeting (UTC): <time>]. Report the outcome quoting <ID>.

Building the pain-point and buying-plan part means parsing two JSON fields, which
cost a CRM export half its time per row. So that part is computed once, when the
discovery fields change, by triggers in SQL (every writer is covered: the app,
undo, merges, a script) and stored; the export only joins it with the lead ID and
the meeting time.

The stored text is either exactly what the exporter's Python would build (from
". Pain points: ..." to the last buying-plan part; "" when there is nothing) or
NULL. NULL means "build it in Python": the fields hold a shape the SQL below does
not spell as Python does (non-text values, duplicate keys, escapes, NaN, ...) or the
text is too long to be safe from the cell limit. A test holds SQL and Python equal
on generated fields. Leads inserted without discovery fields (imports) keep NULL
too, without firing anything; the exporter reads that as "" (`EXPORT_TEXT`).
"""

from __future__ import annotations

# (key, label) of the buying-plan fields in the description, in order.
PLAN_PARTS = (("timeline", "Timeline"), ("budget_status", "Budget"), ("budget_range", "Budget range"),
              ("decision_process", "Decision process"), ("current_solution", "Current solution"))
MAX_LENGTH = 31000  # leaves room for the ID, meeting and closing under the 32,000-character cell limit
INPUTS = ("pain_points", "motivations", "buying_plan")


def _text_or_null(json_col: str, path: str) -> str:
    return f"ifnull(json_type({json_col}, '{path}'), 'null') IN ('text', 'null')"


def _json(col: str, kind: str) -> str:
    """`col` when it is JSON of `kind` that SQLite and Python read alike, else NULL.
    (No surrogate escapes: SQLite writes a lone one as bytes Python would refuse; no
    NUL escapes: SQLite's text functions stop at a NUL.)
    JSON functions only ever see this: SQLite may evaluate a trigger's subqueries
    before the conditions around them, and malformed JSON would fail the write."""
    return (f"(CASE WHEN typeof({col}) = 'text' AND json_valid({col}) AND {col} NOT GLOB '*\\u[dD][89abcdefABCDEF]*' AND instr({col}, '\\u0000') = 0 "
            f"AND json_type(CASE WHEN json_valid({col}) THEN {col} END) = '{kind}' THEN {col} END)")


def _json_ok(col: str, kind: str) -> str:
    """`col` is NULL, '' or JSON of `kind` (see `_json`)."""
    return f"({col} IS NULL OR {col} = '' OR {_json(col, kind)} IS NOT NULL)"


def _no_duplicates(json_col: str, keys: tuple[str, ...]) -> str:
    """Python keeps the last of duplicate keys, SQLite the first."""
    names = ", ".join(f"'{k}'" for k in keys)
    return (f"(SELECT count(*) = count(DISTINCT key) FROM json_each({json_col}) "
            f"WHERE key IN ({names}))")


_PAIN = "(CASE WHEN p.type = 'object' THEN p.value END)"  # one pain point, for JSON functions


def summary_sql(r: str) -> str:
    """SQL for lead row `r`'s (new / a table alias) discovery summary, or NULL."""
    pains, motivations, plan = (f"{r}.{c}" for c in INPUTS)
    pains_json, plan_json = _json(pains, "array"), _json(plan, "object")
    pain_ok = (
        f"{_json_ok(pains, 'array')} AND NOT EXISTS (SELECT 1 FROM json_each({pains_json}) p WHERE p.type != 'object' "
        f"OR NOT {_text_or_null(_PAIN, '$.tag')} OR NOT {_text_or_null(_PAIN, '$.quote')} "
        f"OR NOT {_no_duplicates(_PAIN, ('tag', 'quote'))})"
    )
    plan_keys = tuple(k for k, _ in PLAN_PARTS)
    plan_ok = (f"{_json_ok(plan, 'object')} AND (ifnull({plan}, '') = '' OR ("
               + " AND ".join(_text_or_null(plan_json, f"$.{k}") for k in plan_keys)
               + f" AND {_no_duplicates(plan_json, plan_keys)}))")
    # " | ".join("tag: quote".strip(": ")), as `_pains` in the exporter.
    pain_text = (f"(SELECT group_concat(trim(ifnull(json_extract({_PAIN}, '$.tag'), '') || ': ' "
                 f"|| ifnull(json_extract({_PAIN}, '$.quote'), ''), ': '), ' | ') FROM json_each({pains_json}) p)")
    plan_text = " || ".join(
        f"ifnull('. {label}: ' || rtrim(nullif(json_extract({plan_json}, '$.{key}'), ''), '. '), '')"
        for key, label in PLAN_PARTS
    )
    text = (
        f"CASE WHEN ifnull({pains}, '') = '' THEN '' "
        f"ELSE ifnull('. Pain points: ' || rtrim(nullif({pain_text}, ''), '. '), '') END"
        f" || ifnull('. Motivations: ' || rtrim(nullif({motivations}, ''), '. '), '')"
        f" || CASE WHEN ifnull({plan}, '') = '' THEN '' ELSE {plan_text} END"
    )
    ok = f"(typeof({motivations}) IN ('text', 'null') AND {pain_ok} AND {plan_ok})"
    return (f"(SELECT CASE WHEN length(s) <= {MAX_LENGTH} THEN s END FROM "
            f"(SELECT CASE WHEN {ok} THEN {text} END AS s))")


_CHANGED = " OR ".join(f"new.{c} IS NOT old.{c}" for c in INPUTS)
_GIVEN = " OR ".join(f"new.{c} IS NOT NULL" for c in INPUTS)


def ddl() -> list[str]:
    """The column's triggers (the migration and bulk loads use them)."""
    return [
        f"CREATE TRIGGER leads_discovery_summary_ai AFTER INSERT ON leads WHEN {_GIVEN} BEGIN "
        f"UPDATE leads SET discovery_summary = {summary_sql('new')} WHERE id = new.id; END",
        f"CREATE TRIGGER leads_discovery_summary_au AFTER UPDATE OF {', '.join(INPUTS)} ON leads WHEN {_CHANGED} "
        f"BEGIN UPDATE leads SET discovery_summary = {summary_sql('new')} WHERE id = new.id; END",
    ]


def rebuild_sql() -> str:
    """The missing summaries computed (after a bulk load without triggers, and by the
    migration that adds the column). Bulk loads insert leads, whose summaries are
    NULL; one that changed the discovery fields of existing leads would have to set
    their summaries to NULL as well. (Recomputing every summary instead would rewrite
    every worked lead on each big import.)"""
    given = " OR ".join(f"x.{c} IS NOT NULL" for c in INPUTS)
    return f"UPDATE leads AS x SET discovery_summary = {summary_sql('x')} WHERE x.discovery_summary IS NULL AND ({given})"


# What the exporter reads: the stored summary; "" for a lead without discovery fields
# (an imported lead never had its summary computed); NULL means Python builds it.
EXPORT_TEXT = ("coalesce(l.discovery_summary, CASE WHEN l.pain_points IS NULL AND l.motivations IS NULL "
               "AND l.buying_plan IS NULL THEN '' END)")

"""Leads scored in bulk (imports) get exactly the score the scorer gives each one."""

from tests.conftest import FIXED_NOW


def test_imported_leads_are_scored_like_the_scorer_scores_them(store, tmp_path):
    import json

    from leadtriage.importing.service import Importer, ImportOptions
    from leadtriage.scoring import rules_from_setting, score_lead

    path = tmp_path / "list.csv"
    path.write_text("First name,Last name,Company,Title,Email,Industry,Employees,Country\n"
                    "Ana,Lopez,Nordwind,VP Operations,ana@nordwind.example,Logistics,400,DE\n"
                    "Bo,Kim,Tiny,Intern,bo@tiny.example,Gaming,3,\n", encoding="utf-8")
    Importer(store, clock=lambda: FIXED_NOW).import_file(path, ImportOptions(source="Referral"))
    rules = rules_from_setting(None)
    cur = store.conn.execute("SELECT * FROM leads ORDER BY id")
    names = [d[0] for d in cur.description]
    leads = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for lead in leads:
        expected = score_lead(lead, rules, FIXED_NOW)
        assert (lead["score"], json.loads(lead["score_reasons"])) == (expected.value, list(expected.reasons))
    assert leads[0]["score"] > leads[1]["score"] > 0

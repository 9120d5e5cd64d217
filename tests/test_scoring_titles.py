"""Seniority from titles in the languages lead lists arrive in, and recency that
follows the prospect, not the rep's own unanswered dials."""

from datetime import UTC, datetime

import pytest

from leadtriage.scoring import rules_from_setting, score_lead
from leadtriage.services.leads import LeadService

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DEFAULTS = rules_from_setting({})


def _level(title: str) -> str:
    chips = score_lead({"title": title}, DEFAULTS, NOW).reasons
    return next((c.split()[0] for c in chips if c.split()[0] in ("Executive", "Director", "Manager")), "none")


@pytest.mark.parametrize(("title", "level"), [
    # German
    ("Geschäftsführer", "Executive"), ("Geschäftsführerin", "Executive"), ("GESCHAEFTSFUEHRER", "Executive"),
    ("Geschäftsführender Gesellschafter", "Executive"), ("Vorstand Finanzen", "Executive"),
    ("Inhaber", "Executive"), ("Leiter Logistik", "Director"), ("Leiterin Einkauf", "Director"),
    ("Vertriebsleiter", "Director"), ("Bereichsleiterin Operations", "Director"), ("Teamleiter Disposition", "Manager"),
    # French
    ("Directeur général", "Executive"), ("Directrice Générale", "Executive"), ("PDG", "Executive"),
    ("Président-directeur général", "Executive"), ("Gérant", "Executive"), ("Fondatrice", "Executive"),
    ("Directeur des opérations", "Director"), ("Directrice logistique", "Director"),
    ("Responsable logistique", "Manager"), ("Chef de projet", "Manager"),
    # Spanish
    ("Director General", "Executive"), ("Directora General", "Executive"), ("Consejero Delegado", "Executive"),
    ("Presidente", "Executive"), ("Fundador", "Executive"), ("Directora de Operaciones", "Director"),
    ("Jefe de Compras", "Manager"), ("Responsable de Almacén", "Manager"), ("Gerente de Ventas", "Manager"),
    # English still as before, and no false friends
    ("CEO", "Executive"), ("VP Operations", "Executive"), ("Head of Logistics", "Director"),
    ("Operations Manager", "Manager"), ("Dispatcher", "none"),
])
def test_titles_score_as_their_seniority(title, level):
    assert _level(title) == level


def test_a_custom_word_with_accents_matches_with_or_without_them():
    rules = rules_from_setting({"seniority": {"3": ["Bürgermeister"], "2": ["*chef"]}})
    assert "Executive +20" in score_lead({"title": "Buergermeister"}, rules, NOW).reasons
    assert "Director +13" in score_lead({"title": "Küchenchef"}, rules, NOW).reasons


def test_a_no_answer_dial_does_not_raise_the_score(store, make_lead):
    make_lead(1, first_name="Ana", last_name=None, company="Acme", phone="+12125550001", score=0, attempts=0,
              connects=0, created_at="2026-09-01 10:00:00", updated_at="2026-09-01 10:00:00")
    svc = LeadService(store, rep="Alex", clock=lambda: NOW)
    svc.update(1, {"source": "Webinar"}, "Edit source")
    before = svc.get(1)["score"]
    svc.log_call(1, "no_answer")
    after = svc.get(1)
    assert after["attempts"] == 1 and after["score"] == before
    assert "Recent" not in after["score_reasons"]
    svc.log_call(1, "conversation")  # the prospect talked to us today: that is recent
    assert "Recent +10" in svc.get(1)["score_reasons"]

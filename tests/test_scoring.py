"""The score, computed by hand from the default rules."""

from datetime import UTC, datetime

from leadtriage.scoring import rules_from_setting, score_lead

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DEFAULTS = rules_from_setting({})


def test_a_lead_in_profile():
    lead = {"industry": "Logistics", "employees": 300, "title": "VP Operations", "country": "US",
            "source": "Referral", "connects": 1, "attempts": 2, "last_touch_at": "2026-11-20 09:00:00",
            "created_at": "2026-11-01 10:00:00"}
    s = score_lead(lead, DEFAULTS, NOW)
    # 15 industry + 15 size + 20 executive + 10 country + 15 referral + 5 one connect + 10 recent
    assert s.value == 90
    assert s.reasons == ("Executive +20", "Logistics +15", "300 staff +15", "Referral +15", "US +10",
                         "Recent +10", "Reached 1× +5")


def test_a_weak_lead_with_penalty_never_goes_below_zero():
    lead = {"industry": "Gaming", "employees": 8, "title": "Intern", "country": "BR", "source": "List vendor",
            "attempts": 5, "connects": 0, "created_at": "2026-01-01 00:00:00"}
    s = score_lead(lead, DEFAULTS, NOW)
    # 2 list vendor - 5 for five unanswered tries -> -3 -> clamped to 0
    assert s.value == 0
    assert s.reasons == ("5 tries, no answer −5", "List vendor +2")


def test_partial_points_for_big_companies_and_directors():
    lead = {"employees": 9000, "title": "Director of IT", "created_at": "2026-11-10 00:00:00"}
    s = score_lead(lead, DEFAULTS, NOW)
    # 7.5 (half of 15) + 13.33 (2/3 of 20) + 5 (this month) = 25.83
    assert s.value == 26
    assert s.reasons == ("Director +13", "9,000 staff +8", "This month +5")


def test_rules_and_weights_from_the_setting():
    rules = rules_from_setting({"industries": ["Gaming"], "industry_points": 30,
                                "weights": {"fit": 2.0, "interest": 0, "activity": 1}})
    lead = {"industry": "gaming", "source": "Referral", "created_at": "2026-11-23 00:00:00"}
    s = score_lead(lead, rules, NOW)
    assert s.value == 70  # 30 x 2 + referral x 0 + recent 10
    assert s.reasons == ("gaming +60", "Recent +10")


def test_bad_setting_values_fall_back_and_are_reported():
    rules = rules_from_setting({"industry_points": "lots", "employees_min": 5000, "employees_max": 10,
                                "sources": ["x"]})
    assert rules.industry_points == 15 and rules.employees_min == 100
    assert len(rules.problems) == 3
    assert score_lead({"source": "Referral"}, rules, NOW).value == 15


def test_score_is_capped_at_100():
    rules = rules_from_setting({"weights": {"fit": 3, "interest": 3, "activity": 3}})
    lead = {"industry": "Retail", "employees": 500, "title": "CEO", "country": "DE", "source": "Web form"}
    assert score_lead(lead, rules, NOW).value == 100

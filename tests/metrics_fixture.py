"""A small hand-built database whose metrics are worked out by hand in the tests."""

from __future__ import annotations

from datetime import date

from leadtriage.domain.public_id import format_public_id

PERIOD = (date(2026, 11, 1), date(2026, 11, 23))


def add_lead(store, lead_id, *, created, source=None, campaign=None, batch_id=None, status="new", attempts=0,
             connects=0, first_touch=None, qualified_at=None, owner="Alex", email=None):
    store.db["leads"].insert({
        "id": lead_id, "public_id": format_public_id(lead_id), "first_name": f"First{lead_id}", "last_name": "Lead",
        "company": f"Company {lead_id}", "email": email or f"lead{lead_id}@example.com", "source": source,
        "campaign": campaign, "batch_id": batch_id, "status": status, "attempts": attempts, "connects": connects,
        "first_touch_at": first_touch, "qualified_at": qualified_at, "owner": owner, "created_at": created,
        "updated_at": created,
    })


def add_handoff(store, lead_id, *, handed, outcome="pending", opportunity_at=None, outcome_at=None, amount=None,
                field_rep="Dana Field", field_rep_id=None):
    return store.db["handoffs"].insert({
        "lead_id": lead_id, "field_rep": field_rep, "field_rep_id": field_rep_id, "handed_off_at": handed,
        "outcome": outcome, "opportunity_at": opportunity_at, "outcome_at": outcome_at, "amount": amount,
    }).last_pk


def add_call(store, lead_id, when, disposition, rep):
    store.db["activities"].insert({"lead_id": lead_id, "kind": "call", "disposition": disposition,
                                   "occurred_at": when, "rep": rep})


def build(store):
    with store.transaction() as db:
        db["field_reps"].insert({"id": 1, "name": "Dana Field", "email": "dana@example.com"})
        db["campaigns"].insert_all([
            {"name": "Expo", "source": "Trade show", "cost": 1000.0},
            {"name": "Webinar", "source": "Webinar", "cost": 300.0},
        ])
        db["import_batches"].insert_all([
            {"id": 1, "file_name": "expo.csv", "source": "Trade show", "campaign": "Expo", "cost": 600.0},
            {"id": 2, "file_name": "list.csv", "source": "List vendor", "campaign": None, "cost": 200.0},
            {"id": 3, "file_name": "web.csv", "source": "Webinar", "campaign": "Webinar", "cost": None},
            # an undone batch: its cost is not spend any more
            {"id": 4, "file_name": "oops.csv", "source": "List vendor", "cost": 999.0, "undone_at": "2026-11-02 00:00:00"},
        ])
        ts = dict(source="Trade show", campaign="Expo", batch_id=1)
        add_lead(store, 1, created="2026-11-02 09:00:00", status="won", attempts=2, connects=1,
                 first_touch="2026-11-02 09:30:00", qualified_at="2026-11-05 10:00:00", **ts)
        add_lead(store, 2, created="2026-11-03 09:00:00", status="handed_off", attempts=1, connects=1,
                 first_touch="2026-11-03 11:00:00", qualified_at="2026-11-06 10:00:00", **ts)
        add_lead(store, 3, created="2026-11-04 09:00:00", status="attempting", attempts=1,
                 first_touch="2026-11-05 15:00:00", **ts)
        add_lead(store, 4, created="2026-11-20 09:00:00", **ts)  # untouched, 3 days old
        add_lead(store, 5, created="2026-10-10 09:00:00", status="opportunity", attempts=1, connects=1,
                 first_touch="2026-10-10 10:00:00", qualified_at="2026-10-20 10:00:00", **ts)
        lv = dict(source="List vendor", batch_id=2)
        add_lead(store, 6, created="2026-11-05 09:00:00", status="rejected", attempts=3, connects=1,
                 first_touch="2026-11-05 09:10:00", qualified_at="2026-11-07 10:00:00", **lv)
        add_lead(store, 7, created="2026-11-23 08:00:00", **lv)  # untouched, today
        add_lead(store, 8, created="2026-11-06 09:00:00", source="Webinar", campaign="Webinar", batch_id=3,
                 status="accepted", attempts=1, connects=1, first_touch="2026-11-06 09:50:00",
                 qualified_at="2026-11-08 10:00:00", owner="Sam")
        # outside the cohort, for follow-ups only
        add_lead(store, 9, created="2026-10-01 09:00:00", source="Referral", status="handed_off", attempts=1,
                 connects=1, first_touch="2026-10-01 10:00:00", qualified_at="2026-10-02 10:00:00")
        add_lead(store, 10, created="2026-10-01 09:00:00", source="Referral", status="handed_off", attempts=1,
                 connects=1, first_touch="2026-10-01 10:00:00", qualified_at="2026-10-02 10:00:00")

        add_handoff(store, 1, handed="2026-11-05 12:00:00", outcome="won", opportunity_at="2026-11-18 10:00:00",
                    outcome_at="2026-11-20 10:00:00", amount=5000.0, field_rep_id=1)
        add_handoff(store, 2, handed="2026-11-09 12:00:00", field_rep_id=1)  # pending, 10 business days
        add_handoff(store, 5, handed="2026-10-21 12:00:00", outcome="opportunity", opportunity_at="2026-11-10 10:00:00",
                    outcome_at="2026-11-10 10:00:00", amount=9000.0)
        add_handoff(store, 6, handed="2026-11-08 12:00:00", outcome="rejected", outcome_at="2026-11-09 12:00:00")
        add_handoff(store, 8, handed="2026-11-08 12:00:00", outcome="rejected", outcome_at="2026-11-09 12:00:00",
                    field_rep="Lee Field")
        add_handoff(store, 8, handed="2026-11-12 12:00:00", outcome="accepted", outcome_at="2026-11-13 12:00:00",
                    field_rep="Lee Field")
        add_handoff(store, 9, handed="2026-11-16 10:00:00", field_rep="Lee Field")  # Mon: 5 business days -> flagged
        add_handoff(store, 10, handed="2026-11-17 10:00:00", field_rep="Lee Field")  # Tue: 4 -> not yet

        add_call(store, 1, "2026-11-18 10:00:00", "no_answer", "Alex")
        add_call(store, 1, "2026-11-18 11:00:00", "conversation", "Alex")
        add_call(store, 2, "2026-11-18 12:00:00", "meeting_set", "Alex")
        add_call(store, 8, "2026-11-19 10:00:00", "voicemail", "Sam")
        add_call(store, 8, "2026-11-19 11:00:00", "callback", "Sam")
        add_call(store, 5, "2026-10-19 11:00:00", "conversation", "Sam")  # outside the period

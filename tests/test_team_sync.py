"""Team sync against a real PostgreSQL: what a rep and a manager notice."""

from __future__ import annotations

import json

import psycopg
import pytest

from leadtriage.demo import generate
from leadtriage.domain.public_id import format_public_id
from leadtriage.importing.model import ImportOptions
from leadtriage.importing.service import Importer
from leadtriage.leadwork.leads import LeadService
from leadtriage.store.sync_outbox import BLOCK
from leadtriage.sync import admin, engine
from leadtriage.sync.errors import AccessRevoked, TeamError

pytestmark = pytest.mark.usefixtures("memory_keyring")


def _team_with_leads(team, n=30):
    mgr, alice, bob = team.add("mona", "manager"), team.add("alice"), team.add("bob")
    m = team.laptop(mgr)
    generate(m, leads=n, seed=5)
    engine.sync(m)
    with team.sql(mgr) as c:
        admin.assign(c, "round-robin")
    la, lb = team.laptop(alice), team.laptop(bob)
    engine.sync(la)
    engine.sync(lb)
    return (mgr, m), (alice, la), (bob, lb)


def _lead_state(store, lead_id):
    row = store.conn.execute(
        "SELECT first_name, company, status, owner, notes FROM leads WHERE id = ?", (lead_id,)).fetchone()
    acts = store.conn.execute("SELECT count(*) FROM activities WHERE lead_id = ?", (lead_id,)).fetchone()[0]
    return row, acts


def test_assignment_reaches_each_rep_and_their_edits_reach_the_manager(team):
    (mgr, m), (alice, la), (bob, lb) = _team_with_leads(team)
    a_ids = {r[0] for r in la.conn.execute("SELECT id FROM leads")}
    b_ids = {r[0] for r in lb.conn.execute("SELECT id FROM leads")}
    assert a_ids and b_ids and not (a_ids & b_ids)
    assert {r[0] for r in la.conn.execute("SELECT DISTINCT owner FROM leads")} == {alice}
    lead = min(a_ids)
    # A rep's work: a field edit and a logged note, then sync.
    la.conn.execute("UPDATE leads SET company = 'Acme Renamed' WHERE id = ?", (lead,))
    LeadService(la).log_activity(lead, "note", notes="called back, wants a demo")
    engine.sync(la)
    engine.sync(m)
    assert _lead_state(m, lead) == _lead_state(la, lead)
    assert m.conn.execute("SELECT count(*) FROM activities WHERE notes = 'called back, wants a demo'").fetchone()[0] == 1
    assert engine.status(la)["waiting"] == 0


def test_a_repeated_push_after_a_crash_changes_nothing_twice(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    LeadService(la).log_activity(lead, "note", notes="once")
    pending = la.conn.execute("SELECT * FROM sync_outbox").fetchall()
    conn = engine.open_connection(la)
    first = engine.push(la, conn)
    # The crash: the server committed, the laptop never dropped its outbox rows.
    with la.transaction():
        la.conn.executemany("INSERT INTO sync_outbox VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pending)
    again = engine.push(la, conn)
    conn.close()
    assert first["applied"] == len(pending) and again == {**again, "applied": 0, "already": len(pending)}
    with team.owner() as c:
        n = c.execute("SELECT count(*) FROM lt.activities WHERE data->>'notes' = 'once'").fetchone()[0]
    assert n == 1


def test_public_ids_stay_unique_across_laptops(team, tmp_path):
    alice, bob = team.add("alice"), team.add("bob")
    la, lb = team.laptop(alice), team.laptop(bob)
    csv = tmp_path / "list.csv"
    csv.write_text("first_name,last_name,company,email\nAna,Li,Foo,ana@foo.example\nBo,Ek,Bar,bo@bar.example\n")
    for store in (la, lb):
        Importer(store).import_file(csv, ImportOptions(source="fair"))
    a = {r[0] for r in la.conn.execute("SELECT public_id FROM leads")}
    b = {r[0] for r in lb.conn.execute("SELECT public_id FROM leads")}
    assert len(a) == 2 and len(b) == 2 and not (a & b)
    # Each public ID is still the one its row ID prints (briefs and --ids rely on it).
    for store in (la, lb):
        for rid, pid in store.conn.execute("SELECT id, public_id FROM leads"):
            assert pid == format_public_id(rid) and rid >= BLOCK
    engine.sync(la)
    engine.sync(lb)
    with team.owner() as c:
        assert c.execute("SELECT count(DISTINCT public_id) FROM lt.leads").fetchone()[0] == 4


def test_claim_hands_distinct_pool_leads_to_reps_claiming_at_once(team):
    import threading

    mgr = team.add("mona", "manager")
    reps = [team.add(f"r{i}") for i in range(4)]
    m = team.laptop(mgr)
    generate(m, leads=60, seed=9)
    engine.sync(m)
    laptops = [team.laptop(r) for r in reps]
    results: dict[str, list[str]] = {}
    errors = []

    def go(store, login):
        try:
            store2 = store.for_worker()
            results[login] = engine.claim(store2, 8)["public_ids"]
            store2.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(s, r)) for s, r in zip(laptops, reps, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    claimed = [pid for ids in results.values() for pid in ids]
    assert len(claimed) == len(set(claimed)) > 0
    for store, login in zip(laptops, reps, strict=True):
        got = {r[0] for r in store.conn.execute("SELECT public_id FROM leads")}
        assert got == set(results[login])


def test_territory_rule_sends_leads_to_the_rep_of_their_country(team):
    mgr, de, fr = team.add("mona", "manager"), team.add("de"), team.add("fr")
    m = team.laptop(mgr)
    generate(m, leads=80, seed=2)
    engine.sync(m)
    with team.sql(mgr) as c:
        admin.set_territory(c, de, ["DE"], None)
        admin.set_territory(c, fr, ["FR"], 5)
    with team.sql(mgr) as c:
        result = admin.assign(c, "territory")
    with team.owner() as c:
        rows = c.execute("SELECT owner, data->>'country' FROM lt.leads WHERE owner IS NOT NULL").fetchall()
    assert result["assigned"] == len(rows) > 0
    assert all((owner == de and country == "DE") or (owner == fr and country == "FR") for owner, country in rows)
    assert result["per_rep"][fr] == 5  # the cap
    with team.sql(de) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        admin.set_territory(c, de, ["US"], None)


def test_edits_on_two_laptops_offline_with_clocks_an_hour_apart_end_the_same_everywhere(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    lead = la.conn.execute("SELECT min(id) FROM leads WHERE status = 'new'").fetchone()
    lead = lead[0] or la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    la.conn.execute("UPDATE sync_clock SET skew_ms = 3600000")  # Alice's clock runs an hour ahead
    # Both offline: the manager edits first (real time), Alice later but with her fast clock.
    m.conn.execute("UPDATE leads SET company = 'Manager Co', notes = 'from mona' WHERE id = ?", (lead,))
    la.conn.execute("UPDATE leads SET company = 'Alice Co' WHERE id = ?", (lead,))
    engine.sync(m)
    engine.sync(la)
    engine.sync(m)
    engine.sync(la)
    with team.owner() as c:
        server = c.execute("SELECT data->>'company', data->>'notes' FROM lt.leads WHERE id = %s", (lead,)).fetchone()
    # Later hybrid-clock time wins per field; the untouched field keeps the other edit.
    assert server == ("Alice Co", "from mona")
    for store in (m, la):
        assert store.conn.execute("SELECT company, notes FROM leads WHERE id = ?", (lead,)).fetchone() == server
    # The overwritten value stays in the lead's timeline, on both laptops.
    for store in (m, la):
        notes = [r[0] for r in store.conn.execute(
            "SELECT notes FROM activities WHERE lead_id = ? AND kind = 'note'", (lead,))]
        assert any("Manager Co" in n and "overwritten" in n for n in notes), notes


def test_incompatible_status_moves_are_resolved_alike_and_listed_as_conflicts(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    for store in (m, la):
        store.conn.execute("UPDATE leads SET status = 'engaged' WHERE id = ?", (lead,))
    engine.sync(la)
    engine.sync(m)
    engine.sync(la)
    # Offline: Alice qualifies it, the manager disqualifies it (later).
    la.conn.execute("UPDATE leads SET status = 'qualified' WHERE id = ?", (lead,))
    m.conn.execute("UPDATE leads SET status = 'disqualified', status_reason = 'no budget' WHERE id = ?", (lead,))
    engine.sync(la)
    engine.sync(m)
    engine.sync(la)
    with team.owner() as c:
        server_status = c.execute("SELECT status FROM lt.leads WHERE id = %s", (lead,)).fetchone()[0]
    assert server_status == "disqualified"
    for store in (m, la):
        assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == server_status
        conflicts = store.conn.execute("SELECT field, kept, lost FROM sync_conflicts WHERE lead_id = ?", (lead,)).fetchall()
        assert ("status", json.dumps("disqualified"), json.dumps("qualified")) in conflicts
        assert engine.status(store)["conflicts"] >= 1


def test_a_move_the_rules_forbid_is_refused_by_the_server(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    lead, status = la.conn.execute(
        "SELECT id, status FROM leads WHERE status IN ('new', 'attempting', 'engaged') ORDER BY id").fetchone()
    la.conn.execute("UPDATE leads SET status = 'won' WHERE id = ?", (lead,))  # straight to won: not allowed
    engine.sync(la)
    assert la.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == status
    with team.owner() as c:
        assert c.execute("SELECT status FROM lt.leads WHERE id = %s", (lead,)).fetchone()[0] == status


def test_removing_a_rep_returns_their_open_leads_and_locks_their_laptop_out(team):
    (mgr, m), (alice, la), (bob, lb) = _team_with_leads(team, n=20)
    open_before = la.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    with team.sql(mgr) as c:
        result = admin.remove_user(c, alice)
    assert result["leads_returned_to_pool"] == open_before > 0
    with team.owner() as c:
        assert c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s", (alice,)).fetchone()[0] == 0
    la.conn.execute("UPDATE leads SET notes = 'offline work' WHERE id = (SELECT min(id) FROM leads)")
    with pytest.raises(AccessRevoked, match="no longer lets"):
        engine.sync(la)
    st = engine.status(la)
    assert st["waiting"] == 1 and "no longer lets" in st["last_error"]
    # Bob can now claim what Alice had, with its whole history.
    history = {r[0]: r[1] for r in m.conn.execute(
        "SELECT lead_id, count(*) FROM activities GROUP BY lead_id")}
    got = engine.claim(lb, open_before)
    assert got["claimed"] == open_before
    for lead_id, n in lb.conn.execute("SELECT lead_id, count(*) FROM activities GROUP BY lead_id"):
        assert n == history[lead_id]


def test_join_refuses_a_password_in_the_url_and_a_newer_server(team, tmp_path):
    from leadtriage.safety.opening import open_store

    alice = team.add("alice")
    with open_store(tmp_path / "x.db") as store:
        with pytest.raises(TeamError, match="not in the URL"):
            engine.join(store, team.server.url(alice, team.db, "secret"))
        with team.owner() as c:
            c.execute("UPDATE lt.meta SET value = '999' WHERE key = 'schema_version'")
        with pytest.raises(TeamError, match="newer than this LeadTriage"):
            engine.join(store, team.url(alice), password=team.passwords[alice])
        assert not engine.joined(store)
    with pytest.raises(TeamError, match="newer than this LeadTriage"):
        admin.init_team(team.owner_url, password=team.server.password)


def test_the_password_lives_in_the_keyring_not_in_the_database(team, memory_keyring):
    alice = team.add("alice")
    la = team.laptop(alice)
    secret = team.passwords[alice]
    assert secret in memory_keyring.items.values()
    la.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert secret.encode() not in la.path.read_bytes()
    engine.sync(la)  # no password given: it comes from the keyring


def test_a_remote_server_needs_verified_tls():
    from leadtriage.sync.connect import checked_params

    p = checked_params("postgresql://alice@db.example.com/team")
    assert p["sslmode"] == "verify-full"
    with pytest.raises(TeamError, match="verify-full"):
        checked_params("postgresql://alice@db.example.com/team?sslmode=require")
    assert "sslmode" not in checked_params("postgresql://alice@127.0.0.1:5432/team")


def test_the_status_line_and_the_managers_team_view(team):
    from datetime import UTC, datetime, timedelta

    from leadtriage.sync import service

    (mgr, m), (alice, la), (bob, lb) = _team_with_leads(team, n=30)
    assert service.summary(la).line(datetime.now(UTC)) == "synced just now"
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    calls_before = {r.rep: r.calls_today for r in service.team_view(m)}
    svc = LeadService(la)
    svc.log_activity(lead, "call", disposition="connected")
    svc.log_activity(lead, "note", notes="x")
    later = datetime.now(UTC) + timedelta(minutes=2, seconds=5)
    assert service.summary(la).line(later) == "synced 2 min ago · 2 changes waiting"
    engine.sync(la)
    rows = {r.rep: r for r in service.team_view(m)}
    assert set(rows) == {alice, bob}
    with team.owner() as c:
        open_alice = c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s AND status = ANY(%s)",
                               (alice, ["new", "attempting", "engaged", "rejected", "nurture"])).fetchone()[0]
    assert rows[alice].open_leads == open_alice
    assert rows[alice].calls_today == calls_before[alice] + 1
    assert rows[bob].calls_today == calls_before[bob]
    assert [r.rep for r in service.team_view(la)] == [alice]  # a rep's login sees only their own line


def test_offline_is_said_in_the_status_line(team):
    from datetime import UTC, datetime

    from leadtriage.sync import service

    alice = team.add("alice")
    la = team.laptop(alice)
    la.conn.execute("UPDATE sync_state SET value = ? WHERE key = 'server'",
                    (json.dumps({**engine.saved_params(la), "port": "1"}),))
    got = service.sync_now(la)
    assert got.offline and got.line(datetime.now(UTC)).startswith("offline")


def test_an_outcome_imported_by_the_manager_reaches_the_rep_whose_lead_it_was(team):
    from leadtriage.outcomes import record_outcome

    (mgr, m), (alice, la), _ = _team_with_leads(team, n=20)
    lead = la.conn.execute("SELECT min(id) FROM leads WHERE status IN ('new', 'attempting')").fetchone()[0]
    for status in ("engaged", "qualified", "handed_off"):
        la.conn.execute("UPDATE leads SET status = ? WHERE id = ?", (status, lead))
    la.conn.execute("INSERT INTO handoffs (lead_id, field_rep, handed_off_at, outcome) "
                    "VALUES (?, 'Dana Field', '2026-11-20T10:00:00Z', 'pending')", (lead,))
    engine.sync(la)
    engine.sync(m)
    assert m.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "handed_off"
    record_outcome(m, lead, "accepted", rep="mona")
    engine.sync(m)
    engine.sync(la)
    assert la.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "accepted"
    assert la.conn.execute("SELECT outcome FROM handoffs WHERE lead_id = ?", (lead,)).fetchone()[0] == "accepted"
    assert la.conn.execute("SELECT count(*) FROM activities WHERE lead_id = ? AND kind = 'outcome'",
                           (lead,)).fetchone()[0] == 1


def test_a_laptop_gets_a_new_block_of_lead_ids_before_its_block_runs_out(team, monkeypatch):
    alice = team.add("alice")
    la = team.laptop(alice)
    (start, stop), = la.conn.execute("SELECT start, stop FROM sync_id_blocks").fetchall()
    monkeypatch.setattr(engine, "REFILL_BELOW", BLOCK)  # as if this block were nearly used up
    engine.sync(la)
    blocks = la.conn.execute("SELECT start, stop FROM sync_id_blocks ORDER BY start").fetchall()
    assert len(blocks) == 2 and blocks[1][0] >= stop
    from leadtriage.store.sync_outbox import next_lead_id

    assert next_lead_id(la.conn) == blocks[1][0]


def test_a_lead_column_added_by_a_later_migration_syncs_too(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    for store in (m, la):  # what a later schema step by another feature would do
        store.conn.execute("ALTER TABLE leads ADD COLUMN linkedin_headline TEXT")
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    engine.sync(la)  # the triggers learn the new column
    la.conn.execute("UPDATE leads SET linkedin_headline = 'VP Ops at Foo' WHERE id = ?", (lead,))
    engine.sync(la)
    engine.sync(m)
    assert m.conn.execute("SELECT linkedin_headline FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "VP Ops at Foo"


def test_an_import_undone_on_a_laptop_leaves_the_team_too(team, tmp_path):
    mgr, alice = team.add("mona", "manager"), team.add("alice")
    m, la = team.laptop(mgr), team.laptop(alice)
    csv = tmp_path / "list.csv"
    csv.write_text("first_name,company,email\nAna,Foo,ana@foo.example\nBo,Bar,bo@bar.example\n")
    result = Importer(la).import_file(csv, ImportOptions(source="fair"))
    engine.sync(la)
    engine.sync(m)
    assert m.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2
    assert Importer(la).undo_batch(result.batch_id).removed == 2
    engine.sync(la)
    engine.sync(m)
    with team.owner() as c:
        assert c.execute("SELECT count(*) FROM lt.leads").fetchone()[0] == 0
    for store in (m, la):
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0
        assert store.integrity_check() == ["ok"]


def test_reassigning_moves_a_lead_with_its_whole_history(team, capsys):
    from leadtriage.cli import main

    (mgr, m), (alice, la), (bob, lb) = _team_with_leads(team, n=20)
    lead, public_id = la.conn.execute("SELECT id, public_id FROM leads ORDER BY id").fetchone()
    LeadService(la).log_activity(lead, "note", notes="alice's notes travel with the lead")
    engine.sync(la)
    history = la.conn.execute("SELECT gid, kind, notes FROM activities WHERE lead_id = ? ORDER BY gid",
                              (lead,)).fetchall()
    code = main(["team", "reassign", public_id, "--to", bob, "--db", str(m.path), "--json"])
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out) == {"public_id": public_id, "owner": bob}
    engine.sync(lb)
    engine.sync(la)
    assert lb.conn.execute("SELECT owner FROM leads WHERE id = ?", (lead,)).fetchone()[0] == bob
    assert lb.conn.execute("SELECT gid, kind, notes FROM activities WHERE lead_id = ? ORDER BY gid",
                           (lead,)).fetchall() == history
    assert la.conn.execute("SELECT count(*) FROM leads WHERE id = ?", (lead,)).fetchone()[0] == 0
    assert la.integrity_check() == ["ok"]
    code = main(["team", "reassign", public_id, "--to", bob, "--db", str(la.path)])
    assert code == 2 and "refused" in capsys.readouterr().err  # a rep cannot reassign


def test_the_managers_stats_by_rep_cover_the_whole_team(team, capsys):
    from leadtriage.cli import main

    (mgr, m), (alice, la), (bob, lb) = _team_with_leads(team, n=40)
    engine.sync(m)
    path = m.path
    m.close()
    team.stores.remove(m)
    code = main(["stats", "--by", "rep", "--db", str(path), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    payload = json.loads(out)
    groups = {g.get("key") or g.get("label"): g for g in payload["groups"]}
    assert {alice, bob} <= set(groups)
    with team.owner() as c:
        per_rep = dict(c.execute("SELECT owner, count(*) FROM lt.leads WHERE owner IS NOT NULL GROUP BY owner"))
    assert groups[alice]["leads"] == per_rep[alice] and groups[bob]["leads"] == per_rep[bob]


def test_a_local_rescore_is_not_a_team_edit(team):
    (mgr, m), (alice, la), _ = _team_with_leads(team, n=10)
    la.conn.execute("UPDATE leads SET score = score + 1, score_reasons = '[\"x\"]'")
    assert engine.status(la)["waiting"] == 0
    la.conn.execute("UPDATE leads SET score_pinned = 90 WHERE id = (SELECT min(id) FROM leads)")
    assert engine.status(la)["waiting"] == 1  # a rep's pinned priority is their choice: it syncs

"""Who sees what is enforced by the server: a rep's own credentials and plain SQL."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.json import Jsonb

from leadtriage.demo import generate
from leadtriage.sync import admin, engine

pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture
def crew(team):
    mgr, alice, bob = team.add("mona", "manager"), team.add("alice"), team.add("bob")
    m = team.laptop(mgr)
    generate(m, leads=30, seed=4)
    engine.sync(m)
    with team.sql(mgr) as c:
        admin.assign(c, "round-robin")
    return team, mgr, alice, bob


def test_a_rep_reads_only_their_own_leads_and_history(crew):
    team, mgr, alice, bob = crew
    with team.owner() as c:
        bobs = c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s", (bob,)).fetchone()[0]
        alices = c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s", (alice,)).fetchone()[0]
        bob_acts = c.execute("SELECT count(*) FROM lt.activities a JOIN lt.leads l ON l.id = a.lead_id "
                             "WHERE l.owner = %s", (bob,)).fetchone()[0]
    assert bobs > 0 and alices > 0 and bob_acts > 0
    with team.sql(alice) as c:
        assert c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s", (bob,)).fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM lt.leads").fetchone()[0] == alices
        assert c.execute("SELECT count(*) FROM lt.leads WHERE owner IS NULL").fetchone()[0] == 0  # the pool too
        assert c.execute("SELECT count(*) FROM lt.activities a WHERE NOT lt.owns(a.lead_id)").fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM lt.feed WHERE owner = %s OR owner IS NULL", (bob,)).fetchone()[0] == 0
        # Dropping to the group role shows nothing more.
        c.execute(f'SET ROLE "{team.db}_reps"')
        assert c.execute("SELECT count(*) FROM lt.leads").fetchone()[0] == 0
    with team.sql(mgr) as c:
        assert c.execute("SELECT count(*) FROM lt.leads WHERE owner = %s", (bob,)).fetchone()[0] == bobs


@pytest.mark.parametrize("sql", [
    "UPDATE lt.feed SET payload = '{}'",
    "DELETE FROM lt.feed",
    "INSERT INTO lt.feed (lead_id, kind, payload, author) VALUES (1, 'lead', '{}', 'x')",
    "TRUNCATE lt.feed",
    "UPDATE lt.leads SET owner = current_user",
    "DELETE FROM lt.changes",
    "ALTER TABLE lt.feed DISABLE ROW LEVEL SECURITY",
    "CREATE TABLE lt.mine (x int)",
    "SELECT lt.assign('round-robin')",
    "SELECT lt.remove_member('mona')",
])
def test_a_rep_cannot_rewrite_the_feed_or_the_rules(crew, sql):
    team, mgr, alice, bob = crew
    with team.owner() as c:
        before = c.execute("SELECT count(*), max(seq), md5(string_agg(payload::text, ',' ORDER BY seq)) FROM lt.feed").fetchone()
    with team.sql(alice) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(sql)
    with team.owner() as c:
        assert c.execute("SELECT count(*), max(seq), md5(string_agg(payload::text, ',' ORDER BY seq)) FROM lt.feed").fetchone() == before


def test_a_pushed_change_to_someone_elses_lead_is_refused(crew):
    team, mgr, alice, bob = crew
    with team.owner() as c:
        lead, company = c.execute("SELECT id, data->>'company' FROM lt.leads WHERE owner = %s LIMIT 1", (bob,)).fetchone()
    change = {"change_id": "0" * 31 + "1", "hlc": "9999999999999.000000.zz", "entity": "lead", "op": "update",
              "lead_id": lead, "gid": None, "payload": {"company": [company, "Stolen Ltd"], "owner": [bob, alice]}}
    with team.sql(alice) as c:
        result = c.execute("SELECT lt.push(%s)", (Jsonb([change]),)).fetchone()[0]
    assert result["refused"] == 1
    with team.owner() as c:
        assert c.execute("SELECT data->>'company', owner FROM lt.leads WHERE id = %s", (lead,)).fetchone() == (company, bob)


def test_a_removed_rep_cannot_log_in_at_all(crew):
    team, mgr, alice, bob = crew
    with team.sql(mgr) as c:
        admin.remove_user(c, alice)
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        team.sql(alice)


def test_a_foreign_trigger_under_the_outboxs_name_is_refused_at_open(team):
    from leadtriage.errors import UserError
    from leadtriage.safety.opening import open_store

    alice = team.add("alice")
    la = team.laptop(alice)
    path = la.path
    la.conn.execute("DROP TRIGGER sync_outbox_leads_ad")
    la.conn.execute("CREATE TRIGGER sync_outbox_leads_ad AFTER DELETE ON leads BEGIN "
                    "UPDATE leads SET email = 'attacker@example.com'; END")
    la.close()
    team.stores.remove(la)
    with pytest.raises(UserError, match="changed outside LeadTriage"):
        open_store(path)

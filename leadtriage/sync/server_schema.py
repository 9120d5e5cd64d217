"""The team server's schema (PostgreSQL), in numbered steps like the local one.

Everything lives in schema `lt` of the team database, owned by the role that ran
`team init`. People log in with their own roles; two group roles per team database
(`<db>_managers`, `<db>_reps`) carry their rights:

- Reading: row-level security. A rep's role sees only leads it owns, their
  activities, handoffs, feed entries and conflicts; a manager's sees all.
- Writing: reps and managers hold no INSERT, UPDATE or DELETE on any table. Every
  change goes through SECURITY DEFINER functions (`push`, `claim`, `assign`,
  `add_member`, `remove_member`, `register_node`) that check who calls
  (`session_user`) and what they may touch, validate status moves and append to
  the change feed. So nobody's credentials can rewrite the feed.

The change feed (`lt.feed`) is ordered by `seq`; writers take one transaction-level
advisory lock before appending, so feed order is commit order and a laptop that
pulls "everything after seq N" never skips an entry that commits late.
"""

from __future__ import annotations

from leadtriage.domain.status import REP_WORKING, Status, allowed_next

FEED_LOCK = 7263541  # pg_advisory_xact_lock key for appending to the feed
OPEN_STATUSES = sorted(s.value for s in REP_WORKING)


def _transitions_values() -> str:
    return ", ".join(f"('{a.value}', '{b.value}')" for a in Status for b in sorted(allowed_next(a)))


def _v1(managers: str, reps: str) -> str:
    """`managers` / `reps`: the group role names, already quoted as identifiers."""
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    mgr_lit = managers.strip('"').replace("'", "''")
    rep_lit = reps.strip('"').replace("'", "''")
    return f"""
CREATE TABLE lt.members (
    name text PRIMARY KEY, role text NOT NULL CHECK (role IN ('rep', 'manager')),
    active boolean NOT NULL DEFAULT true, territory text[] NOT NULL DEFAULT '{{}}', cap integer,
    added_at timestamptz NOT NULL DEFAULT now(), removed_at timestamptz);
CREATE TABLE lt.nodes (node text PRIMARY KEY, member text NOT NULL, joined_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE lt.id_blocks (block integer PRIMARY KEY, node text NOT NULL);
CREATE SEQUENCE lt.id_block_seq START 1;
CREATE TABLE lt.transitions (from_status text, to_status text, PRIMARY KEY (from_status, to_status));
INSERT INTO lt.transitions VALUES {_transitions_values()};

CREATE TABLE lt.leads (
    id bigint PRIMARY KEY, public_id text NOT NULL UNIQUE, owner text, status text NOT NULL,
    data jsonb NOT NULL, clocks jsonb NOT NULL DEFAULT '{{}}', created_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX leads_owner_status ON lt.leads (owner, status);
CREATE INDEX leads_pool ON lt.leads (id) WHERE owner IS NULL;
CREATE TABLE lt.activities (
    gid text PRIMARY KEY, lead_id bigint NOT NULL REFERENCES lt.leads, data jsonb NOT NULL, hlc text NOT NULL);
CREATE INDEX activities_lead ON lt.activities (lead_id);
CREATE TABLE lt.handoffs (
    gid text PRIMARY KEY, lead_id bigint NOT NULL REFERENCES lt.leads, data jsonb NOT NULL,
    clocks jsonb NOT NULL DEFAULT '{{}}');
CREATE INDEX handoffs_lead ON lt.handoffs (lead_id);
-- Every change ID ever received: a repeated push is recognised and skipped.
CREATE TABLE lt.changes (change_id uuid PRIMARY KEY, author text NOT NULL, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE lt.feed (
    seq bigserial PRIMARY KEY, lead_id bigint NOT NULL, owner text, prev_owner text,
    kind text NOT NULL, payload jsonb NOT NULL, hlc text, author text NOT NULL,
    at timestamptz NOT NULL DEFAULT now());
CREATE INDEX feed_owner_seq ON lt.feed (owner, seq);
CREATE INDEX feed_prev_owner_seq ON lt.feed (prev_owner, seq) WHERE prev_owner IS NOT NULL;

CREATE FUNCTION lt.is_manager() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = lt, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM lt.members WHERE name = session_user AND active AND role = 'manager')
$$;
CREATE FUNCTION lt.is_member() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = lt, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM lt.members WHERE name = session_user AND active)
$$;
-- The team owner (who ran `team init`) may do what a manager does, without a laptop.
CREATE FUNCTION lt.can_manage() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = lt, pg_temp AS $$
  SELECT lt.is_manager() OR session_user = (SELECT value FROM lt.meta WHERE key = 'owner')
$$;
CREATE FUNCTION lt.owns(lead bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = lt, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM lt.leads WHERE id = lead AND owner = session_user)
$$;

ALTER TABLE lt.leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE lt.activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE lt.handoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE lt.feed ENABLE ROW LEVEL SECURITY;
ALTER TABLE lt.members ENABLE ROW LEVEL SECURITY;
-- (SELECT f()) is computed once per query, not once per row (16 s -> ~1 s for a
-- manager's COPY of a million leads).
CREATE POLICY see_leads ON lt.leads FOR SELECT
    USING ((SELECT lt.is_manager()) OR (owner = current_user AND (SELECT lt.is_member())));
CREATE POLICY see_activities ON lt.activities FOR SELECT USING ((SELECT lt.is_manager()) OR lt.owns(lead_id));
CREATE POLICY see_handoffs ON lt.handoffs FOR SELECT USING ((SELECT lt.is_manager()) OR lt.owns(lead_id));
CREATE POLICY see_feed ON lt.feed FOR SELECT
    USING ((SELECT lt.is_manager()) OR ((owner = current_user OR prev_owner = current_user) AND (SELECT lt.is_member())));
CREATE POLICY see_members ON lt.members FOR SELECT USING ((SELECT lt.is_manager()) OR name = current_user);

GRANT USAGE ON SCHEMA lt TO {managers}, {reps};
GRANT SELECT ON lt.leads, lt.activities, lt.handoffs, lt.feed, lt.members, lt.meta TO {managers}, {reps};
GRANT SELECT ON lt.nodes, lt.id_blocks TO {managers};

-- One lead change, per field: the later hybrid-clock time wins; a value that loses
-- to a concurrent edit is kept in the lead's timeline (a note); a status move is
-- checked against the allowed transitions; incompatible moves made offline end the
-- same way whatever order they arrive in (later clock wins if its move is allowed
-- from the lead's status, else the status stays) and are listed as conflicts.
CREATE FUNCTION lt._apply_fields(cur_data jsonb, cur_clocks jsonb, changes jsonb, hlc text, lead bigint,
                                 me text, OUT data jsonb, OUT clocks jsonb, OUT touched jsonb, OUT notes jsonb)
LANGUAGE plpgsql SET search_path = lt, pg_temp AS $$
DECLARE
  f text; pair jsonb; old_v jsonb; new_v jsonb; cur jsonb; cur_clock text; wins boolean; ok boolean;
BEGIN
  data := cur_data; clocks := cur_clocks; touched := '{{}}'; notes := '[]';
  FOR f, pair IN SELECT key, value FROM jsonb_each(changes) LOOP
    IF f IN ('id', 'owner', 'public_id') THEN CONTINUE; END IF;  -- owner moves go through assign/claim
    old_v := pair->0; new_v := pair->1;
    cur := coalesce(data->f, 'null'::jsonb); cur_clock := clocks->>f;
    wins := cur_clock IS NULL OR hlc COLLATE "C" > cur_clock;
    IF f = 'status' THEN
      IF cur = old_v THEN  -- a plain move from what the server has
        ok := EXISTS (SELECT 1 FROM lt.transitions WHERE from_status = cur #>> '{{}}' AND to_status = new_v #>> '{{}}');
        IF NOT ok THEN
          notes := notes || jsonb_build_object('field', f, 'kept', cur, 'lost', new_v, 'why', 'move not allowed');
          wins := false;
        END IF;
      ELSIF cur <> new_v THEN  -- moved elsewhere meanwhile: a conflict
        ok := EXISTS (SELECT 1 FROM lt.transitions WHERE from_status = cur #>> '{{}}' AND to_status = new_v #>> '{{}}')
              OR EXISTS (SELECT 1 FROM lt.transitions WHERE from_status = old_v #>> '{{}}' AND to_status = new_v #>> '{{}}');
        wins := wins AND ok;
        notes := notes || jsonb_build_object('field', f, 'kept', CASE WHEN wins THEN new_v ELSE cur END,
                                             'lost', CASE WHEN wins THEN cur ELSE new_v END, 'why', 'status moved on two laptops');
      END IF;
    ELSIF cur <> old_v AND cur <> new_v THEN  -- edited elsewhere meanwhile: keep the loser in the timeline
      notes := notes || jsonb_build_object('field', f, 'kept', CASE WHEN wins THEN new_v ELSE cur END,
                                           'lost', CASE WHEN wins THEN cur ELSE new_v END, 'why', 'edited on two laptops');
    END IF;
    IF wins THEN
      data := jsonb_set(data, ARRAY[f], new_v, true);
      clocks := jsonb_set(clocks, ARRAY[f], to_jsonb(hlc), true);
    END IF;
    touched := jsonb_set(touched, ARRAY[f], coalesce(data->f, 'null'::jsonb), true);
  END LOOP;
END $$;

CREATE FUNCTION lt._feed(lead bigint, owner_ text, prev text, kind text, payload jsonb, hlc text, me text)
RETURNS void LANGUAGE sql SET search_path = lt, pg_temp AS $$
  INSERT INTO lt.feed (lead_id, owner, prev_owner, kind, payload, hlc, author) VALUES (lead, owner_, prev, kind, payload, hlc, me)
$$;

CREATE FUNCTION lt.push(batch jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE
  me text := session_user; mgr boolean := lt.is_manager();
  c jsonb; l lt.leads; h lt.handoffs; lid bigint; r record; row_ jsonb; owner_ text; n_applied int := 0; n_seen int := 0;
  n_refused int := 0; note jsonb; hlc text;
BEGIN
  IF NOT lt.is_member() THEN
    RAISE EXCEPTION '% is not an active member of this team', me USING ERRCODE = '42501';
  END IF;
  PERFORM pg_advisory_xact_lock({FEED_LOCK});
  FOR c IN SELECT value FROM jsonb_array_elements(batch) LOOP
    INSERT INTO lt.changes (change_id, author) VALUES ((c->>'change_id')::uuid, me) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN n_seen := n_seen + 1; CONTINUE; END IF;
    lid := (c->>'lead_id')::bigint; hlc := c->>'hlc';
    SELECT * INTO l FROM lt.leads WHERE id = lid FOR UPDATE;
    IF c->>'entity' = 'lead' AND c->>'op' = 'insert' AND l.id IS NULL THEN
      row_ := (c->'payload') - 'id';
      owner_ := CASE WHEN mgr THEN (SELECT name FROM lt.members WHERE name = row_->>'owner' AND active) ELSE me END;
      row_ := jsonb_set(row_, '{{owner}}', coalesce(to_jsonb(owner_), 'null'::jsonb));
      INSERT INTO lt.leads (id, public_id, owner, status, data, clocks, created_by)
        VALUES (lid, row_->>'public_id', owner_, coalesce(row_->>'status', 'new'), row_,
                (SELECT coalesce(jsonb_object_agg(k, hlc), '{{}}') FROM jsonb_object_keys(row_) k), me);
      PERFORM lt._feed(lid, owner_, NULL, 'lead', row_, hlc, me);
      n_applied := n_applied + 1;
      CONTINUE;
    END IF;
    IF c->>'entity' = 'lead' AND c->>'op' = 'delete' AND l.id IS NULL THEN
      n_applied := n_applied + 1;  -- made and removed before it ever reached the server
      CONTINUE;
    END IF;
    IF l.id IS NULL OR NOT (mgr OR l.owner = me) THEN
      -- Not (or no longer) this person's lead: refused, and said so in their feed.
      PERFORM lt._feed(lid, me, NULL, 'refused', jsonb_build_object('change_id', c->>'change_id',
                       'entity', c->>'entity', 'why', 'not your lead'), hlc, me);
      n_refused := n_refused + 1;
      CONTINUE;
    END IF;
    IF c->>'entity' = 'lead' AND c->>'op' = 'delete' THEN
      DELETE FROM lt.activities WHERE lead_id = lid;
      DELETE FROM lt.handoffs WHERE lead_id = lid;
      DELETE FROM lt.leads WHERE id = lid;
      PERFORM lt._feed(lid, l.owner, NULL, 'delete', jsonb_build_object('public_id', l.public_id), hlc, me);
    ELSIF c->>'entity' = 'lead' THEN
      IF c->>'op' = 'insert' THEN  -- the same lead again (a re-join): treat every field as an edit
        SELECT * INTO r FROM lt._apply_fields(l.data, l.clocks,
          (SELECT jsonb_object_agg(key, jsonb_build_array(l.data->key, value)) FROM jsonb_each(c->'payload')), hlc, lid, me);
      ELSE
        SELECT * INTO r FROM lt._apply_fields(l.data, l.clocks, c->'payload', hlc, lid, me);
      END IF;
      UPDATE lt.leads SET data = r.data, clocks = r.clocks, status = coalesce(r.data->>'status', status),
        updated_at = now() WHERE id = lid;
      PERFORM lt._feed(lid, l.owner, NULL, 'lead', r.touched, hlc, me);
      FOR note IN SELECT value FROM jsonb_array_elements(r.notes) LOOP
        PERFORM lt._note(lid, l.owner, note, hlc, me);
      END LOOP;
    ELSIF c->>'entity' = 'activity' THEN
      INSERT INTO lt.activities (gid, lead_id, data, hlc) VALUES (c->>'gid', lid, c->'payload', hlc)
        ON CONFLICT (gid) DO NOTHING;
      PERFORM lt._feed(lid, l.owner, NULL, 'activity', c->'payload', hlc, me);
    ELSIF c->>'entity' = 'handoff' THEN
      SELECT * INTO h FROM lt.handoffs WHERE gid = c->>'gid' FOR UPDATE;
      IF h.gid IS NULL THEN
        INSERT INTO lt.handoffs (gid, lead_id, data, clocks) VALUES (c->>'gid', lid, c->'payload',
          (SELECT coalesce(jsonb_object_agg(k, hlc), '{{}}') FROM jsonb_object_keys(c->'payload') k));
        PERFORM lt._feed(lid, l.owner, NULL, 'handoff', c->'payload', hlc, me);
      ELSE
        SELECT * INTO r FROM lt._apply_fields(h.data, h.clocks,
          CASE WHEN c->>'op' = 'insert' THEN (SELECT jsonb_object_agg(key, jsonb_build_array(h.data->key, value))
                                              FROM jsonb_each(c->'payload')) ELSE c->'payload' END, hlc, lid, me);
        UPDATE lt.handoffs SET data = r.data, clocks = r.clocks WHERE gid = h.gid;
        PERFORM lt._feed(lid, l.owner, NULL, 'handoff', r.touched || jsonb_build_object('gid', h.gid), hlc, me);
      END IF;
    END IF;
    n_applied := n_applied + 1;
  END LOOP;
  RETURN jsonb_build_object('applied', n_applied, 'already', n_seen, 'refused', n_refused);
END $$;

-- A value that lost to a concurrent edit goes into the lead's timeline (an activity
-- every laptop receives), and a status conflict into the feed's conflict list.
CREATE FUNCTION lt._note(lead bigint, owner_ text, note jsonb, hlc text, me text) RETURNS void
LANGUAGE plpgsql SET search_path = lt, pg_temp AS $$
DECLARE gid text := 'server.' || nextval('lt.feed_seq_seq'); body jsonb;
BEGIN
  body := jsonb_build_object('lead_id', lead, 'kind', 'note', 'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'rep', me, 'gid', gid,
    'notes', format('%s: %s kept; %s overwritten (%s)', note->>'field', note->'kept', note->'lost', note->>'why'),
    'data', jsonb_build_object('sync_conflict', note)::text);
  INSERT INTO lt.activities (gid, lead_id, data, hlc) VALUES (gid, lead, body, hlc);
  PERFORM lt._feed(lead, owner_, NULL, 'activity', body, hlc, me);
  IF note->>'field' = 'status' THEN
    PERFORM lt._feed(lead, owner_, NULL, 'conflict', note, hlc, me);
  END IF;
END $$;

CREATE FUNCTION lt._move(lead bigint, new_owner text, me text) RETURNS void
LANGUAGE plpgsql SET search_path = lt, pg_temp AS $$
DECLARE old_owner text;
BEGIN
  SELECT owner INTO old_owner FROM lt.leads WHERE id = lead;
  UPDATE lt.leads SET owner = new_owner, data = jsonb_set(data, '{{owner}}', coalesce(to_jsonb(new_owner), 'null'::jsonb)),
    updated_at = now() WHERE id = lead;
  PERFORM lt._feed(lead, new_owner, old_owner, 'assign', jsonb_build_object('owner', new_owner, 'prev_owner', old_owner), NULL, me);
END $$;

-- "Get more leads": the next n pool leads, best score first; SKIP LOCKED so two reps
-- claiming at once never receive the same lead.
CREATE FUNCTION lt.claim(n integer) RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE me text := session_user; lid bigint;
BEGIN
  IF NOT lt.is_member() THEN RAISE EXCEPTION '% is not an active member of this team', me USING ERRCODE = '42501'; END IF;
  FOR lid IN SELECT id FROM lt.leads WHERE owner IS NULL AND status IN ({open_list})
             ORDER BY coalesce((data->>'score')::int, 0) DESC, id LIMIT greatest(n, 0) FOR UPDATE SKIP LOCKED LOOP
    PERFORM pg_advisory_xact_lock({FEED_LOCK});
    PERFORM lt._move(lid, me, me);
    RETURN NEXT lid;
  END LOOP;
END $$;

-- Pool leads to reps by rule: round-robin, or territory (a rep's territory lists
-- countries (ISO codes) and/or time zones); `cap` limits a rep's open leads.
CREATE FUNCTION lt.assign(rule text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE me text := session_user; reps text[]; lid bigint; ldata jsonb; pick text; i int := 0; k int;
  counts jsonb := '{{}}'; n_open int; done int := 0; cand text;
BEGIN
  IF NOT lt.can_manage() THEN RAISE EXCEPTION 'only a manager assigns leads' USING ERRCODE = '42501'; END IF;
  IF rule NOT IN ('round-robin', 'territory') THEN RAISE EXCEPTION 'unknown rule %', rule USING ERRCODE = '22023'; END IF;
  PERFORM pg_advisory_xact_lock({FEED_LOCK});
  SELECT array_agg(name ORDER BY name) INTO reps FROM lt.members WHERE active AND role = 'rep';
  IF reps IS NULL THEN RETURN jsonb_build_object('assigned', 0); END IF;
  FOR lid, ldata IN SELECT id, data FROM lt.leads WHERE owner IS NULL AND status IN ({open_list}) ORDER BY id FOR UPDATE LOOP
    pick := NULL;
    FOR k IN 0 .. array_length(reps, 1) - 1 LOOP
      cand := reps[1 + (i + k) % array_length(reps, 1)];
      IF rule = 'territory' AND NOT EXISTS (SELECT 1 FROM lt.members m WHERE m.name = cand
           AND (ldata->>'country' = ANY(m.territory) OR ldata->>'timezone' = ANY(m.territory))) THEN CONTINUE; END IF;
      SELECT count(*) INTO n_open FROM lt.leads WHERE owner = cand AND status IN ({open_list});
      IF (SELECT cap FROM lt.members WHERE name = cand) <= n_open THEN CONTINUE; END IF;
      pick := cand; i := i + k + 1; EXIT;
    END LOOP;
    CONTINUE WHEN pick IS NULL;
    PERFORM lt._move(lid, pick, me);
    done := done + 1;
    counts := jsonb_set(counts, ARRAY[pick], to_jsonb(coalesce((counts->>pick)::int, 0) + 1));
  END LOOP;
  RETURN jsonb_build_object('assigned', done, 'per_rep', counts);
END $$;

CREATE FUNCTION lt.reassign(lead bigint, new_owner text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
BEGIN
  IF NOT lt.can_manage() THEN RAISE EXCEPTION 'only a manager reassigns leads' USING ERRCODE = '42501'; END IF;
  IF new_owner IS NOT NULL AND NOT EXISTS (SELECT 1 FROM lt.members WHERE name = new_owner AND active) THEN
    RAISE EXCEPTION '% is not an active member', new_owner USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM lt.leads WHERE id = lead) THEN
    RAISE EXCEPTION 'no lead with that ID on the team server' USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock({FEED_LOCK});
  PERFORM lt._move(lead, new_owner, session_user);
END $$;

-- A laptop joins: its node ID is recorded and it gets a block of lead IDs. Block 0
-- (IDs below 2^24: the leads a database had before it joined) goes to the first
-- laptop that brings leads; a second one cannot, or IDs would clash.
CREATE FUNCTION lt.register_node(node_ text, has_leads boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE b integer;
BEGIN
  IF NOT lt.is_member() THEN RAISE EXCEPTION '% is not an active member of this team', session_user USING ERRCODE = '42501'; END IF;
  INSERT INTO lt.nodes (node, member) VALUES (node_, session_user) ON CONFLICT (node) DO NOTHING;
  IF NOT FOUND AND (SELECT member FROM lt.nodes WHERE node = node_) <> session_user THEN
    RAISE EXCEPTION 'node % belongs to someone else', node_ USING ERRCODE = '42501';
  END IF;
  IF has_leads THEN
    INSERT INTO lt.id_blocks (block, node) VALUES (0, node_) ON CONFLICT (block) DO NOTHING;
    IF (SELECT node FROM lt.id_blocks WHERE block = 0) <> node_ THEN
      RAISE EXCEPTION 'another laptop already brought its leads into this team' USING ERRCODE = '23505';
    END IF;
  END IF;
  RETURN lt.new_block(node_);
END $$;

CREATE FUNCTION lt.new_block(node_ text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE b integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM lt.nodes WHERE node = node_ AND member = session_user) OR NOT lt.is_member() THEN
    RAISE EXCEPTION 'not your laptop' USING ERRCODE = '42501';
  END IF;
  b := nextval('lt.id_block_seq');
  INSERT INTO lt.id_blocks (block, node) VALUES (b, node_);
  RETURN b;
END $$;

-- People. The login role is created here, by the team owner's rights, from a SCRAM
-- verifier computed on the manager's laptop: the password itself never reaches the
-- server or its logs.
CREATE FUNCTION lt.add_member(name_ text, role_ text, verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
BEGIN
  IF NOT lt.can_manage() THEN
    RAISE EXCEPTION 'only a manager adds people' USING ERRCODE = '42501';
  END IF;
  IF role_ NOT IN ('rep', 'manager') THEN RAISE EXCEPTION 'role must be rep or manager' USING ERRCODE = '22023'; END IF;
  IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN RAISE EXCEPTION 'not a SCRAM verifier' USING ERRCODE = '22023'; END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name_) THEN
    IF NOT EXISTS (SELECT 1 FROM lt.members WHERE name = name_) THEN
      RAISE EXCEPTION 'a database role named % exists and is not a team member', name_ USING ERRCODE = '42710';
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', name_, verifier);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', name_, verifier);
  END IF;
  EXECUTE format('REVOKE %I, %I FROM %I', '{mgr_lit}', '{rep_lit}', name_);
  EXECUTE format('GRANT %I TO %I', CASE WHEN role_ = 'manager' THEN '{mgr_lit}' ELSE '{rep_lit}' END, name_);
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), name_);
  INSERT INTO lt.members (name, role) VALUES (name_, role_)
    ON CONFLICT (name) DO UPDATE SET role = excluded.role, active = true, removed_at = NULL;
END $$;

-- A rep's territory (ISO country codes and/or IANA time zones) and cap of open leads.
CREATE FUNCTION lt.set_terms(name_ text, territory_ text[], cap_ integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
BEGIN
  IF NOT lt.can_manage() THEN RAISE EXCEPTION 'only a manager sets territories' USING ERRCODE = '42501'; END IF;
  UPDATE lt.members SET territory = coalesce(territory_, '{{}}'), cap = cap_ WHERE name = name_;
  IF NOT FOUND THEN RAISE EXCEPTION '% is not a member of this team', name_ USING ERRCODE = '22023'; END IF;
END $$;

-- Removing someone: no more logins, no more group rights, and their open leads back
-- to the pool (each move in the feed, so their laptop drops them if it still pulls).
CREATE FUNCTION lt.remove_member(name_ text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lt, pg_temp AS $$
DECLARE lid bigint; n integer := 0;
BEGIN
  IF NOT lt.can_manage() THEN
    RAISE EXCEPTION 'only a manager removes people' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM lt.members WHERE name = name_ AND active) THEN
    RAISE EXCEPTION '% is not an active member of this team', name_ USING ERRCODE = '22023';
  END IF;
  UPDATE lt.members SET active = false, removed_at = now() WHERE name = name_;
  EXECUTE format('ALTER ROLE %I NOLOGIN', name_);
  EXECUTE format('REVOKE %I, %I FROM %I', '{mgr_lit}', '{rep_lit}', name_);
  EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), name_);
  PERFORM pg_advisory_xact_lock({FEED_LOCK});
  FOR lid IN SELECT id FROM lt.leads WHERE owner = name_ AND status IN ({open_list}) ORDER BY id FOR UPDATE LOOP
    PERFORM lt._move(lid, NULL, session_user);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

REVOKE ALL ON FUNCTION lt._apply_fields, lt._feed, lt._note, lt._move FROM PUBLIC;
REVOKE ALL ON FUNCTION lt.push, lt.claim, lt.assign, lt.reassign, lt.register_node, lt.new_block,
  lt.add_member, lt.remove_member, lt.set_terms FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lt.push, lt.claim, lt.register_node, lt.new_block, lt.is_manager, lt.is_member, lt.owns
  TO {managers}, {reps};
GRANT EXECUTE ON FUNCTION lt.assign, lt.reassign, lt.add_member, lt.remove_member, lt.set_terms TO {managers};
"""


# Each step: a function of (managers, reps) group-role identifiers returning SQL.
MIGRATIONS = [_v1]
SERVER_VERSION = len(MIGRATIONS)

-- Facility desks on the hub: facility-wide staff accounts, the hub's keyed audit chain, visit
-- closures, and the few narrow doors a desk may write through. Desks log in as hub_desk (desk_group);
-- staff then sign in with a facility account (Argon2 PIN hash checked by the desk, failures counted
-- atomically here). Every desk action appends to the audit chain in the action's own transaction.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE hub_staff (
    id              bigserial PRIMARY KEY,
    username        text NOT NULL UNIQUE,
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('reception', 'clinician', 'technician', 'admin')),
    pin_hash        text NOT NULL,
    badge           text UNIQUE,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until_ts double precision NOT NULL DEFAULT 0,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The audit chain: each entry's hash is an HMAC (the local chain's "h1:" format, the same payload
-- as kiosk.security.audit_chain.entry_hash) keyed with a secret only the hub's owner can read.
-- Desks append through hub_audit_append (SECURITY DEFINER); nobody but the owner updates or deletes.
CREATE TABLE hub_audit_key (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    key             bytea NOT NULL
);
INSERT INTO hub_audit_key (key) VALUES (gen_random_bytes(32));

CREATE TABLE hub_audit_head (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    count           bigint NOT NULL,
    hash            text NOT NULL
);
INSERT INTO hub_audit_head (count, hash) VALUES (0, repeat('0', 64));

CREATE TABLE hub_audit (
    id              bigserial PRIMARY KEY,
    at              text NOT NULL,
    actor           text NOT NULL,
    role            text,
    action          text NOT NULL,
    target          text,
    details         text NOT NULL,
    prev_hash       text NOT NULL,
    hash            text NOT NULL,
    client          text
);

CREATE FUNCTION hub_audit_append(p_actor text, p_role text, p_action text, p_target text, p_details text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    h record;
    k bytea;
    t text;
    digest text;
    new_id bigint;
BEGIN
    SELECT count, hash INTO h FROM hub_audit_head WHERE id FOR UPDATE;   -- one writer at a time
    SELECT key INTO k FROM hub_audit_key WHERE id;
    t := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"');
    p_details := coalesce(p_details, '{}');
    digest := 'h1:' || encode(hmac(convert_to('[' || concat_ws(',', to_json(h.hash)::text, to_json(t)::text,
                  to_json(p_actor)::text, to_json(coalesce(p_role, ''))::text, to_json(p_action)::text,
                  to_json(coalesce(p_target, ''))::text, to_json(p_details)::text) || ']', 'UTF8'), k, 'sha256'), 'hex');
    INSERT INTO hub_audit (at, actor, role, action, target, details, prev_hash, hash, client)
    VALUES (t, p_actor, p_role, p_action, p_target, p_details, h.hash, digest, current_setting('application_name'))
    RETURNING id INTO new_id;
    UPDATE hub_audit_head SET count = h.count + 1, hash = digest WHERE id;
    RETURN new_id;
END $$;

-- The visit summary a desk closed a visit with (the signed dossier goes to the outbox, owner 'hub').
CREATE TABLE visit_closures (
    ma_lk           text PRIMARY KEY REFERENCES visits(ma_lk),
    summary         jsonb NOT NULL,
    closed_by       text NOT NULL,
    closed_at       timestamptz NOT NULL DEFAULT now()
);

-- A desk queues an upload only as the hub's (the hub worker uploads it): exactly one owner.
CREATE FUNCTION hub_desk_enqueue(p_kind text, p_ma_lk text, p_kiosk text, p_payload bytea)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n integer;
BEGIN
    IF p_kind NOT IN ('checkin', 'dossier') THEN
        RAISE EXCEPTION 'a desk queues check-ins and dossiers only';
    END IF;
    INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, handed_over_at)
    VALUES (p_kind, p_ma_lk, p_kiosk, p_payload, encode(digest(p_payload, 'sha256'), 'hex'), 'hub', now())
    ON CONFLICT (kind, ma_lk) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        INSERT INTO events (kind, ma_lk, body) VALUES ('outbox.queued', p_ma_lk, jsonb_build_object('kind', p_kind));
    END IF;
    RETURN n > 0;
END $$;

-- A dead item the hub owns goes back to pending (the worker reconciles before it resends).
CREATE FUNCTION hub_desk_retry(p_kind text, p_ma_lk text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE o text; s text;
BEGIN
    SELECT owner, state INTO o, s FROM outbox WHERE kind = p_kind AND ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN RETURN 'missing'; END IF;
    IF o <> 'hub' THEN RETURN 'owner:' || o; END IF;
    IF s <> 'dead' THEN RETURN 'state:' || s; END IF;
    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL,
                      needs_reconcile = true WHERE kind = p_kind AND ma_lk = p_ma_lk;
    INSERT INTO events (kind, ma_lk, body) VALUES ('outbox.retry', p_ma_lk, jsonb_build_object('kind', p_kind));
    RETURN 'ok';
END $$;

-- A desk's manual check-in takes its number from the same atomic allocation as the kiosks, and only
-- that way (no grant on the series tables), under a desk's own name.
CREATE FUNCTION hub_desk_allocate(p_facility text, p_day date, p_service text, p_letter text, p_ma_lk text,
                                  p_desk text, p_priority boolean, p_kinds text[], p_numbers text[],
                                  OUT number text, OUT already boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_desk NOT LIKE 'desk-%' THEN
        RAISE EXCEPTION 'a desk allocates under its own name (desk-...)';
    END IF;
    SELECT a.number, a.already INTO number, already
    FROM hub_allocate(p_facility, p_day, p_service, p_letter, p_ma_lk, p_desk, p_priority, p_kinds, p_numbers) a;
END $$;

REVOKE EXECUTE ON FUNCTION hub_audit_append, hub_desk_enqueue, hub_desk_retry, hub_desk_allocate FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_audit_append, hub_desk_enqueue, hub_desk_retry, hub_desk_allocate TO desk_group;

GRANT SELECT ON hub_staff TO desk_group;
GRANT UPDATE (failed_attempts, locked_until_ts, updated_at) ON hub_staff TO desk_group;
GRANT SELECT ON hub_audit, hub_audit_head TO desk_group;
GRANT SELECT, INSERT ON visit_closures TO desk_group;
-- manual check-ins at a desk: the same patient index as the kiosks
GRANT INSERT ON patients, patient_documents, visits TO desk_group;
GRANT UPDATE (last_seen) ON patients TO desk_group;
GRANT USAGE ON SEQUENCE patients_id_seq TO desk_group;

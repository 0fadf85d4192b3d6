-- Facility hub schema (PostgreSQL 15). Applied by `kiosk hub init --dsn ...` as the hub owner.
-- Kiosk-authored facts are append-only and keyed by stable ids (MA_LK); nothing is merged
-- last-writer-wins. Ticket numbers come from one authority per (facility, day, service).

CREATE TABLE hub_kiosks (
    kiosk_id        text PRIMARY KEY,
    facility_code   text NOT NULL,
    first_seen      timestamptz NOT NULL DEFAULT now(),
    last_push_at    timestamptz,
    pushed_until    timestamptz,          -- check-in time of the newest visit it pushed
    last_pull_at    timestamptz
);

-- Online numbering: one row per (facility, day, service), bumped under its row lock.
CREATE TABLE ticket_series (
    facility_code   text NOT NULL,
    day             date NOT NULL,
    service_code    text NOT NULL,
    last            integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (facility_code, day, service_code)
);

CREATE TABLE patients (
    id              bigserial PRIMARY KEY,
    full_name       text NOT NULL,
    birth_date      text,
    gender          smallint NOT NULL DEFAULT 3,
    first_kiosk     text NOT NULL,
    first_seen      timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patient_documents (
    kind            text NOT NULL,
    number          text NOT NULL,
    patient_id      bigint NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    valid_to        text,
    source          text,
    PRIMARY KEY (kind, number)
);
CREATE INDEX patient_documents_patient ON patient_documents(patient_id);

CREATE TABLE visits (
    ma_lk           text PRIMARY KEY,
    kiosk_id        text NOT NULL,
    facility_code   text NOT NULL,
    patient_id      bigint NOT NULL REFERENCES patients(id),
    visit_day       date NOT NULL,
    service_code    text NOT NULL,
    room            text,
    priority        text,
    status          text NOT NULL,
    checked_in_at   timestamptz NOT NULL,
    ticket_number   text NOT NULL,
    numbered_by     text NOT NULL CHECK (numbered_by IN ('hub', 'kiosk')),
    conflict        boolean NOT NULL DEFAULT false,
    pushed_at       timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);
-- one printed number per facility and day: hub numbers (A012) and kiosk numbers (A1-012)
-- have different shapes, and each series is unique on its own
CREATE UNIQUE INDEX visits_number ON visits(facility_code, visit_day, ticket_number);
CREATE INDEX visits_day ON visits(visit_day, service_code, checked_in_at);
CREATE INDEX visits_patient ON visits(patient_id, service_code, visit_day);

-- Numbers handed out online, recorded in the allocating transaction (the visit may follow later).
CREATE TABLE ticket_allocations (
    facility_code   text NOT NULL,
    day             date NOT NULL,
    service_code    text NOT NULL,
    seq             integer NOT NULL,
    number          text NOT NULL,
    ma_lk           text NOT NULL UNIQUE,
    kiosk_id        text NOT NULL,
    allocated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (facility_code, day, service_code, seq)
);

-- One allocation in one round trip (the series row's lock is held only for the server-side work
-- and the commit): idempotent per MA_LK; refuses (already = true) a patient who holds an active
-- ticket for this service and day anywhere in the facility.
CREATE FUNCTION hub_allocate(p_facility text, p_day date, p_service text, p_letter text, p_ma_lk text,
                             p_kiosk text, p_priority boolean, p_kinds text[], p_numbers text[],
                             OUT number text, OUT already boolean)
LANGUAGE plpgsql AS $$
DECLARE s integer;
BEGIN
    already := false;
    SELECT a.number INTO number FROM ticket_allocations a WHERE a.ma_lk = p_ma_lk;
    IF FOUND THEN RETURN; END IF;
    IF coalesce(array_length(p_kinds, 1), 0) > 0 THEN
        SELECT v.ticket_number INTO number FROM patient_documents d JOIN visits v ON v.patient_id = d.patient_id
        WHERE (d.kind, d.number) IN (SELECT * FROM unnest(p_kinds, p_numbers))
          AND v.service_code = p_service AND v.visit_day = p_day AND v.status NOT IN ('closed', 'cancelled')
        LIMIT 1;
        IF FOUND THEN already := true; RETURN; END IF;
    END IF;
    INSERT INTO ticket_series AS t (facility_code, day, service_code, last) VALUES (p_facility, p_day, p_service, 1)
    ON CONFLICT (facility_code, day, service_code) DO UPDATE SET last = t.last + 1
    RETURNING t.last INTO s;
    number := p_letter || CASE WHEN p_priority THEN 'U' ELSE '' END
              || CASE WHEN s < 100 THEN lpad(s::text, 3, '0') ELSE s::text END;
    INSERT INTO ticket_allocations (facility_code, day, service_code, seq, number, ma_lk, kiosk_id)
    VALUES (p_facility, p_day, p_service, s, number, p_ma_lk, p_kiosk);
END $$;

-- The same patient ticketed for the same service and day at two kiosks: both visits kept.
CREATE TABLE conflicts (
    id              bigserial PRIMARY KEY,
    ma_lk_a         text NOT NULL REFERENCES visits(ma_lk),
    ma_lk_b         text NOT NULL REFERENCES visits(ma_lk),
    reason          text NOT NULL,
    detected_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolved_by     text,
    UNIQUE (ma_lk_a, ma_lk_b)
);

-- Uploads: exactly one owner at a time ('kiosk:<id>' or 'hub'); receipts end here.
CREATE TABLE outbox (
    kind            text NOT NULL,
    ma_lk           text NOT NULL,
    kiosk_id        text NOT NULL,
    payload         bytea NOT NULL,
    payload_sha256  text NOT NULL,
    owner           text NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'acked', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    lease_until     timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    needs_reconcile boolean NOT NULL DEFAULT false,
    last_code       text,
    handed_over_at  timestamptz,
    acked_by        text,
    receipt_ma_giao_dich text,
    receipt_time    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, ma_lk)
);
CREATE INDEX outbox_due ON outbox(owner, state, next_attempt_at);

-- Fan-out to desks and displays: a cursor feed, announced with NOTIFY.
CREATE TABLE events (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    ma_lk           text,
    kiosk_id        text,
    body            jsonb NOT NULL DEFAULT '{}'::jsonb,
    at              timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION hub_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_events', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION hub_notify_event();

CREATE FUNCTION hub_visit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events(kind, ma_lk, kiosk_id, body)
    VALUES (CASE WHEN TG_OP = 'INSERT' THEN 'visit.new' ELSE 'visit.changed' END, NEW.ma_lk, NEW.kiosk_id,
            jsonb_build_object('service', NEW.service_code, 'ticket', NEW.ticket_number,
                               'status', NEW.status, 'conflict', NEW.conflict));
    RETURN NULL;
END $$;
CREATE TRIGGER visits_event AFTER INSERT OR UPDATE ON visits FOR EACH ROW EXECUTE FUNCTION hub_visit_event();

-- Least privilege: group roles; login roles (hub_kiosk, hub_desk, hub_worker) are members.
-- (roles are cluster-wide: a second hub database in the same cluster reuses them)
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['kiosk_group', 'desk_group', 'worker_group'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON hub_kiosks TO kiosk_group;
GRANT SELECT, INSERT, UPDATE ON ticket_series, ticket_allocations TO kiosk_group;
GRANT SELECT, INSERT, UPDATE ON patients, patient_documents TO kiosk_group;
GRANT SELECT, INSERT ON visits, conflicts TO kiosk_group;
GRANT UPDATE (conflict) ON visits TO kiosk_group;
GRANT SELECT, INSERT ON outbox TO kiosk_group;
REVOKE EXECUTE ON FUNCTION hub_allocate FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_allocate TO kiosk_group;
GRANT UPDATE (owner, handed_over_at, state, acked_by, receipt_ma_giao_dich, receipt_time) ON outbox TO kiosk_group;
GRANT INSERT ON events TO kiosk_group;
GRANT USAGE ON SEQUENCE patients_id_seq, conflicts_id_seq, events_id_seq TO kiosk_group;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO desk_group;
GRANT UPDATE (status, version, conflict) ON visits TO desk_group;
GRANT UPDATE (resolved_at, resolved_by) ON conflicts TO desk_group;
GRANT INSERT ON events TO desk_group;
GRANT USAGE ON SEQUENCE events_id_seq TO desk_group;

GRANT SELECT ON outbox, visits, hub_kiosks TO worker_group;
GRANT UPDATE (state, attempts, lease_until, next_attempt_at, needs_reconcile, last_code, acked_by,
              receipt_ma_giao_dich, receipt_time) ON outbox TO worker_group;
GRANT INSERT ON events TO worker_group;
GRANT USAGE ON SEQUENCE events_id_seq TO worker_group;

-- Hub schema 3 (issue 17): a push batch in one round trip (hub_ingest), hub-assigned kiosk ids (hub_enrol).
--
-- `hub_ingest` does on the server what kiosk.facility.push did statement by statement (a dozen
-- round trips per visit): the kiosk's row in hub_kiosks, the facility patient of each visit (found
-- by any document, CCCD first, else created), the visit (idempotent: ON CONFLICT (ma_lk) DO
-- NOTHING), the conflict flags when the same patient already holds an open visit for the same
-- service and day, and the uploads (idempotent per (kind, MA_LK), owned by the kiosk). It runs with
-- the caller's rights (kiosk_group's grants), in the caller's transaction.
--
-- p_visits: [{ma_lk, kiosk_id, visit_day, service_code, room, priority, status, checked_in_at,
--             ticket_number, full_name, birth_date, gender, documents: [[kind, number, valid_to]]}]
-- p_outbox: [{kind, ma_lk, payload (base64), payload_sha256, acked, receipt_ma_giao_dich, receipt_time}]
CREATE FUNCTION hub_ingest(p_kiosk text, p_facility text, p_visits jsonb, p_outbox jsonb,
                           OUT new_visits integer, OUT conflict_ma_lks text[])
LANGUAGE plpgsql AS $$
DECLARE
    v jsonb;
    d jsonb;
    pid bigint;
    owner_ text := 'kiosk:' || p_kiosk;
    number_ text;
    others text[];
BEGIN
    new_visits := 0;
    conflict_ma_lks := ARRAY[]::text[];
    IF jsonb_array_length(p_visits) > 0 THEN
        INSERT INTO hub_kiosks AS k (kiosk_id, facility_code, last_push_at, pushed_until)
        VALUES (p_kiosk, p_facility, now(), (p_visits -> -1 ->> 'checked_in_at')::timestamptz)
        ON CONFLICT (kiosk_id) DO UPDATE SET last_push_at = now(),
            pushed_until = greatest(k.pushed_until, excluded.pushed_until);
    END IF;
    FOR v IN SELECT * FROM jsonb_array_elements(p_visits) LOOP
        pid := NULL;
        SELECT pd.patient_id INTO pid
        FROM jsonb_array_elements(v -> 'documents') WITH ORDINALITY AS x(doc, n)
        JOIN patient_documents pd ON pd.kind = x.doc ->> 0 AND pd.number = x.doc ->> 1
        ORDER BY CASE x.doc ->> 0 WHEN 'cccd' THEN 0 WHEN 'old_id' THEN 1 WHEN 'bhxh' THEN 2
                                  WHEN 'bhyt' THEN 3 ELSE 9 END, x.n
        LIMIT 1;
        IF pid IS NULL THEN
            INSERT INTO patients (full_name, birth_date, gender, first_kiosk)
            VALUES (v ->> 'full_name', v ->> 'birth_date', coalesce(nullif((v ->> 'gender')::int, 0), 3), p_kiosk)
            RETURNING id INTO pid;
        ELSE
            UPDATE patients SET last_seen = greatest(last_seen, (v ->> 'checked_in_at')::timestamptz) WHERE id = pid;
        END IF;
        FOR d IN SELECT * FROM jsonb_array_elements(v -> 'documents') LOOP
            INSERT INTO patient_documents (kind, number, patient_id, valid_to, source)
            VALUES (d ->> 0, d ->> 1, pid, d ->> 2, owner_) ON CONFLICT (kind, number) DO NOTHING;
        END LOOP;
        number_ := coalesce(v ->> 'ticket_number', '?' || (v ->> 'ma_lk'));
        INSERT INTO visits (ma_lk, kiosk_id, facility_code, patient_id, visit_day, service_code, room, priority,
                            status, checked_in_at, ticket_number, numbered_by)
        VALUES (v ->> 'ma_lk', v ->> 'kiosk_id', p_facility, pid, (v ->> 'visit_day')::date, v ->> 'service_code',
                v ->> 'room', v ->> 'priority', v ->> 'status', (v ->> 'checked_in_at')::timestamptz, number_,
                CASE WHEN position('-' IN number_) = 0 THEN 'hub' ELSE 'kiosk' END)
        ON CONFLICT (ma_lk) DO NOTHING;
        IF FOUND THEN
            new_visits := new_visits + 1;
            SELECT array_agg(o.ma_lk ORDER BY o.checked_in_at) INTO others FROM visits o
            WHERE o.patient_id = pid AND o.service_code = v ->> 'service_code'
              AND o.visit_day = (v ->> 'visit_day')::date AND o.ma_lk <> v ->> 'ma_lk'
              AND o.status NOT IN ('closed', 'cancelled');
            IF others IS NOT NULL THEN
                UPDATE visits SET conflict = true WHERE ma_lk = ANY(others || (v ->> 'ma_lk')) AND NOT conflict;
                INSERT INTO conflicts (ma_lk_a, ma_lk_b, reason)
                SELECT o, v ->> 'ma_lk', 'same patient, service and day' FROM unnest(others) AS o
                ON CONFLICT DO NOTHING;
                conflict_ma_lks := conflict_ma_lks || (v ->> 'ma_lk');
            END IF;
        END IF;
    END LOOP;
    INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, state, acked_by,
                        receipt_ma_giao_dich, receipt_time)
    SELECT o ->> 'kind', o ->> 'ma_lk', p_kiosk, decode(o ->> 'payload', 'base64'), o ->> 'payload_sha256', owner_,
           CASE WHEN (o ->> 'acked')::boolean THEN 'acked' ELSE 'pending' END,
           CASE WHEN (o ->> 'acked')::boolean THEN owner_ END,
           CASE WHEN (o ->> 'acked')::boolean THEN o ->> 'receipt_ma_giao_dich' END,
           CASE WHEN (o ->> 'acked')::boolean THEN o ->> 'receipt_time' END
    FROM jsonb_array_elements(p_outbox) AS o
    ON CONFLICT (kind, ma_lk) DO NOTHING;
END $$;

REVOKE EXECUTE ON FUNCTION hub_ingest FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_ingest TO kiosk_group;

-- In facility mode the hub assigns the kiosk_id (issue 16 item 1): it is part of every MA_LK and of
-- the offline ticket series, so two kiosks must never share one. A machine (its /etc/machine-id,
-- or what the technician names) enrols once and keeps its id; asking again returns the same id. An
-- id already held by another machine is refused. New ids come from a sequence starting at 2
-- (1 is the built-in default that provisioning refuses), skipping ids enrolled by hand.
CREATE TABLE kiosk_enrolments (
    kiosk_id        text PRIMARY KEY CHECK (kiosk_id ~ '^[A-Za-z0-9]+$'),
    facility_code   text NOT NULL,
    machine         text NOT NULL UNIQUE,
    enrolled_at     timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE kiosk_id_seq START 2;

CREATE FUNCTION hub_enrol(p_facility text, p_machine text, p_wanted text DEFAULT NULL,
                          OUT kiosk_id text, OUT created boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE holder text;
BEGIN
    created := false;
    PERFORM pg_advisory_xact_lock(hashtext('hub_enrol'));
    SELECT e.kiosk_id INTO kiosk_id FROM kiosk_enrolments e WHERE e.machine = p_machine;
    IF FOUND THEN
        IF p_wanted IS NOT NULL AND p_wanted <> kiosk_id THEN
            RAISE EXCEPTION 'machine % is already enrolled as kiosk %', p_machine, kiosk_id
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN;
    END IF;
    IF p_wanted IS NOT NULL THEN
        SELECT e.machine INTO holder FROM kiosk_enrolments e WHERE e.kiosk_id = p_wanted;
        IF FOUND THEN
            RAISE EXCEPTION 'kiosk_id % is already enrolled by another machine', p_wanted
                USING ERRCODE = 'unique_violation';
        END IF;
        kiosk_id := p_wanted;
    ELSE
        LOOP
            kiosk_id := nextval('kiosk_id_seq')::text;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM kiosk_enrolments e WHERE e.kiosk_id = hub_enrol.kiosk_id);
        END LOOP;
    END IF;
    INSERT INTO kiosk_enrolments (kiosk_id, facility_code, machine) VALUES (kiosk_id, p_facility, p_machine);
    INSERT INTO events (kind, kiosk_id, body) VALUES ('kiosk.enrolled', kiosk_id, jsonb_build_object('machine', p_machine));
    created := true;
END $$;

REVOKE EXECUTE ON FUNCTION hub_enrol FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_enrol TO kiosk_group;
GRANT SELECT ON kiosk_enrolments TO kiosk_group, desk_group;

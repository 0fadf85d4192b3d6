-- Hub schema 8 (issue 18 leftover): appointments and follow-ups reach the hub's queue.
--
-- A kiosk's local queue entry (local migrations 0002/0009) carries the appointment time of an
-- imported booking, the follow-up flag, and its calling priority (which may differ from the visit's:
-- MA_DOITUONG_KCB '2' is called as an emergency). The push now sends them with the visit
-- (kiosk/store/facility_feed.py, kiosk/facility/push.py); hub_ingest stores them on the visit and
-- the queue-entry trigger of schema 4 copies them into hub_queue_entries, so the hub's calling
-- order (kiosk/facility/calling.py ORDER_SQL, the core's order_key in SQL) calls appointment
-- patients at their time, follow-ups first, exactly as the kiosk's own queue does.
-- A kiosk that does not send the fields (older software) gets NULL / false: as before.
--
-- The technician's hub check reads the schema version as the kiosk role (kiosk/facility/hub_check.py).
GRANT SELECT ON hub_schema_migrations TO kiosk_group, worker_group;

ALTER TABLE visits ADD COLUMN queue_priority text,             -- the kiosk queue's group (NULL: the visit's)
                   ADD COLUMN appointment_at timestamptz,      -- the booked time, when the visit had one
                   ADD COLUMN follow_up boolean NOT NULL DEFAULT false;

-- every visit the kiosks push becomes a queue entry, now with its appointment and follow-up
CREATE OR REPLACE FUNCTION hub_queue_entry_for_visit() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO hub_queue_entries (ma_lk, facility_code, day, number, service_code, room, priority,
                                   appointment_at, follow_up, queued_at, state)
    VALUES (NEW.ma_lk, NEW.facility_code, NEW.visit_day, NEW.ticket_number, NEW.service_code,
            coalesce(NEW.room, ''), coalesce(NEW.queue_priority, NEW.priority), NEW.appointment_at, NEW.follow_up,
            NEW.checked_in_at, CASE WHEN NEW.status IN ('cancelled', 'closed') THEN 'cancelled' ELSE 'waiting' END)
    ON CONFLICT (ma_lk) DO NOTHING;
    RETURN NULL;
END $$;

-- p_visits items gain: queue_priority (text or null), appointment_at (ISO time or null), follow_up (boolean).
-- The rest is schema 3's function unchanged: one round trip per batch, the caller's rights.
CREATE OR REPLACE FUNCTION hub_ingest(p_kiosk text, p_facility text, p_visits jsonb, p_outbox jsonb,
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
                            status, checked_in_at, ticket_number, numbered_by,
                            queue_priority, appointment_at, follow_up)                        -- schema 8
        VALUES (v ->> 'ma_lk', v ->> 'kiosk_id', p_facility, pid, (v ->> 'visit_day')::date, v ->> 'service_code',
                v ->> 'room', v ->> 'priority', v ->> 'status', (v ->> 'checked_in_at')::timestamptz, number_,
                CASE WHEN position('-' IN number_) = 0 THEN 'hub' ELSE 'kiosk' END,
                v ->> 'queue_priority', (v ->> 'appointment_at')::timestamptz,
                coalesce((v ->> 'follow_up')::boolean, false))
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

-- An appointments file imported after a patient's visit was pushed changes the kiosk's waiting entry
-- (kiosk/store/appointments.py apply_to_waiting); the push then sends today's bookings of pushed
-- visits here. Only this kiosk's visits, only entries still waiting where they were queued (not
-- transferred); returns how many hub queue entries changed.
CREATE FUNCTION hub_queue_facts(p_kiosk text, p_items jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n integer;
BEGIN
    UPDATE visits v SET appointment_at = x.appointment_at, follow_up = x.follow_up
    FROM jsonb_to_recordset(p_items) AS x(ma_lk text, appointment_at timestamptz, follow_up boolean)
    WHERE v.ma_lk = x.ma_lk AND v.kiosk_id = p_kiosk
      AND (v.appointment_at IS DISTINCT FROM x.appointment_at OR v.follow_up IS DISTINCT FROM x.follow_up);
    UPDATE hub_queue_entries q SET appointment_at = x.appointment_at, follow_up = x.follow_up, updated_at = now()
    FROM jsonb_to_recordset(p_items) AS x(ma_lk text, appointment_at timestamptz, follow_up boolean), visits v
    WHERE q.ma_lk = x.ma_lk AND v.ma_lk = q.ma_lk AND v.kiosk_id = p_kiosk
      AND q.state = 'waiting' AND q.from_service IS NULL
      AND (q.appointment_at IS DISTINCT FROM x.appointment_at OR q.follow_up IS DISTINCT FROM x.follow_up);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE EXECUTE ON FUNCTION hub_queue_facts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_queue_facts TO kiosk_group;

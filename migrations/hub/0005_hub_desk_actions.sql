-- Hub schema 5: the desk's visit actions on the hub (issue 17 item 4) — change priority, move to
-- another service, the card re-check's outcome, fix-and-resend of a dead upload the hub owns.
--
-- Each is one SECURITY DEFINER door (desk_group gets EXECUTE only, no new column grants):
-- compare-and-set on visits.version under the visit's row lock, server time, an `events` row for
-- the live feed. The caller's desk appends its hub audit entry in the same transaction.
-- Answers are words, not exceptions: 'ok', 'missing', 'stale', 'finished:<status>', ...

-- A number a move cancelled (the local desk cancels the old ticket; the hub keeps this record):
-- the series never hands it out again, and the visit now carries the new one.
CREATE TABLE hub_ticket_moves (
    id              bigserial PRIMARY KEY,
    ma_lk           text NOT NULL REFERENCES visits(ma_lk),
    from_service    text NOT NULL,
    from_number     text NOT NULL,
    to_service      text NOT NULL,
    to_number       text NOT NULL,
    allocation_key  text NOT NULL UNIQUE,     -- ticket_allocations.ma_lk of the new number
    staff           text NOT NULL,
    desk            text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_ticket_moves_visit ON hub_ticket_moves(ma_lk);

-- The desk's card re-checks (the gateway's answer, as the local store's eligibility checks keep it).
CREATE TABLE hub_card_checks (
    id              bigserial PRIMARY KEY,
    ma_lk           text NOT NULL REFERENCES visits(ma_lk),
    card_number     text NOT NULL,
    code            text,
    verdict         text NOT NULL,
    proceed         boolean NOT NULL,
    reason          text,
    new_card_number text,
    staff           text NOT NULL,
    desk            text NOT NULL,
    checked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_card_checks_visit ON hub_card_checks(ma_lk, id);

CREATE FUNCTION hub_desk_set_priority(p_ma_lk text, p_version integer, p_priority text, p_staff text,
                                      OUT answer text, OUT version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v record;
BEGIN
    SELECT status, priority, visits.version AS ver INTO v FROM visits WHERE ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN answer := 'missing'; RETURN; END IF;
    IF v.ver <> p_version THEN answer := 'stale'; RETURN; END IF;
    IF v.status IN ('closed', 'cancelled') THEN answer := 'finished:' || v.status; RETURN; END IF;
    UPDATE visits SET priority = p_priority, version = visits.version + 1 WHERE ma_lk = p_ma_lk
    RETURNING visits.version INTO version;
    -- the hub's calling order reads the queue entry's priority
    UPDATE hub_queue_entries SET priority = p_priority, updated_at = now()
    WHERE ma_lk = p_ma_lk AND state NOT IN ('done', 'cancelled');
    INSERT INTO events (kind, ma_lk, body) VALUES ('visit.desk', p_ma_lk,
        jsonb_build_object('staff', p_staff, 'priority_from', v.priority, 'priority_to', p_priority));
    answer := 'ok';
END $$;

-- The visit goes to another service: a new number from that service's facility series through the
-- same atomic allocation as a desk's manual check-in (hub_allocate, under the desk's name), the old
-- number recorded as cancelled, the queue entry re-queued at the back of the new service's line.
CREATE FUNCTION hub_desk_move_service(p_ma_lk text, p_version integer, p_service text, p_letter text,
                                      p_room text, p_desk text, p_staff text,
                                      OUT answer text, OUT version integer, OUT number text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    q text;
    k text[];
    n text[];
    key_ text;
    already_ boolean;
BEGIN
    IF p_desk NOT LIKE 'desk-%' THEN
        RAISE EXCEPTION 'a desk allocates under its own name (desk-...)';
    END IF;
    SELECT * INTO v FROM visits WHERE ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN answer := 'missing'; RETURN; END IF;
    IF v.version <> p_version THEN answer := 'stale'; RETURN; END IF;
    IF v.status IN ('closed', 'cancelled') THEN answer := 'finished:' || v.status; RETURN; END IF;
    IF v.service_code = p_service THEN answer := 'same'; RETURN; END IF;
    SELECT state INTO q FROM hub_queue_entries WHERE ma_lk = p_ma_lk FOR UPDATE;
    IF q = 'in_service' THEN answer := 'at_counter'; RETURN; END IF;
    SELECT coalesce(array_agg(kind ORDER BY kind), '{}'), coalesce(array_agg(d.number ORDER BY kind), '{}')
    INTO k, n FROM patient_documents d WHERE d.patient_id = v.patient_id;
    key_ := p_ma_lk || '~move' || (SELECT count(*) + 1 FROM hub_ticket_moves m WHERE m.ma_lk = p_ma_lk);
    SELECT a.number, a.already INTO number, already_
    FROM hub_allocate(v.facility_code, v.visit_day, p_service, p_letter, key_, p_desk, v.priority IS NOT NULL,
                      k, n) a;
    IF already_ THEN answer := 'already:' || number; number := NULL; RETURN; END IF;
    INSERT INTO hub_ticket_moves (ma_lk, from_service, from_number, to_service, to_number, allocation_key, staff, desk)
    VALUES (p_ma_lk, v.service_code, v.ticket_number, p_service, number, key_, p_staff, p_desk);
    UPDATE visits SET service_code = p_service, room = p_room, ticket_number = number, numbered_by = 'hub',
                      version = visits.version + 1 WHERE ma_lk = p_ma_lk
    RETURNING visits.version INTO version;
    UPDATE hub_queue_entries SET number = hub_desk_move_service.number, service_code = p_service,
        room = coalesce(p_room, ''), state = 'waiting', queued_at = now(), counter_id = NULL, called_at = NULL,
        call_count = 0, started_at = NULL, finished_at = NULL, no_show_at = NULL, from_service = NULL,
        from_room = NULL, from_state = NULL, from_queued_at = NULL, from_counter = NULL, updated_at = now()
    WHERE ma_lk = p_ma_lk;
    INSERT INTO events (kind, ma_lk, body) VALUES ('visit.desk', p_ma_lk,
        jsonb_build_object('staff', p_staff, 'moved_from', v.service_code, 'moved_to', p_service,
                           'cancelled_number', v.ticket_number, 'number', number));
    answer := 'ok';
END $$;

-- The outcome of a card re-check the desk ran against the gateway: recorded, and the visit moves
-- (provisional / needs_desk -> waiting when the card proceeds, -> needs_desk when the gateway refuses
-- it; p_to NULL when the gateway gave no answer: the status stays, the check is recorded).
CREATE FUNCTION hub_desk_card_checked(p_ma_lk text, p_version integer, p_to text, p_card text, p_code text,
                                      p_verdict text, p_proceed boolean, p_reason text, p_new_card text,
                                      p_staff text, p_desk text, OUT answer text, OUT version integer,
                                      OUT check_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v record;
BEGIN
    SELECT status, visits.version AS ver INTO v FROM visits WHERE ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN answer := 'missing'; RETURN; END IF;
    IF v.ver <> p_version THEN answer := 'stale'; RETURN; END IF;
    IF v.status IN ('closed', 'cancelled') THEN answer := 'finished:' || v.status; RETURN; END IF;
    IF p_to NOT IN ('waiting', 'needs_desk') OR (p_to = 'waiting' AND NOT p_proceed) THEN   -- NULL: record only
        RAISE EXCEPTION 'a card re-check moves a visit to waiting (card proceeds) or needs_desk only';
    END IF;
    INSERT INTO hub_card_checks (ma_lk, card_number, code, verdict, proceed, reason, new_card_number, staff, desk)
    VALUES (p_ma_lk, p_card, p_code, p_verdict, p_proceed, p_reason, p_new_card, p_staff, p_desk)
    RETURNING id INTO check_id;
    version := v.ver;
    -- only the statuses a re-check decides: waiting stays waiting, in_progress is not touched
    IF p_to IS NOT NULL AND v.status <> p_to AND v.status IN ('provisional', 'needs_desk', 'waiting')
       AND NOT (v.status = 'waiting' AND p_to = 'waiting') THEN
        UPDATE visits SET status = p_to, version = visits.version + 1 WHERE ma_lk = p_ma_lk
        RETURNING visits.version INTO version;
    END IF;
    INSERT INTO events (kind, ma_lk, body) VALUES ('visit.desk', p_ma_lk,
        jsonb_build_object('staff', p_staff, 'from', v.status, 'to', CASE WHEN version = v.ver THEN v.status ELSE p_to END,
                           'card_check', check_id, 'code', p_code));
    answer := 'ok';
END $$;

-- Fix-and-resend: a dead item the HUB owns gets the corrected, re-signed document and goes back to
-- pending for the hub worker. A dead item was refused, so the gateway holds nothing under its MA_LK.
-- A kiosk-owned item is never taken over here (it is fixed at that kiosk's own desk).
CREATE FUNCTION hub_desk_replace_dead(p_kind text, p_ma_lk text, p_payload bytea, p_summary jsonb DEFAULT NULL)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE o text; s text;
BEGIN
    SELECT owner, state INTO o, s FROM outbox WHERE kind = p_kind AND ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN RETURN 'missing'; END IF;
    IF o <> 'hub' THEN RETURN 'owner:' || o; END IF;
    IF s <> 'dead' THEN RETURN 'state:' || s; END IF;
    UPDATE outbox SET payload = p_payload, payload_sha256 = encode(digest(p_payload, 'sha256'), 'hex'),
                      state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL,
                      needs_reconcile = true, last_code = NULL
    WHERE kind = p_kind AND ma_lk = p_ma_lk;
    IF p_summary IS NOT NULL AND p_kind = 'dossier' THEN      -- the corrected visit summary the dossier says
        UPDATE visit_closures SET summary = p_summary WHERE ma_lk = p_ma_lk;
    END IF;
    INSERT INTO events (kind, ma_lk, body) VALUES ('outbox.fixed', p_ma_lk, jsonb_build_object('kind', p_kind));
    RETURN 'ok';
END $$;

-- A correction of the facility patient's name, birth date or gender (fix-and-resend), audited by the caller.
CREATE FUNCTION hub_desk_correct_patient(p_ma_lk text, p_full_name text, p_birth_date text, p_gender smallint)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE patients SET full_name = coalesce(p_full_name, full_name), birth_date = coalesce(p_birth_date, birth_date),
                        gender = coalesce(p_gender, gender)
    WHERE id = (SELECT patient_id FROM visits WHERE ma_lk = p_ma_lk);
    RETURN FOUND;
END $$;

REVOKE EXECUTE ON FUNCTION hub_desk_set_priority, hub_desk_move_service, hub_desk_card_checked,
    hub_desk_replace_dead, hub_desk_correct_patient FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_desk_set_priority, hub_desk_move_service, hub_desk_card_checked,
    hub_desk_replace_dead, hub_desk_correct_patient TO desk_group;
GRANT SELECT ON hub_ticket_moves, hub_card_checks TO desk_group;

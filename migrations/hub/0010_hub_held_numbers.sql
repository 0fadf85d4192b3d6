-- Held numbers (issue 17: a kiosk's scan -> ticket with the hub online within 1.2x of offline).
-- A busy kiosk holds one number of a service's facility series ahead of its next patient, taken
-- with the answer to its previous ticket (hub_claim). Its next scan then has its number before the
-- hub answers: the kiosk sends the claim (the facility-wide "already ticketed?" check, the allocation
-- record and the next hold) and uses the answer if it came during the kiosk's own work. A claim lost in a hub crash leaves its hold behind, still owned
-- by the kiosk, which never claims or gives back a number it has used: the number cannot be
-- handed out twice, and the visit the kiosk pushes carries it.
-- Order: a held number is used only while it is at most hub_hold_reach() behind the series' newest
-- number (otherwise it stays a gap and the claim allocates afresh), so a ticket's number is never
-- far behind the ones issued just before it. A hold given back (the kiosk stops) is taken first by
-- the series' next allocation while it is within that reach.

CREATE TABLE ticket_holds (
    facility_code   text NOT NULL,
    day             date NOT NULL,
    service_code    text NOT NULL,
    seq             integer NOT NULL,
    kiosk_id        text,                 -- NULL: given back, the series' next allocation takes it
    held_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (facility_code, day, service_code, seq)
);

CREATE FUNCTION hub_hold_reach() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 50';

-- The series' newest number so far (0 before the first).
-- (plpgsql, like the functions below: its plan is kept for the session, where a SQL function that
-- cannot be inlined is planned again in every transaction)
CREATE FUNCTION hub_series_last(p_facility text, p_day date, p_service text) RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN coalesce((SELECT last FROM ticket_series
                     WHERE facility_code = p_facility AND day = p_day AND service_code = p_service), 0);
END $$;

-- The series' next number: the lowest given-back hold within reach, else the series row bumped under its lock.
CREATE FUNCTION hub_next_seq(p_facility text, p_day date, p_service text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE s integer;
BEGIN
    SELECT h.seq INTO s FROM ticket_holds h
    WHERE h.facility_code = p_facility AND h.day = p_day AND h.service_code = p_service AND h.kiosk_id IS NULL
      AND h.seq >= hub_series_last(p_facility, p_day, p_service) - hub_hold_reach()
    ORDER BY h.seq LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        DELETE FROM ticket_holds
        WHERE facility_code = p_facility AND day = p_day AND service_code = p_service AND seq = s;
        RETURN s;
    END IF;
    INSERT INTO ticket_series AS t (facility_code, day, service_code, last) VALUES (p_facility, p_day, p_service, 1)
    ON CONFLICT (facility_code, day, service_code) DO UPDATE SET last = t.last + 1
    RETURNING t.last INTO s;
    RETURN s;
END $$;

CREATE FUNCTION hub_format_number(p_letter text, p_priority boolean, s integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_letter || CASE WHEN p_priority THEN 'U' ELSE '' END
           || CASE WHEN s < 100 THEN lpad(s::text, 3, '0') ELSE s::text END
$$;

-- The active ticket of a patient (any of its documents) for this service and day, anywhere in the facility.
CREATE FUNCTION hub_active_number(p_day date, p_service text, p_kinds text[], p_numbers text[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF coalesce(array_length(p_kinds, 1), 0) = 0 THEN RETURN NULL; END IF;
    RETURN (SELECT v.ticket_number FROM patient_documents d JOIN visits v ON v.patient_id = d.patient_id
            WHERE (d.kind, d.number) IN (SELECT * FROM unnest(p_kinds, p_numbers))
              AND v.service_code = p_service AND v.visit_day = p_day AND v.status NOT IN ('closed', 'cancelled')
            LIMIT 1);
END $$;

-- hub_allocate, as in 0001, now through the shared parts (a given-back hold is taken first).
CREATE OR REPLACE FUNCTION hub_allocate(p_facility text, p_day date, p_service text, p_letter text, p_ma_lk text,
                                        p_kiosk text, p_priority boolean, p_kinds text[], p_numbers text[],
                                        OUT number text, OUT already boolean)
LANGUAGE plpgsql AS $$
DECLARE s integer;
BEGIN
    already := false;
    SELECT a.number INTO number FROM ticket_allocations a WHERE a.ma_lk = p_ma_lk;
    IF FOUND THEN RETURN; END IF;
    number := hub_active_number(p_day, p_service, p_kinds, p_numbers);
    IF number IS NOT NULL THEN already := true; RETURN; END IF;
    s := hub_next_seq(p_facility, p_day, p_service);
    number := hub_format_number(p_letter, p_priority, s);
    INSERT INTO ticket_allocations (facility_code, day, service_code, seq, number, ma_lk, kiosk_id)
    VALUES (p_facility, p_day, p_service, s, number, p_ma_lk, p_kiosk);
END $$;

-- Hold the series' next number for one kiosk (committed durably: the caller's default commit).
CREATE FUNCTION hub_hold(p_facility text, p_day date, p_service text, p_kiosk text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE s integer;
BEGIN
    s := hub_next_seq(p_facility, p_day, p_service);
    INSERT INTO ticket_holds (facility_code, day, service_code, seq, kiosk_id) VALUES (p_facility, p_day, p_service, s, p_kiosk);
    RETURN s;
END $$;

-- Give back a hold the kiosk will not use (the next allocation of the series takes it).
CREATE FUNCTION hub_give_back(p_facility text, p_day date, p_service text, p_seq integer, p_kiosk text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE ticket_holds SET kiosk_id = NULL
    WHERE facility_code = p_facility AND day = p_day AND service_code = p_service AND seq = p_seq AND kiosk_id = p_kiosk;
    RETURN FOUND;
END $$;

-- Remove the kiosk's own hold for its claim: true when it may be used; false when there is none
-- (given back, or a hub restored) or it fell out of reach (then it stays a gap).
CREATE FUNCTION hub_take_hold(p_facility text, p_day date, p_service text, p_seq integer, p_kiosk text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM ticket_holds
    WHERE facility_code = p_facility AND day = p_day AND service_code = p_service AND seq = p_seq AND kiosk_id = p_kiosk;
    RETURN FOUND AND p_seq >= hub_series_last(p_facility, p_day, p_service) - hub_hold_reach();
END $$;

-- The kiosk's one call per ticket: the number (claiming its held `p_seq` when it has one, else
-- allocating as hub_allocate does), idempotent per MA_LK, refusing (already = true, the hold kept) a
-- patient who holds an active ticket; and, for a busy kiosk (`p_hold_next`), the series' next number
-- held for its next patient, in the same transaction (one round trip, one commit). A claim that
-- holds nothing new commits without waiting for the WAL flush (synchronous_commit off for this
-- transaction only; no function SET clause here, so the SET LOCAL lasts until the commit): its
-- number was made durable when it was held. Anything that moved the series commits durably.
CREATE FUNCTION hub_claim(p_facility text, p_day date, p_service text, p_letter text, p_seq integer, p_ma_lk text,
                          p_kiosk text, p_priority boolean, p_kinds text[], p_numbers text[], p_hold_next boolean,
                          OUT number text, OUT already boolean, OUT held boolean, OUT next_seq integer)
LANGUAGE plpgsql AS $$
DECLARE s integer;
BEGIN
    already := false;
    held := false;
    SELECT a.number INTO number FROM ticket_allocations a WHERE a.ma_lk = p_ma_lk;
    IF FOUND THEN RETURN; END IF;
    number := hub_active_number(p_day, p_service, p_kinds, p_numbers);
    IF number IS NOT NULL THEN already := true; RETURN; END IF;
    IF p_seq IS NOT NULL AND hub_take_hold(p_facility, p_day, p_service, p_seq, p_kiosk) THEN
        s := p_seq;
        held := true;
    ELSE
        s := hub_next_seq(p_facility, p_day, p_service);
    END IF;
    number := hub_format_number(p_letter, p_priority, s);
    INSERT INTO ticket_allocations (facility_code, day, service_code, seq, number, ma_lk, kiosk_id)
    VALUES (p_facility, p_day, p_service, s, number, p_ma_lk, p_kiosk);
    IF p_hold_next THEN
        next_seq := hub_hold(p_facility, p_day, p_service, p_kiosk);
    ELSIF held THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
END $$;

REVOKE EXECUTE ON FUNCTION hub_next_seq, hub_series_last, hub_hold, hub_give_back, hub_take_hold, hub_claim FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_next_seq, hub_series_last, hub_hold, hub_give_back, hub_take_hold, hub_claim TO kiosk_group;
GRANT SELECT ON ticket_holds TO desk_group;

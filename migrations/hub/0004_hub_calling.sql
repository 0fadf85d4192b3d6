-- Hub schema 4: calling through the hub (issue 18). The same queue model as the kiosk's local
-- store (kiosk/core/queue): one queue entry per visit, counters/rooms with the services they call
-- for, the calls the displays and the voice follow. "Call next" is decided by the database
-- (SELECT ... FOR UPDATE SKIP LOCKED in the core's calling order, kiosk/facility/calling.py), and
-- a counter holds one patient at a time (unique index). Every action is audited in `events`.

CREATE TABLE hub_counters (
    facility_code   text NOT NULL,
    id              text NOT NULL,
    name_vi         text NOT NULL,
    name_en         text NOT NULL,
    room            text NOT NULL,
    services        text[] NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (facility_code, id)
);

CREATE TABLE hub_queue_entries (
    id              bigserial PRIMARY KEY,
    ma_lk           text NOT NULL UNIQUE REFERENCES visits(ma_lk),
    facility_code   text NOT NULL,
    day             date NOT NULL,
    number          text NOT NULL,
    service_code    text NOT NULL,
    room            text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'waiting' CHECK (state IN
                        ('waiting', 'called', 'in_service', 'done', 'no_show', 'cancelled')),
    priority        text,
    appointment_at  timestamptz,
    follow_up       boolean NOT NULL DEFAULT false,
    queued_at       timestamptz NOT NULL,
    counter_id      text,
    called_at       timestamptz,
    call_count      integer NOT NULL DEFAULT 0,
    started_at      timestamptz,
    finished_at     timestamptz,
    no_show_at      timestamptz,
    from_service    text,
    from_room       text,
    from_state      text,
    from_queued_at  timestamptz,
    from_counter    text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((state IN ('called', 'in_service')) = (counter_id IS NOT NULL))
);
CREATE INDEX hub_queue_waiting ON hub_queue_entries(facility_code, day, state, service_code);
CREATE UNIQUE INDEX hub_queue_one_per_counter ON hub_queue_entries(facility_code, counter_id)
    WHERE state IN ('called', 'in_service');

CREATE TABLE hub_queue_calls (
    id              bigserial PRIMARY KEY,
    entry_id        bigint NOT NULL REFERENCES hub_queue_entries(id),
    facility_code   text NOT NULL,
    day             date NOT NULL,
    number          text NOT NULL,
    counter_id      text NOT NULL,
    room            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('call', 'recall')),
    staff           text NOT NULL,
    at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX hub_queue_calls_day ON hub_queue_calls(facility_code, day, id);

-- every visit the kiosks push becomes a queue entry (runs as the hub owner: kiosks need no grant)
CREATE FUNCTION hub_queue_entry_for_visit() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO hub_queue_entries (ma_lk, facility_code, day, number, service_code, room, priority,
                                   queued_at, state)
    VALUES (NEW.ma_lk, NEW.facility_code, NEW.visit_day, NEW.ticket_number, NEW.service_code,
            coalesce(NEW.room, ''), NEW.priority, NEW.checked_in_at,
            CASE WHEN NEW.status IN ('cancelled', 'closed') THEN 'cancelled' ELSE 'waiting' END)
    ON CONFLICT (ma_lk) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER visits_queue_entry AFTER INSERT ON visits FOR EACH ROW EXECUTE FUNCTION hub_queue_entry_for_visit();

-- a visit the desk cancels leaves the queue (unless it is at a counter)
CREATE FUNCTION hub_queue_visit_cancelled() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE hub_queue_entries SET state = 'cancelled', updated_at = now()
    WHERE ma_lk = NEW.ma_lk AND state IN ('waiting', 'no_show');
    RETURN NULL;
END $$;
CREATE TRIGGER visits_queue_cancelled AFTER UPDATE OF status ON visits FOR EACH ROW
    WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled') EXECUTE FUNCTION hub_queue_visit_cancelled();

-- displays LISTEN hub_queue: one notification per changing statement (payload: the facility)
CREATE FUNCTION hub_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_queue', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER hub_queue_entries_notify AFTER INSERT OR UPDATE OR DELETE ON hub_queue_entries
    FOR EACH STATEMENT EXECUTE FUNCTION hub_queue_notify();
CREATE TRIGGER hub_queue_calls_notify AFTER INSERT ON hub_queue_calls
    FOR EACH STATEMENT EXECUTE FUNCTION hub_queue_notify();
CREATE TRIGGER hub_counters_notify AFTER INSERT OR UPDATE OR DELETE ON hub_counters
    FOR EACH STATEMENT EXECUTE FUNCTION hub_queue_notify();

-- the queue entries that existed before this migration's visits
INSERT INTO hub_queue_entries (ma_lk, facility_code, day, number, service_code, room, priority, queued_at, state)
SELECT ma_lk, facility_code, visit_day, ticket_number, service_code, coalesce(room, ''), priority, checked_in_at,
       CASE WHEN status IN ('cancelled', 'closed') THEN 'cancelled' ELSE 'waiting' END
FROM visits ON CONFLICT (ma_lk) DO NOTHING;

-- callers and desks call (desk_group); kiosks and displays read (estimates, boards)
GRANT SELECT, INSERT, UPDATE ON hub_counters, hub_queue_entries, hub_queue_calls TO desk_group;
GRANT USAGE ON SEQUENCE hub_queue_entries_id_seq, hub_queue_calls_id_seq TO desk_group;
GRANT SELECT ON hub_counters, hub_queue_entries, hub_queue_calls TO kiosk_group;

-- The event rides on its notification: a desk applies what NOTIFY brings instead of reading the
-- feed back after every wake-up (one query per desk per wake, the hub's largest cost per check-in
-- after the check-in itself). The feed stays the truth: a desk that was away catches up from it.
-- A payload over NOTIFY's 8000-byte limit is sent as the bare event id (the desk reads that one).
CREATE OR REPLACE FUNCTION hub_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text := (jsonb_build_object('id', NEW.id, 'kind', NEW.kind, 'ma_lk', NEW.ma_lk, 'kiosk', NEW.kiosk_id)
                     || NEW.body)::text;
BEGIN
    PERFORM pg_notify('hub_events', CASE WHEN octet_length(payload) < 7900 THEN payload ELSE NEW.id::text END);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hub_visit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events(kind, ma_lk, kiosk_id, body)
    VALUES (CASE WHEN TG_OP = 'INSERT' THEN 'visit.new' ELSE 'visit.changed' END, NEW.ma_lk, NEW.kiosk_id,
            jsonb_build_object('service', NEW.service_code, 'ticket', NEW.ticket_number,
                               'status', NEW.status, 'conflict', NEW.conflict, 'checked_in_at', NEW.checked_in_at));
    RETURN NULL;
END $$;

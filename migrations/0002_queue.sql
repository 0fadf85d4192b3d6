-- Schema 2: calling (issue 18). Counters/rooms and the services they call for, one queue entry
-- per ticket (made by a trigger, so every issuing path - kiosk, desk - feeds the queue), and
-- the calls the waiting-room display and the voice follow.

CREATE TABLE counters (
    id          TEXT PRIMARY KEY,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    room        TEXT NOT NULL,
    services    TEXT NOT NULL,              -- service codes, comma separated
    updated_at  TEXT NOT NULL
);

CREATE TABLE queue_entries (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
    visit_id        INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    day             TEXT NOT NULL,
    number          TEXT NOT NULL,
    service_code    TEXT NOT NULL,
    room            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN
                        ('waiting', 'called', 'in_service', 'done', 'no_show', 'cancelled')),
    priority        TEXT,                   -- a priority group (emergency, child, elderly, ...)
    appointment_at  TEXT,
    follow_up       INTEGER NOT NULL DEFAULT 0,
    queued_at       TEXT NOT NULL,
    counter_id      TEXT REFERENCES counters(id),
    called_at       TEXT,
    call_count      INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT,
    finished_at     TEXT,
    no_show_at      TEXT,
    from_service    TEXT,                   -- "coming from" of a transfer, kept for undo
    from_room       TEXT,
    from_state      TEXT,
    from_queued_at  TEXT,
    from_counter    TEXT,
    updated_at      TEXT NOT NULL,
    CHECK ((state IN ('called', 'in_service')) = (counter_id IS NOT NULL))
);
CREATE INDEX queue_entries_waiting ON queue_entries(day, state, service_code);
-- a counter holds one patient at a time: the database refuses a second
CREATE UNIQUE INDEX queue_entries_one_per_counter ON queue_entries(counter_id)
    WHERE state IN ('called', 'in_service');

CREATE TABLE queue_calls (
    id          INTEGER PRIMARY KEY,
    entry_id    INTEGER NOT NULL REFERENCES queue_entries(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    number      TEXT NOT NULL,
    counter_id  TEXT NOT NULL,
    room        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'recall')),
    at          TEXT NOT NULL
);
CREATE INDEX queue_calls_day ON queue_calls(day, id);

-- every ticket becomes a queue entry; emergencies (MA_DOITUONG_KCB 2) get the emergency group, a
-- visit someone booked as this day's follow-up of this service is a follow-up
CREATE TRIGGER queue_entry_for_ticket AFTER INSERT ON tickets
BEGIN
    INSERT INTO queue_entries (ticket_id, visit_id, day, number, service_code, room, priority,
                               follow_up, queued_at, updated_at)
    SELECT NEW.id, NEW.visit_id, NEW.day, NEW.number, NEW.service_code, coalesce(v.room, ''),
           CASE WHEN v.ma_doituong_kcb = 2 THEN 'emergency' ELSE v.priority END,
           EXISTS (SELECT 1 FROM visits p WHERE p.patient_id = v.patient_id AND p.id <> v.id
                   AND p.follow_up_date = v.visit_day AND p.follow_up_service = v.service_code),
           NEW.issued_at, NEW.issued_at
    FROM visits v WHERE v.id = NEW.visit_id;
END;

CREATE TRIGGER queue_entry_ticket_cancelled AFTER UPDATE OF status ON tickets
WHEN NEW.status = 'cancelled'
BEGIN
    UPDATE queue_entries SET state = 'cancelled', counter_id = NULL, updated_at = NEW.issued_at
    WHERE ticket_id = NEW.id AND state IN ('waiting', 'no_show', 'called');
END;

CREATE TRIGGER queue_entry_visit_changed AFTER UPDATE OF priority, service_code, room ON visits
BEGIN
    UPDATE queue_entries SET priority = CASE WHEN NEW.ma_doituong_kcb = 2 THEN 'emergency' ELSE NEW.priority END,
                             service_code = NEW.service_code, room = coalesce(NEW.room, '')
    WHERE visit_id = NEW.id AND state = 'waiting' AND from_service IS NULL;
END;

-- MA_DOITUONG_KCB is a code of the QĐ 824 / QĐ 3276 list ("1.1", "1.10", "2", "3.1" ...), a string:
-- an INTEGER column cannot keep "1.10" apart from "1.1". Old integer values: 2 (emergency) stays
-- "2"; everything else was the default 1 ("regular"), which is "1.1" (registered facility).
-- the queue triggers (0002) read the column: rebuilt around the change, comparing with the code '2'
DROP TRIGGER IF EXISTS queue_entry_for_ticket;
DROP TRIGGER IF EXISTS queue_entry_visit_changed;
ALTER TABLE visits RENAME COLUMN ma_doituong_kcb TO ma_doituong_kcb_int;
ALTER TABLE visits ADD COLUMN ma_doituong_kcb TEXT NOT NULL DEFAULT '1.1';
UPDATE visits SET ma_doituong_kcb = CASE ma_doituong_kcb_int WHEN 2 THEN '2' ELSE '1.1' END;
ALTER TABLE visits DROP COLUMN ma_doituong_kcb_int;

CREATE TRIGGER queue_entry_for_ticket AFTER INSERT ON tickets
BEGIN
    INSERT INTO queue_entries (ticket_id, visit_id, day, number, service_code, room, priority,
                               follow_up, queued_at, updated_at)
    SELECT NEW.id, NEW.visit_id, NEW.day, NEW.number, NEW.service_code, coalesce(v.room, ''),
           CASE WHEN v.ma_doituong_kcb = '2' THEN 'emergency' ELSE v.priority END,
           EXISTS (SELECT 1 FROM visits p WHERE p.patient_id = v.patient_id AND p.id <> v.id
                   AND p.follow_up_date = v.visit_day AND p.follow_up_service = v.service_code),
           NEW.issued_at, NEW.issued_at
    FROM visits v WHERE v.id = NEW.visit_id;
END;

CREATE TRIGGER queue_entry_visit_changed AFTER UPDATE OF priority, service_code, room ON visits
BEGIN
    UPDATE queue_entries SET priority = CASE WHEN NEW.ma_doituong_kcb = '2' THEN 'emergency' ELSE NEW.priority END,
                             service_code = NEW.service_code, room = coalesce(NEW.room, '')
    WHERE visit_id = NEW.id AND state = 'waiting' AND from_service IS NULL;
END;

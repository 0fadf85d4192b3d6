-- Schema 9: appointments booked in outside systems (issue 18), imported from CSV with
-- `kiosk queue appointments import FILE`. A patient who checks in for the booked service on the
-- booked day gets the appointment's time (and follow-up flag) on their queue entry, so the
-- calling order (kiosk/core/queue/order.py) calls them at their time, follow-ups first.
-- Matched by any identity document number of the patient (CCCD, old ID, BHXH, BHYT).

CREATE TABLE appointments (
    id              INTEGER PRIMARY KEY,
    day             TEXT NOT NULL,              -- Vietnam calendar day, yyyy-mm-dd
    at              TEXT NOT NULL,              -- UTC ISO time of the appointment
    service_code    TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    follow_up       INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1)),
    note            TEXT,                       -- for staff; never logged
    source          TEXT NOT NULL,              -- the imported file's name
    imported_at     TEXT NOT NULL,
    UNIQUE (day, service_code, id_number)
);
CREATE INDEX appointments_number ON appointments(id_number);

CREATE TRIGGER queue_entry_appointment AFTER INSERT ON queue_entries
WHEN EXISTS (SELECT 1 FROM appointments a JOIN patient_documents d ON d.number = a.id_number
             JOIN visits v ON v.patient_id = d.patient_id
             WHERE v.id = NEW.visit_id AND a.day = NEW.day AND a.service_code = NEW.service_code)
BEGIN
    UPDATE queue_entries SET
        appointment_at = (SELECT a.at FROM appointments a JOIN patient_documents d ON d.number = a.id_number
                          JOIN visits v ON v.patient_id = d.patient_id
                          WHERE v.id = NEW.visit_id AND a.day = NEW.day AND a.service_code = NEW.service_code
                          ORDER BY a.at LIMIT 1),
        follow_up = max(follow_up, (SELECT max(a.follow_up) FROM appointments a
                                    JOIN patient_documents d ON d.number = a.id_number
                                    JOIN visits v ON v.patient_id = d.patient_id
                                    WHERE v.id = NEW.visit_id AND a.day = NEW.day
                                      AND a.service_code = NEW.service_code))
    WHERE id = NEW.id;
END;

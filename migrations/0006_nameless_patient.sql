-- kiosk-migrate: foreign_keys=off
-- A first-time patient who types a valid CCCD / BHYT number the kiosk has never seen gets a ticket
-- before anyone knows their name (issue 14 M7): the desk confirms the identity. patients.full_name
-- becomes nullable. SQLite cannot drop a NOT NULL in place: the table is rebuilt (the documented
-- 12-step procedure, https://www.sqlite.org/lang_altertable.html#otheralter). The runner turns
-- foreign keys off around this file (the header line above): with them on, DROP TABLE patients
-- would cascade into documents, visits and tickets. PRAGMA foreign_key_check runs before commit.
-- patients has one index (patients_last_seen) and no trigger; no trigger or view names it.
CREATE TABLE patients_new (
    id                  INTEGER PRIMARY KEY,
    full_name           TEXT,              -- NULL: identity still to confirm at the desk
    birth_date          TEXT,              -- yyyy-mm-dd, or yyyy when only the year is known
    gender              INTEGER NOT NULL DEFAULT 3 CHECK (gender IN (1, 2, 3)),  -- 1 M, 2 F, 3 unknown
    address             TEXT,
    phone               TEXT,
    allergies           TEXT,
    chronic_conditions  TEXT,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL
);
INSERT INTO patients_new (id, full_name, birth_date, gender, address, phone, allergies, chronic_conditions,
                          first_seen, last_seen)
    SELECT id, full_name, birth_date, gender, address, phone, allergies, chronic_conditions, first_seen, last_seen
    FROM patients;
DROP TABLE patients;
ALTER TABLE patients_new RENAME TO patients;
CREATE INDEX patients_last_seen ON patients(last_seen);

-- Schema 1: patients and their documents, eligibility checks, visits, tickets, the outbox,
-- the audit log, staff, settings and devices. Times are ISO-8601 UTC text unless named *_ts
-- (epoch seconds, REAL) where the sync worker schedules on them.

CREATE TABLE patients (
    id                  INTEGER PRIMARY KEY,
    full_name           TEXT NOT NULL,
    birth_date          TEXT,              -- yyyy-mm-dd, or yyyy when only the year is known
    gender              INTEGER NOT NULL DEFAULT 3 CHECK (gender IN (1, 2, 3)),  -- 1 M, 2 F, 3 unknown
    address             TEXT,
    phone               TEXT,
    allergies           TEXT,
    chronic_conditions  TEXT,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL
);
CREATE INDEX patients_last_seen ON patients(last_seen);

CREATE TABLE patient_documents (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('cccd', 'old_id', 'bhyt', 'bhxh')),
    number          TEXT NOT NULL,
    valid_from      TEXT,
    valid_to        TEXT,
    ma_dkbd         TEXT,
    benefit_level   INTEGER,
    issued_on       TEXT,
    source          TEXT NOT NULL DEFAULT 'typed' CHECK (source IN ('chip', 'qr', 'typed', 'gateway', 'desk')),
    updated_at      TEXT NOT NULL
);
-- lookups by CCCD / BHYT / BHXH number hit this index directly
CREATE UNIQUE INDEX patient_documents_number ON patient_documents(kind, number);
CREATE INDEX patient_documents_patient ON patient_documents(patient_id);

CREATE TABLE eligibility_checks (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER REFERENCES patients(id) ON DELETE CASCADE,
    card_number     TEXT NOT NULL,
    checked_at      TEXT NOT NULL,
    result_code     TEXT,                  -- the gateway's maKetQua, NULL when no answer
    verdict         TEXT NOT NULL CHECK (verdict IN
                        ('valid', 'valid_new_card', 'needs_desk', 'config_fault', 'retry_later', 'provisional')),
    message         TEXT,
    provisional     INTEGER NOT NULL DEFAULT 0,
    card_valid_from TEXT,
    card_valid_to   TEXT,
    ma_dkbd         TEXT,
    new_card_number TEXT,
    raw_json        TEXT
);
CREATE INDEX eligibility_checks_card ON eligibility_checks(card_number, checked_at);
CREATE INDEX eligibility_checks_patient ON eligibility_checks(patient_id, checked_at);

CREATE TABLE visits (
    id                  INTEGER PRIMARY KEY,
    ma_lk               TEXT NOT NULL,
    patient_id          INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    kiosk_id            TEXT NOT NULL,
    visit_day           TEXT NOT NULL,     -- yyyy-mm-dd, local day of the facility
    service_code        TEXT NOT NULL,
    service_name        TEXT,
    room                TEXT,
    priority            TEXT,              -- NULL, or a priority category of the law
    status              TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN
                            ('waiting', 'provisional', 'needs_desk', 'in_progress', 'closed', 'cancelled')),
    needs_desk_reason   TEXT,
    eligibility_id      INTEGER REFERENCES eligibility_checks(id),
    ma_the_bhyt         TEXT,
    ma_doituong_kcb     INTEGER NOT NULL DEFAULT 1,
    checked_in_at       TEXT NOT NULL,
    closed_at           TEXT,
    summary_json        TEXT,
    follow_up_date      TEXT,
    follow_up_service   TEXT,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX visits_ma_lk ON visits(ma_lk);
CREATE INDEX visits_day_status ON visits(visit_day, status);
CREATE INDEX visits_patient ON visits(patient_id, visit_day);
CREATE INDEX visits_follow_up ON visits(follow_up_date) WHERE follow_up_date IS NOT NULL;

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    visit_id        INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    patient_id      INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    service_code    TEXT NOT NULL,
    kiosk_id        TEXT NOT NULL,
    day             TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    number          TEXT NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'issued' CHECK (status IN
                        ('issued', 'printed', 'print_failed', 'shown', 'cancelled', 'done')),
    issued_at       TEXT NOT NULL,
    printed_at      TEXT,
    print_count     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tickets_number ON tickets(kiosk_id, day, number);
CREATE UNIQUE INDEX tickets_seq ON tickets(kiosk_id, day, seq);
-- one active ticket per patient, service and day, enforced by the database itself
CREATE UNIQUE INDEX tickets_one_active ON tickets(patient_id, service_code, day)
    WHERE status NOT IN ('cancelled', 'done');
CREATE INDEX tickets_visit ON tickets(visit_id);

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('checkin', 'dossier')),
    ma_lk               TEXT NOT NULL,
    visit_id            INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    payload             BLOB NOT NULL,     -- the signed XML bytes, resent as they are
    payload_sha256      TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'acked', 'dead')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts     REAL NOT NULL DEFAULT 0,
    lease_until_ts      REAL,
    lease_owner         TEXT,
    needs_reconcile     INTEGER NOT NULL DEFAULT 0,  -- an ambiguous failure: ask the gateway first
    last_code           TEXT,
    last_error          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    acked_at            TEXT,
    receipt_ma_giao_dich TEXT,
    receipt_time        TEXT,
    receipt_message     TEXT
);
CREATE UNIQUE INDEX outbox_kind_ma_lk ON outbox(kind, ma_lk);
CREATE INDEX outbox_due ON outbox(state, next_attempt_ts);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,             -- staff username, or 'kiosk' / 'system'
    role        TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    details     TEXT,                      -- JSON, no personal data beyond ids
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

CREATE TABLE staff (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('reception', 'clinician', 'technician', 'admin')),
    pin_hash            TEXT NOT NULL,
    badge               TEXT UNIQUE,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until_ts     REAL NOT NULL DEFAULT 0,
    active              INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('scanner', 'reader', 'printer', 'camera')),
    kind        TEXT NOT NULL,             -- wedge, hidpos, serial, camera, pcsc, escpos-usb, ...
    address     TEXT NOT NULL,             -- VID:PID, port, reader name, device index
    name        TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1,
    config_json TEXT,
    last_seen   TEXT,
    UNIQUE (role, address)
);

-- Schema 8: an upload handed over to the facility hub (issue 17) has its own outbox state.
--
-- Before, a handed-over item was parked as state 'dead' with last_code 'handed_over', so
-- `kiosk sync retry --dead` re-queued it (the kiosk and the hub worker would both upload it), the
-- desk listed it as refused and the weekly report counted it as dead. 'handed_over' is final for
-- this kiosk: its sync worker never leases it again (it leases 'pending' only); the hub worker
-- uploads it and the receipt, pulled back from the hub, turns it 'acked'.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same columns,
-- ids and indexes (0001's outbox_kind_ma_lk and outbox_due, 0004's outbox_visit). No trigger is
-- defined on the outbox and no table references it.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('checkin', 'dossier')),
    ma_lk               TEXT NOT NULL,
    visit_id            INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    payload             BLOB NOT NULL,     -- the signed XML bytes, resent as they are
    payload_sha256      TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sending', 'acked', 'dead', 'handed_over')),
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

INSERT INTO outbox_new (id, kind, ma_lk, visit_id, payload, payload_sha256, state, attempts, next_attempt_ts,
                        lease_until_ts, lease_owner, needs_reconcile, last_code, last_error, created_at,
                        updated_at, acked_at, receipt_ma_giao_dich, receipt_time, receipt_message)
SELECT id, kind, ma_lk, visit_id, payload, payload_sha256,
       CASE WHEN state = 'dead' AND last_code = 'handed_over' THEN 'handed_over' ELSE state END,
       attempts, next_attempt_ts, lease_until_ts, lease_owner, needs_reconcile, last_code, last_error,
       created_at, updated_at, acked_at, receipt_ma_giao_dich, receipt_time, receipt_message
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE UNIQUE INDEX outbox_kind_ma_lk ON outbox(kind, ma_lk);
CREATE INDEX outbox_due ON outbox(state, next_attempt_ts);
CREATE INDEX outbox_visit ON outbox(visit_id, kind, state, last_code, receipt_time, acked_at);

-- Schema 4: what the weekly report (issue 19) needs that the store did not record.
--
-- visits.id_method: how the patient was identified at reception, set when the ticket is issued:
--   chip_pa (CCCD chip, passive authentication passed), chip_no_pa (chip read, not verified),
--   cccd_qr, vneid_qr, bhyt_qr (BHYT card or VssID QR), typed (a number on the keypad),
--   desk_manual (typed at the desk by staff), other. NULL: received before this was recorded.
-- visits.checked_provisional: 1 when the card check at issuing was provisional (no answer in
--   time); the visit's eligibility_id later points at the re-check, so this keeps the start.
ALTER TABLE visits ADD COLUMN id_method TEXT CHECK (id_method IS NULL OR id_method IN
    ('chip_pa', 'chip_no_pa', 'cccd_qr', 'vneid_qr', 'bhyt_qr', 'typed', 'desk_manual', 'other'));
ALTER TABLE visits ADD COLUMN checked_provisional INTEGER NOT NULL DEFAULT 0;

-- best effort for visits received before: a visit still provisional, or whose check is provisional
UPDATE visits SET checked_provisional = 1
 WHERE status = 'provisional'
    OR eligibility_id IN (SELECT id FROM eligibility_checks WHERE provisional = 1 OR verdict = 'provisional');

-- The report reads a period of visits by day and the uploads of those visits. Both indexes cover
-- every column the report's queries use, so they never read the table rows, whose signed payloads
-- and visit summaries are large (often overflow pages).
CREATE INDEX visits_report ON visits(visit_day, kiosk_id, id_method, status, priority, checked_provisional,
                                     eligibility_id, checked_in_at, closed_at);
CREATE INDEX outbox_visit ON outbox(visit_id, kind, state, last_code, receipt_time, acked_at);
CREATE INDEX eligibility_checks_at ON eligibility_checks(checked_at, result_code, verdict, provisional);

-- Hub schema 7: the facility's weekly report (kiosk/facility/hub_report.py) and the hub desk's alerts.
--
-- The report counts what the hub already holds (visits, uploads, queue calls) and needs two facts
-- more: when an upload was acked (for the delay from the visit's end to the gateway's receipt when
-- the gateway gave no receipt time), and how each patient was identified at reception (the
-- department's directive: every patient received by CCCD / ID / BHYT number). Both are additive:
-- nothing here changes hub_ingest or any earlier table's meaning, and it applies in any order
-- with migrations 0005 and 0006.

-- When the hub first saw an upload acked (the kiosk's push of an acked item, its receipt, or the
-- hub worker's ack); set by the hub, never by a client.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS acked_at timestamptz;

CREATE FUNCTION hub_outbox_acked_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'acked' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'acked') THEN
        NEW.acked_at := now();
    ELSIF TG_OP = 'UPDATE' THEN
        NEW.acked_at := OLD.acked_at;
    ELSE
        NEW.acked_at := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER outbox_acked_at BEFORE INSERT OR UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION hub_outbox_acked_at();

-- the report reads a period's uploads through their visits (the primary key starts with the kind)
CREATE INDEX IF NOT EXISTS outbox_ma_lk ON outbox(ma_lk);

-- How each visit's patient was identified, and whether its card check at issuing was provisional:
-- pushed by the kiosk with the visit (kiosk.facility.push, in the same statement as hub_ingest),
-- once per MA_LK. A desk's manual check-in has no row here: the report counts it as desk_manual.
CREATE TABLE visit_report_facts (
    ma_lk               text PRIMARY KEY,
    kiosk_id            text NOT NULL,
    id_method           text,
    checked_provisional boolean NOT NULL DEFAULT false,
    recorded_at         timestamptz NOT NULL DEFAULT now()
);

-- p_visits: the push batch's visits ([{ma_lk, kiosk_id, id_method, checked_provisional, ...}]);
-- idempotent (a re-pushed batch changes nothing). Returns how many facts were new.
CREATE FUNCTION hub_report_facts(p_kiosk text, p_visits jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
    INSERT INTO visit_report_facts (ma_lk, kiosk_id, id_method, checked_provisional)
    SELECT v ->> 'ma_lk', coalesce(v ->> 'kiosk_id', p_kiosk), v ->> 'id_method',
           coalesce((v ->> 'checked_provisional')::boolean, false)
    FROM jsonb_array_elements(p_visits) AS v
    WHERE v ? 'id_method'
    ON CONFLICT (ma_lk) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE EXECUTE ON FUNCTION hub_report_facts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_report_facts TO kiosk_group;
GRANT SELECT, INSERT ON visit_report_facts TO kiosk_group;
-- the report and the alerts need nothing but reading: the desk role is enough
GRANT SELECT ON visit_report_facts TO desk_group;

-- Weekly reports written by `kiosk hub report --out` (what the hub desk's report page says is ready).
CREATE TABLE hub_reports_prepared (
    week            text PRIMARY KEY,
    files           text[] NOT NULL,
    prepared_at     timestamptz NOT NULL DEFAULT now(),
    client          text NOT NULL DEFAULT current_setting('application_name')
);
GRANT SELECT, INSERT, UPDATE ON hub_reports_prepared TO desk_group;

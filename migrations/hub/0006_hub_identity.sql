-- Hub schema 6: nameless patients, and identity confirmation at a hub desk (issue 14 M7 / issue 17).
--
-- A first-time patient who typed a valid CCCD / BHYT number on a kiosk keypad gets a ticket before
-- anyone knows their name: the kiosk's patient row is nameless (local migration 0006), its check-in
-- record (XML0 requires HO_TEN) is held, and the visit is pushed to the hub `needs_desk`. Until now
-- the hub stored that patient with an empty name ('': full_name was NOT NULL). From here on:
--
-- * patients.full_name is NULL for a nameless patient (never ''): a trigger turns any blank name a
--   kiosk pushes (older kiosks send '') into NULL, and the rows already stored with '' become NULL.
-- * `hub_desk_confirm_identity` (SECURITY DEFINER: desks have no UPDATE on patients' identity) is the
--   one door that names a nameless patient: compare-and-set on the visit's version (the version the
--   desk showed), the patient still nameless, then in the same transaction the visit goes on
--   (provisional: its card is checked next), the signed XML0 is queued owner 'hub' through
--   `hub_desk_enqueue` (outbox key (kind, MA_LK): exactly one check-in per visit, whoever queued it
--   first), and a row in `hub_identity_confirmations` (one per visit) which the kiosks pull: every
--   kiosk completes its nameless copy of the patient, and the kiosk that issued the visit parks the
--   hub's XML0 locally as handed over, so it never signs and uploads one of its own.

ALTER TABLE patients ALTER COLUMN full_name DROP NOT NULL;

CREATE FUNCTION hub_patient_blank_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.full_name := nullif(btrim(NEW.full_name), '');
    RETURN NEW;
END $$;
CREATE TRIGGER patients_blank_name BEFORE INSERT OR UPDATE OF full_name ON patients
    FOR EACH ROW EXECUTE FUNCTION hub_patient_blank_name();

UPDATE patients SET full_name = NULL WHERE btrim(full_name) = '';

CREATE TABLE hub_identity_confirmations (
    id              bigserial PRIMARY KEY,          -- the kiosks' pull cursor
    ma_lk           text NOT NULL UNIQUE REFERENCES visits(ma_lk),
    patient_id      bigint NOT NULL REFERENCES patients(id),
    kiosk_id        text NOT NULL,                  -- the kiosk that issued the visit
    queued          boolean NOT NULL,               -- false: a check-in for this MA_LK was already at the hub
    confirmed_by    text NOT NULL,
    desk            text NOT NULL,
    confirmed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_identity_confirmations_patient ON hub_identity_confirmations(patient_id);

-- answer: 'ok', or why nothing was written: 'missing', 'stale' (another desk or kiosk changed the
-- visit first), 'finished' (closed or cancelled), 'named' (the identity is already confirmed)
CREATE FUNCTION hub_desk_confirm_identity(p_ma_lk text, p_version integer, p_full_name text, p_birth_date text,
                                          p_gender integer, p_payload bytea, p_staff text, p_desk text,
                                          OUT answer text, OUT version integer, OUT queued boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v record;
    named text;
BEGIN
    queued := false;
    IF nullif(btrim(p_full_name), '') IS NULL OR p_gender NOT IN (1, 2, 3) OR p_payload IS NULL THEN
        RAISE EXCEPTION 'a confirmation needs a name, a sex (1, 2, 3) and the signed check-in';
    END IF;
    SELECT vi.status, vi.version, vi.patient_id, vi.kiosk_id INTO v FROM visits vi WHERE vi.ma_lk = p_ma_lk FOR UPDATE;
    IF NOT FOUND THEN answer := 'missing'; RETURN; END IF;
    version := v.version;
    IF v.version <> p_version THEN answer := 'stale'; RETURN; END IF;
    IF v.status IN ('closed', 'cancelled') THEN answer := 'finished'; RETURN; END IF;
    SELECT full_name INTO named FROM patients WHERE id = v.patient_id FOR UPDATE;
    IF named IS NOT NULL THEN answer := 'named'; RETURN; END IF;
    UPDATE patients SET full_name = p_full_name, birth_date = p_birth_date, gender = p_gender WHERE id = v.patient_id;
    queued := hub_desk_enqueue('checkin', p_ma_lk, v.kiosk_id, p_payload);
    UPDATE visits SET status = CASE WHEN status = 'needs_desk' THEN 'provisional' ELSE status END,
                      version = visits.version + 1
    WHERE ma_lk = p_ma_lk RETURNING visits.version INTO version;
    INSERT INTO hub_identity_confirmations (ma_lk, patient_id, kiosk_id, queued, confirmed_by, desk)
    VALUES (p_ma_lk, v.patient_id, v.kiosk_id, queued, p_staff, p_desk);
    INSERT INTO events (kind, ma_lk, kiosk_id, body)
    VALUES ('identity.confirmed', p_ma_lk, v.kiosk_id, jsonb_build_object('staff', p_staff, 'queued', queued));
    answer := 'ok';
END $$;

REVOKE EXECUTE ON FUNCTION hub_desk_confirm_identity FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_desk_confirm_identity TO desk_group;
GRANT SELECT ON hub_identity_confirmations TO desk_group, kiosk_group;

-- The health book on a hub desk (kiosk.facility.hub_book): the allergies and chronic conditions a
-- clinician records at a facility desk live with the facility patient.
ALTER TABLE patients ADD COLUMN allergies text, ADD COLUMN chronic_conditions text;
GRANT UPDATE (allergies, chronic_conditions) ON patients TO desk_group;

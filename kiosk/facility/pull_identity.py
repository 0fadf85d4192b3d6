"""Pull the identities hub desks confirmed (hub migration 0006, kiosk.facility.hub_identity).

A nameless first visit (a number typed on a kiosk keypad) can be confirmed at any hub desk. Every
kiosk then completes its own nameless copy of that patient (found by document; a patient it already
knows by name is left alone). The kiosk that issued the visit also settles its held check-in: the
hub queued the signed XML0 (owner 'hub', uploaded by the hub worker), so

* with nothing queued here, the hub's bytes are stored locally and parked at once as handed over
  (one local transaction: the local sync worker never sees them pending, this kiosk's desk finds
  the check-in queued and the patient named, so neither can make a second XML0 for the MA_LK; the
  hub's receipt, pulled next, turns it acked);
* with an XML0 of its own still pending (its desk confirmed too while the hub was away), that one
  is parked, even when its bytes are the same (signatures are deterministic): the hub's is the one
  uploaded;
* one already sent or sending cannot be called back: it is logged (no personal data) for staff.

In confirmation order after a cursor kept in the local settings, so it resumes after any crash;
re-applying a confirmation changes nothing.
"""
from __future__ import annotations

import logging

from kiosk.core.status import VisitStatus
from kiosk.store.facility_feed import FacilityFeedRepo

log = logging.getLogger(__name__)

_KINDS = ("cccd", "old_id", "bhyt", "bhxh")
_SQL = """
SELECT c.id, c.ma_lk, c.kiosk_id, p.full_name, p.birth_date, p.gender,
       (SELECT array_agg(d.kind || ':' || d.number ORDER BY d.kind) FROM patient_documents d
        WHERE d.patient_id = p.id),
       o.payload
FROM hub_identity_confirmations c JOIN patients p ON p.id = c.patient_id
LEFT JOIN outbox o ON c.queued AND o.kind = 'checkin' AND o.ma_lk = c.ma_lk AND o.owner = 'hub'
WHERE c.id > %s ORDER BY c.id LIMIT %s"""


def pull_identities(conn, store, kiosk_id: str, *, batch: int = 200) -> int:
    """Apply the hub's identity confirmations after this kiosk's cursor; returns how many changed
    something here."""
    feed = FacilityFeedRepo(store.conn, store.clock)
    changed = 0
    while True:
        cursor = feed.cursor("pull.identities")
        with conn.transaction():
            rows = conn.execute(_SQL, (cursor, batch)).fetchall()
        if not rows:
            return changed
        with store.transaction():
            for _, ma_lk, issuer, name, birth, gender, docs, payload in rows:
                keys = [tuple(d.split(":", 1)) for d in docs or ()]
                changed += int(_name_patient(store, [(k, n) for k, n in keys if k in _KINDS], name, birth, gender))
                if issuer == kiosk_id and payload is not None:
                    changed += int(_settle_checkin(store, feed, ma_lk, bytes(payload)))
            feed.set_cursor("pull.identities", rows[-1][0])
        if len(rows) < batch:
            return changed


def _name_patient(store, keys, name, birth, gender) -> bool:
    if not name or not keys:
        return False
    patient = store.patients.find_any(keys)
    if patient is None or patient.full_name:
        return False
    store.patients.correct(patient.id, full_name=name, birth_date=birth, gender=gender)
    return True


def _settle_checkin(store, feed: FacilityFeedRepo, ma_lk: str, payload: bytes) -> bool:
    visit = store.visits.by_ma_lk(ma_lk)
    if visit is None:
        return False
    if visit.status is VisitStatus.NEEDS_DESK:       # as the kiosk's own desk confirmation leaves it
        store.visits.set_status(visit.id, VisitStatus.PROVISIONAL, needs_desk_reason=None)
    mine = store.outbox.find("checkin", ma_lk)
    if mine is None:
        item = store.outbox.enqueue("checkin", ma_lk, payload, visit.id)
        feed.park_handed_over(item)
    elif mine.state.value in ("handed_over", "acked"):
        return False                                 # already settled (a pull seen before a crash)
    elif not feed.park_handed_over(mine.id):
        # even byte-identical (deterministic signatures) it would be a second upload of the MA_LK
        log.warning("check-in %s: this kiosk's own XML0 is %s while the hub queued its own (both desks "
                    "confirmed while apart): the desk should look at the gateway's copies", mine.id,
                    mine.state.value)
        return False
    from kiosk.security.audit_log import AuditLog
    AuditLog(store).append("hub", None, "facility.identity_confirmed", f"visit:{visit.id}",
                           {"checkin": "handed_over"})
    return True

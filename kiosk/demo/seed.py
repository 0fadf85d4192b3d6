"""The demo's returning patients: already in the local cache, with a closed earlier visit that
booked a follow-up for today — so the service screen offers that follow-up first."""
from __future__ import annotations

from datetime import timedelta

from kiosk.core.clock import Clock, SystemClock, local_day

FOLLOW_UP_SERVICE = "K04"          # Khám Mắt: visibly not the first service of the list
EARLIER_DAYS = 30


def seed_returning(cfg, key: bytes, people, clock: Clock | None = None) -> int:
    """Insert each `returning` demo person once (idempotent: a second demo run finds them)."""
    from kiosk.checkin.records import patient_input
    from kiosk.store.migrate import open_store
    from kiosk.store.visits import VisitInput

    clock = clock or SystemClock()
    now = clock.now()
    today = local_day(now)
    earlier = now - timedelta(days=EARLIER_DAYS)
    store = open_store(cfg.data_dir, key, clock=clock)
    seeded = 0
    try:
        for n, person in enumerate(p for p in people if p.returning):
            fields, docs = patient_input(person.identity)
            with store.transaction():
                patient = store.patients.upsert(fields, docs)
                if store.visits.for_patient(patient.id, limit=1):
                    continue
                ma_lk = f"{cfg.facility_code}{cfg.kiosk_id}-{earlier:%y%m%d}000000-9{n:03d}"
                visit = store.visits.create(VisitInput(ma_lk, patient.id, cfg.kiosk_id, local_day(earlier),
                                                       "K01", "Khám Nội tổng quát", "101"))
                store.visits.close(visit.id, "{}", follow_up_date=today, follow_up_service=FOLLOW_UP_SERVICE)
                seeded += 1
    finally:
        store.close()
    return seeded


# Demo staff accounts (synthetic; PINs printed on the demo's console, never used outside a demo).
DEMO_STAFF = (
    ("admin", "Quản trị (demo)", "admin", "739251"),
    ("le.tan", "Lễ tân (demo)", "reception", "604918"),
    ("bac.si", "Bác sĩ (demo)", "clinician", "318526"),
    ("ky.thuat", "Kỹ thuật (demo)", "technician", "551902"),
)


def seed_staff(cfg, key: bytes, clock: Clock | None = None) -> list[str]:
    """Create the demo staff once (the first is the admin, who then creates the others)."""
    from kiosk.security.accounts import StaffAccounts
    from kiosk.security.audit_log import AuditLog
    from kiosk.store.migrate import open_store

    clock = clock or SystemClock()
    store = open_store(cfg.data_dir, key, clock=clock)
    try:
        if store.staff.list(include_inactive=True):
            return []
        accounts = StaffAccounts(store, AuditLog(store), clock)
        username, name, role, pin = DEMO_STAFF[0]
        accounts.create(None, username, name, role, pin)
        admin = accounts.sign_in(username, pin)
        for username, name, role, pin in DEMO_STAFF[1:]:
            accounts.create(admin, username, name, role, pin)
        return [f"{username} ({role}) PIN {pin}" for username, _, role, pin in DEMO_STAFF]
    finally:
        store.close()

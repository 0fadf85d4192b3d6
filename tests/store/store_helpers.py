"""Builders shared by the store tests (synthetic people only)."""
from __future__ import annotations

from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.visits import VisitInput

DAY = "2026-11-20"


def add_patient(store, name="NGUYỄN VĂN AN", cccd="001080012345", bhyt="DN4797932123456", **fields):
    docs = [DocumentInput("cccd", cccd)]
    if bhyt:
        docs.append(DocumentInput("bhyt", bhyt))
    with store.transaction():
        return store.patients.upsert(PatientInput(full_name=name, **fields), docs)


def add_visit_with_ticket(store, patient, *, ma_lk="79001-1-0001", service="K01", kiosk="1", day=DAY,
                          number=None):
    """One business action: visit + ticket in one transaction (as the check-in service does)."""
    with store.transaction():
        visit = store.visits.create(VisitInput(ma_lk, patient.id, kiosk, day, service))
        seq = store.tickets.next_seq(kiosk, day)
        ticket = store.tickets.insert(visit_id=visit.id, patient_id=patient.id, service_code=service,
                                      kiosk_id=kiosk, day=day, seq=seq, number=number or f"A{kiosk}-{seq:03d}")
    return visit, ticket

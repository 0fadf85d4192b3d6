"""Builders shared by the calling tests (synthetic people only)."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.clock import local_day
from kiosk.security.roles import Role
from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.visits import VisitInput


@dataclass
class Staff:
    username: str = "le.thu"
    role: Role = Role.RECEPTION


def issue(store, n: int, *, service="K01", priority=None, kiosk="1", start=0, clock=None, emergency=False):
    """n synthetic patients with a visit and ticket each (the queue entry comes from the trigger)."""
    day = local_day((clock or store.clock).now())
    tickets = []
    for i in range(start, start + n):
        with store.transaction():
            p = store.patients.upsert(PatientInput(full_name=f"NGƯỜI THỬ {i}"), [DocumentInput("cccd", f"0010800{i:05d}")])
            seq = store.tickets.next_seq(kiosk, day)
            v = store.visits.create(VisitInput(f"79001-{kiosk}-{day}-{seq:04d}", p.id, kiosk, day, service,
                                               room={"K01": "101", "K02": "105", "K04": "203"}.get(service),
                                               priority=priority, ma_doituong_kcb=2 if emergency else 1))
            tickets.append(store.tickets.insert(visit_id=v.id, patient_id=p.id, service_code=service,
                                                kiosk_id=kiosk, day=day, seq=seq, number=f"A{kiosk}-{seq:03d}",
                                                priority=1 if priority else 0))
        if clock is not None:
            clock.advance(10)
    return tickets

"""What the caller panel talks to: sign-in, the counter's actions, and a masked view of the
patient at the counter. Built by a composition root; the Qt panel only holds this object."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.calling.service import CallingService
from kiosk.core.priority import LABELS
from kiosk.core.queue.model import QueueEntry
from kiosk.core.views import PriorityCategory
from kiosk.identity.mask import mask_name

GROUP_LABELS = {"emergency": ("Cấp cứu", "Emergency"), **{c.value: LABELS[c] for c in PriorityCategory}}


@dataclass(frozen=True)
class PatientAtCounter:
    number: str
    state: str
    masked_name: str          # "NGUYỄN V** A": enough for staff to confirm the person, no more
    birth_year: str
    priority_vi: str
    priority_en: str
    coming_from: str | None
    service_code: str


class CallerBackend:
    def __init__(self, store, service: CallingService, accounts: Any):
        self.store, self.service, self.accounts = store, service, accounts
        self.session = None

    def counters(self):
        return list(self.service.settings.counters)

    def services(self) -> list[str]:
        return sorted(self.service.settings.rooms)

    def sign_in(self, username: str, pin: str) -> None:
        self.session = self.accounts.sign_in(username, pin)

    def sign_out(self) -> None:
        self.session = None

    def act(self, action: str, counter_id: str, **kw) -> QueueEntry | None:
        fn = {"next": self.service.call_next, "recall": self.service.recall, "no_show": self.service.no_show,
              "start": self.service.start, "finish": self.service.finish, "transfer": self.service.transfer}[action]
        return fn(self.session, counter_id, **kw)

    def undo_transfer(self, number: str) -> QueueEntry:
        return self.service.undo_transfer(self.session, number)

    def current(self, counter_id: str) -> PatientAtCounter | None:
        e = self.service.current(counter_id)
        return None if e is None else self.describe(e)

    def waiting(self, counter_id: str) -> list[str]:
        return [e.number for e in self.service.waiting(counter_id)]

    def describe(self, e: QueueEntry) -> PatientAtCounter:
        visit = self.store.visits.get(self.store.queue.visit_of(e.id))
        patient = self.store.patients.get(visit.patient_id)
        vi, en = GROUP_LABELS.get(e.priority or "", ("Thường", "Regular"))
        origin = f"{e.coming_from.service_code} / {e.coming_from.room}" if e.coming_from else None
        return PatientAtCounter(e.number, e.state.value, mask_name(patient.full_name if patient else None),
                                (patient.birth_date or "")[:4] if patient else "", vi, en, origin, e.service_code)

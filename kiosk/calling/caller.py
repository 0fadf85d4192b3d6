"""What the caller panel talks to: sign-in, the counter's actions, and a masked view of the
patient at the counter. Built by a composition root; the Qt panel only holds this object."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kiosk.calling.port import CallingPort
from kiosk.core.priority import LABELS
from kiosk.core.queue.model import QueueEntry
from kiosk.core.views import PriorityCategory
from kiosk.desk.visits import UNCONFIRMED_NAME
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
    def __init__(self, store, service: CallingPort, accounts: Any):
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
        s = self.service
        actions: dict[str, Callable[..., QueueEntry | None]] = {
            "next": s.call_next, "recall": s.recall, "no_show": s.no_show,
            "start": s.start, "finish": s.finish, "transfer": s.transfer}
        fn = actions[action]
        return fn(self.session, counter_id, **kw)

    def undo_transfer(self, number: str) -> QueueEntry:
        return self.service.undo_transfer(self.session, number)

    def current(self, counter_id: str) -> PatientAtCounter | None:
        e = self.service.current(counter_id)
        return None if e is None else self.describe(e)

    def waiting(self, counter_id: str) -> list[str]:
        return [e.number for e in self.service.waiting(counter_id)]

    def describe(self, e: QueueEntry) -> PatientAtCounter:
        full_name, birth_date = self.service.patient_of(e)
        vi, en = GROUP_LABELS.get(e.priority or "", ("Thường", "Regular"))
        origin = f"{e.coming_from.service_code} / {e.coming_from.room}" if e.coming_from else None
        # a nameless first visit (a number typed on the keypad) says so rather than showing nothing
        return PatientAtCounter(e.number, e.state.value, mask_name(full_name) if full_name else UNCONFIRMED_NAME,
                                (birth_date or "")[:4], vi, en,
                                origin, e.service_code)

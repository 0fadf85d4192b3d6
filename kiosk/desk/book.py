"""The health book for the clinician: the patient's visits here, the gateway's history
(`Lskcb2025`), and the allergies and chronic conditions recorded at the desk."""
from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.core.status import VisitStatus
from kiosk.gateway.results import GatewayError
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskError, DeskPart
from kiosk.store.errors import NotFound


@dataclass(frozen=True)
class LocalVisit:
    visit_id: int
    day: str
    service_name: str | None
    status: VisitStatus
    icd_main: str | None
    diagnosis: str | None
    follow_up_date: str | None


@dataclass(frozen=True)
class HealthBook:
    patient_id: int
    full_name: str
    birth_date: str | None
    allergies: str
    chronic_conditions: str
    visits: tuple[LocalVisit, ...]
    history: tuple                     # kiosk.gateway.results.HistoryEntry, newest first
    history_error: str | None          # why the gateway history is missing (offline, refused...)


def _local(v) -> LocalVisit:
    icd = diag = None
    if v.summary_json:
        s = json.loads(v.summary_json)
        icd, diag = s.get("icd_main"), s.get("diagnosis")
    return LocalVisit(v.id, v.visit_day, v.service_name, v.status, icd, diag, v.follow_up_date)


class HealthBookService(DeskPart):
    @requires(P.VIEW_HEALTH_BOOK)
    def book(self, session, patient_id: int, with_history: bool = True) -> HealthBook:
        patient = self.store.patients.get(patient_id)
        if patient is None:
            raise DeskError(f"no patient {patient_id}")
        visits = tuple(_local(v) for v in self.store.visits.for_patient(patient_id, limit=50))
        history, error = (), None
        if with_history:
            history, error = self._history(patient)
        with self.store.transaction():
            self.ctx.record(session, "healthbook.view", f"patient:{patient_id}",
                            {"gateway_history": error is None and with_history})
        return HealthBook(patient.id, patient.full_name, patient.birth_date, patient.allergies or "",
                          patient.chronic_conditions or "", visits, history, error)

    def _history(self, patient) -> tuple[tuple, str | None]:
        if self.ctx.gateway is None:
            return (), "no gateway client configured"
        doc = patient.document("bhyt") or patient.document("bhxh") or patient.document("cccd")
        return gateway_history(self.ctx.gateway, doc.number if doc else None, patient.full_name, patient.birth_date)

    @requires(P.EDIT_HEALTH_NOTES)
    def save_notes(self, session, patient_id: int, allergies: str, chronic_conditions: str) -> None:
        allergies, chronic = allergies.strip(), chronic_conditions.strip()
        with self.store.transaction():
            try:
                self.store.patients.update_notes(patient_id, allergies or None, chronic or None)
            except NotFound:
                raise DeskError(f"no patient {patient_id}") from None
            self.ctx.record(session, "healthbook.edit_notes", f"patient:{patient_id}",
                            {"allergies_set": bool(allergies), "chronic_set": bool(chronic)})


def gateway_history(gateway, number: str | None, full_name: str, birth_date: str | None) -> tuple[tuple, str | None]:
    """The gateway's visit history for a card or ID number, newest first, or () and why not
    (the local and the hub desk's health book)."""
    if number is None or not birth_date:
        return (), "no card number or birth date to ask the gateway with"
    try:
        entries = gateway.history(number, full_name, birth_date)
    except GatewayError as exc:
        return (), f"gateway history unavailable ({exc})"
    entries = sorted(entries, key=lambda e: e.admitted.isoformat() if e.admitted else "", reverse=True)
    return tuple(entries), None

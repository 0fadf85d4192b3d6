"""The health book on a hub desk: the patient's visits across the whole facility (every kiosk's and
every desk's, with the summary a desk closed each one with), the gateway's history (`Lskcb2025`)
when the desk has a gateway client, and the allergies / chronic conditions kept at the hub
(hub migration 0006). The same shape as `kiosk.desk.book.HealthBook`, so the desk window's dialog
shows either; a hub visit is named by its MA_LK and says which kiosk or desk registered it.
Reading the book is audited in the hub chain, like at a kiosk's own desk.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.status import VisitStatus
from kiosk.desk.book import gateway_history
from kiosk.desk.context import DeskError
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P


@dataclass(frozen=True)
class HubBookVisit:
    visit_id: str                     # the MA_LK
    day: str
    service_name: str | None
    status: VisitStatus
    icd_main: str | None
    diagnosis: str | None
    follow_up_date: str | None
    kiosk_id: str = ""
    ticket_number: str = ""


@dataclass(frozen=True)
class HubHealthBook:
    patient_id: int
    full_name: str | None             # None: a nameless first visit, identity still to confirm
    birth_date: str | None
    allergies: str
    chronic_conditions: str
    visits: tuple[HubBookVisit, ...]
    history: tuple                    # kiosk.gateway.results.HistoryEntry, newest first
    history_error: str | None


class HubBook:
    def __init__(self, ctx):
        self.ctx, self.accounts = ctx, ctx.accounts

    @requires(P.VIEW_HEALTH_BOOK)
    def book(self, session, patient_id: int, with_history: bool = True, limit: int = 50) -> HubHealthBook:
        ctx = self.ctx
        link = ctx.link
        p = link.execute("SELECT id, full_name, birth_date, allergies, chronic_conditions FROM patients WHERE id = %s",
                         (patient_id,)).fetchone()
        if p is None:
            raise DeskError(f"no patient {patient_id} at the hub")
        rows = link.execute(
            "SELECT v.ma_lk, v.visit_day, v.service_code, v.status, c.summary ->> 'icd_main', "
            "c.summary ->> 'diagnosis', c.summary ->> 'follow_up_on', v.kiosk_id, v.ticket_number "
            "FROM visits v LEFT JOIN visit_closures c ON c.ma_lk = v.ma_lk WHERE v.patient_id = %s "
            "ORDER BY v.checked_in_at DESC, v.ma_lk DESC LIMIT %s", (patient_id, limit)).fetchall()
        visits = tuple(HubBookVisit(r[0], str(r[1]), ctx.service_name(r[2]) or r[2], VisitStatus(r[3]), r[4], r[5],
                                    r[6], r[7], r[8]) for r in rows)
        history: tuple = ()
        error = None
        if with_history:
            history, error = self._history(patient_id, p[1], p[2])
        with link.transaction():
            ctx.record(session, "healthbook.view", f"patient:{patient_id}",
                       {"gateway_history": error is None and with_history, "hub": True})
        return HubHealthBook(p[0], p[1], p[2], p[3] or "", p[4] or "", visits, history, error)

    def _history(self, patient_id: int, full_name: str | None, birth_date: str | None) -> tuple[tuple, str | None]:
        if self.ctx.gateway is None:
            return (), "no gateway client configured"
        if not full_name:
            return (), "identity not confirmed yet: the gateway needs the name and birth date"
        docs = dict(self.ctx.link.execute("SELECT kind, number FROM patient_documents WHERE patient_id = %s",
                                          (patient_id,)).fetchall())
        number = docs.get("bhyt") or docs.get("bhxh") or docs.get("cccd")
        return gateway_history(self.ctx.gateway, number, full_name, birth_date)

    @requires(P.EDIT_HEALTH_NOTES)
    def save_notes(self, session, patient_id: int, allergies: str, chronic_conditions: str) -> None:
        ctx = self.ctx
        ctx.require_online()
        allergies, chronic = allergies.strip(), chronic_conditions.strip()
        with ctx.link.transaction() as conn:
            done = conn.execute("UPDATE patients SET allergies = %s, chronic_conditions = %s WHERE id = %s",
                                (allergies or None, chronic or None, patient_id)).rowcount
            if done != 1:
                raise DeskError(f"no patient {patient_id} at the hub")
            ctx.record(session, "healthbook.edit_notes", f"patient:{patient_id}",
                       {"allergies_set": bool(allergies), "chronic_set": bool(chronic), "hub": True})

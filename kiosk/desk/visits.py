"""The desk's service layer: today's visits (filters, search), a visit's detail, and the actions on
it — eligibility override with a mandatory reason, re-running the card check, reprint, cancel,
priority change, move to another service. Closing a visit is kiosk.desk.close, the
health book desk_book, the upload queue desk_queue, manual check-in desk_checkin.

Every method checks the staff role (`@requires`) and writes its audit entry in the transaction of
its change. Use from one thread (the desk's db worker).
"""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core import tickets as numbering
from kiosk.core.clock import VN_TZ, local_day
from kiosk.core.ports import PrinterFault
from kiosk.core.status import TicketStatus, VisitStatus
from kiosk.core.views import PriorityCategory, TicketView
from kiosk.gateway.results import Verdict, code_info
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskContext, DeskError, DeskPart
from kiosk.store.eligibility import EligibilityInput
from kiosk.store.errors import DuplicateActiveTicket

OPEN_STATUSES = (VisitStatus.WAITING, VisitStatus.PROVISIONAL, VisitStatus.NEEDS_DESK, VisitStatus.IN_PROGRESS)
FINISHED = (VisitStatus.CLOSED, VisitStatus.CANCELLED)
# the desk list's name of a nameless first visit (a typed number; kiosk.desk.identity confirms it)
UNCONFIRMED_NAME = "(chưa xác nhận danh tính / identity to confirm)"
# the gateway verdict of a card re-check -> the visit's new status (anything else: provisional)
_RECHECK_STATUS = {Verdict.VALID: VisitStatus.WAITING, Verdict.VALID_NEW_CARD: VisitStatus.WAITING,
                   Verdict.NEEDS_DESK: VisitStatus.NEEDS_DESK}


class VisitFilter(str, enum.Enum):
    OPEN = "open"
    WAITING = "waiting"
    PROVISIONAL = "provisional"
    NEEDS_DESK = "needs_desk"
    CLOSED = "closed"
    ALL = "all"

    @property
    def statuses(self) -> tuple[VisitStatus, ...] | None:
        if self is VisitFilter.OPEN:
            return OPEN_STATUSES
        if self is VisitFilter.ALL:
            return None
        return (VisitStatus(self.value),)


class OverrideMode(str, enum.Enum):
    ACCEPT_CARD = "accept_card"      # staff saw the card and accept it as a BHYT visit
    FEE_PAYING = "fee_paying"        # the visit goes on without insurance


@dataclass(frozen=True)
class DeskRow:
    visit_id: int
    ticket_number: str | None
    ticket_status: TicketStatus | None
    full_name: str
    birth_date: str | None
    status: VisitStatus
    service_code: str
    service_name: str | None
    priority: str | None
    checked_in_at: str
    reason: str | None
    ma_lk: str


@dataclass(frozen=True)
class EligibilityInfo:
    code: str | None
    verdict: str
    words: str                     # the gateway code in words (staff language)
    provisional: bool
    checked_at: str
    card_number: str


@dataclass(frozen=True)
class VisitDetail:
    visit: Any                     # kiosk.store.visits.Visit
    patient: Any                   # kiosk.store.patients.Patient
    tickets: tuple
    eligibility: EligibilityInfo | None
    uploads: tuple                 # (kind, state, last_code, last_error, receipt ma_giao_dich)


def code_words(code: str | None) -> str:
    if not code:
        return "no answer from the gateway (provisional)"
    return f"{code}: {code_info(code).staff_detail}"


class DeskService(DeskPart):
    def __init__(self, ctx: DeskContext):
        super().__init__(ctx)

    def _today(self) -> str:
        return local_day(self.ctx.clock.now())

    # ------------------------------------------------------------ reads
    @requires(P.VIEW_VISITS)
    def visits(self, session, flt: VisitFilter | str = VisitFilter.OPEN, search: str = "",
               day: str | None = None, limit: int = 500) -> list[DeskRow]:
        flt = VisitFilter(flt)
        # names, ticket and document numbers are stored upper case; SQLite's LIKE folds ASCII only
        text = " ".join(search.split()).upper() or None
        rows = self.store.visits.list_day(day or self._today(), statuses=flt.statuses, search=text, limit=limit)
        return [DeskRow(r.visit.id, r.ticket_number, r.ticket_status, r.full_name or UNCONFIRMED_NAME, r.birth_date, r.visit.status,
                        r.visit.service_code, r.visit.service_name, r.visit.priority, r.visit.checked_in_at,
                        r.visit.needs_desk_reason, r.visit.ma_lk) for r in rows]

    @requires(P.VIEW_VISITS)
    def counts(self, session, day: str | None = None) -> dict[str, int]:
        day = day or self._today()
        return {s: self.store.visits.count_day(day, s) for s in (VisitStatus.WAITING, VisitStatus.PROVISIONAL,
                                                                   VisitStatus.NEEDS_DESK, VisitStatus.CLOSED)}

    @requires(P.VIEW_VISITS)
    def detail(self, session, visit_id: int) -> VisitDetail:
        visit = self.store.visits.get(visit_id)
        patient = self.store.patients.get(visit.patient_id)
        elig = None
        if visit.eligibility_id is not None:
            e = self.store.eligibility.get(visit.eligibility_id)
            elig = EligibilityInfo(e.result_code, e.verdict, code_words(e.result_code), e.provisional, e.checked_at,
                                   e.card_number)
        uploads = []
        for kind in ("checkin", "dossier"):
            item = self.store.outbox.find(kind, visit.ma_lk)
            if item is not None:
                uploads.append((kind, item.state, item.last_code, item.last_error,
                                item.receipt.ma_giao_dich if item.receipt else None))
        return VisitDetail(visit, patient, tuple(self.store.tickets.for_visit(visit_id)), elig, tuple(uploads))

    # ------------------------------------------------------------ eligibility
    @requires(P.OVERRIDE_ELIGIBILITY)
    def override_eligibility(self, session, visit_id: int, reason: str,
                             mode: OverrideMode | str = OverrideMode.ACCEPT_CARD) -> Any:
        """Accept a visit the card check stopped (or go on fee-paying). The reason is mandatory
        and goes into the audit entry with the gateway code it overrides."""
        mode = OverrideMode(mode)
        reason = (reason or "").strip()
        if len(reason) < 5:
            raise DeskError("an override needs a reason (at least 5 characters)")
        visit = self.store.visits.get(visit_id)
        if visit.status in FINISHED:
            raise DeskError(f"the visit is {visit.status}")
        code = None
        if visit.eligibility_id is not None:
            code = self.store.eligibility.get(visit.eligibility_id).result_code
        with self.store.transaction():
            self.store.visits.set_status(visit_id, VisitStatus.WAITING)
            if mode is OverrideMode.FEE_PAYING:
                self.store.visits.set_card(visit_id, None)
            self.ctx.record(session, "eligibility.override", f"visit:{visit_id}",
                            {"mode": mode.value, "reason": reason, "gateway_code": code,
                             "previous_status": visit.status})
        return self.store.visits.get(visit_id)

    @requires(P.OVERRIDE_ELIGIBILITY)
    def recheck_card(self, session, visit_id: int):
        """Run the card check again now (the gateway call happens outside any transaction)."""
        if self.ctx.gateway is None:
            raise DeskError("no gateway client configured")
        visit = self.store.visits.get(visit_id)
        patient = self.store.patients.get(visit.patient_id)
        number = visit.ma_the_bhyt
        if not number:
            for kind in ("bhyt", "bhxh", "cccd"):
                doc = patient.document(kind)
                if doc:
                    number = doc.number
                    break
        if not number or not patient.birth_date:
            raise DeskError("the patient has no card number or birth date to check")
        result = self.ctx.gateway.check_card(number, patient.full_name, patient.birth_date)
        verdict = result.verdict.value
        status = _RECHECK_STATUS.get(result.verdict, VisitStatus.PROVISIONAL)
        if visit.status in (*FINISHED, VisitStatus.IN_PROGRESS):
            status = visit.status
        with self.store.transaction():
            check = self.store.eligibility.insert(EligibilityInput(
                card_number=result.card_number or number, verdict=verdict, patient_id=patient.id,
                result_code=result.code, message=result.staff_detail, provisional=result.provisional,
                new_card_number=result.new_card_number or None, ma_dkbd=result.ma_dkbd or None))
            self.store.visits.set_eligibility(visit_id, check.id,
                                              ma_the_bhyt=result.effective_card_number if result.proceed else None)
            self.store.visits.set_status(visit_id, status, needs_desk_reason=(
                result.staff_detail if status is VisitStatus.NEEDS_DESK else None))
            self.ctx.record(session, "eligibility.recheck", f"visit:{visit_id}",
                            {"gateway_code": result.code, "verdict": verdict, "check_id": check.id})
        return result

    # ------------------------------------------------------------ tickets
    def _ticket_view(self, visit, ticket) -> TicketView:
        service = self.ctx.settings.service(visit.service_code)
        issued = datetime.fromisoformat(ticket.issued_at).astimezone(VN_TZ)
        prio = PriorityCategory(visit.priority) if visit.priority else None
        return TicketView(ticket.id, ticket.number, service.code, service.name_vi, service.name_en, service.room,
                          prio, None, numbering.qr_payload(self.ctx.settings.facility_code, ticket.day,
                                                           ticket.number, visit.ma_lk),
                          f"{issued:%Y-%m-%d %H:%M}", visit.status is VisitStatus.PROVISIONAL)

    def _active_ticket(self, visit_id: int):
        tickets = [t for t in self.store.tickets.for_visit(visit_id) if t.active]
        if not tickets:
            raise DeskError("the visit has no active ticket")
        return tickets[-1]

    @requires(P.REPRINT)
    def reprint(self, session, visit_id: int) -> str:
        visit = self.store.visits.get(visit_id)
        ticket = self._active_ticket(visit_id)
        if self.ctx.printer is None:
            raise DeskError("no ticket printer configured")
        try:
            self.ctx.printer.print_ticket(self._ticket_view(visit, ticket), self.ctx.settings.facility_name)
        except PrinterFault as exc:
            with self.store.transaction():
                self.store.tickets.mark_print_failed(ticket.id)
                self.ctx.record(session, "ticket.reprint_failed", f"ticket:{ticket.id}", {"fault": exc.kind.value})
            raise DeskError(f"the printer failed: {exc.kind.value}") from None
        with self.store.transaction():
            self.store.tickets.mark_printed(ticket.id)
            self.ctx.record(session, "ticket.reprint", f"ticket:{ticket.id}", {"visit": visit_id})
        return ticket.number

    @requires(P.CANCEL_VISIT)
    def cancel(self, session, visit_id: int, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            raise DeskError("a cancellation needs a reason")
        visit = self.store.visits.get(visit_id)
        if visit.status in FINISHED:
            raise DeskError(f"the visit is {visit.status}")
        with self.store.transaction():
            for t in self.store.tickets.for_visit(visit_id):
                if t.active:
                    self.store.tickets.set_status(t.id, TicketStatus.CANCELLED)
            self.store.visits.set_status(visit_id, VisitStatus.CANCELLED)
            self.ctx.record(session, "visit.cancel", f"visit:{visit_id}",
                            {"reason": reason, "previous_status": visit.status})

    @requires(P.CHANGE_PRIORITY)
    def change_priority(self, session, visit_id: int, priority: PriorityCategory | str | None, reason: str = "") -> None:
        category = PriorityCategory(priority) if priority else None
        visit = self.store.visits.get(visit_id)
        if visit.status in FINISHED:
            raise DeskError(f"the visit is {visit.status}")
        with self.store.transaction():
            self.store.visits.set_priority(visit_id, category.value if category else None)
            self.store.tickets.set_priority_for_visit(visit_id, 1 if category else 0)
            self.ctx.record(session, "visit.priority", f"visit:{visit_id}",
                            {"from": visit.priority, "to": category.value if category else None, "reason": reason})

    @requires(P.MOVE_SERVICE)
    def move_service(self, session, visit_id: int, service_code: str, reason: str = "") -> str:
        """The visit goes to another service: the old ticket is cancelled and a new number issued
        for the new service (same MA_LK: it is the same visit). Returns the new ticket number."""
        st = self.ctx.settings
        service = st.service(service_code)
        visit = self.store.visits.get(visit_id)
        if visit.status in FINISHED:
            raise DeskError(f"the visit is {visit.status}")
        if visit.service_code == service.code:
            raise DeskError("the visit is already at that service")
        day = self._today()
        try:
            with self.store.transaction():
                for t in self.store.tickets.for_visit(visit_id):
                    if t.active:
                        self.store.tickets.set_status(t.id, TicketStatus.CANCELLED)
                self.store.visits.move_service(visit_id, service.code, service.name_vi, service.room)
                seq = self.store.tickets.next_seq(st.kiosk_id, day)
                number = numbering.format_number(st.ticket_format, letter=service.ticket_letter, kiosk=st.kiosk_id,
                                                 seq=seq, priority=bool(visit.priority))
                ticket = self.store.tickets.insert(visit_id=visit_id, patient_id=visit.patient_id,
                                                   service_code=service.code, kiosk_id=st.kiosk_id, day=day, seq=seq,
                                                   number=number, priority=1 if visit.priority else 0)
                self.ctx.record(session, "visit.move", f"visit:{visit_id}",
                                {"from": visit.service_code, "to": service.code, "ticket_id": ticket.id,
                                 "reason": reason})
        except DuplicateActiveTicket:
            raise DeskError("the patient already holds a ticket for that service today") from None
        return number

    @requires(P.VIEW_VISITS)
    def summary_of(self, session, visit_id: int) -> dict | None:
        text = self.store.visits.get(visit_id).summary_json
        return json.loads(text) if text else None


@dataclass
class Desk:
    """All desk services over one context (what the desk UI and `kiosk desk` use)."""
    ctx: DeskContext
    visits: DeskService
    close: Any
    book: Any
    queue: Any
    checkin: Any
    alerts: Any = None
    report: Any = None
    identity: Any = None           # kiosk.desk.identity.DeskIdentity: confirms a nameless first visit

    @classmethod
    def build(cls, ctx: DeskContext, index=None) -> "Desk":
        from kiosk.desk.alerts import DeskAlerts
        from kiosk.desk.book import HealthBookService
        from kiosk.desk.checkin import ManualCheckin
        from kiosk.desk.close import VisitCloser
        from kiosk.desk.identity import DeskIdentity
        from kiosk.desk.queue import UploadQueue
        from kiosk.desk.report import DeskReport
        return cls(ctx, DeskService(ctx), VisitCloser(ctx, index), HealthBookService(ctx), UploadQueue(ctx, index),
                   ManualCheckin(ctx), DeskAlerts(ctx), DeskReport(ctx), DeskIdentity(ctx))

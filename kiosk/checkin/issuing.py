"""Issuing a ticket: THE one transaction of the kiosk.

In a single BEGIN IMMEDIATE: the patient (upserted from the confirmed identity), the eligibility
row, the visit with a new MA_LK, the ticket number, the signed XML0 in the outbox and the audit
entry. Either all of it exists afterwards or none of it. The ticket then counts as handed out
only once the printer printed it or the screen showed it (`mark_printed` / `mark_shown`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.core import eligibility as elig
from kiosk.core import priority as prio
from kiosk.core import tickets as numbering
from kiosk.core.clock import Clock, VN_TZ, local_day
from kiosk.core.ports import AlreadyIssued, IssueError, IssueRequest
from kiosk.core.status import TicketStatus, VisitStatus
from kiosk.core.views import InsuranceStatus, PrinterFaultKind, PriorityCategory, ServiceOption, TicketView
from kiosk.checkin.idmethod import identification_method
from kiosk.calling.estimates import ticket_wait_minutes
from kiosk.checkin.records import (check_number, checkin_record, eligibility_input, gateway_documents,
                                    patient_input)
from kiosk.gateway import codes
from kiosk.ops.foreground import foreground
from kiosk.store.errors import DuplicateActiveTicket, StoreError
from kiosk.store.visits import VisitInput

log = logging.getLogger(__name__)

ACTOR = "kiosk"
_DESK_STATUSES = (InsuranceStatus.NEEDS_DESK, InsuranceStatus.NO_CARD)


def desk_reason(view: Any, result: Any) -> str:
    """What reception reads under "Cần quầy / Needs desk": the gateway's answer, in staff words."""
    code = getattr(result, "code", None) or view.result_code
    detail = getattr(result, "staff_detail", "") or view.message.en
    head = ("fee-paying visit (khám dịch vụ): no valid insurance card"
            if view.status is InsuranceStatus.NO_CARD else "insurance card needs a desk check")
    return f"{head}; gateway maKetQua {code}: {detail}" if code else f"{head}: {detail}"


def identity_reason(identity: Any) -> str:
    """The desk's line for a first visit by a typed number (issue 14 M7): the number as typed, so
    reception never retypes it, and why nothing was checked."""
    if identity.cccd is not None:
        typed = f"CCCD {identity.cccd.number}"
    else:
        card = identity.bhyt.card_number if identity.bhyt else ""
        typed = f"{'BHYT card' if card and len(card) == 15 else 'BHXH number'} {card}"
    return (f"identity to confirm at the desk: first visit, {typed} typed on the kiosk keypad; no name or "
            "birth date yet, so no card check and no check-in record sent (held until confirmed)")


@dataclass(frozen=True)
class IssuingSettings:
    facility_code: str
    kiosk_id: str
    services: tuple[ServiceOption, ...]
    ticket_format: str = numbering.DEFAULT_FORMAT
    ma_doituong_kcb: str = codes.REGISTERED_FACILITY         # default MA_DOITUONG_KCB
    category_by_service: tuple[tuple[str, str], ...] = ()    # (service code, category): services[].ma_doituong_kcb
    category_by_priority: tuple[tuple[str, str], ...] = ()   # (priority group, category)

    def category(self, service_code: str, priority: str | None) -> str:
        """MA_DOITUONG_KCB of a visit: the priority group's code, else the service's, else the default."""
        return (dict(self.category_by_priority).get(priority or "") or dict(self.category_by_service).get(service_code)
                or self.ma_doituong_kcb)


class StoreTicketIssuer:
    """`TicketIssuer` on the Store. Use from one thread only (the check-in service's db lane)."""

    def __init__(self, store, settings: IssuingSettings, sign: Callable[[bytes], bytes], clock: Clock,
                 audit: Any = None, numbers: Any = None):
        self.store = store
        self.numbers = numbers   # facility hub numbering (kiosk.facility.numbering.HubNumbering) or None
        self.settings = settings
        self._sign = sign
        self.clock = clock
        if audit is None:
            from kiosk.security.audit_log import AuditLog
            audit = AuditLog(store)
        self.audit = audit
        self._services = {s.code: s for s in settings.services}

    # ------------------------------------------------------------ issuing

    def issue(self, req: IssueRequest) -> TicketView:
        service = self._services.get(req.service_code)
        if service is None:
            raise IssueError("unknown service code")
        try:
            with foreground():      # the kiosk's background threads step aside meanwhile (kiosk.ops.foreground)
                return self._issue(req, service)
        except (AlreadyIssued, IssueError):
            raise
        except DuplicateActiveTicket:
            raise AlreadyIssued(self._active_number(req)) from None
        except StoreError as exc:
            log.error("issuing transaction failed: %s", type(exc).__name__)
            raise IssueError(type(exc).__name__) from None
        except Exception as exc:   # signing, XML building: nothing was committed
            log.error("issuing failed before commit: %s", type(exc).__name__)
            raise IssueError(type(exc).__name__) from None

    def _issue(self, req: IssueRequest, service: ServiceOption) -> TicketView:
        st, store = self.settings, self.store
        identity = req.resolution.identity
        now = self.clock.now()
        day = local_day(now)
        unconfirmed = req.resolution.view.unconfirmed   # no name yet: the desk confirms (M7)
        with store.transaction():
            fields, docs = patient_input(identity)
            known = {(d.kind, d.number) for d in docs}
            docs += [d for d in gateway_documents(req.eligibility_result) if (d.kind, d.number) not in known]
            patient = store.patients.upsert(fields, docs, nameless=unconfirmed)
            active = store.tickets.active_for(patient.id, service.code, day)
            if active is not None:
                raise AlreadyIssued(active.number)
            seq = store.tickets.next_seq(st.kiosk_id, day)
            priority = req.priority is not None
            ma_lk = numbering.ma_lk(st.facility_code, st.kiosk_id, now, seq)
            pending = self._hub_number(service, day, ma_lk, priority, identity)   # under way meanwhile
            elig_id = self._eligibility_row(req, patient.id, identity)
            card = _card_number(req, identity)
            if req.eligibility is not None and req.eligibility.status is InsuranceStatus.NO_CARD:
                card = ""                         # a fee-paying visit carries no insurance card
            status = VisitStatus.PROVISIONAL if req.provisional else VisitStatus.WAITING
            reason = None
            if unconfirmed:
                status, reason = VisitStatus.NEEDS_DESK, identity_reason(identity)
            elif req.eligibility is not None and req.eligibility.status in _DESK_STATUSES:
                # issue 14 B3: a ticket, flagged for the desk with the gateway's own answer
                status, reason = VisitStatus.NEEDS_DESK, desk_reason(req.eligibility, req.eligibility_result)
            elif elig.needs_desk_flag(req.eligibility_result):   # 001/002: the patient proceeds
                status, reason = VisitStatus.NEEDS_DESK, req.eligibility_result.staff_detail or "desk check"
            category = st.category(service.code, req.priority.value if req.priority else None)
            visit = store.visits.create(VisitInput(
                ma_lk=ma_lk, patient_id=patient.id, kiosk_id=st.kiosk_id, visit_day=day,
                service_code=service.code, service_name=service.name_vi, room=service.room,
                priority=req.priority.value if req.priority else None, status=status,
                needs_desk_reason=reason, eligibility_id=elig_id, ma_the_bhyt=card or None, ma_doituong_kcb=category,
                id_method=req.id_method or identification_method(identity), checked_provisional=int(req.provisional)))
            # emergency visits send no check-in (gateway rules); a nameless first visit's record is
            # held: XML0 requires HO_TEN and NGAY_SINH, the desk's confirmation queues it
            signed = None
            if category != codes.EMERGENCY and not unconfirmed:
                record = checkin_record(identity, req.eligibility_result, ma_lk=ma_lk, patient_id=patient.id,
                                        facility=st.facility_code, kiosk=st.kiosk_id, admitted=now,
                                        service=service, ma_doituong_kcb=category, card=card)
                from kiosk.gateway.xml import build_xml0
                signed = self._sign(build_xml0(record))
            number = self._await_number(pending)
            if number is None:      # no hub, or the hub is away: the kiosk's own series
                number = numbering.format_number(st.ticket_format, letter=service.ticket_letter, kiosk=st.kiosk_id,
                                                 seq=seq, priority=priority)
            ticket = store.tickets.insert(visit_id=visit.id, patient_id=patient.id, service_code=service.code,
                                          kiosk_id=st.kiosk_id, day=day, seq=seq, number=number,
                                          priority=1 if priority else 0)
            if signed is not None:
                store.outbox.enqueue("checkin", ma_lk, signed, visit.id)
            self.audit.append(ACTOR, None, "ticket.issue", f"visit:{visit.id}",
                              {"ticket": number, "ticket_id": ticket.id, "service": service.code,
                               "priority": req.priority.value if req.priority else None,
                               "provisional": req.provisional, "checkin_held": unconfirmed})
            waiting = self.store.tickets.waiting_before(day, service.code, ticket.id)
            wait = ticket_wait_minutes(store, ticket.id, service.minutes_per_patient, now, fallback_ahead=waiting)
        local = now.astimezone(VN_TZ)
        return TicketView(
            ticket_id=ticket.id, number=number, service_code=service.code, service_name_vi=service.name_vi,
            service_name_en=service.name_en, room=service.room, priority=req.priority,
            expected_wait_minutes=wait,
            qr_payload=numbering.qr_payload(st.facility_code, day, number, ma_lk),
            issued_at_local=f"{local:%Y-%m-%d %H:%M}", provisional=req.provisional,
            desk_check=_status_is(req, InsuranceStatus.NEEDS_DESK), fee_paying=_status_is(req, InsuranceStatus.NO_CARD),
            identity_check=unconfirmed, child=prio.automatic(req.resolution.view.age) is PriorityCategory.CHILD)

    def _hub_number(self, service: ServiceOption, day: str, ma_lk: str, priority: bool, identity: Any):
        """The hub's allocation, started now (kiosk.facility.numbering.PendingNumber), or None without a hub."""
        if self.numbers is None:
            return None
        return self.numbers.begin(service=service.code, letter=service.ticket_letter, day=day, ma_lk=ma_lk,
                                  priority=priority, patient_keys=identity.lookup_keys())

    @staticmethod
    def _await_number(pending) -> str | None:
        if pending is None:
            return None
        from kiosk.facility.numbering import HubAlreadyIssued
        try:
            return pending.result()
        except HubAlreadyIssued as exc:   # ticketed at another kiosk today
            raise AlreadyIssued(exc.number) from None

    def _eligibility_row(self, req: IssueRequest, patient_id: int, identity: Any) -> int | None:
        if req.eligibility_result is None and req.resolution.cached_check_id is not None and not req.provisional:
            return req.resolution.cached_check_id
        row = eligibility_input(req.eligibility_result, patient_id,
                                check_number(identity, _card_number(req, identity)), provisional=req.provisional)
        if row is None:
            return None
        return self.store.eligibility.insert(row).id

    def _active_number(self, req: IssueRequest) -> str | None:
        try:
            keys = req.resolution.identity.lookup_keys()
            patient = self.store.patients.find_any(keys)
            if patient is None:
                return None
            t = self.store.tickets.active_for(patient.id, req.service_code, local_day(self.clock.now()))
            return t.number if t else None
        except Exception:  # only for the message
            return None

    # ------------------------------------------------------------ the printer's answer

    def mark_printed(self, ticket_id: int) -> None:
        with self.store.transaction():
            self.store.tickets.mark_printed(ticket_id)

    def mark_print_failed(self, ticket_id: int, fault: PrinterFaultKind) -> None:
        with self.store.transaction():
            self.store.tickets.mark_print_failed(ticket_id)
            self.audit.append(ACTOR, None, "ticket.print_failed", f"ticket:{ticket_id}", {"fault": fault.value})

    def mark_shown(self, ticket_id: int) -> None:
        with self.store.transaction():
            self.store.tickets.set_status(ticket_id, TicketStatus.SHOWN)
            self.audit.append(ACTOR, None, "ticket.shown", f"ticket:{ticket_id}", None)


def _status_is(req: IssueRequest, status: InsuranceStatus) -> bool:
    return req.eligibility is not None and req.eligibility.status is status


def _card_number(req: IssueRequest, identity: Any) -> str:
    result = req.eligibility_result
    if result is not None and getattr(result, "proceed", False):
        number = getattr(result, "effective_card_number", "") or ""
        if number:
            return number
    bhyt = getattr(identity, "bhyt", None)
    return (bhyt.card_number if bhyt else None) or ""

"""The hub desk's visit actions with the local desk's meaning (kiosk.desk.visits / kiosk.desk.queue):
reprint, change priority, move to another service, re-check the card, fix-and-resend a dead upload.

Bound as methods of `HubVisits` / `HubQueue` (each takes `self`, a part with `ctx` and `accounts`).
Every write goes through one SECURITY DEFINER door of hub migration 0005, compare-and-set on the
version this desk last showed, with its hub audit entry in the same transaction; a desk whose live
feed has lost the hub refuses at once (HubUnavailable) and writes nothing.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk.core import tickets as numbering
from kiosk.core.clock import VN_TZ
from kiosk.core.ports import PrinterFault
from kiosk.core.status import VisitStatus
from kiosk.core.views import PriorityCategory, TicketView
from kiosk.desk.context import DeskError
from kiosk.gateway.results import Verdict
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P

_FINISHED = (VisitStatus.CLOSED, VisitStatus.CANCELLED)
STALE = "another desk or kiosk changed this visit first: the list is reloaded, decide again"


def _seen(ctx, ma_lk: str) -> int:
    seen = ctx.seen.get(ma_lk)
    if seen is None:
        raise DeskError("load the visit before changing it")
    return seen


def _refused(answer: str) -> DeskError:
    if answer == "stale":
        return DeskError(STALE)
    if answer == "missing":
        return DeskError("no such visit at the hub")
    if answer.startswith("finished:"):
        return DeskError(f"the visit is {answer.partition(':')[2]}")
    return DeskError(answer)


def _open_visit(self, session, ma_lk: str):
    """The visit's current data, without changing the version this desk decides on (what it showed)."""
    seen = _seen(self.ctx, ma_lk)
    detail = self.detail(session, ma_lk)
    self.ctx.seen[ma_lk] = seen
    if detail.visit.status in _FINISHED:
        raise DeskError(f"the visit is {detail.visit.status}")
    return detail


# ------------------------------------------------------------ HubVisits
@requires(P.REPRINT)
def reprint(self, session, visit_id: str) -> str:
    """The visit's active ticket again, on this desk's printer (a ticket carries no personal data)."""
    ctx = self.ctx
    ctx.require_online()                         # the reprint is audited at the hub
    detail = self.detail(session, visit_id)
    visit = detail.visit
    if visit.status in _FINISHED:
        raise DeskError("the visit has no active ticket")
    if ctx.printer is None:
        raise DeskError("no ticket printer configured")
    st = ctx.settings
    service = st.service(visit.service_code)
    issued = datetime.fromisoformat(visit.checked_in_at).astimezone(VN_TZ)
    view = TicketView(0, visit.ticket_number, service.code, service.name_vi, service.name_en, service.room,
                      PriorityCategory(visit.priority) if visit.priority else None, None,
                      numbering.qr_payload(st.facility_code, issued.date().isoformat(), visit.ticket_number,
                                           visit.ma_lk),
                      f"{issued:%Y-%m-%d %H:%M}", visit.status is VisitStatus.PROVISIONAL,
                      desk_check=visit.status is VisitStatus.NEEDS_DESK)
    target = f"visit:{visit.ma_lk}"
    try:
        ctx.printer.print_ticket(view, st.facility_name)
    except PrinterFault as exc:
        with ctx.link.transaction():
            ctx.record(session, "ticket.reprint_failed", target, {"ticket": visit.ticket_number,
                                                                  "fault": exc.kind.value})
        raise DeskError(f"the printer failed: {exc.kind.value}") from None
    with ctx.link.transaction():
        ctx.record(session, "ticket.reprint", target, {"ticket": visit.ticket_number})
    return visit.ticket_number


@requires(P.CHANGE_PRIORITY)
def change_priority(self, session, visit_id: str, priority: PriorityCategory | str | None, reason: str = "") -> int:
    """The visit's priority (None: none); the hub's calling order follows (its queue entry too)."""
    category = PriorityCategory(priority) if priority else None
    ctx = self.ctx
    ctx.require_online()
    seen = _seen(ctx, visit_id)
    value = category.value if category else None
    with ctx.link.transaction() as conn:
        before = conn.execute("SELECT priority FROM visits WHERE ma_lk = %s", (visit_id,)).fetchone()
        answer, version = conn.execute("SELECT * FROM hub_desk_set_priority(%s, %s, %s, %s)",
                                       (visit_id, seen, value, session.username)).fetchone()
        if answer != "ok":
            raise _refused(answer)
        ctx.record(session, "visit.priority", f"visit:{visit_id}",
                   {"from": before[0] if before else None, "to": value, "reason": reason})
    ctx.seen[visit_id] = version
    return version


@requires(P.MOVE_SERVICE)
def move_service(self, session, visit_id: str, service_code: str, reason: str = "") -> str:
    """The visit goes to another service: a new number from that service's facility series (the
    same atomic allocation as a desk's manual check-in), the old number cancelled, the queue entry
    moved to the back of the new service's line (same MA_LK). Returns the new number."""
    ctx = self.ctx
    ctx.require_online()
    service = ctx.settings.service(service_code)
    seen = _seen(ctx, visit_id)
    with ctx.link.transaction() as conn:
        before = conn.execute("SELECT service_code, ticket_number FROM visits WHERE ma_lk = %s",
                              (visit_id,)).fetchone()
        answer, version, number = conn.execute(
            "SELECT * FROM hub_desk_move_service(%s, %s, %s, %s, %s, %s, %s)",
            (visit_id, seen, service.code, service.ticket_letter, service.room, f"desk-{ctx.desk_name}",
             session.username)).fetchone()
        if answer == "same":
            raise DeskError("the visit is already at that service")
        if answer == "at_counter":
            raise DeskError("the patient is being served at a counter: transfer them from there")
        if answer.startswith("already:"):
            raise DeskError("the patient already holds a ticket for that service today")
        if answer != "ok":
            raise _refused(answer)
        ctx.record(session, "visit.move", f"visit:{visit_id}",
                   {"from": before[0], "to": service.code, "cancelled_ticket": before[1], "ticket": number,
                    "reason": reason})
    ctx.seen[visit_id] = version
    return number


# the gateway's verdict -> the visit's new status; None: no answer, the status stays (the check is kept)
_RECHECK_TO = {Verdict.VALID: "waiting", Verdict.VALID_NEW_CARD: "waiting", Verdict.NEEDS_DESK: "needs_desk"}


@requires(P.OVERRIDE_ELIGIBILITY)
def recheck_card(self, session, visit_id: str, deadline_s: float = 10.0):
    """Run the card check again from this desk (outside any hub transaction), then record it."""
    ctx = self.ctx
    if ctx.gateway is None:
        raise DeskError("no gateway client configured")
    ctx.require_online()
    detail = _open_visit(self, session, visit_id)
    patient = detail.patient
    docs = [patient.document(kind) for kind in ("bhyt", "bhxh", "cccd")]
    number = detail.visit.ma_the_bhyt or next((d.number for d in docs if d is not None), None)
    if not number or not patient.birth_date:
        raise DeskError("the patient has no card number or birth date to check")
    seen = _seen(ctx, visit_id)
    result = ctx.gateway.check_card(number, patient.full_name, patient.birth_date, deadline=deadline_s)
    to = _RECHECK_TO.get(result.verdict)
    ctx.require_online()
    with ctx.link.transaction() as conn:
        answer, version, check_id = conn.execute(
            "SELECT * FROM hub_desk_card_checked(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (visit_id, seen, to, result.card_number or number, result.code, result.verdict.value, result.proceed,
             None if result.proceed else result.staff_detail, result.new_card_number or None, session.username,
             f"desk-{ctx.desk_name}")).fetchone()
        if answer != "ok":
            raise _refused(answer)
        ctx.record(session, "eligibility.recheck", f"visit:{visit_id}",
                   {"gateway_code": result.code, "verdict": result.verdict.value, "check_id": check_id,
                    "previous_status": str(detail.visit.status)})
    ctx.seen[visit_id] = version
    return result


def last_card_check(link, ma_lk: str):
    """The latest card re-check a desk ran for the visit, as the detail pane shows it (None: none)."""
    from kiosk.desk.visits import EligibilityInfo, code_words
    r = link.execute("SELECT code, verdict, checked_at, card_number, reason FROM hub_card_checks WHERE ma_lk = %s "
                     "ORDER BY id DESC LIMIT 1", (ma_lk,)).fetchone()
    if r is None:
        return None
    return EligibilityInfo(r[0], r[1], code_words(r[0]), r[1] == Verdict.RETRY_LATER.value, r[2].isoformat(), r[3])


# ------------------------------------------------------------ HubQueue
@requires(P.MANAGE_OUTBOX)
def fix_and_resend(self, session, item_id: str, fix: Any) -> bytes:
    """`kiosk.desk.queue.UploadQueue.fix_and_resend` on the hub: a dead item the HUB owns gets the
    corrected, re-signed document (signed by this desk) and goes back to pending for the hub worker.
    An item a kiosk still owns is fixed at that kiosk's desk: it is never taken over here."""
    from kiosk.desk.close import CloseForm, build_signed_dossier, validated
    from kiosk.desk.icd10 import Icd10Index
    from kiosk.desk.queue import signed_checkin
    ctx = self.ctx
    ctx.require_online()
    kind, _, ma_lk = item_id.partition(":")
    row = ctx.link.execute("SELECT owner, state FROM outbox WHERE kind = %s AND ma_lk = %s",
                           (kind, ma_lk)).fetchone()
    if row is None:
        raise DeskError("no such upload at the hub")
    if row[0] != "hub":
        raise DeskError(f"this upload is still owned by {row[0]}: fix it at that kiosk's desk")
    if row[1] != "dead":
        raise DeskError("only a dead item can be fixed and resent")
    if (fix.icd_main or fix.icd_other or fix.diagnosis) and kind != "dossier":
        raise DeskError("diagnosis codes belong to the visit summary (a dossier), not a check-in")
    from kiosk.desk.queue import checked_corrections
    name, birth, gender = checked_corrections(fix)
    with ctx.link.transaction() as conn:
        if name is not None or birth is not None or gender is not None:
            conn.execute("SELECT hub_desk_correct_patient(%s, %s, %s, %s::smallint)", (ma_lk, name, birth, gender))
        from kiosk.facility.hub_desk import HubVisits
        detail = HubVisits(ctx).detail(session, ma_lk)
        visit, patient = detail.visit, detail.patient
        if fix.card_number is not None:
            visit = replace(visit, ma_the_bhyt=fix.card_number.strip().upper() or None)
        if kind == "dossier":
            summary = conn.execute("SELECT summary::text FROM visit_closures WHERE ma_lk = %s", (ma_lk,)).fetchone()
            if summary is None:
                raise DeskError("the visit has no summary to rebuild the dossier from")
            form, closed_at = CloseForm.from_json(summary[0])
            if not closed_at:
                raise DeskError("the visit's summary has no closing time to rebuild the dossier with")
            form = replace(form, icd_main=fix.icd_main or form.icd_main,
                           icd_other=form.icd_other if fix.icd_other is None else fix.icd_other,
                           diagnosis=fix.diagnosis if fix.diagnosis is not None else
                           ("" if fix.icd_main else form.diagnosis))
            form, titles = validated(form, Icd10Index.shared())
            payload, _ = build_signed_dossier(ctx, visit, patient, form, datetime.fromisoformat(closed_at))
            summary_json: str | None = form.to_json(closed_at, titles)
        else:
            payload, summary_json = signed_checkin(ctx, visit, patient), None
        answer = conn.execute("SELECT hub_desk_replace_dead(%s, %s, %s, %s::jsonb)",
                              (kind, ma_lk, payload, summary_json)).fetchone()[0]
        if answer != "ok":
            raise DeskError("the item changed meanwhile; reload the queue")
        ctx.record(session, "outbox.fix_resend", f"outbox:{item_id}",
                   {"kind": kind, "fixed": fix.fields(), "owner": "hub"})
    return payload

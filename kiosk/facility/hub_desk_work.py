"""The hub desk's writing parts: manual check-in (the facility-wide series through `hub_allocate`,
the same atomic allocation the kiosks use), closing a visit, and the hub's upload queue.

Who signs: the desk, with the facility signing key it is configured with (the same key the kiosks
use); the signed XML0 / dossier goes into the hub's outbox through `hub_desk_enqueue`, which only
ever makes items owned by 'hub', so the hub worker uploads them: exactly one owner, and the desk
never talks to the gateway for an upload.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core.clock import VN_TZ, iso
from kiosk.core.status import OutboxState, VisitStatus
from kiosk.core.views import TicketView
from kiosk.desk.checkin import ManualCheckinForm, ManualCheckinResult, build_identity
from kiosk.desk.close import CloseForm, build_signed_dossier, validated
from kiosk.desk.context import DeskError
from kiosk.desk.queue import QueueRow
from kiosk.desk.visits import code_words
from kiosk.facility import hub_desk_actions as actions
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P


class _Part:
    def __init__(self, ctx):
        self.ctx, self.accounts = ctx, ctx.accounts


class HubCheckin(_Part):
    @requires(P.MANUAL_CHECKIN)
    def check_in(self, session, form: ManualCheckinForm, deadline_s: float = 10.0) -> ManualCheckinResult:
        from kiosk.core import tickets
        from kiosk.gateway.xml import CheckinRecord, build_xml0
        ctx = self.ctx
        ctx.require_online()
        st = ctx.settings
        service = st.service(form.service_code)
        now = ctx.clock.now()
        today = now.astimezone(VN_TZ).date()
        identity = build_identity(form, today)
        person = identity.person
        assert person is not None and person.birth_date is not None   # build_identity sets both
        docs: list[tuple[str, str, str | None]] = []
        if identity.cccd:
            docs.append(("cccd", identity.cccd.number, None))
        if identity.bhyt and identity.bhyt.card_number:
            docs.append(("bhyt", identity.bhyt.card_number, identity.bhyt.valid_to.isoformat()
                         if identity.bhyt.valid_to else None))
        number = docs[-1][1] if docs else ""
        result = None
        if form.check_card and ctx.gateway is not None and number:
            birth = person.birth_date.as_date() or str(person.birth_date.year)
            result = ctx.gateway.check_card(number, person.full_name, birth, deadline=deadline_s)
        status = VisitStatus.WAITING if result is not None and getattr(result, "proceed", False) else (
            VisitStatus.PROVISIONAL if result is None else VisitStatus.NEEDS_DESK)
        desk = f"desk-{ctx.desk_name}"
        with ctx.link.transaction() as conn:
            seq = conn.execute("SELECT count(*) + 1 FROM visits WHERE kiosk_id = %s AND visit_day = %s",
                               (desk, today)).fetchone()[0]
            ma_lk = tickets.ma_lk(st.facility_code, f"D{ctx.desk_name}", now, int(seq))
            pid = None
            for kind, num, _ in docs:
                row = conn.execute("SELECT patient_id FROM patient_documents WHERE kind = %s AND number = %s",
                                   (kind, num)).fetchone()
                if row:
                    pid = row[0]
                    break
            if pid is None:
                pid = conn.execute("INSERT INTO patients (full_name, birth_date, gender, first_kiosk) "
                                   "VALUES (%s, %s, %s, %s) RETURNING id",
                                   (person.full_name, person.birth_date.iso(), int(person.gender), desk)).fetchone()[0]
            for kind, num, valid_to in docs:
                conn.execute("INSERT INTO patient_documents (kind, number, patient_id, valid_to, source) "
                             "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kind, number) DO NOTHING",
                             (kind, num, pid, valid_to, desk))
            ticket, already = conn.execute(
                "SELECT number, already FROM hub_desk_allocate(%s, %s, %s, %s, %s, %s, %s, %s::text[], %s::text[])",
                (st.facility_code, today, service.code, service.ticket_letter, ma_lk, desk, form.priority is not None,
                 [k for k, _, _ in docs], [n for _, n, _ in docs])).fetchone()
            if already:
                raise DeskError(f"the patient already holds ticket {ticket} for this service today")
            conn.execute("INSERT INTO visits (ma_lk, kiosk_id, facility_code, patient_id, visit_day, service_code, "
                         "room, priority, status, checked_in_at, ticket_number, numbered_by) "
                         "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'hub')",
                         (ma_lk, desk, st.facility_code, pid, today, service.code, service.room,
                          form.priority.value if form.priority else None, status.value, now, ticket))
            record = CheckinRecord(
                ma_lk=ma_lk, ma_bn=identity.cccd.number if identity.cccd else f"{desk}-{pid}",
                full_name=person.full_name or "", birth=person.birth_date.iso(), gender=int(person.gender),
                ma_cskcb=st.facility_code, admitted=now, ma_doituong_kcb=st.ma_doituong_kcb,
                cccd=identity.cccd.number if identity.cccd else "",
                card_number=identity.bhyt.card_number if identity.bhyt and identity.bhyt.card_number else "",
                service_code=service.code, service_name=service.name_vi, ordered_at=now)
            conn.execute("SELECT hub_desk_enqueue('checkin', %s, %s, %s)", (ma_lk, desk, ctx.sign(build_xml0(record))))
            ctx.record(session, "desk.manual_checkin", f"visit:{ma_lk}",
                       {"ticket": ticket, "service": service.code, "status": status.value,
                        "gateway_code": result.code if result else None})
        view_ticket = TicketView(0, ticket, service.code, service.name_vi, service.name_en, service.room, form.priority,
                                 None, ma_lk, now.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M"),
                                 provisional=status is VisitStatus.PROVISIONAL,
                                 desk_check=status is VisitStatus.NEEDS_DESK)
        printed: bool = False
        fault: str | None = "no_printer"
        if ctx.printer is not None:
            from kiosk.core.ports import PrinterFault
            try:
                ctx.printer.print_ticket(view_ticket, st.facility_name)
                printed, fault = True, None
            except PrinterFault as exc:
                fault = exc.kind.value
        words = code_words(result.code) if result is not None else (code_words(None) if form.check_card else "")
        return ManualCheckinResult(view_ticket, result.code if result else None, words, printed, fault)


@dataclass(frozen=True)
class ClosedHubVisit:
    ma_lk: str
    tables: tuple[str, ...]
    queued: bool


class HubCloser(_Part):
    def __init__(self, ctx, visits, index: Any = None):
        super().__init__(ctx)
        self.visits = visits
        from kiosk.desk.icd10 import Icd10Index
        self.index = index or Icd10Index.shared()

    @requires(P.CLOSE_VISIT)
    def close(self, session, visit_id: str, form: CloseForm) -> ClosedHubVisit:
        ctx = self.ctx
        ctx.require_online()
        detail = self.visits.detail(session, visit_id)
        visit, patient = detail.visit, detail.patient
        if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
            raise DeskError(f"the visit is already {visit.status}")
        form, titles = validated(form, self.index)
        now = ctx.clock.now()
        signed, tables = build_signed_dossier(ctx, visit, patient, form, now)
        from kiosk.facility.desk_ops import StaleVisit, set_status
        steps: tuple[str, ...] = ("in_progress", "closed") if visit.status is not VisitStatus.IN_PROGRESS else ("closed",)
        if visit.status in (VisitStatus.PROVISIONAL, VisitStatus.NEEDS_DESK):
            steps = ("waiting",) + steps
        try:
            with ctx.link.transaction() as conn:
                version = visit.version
                for status in steps:
                    version = set_status(conn, visit.ma_lk, version, status, session.username)
                conn.execute("INSERT INTO visit_closures (ma_lk, summary, closed_by) VALUES (%s, %s::jsonb, %s)",
                             (visit.ma_lk, form.to_json(iso(now), titles), session.username))
                queued = conn.execute("SELECT hub_desk_enqueue('dossier', %s, %s, %s)",
                                      (visit.ma_lk, visit.kiosk_id, signed)).fetchone()[0]
                ctx.record(session, "visit.close", f"visit:{visit.ma_lk}",
                           {"tables": list(tables), "secondary_codes": len(form.icd_other), "owner": "hub"})
        except StaleVisit:
            raise DeskError("another desk changed this visit first: reload and close again") from None
        ctx.seen[visit.ma_lk] = version
        return ClosedHubVisit(visit.ma_lk, tables, bool(queued))


@dataclass(frozen=True)
class HubQueueStats:
    pending: int
    sending: int
    acked: int
    dead: int
    oldest_pending_at: str | None
    oldest_pending_age_s: float | None
    last_success_at: str | None


@dataclass(frozen=True)
class HubReceipt:
    id: str
    kind: str
    ma_lk: str
    ma_giao_dich: str | None
    time: str | None
    acked_at: str | None


def _state(s: str):
    try:
        return OutboxState(s)
    except ValueError:
        return s                       # a state this desk does not know yet is shown as it is


class HubQueue(_Part):
    """The hub's outbox: every item with its owner, state and the gateway's last words."""

    @requires(P.MANAGE_OUTBOX)
    def items(self, session, state: str | None = None, limit: int = 200) -> list[QueueRow]:
        states = [state] if state else ["dead", "pending", "sending"]
        rows = self.ctx.link.execute(
            "SELECT kind, ma_lk, owner, state, attempts, last_code, created_at, "
            "coalesce(handed_over_at, created_at) FROM outbox WHERE state = ANY(%s) "
            "ORDER BY array_position(%s, state), created_at LIMIT %s", (states, states, limit)).fetchall()
        return [QueueRow(f"{r[0]}:{r[1]}", r[0], r[1], None, _state(r[3]), r[4], r[5],  # type: ignore[arg-type]
                         f"[{r[2]}] " + (code_words(r[5]) if r[5] else ""), r[6].isoformat(), r[7].isoformat())
                for r in rows]

    @requires(P.MANAGE_OUTBOX)
    def stats(self, session) -> HubQueueStats:
        r = self.ctx.link.execute(
            "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sending'), "
            "count(*) FILTER (WHERE state = 'acked'), count(*) FILTER (WHERE state = 'dead'), "
            "min(created_at) FILTER (WHERE state = 'pending'), "
            "extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')) FROM outbox").fetchone()
        last = self.ctx.link.execute("SELECT max(at) FROM events WHERE kind = 'outbox.acked'").fetchone()
        return HubQueueStats(r[0], r[1], r[2], r[3], r[4].isoformat() if r[4] else None,
                             float(r[5]) if r[5] is not None else None, last[0].isoformat() if last[0] else None)

    @requires(P.MANAGE_OUTBOX)
    def receipts(self, session, since: str | None = None, limit: int = 500) -> list[HubReceipt]:
        rows = self.ctx.link.execute(
            "SELECT kind, ma_lk, receipt_ma_giao_dich, receipt_time, acked_by FROM outbox WHERE state = 'acked' "
            "ORDER BY created_at DESC LIMIT %s", (limit,)).fetchall()
        return [HubReceipt(f"{r[0]}:{r[1]}", r[0], r[1], r[2], r[3], None) for r in rows]

    @requires(P.MANAGE_OUTBOX)
    def resend(self, session, item_id: str) -> None:
        """A dead item the hub owns goes back to pending; one a kiosk still owns is retried there."""
        ctx = self.ctx
        ctx.require_online()
        kind, _, ma_lk = item_id.partition(":")
        with ctx.link.transaction() as conn:
            answer = conn.execute("SELECT hub_desk_retry(%s, %s)", (kind, ma_lk)).fetchone()[0]
            if answer.startswith("owner:"):
                raise DeskError(f"this upload is still owned by {answer[6:]}: it is retried there")
            if answer != "ok":
                raise DeskError("only a dead item can be resent")
            ctx.record(session, "outbox.resend", f"outbox:{item_id}", {"kind": kind})

    fix_and_resend = actions.fix_and_resend      # hub-owned dead items only (hub migration 0005)

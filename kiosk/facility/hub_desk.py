"""The desk port's hub adapter: the same shape as `kiosk.desk.visits.Desk` (visits, checkin, close,
queue, alerts, book, report, ctx) so the desk UI talks to one interface, here against the facility
hub instead of the local store. Visits are those of every kiosk; a visit is named by its MA_LK.

Writes are compare-and-set on the hub's `version` (the version this desk last showed), server time
only, each with its audit entry in the same hub transaction. A desk whose live feed has lost the hub
refuses writes at once (HubUnavailable) rather than queueing them somewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.core.status import VisitStatus
from kiosk.desk.context import DeskError
from kiosk.desk.visits import FINISHED, UNCONFIRMED_NAME, EligibilityInfo, VisitDetail, VisitFilter, code_words
from kiosk.facility import hub_desk_actions as actions
from kiosk.facility.desk_ops import BadTransition, StaleVisit, resolve_conflict, set_status
from kiosk.facility.hub_book import HubBook
from kiosk.facility.hub_identity import HubIdentity
from kiosk.facility.listen import HubUnavailable
from kiosk.gateway.results import code_info
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P


@dataclass(frozen=True)
class HubDoc:
    kind: str
    number: str
    valid_to: str | None = None
    valid_from: str | None = None
    ma_dkbd: str | None = None


@dataclass(frozen=True)
class HubPatient:
    id: int
    full_name: str | None = field(repr=False)      # None: a nameless first visit (hub migration 0006)
    birth_date: str | None = field(repr=False)
    gender: int
    documents: tuple[HubDoc, ...] = ()
    address: str | None = None
    phone: str | None = None

    def document(self, kind: str) -> HubDoc | None:
        return next((d for d in self.documents if d.kind == kind), None)


@dataclass(frozen=True)
class HubVisit:
    id: str                      # the MA_LK: hub visits have no other key
    ma_lk: str
    kiosk_id: str
    status: VisitStatus
    service_code: str
    service_name: str | None
    room: str | None
    priority: str | None
    checked_in_at: str
    ticket_number: str
    version: int
    conflict: bool
    ma_the_bhyt: str | None = None
    needs_desk_reason: str | None = None
    ma_doituong_kcb: str = "1.1"
    eligibility_id: None = None
    closed_at: str | None = None


@dataclass(frozen=True)
class HubTicket:
    number: str
    active: bool


@dataclass(frozen=True)
class HubRow:
    """`kiosk.desk.visits.DeskRow`'s fields, plus where the visit came from."""
    visit_id: str
    ticket_number: str | None
    ticket_status: Any
    full_name: str
    birth_date: str | None
    status: VisitStatus
    service_code: str
    service_name: str | None
    priority: str | None
    checked_in_at: str
    reason: str | None
    ma_lk: str
    kiosk_id: str = ""
    conflict: bool = False
    version: int = 1


IDENTITY_REASON = ("identity to confirm at the desk: first visit by a number typed on a kiosk keypad; no name or "
                   "birth date yet, so no card check and no check-in record sent (held until confirmed)")
_DONE = ("closed", "cancelled")

_ROW = ("SELECT v.ma_lk, v.kiosk_id, v.status, v.service_code, v.room, v.priority, v.checked_in_at, "
        "v.ticket_number, v.version, v.conflict, p.id, p.full_name, p.birth_date, p.gender "
        "FROM visits v JOIN patients p ON p.id = v.patient_id ")


class HubDeskContext:
    """What the hub desk's parts share (the shape of kiosk.desk.context.DeskContext they use)."""

    def __init__(self, link, accounts, audit, clock, settings, sign, *, gateway: Any = None, printer: Any = None,
                 desk_name: str = "desk", live: Any = None):
        self.link, self.accounts, self.audit, self.clock = link, accounts, audit, clock
        self.settings, self.sign, self.gateway, self.printer = settings, sign, gateway, printer
        self.desk_name, self.live = desk_name, live
        self.store = None            # no local store: build_signed_dossier never needs it (no eligibility id)
        self.seen: dict[str, int] = {}   # MA_LK -> the version this desk last showed

    def record(self, session, action: str, target: str | None, details: dict | None = None) -> int:
        return self.audit.append(session.username, session.role.value, action, target,
                                 {**(details or {}), "desk": self.desk_name})

    def require_online(self) -> None:
        if self.live is not None and not self.live.online:
            raise HubUnavailable()

    def service_name(self, code: str) -> str | None:
        return next((s.name_vi for s in self.settings.services if s.code == code), None)

    def today(self) -> str:
        from kiosk.core.clock import local_day
        return local_day(self.clock.now())


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class HubVisits:
    """Reads and status actions on the facility's visits."""

    def __init__(self, ctx: HubDeskContext):
        self.ctx, self.accounts = ctx, ctx.accounts

    def _row(self, r) -> HubRow:
        self.ctx.seen[r[0]] = r[8]
        reason = "conflict: the same patient holds another ticket" if r[9] else (
            IDENTITY_REASON if r[11] is None and r[2] not in _DONE else None)
        return HubRow(r[0], r[7], None, r[11] or UNCONFIRMED_NAME, r[12], VisitStatus(r[2]), r[3],
                      self.ctx.service_name(r[3]), r[5], _iso(r[6]), reason, r[0], r[1], bool(r[9]), r[8])

    @requires(P.VIEW_VISITS)
    def visits(self, session, flt: VisitFilter | str = VisitFilter.OPEN, search: str = "", day: str | None = None,
               limit: int = 500) -> list[HubRow]:
        flt = VisitFilter(flt)
        where: list[str] = ["v.visit_day = %s"]
        args: list[Any] = [day or self.ctx.today()]
        if flt.statuses is not None:
            where.append("v.status = ANY(%s)")
            args.append([s.value for s in flt.statuses])
        text = " ".join(search.split()).upper()
        if text:
            where.append("(upper(p.full_name) LIKE %s OR v.ticket_number ILIKE %s OR EXISTS (SELECT 1 FROM "
                         "patient_documents d WHERE d.patient_id = p.id AND d.number LIKE %s))")
            args += [f"%{text}%", f"%{text}%", f"%{text}%"]
        rows = self.ctx.link.execute(_ROW + "WHERE " + " AND ".join(where) + " ORDER BY v.checked_in_at, v.ticket_number LIMIT %s",
                                     (*args, limit)).fetchall()
        return [self._row(r) for r in rows]

    @requires(P.VIEW_VISITS)
    def counts(self, session, day: str | None = None) -> dict:
        rows = self.ctx.link.execute("SELECT status, count(*) FROM visits WHERE visit_day = %s GROUP BY status",
                                     (day or self.ctx.today(),)).fetchall()
        got = {r[0]: int(r[1]) for r in rows}
        return {s: got.get(s.value, 0) for s in (VisitStatus.WAITING, VisitStatus.PROVISIONAL,
                                                  VisitStatus.NEEDS_DESK, VisitStatus.CLOSED)}

    @requires(P.VIEW_VISITS)
    def detail(self, session, visit_id: str) -> VisitDetail:
        link = self.ctx.link
        r = link.execute(_ROW + "WHERE v.ma_lk = %s", (visit_id,)).fetchone()
        if r is None:
            raise DeskError("no such visit at the hub")
        row = self._row(r)
        docs = tuple(HubDoc(d[0], d[1], d[2]) for d in link.execute(
            "SELECT kind, number, valid_to FROM patient_documents WHERE patient_id = %s ORDER BY kind", (r[10],)))
        card = next((d.number for d in docs if d.kind == "bhyt"), None)
        patient = HubPatient(r[10], r[11], r[12], r[13] or 3, docs)
        reason = row.reason
        if reason == IDENTITY_REASON:     # the typed number, so reception never retypes it
            reason = f"{reason}: " + ", ".join(f"{d.kind.upper()} {d.number}" for d in docs)
        visit = HubVisit(r[0], r[0], r[1], row.status, r[3], row.service_name, r[4], r[5], row.checked_in_at, r[7],
                         r[8], bool(r[9]), card, reason)
        uploads = tuple((k, s, c, code_info(c).staff_detail if c and s == "dead" else None, rc)
                        for k, s, c, rc in link.execute(
            "SELECT kind, state, last_code, receipt_ma_giao_dich FROM outbox WHERE ma_lk = %s ORDER BY kind",
            (visit_id,)))
        elig = actions.last_card_check(link, visit_id)       # the desk's latest re-check, if any
        if elig is None and row.status is VisitStatus.PROVISIONAL:
            elig = EligibilityInfo(None, "provisional", code_words(None), True, row.checked_in_at, card or "")
        return VisitDetail(visit, patient, (HubTicket(r[7], row.status not in FINISHED),), elig, uploads)

    # ------------------------------------------------------------ writes
    def _move(self, session, ma_lk: str, *steps: str, action: str, details: dict | None = None) -> int:
        ctx = self.ctx
        ctx.require_online()
        seen = ctx.seen.get(ma_lk)
        if seen is None:
            raise DeskError("load the visit before changing it")
        try:
            with ctx.link.transaction() as conn:
                version = seen
                for status in steps:
                    version = set_status(conn, ma_lk, version, status, session.username)
                ctx.record(session, action, f"visit:{ma_lk}", {**(details or {}), "to": steps[-1]})
        except StaleVisit:
            raise DeskError("another desk or kiosk changed this visit first: the list is reloaded, decide again") \
                from None
        except BadTransition as exc:
            raise DeskError(str(exc)) from None
        ctx.seen[ma_lk] = version
        return version

    @requires(P.CANCEL_VISIT)
    def cancel(self, session, visit_id: str, reason: str) -> int:
        reason = (reason or "").strip()
        if len(reason) < 3:
            raise DeskError("a cancellation needs a reason")
        return self._move(session, visit_id, "cancelled", action="visit.cancel", details={"reason": reason})

    @requires(P.OVERRIDE_ELIGIBILITY)
    def override_eligibility(self, session, visit_id: str, reason: str, mode: str = "accept_card") -> int:
        reason = (reason or "").strip()
        if len(reason) < 5:
            raise DeskError("an override needs a reason (at least 5 characters)")
        return self._move(session, visit_id, "waiting", action="visit.override",
                          details={"reason": reason, "mode": str(getattr(mode, "value", mode))})

    @requires(P.OVERRIDE_ELIGIBILITY)
    def resolve_conflict(self, session, visit_id: str) -> str:
        """Keep this visit of a flagged pair; the other one is cancelled (compare-and-set)."""
        ctx = self.ctx
        ctx.require_online()
        with ctx.link.transaction() as conn:
            row = conn.execute("SELECT id FROM conflicts WHERE resolved_at IS NULL AND %s IN (ma_lk_a, ma_lk_b) "
                               "ORDER BY id LIMIT 1", (visit_id,)).fetchone()
            if row is None:
                raise DeskError("this visit has no open conflict")
            dropped = resolve_conflict(conn, row[0], visit_id, session.username)
            ctx.record(session, "conflict.resolve", f"visit:{visit_id}", {"conflict": row[0], "cancelled": dropped})
        return dropped

    # the local desk's actions on the hub (hub migration 0005): kiosk.facility.hub_desk_actions
    recheck_card, reprint = actions.recheck_card, actions.reprint
    change_priority, move_service = actions.change_priority, actions.move_service


class HubDesk:
    """`Desk` for a desk PC on the hub: the parts the desk window uses, plus `live` (the LISTEN feed)."""

    def __init__(self, ctx: HubDeskContext, index: Any = None):
        from kiosk.facility.hub_desk_work import HubCheckin, HubCloser, HubQueue
        from kiosk.facility.hub_alerts import HubDeskAlerts
        from kiosk.facility.hub_report import HubDeskReport
        self.ctx, self.live = ctx, ctx.live
        self.visits = HubVisits(ctx)
        self.checkin = HubCheckin(ctx)
        self.close = HubCloser(ctx, self.visits, index)
        self.queue = HubQueue(ctx)
        self.alerts = HubDeskAlerts(ctx)
        self.report = HubDeskReport(ctx)
        self.book = HubBook(ctx)
        self.identity = HubIdentity(ctx, self.visits)

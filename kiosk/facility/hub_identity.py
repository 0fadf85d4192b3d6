"""A hub desk confirms a nameless first visit (issue 14 M7, on the facility hub of issue 17).

The same meaning as `kiosk.desk.identity.DeskIdentity.confirm`: a patient typed a valid CCCD / BHYT
number on some kiosk's keypad and got a ticket before anyone knew their name; the visit reached the
hub `needs_desk` with a nameless patient and no check-in (XML0, which needs HO_TEN) anywhere.
Reception reads the card and types the name, birth date and sex. Then:

1. the XML0 is built from the hub's visit and patient plus what staff typed, and signed (`ctx.sign`,
   before any transaction: a slow token holds no lock);
2. one hub transaction: `hub_desk_confirm_identity` (hub migration 0006) compare-and-sets the
   visit's version (the version this desk showed), names the still nameless patient, queues the
   signed XML0 owner 'hub' through `hub_desk_enqueue` (the outbox key is (kind, MA_LK): a second
   confirmation, from this desk or another, finds the visit changed and writes nothing), moves the
   visit on (provisional) and records the confirmation the kiosks pull; the audit entry goes into
   the hub chain in the same transaction;
3. the card check, now that the gateway has a name and birth date, when a gateway is configured
   (outside the transaction; a failure leaves the visit provisional).

The kiosk that issued the visit pulls the confirmation (kiosk.facility.pull): it completes its own
nameless patient and parks the hub's XML0 as handed over, so its desk can neither confirm again nor
queue a second check-in for the MA_LK.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from kiosk.core.clock import VN_TZ
from kiosk.core.status import VisitStatus
from kiosk.desk.context import DeskError
from kiosk.desk.identity import checked_identity
from kiosk.desk.queue import signed_checkin
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P

log = logging.getLogger(__name__)

_REFUSED = {
    "missing": "no such visit at the hub",
    "stale": "another desk or kiosk changed this visit first: the list is reloaded, decide again",
    "finished": "the visit is closed or cancelled",
    "named": "the visit's identity is already confirmed",
}


@dataclass(frozen=True)
class HubIdentityConfirmed:
    visit_id: str                    # the MA_LK
    status: VisitStatus              # after the optional card check
    gateway_code: str | None         # the card check's answer, None: not checked (no gateway / failed)
    queued: bool                     # False: a check-in for this MA_LK was already at the hub


def _card_status(verdict) -> VisitStatus:
    from kiosk.gateway.results import Verdict
    if verdict in (Verdict.VALID, Verdict.VALID_NEW_CARD):
        return VisitStatus.WAITING
    return VisitStatus.NEEDS_DESK if verdict is Verdict.NEEDS_DESK else VisitStatus.PROVISIONAL


class HubIdentity:
    def __init__(self, ctx, visits):
        self.ctx, self.visits, self.accounts = ctx, visits, ctx.accounts

    @requires(P.MANUAL_CHECKIN)
    def confirm(self, session, visit_id: str, full_name: str, birth_date: str, gender: int,
                check_card: bool = True) -> HubIdentityConfirmed:
        """Complete a nameless patient at the hub from what staff read on the card; queue the XML0."""
        ctx = self.ctx
        ctx.require_online()
        shown = ctx.seen.get(visit_id)
        if shown is None:
            raise DeskError("load the visit before changing it")
        detail = self.visits.detail(session, visit_id)       # re-read: the patient's documents, the visit now
        visit, patient = detail.visit, detail.patient
        if patient.full_name:
            raise DeskError(_REFUSED["named"])
        if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
            raise DeskError(f"the visit is {visit.status}")
        if visit.version != shown:
            ctx.seen[visit_id] = shown                    # what was decided on is stale either way
            raise DeskError(_REFUSED["stale"])
        cccd = patient.document("cccd")
        name, birth = checked_identity(full_name, birth_date, gender, cccd.number if cccd else None,
                                       ctx.clock.now().astimezone(VN_TZ).date())
        named = dataclasses.replace(patient, full_name=name, birth_date=birth.iso(), gender=gender)
        signed = signed_checkin(ctx, visit, named)
        with ctx.link.transaction() as conn:
            answer, version, queued = conn.execute(
                "SELECT answer, version, queued FROM hub_desk_confirm_identity(%s, %s, %s, %s, %s, %s, %s, %s)",
                (visit.ma_lk, shown, name, birth.iso(), gender, signed, session.username, ctx.desk_name)).fetchone()
            if answer == "ok":
                ctx.record(session, "desk.identity_confirm", f"visit:{visit.ma_lk}",
                           {"patient": patient.id, "checkin_queued": bool(queued), "owner": "hub"})
        if answer != "ok":
            raise DeskError(_REFUSED.get(answer, answer))
        ctx.seen[visit.ma_lk] = version
        status = VisitStatus.PROVISIONAL if visit.status is VisitStatus.NEEDS_DESK else visit.status
        code = None
        if check_card and ctx.gateway is not None:
            try:
                status, code = self._check_card(session, named, visit, status, version)
            except Exception as exc:      # offline, refused, changed meanwhile: it stays as it is
                log.warning("card check after identity confirmation failed: %s", type(exc).__name__)
        return HubIdentityConfirmed(visit.ma_lk, status, code, bool(queued))

    def _check_card(self, session, patient, visit, status: VisitStatus, version: int) -> tuple[VisitStatus, str]:
        from kiosk.facility.desk_ops import set_status
        ctx = self.ctx
        doc = next((d for d in (patient.document(k) for k in ("bhyt", "bhxh", "cccd")) if d is not None), None)
        if doc is None:
            raise DeskError("the patient has no card number to check")
        result = ctx.gateway.check_card(doc.number, patient.full_name, patient.birth_date)
        after = _card_status(result.verdict)
        if status is not VisitStatus.PROVISIONAL or after is status:
            after = status
        with ctx.link.transaction() as conn:
            if after is not status:
                ctx.seen[visit.ma_lk] = set_status(conn, visit.ma_lk, version, after.value, session.username)
            ctx.record(session, "eligibility.recheck", f"visit:{visit.ma_lk}",
                       {"gateway_code": result.code, "verdict": result.verdict.value, "after": "identity_confirm"})
        return after, result.code

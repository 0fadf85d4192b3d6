"""The desk confirms a nameless first visit (issue 14 M7).

A first-time patient who typed a valid CCCD or BHYT number on the kiosk keypad got a ticket before
anyone knew their name: the visit is under "Cần quầy / Needs desk" with the typed number, and its
check-in record (XML0, which requires HO_TEN and NGAY_SINH) is held. Reception looks at the card,
types the name, birth date and sex (never the number again), and in one transaction the patient
row is completed, the signed check-in queued for upload and the visit goes on (provisional: its
card is checked next, here when a gateway is configured, else by the sync worker's re-check).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from kiosk.core.clock import VN_TZ
from kiosk.core.status import VisitStatus
from kiosk.desk.checkin import ManualCheckinError, parse_birth
from kiosk.desk.context import DeskError, DeskPart
from kiosk.desk.queue import signed_checkin
from kiosk.desk.visits import DeskService
from kiosk.identity import IdentityError
from kiosk.identity.cccd import check_cccd_number, check_consistency
from kiosk.identity.model import BirthDate, Gender
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdentityConfirmed:
    visit_id: int
    status: VisitStatus              # after the optional card check
    gateway_code: str | None         # the card check's answer, None: not checked (no gateway / failed)


def checked_identity(full_name: str, birth_date: str, gender: int, cccd: str | None,
                     today: date) -> tuple[str, BirthDate]:
    """What staff typed, checked and normalised: (NAME IN CAPITALS, BirthDate); a refused field
    raises ManualCheckinError naming it. Shared by the local and the hub desk."""
    name = " ".join(full_name.split()).upper()
    if len(name) < 2:
        raise ManualCheckinError("full_name", "the full name is required")
    birth = parse_birth(birth_date)
    born = birth.as_date()
    if born and born > today:
        raise ManualCheckinError("birth_date", "in the future")
    if gender not in (1, 2, 3):
        raise ManualCheckinError("gender", "choose male, female or unknown (no default is assumed)")
    if cccd is not None:
        try:    # the typed CCCD's century/gender digits must agree with what staff read
            check_consistency(check_cccd_number(cccd, today), birth, Gender(gender))
        except IdentityError as exc:
            raise ManualCheckinError("cccd", exc.detail) from None
    return name, birth


class DeskIdentity(DeskPart):
    @requires(P.MANUAL_CHECKIN)
    def confirm(self, session, visit_id: int, full_name: str, birth_date: str, gender: int,
                check_card: bool = True) -> IdentityConfirmed:
        """Complete a nameless patient from what staff read on the card; queue the held XML0."""
        store = self.store
        visit = store.visits.get(visit_id)
        patient = store.patients.get(visit.patient_id)
        if patient is None:
            raise DeskError("the visit's patient is gone")
        if patient.full_name:
            raise DeskError("the visit's identity is already confirmed")
        if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
            raise DeskError(f"the visit is {visit.status}")
        cccd = patient.document("cccd")
        name, birth = checked_identity(full_name, birth_date, gender, cccd.number if cccd else None,
                                       self.ctx.clock.now().astimezone(VN_TZ).date())
        with store.transaction():
            store.patients.correct(patient.id, full_name=name, birth_date=birth.iso(), gender=gender)
            completed = store.patients.get(patient.id)
            if store.outbox.find("checkin", visit.ma_lk) is None and visit.ma_doituong_kcb != "2":
                store.outbox.enqueue("checkin", visit.ma_lk, signed_checkin(self.ctx, visit, completed), visit.id)
            store.visits.set_status(visit_id, VisitStatus.PROVISIONAL, needs_desk_reason=None)
            self.ctx.record(session, "desk.identity_confirm", f"visit:{visit_id}", {"patient": patient.id})
        code = None
        if check_card and self.ctx.gateway is not None:
            try:
                code = DeskService(self.ctx).recheck_card(session, visit_id).code
            except Exception as exc:      # offline: stays provisional, the sync worker re-checks
                log.warning("card check after identity confirmation failed: %s", type(exc).__name__)
        return IdentityConfirmed(visit_id, store.visits.get(visit_id).status, code)

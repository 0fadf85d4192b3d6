"""The upload queue at the desk: pending and dead items with the gateway's message for each dead
one, resend as-is, fix-and-resend (correct the data, rebuild and re-sign the upload), receipts.

A dead item was refused by the gateway, so it holds nothing under that MA_LK: replacing the dead
item's bytes with the corrected, re-signed document is safe (the same MA_LK, now valid). Pending
and acked items are never rewritten.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from kiosk.core.status import OutboxState
from kiosk.gateway.xml import XmlBuildError, build_xml0
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.close import CloseForm, build_signed_dossier, ma_bn_of, validated
from kiosk.desk.context import DeskError, DeskPart
from kiosk.desk.icd10 import Icd10Index


@dataclass(frozen=True)
class QueueRow:
    item_id: int
    kind: str
    ma_lk: str
    visit_id: int | None
    state: OutboxState
    attempts: int
    last_code: str | None
    gateway_message: str | None      # the gateway's own words for a dead item
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Corrections:
    """What staff may fix before a resend; None keeps the stored value."""
    full_name: str | None = None
    birth_date: str | None = None    # yyyy-mm-dd or yyyy
    gender: int | None = None
    card_number: str | None = None
    icd_main: str | None = None
    icd_other: tuple[str, ...] | None = None
    diagnosis: str | None = None

    def fields(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v is not None]


def _row(item) -> QueueRow:
    return QueueRow(item.id, item.kind.value, item.ma_lk, item.visit_id, item.state, item.attempts,
                    item.last_code, item.last_error, item.created_at, item.updated_at)


class UploadQueue(DeskPart):
    def __init__(self, ctx, index: Icd10Index | None = None):
        super().__init__(ctx)
        self.index = index or Icd10Index.shared()

    @requires(P.MANAGE_OUTBOX)
    def items(self, session, state: str | None = None, limit: int = 200) -> list[QueueRow]:
        if state is None:
            rows = []
            for s in (OutboxState.DEAD, OutboxState.PENDING, OutboxState.SENDING, OutboxState.HANDED_OVER):
                rows += self.store.outbox.items(s, limit)
            return [_row(i) for i in rows]
        return [_row(i) for i in self.store.outbox.items(OutboxState(state), limit)]

    @requires(P.MANAGE_OUTBOX)
    def stats(self, session):
        return self.store.outbox.stats()

    @requires(P.MANAGE_OUTBOX)
    def receipts(self, session, since: str | None = None, limit: int = 500) -> list:
        out = []
        for r in self.store.outbox.receipts(since):
            out.append(r)
            if len(out) >= limit:
                break
        return out

    @requires(P.MANAGE_OUTBOX)
    def resend(self, session, item_id: int) -> None:
        """Put a dead item back in the queue with its stored bytes (e.g. after a gateway fix)."""
        with self.store.transaction():
            item = self.store.outbox.get(item_id)
            if item is None or item.state is not OutboxState.DEAD:
                raise DeskError("only a dead item can be resent")
            self.store.outbox.requeue(item_id)
            self.ctx.record(session, "outbox.resend", f"outbox:{item_id}", {"kind": item.kind.value,
                                                                           "last_code": item.last_code})

    @requires(P.MANAGE_OUTBOX)
    def fix_and_resend(self, session, item_id: int, fix: Corrections) -> bytes:
        """Apply the corrections to the patient/visit, rebuild and re-sign the document, and queue
        it again in one transaction. Returns the new signed bytes."""
        store = self.store
        item = store.outbox.get(item_id)
        if item is None or item.state is not OutboxState.DEAD:
            raise DeskError("only a dead item can be fixed and resent")
        if item.visit_id is None:
            raise DeskError("the item is not linked to a visit any more")
        if (fix.icd_main or fix.icd_other or fix.diagnosis) and item.kind.value != "dossier":
            raise DeskError("diagnosis codes belong to the visit summary (a dossier), not a check-in")
        with store.transaction():
            self._apply_patient(item.visit_id, fix)
            visit = store.visits.get(item.visit_id)
            patient = store.patients.get(visit.patient_id)
            if item.kind.value == "dossier":
                payload = self._dossier(visit, patient, fix)
            else:
                payload = self._checkin(visit, patient)
            # a dead item is the one case where the gateway holds nothing under this MA_LK,
            # so the corrected document replaces its bytes
            if not store.outbox.replace_dead_payload(item_id, payload):
                raise DeskError("the item changed meanwhile; reload the queue")
            self.ctx.record(session, "outbox.fix_resend", f"outbox:{item_id}",
                            {"kind": item.kind.value, "fixed": fix.fields(), "last_code": item.last_code})
        return payload

    def _apply_patient(self, visit_id: int, fix: Corrections) -> None:
        visit = self.store.visits.get(visit_id)
        name = checked_corrections(fix)[0]
        self.store.patients.correct(visit.patient_id, full_name=name, birth_date=fix.birth_date, gender=fix.gender)
        if fix.card_number is not None:
            self.store.visits.set_card(visit_id, fix.card_number.strip().upper() or None)

    def _dossier(self, visit, patient, fix: Corrections) -> bytes:
        if not visit.summary_json:
            raise DeskError("the visit has no summary to rebuild the dossier from")
        form, closed_at = CloseForm.from_json(visit.summary_json)
        form = replace(form, icd_main=fix.icd_main or form.icd_main,
                       icd_other=form.icd_other if fix.icd_other is None else fix.icd_other,
                       diagnosis=fix.diagnosis if fix.diagnosis is not None else
                       ("" if fix.icd_main else form.diagnosis))
        form, titles = validated(form, self.index)
        discharged = datetime.fromisoformat(closed_at or visit.closed_at)
        if form.follow_up_on is not None and form.follow_up_on <= discharged.date():
            raise DeskError("the stored follow-up date is not after the visit")
        signed, _ = build_signed_dossier(self.ctx, visit, patient, form, discharged)
        self.store.visits.set_summary(visit.id, form.to_json(closed_at or visit.closed_at, titles))
        return signed

    def _checkin(self, visit, patient) -> bytes:
        return signed_checkin(self.ctx, visit, patient)


def signed_checkin(ctx, visit, patient) -> bytes:
    """The visit's XML0 rebuilt from the stored patient and visit, signed (fix-and-resend, and the
    desk's identity confirmation of a nameless first visit)."""
    from kiosk.gateway.xml import CheckinRecord
    st = ctx.settings
    cccd = patient.document("cccd")
    if not patient.full_name:
        raise DeskError("full_name: missing (confirm the identity first)")
    if not patient.birth_date:
        raise DeskError("birth_date: missing")
    record = CheckinRecord(ma_lk=visit.ma_lk, ma_bn=ma_bn_of(patient, visit.kiosk_id),
                           full_name=patient.full_name, birth=patient.birth_date, gender=patient.gender,
                           ma_cskcb=st.facility_code, admitted=datetime.fromisoformat(visit.checked_in_at),
                           ma_doituong_kcb=str(visit.ma_doituong_kcb), cccd=cccd.number if cccd else "",
                           card_number=visit.ma_the_bhyt or "", service_code=visit.service_code,
                           service_name=visit.service_name or "",
                           ordered_at=datetime.fromisoformat(visit.checked_in_at))   # NGAY_YL: the order
    try:
        return ctx.sign(build_xml0(record))
    except XmlBuildError as exc:
        raise DeskError(f"the check-in cannot be rebuilt: {exc}") from None


def checked_corrections(fix) -> tuple[str | None, str | None, int | None]:
    """A fix-and-resend's patient corrections, checked: (upper-cased name, birth date, gender);
    the local desk and the hub desk apply the same rules."""
    name = None
    if fix.full_name is not None:
        name = " ".join(fix.full_name.split()).upper()
        if len(name) < 2:
            raise DeskError("full_name: the full name is required")
    if fix.birth_date is not None:
        try:
            if len(fix.birth_date) == 4:
                int(fix.birth_date)
            else:
                date.fromisoformat(fix.birth_date)
        except ValueError:
            raise DeskError("birth_date: not yyyy-mm-dd or yyyy") from None
    if fix.gender is not None and fix.gender not in (1, 2, 3):
        raise DeskError("gender: 1, 2 or 3")
    return name, fix.birth_date, fix.gender

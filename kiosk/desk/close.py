"""Closing a visit with its summary: ICD-10 diagnoses, treatment and result, follow-up (XML14),
referral (XML13). The signed GIAMDINHHS dossier goes into the outbox IN THE SAME TRANSACTION as the
visit close and its audit entry: either the visit is closed and its upload queued, or neither.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from kiosk.core.clock import VN_TZ, iso
from kiosk.core.status import TicketStatus, VisitStatus
from kiosk.gateway.xml import FollowUp, Referral, VisitSummary, XmlBuildError, build_dossier
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskError, DeskPart
from kiosk.desk.icd10 import Icd10Index, UnknownIcd10Code

OUTCOMES = {1: ("Khỏi", "Cured"), 2: ("Đỡ", "Improved"), 3: ("Không thay đổi", "Unchanged"),
            4: ("Nặng hơn", "Worse"), 5: ("Tử vong", "Died"), 6: ("Tiên lượng nặng xin về", "Severe, went home"),
            7: ("Chưa xác định", "Not determined")}
DISCHARGE_TYPES = {1: ("Ra viện", "Discharged"), 2: ("Chuyển tuyến", "Referred"), 3: ("Trốn viện", "Left"),
                   4: ("Xin ra viện", "On request")}


@dataclass(frozen=True)
class ReferralForm:
    ma_noi_den: str                  # receiving facility, 5 digits
    reason_code: int = 1             # MA_LYDO_CT: 1 suitable for the benefit, 2 on the patient's request
    clinical_signs: str = ""
    course: str = ""
    results_summary: str = ""
    direction: str = ""
    transport: str = ""
    number: str = ""                 # SO_CHUYENTUYEN / GIAY_CHUYEN_TUYEN; generated when empty


@dataclass(frozen=True)
class CloseForm:
    icd_main: str
    icd_other: tuple[str, ...] = ()
    diagnosis: str = ""              # CHAN_DOAN_RV; the main code's title when empty
    treatment: str = ""              # PP_DIEU_TRI
    outcome: int = 1                 # KET_QUA_DTRI
    discharge_type: int = 1          # MA_LOAI_RV (2 when referred)
    note: str = ""
    doctor_code: str = ""            # MA_BAC_SI, needed for a follow-up or referral
    follow_up_on: date | None = None
    follow_up_service: str | None = None
    referral: ReferralForm | None = None

    def to_json(self, closed_at: str, titles: dict[str, str]) -> str:
        d = asdict(self)
        d["follow_up_on"] = self.follow_up_on.isoformat() if self.follow_up_on else None
        d["icd_other"] = list(self.icd_other)
        d["closed_at"] = closed_at
        d["icd_titles"] = titles
        return json.dumps(d, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> tuple["CloseForm", str | None]:
        d = json.loads(text)
        closed_at = d.pop("closed_at", None)
        d.pop("icd_titles", None)
        ref = d.pop("referral", None)
        d["icd_other"] = tuple(d.get("icd_other") or ())
        d["follow_up_on"] = date.fromisoformat(d["follow_up_on"]) if d.get("follow_up_on") else None
        return cls(**d, referral=ReferralForm(**ref) if ref else None), closed_at


@dataclass(frozen=True)
class ClosedVisit:
    visit: Any
    outbox_id: int
    tables: tuple[str, ...]          # ("XML1", "XML13", "XML14") as they went into the envelope
    signed: bytes = field(repr=False)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text and len(text) >= 10 else None


def validated(form: CloseForm, index: Icd10Index) -> tuple[CloseForm, dict[str, str]]:
    """Codes normalised against the ICD-10 list (DeskError naming the bad code), titles kept."""
    try:
        main = index.get(form.icd_main)
        others = [index.get(c) for c in form.icd_other if c.strip()]
    except UnknownIcd10Code as exc:
        raise DeskError(f"ICD-10 code {exc.code!r} is not in the ICD-10 list") from None
    other_codes = tuple(dict.fromkeys(e.code for e in others if e.code != main.code))
    if form.outcome not in OUTCOMES:
        raise DeskError("the treatment result (KET_QUA_DTRI) is not one of the listed values")
    discharge = 2 if form.referral else form.discharge_type
    if discharge not in DISCHARGE_TYPES:
        raise DeskError("the discharge type (MA_LOAI_RV) is not one of the listed values")
    if (form.follow_up_on or form.referral) and not form.doctor_code.strip():
        raise DeskError("a follow-up or referral needs the doctor's code (MA_BAC_SI)")
    if form.referral and not (len(form.referral.ma_noi_den) == 5 and form.referral.ma_noi_den.isdigit()):
        raise DeskError("the receiving facility code (MA_NOI_DEN) is 5 digits")
    titles = {main.code: main.title, **{e.code: e.title for e in others}}
    return replace(form, icd_main=main.code, icd_other=other_codes, diagnosis=form.diagnosis.strip() or main.title,
                   discharge_type=discharge), titles


def ma_bn_of(patient, kiosk_id: str) -> str:
    """The same patient code XML0 used (kiosk.checkin.records.checkin_record)."""
    for kind in ("cccd", "bhxh"):
        doc = patient.document(kind)
        if doc:
            return doc.number
    return f"{kiosk_id}-{patient.id}"


def build_signed_dossier(ctx, visit, patient, form: CloseForm, discharged: datetime) -> tuple[bytes, tuple[str, ...]]:
    """The signed envelope of a closed visit (also used by fix-and-resend to rebuild it)."""
    st = ctx.settings
    if not patient.birth_date:
        raise DeskError("the patient's birth date is missing: fix it before closing the visit")
    card = visit.ma_the_bhyt or ""
    valid_from = valid_to = None
    ma_dkbd = ""
    if visit.eligibility_id is not None:
        e = ctx.store.eligibility.get(visit.eligibility_id)
        valid_from, valid_to, ma_dkbd = _date(e.card_valid_from), _date(e.card_valid_to), e.ma_dkbd or ""
    doc = patient.document("bhyt") or patient.document("bhxh")
    if card and doc is not None:
        valid_from = valid_from or _date(doc.valid_from)
        valid_to = valid_to or _date(doc.valid_to)
        ma_dkbd = ma_dkbd or doc.ma_dkbd or ""
    if not card:
        valid_from = valid_to = None
        ma_dkbd = ""
    cccd = patient.document("cccd")
    ref = form.referral
    ref_number = (ref.number or f"CT{visit.ma_lk}")[:50] if ref else ""
    summary = VisitSummary(
        ma_lk=visit.ma_lk, ma_bn=ma_bn_of(patient, visit.kiosk_id), full_name=patient.full_name,
        birth=patient.birth_date, gender=patient.gender, ma_cskcb=st.facility_code,
        admitted=datetime.fromisoformat(visit.checked_in_at), discharged=discharged, diagnosis=form.diagnosis,
        icd_main=form.icd_main, icd_other=form.icd_other, outcome=form.outcome, discharge_type=form.discharge_type,
        ma_doituong_kcb=str(visit.ma_doituong_kcb), cccd=cccd.number if cccd else "", card_number=card,
        ma_dkbd=ma_dkbd, card_valid_from=valid_from, card_valid_to=valid_to, address=patient.address or "",
        phone=patient.phone or "", treatment=form.treatment, department=visit.service_code, note=form.note,
        referral_number=ref_number, ma_noi_den=ref.ma_noi_den if ref else "", follow_up_on=form.follow_up_on,
        head_code=st.head_code)
    follow = referral = None
    local_day = discharged.astimezone(VN_TZ).date()
    if form.follow_up_on or ref:
        if not st.head_code:
            raise DeskError("the setting facility_head_code (MA_TTDV) is empty: a technician must set it")
    if form.follow_up_on:
        if form.follow_up_on <= local_day:
            raise DeskError("the follow-up date must be after today")
        follow = FollowUp(number=f"HK{visit.ma_lk}"[:50], on=form.follow_up_on, doctor_code=form.doctor_code.strip(),
                          head_code=st.head_code, issued_on=local_day)
    if ref:
        referral = Referral(so_hoso=visit.ma_lk, so_chuyentuyen=ref_number, giay_chuyen_tuyen=ref_number,
                            ma_noi_den=ref.ma_noi_den, reason_code=ref.reason_code, doctor_code=form.doctor_code.strip(),
                            head_code=st.head_code, clinical_signs=ref.clinical_signs, course=ref.course,
                            results_summary=ref.results_summary, treatment=form.treatment, direction=ref.direction,
                            transport=ref.transport)
    try:
        unsigned = build_dossier(summary, follow, referral, made_on=local_day, revision=st.revision)
    except XmlBuildError as exc:
        raise DeskError(f"the summary cannot become a valid dossier: {exc}") from None
    tables = ("XML1",) + (("XML13",) if referral else ()) + (("XML14",) if follow else ())
    return ctx.sign(unsigned), tables


class VisitCloser(DeskPart):
    def __init__(self, ctx, index: Icd10Index | None = None):
        super().__init__(ctx)
        self.index = index or Icd10Index.shared()

    @requires(P.CLOSE_VISIT)
    def close(self, session, visit_id: int, form: CloseForm) -> ClosedVisit:
        store = self.store
        visit = store.visits.get(visit_id)
        if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
            raise DeskError(f"the visit is already {visit.status}")
        form, titles = validated(form, self.index)
        if form.follow_up_service:
            self.ctx.settings.service(form.follow_up_service)
        patient = store.patients.get(visit.patient_id)
        now = self.ctx.clock.now()
        signed, tables = build_signed_dossier(self.ctx, visit, patient, form, now)
        with store.transaction():
            closed = store.visits.close(visit_id, form.to_json(iso(now), titles),
                                        follow_up_date=form.follow_up_on.isoformat() if form.follow_up_on else None,
                                        follow_up_service=(form.follow_up_service or visit.service_code)
                                        if form.follow_up_on else None)
            for t in store.tickets.for_visit(visit_id):
                if t.active:
                    store.tickets.set_status(t.id, TicketStatus.DONE)
            outbox_id = store.outbox.enqueue("dossier", visit.ma_lk, signed, visit_id)
            self.ctx.record(session, "visit.close", f"visit:{visit_id}",
                            {"outbox_id": outbox_id, "tables": list(tables), "secondary_codes": len(form.icd_other)})
        return ClosedVisit(closed, outbox_id, tables, signed)

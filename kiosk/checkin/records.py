"""From a confirmed identity and a card-check answer to what the store and the gateway take:
the patient row and documents, the eligibility row, the XML0 check-in record."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kiosk.core.views import ServiceOption
from kiosk.store.eligibility import EligibilityInput
from kiosk.store.patients import DocumentInput, PatientInput


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def gateway_date(text: str) -> date | None:
    """`dd/MM/yyyy` (or `ddMMyyyy`) as the gateway writes card dates; None when absent/odd."""
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%d%m%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def gateway_documents(result: Any) -> list[DocumentInput]:
    """The card the gateway confirmed (the new one when it issued one), so that a later typed
    CCCD number finds the insurance card too."""
    if result is None or not getattr(result, "proceed", False):
        return []
    number = getattr(result, "effective_card_number", "") or ""
    new = number and number == getattr(result, "new_card_number", "")
    common = dict(valid_from=_iso(gateway_date(result.new_valid_from if new else result.valid_from)),
                  valid_to=_iso(gateway_date(result.new_valid_to if new else result.valid_to)),
                  ma_dkbd=(result.new_ma_dkbd if new else result.ma_dkbd) or None, source="gateway")
    docs = []
    if len(number) == 15:
        docs.append(DocumentInput("bhyt", number, **common))
        docs.append(DocumentInput("bhxh", number[5:], **common))
    elif len(number) == 10 and number.isdigit():
        docs.append(DocumentInput("bhxh", number, **common))
    return docs


def patient_input(identity: Any) -> tuple[PatientInput, list[DocumentInput]]:
    person = identity.person
    source = identity.source.store_value
    fields = PatientInput(
        full_name=person.full_name if person else None,
        birth_date=person.birth_date.iso() if person and person.birth_date else None,
        gender=int(person.gender) if person else None,
        address=person.address if person else None)
    docs: list[DocumentInput] = []
    if identity.cccd:
        docs.append(DocumentInput("cccd", identity.cccd.number, issued_on=_iso(identity.cccd.issue_date),
                                  valid_to=_iso(identity.cccd.expiry_date), source=source))
    old = identity.old_id.number if identity.old_id else (identity.cccd.old_id if identity.cccd else None)
    if old:
        docs.append(DocumentInput("old_id", old, source=source))
    card = identity.bhyt
    if card:
        common = dict(valid_from=_iso(card.valid_from), valid_to=_iso(card.valid_to), ma_dkbd=card.ma_dkbd,
                      benefit_level=card.benefit_level, issued_on=_iso(card.issue_date), source=source)
        if card.code15:
            docs.append(DocumentInput("bhyt", card.code15, **common))
        if card.bhxh_number10:
            docs.append(DocumentInput("bhxh", card.bhxh_number10, **common))
    if not docs:
        raise ValueError("an identity without any document number cannot become a patient")
    return fields, docs


def check_number(identity: Any, card: str) -> str:
    """The number a card check is (re)done with: the insurance card, else the CCCD."""
    if card:
        return card
    return identity.cccd.number if identity.cccd else ""


def eligibility_input(result: Any, patient_id: int, number: str, *, provisional: bool) -> EligibilityInput | None:
    """The eligibility_checks row: the gateway's answer, or a provisional mark the sync worker
    re-checks; None when there is nothing to record."""
    if result is not None:
        verdict = getattr(result.verdict, "value", str(result.verdict))
        new_card = result.new_card_number or None
        return EligibilityInput(
            card_number=result.card_number or number, verdict=verdict, patient_id=patient_id,
            result_code=result.code, message=result.staff_detail,
            provisional=bool(provisional or result.provisional),
            card_valid_from=_iso(gateway_date(result.valid_from)), card_valid_to=_iso(gateway_date(result.valid_to)),
            ma_dkbd=result.ma_dkbd or None, new_card_number=new_card)
    if provisional and number:
        return EligibilityInput(card_number=number, verdict="provisional", patient_id=patient_id, provisional=True,
                                message="no answer from the gateway in time")
    return None


def checkin_record(identity: Any, result: Any, *, ma_lk: str, patient_id: int, facility: str, kiosk: str,
                   admitted: datetime, service: ServiceOption, ma_doituong_kcb: str, card: str):
    """XML0's record of this check-in (kiosk.gateway.xml.CheckinRecord). NGAY_YL is the moment the
    examination service was chosen and ordered: the issue time (`admitted`)."""
    from kiosk.gateway.xml import CheckinRecord
    person = identity.person
    name = (person.full_name if person else None) or (getattr(result, "full_name", "") if result else "")
    birth = person.birth_date.iso() if person and person.birth_date else (getattr(result, "birth_date", "") or "")
    gender = int(person.gender) if person else 3
    cccd = identity.cccd.number if identity.cccd else ""
    bhyt = identity.bhyt
    valid_from = valid_to = None
    ma_dkbd = ""
    if result is not None and getattr(result, "proceed", False):
        new = getattr(result.verdict, "name", "") == "VALID_NEW_CARD" and result.new_card_number
        valid_from = gateway_date(result.new_valid_from if new else result.valid_from)
        valid_to = gateway_date(result.new_valid_to if new else result.valid_to)
        ma_dkbd = (result.new_ma_dkbd if new else result.ma_dkbd) or ""
    elif bhyt is not None:
        valid_from, valid_to, ma_dkbd = bhyt.valid_from, bhyt.valid_to, bhyt.ma_dkbd or ""
    ma_bn = cccd or (bhyt.bhxh_number10 if bhyt and bhyt.bhxh_number10 else "") or f"{kiosk}-{patient_id}"
    return CheckinRecord(
        ma_lk=ma_lk, ma_bn=ma_bn, full_name=name, birth=birth, gender=gender, ma_cskcb=facility,
        admitted=admitted, ma_doituong_kcb=ma_doituong_kcb, cccd=cccd, card_number=card if card else "",
        ma_dkbd=ma_dkbd, card_valid_from=valid_from, card_valid_to=valid_to, service_code=service.code,
        service_name=service.name_vi, ordered_at=admitted)

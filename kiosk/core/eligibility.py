"""Card-check answers → what the patient sees and what the desk must do.

`view_of` works on a `CardAnswer`: the gateway's fresh answer (`CardCheckResult.card_answer()`) and
a cached check row (`EligibilityCheck.card_answer()`) both provide one. Unknown answers are
provisional: the kiosk never blocks a patient on a code it does not understand.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.core import messages as msg
from kiosk.core.views import EligibilityView, InsuranceStatus, Message

# maKetQua → plain words for the desk-bound cases (reference/gateway-api.md)
_DESK = {
    "010": ("Thẻ BHYT đã hết hạn.", "The insurance card has expired."),
    "050": ("Không tìm thấy thông tin thẻ BHYT.", "No insurance card information was found."),
    "051": ("Số thẻ BHYT không đúng.", "The insurance card number is wrong."),
    "052": ("Mã tỉnh trên thẻ BHYT không đúng.", "The province code on the card is wrong."),
    "053": ("Mã quyền lợi trên thẻ BHYT không đúng.", "The benefit code on the card is wrong."),
    "060": ("Họ tên không khớp với thẻ BHYT.", "The name does not match the insurance card."),
    "061": ("Họ tên không khớp hoàn toàn với thẻ BHYT.", "The name partly does not match the card."),
    "070": ("Ngày sinh không khớp với thẻ BHYT.", "The date of birth does not match the card."),
    "110": ("Thẻ BHYT đã bị thu hồi.", "The insurance card has been revoked."),
    "130": ("Trẻ em chưa có thẻ BHYT.", "The child has no insurance card yet."),
}
_DESK_TAIL = (" Mời ông/bà đến quầy tiếp đón.", " Please go to the reception desk.")
_DESK_FLAG = ("001", "002")   # valid, but managed by Defence / Public Security: desk checks


@dataclass(frozen=True)
class CardAnswer:
    """What a card check said, as far as the patient's view goes."""
    verdict: str                   # VALID, VALID_NEW_CARD, NEEDS_DESK, CONFIG_FAULT, RETRY_LATER (any case)
    code: str | None = None        # maKetQua
    valid_to: date | str | None = None   # the card's end date (a date, or the gateway's dd/MM/yyyy)
    alert: bool = False            # technicians should look (configuration fault...)
    message_vi: str = ""           # the gateway's own words for an unknown desk code
    message_en: str = ""


def _fmt_date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and value:
        return value
    return None


def view_of(answer: CardAnswer, *, from_cache: bool = False) -> EligibilityView:
    """The patient-facing view of a card-check answer."""
    name = answer.verdict.upper()
    code = answer.code or None
    until = _fmt_date(answer.valid_to)
    if name == "VALID":
        vi = "Thẻ BHYT hợp lệ" + (f", còn hạn đến {until}." if until else ".")
        en = "Insurance card valid" + (f" until {until}." if until else ".")
        return EligibilityView(InsuranceStatus.VALID, Message("valid", vi, en), from_cache, result_code=code)
    alert = answer.alert
    if name == "VALID_NEW_CARD":
        return EligibilityView(InsuranceStatus.VALID_NEW_CARD, Message(
            "valid_new_card", "Thẻ BHYT hợp lệ (đã có thẻ mới, sẽ dùng thẻ mới).",
            "Insurance card valid (a new card was issued; the new card is used)."), from_cache,
            staff_alert=alert, result_code=code)
    if name == "NEEDS_DESK":
        pair: tuple[str, str] | None = _DESK.get(code or "")
        if pair is None:
            vi = answer.message_vi or "Thẻ BHYT cần được kiểm tra tại quầy." + _DESK_TAIL[0]
            en = answer.message_en or "The insurance card needs a check at the desk." + _DESK_TAIL[1]
        else:
            vi, en = pair[0] + _DESK_TAIL[0], pair[1] + _DESK_TAIL[1]
        return EligibilityView(InsuranceStatus.NEEDS_DESK, Message(f"desk_{code or 'unknown'}", vi, en),
                               from_cache, staff_alert=alert, result_code=code)
    # CONFIG_FAULT is not the patient's fault: go on provisionally and alert the technician;
    # RETRY_LATER and anything unknown: provisional, re-checked by the sync worker.
    return EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL, from_cache,
                           staff_alert=alert or name == "CONFIG_FAULT", result_code=code)


def needs_desk_flag(result: Any) -> bool:
    """A valid card that the desk should still look at (001/002: proceed, flag for a desk check)."""
    if result is None:
        return False
    return bool(getattr(result, "desk_flag", False)) or str(getattr(result, "code", "")) in _DESK_FLAG


def provisional() -> EligibilityView:
    return EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL)


def identity_to_confirm() -> EligibilityView:
    """A first visit by a typed number the kiosk does not know: no name or birth date, so no card
    check (the gateway's check needs both); the ticket goes to the desk, flagged (issue 14 M7)."""
    return EligibilityView(InsuranceStatus.NEEDS_DESK, msg.IDENTITY_TO_CONFIRM, result_code=None)


# The gateway knows no insurance card for the person (checked by CCCD number): a fee-paying visit.
NO_CARD_CODES = ("050", "130")


def no_card(result_code: str | None = None) -> EligibilityView:
    return EligibilityView(InsuranceStatus.NO_CARD, Message(
        "no_card", "Không có thẻ BHYT: khám dịch vụ (tự trả phí).",
        "No insurance card: fee-paying visit."), result_code=result_code)

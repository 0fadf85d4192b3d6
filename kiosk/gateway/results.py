"""Typed answers of the BHYT gateway: card-check verdicts, upload outcomes, history, receipts.

Every card-check `maKetQua` of reference/gateway-api.md maps to a `CodeInfo` (verdict, patient
message in Vietnamese and English, whether the desk or a technician must look). Nothing here
carries personal data into exception messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from kiosk.core.eligibility import CardAnswer


class Verdict(Enum):
    VALID = "valid"                    # proceed as a BHYT visit
    VALID_NEW_CARD = "valid_new_card"  # proceed with the new card fields (maTheMoi...)
    NEEDS_DESK = "needs_desk"          # patient goes to the desk; staff_detail says why
    CONFIG_FAULT = "config_fault"      # the kiosk's settings are wrong: alert the technician
    RETRY_LATER = "retry_later"        # gateway or network trouble: proceed provisionally


@dataclass(frozen=True)
class CodeInfo:
    verdict: Verdict
    message_vi: str
    message_en: str
    staff_detail: str          # what the desk/technician reads (English)
    desk_flag: bool = False    # proceed, but the desk should look (001/002, VALID_NEW_CARD)
    alert: bool = False        # a technician should be alerted (config fault, kiosk bug, auth)


_DESK_VI = "Vui lòng đến quầy tiếp đón để được hỗ trợ."
_DESK_EN = "Please go to the reception desk for help."
_RESCAN_VI = "Không đọc được đúng số thẻ. Vui lòng quét lại hoặc đến quầy tiếp đón."
_RESCAN_EN = "The card number could not be read correctly. Please scan again or go to the desk."
_RETRY_VI = "Chưa kiểm tra được thẻ BHYT lúc này. Bạn vẫn được tiếp nhận; quầy sẽ kiểm tra lại."
_RETRY_EN = "The insurance card could not be checked right now. You are received; the desk will re-check."
_OK_VI = "Thẻ BHYT hợp lệ."
_OK_EN = "Insurance card valid."
_NEW_VI = "Bạn đã được cấp thẻ BHYT mới; thẻ mới sẽ được sử dụng."
_NEW_EN = "A new insurance card was issued to you; the new card will be used."
_CONF_VI = "Máy tạm thời không kiểm tra được thẻ. Vui lòng đến quầy tiếp đón."
_CONF_EN = "The kiosk cannot check cards at the moment. Please go to the reception desk."

V = Verdict
CARD_CODES: dict[str, CodeInfo] = {
    "000": CodeInfo(V.VALID, _OK_VI, _OK_EN, "card valid"),
    "001": CodeInfo(V.VALID, _OK_VI, _OK_EN, "card managed by the Ministry of Defence's BHXH: desk check",
                    desk_flag=True),
    "002": CodeInfo(V.VALID, _OK_VI, _OK_EN, "card managed by the Ministry of Public Security's BHXH: desk check",
                    desk_flag=True),
    "003": CodeInfo(V.VALID_NEW_CARD, _NEW_VI, _NEW_EN, "old card expired, a new card was issued", desk_flag=True),
    "004": CodeInfo(V.VALID_NEW_CARD, _NEW_VI, _NEW_EN, "old card still valid, a new card was issued",
                    desk_flag=True),
    "010": CodeInfo(V.NEEDS_DESK, "Thẻ BHYT đã hết hạn. " + _DESK_VI, "The insurance card has expired. " + _DESK_EN,
                    "card expired: fee-paying visit or renewal"),
    "050": CodeInfo(V.NEEDS_DESK, "Không tìm thấy thông tin thẻ BHYT. " + _DESK_VI,
                    "No insurance card information was found. " + _DESK_EN, "no card information on the gateway"),
    "051": CodeInfo(V.NEEDS_DESK, _RESCAN_VI, _RESCAN_EN, "wrong card number"),
    "052": CodeInfo(V.NEEDS_DESK, _RESCAN_VI, _RESCAN_EN, "wrong province code in the card number (chars 4-5)"),
    "053": CodeInfo(V.NEEDS_DESK, _RESCAN_VI, _RESCAN_EN, "wrong benefit code in the card number (char 3)"),
    "054": CodeInfo(V.CONFIG_FAULT, _CONF_VI, _CONF_EN,
                    "look-up officer's CCCD is not registered for this facility (gateway_officer_cccd)", alert=True),
    "055": CodeInfo(V.CONFIG_FAULT, _CONF_VI, _CONF_EN,
                    "look-up officer's name does not match the registered CCCD (gateway_officer_name)", alert=True),
    "060": CodeInfo(V.NEEDS_DESK, "Họ tên không khớp với thẻ BHYT. " + _DESK_VI,
                    "The name does not match the insurance card. " + _DESK_EN, "wrong name"),
    "061": CodeInfo(V.NEEDS_DESK, "Họ tên không khớp hoàn toàn với thẻ BHYT. " + _DESK_VI,
                    "The name does not fully match the insurance card. " + _DESK_EN,
                    "name partly wrong (first letter right)"),
    "070": CodeInfo(V.NEEDS_DESK, "Ngày sinh không khớp với thẻ BHYT. " + _DESK_VI,
                    "The date of birth does not match the insurance card. " + _DESK_EN, "wrong date of birth"),
    "100": CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN, "gateway could not read the card data: provisional"),
    "101": CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN, "gateway server error: provisional"),
    # "Lỗi máy chủ" in a production client's code list (conformance review, item 13): retry, not the desk
    "500": CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN, "gateway server error (500): provisional"),
    "110": CodeInfo(V.NEEDS_DESK, "Thẻ BHYT đã bị thu hồi. " + _DESK_VI, "The insurance card was revoked. " + _DESK_EN,
                    "card revoked"),
    "130": CodeInfo(V.NEEDS_DESK, "Trẻ em chưa có thẻ BHYT. " + _DESK_VI, "The child has no insurance card yet. " + _DESK_EN,
                    "child without a card"),
    "205": CodeInfo(V.NEEDS_DESK, _DESK_VI, _DESK_EN, "gateway refused the parameter format (kiosk bug)", alert=True),
    "401": CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN,
                    "gateway authentication failed after a fresh login: provisional (check gateway account)",
                    alert=True),
}
for _c, _why in (("120", "moved"), ("121", "re-enrolled elsewhere"), ("122", "stopped participating"),
                 ("123", "reduced"), ("124", "reduced")):
    CARD_CODES[_c] = CodeInfo(V.NEEDS_DESK, "Thẻ BHYT đã được báo giảm. " + _DESK_VI,
                              "The insurance card was reported reduced. " + _DESK_EN,
                              f"card reported reduced ({_why})")
# Not gateway codes: what the kiosk saw when the gateway did not answer usefully.
NETWORK_CODE = "NET"          # timeout, connection refused/reset, TLS failure
MALFORMED_CODE = "BAD_REPLY"  # an answer that is not the documented JSON
CARD_CODES[NETWORK_CODE] = CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN, "gateway unreachable: provisional")
CARD_CODES[MALFORMED_CODE] = CodeInfo(V.RETRY_LATER, _RETRY_VI, _RETRY_EN, "gateway reply malformed: provisional")
UNKNOWN_CODE_INFO = CodeInfo(V.NEEDS_DESK, _DESK_VI, _DESK_EN, "unknown gateway result code", alert=True)
del V, _c, _why


def code_info(code: str) -> CodeInfo:
    return CARD_CODES.get(code, UNKNOWN_CODE_INFO)


@dataclass(frozen=True)
class RecentCheck:
    """`dsLichSuKT2018[]`: who else checked this card recently."""
    user: str = field(repr=False)
    at: str
    message: str
    error_code: str


@dataclass(frozen=True)
class CardCheckResult:
    verdict: Verdict
    code: str                      # maKetQua, or NETWORK_CODE / MALFORMED_CODE
    message_vi: str
    message_en: str
    staff_detail: str
    desk_flag: bool = False
    alert: bool = False
    gateway_note: str = field(default="", repr=False)  # ghiChu: shown to staff only, never logged
    card_number: str = field(default="", repr=False)  # maThe
    full_name: str = field(default="", repr=False)  # hoTen
    birth_date: str = field(default="", repr=False)  # ngaySinh as the gateway wrote it
    gender: str = ""               # gioiTinh
    address: str = field(default="", repr=False)  # diaChi
    ma_dkbd: str = ""              # maDKBD (registered primary-care facility)
    issuer: str = ""               # cqBHXH
    valid_from: str = ""           # gtTheTu (dd/MM/yyyy as sent by the gateway)
    valid_to: str = ""             # gtTheDen
    area_code: str = ""            # maKV
    five_years_from: str = ""      # ngayDu5Nam
    social_insurance_no: str = field(default="", repr=False)  # maSoBHXH
    old_card_number: str = field(default="", repr=False)  # maTheCu
    new_card_number: str = field(default="", repr=False)  # maTheMoi
    new_valid_from: str = ""       # gtTheTuMoi
    new_valid_to: str = ""         # gtTheDenMoi
    new_ma_dkbd: str = ""          # maDKBDMoi
    new_dkbd_name: str = ""        # tenDKBDMoi
    recent_checks: tuple[RecentCheck, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def provisional(self) -> bool:
        return self.verdict is Verdict.RETRY_LATER

    @property
    def proceed(self) -> bool:
        """True when the patient may continue as a BHYT visit."""
        return self.verdict in (Verdict.VALID, Verdict.VALID_NEW_CARD)

    def card_answer(self) -> CardAnswer:
        """What the patient's view needs (`kiosk.core.eligibility.view_of`)."""
        return CardAnswer(self.verdict.name, self.code, self.valid_to or None, self.alert,
                          self.message_vi, self.message_en)

    @property
    def effective_card_number(self) -> str:
        """The card to put in MA_THE_BHYT: the new one when a new card was issued."""
        if self.verdict is Verdict.VALID_NEW_CARD and self.new_card_number:
            return self.new_card_number
        return self.card_number


@dataclass(frozen=True)
class HistoryEntry:
    """One `dsLichSuKCB2025[]` row: a past visit in the patient's health book."""
    ma_ho_so: str
    ma_cskcb: str
    admitted: datetime | None      # ngayVao yyyyMMddHHmm (naive, facility local time)
    discharged: datetime | None    # ngayRa
    disease: str = field(repr=False)  # tenBenh
    condition: str = field(repr=False)  # tinhTrang
    outcome: str = field(repr=False)  # kqDieuTri
    admission_reason: str = field(repr=False)  # lyDoVV
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


class UploadOutcome(Enum):
    ACCEPTED = "accepted"      # 200 + maGiaoDich + success message: stored, ack with the receipt
    DUPLICATE = "duplicate"    # 200 saying the MA_LK is already held: acked only if the look-up shows it is ours
    UNCONFIRMED = "unconfirmed"  # 200 without a receipt or with an unexpected message: not an ack
    REJECTED = "rejected"      # validation/format refusal: dead letter with the gateway's message
    RETRY = "retry"            # 5xx, 503, malformed reply, nothing sent: try again later
    AMBIGUOUS = "ambiguous"    # timeout/reset after the request was sent: reconcile before resending
    AUTH = "auth"              # 401 after the one re-login, or 403: retry later and alert

    @property
    def acked(self) -> bool:
        return self is UploadOutcome.ACCEPTED


@dataclass(frozen=True)
class UploadResult:
    outcome: UploadOutcome
    ma_giao_dich: str = ""             # maGiaoDich: the receipt to keep
    received_at: datetime | None = None  # thoiGianTiepNhan (yyyyMMddHHmmss, facility local time, naive)
    code: str = ""                     # maKetQua, HTTP status as "HTTP 503", or NETWORK/MALFORMED code
    message: str = ""                  # thongDiep or a short description; no personal data from us

    @property
    def acked(self) -> bool:
        return self.outcome.acked


@dataclass(frozen=True)
class ReceivedInfo:
    """What the gateway says it holds for one MA_LK (the reconcile look-up)."""
    ma_lk: str
    loai_ho_so: str                    # "0" check-in, "130" dossier
    ma_giao_dich: str
    received_at: datetime | None
    duplicate: bool = False
    payload_sha256: str = ""           # hex SHA-256 of the file the gateway holds ("" when not listed)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class VneidIdentity:
    """Identity fields a VNeID token resolves to (UNCONFIRMED endpoint)."""
    cccd: str = field(repr=False)
    full_name: str = field(repr=False)
    birth_date: str = field(repr=False)  # dd/MM/yyyy or yyyy
    gender: str                        # "1" male, "2" female, "3" unknown
    address: str = field(default="", repr=False)
    bhyt_card: str = field(default="", repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


class GatewayError(Exception):
    """A gateway call that produced no typed answer. Messages carry no personal data."""


class GatewayUnavailable(GatewayError):
    """Network failure, timeout, 5xx or malformed reply: try again later."""


class GatewayAuthError(GatewayError):
    """Login refused, or 401 again after a fresh login."""


class GatewayRejected(GatewayError):
    """The gateway refused the request itself (a non-success maKetQua)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"gateway refused the request (maKetQua {code})")
        self.code = code
        self.gateway_message = message


class NotConfigured(GatewayError):
    """An UNCONFIRMED endpoint (received-dossier look-up, VNeID resolver) that has no setting."""

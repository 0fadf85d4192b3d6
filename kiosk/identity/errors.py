"""Typed identity errors: a stable code, a short patient message (vi/en) and a staff detail.

Messages never carry personal data (names, numbers, dates): they may reach logs.
"""
from __future__ import annotations


class IdentityError(Exception):
    code = "identity_error"
    vi = "Không đọc được giấy tờ, vui lòng thử lại hoặc đến quầy tiếp đón."
    en = "The document could not be read. Please try again or go to the reception desk."
    staff = "Identity input could not be used."

    def __init__(self, detail: str | None = None):
        self.detail = detail or self.staff
        super().__init__(f"{self.code}: {self.detail}")

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "vi": self.vi, "en": self.en, "detail": self.detail}


class EmptyInputError(IdentityError):
    code = "empty_input"
    vi = "Không nhận được dữ liệu, vui lòng quét lại."
    en = "Nothing was received. Please scan again."
    staff = "The scanner or keypad produced an empty read."


class InputTooLongError(IdentityError):
    code = "input_too_long"
    vi = "Không đọc được mã QR, vui lòng thử lại."
    en = "The QR code could not be read. Please try again."
    staff = "The read is longer than any supported document payload."


class UnknownFormatError(IdentityError):
    code = "unknown_format"
    vi = "Không đọc được mã QR, vui lòng thử lại."
    en = "The QR code could not be read. Please try again."
    staff = "The read matches no supported format (CCCD QR, BHYT/VssID QR, VNeID, typed number, MRZ)."


class KeyboardWedgeError(IdentityError):
    code = "scanner_keyboard_mode"
    vi = "Máy quét chưa đọc đúng tiếng Việt. Vui lòng báo nhân viên hỗ trợ."
    en = "The scanner could not read Vietnamese text. Please ask a staff member for help."
    staff = ("The scanner is in keyboard-wedge mode and mangles Vietnamese letters "
             "(dropped, '?' or Alt-code garbage). Switch it to HID-POS or USB serial (CDC) mode.")

    def __init__(self, detail: str | None = None):
        super().__init__(f"{detail}. {self.staff}" if detail else None)   # the fix, always


class MalformedCccdQrError(IdentityError):
    code = "cccd_qr_malformed"
    vi = "Mã QR trên thẻ căn cước không hợp lệ, vui lòng thử lại."
    en = "The QR code on the citizen ID card is not valid. Please try again."
    staff = "CCCD QR fields are missing or malformed."


class MalformedBhytQrError(IdentityError):
    code = "bhyt_qr_malformed"
    vi = "Mã QR trên thẻ bảo hiểm y tế không hợp lệ, vui lòng thử lại."
    en = "The QR code on the health-insurance card is not valid. Please try again."
    staff = "BHYT/VssID QR fields are missing or malformed."


class InvalidNumberError(IdentityError):
    code = "number_invalid"
    vi = "Số giấy tờ không hợp lệ, vui lòng kiểm tra lại."
    en = "The document number is not valid. Please check it."
    staff = ("A typed number has a length no document uses (CCCD 12 digits, CMND 9, "
             "BHXH 10, BHYT code 2 letters + 13 digits).")


class ParserBugError(IdentityError):
    code = "parser_bug"
    vi = "Không đọc được giấy tờ, vui lòng đến quầy tiếp đón."
    en = "The document could not be read. Please go to the reception desk."
    staff = "The identity parser failed unexpectedly; please report it with the input format."


class InvalidCccdNumberError(IdentityError):
    code = "cccd_number_invalid"
    vi = "Số căn cước không hợp lệ, vui lòng kiểm tra lại."
    en = "The citizen ID number is not valid. Please check it."
    staff = "The 12-digit CCCD number fails the structure check."


class CccdInconsistentError(IdentityError):
    code = "cccd_inconsistent"
    vi = "Thông tin trên thẻ căn cước không khớp, vui lòng đến quầy tiếp đón."
    en = "The citizen ID card details do not match. Please go to the reception desk."
    staff = "The CCCD number's gender/century digit or birth year disagrees with the stated birth date or gender."


class InvalidOldIdError(IdentityError):
    code = "old_id_invalid"
    vi = "Số chứng minh nhân dân không hợp lệ, vui lòng kiểm tra lại."
    en = "The old ID card number is not valid. Please check it."
    staff = "The old CMND number is not 9 digits."


class InvalidBhytCodeError(IdentityError):
    code = "bhyt_code_invalid"
    vi = "Mã thẻ bảo hiểm y tế không hợp lệ, vui lòng kiểm tra lại."
    en = "The health-insurance card code is not valid. Please check it."
    staff = "The 15-character BHYT code fails the structure check."


class InvalidBhxhNumberError(IdentityError):
    code = "bhxh_number_invalid"
    vi = "Mã số bảo hiểm xã hội không hợp lệ, vui lòng kiểm tra lại."
    en = "The social-insurance number is not valid. Please check it."
    staff = "The BHXH number is not 10 digits."


class InvalidDateError(IdentityError):
    code = "date_invalid"
    vi = "Ngày tháng trên giấy tờ không hợp lệ, vui lòng đến quầy tiếp đón."
    en = "A date on the document is not valid. Please go to the reception desk."
    staff = "A date field does not exist on the calendar or is malformed."


class MrzMalformedError(IdentityError):
    code = "mrz_malformed"
    vi = "Không đọc được dòng mã trên thẻ, vui lòng thử lại."
    en = "The machine-readable lines could not be read. Please try again."
    staff = "The MRZ is not a TD1 (3 x 30 characters) zone."


class MrzCheckDigitError(IdentityError):
    code = "mrz_check_digit"
    vi = "Không đọc được dòng mã trên thẻ, vui lòng thử lại."
    en = "The machine-readable lines could not be read. Please try again."
    staff = "An MRZ check digit (ICAO 9303) does not match: misread or forged."


class InvalidVneidTokenError(IdentityError):
    code = "vneid_token_invalid"
    vi = "Không đọc được mã VNeID, vui lòng mở lại mã trên ứng dụng."
    en = "The VNeID code could not be read. Please open the code in the app again."
    staff = "The VNeID token does not match the configured pattern."


class MergeConflictError(IdentityError):
    code = "merge_different_person"
    vi = "Các giấy tờ không cùng một người, vui lòng đến quầy tiếp đón."
    en = "The documents do not belong to the same person. Please go to the reception desk."
    staff = "The two identities carry different document numbers of the same kind."


ALL_ERRORS: tuple[type[IdentityError], ...] = (
    IdentityError, EmptyInputError, InputTooLongError, UnknownFormatError, KeyboardWedgeError,
    MalformedCccdQrError, MalformedBhytQrError, InvalidNumberError, ParserBugError, InvalidCccdNumberError, CccdInconsistentError,
    InvalidOldIdError, InvalidBhytCodeError, InvalidBhxhNumberError, InvalidDateError,
    MrzMalformedError, MrzCheckDigitError, InvalidVneidTokenError, MergeConflictError,
)

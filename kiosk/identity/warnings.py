"""The catalogue of identity warnings (things the desk should know; the check-in goes on)."""
from __future__ import annotations

import datetime as dt

from kiosk.identity.errors import IdentityError
from kiosk.identity.model import BirthDate, Warning

CATALOGUE: dict[str, tuple[str, str]] = {
    "bhyt_expired": ("Thẻ BHYT đã hết hạn, vui lòng đến quầy tiếp đón.",
                     "The health-insurance card has expired. Please go to the reception desk."),
    "bhyt_not_yet_valid": ("Thẻ BHYT chưa đến ngày có giá trị sử dụng.",
                           "The health-insurance card is not valid yet."),
    "bhyt_group_unknown": ("Mã đối tượng trên thẻ BHYT cần nhân viên kiểm tra.",
                           "Staff need to check the beneficiary group on the health-insurance card."),
    "bhyt_province_unknown": ("Mã tỉnh trên thẻ BHYT cần nhân viên kiểm tra.",
                              "Staff need to check the province code on the health-insurance card."),
    "bhyt_benefit_mismatch": ("Mức hưởng trên thẻ BHYT cần nhân viên kiểm tra.",
                              "Staff need to check the benefit level on the health-insurance card."),
    "bhyt_facility_unreadable": ("Nơi đăng ký khám ban đầu cần nhân viên kiểm tra.",
                                 "Staff need to check the registered primary-care facility."),
    "bhyt_code_unusual": ("Mã thẻ BHYT có dạng cũ, nhân viên sẽ kiểm tra với cổng giám định.",
                          "The health-insurance card number has an old form; staff will check it with the gateway."),
    "bhyt_gender_unknown": ("Giới tính trên thẻ BHYT cần nhân viên kiểm tra.",
                            "Staff need to check the gender on the health-insurance card."),
    "bhyt_field_unreadable": ("Một số thông tin trên thẻ BHYT cần nhân viên kiểm tra.",
                              "Staff need to check some details of the health-insurance card."),
    "cccd_province_unknown": ("Mã tỉnh trong số căn cước cần nhân viên kiểm tra.",
                              "Staff need to check the province code in the citizen ID number."),
    "cccd_expired": ("Thẻ căn cước đã quá hạn đổi thẻ theo độ tuổi.",
                     "The citizen ID card has passed its renewal age."),
    "issue_date_future": ("Ngày cấp trên giấy tờ cần nhân viên kiểm tra.",
                          "Staff need to check the issue date on the document."),
    "old_id_unreadable": ("Số CMND cũ trên thẻ cần nhân viên kiểm tra.",
                          "Staff need to check the old ID number on the card."),
    "mrz_expired": ("Giấy tờ đã hết hạn.", "The document has expired."),
    "vneid_unconfirmed": ("Mã VNeID sẽ được xác minh qua hệ thống.",
                          "The VNeID code will be verified online."),
    "typed_number": ("Số giấy tờ nhập tay cần được đối chiếu.",
                     "A typed number needs to be checked against the document."),
    "merge_conflict": ("Thông tin giữa các giấy tờ không khớp, vui lòng đến quầy tiếp đón.",
                       "The documents disagree. Please go to the reception desk."),
    "chip_not_verified": ("Chưa xác thực được chip của thẻ.", "The card chip could not be authenticated."),
}


def warn(code: str, detail: str = "") -> Warning:
    vi, en = CATALOGUE[code]
    return Warning(code, vi, en, detail)


def check_birth(birth: BirthDate, today: dt.date, error: type[IdentityError]) -> None:
    """A birth date after today is a misread or a typo, not a patient."""
    if birth.year > today.year or (birth.as_date() is not None and birth.as_date() > today):
        raise error("birth date is after today")


def validity_warnings(valid_from: dt.date | None, valid_to: dt.date | None, today: dt.date) -> list[Warning]:
    out = []
    if valid_to is not None and valid_to < today:
        out.append(warn("bhyt_expired", "card's valid-to date has passed"))
    if valid_from is not None and valid_from > today:
        out.append(warn("bhyt_not_yet_valid", "card's valid-from date is after today"))
    return out

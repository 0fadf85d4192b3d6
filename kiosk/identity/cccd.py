"""CCCD numbers (12 digits) and the QR printed on the chip citizen card.

QR: `CCCD|old CMND|name|DOB ddMMyyyy|Nam/Nữ|address|issue ddMMyyyy[|...]`, at least 7 fields.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.identity import normalize
from kiosk.identity.codes import CCCD_PROVINCES
from kiosk.identity.dates import fmt_birth, fmt_ddmmyyyy, parse_birth, parse_optional_date
from kiosk.identity.errors import (CccdInconsistentError, IdentityError, InvalidCccdNumberError, InvalidDateError,
                                   KeyboardWedgeError, MalformedCccdQrError)
from kiosk.identity.model import (BirthDate, CccdDocument, Gender, Identity, Kind, Person, Source,
                                  Warning, nfc)
from kiosk.identity.warnings import check_birth, warn

# Circular 07/2016: digit 4 = gender and century; 8/9 are the 2300s (not the 1800s: conformance review 5.9)
CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}
RENEWAL_AGES = (14, 25, 40, 60)   # Law on Identification 2023; 14 only for cards issued under 14


@dataclass(frozen=True)
class CccdNumberInfo:
    province: str       # 3-digit code
    gender: Gender
    birth_year: int
    province_known: bool = True

    def warnings(self) -> list[Warning]:
        """An unknown province prefix is for the desk to see, not a refusal: the 63-code list
        (TT 59/2021) has expired and the law only guarantees 12 digits (conformance review 5.8)."""
        return [] if self.province_known else [warn("cccd_province_unknown", "CCCD number prefix not in the 63-province list")]


def check_cccd_number(number: str, today: dt.date,
                      error: type[IdentityError] = InvalidCccdNumberError) -> CccdNumberInfo:
    """Structure of a 12-digit CCCD number: 12 digits and a birth year not in the future; the
    province prefix is checked against the list but only reported (`province_known`)."""
    if len(number) != 12 or not (number.isascii() and number.isdigit()):
        raise error("CCCD number is not 12 digits")
    g = int(number[3])
    year = CENTURY_BY_DIGIT[g] + int(number[4:6])
    if year > today.year:
        raise error("CCCD number: gender/century digit gives a birth year in the future")
    return CccdNumberInfo(number[:3], Gender.MALE if g % 2 == 0 else Gender.FEMALE, year,
                          number[:3] in CCCD_PROVINCES)


def check_consistency(info: CccdNumberInfo, birth: BirthDate | None, gender: Gender) -> None:
    if birth is not None and birth.year != info.birth_year:
        raise CccdInconsistentError("CCCD number: century/year digits disagree with the birth date")
    if gender is not Gender.UNKNOWN and gender is not info.gender:
        raise CccdInconsistentError("CCCD number: gender digit disagrees with the stated gender")


def parse_gender_word(word: str) -> Gender:
    w = nfc(word.strip()).casefold()
    if w == "nam":
        return Gender.MALE
    if w == "nữ":
        return Gender.FEMALE
    if w in ("n", "n?", "nu", "n u", "n ", "") or normalize.looks_wedge_mangled(w):
        raise KeyboardWedgeError("CCCD QR gender word lost its Vietnamese letter")
    raise MalformedCccdQrError("CCCD QR field 4 (gender) is neither Nam nor Nữ")


def expected_expiry(birth: BirthDate, issued: dt.date) -> dt.date | None:
    """Expiry implied by the renewal ages: the birthday at the next milestone, unless the card was
    issued within 2 years before it (then the one after); none when issued at 58 or older."""
    if birth.year_only:
        return None
    age = birth.age_on(issued)
    for milestone in RENEWAL_AGES:
        if age < milestone - 2 or (milestone == 14 and age < 14):
            return birthday_at(birth, milestone)
    return None


def birthday_at(birth: BirthDate, age: int) -> dt.date:
    try:
        return dt.date(birth.year + age, birth.month, birth.day)
    except ValueError:   # 29 February
        return dt.date(birth.year + age, 2, 28)


def parse_cccd_qr(fields: list[str], today: dt.date) -> Identity:
    if len(fields) < 7:
        raise MalformedCccdQrError(f"CCCD QR has {len(fields)} fields, at least 7 expected")
    number, old, name, dob, gender_word, address, issued = (f.strip() for f in fields[:7])
    _check_wedge(name, gender_word, address)
    info = check_cccd_number(number, today)
    if not name:
        raise MalformedCccdQrError("CCCD QR field 2 (name) is empty")
    birth = parse_birth(dob, "CCCD QR field 3 (date of birth)")
    if birth.year_only:
        raise MalformedCccdQrError("CCCD QR field 3 (date of birth) must be a full date")
    check_birth(birth, today, InvalidDateError)
    gender = parse_gender_word(gender_word)
    check_consistency(info, birth, gender)
    issue_date = parse_optional_date(issued, "CCCD QR field 6 (issue date)")
    warnings: list[Warning] = info.warnings()
    old_id = old if old else None
    if old_id is not None and not (old_id.isascii() and old_id.isdigit() and len(old_id) in (9, 12)):
        warnings.append(warn("old_id_unreadable", "CCCD QR field 1 (old ID) is not 9 or 12 digits"))
        old_id = None
    if issue_date is not None:
        if issue_date > today:
            warnings.append(warn("issue_date_future", "CCCD QR issue date is after today"))
        elif issue_date < birth.as_date():
            raise MalformedCccdQrError("CCCD QR issue date is before the birth date")
    expiry = expected_expiry(birth, issue_date) if issue_date else None
    if expiry is not None and expiry < today:
        warnings.append(warn("cccd_expired", "card passed its renewal age; still proves identity"))
    person = Person(name, birth, gender, address or None)
    return Identity(person=person, cccd=CccdDocument(number, old_id, issue_date, expiry),
                    source=Source.QR, kind=Kind.CCCD_QR, warnings=tuple(warnings))


def _check_wedge(name: str, gender_word: str, address: str) -> None:
    if normalize.looks_wedge_mangled(name) or normalize.looks_wedge_mangled(address, digits_allowed=True):
        raise KeyboardWedgeError("CCCD QR name/address carries '?', Alt-code digits or code-page garbage")
    # Every real address has Vietnamese letters (Phường, Xã, Quận, Tỉnh...): none at all in both
    # name and address means the scanner dropped them.
    if normalize.ascii_only(name, address) and len(address) >= 12:
        raise KeyboardWedgeError("CCCD QR name and address carry no Vietnamese letters")


def format_cccd_qr(identity: Identity, fields: int = 7) -> str:
    """The QR text of a chip CCCD card for `identity` (demo cards, round-trip tests)."""
    p, c = identity.person, identity.cccd
    if p is None or c is None or p.birth_date is None or p.birth_date.year_only or not p.full_name:
        raise ValueError("a CCCD QR needs the number, full name and full birth date")
    if p.gender is Gender.UNKNOWN:
        raise ValueError("a CCCD QR needs the gender")
    old = c.old_id or (identity.old_id.number if identity.old_id else "")
    parts = [c.number, old, p.full_name, fmt_birth(p.birth_date), "Nam" if p.gender is Gender.MALE else "Nữ",
             p.address or "", fmt_ddmmyyyy(c.issue_date) if c.issue_date else ""]
    parts += [""] * max(0, fields - len(parts))
    return "|".join(parts)

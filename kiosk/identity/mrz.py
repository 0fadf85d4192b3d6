"""TD1 machine-readable zone (3 x 30 characters, ICAO Doc 9303 part 5): parse, check, format.

Read from a camera (OCR) or from the chip's DG1. For the Vietnamese CCCD the document number is
reported to be the last 9 digits of the CCCD number and the optional data to carry all 12 digits
(UNCONFIRMED: the parser does not depend on it, it only uses it when it checks out).
"""
from __future__ import annotations

import datetime as dt
import re

from drivers.card.icao.bac import check_digit as _icao_check_digit
from kiosk.identity.cccd import check_cccd_number, check_consistency
from kiosk.identity.errors import IdentityError, MrzCheckDigitError, MrzMalformedError
from kiosk.identity.model import (BirthDate, CccdDocument, Gender, Identity, Kind, MrzData, Person,
                                  Source, Warning)
from kiosk.identity.warnings import warn

_TD1 = re.compile(r"[IAC][A-Z0-9<]{89}")
NO_EXPIRY = "991231"        # what CCCD MRZs of cards that do not expire carry (check digit 5)
FILLER_EXPIRY = "<<<<<<"    # the ICAO filler form some states use instead


def check_digit(field: str) -> str:
    """ICAO 9303 check digit (the card driver's), as an MRZ error on a foreign character."""
    try:
        return _icao_check_digit(field)
    except ValueError:
        raise MrzMalformedError("MRZ contains a character outside A-Z, 0-9 and <") from None


def _verify(field: str, digit: str, what: str, filler_ok: bool = False) -> None:
    if filler_ok and set(field) == {"<"} and digit in "<0":
        return
    if check_digit(field) != digit:
        raise MrzCheckDigitError(f"MRZ check digit of the {what} does not match")


def normalize_td1(text: str) -> str | None:
    """90 MRZ characters from 3 lines (any line breaks/spaces), or None if not a TD1 zone."""
    flat = "".join(text.split()).upper()
    return flat if _TD1.fullmatch(flat) else None


def parse_mrz_fields(flat: str) -> MrzData:
    l1, l2, l3 = flat[:30], flat[30:60], flat[60:]
    number, digit, optional1 = l1[5:14], l1[14], l1[15:30]
    if digit == "<":   # long document number continues in the optional data, then its check digit
        rest = optional1.split("<", 1)[0]
        if len(rest) < 2:
            raise MrzMalformedError("MRZ long document number has no check digit")
        number, digit, optional1 = number + rest[:-1], rest[-1], optional1[len(rest):]
    _verify(number, digit, "document number")
    _verify(l2[0:6], l2[6], "birth date")
    _verify(l2[8:14], l2[14], "expiry date", filler_ok=True)
    _verify(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite", filler_ok=False)
    return MrzData(document_code=l1[0:2].rstrip("<"), issuing_state=l1[2:5], document_number=number.rstrip("<"),
                   birth_yymmdd=l2[0:6], expiry_yymmdd=l2[8:14], nationality=l2[15:18],
                   optional_data=optional1.strip("<"), names=l3, expiry_check_digit=l2[14])


def _yymmdd(s: str, what: str, century: int) -> dt.date:
    if not s.isdigit():
        raise MrzMalformedError(f"MRZ {what} is not a date")
    try:
        return dt.date(century + int(s[:2]), int(s[2:4]), int(s[4:6]))
    except ValueError:
        raise MrzMalformedError(f"MRZ {what} is not a calendar date") from None


def parse_td1(flat: str, today: dt.date) -> Identity:
    m = parse_mrz_fields(flat)
    if not m.birth_yymmdd.isdigit():   # letters have check-digit values too: a misread can verify
        raise MrzMalformedError("MRZ birth date is not a date")
    cccd = None
    info = None
    candidate = m.optional_data[:12]
    if len(candidate) == 12 and candidate.isdigit() and candidate.endswith(m.document_number[-9:]):
        try:
            info = check_cccd_number(candidate, today)
            cccd = candidate
        except IdentityError:
            info = None
    if info is not None:
        century = info.birth_year - info.birth_year % 100
    else:   # the usual MRZ pivot: a two-digit year after this year's is last century
        century = 1900 if int(m.birth_yymmdd[:2]) > today.year % 100 else 2000
    b = _yymmdd(m.birth_yymmdd, "birth date", century)
    birth = BirthDate(b.year, b.month, b.day)
    if b > today:
        raise MrzMalformedError("MRZ birth date is after today")
    gender = {"M": Gender.MALE, "F": Gender.FEMALE}.get(flat[37], Gender.UNKNOWN)
    if info is not None:
        check_consistency(info, birth, gender)
    warnings: list[Warning] = info.warnings() if info is not None else []
    expiry = None
    if m.expiry_yymmdd not in (NO_EXPIRY, FILLER_EXPIRY):
        expiry = _yymmdd(m.expiry_yymmdd, "expiry date", 2000)
        if expiry < today:
            warnings.append(warn("mrz_expired", "MRZ expiry date has passed"))
    primary, _, secondary = m.names.partition("<<")
    name = " ".join((primary.replace("<", " ") + " " + secondary.replace("<", " ")).split())
    return Identity(person=Person(name or None, birth, gender, None),
                    cccd=CccdDocument(cccd, None, None, expiry) if cccd else None,
                    source=Source.QR, kind=Kind.MRZ, warnings=tuple(warnings), mrz=m)


def format_td1(document_number: str, birth_yymmdd: str, expiry_yymmdd: str, sex: str, names: str,
               optional1: str = "", optional2: str = "", nationality: str = "VNM",
               document_code: str = "ID", issuing_state: str = "VNM") -> str:
    """Three 30-char lines joined by newlines, check digits computed (virtual chip, tests)."""
    def pad(s: str, n: int) -> str:
        return (s + "<" * n)[:n]
    if len(document_number) > 9:
        doc_field = document_number[:9] + "<"
        optional1 = document_number[9:] + check_digit(document_number) + "<" + optional1
    else:
        doc_field = pad(document_number, 9) + check_digit(pad(document_number, 9))
    l1 = pad(pad(document_code, 2) + issuing_state + doc_field + optional1, 30)
    exp_cd = "<" if expiry_yymmdd == FILLER_EXPIRY else check_digit(expiry_yymmdd)
    l2 = birth_yymmdd + check_digit(birth_yymmdd) + (sex or "<") + expiry_yymmdd + exp_cd + nationality
    l2 = pad(l2 + optional2, 29)
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    l3 = pad(names.upper().replace(" ", "<"), 30)
    return "\n".join((l1, l2, l3))

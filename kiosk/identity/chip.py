"""A chip read (DG1 + DG13 + passive authentication) as an `Identity`.

Trust: CHIP_VERIFIED only when passive authentication passed; otherwise CHIP_UNVERIFIED with the
failed check in `source_detail` and a `chip_not_verified` warning. The face image stays in the
`ChipRead` (memory only); the kiosk never stores it.
"""
from __future__ import annotations

import datetime as dt

from drivers.card.icao.dg13 import (BIRTH_DATE, CCCD_NUMBER, EXPIRY_DATE, FULL_NAME, GENDER, ISSUE_DATE,
                                    OLD_ID, OTHER_DOCUMENT, RESIDENCE)
from drivers.card.icao.reader import ChipRead
from kiosk.identity.cccd import CENTURY_BY_DIGIT
from kiosk.identity.dates import parse_birth, parse_optional_date
from kiosk.identity.errors import IdentityError, InvalidDateError
from kiosk.identity.model import (BirthDate, CccdDocument, Gender, Identity, Kind, MrzData, Person, Source,
                                  Warning)
from kiosk.identity.mrz import NO_EXPIRY, parse_mrz_fields
from kiosk.identity.warnings import warn


PA_FAILED = "passive authentication failed"   # `source_detail` prefix of a forged/cloned chip


def pa_failed(identity: Identity) -> bool:
    """True when the chip was checked and failed passive authentication (not merely unchecked)."""
    return identity.source is Source.CHIP_UNVERIFIED and identity.source_detail.startswith(PA_FAILED)


class ChipDataError(IdentityError):
    code = "chip_data_missing"
    vi = "Không đọc được dữ liệu trên chip của thẻ, vui lòng đến quầy tiếp đón."
    en = "The card chip's data could not be read. Please go to the reception desk."
    staff = "The chip read carries neither DG1 nor DG13."


def _mrz(chip: ChipRead, warnings: list[Warning]) -> MrzData | None:
    if chip.mrz is None:
        return None
    try:
        return parse_mrz_fields(chip.mrz.text)
    except IdentityError:
        warnings.append(warn("chip_not_verified", "DG1 MRZ check digits do not verify"))
        m = chip.mrz
        return MrzData(m.document_code, m.issuing_state, m.document_number, m.birth_yymmdd, m.expiry_yymmdd,
                       m.nationality, m.optional_data1, m.text[60:], m.text[44])


def _mrz_birth(m: MrzData, cccd: str | None) -> BirthDate | None:
    yy = int(m.birth_yymmdd[:2]) if m.birth_yymmdd.isdigit() else None
    if yy is None:
        return None
    if cccd and len(cccd) == 12 and cccd.isdigit():   # the century from the CCCD number's 4th digit
        century = CENTURY_BY_DIGIT[int(cccd[3])]
    else:
        century = 1900 if yy > dt.date.today().year % 100 else 2000
    try:
        return BirthDate(century + yy, int(m.birth_yymmdd[2:4]), int(m.birth_yymmdd[4:6]))
    except ValueError:
        return None


def old_cmnd(value: str | None) -> str | None:
    """DG13 field 16 as the old CMND only when it is 9 or 12 digits: its meaning is disputed (one
    reader of real chips saw a 16-hex-char value there, conformance review 3.9)."""
    v = (value or "").strip()
    return v if v.isascii() and v.isdigit() and len(v) in (9, 12) else None


def _gender(word: str | None, mrz_sex: str | None) -> Gender:
    w = (word or "").strip().casefold()
    if w == "nam":
        return Gender.MALE
    if w == "nữ":
        return Gender.FEMALE
    return {"M": Gender.MALE, "F": Gender.FEMALE}.get(mrz_sex or "", Gender.UNKNOWN)


def _verdict(chip: ChipRead) -> tuple[Source, str, list[Warning]]:
    pa = chip.pa
    if pa is None:
        return Source.CHIP_UNVERIFIED, "passive authentication not run", [
            warn("chip_not_verified", "passive authentication not run (no CSCA store)")]
    if pa.ok:
        return Source.CHIP_VERIFIED, f"passive authentication passed ({pa.hash_algorithm}, {pa.signature_algorithm})", []
    detail = f"{PA_FAILED}: {pa.failed.value}: {pa.detail}"
    return Source.CHIP_UNVERIFIED, detail, [warn("chip_not_verified", detail)]


def identity_from_chip(chip: ChipRead) -> Identity:
    """DG13 first (full Vietnamese name with diacritics, dates, address), DG1 for what is missing."""
    if chip.mrz is None and chip.dg13 is None:
        raise ChipDataError()
    source, detail, warnings = _verdict(chip)
    mrz = _mrz(chip, warnings)
    d13 = chip.dg13
    cccd = (d13.text(CCCD_NUMBER) if d13 else None) or None
    if not cccd and mrz and len(mrz.optional_data) >= 12 and mrz.optional_data[:12].isdigit():
        cccd = mrz.optional_data[:12]
    name = d13.text(FULL_NAME) if d13 else None
    if not name and mrz:
        primary, _, secondary = mrz.names.partition("<<")
        name = " ".join((primary + " " + secondary).replace("<", " ").split()) or None
    birth = None
    issue = expiry = None
    if d13:
        try:
            birth = parse_birth(d13.text(BIRTH_DATE)) if d13.text(BIRTH_DATE) else None
            issue = parse_optional_date(d13.text(ISSUE_DATE) or "", "issue date")
            raw_exp = d13.text(EXPIRY_DATE) or ""
            expiry = parse_optional_date(raw_exp, "expiry date") if any(ch.isdigit() for ch in raw_exp) else None
        except InvalidDateError:
            warnings.append(warn("chip_not_verified", "a DG13 date is malformed"))
    if birth is None and mrz:
        birth = _mrz_birth(mrz, cccd)
    if expiry is None and mrz and mrz.expiry_yymmdd.isdigit() and mrz.expiry_yymmdd != NO_EXPIRY:
        e = mrz.expiry_yymmdd
        try:
            expiry = dt.date(2000 + int(e[:2]), int(e[2:4]), int(e[4:6]))
        except ValueError:   # an unverified MRZ (check digits failed) may carry any digits
            warnings.append(warn("chip_not_verified", "DG1 expiry date is not a calendar date"))
    if cccd and mrz and not cccd.endswith(mrz.document_number[-9:]):
        warnings.append(warn("chip_not_verified", "DG1 document number and DG13 CCCD number disagree"))
    person = Person(name, birth, _gender(d13.text(GENDER) if d13 else None, chip.mrz.sex if chip.mrz else None),
                    d13.text(RESIDENCE) if d13 else None)
    old_id = old_cmnd(d13.text(OLD_ID) if d13 else None)
    other = ((d13.text(OTHER_DOCUMENT) if d13 else None) or "").strip() or None
    doc = CccdDocument(cccd, old_id, issue, expiry, other) if cccd else None
    return Identity(person=person, cccd=doc, source=source, kind=Kind.CHIP, warnings=tuple(warnings),
                    source_detail=detail, mrz=mrz)

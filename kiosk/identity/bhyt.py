"""BHYT card codes (15 chars), BHXH numbers (10 digits) and the BHYT card / VssID QR.

QR fields are pipe-separated; text fields hex-encoded UTF-8 (UTF-16 fallback), `-` placeholders,
a `$` or `#` terminator. Field positions: see reference/identity-formats.md.
"""
from __future__ import annotations

import datetime as dt
import re
import string

from kiosk.identity.codes import BHYT_GROUPS, BHYT_PROVINCES
from kiosk.identity.dates import fmt_birth, fmt_ddmmyyyy, parse_birth, parse_optional_date
from kiosk.identity.errors import (IdentityError, InvalidBhxhNumberError, InvalidBhytCodeError,
                                   InvalidDateError, MalformedBhytQrError)
from kiosk.identity.model import BhytCard, Gender, Identity, Kind, Person, Source, Warning, nfc
from kiosk.identity.warnings import check_birth, validity_warnings, warn

_HEX = frozenset(string.hexdigits)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_UTF8 = re.compile(r"[\x00-\x1f]")
MIN_FIELDS = 7


def check_bhxh_number(number: str, error: type[IdentityError] = InvalidBhxhNumberError) -> None:
    if len(number) != 10 or not (number.isascii() and number.isdigit()):
        raise error("BHXH number is not 10 digits")


def check_bhyt_code(code: str, *, strict: bool, extra_groups: frozenset[str] = frozenset(),
                    error: type[IdentityError] = InvalidBhytCodeError) -> list[Warning]:
    """2 letters (group) + benefit 1-5 + 2-digit province + 10-digit BHXH number.
    Unknown group/province: an error when `strict` (typed input), else a warning (printed card).
    Letters among the last ten (a real legacy card QR, `DN401AA31900313…`, conformance review
    4.4): refused when typed, else passed on to the gateway for its verdict with a warning."""
    if len(code) != 15 or not code.isascii():
        raise error("BHYT code is not 15 characters")
    tail = code[5:]
    legacy_tail = not strict and not tail.isdigit() and tail.isalnum() and tail.isupper()
    if not (code[:2].isalpha() and code[:2].isupper() and code[2:5].isdigit() and (tail.isdigit() or legacy_tail)):
        raise error("BHYT code is not 2 letters followed by 13 digits")
    if code[2] not in "12345":
        raise error("BHYT code: benefit level digit is not 1-5")
    out: list[Warning] = []
    if legacy_tail:
        out.append(warn("bhyt_code_unusual", "letters among the last 10 characters; the gateway decides"))
    if code[:2] not in BHYT_GROUPS and code[:2] not in extra_groups:
        if strict:
            raise error("BHYT code: beneficiary group not in the list")
        out.append(warn("bhyt_group_unknown", "group letters not in QĐ 1351 list"))
    if code[3:5] not in BHYT_PROVINCES:
        if strict:
            raise error("BHYT code: province code not in the list")
        out.append(warn("bhyt_province_unknown", "province code not in the list"))
    return out


def decode_hex_text(field: str, what: str) -> str | None:
    """Hex-encoded text (either case, stray spaces) → NFC text; `-`/empty → None."""
    h = "".join(field.split())
    if h in ("", "-"):
        return None
    if len(h) % 2 or not _HEX.issuperset(h):
        raise MalformedBhytQrError(f"{what}: not hex")
    raw = bytes.fromhex(h)
    try:
        text = raw.decode("utf-8")
        # UTF-16 of Latin/Vietnamese letters has a high byte 00-1F: valid UTF-8 full of controls
        if not _CONTROL_UTF8.search(text):
            return _clean(text, what)
    except UnicodeDecodeError:
        pass
    return _clean(_decode_utf16(raw, what), what)


def _decode_utf16(raw: bytes, what: str) -> str:
    if len(raw) % 2:
        raise MalformedBhytQrError(f"{what}: neither UTF-8 nor UTF-16")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codecs = ("utf-16",)
    else:
        codecs = ("utf-16-le", "utf-16-be")
    best = None
    for codec in codecs:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        score = sum(ord(c) < 0x2000 for c in text)   # Vietnamese is Latin + combining/extended
        if best is None or score > best[0]:
            best = (score, text)
    if best is None or best[0] < len(best[1]) * 0.9:
        raise MalformedBhytQrError(f"{what}: neither UTF-8 nor UTF-16")
    return best[1]


def _clean(text: str, what: str) -> str | None:
    text = nfc(text).strip()
    if _CONTROL.search(text):
        raise MalformedBhytQrError(f"{what}: control characters")
    return text or None


def encode_hex_text(text: str | None) -> str:
    return "-" if not text else nfc(text).encode("utf-8").hex()


def parse_ma_dkbd(field: str) -> str | None:
    """`"89 - 012"` → `89012`; raises ValueError when present but not 5 digits."""
    f = field.strip()
    if f in ("", "-"):
        return None
    digits = "".join(c for c in f if c.isascii() and c.isdigit())
    if len(digits) != 5 or any(c not in "0123456789 -" for c in f):
        raise ValueError("MA_DKBD")
    return digits


def split_bhyt_fields(text: str) -> list[str]:
    t = text.rstrip()
    if t.endswith(("$", "#")):
        t = t[:-1]
    fields = t.split("|")
    while len(fields) > MIN_FIELDS and fields[-1].strip() == "":
        fields.pop()
    return fields


def parse_bhyt_qr(text: str, today: dt.date, extra_groups: frozenset[str] = frozenset()) -> Identity:
    f = split_bhyt_fields(text)
    if len(f) < MIN_FIELDS:
        raise MalformedBhytQrError(f"BHYT QR has {len(f)} fields, at least {MIN_FIELDS} expected")
    f += [""] * (16 - len(f))
    warnings: list[Warning] = []
    number = "".join(f[0].split()).upper()
    code15 = bhxh = None
    if len(number) == 15:
        warnings += check_bhyt_code(number, strict=False, extra_groups=extra_groups)
        code15 = number
    else:
        if not (number.isascii() and number.isdigit()):
            raise MalformedBhytQrError("BHYT QR field 0 is neither a 15-char code nor a 10-digit number")
        check_bhxh_number(number)
        bhxh = number
    name = decode_hex_text(f[1], "BHYT QR field 1 (name)")
    if not name:
        raise MalformedBhytQrError("BHYT QR field 1 (name) is empty")
    birth = parse_birth(f[2], "BHYT QR field 2 (date of birth)")
    check_birth(birth, today, InvalidDateError)
    gender = {"1": Gender.MALE, "2": Gender.FEMALE}.get(f[3].strip(), Gender.UNKNOWN)
    if gender is Gender.UNKNOWN:
        warnings.append(warn("bhyt_gender_unknown", "BHYT QR field 3 (gender) is not 1 or 2"))
    address = decode_hex_text(f[4], "BHYT QR field 4 (address)")
    try:
        ma_dkbd = parse_ma_dkbd(f[5])
    except ValueError:
        ma_dkbd = None
        warnings.append(warn("bhyt_facility_unreadable", "BHYT QR field 5 (MA_DKBD) is not 5 digits"))
    valid_from = parse_optional_date(f[6], "BHYT QR field 6 (valid from)")
    valid_to = parse_optional_date(f[7], "BHYT QR field 7 (valid to)")
    if valid_from and valid_to and valid_to < valid_from:
        raise MalformedBhytQrError("BHYT QR valid-to is before valid-from")
    issue_date = _lenient_date(f[8], 8, warnings)
    five_years = _lenient_date(f[12], 12, warnings)
    benefit = None
    level = f[14].strip()
    if level in ("1", "2", "3", "4", "5"):
        benefit = int(level)
        if code15 and int(code15[2]) != benefit:
            warnings.append(warn("bhyt_benefit_mismatch", "field 14 disagrees with the code's benefit digit"))
            benefit = int(code15[2])
    elif level not in ("", "-"):
        warnings.append(warn("bhyt_field_unreadable", "BHYT QR field 14 (benefit level) is not 1-5"))
    card = BhytCard(
        code15=code15, bhxh_number10=bhxh, valid_from=valid_from, valid_to=valid_to, ma_dkbd=ma_dkbd,
        benefit_level=benefit, issue_date=issue_date, management_code=_opt(f[9]),
        check_string=_opt(f[13]), guardian_name=_lenient_hex(f[10], 10, warnings),
        living_place_code=_opt(f[11]), five_years_date=five_years,
        place_of_issue=_lenient_hex(f[15], 15, warnings))
    warnings += validity_warnings(valid_from, valid_to, today)
    return Identity(person=Person(name, birth, gender, address), bhyt=card, source=Source.QR,
                    kind=Kind.BHYT_QR, warnings=tuple(warnings))


def _opt(field: str) -> str | None:
    v = field.strip()
    return None if v in ("", "-") else v


def _lenient_date(field: str, pos: int, warnings: list[Warning]) -> dt.date | None:
    try:
        return parse_optional_date(field, f"BHYT QR field {pos}", MalformedBhytQrError)
    except MalformedBhytQrError:
        warnings.append(warn("bhyt_field_unreadable", f"BHYT QR field {pos} is not a date"))
        return None


def _lenient_hex(field: str, pos: int, warnings: list[Warning]) -> str | None:
    try:
        return decode_hex_text(field, f"BHYT QR field {pos}")
    except MalformedBhytQrError:
        warnings.append(warn("bhyt_field_unreadable", f"BHYT QR field {pos} is not hex text"))
        return None


def format_bhyt_qr(identity: Identity, terminator: str = "$") -> str:
    """The BHYT card / VssID QR text for `identity` (demo cards, round-trip tests)."""
    p, c = identity.person, identity.bhyt
    if p is None or c is None or not p.full_name or p.birth_date is None or not c.card_number:
        raise ValueError("a BHYT QR needs the card number, full name and birth date")
    d = lambda v: fmt_ddmmyyyy(v, "/") if v else "-"  # noqa: E731
    gender = {Gender.MALE: "1", Gender.FEMALE: "2"}.get(p.gender, "0")
    dkbd = f"{c.ma_dkbd[:2]} - {c.ma_dkbd[2:]}" if c.ma_dkbd else "-"
    fields = [c.card_number, encode_hex_text(p.full_name), fmt_birth(p.birth_date, "/"), gender,
              encode_hex_text(p.address), dkbd, d(c.valid_from), d(c.valid_to), d(c.issue_date),
              c.management_code or "-", encode_hex_text(c.guardian_name), c.living_place_code or "-",
              d(c.five_years_date), c.check_string or "-",
              str(c.benefit_level) if c.benefit_level else "-", encode_hex_text(c.place_of_issue)]
    return "|".join(fields) + "|" + terminator

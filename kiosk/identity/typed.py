"""Numbers typed on the keypad (or scanned from a 1-D barcode): CCCD, CMND, BHXH, BHYT code."""
from __future__ import annotations

import datetime as dt
import re

from kiosk.identity.bhyt import check_bhxh_number, check_bhyt_code
from kiosk.identity.cccd import check_cccd_number
from kiosk.identity.codes import BHYT_GROUPS
from kiosk.identity.errors import InvalidBhytCodeError, InvalidNumberError
from kiosk.identity.model import (BhytCard, BirthDate, CccdDocument, Identity, Kind, OldIdDocument,
                                  Person, Source)

_TYPED = re.compile(r"[0-9A-Za-z][0-9A-Za-z .\-]*")
_BHYT = re.compile(r"[A-Za-z]{2}[0-9]{13}")
_BHYT_LIKE = re.compile(r"[A-Za-z]{2}[1-5][0-9]{4,14}")


def compact(text: str) -> str | None:
    """The number with the spaces, dots and dashes people type removed, or None if not a number."""
    if len(text) > 40 or not text.isascii() or not _TYPED.fullmatch(text):
        return None
    return re.sub(r"[ .\-]", "", text)


def parse_typed(number: str, today: dt.date, extra_groups: frozenset[str] = frozenset()) -> Identity | None:
    """An Identity for a typed number, None if `number` is no typed-number shape at all."""
    if number.isdigit():
        if len(number) == 12:
            info = check_cccd_number(number, today)
            # The number itself tells the birth year and gender: keep them for matching.
            person = Person(None, BirthDate(info.birth_year), info.gender, None)
            return Identity(person, cccd=CccdDocument(number), source=Source.TYPED, kind=Kind.TYPED_CCCD,
                            warnings=tuple(info.warnings()))
        if len(number) == 9:
            return Identity(None, old_id=OldIdDocument(number), source=Source.TYPED, kind=Kind.TYPED_CMND)
        if len(number) == 10:
            check_bhxh_number(number)
            return Identity(None, bhyt=BhytCard(bhxh_number10=number), source=Source.TYPED,
                            kind=Kind.TYPED_BHXH)
        raise InvalidNumberError(f"typed number of {len(number)} digits")
    if _BHYT.fullmatch(number):
        code = number.upper()
        check_bhyt_code(code, strict=True, extra_groups=extra_groups)
        return Identity(None, bhyt=BhytCard(code15=code), source=Source.TYPED, kind=Kind.TYPED_BHYT)
    if _BHYT_LIKE.fullmatch(number) and number[:2].upper() in BHYT_GROUPS:
        raise InvalidBhytCodeError("BHYT code is not 15 characters")   # a digit too many or too few
    return None

"""Date fields as Vietnamese documents write them: `ddMMyyyy`, `dd/MM/yyyy`, or a year alone."""
from __future__ import annotations

import datetime as dt
import re

from kiosk.identity.errors import IdentityError, InvalidDateError
from kiosk.identity.model import BirthDate

_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _make(y: int, m: int, d: int, what: str, error: type[IdentityError]) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise error(f"{what}: not a calendar date") from None


def parse_date(text: str, what: str, error: type[IdentityError] = InvalidDateError) -> dt.date:
    """`ddMMyyyy` or `dd/MM/yyyy` (also `.` or `-` separated) → a date that exists."""
    t = text.strip()
    if len(t) == 8 and t.isascii() and t.isdigit():
        return _make(int(t[4:]), int(t[2:4]), int(t[:2]), what, error)
    m = _SLASHED.fullmatch(t)
    if m and t.isascii():
        return _make(int(m[3]), int(m[2]), int(m[1]), what, error)
    raise error(f"{what}: expected ddMMyyyy or dd/MM/yyyy")


def parse_optional_date(text: str, what: str, error: type[IdentityError] = InvalidDateError) -> dt.date | None:
    """Empty or `-` placeholders → None."""
    t = text.strip()
    if t in ("", "-", "--", "0", "00/00/0000"):
        return None
    return parse_date(t, what, error)


def parse_birth(text: str, what: str = "date of birth",
                error: type[IdentityError] = InvalidDateError) -> BirthDate:
    """A full date, or a 4-digit year alone (also `00/00/yyyy` as some cards print it)."""
    t = text.strip()
    if len(t) == 4 and t.isascii() and t.isdigit():
        return _birth_year(int(t), what, error)
    m = _SLASHED.fullmatch(t)
    if m and t.isascii() and int(m[1]) == 0 and int(m[2]) == 0:
        return _birth_year(int(m[3]), what, error)
    d = parse_date(t, what, error)
    try:
        return BirthDate(d.year, d.month, d.day)
    except ValueError:
        raise error(f"{what}: year out of range") from None


def _birth_year(year: int, what: str, error: type[IdentityError]) -> BirthDate:
    try:
        return BirthDate(year)
    except ValueError:
        raise error(f"{what}: year out of range") from None


def fmt_ddmmyyyy(d: dt.date, sep: str = "") -> str:
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year:04d}"


def fmt_birth(b: BirthDate, sep: str = "") -> str:
    return f"{b.year:04d}" if b.year_only else f"{b.day:02d}{sep}{b.month:02d}{sep}{b.year:04d}"

"""Masking for the public screen: enough for a patient to recognise themself, no more.

`NGUYỄN VĂN AN` → `NGUYỄN V** A`; `012345678901` → `*** *** 8901`; a birth date → its year.
"""
from __future__ import annotations

from kiosk.identity.model import BirthDate, nfc


def mask_name(full_name: str | None) -> str:
    """First word whole, middle words their first letter + `**`, the last word its first letter."""
    if not full_name:
        return ""
    words = nfc(full_name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "**"
    middle = [w[0] + "**" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0]])


def mask_number(number: str | None, visible: int = 4) -> str:
    """Constant shape `*** *** 1234` whatever the length, so the length is not revealed either."""
    if not number:
        return ""
    tail = number[-visible:] if len(number) > visible + 2 else ""
    return ("*** *** " + tail) if tail else "*** ***"


def mask_birth(birth: BirthDate | None) -> str:
    return "" if birth is None else f"{birth.year:04d}"

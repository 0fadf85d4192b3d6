"""Masking for the public screen: enough for a patient to recognise themself, no more.

`NGUYỄN VĂN AN` → `NGUYỄN V** A`; `012345678901` → `*** *** 8901`; a birth date → its year.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from kiosk.identity.normalize import nfc

if TYPE_CHECKING:   # annotation only: the model imports this module for _MaskedRepr
    from kiosk.identity.model import BirthDate


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


def mask_card(number: str | None) -> str:
    """An insurance card number masked in its own grouping, not a CCCD's (issue 14 minor 6): the
    15-character code as its parts `** * ** ****** 0707` (group, benefit, province, BHXH number),
    the 10-digit BHXH number as `****** 0707`."""
    if not number:
        return ""
    if len(number) == 15:
        return "** * ** ****** " + number[-4:]
    if len(number) == 10:
        return "****** " + number[-4:]
    return mask_number(number)


def mask_birth(birth: BirthDate | None) -> str:
    return "" if birth is None else f"{birth.year:04d}"


# Fields of the identity model (kiosk.identity.model) that identify a person.
NUMBER_FIELDS = frozenset({"number", "old_id", "code15", "bhxh_number10", "management_code", "check_string",
                           "token", "document_number", "optional_data", "other_document"})
DROP_FIELDS = frozenset({"address", "guardian_name", "names", "birth_yymmdd", "place_of_issue",
                         "living_place_code"})
HIDDEN = object()   # `mask_field` result of a field that is left out altogether


def mask_field(name: str, value):
    """One model field as a public screen or a log line may show it: numbers and names masked,
    a birth date reduced to its year, addresses and the like `HIDDEN`."""
    if value is None:
        return None
    if name in DROP_FIELDS:
        return HIDDEN
    if name in NUMBER_FIELDS:
        return mask_number(value)
    if name == "full_name":
        return mask_name(value)
    if name == "birth_date":
        return mask_birth(value)
    return value


class _MaskedRepr:
    """repr() with names and numbers masked: a stray log line or traceback shows no one.
    The identity model's dataclasses inherit it."""

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]  # subclasses are dataclasses
        shown = ((f.name, mask_field(f.name, getattr(self, f.name))) for f in fields)
        return f"{type(self).__name__}({', '.join(f'{n}={v!r}' for n, v in shown if v is not HIDDEN)})"

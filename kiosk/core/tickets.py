"""Ticket numbers and MA_LK: unique without coordination between kiosks.

A ticket number carries the kiosk's own digit/letter and a sequence that is unique per kiosk and
day (the store hands it out inside the issuing transaction), so two offline kiosks can never
print the same number. Priority tickets carry a 'U' (ưu tiên) before the sequence.
MA_LK = facility + kiosk + local time + sequence: unique across kiosks, days and restarts.
"""
from __future__ import annotations

import re
import string
from datetime import datetime

from kiosk.core.clock import VN_TZ

PRIORITY_MARK = "U"
MA_LK_MAX = 100
DEFAULT_FORMAT = "{letter}{kiosk}-{seq:03d}"
_FIELDS = {"letter", "kiosk", "seq", "priority"}


class TicketFormatError(ValueError):
    """The ticket_format setting cannot give unique numbers; the message says why."""


def check_format(fmt: str) -> None:
    names = {f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None}
    unknown = names - _FIELDS
    if unknown:
        raise TicketFormatError(f"ticket_format: unknown field {{{sorted(unknown)[0]}}}; "
                                "use {letter}, {kiosk}, {seq}, {priority}")
    if "kiosk" not in names or "seq" not in names:
        raise TicketFormatError("ticket_format must contain {kiosk} and {seq}: numbers are unique "
                                "per kiosk and day only through them")


def format_number(fmt: str, *, letter: str, kiosk: str, seq: int, priority: bool) -> str:
    """The printed number, e.g. `A1-023`, priority `A1-U023` (or where {priority} says)."""
    check_format(fmt)
    mark = PRIORITY_MARK if priority else ""
    if "{priority" not in fmt and priority:
        fmt = fmt.replace("{seq", "{priority}{seq", 1)
    return fmt.format(letter=letter, kiosk=kiosk, seq=seq, priority=mark)


def is_priority_number(number: str) -> bool:
    return re.search(rf"{PRIORITY_MARK}\d+$", number) is not None or f"-{PRIORITY_MARK}" in number


def _clean(text: str, fallback: str) -> str:
    out = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return out or fallback


def ma_lk(facility_code: str, kiosk_id: str, moment: datetime, seq: int) -> str:
    """Globally unique visit key: `<facility 5><kiosk>-<yyMMddHHmmss>-<seq>` (≤ 100 chars).

    The facility code separates hospitals, the kiosk id separates kiosks, the local day+time and
    the per-kiosk-per-day sequence separate visits, even after a database is restored.
    """
    local = moment.astimezone(VN_TZ)
    value = f"{_clean(facility_code, '00000')}{_clean(kiosk_id, 'K')}-{local:%y%m%d%H%M%S}-{seq:04d}"
    if len(value) > MA_LK_MAX:
        raise ValueError("MA_LK longer than 100 characters: shorten kiosk_id")
    return value


def qr_payload(facility_code: str, day: str, number: str, ma_lk_value: str) -> str:
    """What the ticket's QR says: enough for the desk to find the visit, nothing personal."""
    return f"KT1|{facility_code or '-'}|{day}|{number}|{ma_lk_value}"


def expected_wait_minutes(waiting_before: int, minutes_per_patient: int) -> int:
    return max(0, waiting_before) * max(1, minutes_per_patient)

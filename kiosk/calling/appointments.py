"""Reading a CSV of appointments booked in an outside system (HIS, phone booking, a web form).

Columns (a header row first; English or Vietnamese names, any order; comma or semicolon):
  time             appointment time, Vietnam local: YYYY-MM-DD HH:MM  (thoi_gian)
  service          a configured service code, e.g. K01             (dich_vu)
  identity_number  CCCD (12 digits), old ID (9), BHXH (10) or BHYT card (2 letters + 13 digits)
                                                                    (so_dinh_danh)
  follow_up        1/0, yes/no, có/không; empty: no                 (tai_kham)
  note             optional, for staff, at most 200 characters      (ghi_chu)

Each bad row is refused with its row number and the reason; identity numbers appear masked in
errors (last 3 characters) and names are never asked for.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.core.clock import VN_TZ, local_day
from kiosk.store.appointments import AppointmentRow

COLUMNS = ("time", "service", "identity_number", "follow_up", "note")
ALIASES = {"thoi_gian": "time", "dich_vu": "service", "so_dinh_danh": "identity_number", "tai_kham": "follow_up",
           "ghi_chu": "note", "id_number": "identity_number"}
_ID = re.compile(r"^(\d{9}|\d{10}|\d{12}|[A-Z]{2}\d{13})$")
_YES = {"1", "yes", "y", "true", "x", "có", "co"}
_NO = {"", "0", "no", "n", "false", "không", "khong"}
NOTE_MAX = 200


@dataclass
class ParseResult:
    rows: list[AppointmentRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def mask_id(number: str) -> str:
    return "*" * max(0, len(number) - 3) + number[-3:]


def parse_time(text: str) -> datetime:
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    raise ValueError(f"time {text!r} is not YYYY-MM-DD HH:MM (Vietnam time)")


def parse_csv(text: str, services: set[str]) -> ParseResult:
    """Every row checked; good rows in `rows`, one line per bad row in `errors`."""
    out = ParseResult()
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    except StopIteration:
        out.errors.append("the file is empty: the first row names the columns " + ", ".join(COLUMNS))
        return out
    missing = [c for c in COLUMNS[:3] if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        out.errors.append(f"row 1: the header must name the columns {', '.join(COLUMNS)} "
                          f"(missing: {', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'})")
        return out
    seen: dict[tuple, int] = {}
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            out.errors.append(f"row {n}: {len(cells)} cells for {len(header)} columns (a separator inside a note?)")
            continue
        rec = dict(zip(header, (c.strip() for c in cells)))
        try:
            row = _row(rec, services)
        except ValueError as exc:
            out.errors.append(f"row {n}: {exc}")
            continue
        key = (row.day, row.service_code, row.id_number)
        if key in seen:
            out.errors.append(f"row {n}: the same person ({mask_id(row.id_number)}) and service on {row.day} "
                              f"as row {seen[key]}")
            continue
        seen[key] = n
        out.rows.append(row)
    return out


def _row(rec: dict, services: set[str]) -> AppointmentRow:
    at = parse_time(rec.get("time", ""))
    service = rec.get("service", "").upper()
    if service not in services:
        raise ValueError(f"service {service or '(empty)'!r} is not one of this facility's services "
                         f"({', '.join(sorted(services))})")
    number = re.sub(r"[\s.-]", "", rec.get("identity_number", "")).upper()
    if not _ID.match(number):
        raise ValueError(f"identity number {mask_id(number) if number else '(empty)'} is not a CCCD (12 digits), "
                         "old ID (9), BHXH (10) or BHYT card (2 letters + 13 digits)")
    flag = rec.get("follow_up", "").lower()
    if flag not in _YES | _NO:
        raise ValueError(f"follow_up {flag!r} is not 1/0, yes/no or có/không")
    note = rec.get("note", "")
    if len(note) > NOTE_MAX:
        raise ValueError(f"note longer than {NOTE_MAX} characters")
    return AppointmentRow(local_day(at), at, service, number, flag in _YES, note)


def import_file(store, path, services: set[str], now: datetime) -> tuple[ParseResult, int, int]:
    """Parse `path`, store its good rows (one transaction), give today's waiting patients their
    bookings. Returns (result, new rows, entries updated)."""
    from pathlib import Path
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        result = ParseResult(errors=["the file is not UTF-8 text: save it as CSV UTF-8"])
        return result, 0, 0
    result = parse_csv(text, services)
    new = updated = 0
    if result.rows:
        with store.transaction():
            for row in result.rows:
                new += int(store.appointments.upsert(row, Path(path).name))
            updated = store.appointments.apply_to_waiting(local_day(now))
    return result, new, updated

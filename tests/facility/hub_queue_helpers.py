"""Builders for the hub calling tests: synthetic visits pushed straight into a hub database (the
trigger of hub migration 0004 makes their queue entries), the calling settings, a caller session."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kiosk.calling.service import CallingSettings
from kiosk.core.clock import VN_TZ
from kiosk.core.queue.model import Counter
from kiosk.facility.calling import HubCallingService
from kiosk.security.roles import Role

FACILITY = "79001"
COUNTERS = (Counter("Q1", "Quầy 1", "Counter 1", "Q1", ("K01", "K02")),
            Counter("Q2", "Quầy 2", "Counter 2", "Q2", ("K01", "K02")),
            Counter("P203", "Phòng 203", "Room 203", "203", ("K04",)))
SETTINGS = CallingSettings(COUNTERS, {"K01": "101", "K02": "105", "K04": "203"})


@dataclass
class Staff:
    username: str = "le.thu"
    role: Role = Role.RECEPTION


def push_visits(hub, n: int, *, service: str = "K01", start: int = 0, priority: str | None = None,
                at: datetime | None = None, kiosk: str = "1", status: str = "waiting") -> list[str]:
    """n visits of synthetic patients, 10 s apart, today (Vietnam time); returns their ticket numbers."""
    base = at or datetime.now(timezone.utc) - timedelta(hours=1)
    day = base.astimezone(VN_TZ).date()
    numbers = []
    with hub.connect("hub_kiosk") as conn, conn.transaction():
        for i in range(start, start + n):
            pid = conn.execute("INSERT INTO patients (full_name, birth_date, first_kiosk) VALUES (%s, %s, %s) "
                               "RETURNING id", (f"NGƯỜI THỬ {i}", "1980-01-01", kiosk)).fetchone()[0]
            number = f"A{kiosk}-{i:03d}"
            conn.execute("INSERT INTO visits (ma_lk, kiosk_id, facility_code, patient_id, visit_day, service_code, "
                         "room, priority, status, checked_in_at, ticket_number, numbered_by) "
                         "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'kiosk')",
                         (f"{FACILITY}-{kiosk}-{i:05d}", kiosk, FACILITY, pid, day, service,
                          SETTINGS.rooms.get(service), priority, status, base + timedelta(seconds=10 * i), number))
            numbers.append(number)
    return numbers


def service(hub, settings: CallingSettings = SETTINGS) -> HubCallingService:
    svc = HubCallingService(lambda: hub.connect("hub_desk"), FACILITY, settings)
    return svc

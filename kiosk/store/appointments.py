"""Appointments from outside systems (migration 0009): stored per (day, service, identity number);
a queue entry made for a matching check-in takes the appointment's time (a trigger), and
`apply_to_waiting` gives it to patients who checked in before the file was imported."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.core.clock import iso
from kiosk.store._base import Repo


@dataclass(frozen=True)
class AppointmentRow:
    day: str
    at: datetime
    service_code: str
    id_number: str
    follow_up: bool
    note: str


QUEUE_FACTS_KEY = "facility.queue_facts"     # bumped when bookings change waiting entries (facility push)


class AppointmentRepo(Repo):
    def upsert(self, row: AppointmentRow, source: str) -> bool:
        """Insert or replace the booking of (day, service, identity number); True when new."""
        old = self.conn.execute("SELECT 1 FROM appointments WHERE day = ? AND service_code = ? AND id_number = ?",
                                (row.day, row.service_code, row.id_number)).fetchone()
        self.conn.execute(
            "INSERT INTO appointments (day, at, service_code, id_number, follow_up, note, source, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, service_code, id_number) DO UPDATE SET "
            "at = excluded.at, follow_up = excluded.follow_up, note = excluded.note, source = excluded.source, "
            "imported_at = excluded.imported_at",
            (row.day, iso(row.at), row.service_code, row.id_number, int(row.follow_up), row.note or None, source,
             iso(self.clock.now())))
        return old is None

    def apply_to_waiting(self, day: str) -> int:
        """Patients already waiting today for a booked service get the booking; returns how many."""
        cur = self.conn.execute(
            """UPDATE queue_entries SET
                   appointment_at = (SELECT a.at FROM appointments a JOIN patient_documents d ON d.number = a.id_number
                                     JOIN visits v ON v.patient_id = d.patient_id WHERE v.id = queue_entries.visit_id
                                     AND a.day = queue_entries.day AND a.service_code = queue_entries.service_code
                                     ORDER BY a.at LIMIT 1),
                   follow_up = max(follow_up, (SELECT max(a.follow_up) FROM appointments a
                                     JOIN patient_documents d ON d.number = a.id_number
                                     JOIN visits v ON v.patient_id = d.patient_id WHERE v.id = queue_entries.visit_id
                                     AND a.day = queue_entries.day AND a.service_code = queue_entries.service_code))
               WHERE day = ? AND state = 'waiting' AND EXISTS (
                   SELECT 1 FROM appointments a JOIN patient_documents d ON d.number = a.id_number
                   JOIN visits v ON v.patient_id = d.patient_id WHERE v.id = queue_entries.visit_id
                   AND a.day = queue_entries.day AND a.service_code = queue_entries.service_code)""", (day,))
        if cur.rowcount:      # the facility push sends waiting entries' new bookings to the hub's queue
            self.conn.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?, '1', ?) ON CONFLICT (key) DO UPDATE "
                "SET value = CAST(settings.value AS INTEGER) + 1, updated_at = excluded.updated_at",
                (QUEUE_FACTS_KEY, self._now()))
        return cur.rowcount

    def count(self, day: str | None = None) -> int:
        if day is None:
            return self.conn.execute("SELECT count(*) FROM appointments").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM appointments WHERE day = ?", (day,)).fetchone()[0]

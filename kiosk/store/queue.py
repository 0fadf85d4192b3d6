"""The calling queue on the local store: QueueRepo (kiosk/core/queue/ports.py) on SQLCipher.

Who gets a patient is decided here, by one conditional UPDATE (still waiting, and the counter
holds nobody - a partial unique index backs the second rule), inside the caller's BEGIN IMMEDIATE.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence, overload

import sqlcipher3

from kiosk.core.clock import iso
from kiosk.core.queue.model import Counter, EntryState, Origin, QueueEntry
from kiosk.store._base import Repo
from kiosk.store.errors import NotFound

_COLS = ("id, number, service_code, room, state, queued_at, priority, appointment_at, follow_up, counter_id, "
         "called_at, call_count, started_at, finished_at, no_show_at, from_service, from_room, from_state, "
         "from_queued_at, from_counter, day, ticket_id, visit_id")


@overload
def _t(text: str) -> datetime: ...
@overload
def _t(text: None) -> None: ...
@overload
def _t(text: str | None) -> datetime | None: ...
def _t(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _i(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def _entry(r) -> QueueEntry:
    origin = None
    if r["from_service"] is not None:
        origin = Origin(r["from_service"], r["from_room"], EntryState(r["from_state"]), _t(r["from_queued_at"]),
                        r["from_counter"])
    return QueueEntry(id=r["id"], number=r["number"], service_code=r["service_code"], room=r["room"],
                      state=EntryState(r["state"]), queued_at=_t(r["queued_at"]), priority=r["priority"],
                      appointment_at=_t(r["appointment_at"]), follow_up=bool(r["follow_up"]),
                      counter_id=r["counter_id"], called_at=_t(r["called_at"]), call_count=r["call_count"],
                      started_at=_t(r["started_at"]), finished_at=_t(r["finished_at"]),
                      no_show_at=_t(r["no_show_at"]), coming_from=origin)


class QueueStoreRepo(Repo):
    # ------------------------------------------------------------ counters
    def counters(self) -> list[Counter]:
        rows = self.conn.execute("SELECT id, name_vi, name_en, room, services FROM counters ORDER BY id")
        return [Counter(r["id"], r["name_vi"], r["name_en"], r["room"],
                        tuple(s for s in r["services"].split(",") if s)) for r in rows]

    def upsert_counter(self, c: Counter) -> None:
        self.conn.execute(
            """INSERT INTO counters (id, name_vi, name_en, room, services, updated_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
               room = excluded.room, services = excluded.services, updated_at = excluded.updated_at""",
            (c.id, c.name_vi, c.name_en, c.room, ",".join(c.services), self._now()))

    # ------------------------------------------------------------ entries
    def entries(self, day: str, states: Sequence[str] | None = None,
                services: Sequence[str] | None = None) -> list[QueueEntry]:
        """The day's entries, optionally only in `states` and for `services` (index day, state, service)."""
        where, args = ["day = ?"], [day]
        for column, values in (("state", states), ("service_code", services)):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                args += list(values)
        rows = self.conn.execute(f"SELECT {_COLS} FROM queue_entries WHERE {' AND '.join(where)} ORDER BY id", args)
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> QueueEntry:
        row = self.conn.execute(f"SELECT {_COLS} FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise NotFound(f"no queue entry {entry_id}")
        return _entry(row)

    def by_ticket(self, ticket_id: int) -> QueueEntry | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM queue_entries WHERE ticket_id = ?", (ticket_id,)).fetchone()
        return None if row is None else _entry(row)

    def by_number(self, day: str, number: str) -> QueueEntry | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM queue_entries WHERE day = ? AND number = ? "
                                "ORDER BY id DESC LIMIT 1", (day, number)).fetchone()
        return None if row is None else _entry(row)

    def visit_of(self, entry_id: int) -> int:
        return self.conn.execute("SELECT visit_id FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()[0]

    def held_by(self, counter_id: str) -> QueueEntry | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM queue_entries WHERE counter_id = ? "
                                "AND state IN ('called', 'in_service')", (counter_id,)).fetchone()
        return None if row is None else _entry(row)

    def claim(self, entry_id: int, counter_id: str, now: datetime) -> bool:
        try:
            cur = self.conn.execute(
                """UPDATE queue_entries SET state = 'called', counter_id = ?, called_at = ?,
                       call_count = call_count + 1, updated_at = ?
                   WHERE id = ? AND state = 'waiting'
                   AND NOT EXISTS (SELECT 1 FROM queue_entries h WHERE h.counter_id = ?
                                   AND h.state IN ('called', 'in_service'))""",
                (counter_id, iso(now), iso(now), entry_id, counter_id))
        except sqlcipher3.IntegrityError:
            return False
        return cur.rowcount == 1

    def save(self, before: QueueEntry, after: QueueEntry) -> bool:
        o = after.coming_from
        try:
            cur = self.conn.execute(
                """UPDATE queue_entries SET state = ?, service_code = ?, room = ?, queued_at = ?, priority = ?,
                       counter_id = ?, called_at = ?, call_count = ?, started_at = ?, finished_at = ?,
                       no_show_at = ?, from_service = ?, from_room = ?, from_state = ?, from_queued_at = ?,
                       from_counter = ?, updated_at = ?
                   WHERE id = ? AND state = ? AND counter_id IS ?""",
                (after.state.value, after.service_code, after.room, iso(after.queued_at), after.priority,
                 after.counter_id, _i(after.called_at), after.call_count, _i(after.started_at),
                 _i(after.finished_at), _i(after.no_show_at), o and o.service_code, o and o.room,
                 o and o.state.value, o and _i(o.queued_at), o and o.counter_id, self._now(),
                 before.id, before.state.value, before.counter_id))
        except sqlcipher3.IntegrityError:
            return False
        return cur.rowcount == 1

    def data_version(self) -> int:
        """Changes whenever another connection commits (the display's cheap "anything new?" check)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # ------------------------------------------------------------ calls and figures
    def record_call(self, entry: QueueEntry, counter_id: str, kind: str, now: datetime) -> None:
        room = self.conn.execute("SELECT room FROM counters WHERE id = ?", (counter_id,)).fetchone()
        day = self.conn.execute("SELECT day FROM queue_entries WHERE id = ?", (entry.id,)).fetchone()[0]
        self.conn.execute("INSERT INTO queue_calls (entry_id, day, number, counter_id, room, kind, at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (entry.id, day, entry.number, counter_id, room[0] if room else entry.room, kind, iso(now)))

    def recent_calls(self, day: str, limit: int = 8) -> list[dict]:
        rows = self.conn.execute(
            """SELECT c.id, c.number, c.counter_id, c.room, c.kind, c.at, e.state, e.service_code
               FROM queue_calls c JOIN queue_entries e ON e.id = c.entry_id
               WHERE c.day = ? ORDER BY c.id DESC LIMIT ?""", (day, limit))
        return [dict(r) for r in rows]

    def calls_after(self, call_id: int) -> list[dict]:
        rows = self.conn.execute("SELECT id, number, counter_id, room, kind, at FROM queue_calls WHERE id > ? "
                                 "ORDER BY id", (call_id,))
        return [dict(r) for r in rows]

    def last_call_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM queue_calls").fetchone()[0]

    def durations(self, service_code: str, limit: int = 30) -> list[float]:
        """Minutes from start to finish of the last `limit` served entries of this service."""
        rows = self.conn.execute(
            """SELECT (julianday(finished_at) - julianday(started_at)) * 1440.0 FROM queue_entries
               WHERE service_code = ? AND state = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL
               ORDER BY finished_at DESC LIMIT ?""", (service_code, limit))
        return [max(0.0, r[0]) for r in rows][::-1]

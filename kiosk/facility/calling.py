"""Calling through the facility hub: the same queue rules as the kiosk's local store
(kiosk/core/queue), on hub_queue_entries (hub migration 0004).

Call next is decided by PostgreSQL: `SELECT … ORDER BY <the core's calling order> LIMIT 1
FOR UPDATE SKIP LOCKED` then the row's update, in one transaction, so two counters on two PCs
never get the same patient (the second skips the row the first has locked) and a counter holds
one patient at a time (a unique index). Times are the hub's (`now()`), never a PC's clock. Every
action writes an `events` row (`queue.<action>`: staff, counter, ticket, state): the hub's audit.

One HubCallingService per thread (it owns one connection). Staff sign in on the caller's own
kiosk store (facility staff accounts at the hub are another change); the audit names them.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Callable

import psycopg
from psycopg import errors as pg_errors

from kiosk.calling.actions import CallerActions
from kiosk.calling.service import CallingSettings, check_caller
from kiosk.core.clock import local_day
from kiosk.core.queue import model as m
from kiosk.core.queue.model import Counter, EntryState, Origin, QueueEntry, QueueRuleError

log = logging.getLogger(__name__)

COLS = ("id, number, service_code, room, state, queued_at, priority, appointment_at, follow_up, counter_id, "
        "called_at, call_count, started_at, finished_at, no_show_at, from_service, from_room, from_state, "
        "from_queued_at, from_counter")

# kiosk.core.queue.order.order_key in SQL (rank, due tier, follow-up first, time, arrival, id);
# tests/facility/test_hub_calling.py checks both orders agree on random queues
_DUE = "(follow_up OR (appointment_at IS NOT NULL AND appointment_at - %(early)s <= %(now)s))"
ORDER_SQL = (f"coalesce(array_position(%(groups)s::text[], priority), %(ngroups)s + 1), "
             f"CASE WHEN {_DUE} THEN 0 ELSE 1 END, "
             f"CASE WHEN {_DUE} AND NOT follow_up THEN 1 ELSE 0 END, "
             f"CASE WHEN {_DUE} THEN coalesce(appointment_at, queued_at) ELSE queued_at END, queued_at, id")


def entry_of(r) -> QueueEntry:
    origin = None
    if r[15] is not None:
        origin = Origin(r[15], r[16], EntryState(r[17]), r[18], r[19])
    return QueueEntry(r[0], r[1], r[2], r[3], EntryState(r[4]), r[5], r[6], r[7], bool(r[8]), r[9], r[10],
                      r[11], r[12], r[13], r[14], origin)


def order_params(settings: CallingSettings, now: datetime) -> dict:
    p = settings.policy
    return {"groups": list(p.groups), "ngroups": len(p.groups), "early": p.appointment_early, "now": now}


class HubCallingService(CallerActions):
    """The CallingService's actions and reads, on the hub. `connect` opens a psycopg connection."""

    def __init__(self, connect: Callable[[], psycopg.Connection], facility_code: str, settings: CallingSettings,
                 *, accounts: Any = None):
        self._connect, self.facility = connect, facility_code
        self.settings, self.accounts = settings, accounts
        self._counters = {c.id: c for c in settings.counters}
        self._conn: psycopg.Connection | None = None

    # ------------------------------------------------------------ plumbing
    def conn(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
            self._conn.autocommit = True
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def counter(self, counter_id: str) -> Counter:
        try:
            return self._counters[counter_id]
        except KeyError:
            raise QueueRuleError("unknown_counter", f"no counter {counter_id!r}") from None

    def sync_counters(self) -> None:
        with self.conn().transaction():
            for c in self.settings.counters:
                self.conn().execute(
                    "INSERT INTO hub_counters (facility_code, id, name_vi, name_en, room, services) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (facility_code, id) DO UPDATE SET "
                    "name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, room = EXCLUDED.room, "
                    "services = EXCLUDED.services, updated_at = now()",
                    (self.facility, c.id, c.name_vi, c.name_en, c.room, list(c.services)))

    def _now(self) -> datetime:
        row = self.conn().execute("SELECT now()").fetchone()
        assert row is not None
        return row[0]

    def _held(self, counter_id: str, lock: bool = False) -> QueueEntry | None:
        row = self.conn().execute(
            f"SELECT {COLS} FROM hub_queue_entries WHERE facility_code = %s AND counter_id = %s "
            f"AND state IN ('called', 'in_service'){' FOR UPDATE' if lock else ''}",
            (self.facility, counter_id)).fetchone()
        return None if row is None else entry_of(row)

    def _save(self, entry_id: int, e: QueueEntry) -> None:
        o = e.coming_from
        self.conn().execute(
            "UPDATE hub_queue_entries SET state = %s, service_code = %s, room = %s, queued_at = %s, counter_id = %s, "
            "called_at = %s, call_count = %s, started_at = %s, finished_at = %s, no_show_at = %s, from_service = %s, "
            "from_room = %s, from_state = %s, from_queued_at = %s, from_counter = %s, updated_at = now() WHERE id = %s",
            (e.state.value, e.service_code, e.room, e.queued_at, e.counter_id, e.called_at, e.call_count,
             e.started_at, e.finished_at, e.no_show_at, o.service_code if o else None, o.room if o else None,
             o.state.value if o else None, o.queued_at if o else None, o.counter_id if o else None, entry_id))

    def _record(self, who, action: str, e: QueueEntry, counter_id: str | None, now: datetime,
                call_kind: str | None = None, details: dict | None = None) -> None:
        user = getattr(who, "username", "staff")
        if call_kind:
            counter = self._counters.get(counter_id or "")
            self.conn().execute(
                "INSERT INTO hub_queue_calls (entry_id, facility_code, day, number, counter_id, room, kind, staff, at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (e.id, self.facility, local_day(now), e.number, counter_id, counter.room if counter else e.room,
                 call_kind, user, now))
        body = {"staff": user, "counter": counter_id, "ticket": e.number, "service": e.service_code,
                "state": e.state.value, **(details or {})}
        self.conn().execute("INSERT INTO events (kind, ma_lk, body) SELECT %s, ma_lk, %s::jsonb "
                            "FROM hub_queue_entries WHERE id = %s", (f"queue.{action}", json.dumps(body), e.id))

    # ------------------------------------------------------------ actions
    def call_next(self, session, counter_id: str) -> QueueEntry | None:
        who = check_caller(self.accounts, session)
        counter = self.counter(counter_id)
        try:
            with self.conn().transaction():
                if self._held(counter_id) is not None:
                    raise QueueRuleError("counter_busy", f"{counter_id}: finish, transfer or mark the "
                                                         "current patient as no-show first")
                now = self._now()
                params = order_params(self.settings, now)
                params.update(facility=self.facility, day=local_day(now), services=list(counter.services))
                row = self.conn().execute(
                    f"SELECT {COLS} FROM hub_queue_entries WHERE facility_code = %(facility)s AND day = %(day)s "
                    f"AND state = 'waiting' AND service_code = ANY(%(services)s) ORDER BY {ORDER_SQL} "
                    f"LIMIT 1 FOR UPDATE SKIP LOCKED", params).fetchone()
                if row is None:
                    return None
                entry = entry_of(row)
                got = m.call(entry, counter, now)
                self._save(entry.id, got)
                self._record(who, "call", got, counter_id, now, call_kind="call")
                return got
        except pg_errors.UniqueViolation:     # the same counter pressed on two PCs at once
            raise QueueRuleError("counter_busy", f"{counter_id}: already holds a patient") from None

    def _held_action(self, session, counter_id: str, action: str, step: Callable, *,
                     call_kind: str | None = None, details: dict | None = None) -> QueueEntry:
        who = check_caller(self.accounts, session)
        self.counter(counter_id)
        with self.conn().transaction():
            held = self._held(counter_id, lock=True)
            if held is None:
                raise QueueRuleError("no_patient", f"{counter_id}: no patient called; press Call next")
            now = self._now()
            after = step(held, now)
            self._save(held.id, after)
            self._record(who, action, after, counter_id, now, call_kind, details)
            return after

    def _entry_action(self, session, number: str, action: str, step: Callable) -> QueueEntry:
        who = check_caller(self.accounts, session)
        with self.conn().transaction():
            now = self._now()
            row = self.conn().execute(
                f"SELECT {COLS} FROM hub_queue_entries WHERE facility_code = %s AND day = %s AND number = %s "
                f"ORDER BY id DESC LIMIT 1 FOR UPDATE", (self.facility, local_day(now), number)).fetchone()
            if row is None:
                raise QueueRuleError("unknown_ticket", f"no ticket {number} today")
            entry = entry_of(row)
            after = step(entry, now)
            self._save(entry.id, after)
            self._record(who, action, after, entry.counter_id, now)
            return after

    # ------------------------------------------------------------ reading
    def current(self, counter_id: str) -> QueueEntry | None:
        return self._held(counter_id)

    def waiting(self, counter_id: str) -> list[QueueEntry]:
        counter = self.counter(counter_id)
        now = self._now()
        params = order_params(self.settings, now)
        params.update(facility=self.facility, day=local_day(now), services=list(counter.services))
        rows = self.conn().execute(
            f"SELECT {COLS} FROM hub_queue_entries WHERE facility_code = %(facility)s AND day = %(day)s "
            f"AND state = 'waiting' AND service_code = ANY(%(services)s) ORDER BY {ORDER_SQL}", params).fetchall()
        return [entry_of(r) for r in rows]

    def patient_of(self, entry: QueueEntry) -> tuple[str | None, str | None]:
        """(full name, birth date) of the entry's patient, for the caller's masked line."""
        row = self.conn().execute(
            "SELECT p.full_name, p.birth_date FROM hub_queue_entries q JOIN visits v ON v.ma_lk = q.ma_lk "
            "JOIN patients p ON p.id = v.patient_id WHERE q.id = %s", (entry.id,)).fetchone()
        return (None, None) if row is None else (row[0], row[1])

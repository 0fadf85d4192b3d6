"""The Store: one connection, its repositories, and the transaction that makes a business action atomic.

    with store.transaction():
        visit = store.visits.create(...)
        ticket = store.tickets.insert(..., seq=store.tickets.next_seq(kiosk, day), ...)
        store.outbox.enqueue(...)
        store.audit.append(...)

Repositories never BEGIN/COMMIT; `transaction()` does (a SAVEPOINT when nested). One Store per
thread: the sync worker opens its own.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Iterator

from kiosk.core.clock import Clock, SystemClock
from kiosk.store.audit import AuditRepo
from kiosk.store.db import immediate_transaction
from kiosk.store.devices import DeviceRepo
from kiosk.store.eligibility import EligibilityRepo
from kiosk.store.outbox import OutboxRepo
from kiosk.store.patients import PatientRepo
from kiosk.store.report import ReportRepo
from kiosk.store.queue import QueueStoreRepo
from kiosk.store.appointments import AppointmentRepo
from kiosk.store.settings_repo import SettingsRepo
from kiosk.store.staff import StaffRepo
from kiosk.store.tickets import TicketRepo
from kiosk.store.visits import VisitRepo


class Store:
    def __init__(self, conn, clock: Clock | None = None):
        self.conn = conn
        self.clock = clock or SystemClock()
        self.patients = PatientRepo(conn, self.clock)
        self.visits = VisitRepo(conn, self.clock)
        self.tickets = TicketRepo(conn, self.clock)
        self.eligibility = EligibilityRepo(conn, self.clock)
        self.staff = StaffRepo(conn, self.clock)
        self.audit = AuditRepo(conn, self.clock)
        self.settings = SettingsRepo(conn, self.clock)
        self.devices = DeviceRepo(conn, self.clock)
        self.outbox = OutboxRepo(conn, self.clock)
        self.report = ReportRepo(conn, self.clock)
        self.queue = QueueStoreRepo(conn, self.clock)
        self.appointments = AppointmentRepo(conn, self.clock)
        self._savepoints = itertools.count(1)

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception); a SAVEPOINT when already inside one,
        so an inner failure undoes only the inner part if the caller catches it."""
        if self.conn.in_transaction:
            name = f"sp{next(self._savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
            return
        with immediate_transaction(self.conn):
            yield self

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""CallingService: Call next / Recall / No-show / Return / Transfer / Undo / Start / Finish for a
counter or room, each audited in the same transaction as the change.

The rules are kiosk.core.queue's; the repository (QueueRepo) decides who gets a patient with one
conditional write, so two counters pressing Call next together never get the same patient.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from kiosk.calling.actions import CallerActions
from kiosk.core.clock import Clock, SystemClock, local_day
from kiosk.core.queue.model import Counter, QueueEntry, QueueRuleError
from kiosk.core.queue.order import CallingPolicy, DEFAULT_GROUPS, waiting_order
from kiosk.security.roles import Permission, PermissionDenied, allowed

log = logging.getLogger(__name__)
CLAIM_ATTEMPTS = 5


@dataclass(frozen=True)
class CallingSettings:
    counters: tuple[Counter, ...]
    rooms: dict                           # service code -> room
    policy: CallingPolicy = CallingPolicy()
    return_window: timedelta = timedelta(minutes=60)

    @classmethod
    def from_config(cls, cfg: Any) -> "CallingSettings":
        return cls(counters_from_config(cfg), {s["code"]: s["room"] for s in cfg.services},
                   CallingPolicy(groups=tuple(cfg.queue_priority_groups) or DEFAULT_GROUPS,
                                 appointment_early=timedelta(minutes=cfg.queue_appointment_early_min)),
                   timedelta(minutes=cfg.queue_return_window_min))


def counters_from_config(cfg: Any) -> tuple[Counter, ...]:
    """The `counters` setting, or one room per service when it is empty."""
    if cfg.counters:
        return tuple(Counter(str(c["id"]), c.get("name_vi") or f"Phòng {c['room']}",
                             c.get("name_en") or f"Room {c['room']}", str(c["room"]), tuple(c["services"]))
                     for c in cfg.counters)
    by_room: dict[str, list[str]] = {}
    for s in cfg.services:
        by_room.setdefault(s["room"], []).append(s["code"])
    return tuple(Counter(f"P{room}", f"Phòng {room}", f"Room {room}", room, tuple(codes))
                 for room, codes in by_room.items())


def check_caller(accounts: Any, session) -> Any:
    """The session may call patients (and, with `accounts`, is still alive); returns who acts."""
    if accounts is not None:
        return accounts.require(session, Permission.CALL_PATIENTS)
    role = getattr(session, "role", None)
    if not allowed(role, Permission.CALL_PATIENTS):
        raise PermissionDenied(getattr(role, "value", role), Permission.CALL_PATIENTS)
    return session


class CallingService(CallerActions):
    """One per thread (it drives one Store). `session` is a StaffSession (or anything with
    `username` and `role`); `accounts`, when given, also checks the session is still alive."""

    def __init__(self, store, settings: CallingSettings, *, clock: Clock | None = None, audit: Any = None,
                 accounts: Any = None):
        self.store, self.settings = store, settings
        self.repo = store.queue
        self.clock = clock or store.clock or SystemClock()
        if audit is None:
            from kiosk.security.audit_log import AuditLog
            audit = AuditLog(store)
        self.audit, self.accounts = audit, accounts
        self._counters = {c.id: c for c in settings.counters}

    def sync_counters(self) -> None:
        with self.store.transaction():
            for c in self.settings.counters:
                self.repo.upsert_counter(c)

    def counter(self, counter_id: str) -> Counter:
        try:
            return self._counters[counter_id]
        except KeyError:
            raise QueueRuleError("unknown_counter", f"no counter {counter_id!r}") from None

    # ------------------------------------------------------------ actions
    def call_next(self, session, counter_id: str) -> QueueEntry | None:
        """The next patient for this counter, or None when nobody waits."""
        who = self._check(session)
        counter = self.counter(counter_id)
        for _ in range(CLAIM_ATTEMPTS):
            with self.store.transaction():
                if self.repo.held_by(counter_id) is not None:
                    raise QueueRuleError("counter_busy", f"{counter_id}: finish, transfer or mark the "
                                                         "current patient as no-show first")
                now = self.clock.now()
                day = local_day(now)
                order = waiting_order(self.repo.entries(day, ("waiting",)), counter.services, now,
                                      self.settings.policy)
                if not order:
                    return None
                for cand in order[:3]:
                    if self.repo.claim(cand.id, counter_id, now):
                        got = self.repo.get(cand.id)
                        self.repo.record_call(got, counter_id, "call", now)
                        self._audit(who, "queue.call", got, counter_id)
                        return got
        raise QueueRuleError("contended", "the queue is changing too fast; press Call next again")

    # ------------------------------------------------------------ reading
    def current(self, counter_id: str) -> QueueEntry | None:
        return self.repo.held_by(counter_id)

    def waiting(self, counter_id: str) -> list[QueueEntry]:
        now = self.clock.now()
        return waiting_order(self.repo.entries(local_day(now), ("waiting",)), self.counter(counter_id).services,
                             now, self.settings.policy)

    # ------------------------------------------------------------ plumbing
    def _check(self, session) -> Any:
        return check_caller(self.accounts, session)

    def patient_of(self, entry: QueueEntry) -> tuple[str | None, str | None]:
        """(full name, birth date) of the entry's patient, for the caller's masked line."""
        visit = self.store.visits.get(self.repo.visit_of(entry.id))
        patient = self.store.patients.get(visit.patient_id) if visit else None
        return (patient.full_name, patient.birth_date) if patient else (None, None)

    def _held_action(self, session, counter_id: str, action: str, step: Callable, *,
                     call_kind: str | None = None, details: dict | None = None) -> QueueEntry:
        who = self._check(session)
        self.counter(counter_id)
        with self.store.transaction():
            held = self.repo.held_by(counter_id)
            if held is None:
                raise QueueRuleError("no_patient", f"{counter_id}: no patient called; press Call next")
            return self._apply(who, held, step, action, counter_id, call_kind, details)

    def _entry_action(self, session, number: str, action: str, step: Callable) -> QueueEntry:
        who = self._check(session)
        with self.store.transaction():
            entry = self.repo.by_number(local_day(self.clock.now()), number)
            if entry is None:
                raise QueueRuleError("unknown_ticket", f"no ticket {number} today")
            return self._apply(who, entry, step, action, entry.counter_id, None, None)

    def _apply(self, who, entry, step, action, counter_id, call_kind, details) -> QueueEntry:
        now = self.clock.now()
        after = step(entry, now)
        if not self.repo.save(entry, after):
            raise QueueRuleError("changed", f"ticket {entry.number} changed meanwhile (or its counter is busy); "
                                            "look again")
        if call_kind:
            self.repo.record_call(after, counter_id, call_kind, now)
        self._audit(who, f"queue.{action}", after, counter_id, details)
        return after

    def _audit(self, who, action: str, entry: QueueEntry, counter_id: str | None, details: dict | None = None):
        info = {"ticket": entry.number, "counter": counter_id, "service": entry.service_code,
                "state": entry.state.value}
        info.update(details or {})
        role = getattr(getattr(who, "role", None), "value", getattr(who, "role", None))
        self.audit.append(getattr(who, "username", "staff"), role, action, f"queue:{entry.id}", info)

"""Queue entries and counters, and every legal move of an entry (pure functions).

States: waiting -> called -> in_service -> done. A called patient who does not come is a
no_show; they may return within the return window (back to waiting, behind those waiting now).
A transfer sends an entry to another service/room as waiting, keeping where it came from
(`coming_from`) so the move can be undone while the entry has not been called again.
done and cancelled are terminal; every other state has a way out (see TRANSITIONS).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class EntryState(str, enum.Enum):
    WAITING = "waiting"
    CALLED = "called"
    IN_SERVICE = "in_service"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({EntryState.DONE, EntryState.CANCELLED})

# action -> (states it may start from, state it leads to); "transfer" keeps coming_from
TRANSITIONS: dict[str, tuple[frozenset[EntryState], EntryState]] = {
    "call": (frozenset({EntryState.WAITING}), EntryState.CALLED),
    "recall": (frozenset({EntryState.CALLED}), EntryState.CALLED),
    "start": (frozenset({EntryState.CALLED}), EntryState.IN_SERVICE),
    "finish": (frozenset({EntryState.IN_SERVICE}), EntryState.DONE),
    "no_show": (frozenset({EntryState.CALLED}), EntryState.NO_SHOW),
    "return": (frozenset({EntryState.NO_SHOW}), EntryState.WAITING),
    "requeue": (frozenset({EntryState.CALLED}), EntryState.WAITING),
    "transfer": (frozenset({EntryState.WAITING, EntryState.CALLED, EntryState.IN_SERVICE}), EntryState.WAITING),
    "undo_transfer": (frozenset({EntryState.WAITING}), EntryState.WAITING),   # back to the origin's state
    "cancel": (frozenset({EntryState.WAITING, EntryState.CALLED, EntryState.NO_SHOW}), EntryState.CANCELLED),
    "expire": (frozenset({EntryState.NO_SHOW}), EntryState.CANCELLED),
}

ACTIVE_AT_COUNTER = frozenset({EntryState.CALLED, EntryState.IN_SERVICE})


class QueueRuleError(Exception):
    """An action the queue rules do not allow; `code` is stable, the message is for staff."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Counter:
    """A counter or a clinic room, and the services it calls for."""
    id: str
    name_vi: str
    name_en: str
    room: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Origin:
    """Where a transferred entry came from (kept for the 'coming from' column and for undo)."""
    service_code: str
    room: str
    state: EntryState
    queued_at: datetime
    counter_id: str | None


@dataclass(frozen=True)
class QueueEntry:
    id: int
    number: str
    service_code: str
    room: str
    state: EntryState
    queued_at: datetime                 # arrival, or the moment of a return / transfer
    priority: str | None = None         # a group of CallingPolicy.groups (emergency, child, ...)
    appointment_at: datetime | None = None
    follow_up: bool = False
    counter_id: str | None = None       # the counter holding it (called / in_service)
    called_at: datetime | None = None
    call_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    no_show_at: datetime | None = None
    coming_from: Origin | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


def _check(entry: QueueEntry, action: str) -> EntryState:
    allowed, target = TRANSITIONS[action]
    if entry.state not in allowed:
        raise QueueRuleError("bad_state", f"{action}: ticket {entry.number} is {entry.state.value}")
    return target


def call(entry: QueueEntry, counter: Counter, now: datetime) -> QueueEntry:
    target = _check(entry, "call")
    if entry.service_code not in counter.services:
        raise QueueRuleError("wrong_counter", f"counter {counter.id} does not serve {entry.service_code}")
    return replace(entry, state=target, counter_id=counter.id, called_at=now, call_count=entry.call_count + 1)


def _own(entry: QueueEntry, counter_id: str, action: str) -> None:
    if entry.counter_id != counter_id:
        raise QueueRuleError("not_yours", f"{action}: ticket {entry.number} is held by another counter")


def recall(entry: QueueEntry, counter_id: str, now: datetime) -> QueueEntry:
    target = _check(entry, "recall")
    _own(entry, counter_id, "recall")
    return replace(entry, state=target, called_at=now, call_count=entry.call_count + 1)


def start(entry: QueueEntry, counter_id: str, now: datetime) -> QueueEntry:
    target = _check(entry, "start")
    _own(entry, counter_id, "start")
    return replace(entry, state=target, started_at=now)


def finish(entry: QueueEntry, counter_id: str, now: datetime) -> QueueEntry:
    target = _check(entry, "finish")
    _own(entry, counter_id, "finish")
    return replace(entry, state=target, finished_at=now, counter_id=None)


def no_show(entry: QueueEntry, counter_id: str, now: datetime) -> QueueEntry:
    target = _check(entry, "no_show")
    _own(entry, counter_id, "no_show")
    return replace(entry, state=target, no_show_at=now, counter_id=None)


def return_later(entry: QueueEntry, now: datetime, window: timedelta) -> QueueEntry:
    """A no-show who came back within `window` waits again, behind those waiting now."""
    target = _check(entry, "return")
    if entry.no_show_at is not None and now - entry.no_show_at > window:
        raise QueueRuleError("too_late", f"ticket {entry.number}: the return window has passed; "
                                         "a new ticket is needed")
    return replace(entry, state=target, queued_at=now, counter_id=None, called_at=None)


def requeue(entry: QueueEntry, counter_id: str) -> QueueEntry:
    """Called by mistake: back to waiting, in its old place (queued_at kept)."""
    target = _check(entry, "requeue")
    _own(entry, counter_id, "requeue")
    return replace(entry, state=target, counter_id=None, called_at=None)


def transfer(entry: QueueEntry, service_code: str, room: str, now: datetime) -> QueueEntry:
    _check(entry, "transfer")
    if service_code == entry.service_code and room == entry.room:
        raise QueueRuleError("same_place", "transfer: the entry is already there")
    origin = Origin(entry.service_code, entry.room, entry.state, entry.queued_at, entry.counter_id)
    return replace(entry, state=EntryState.WAITING, service_code=service_code, room=room, queued_at=now,
                   counter_id=None, called_at=None, started_at=None, coming_from=origin)


def undo_transfer(entry: QueueEntry) -> QueueEntry:
    """Back where it came from, in the state it had there; only before the new place called it.
    An origin counter holding it again must be free: the store checks that (one patient per counter)."""
    _check(entry, "undo_transfer")
    o = entry.coming_from
    if o is None:
        raise QueueRuleError("no_transfer", f"ticket {entry.number} was not transferred")
    return replace(entry, state=o.state, service_code=o.service_code, room=o.room, queued_at=o.queued_at,
                   counter_id=o.counter_id if o.state in ACTIVE_AT_COUNTER else None, coming_from=None)


def cancel(entry: QueueEntry) -> QueueEntry:
    return replace(entry, state=_check(entry, "cancel"), counter_id=None)


def expire(entry: QueueEntry) -> QueueEntry:
    return replace(entry, state=_check(entry, "expire"))

"""The calling order: the law's priority groups first (in the configured order), then
appointments that are due (follow-ups first, then by appointment time), then arrival.

Luật Khám bệnh, chữa bệnh 2023 art. 3(2) gives priority to emergencies, children under 6, the
elderly, people with severe disabilities, pregnant women and people with merit to the revolution;
which groups count and in which order is a setting (queue_priority_groups).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from kiosk.core.queue.model import Counter, EntryState, QueueEntry

DEFAULT_GROUPS = ("emergency", "child", "elderly", "disability", "pregnant", "merit")


@dataclass(frozen=True)
class CallingPolicy:
    groups: tuple[str, ...] = DEFAULT_GROUPS
    appointment_early: timedelta = field(default=timedelta(minutes=10))   # due this long before its time

    def rank(self, priority: str | None) -> int:
        if priority is None or priority not in self.groups:
            return len(self.groups)
        return self.groups.index(priority)


def order_key(entry: QueueEntry, now: datetime, policy: CallingPolicy) -> tuple:
    """Smaller calls first. Ties end on the id, so the order is total and deterministic."""
    due = entry.follow_up or (entry.appointment_at is not None
                              and entry.appointment_at - policy.appointment_early <= now)
    if due:
        when = entry.appointment_at or entry.queued_at
        tier = (0, 0 if entry.follow_up else 1, when)
    else:
        tier = (1, 0, entry.queued_at)
    return (policy.rank(entry.priority), *tier, entry.queued_at, entry.id)


def waiting_order(entries: Iterable[QueueEntry], services: Iterable[str], now: datetime,
                  policy: CallingPolicy) -> list[QueueEntry]:
    wanted = set(services)
    waiting = [e for e in entries if e.state is EntryState.WAITING and e.service_code in wanted]
    return sorted(waiting, key=lambda e: order_key(e, now, policy))


def pick_next(entries: Iterable[QueueEntry], counter: Counter, now: datetime,
              policy: CallingPolicy) -> QueueEntry | None:
    """Who this counter calls next, or None when nobody waits for its services."""
    ordered = waiting_order(entries, counter.services, now, policy)
    return ordered[0] if ordered else None

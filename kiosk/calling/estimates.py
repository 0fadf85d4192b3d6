"""The waiting estimate on the ticket (screen and paper): the entries ahead of this one in the
calling order (priorities included), shared by the counters serving the service, times the running
median of measured service durations (the service's minutes_per_patient until enough samples)."""
from __future__ import annotations

from datetime import datetime

from kiosk.core.clock import local_day
from kiosk.core.queue.estimate import estimate_minutes, median_of
from kiosk.core.queue.order import CallingPolicy, waiting_order


def ticket_wait_minutes(store, ticket_id: int, minutes_per_patient: float, now: datetime,
                        policy: CallingPolicy | None = None, fallback_ahead: int = 0) -> int:
    entry = store.queue.by_ticket(ticket_id)
    if entry is None:
        return estimate_minutes(fallback_ahead, None, minutes_per_patient)
    policy = policy or CallingPolicy()
    order = waiting_order(store.queue.entries(local_day(now), ("waiting",), (entry.service_code,)), [entry.service_code], now, policy)
    ahead = next((i for i, e in enumerate(order) if e.id == entry.id), len(order))
    serving = [c.id for c in store.queue.counters() if entry.service_code in c.services]
    busy = sum(1 for cid in serving if store.queue.held_by(cid) is not None)
    samples = store.queue.durations(entry.service_code)
    return estimate_minutes(ahead, median_of(samples), minutes_per_patient, len(serving) or 1, len(samples),
                            busy=busy)

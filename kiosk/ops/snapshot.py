"""Build the fleet metrics snapshot from the database's truth and the device manager's status."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Mapping

from kiosk.core.clock import local_day
from kiosk.ops.metrics import Snapshot


def build_snapshot(store, devices: Callable[[], Mapping[str, bool]] | None = None) -> Snapshot:
    now = store.clock.now()
    counts = store.visits.totals()
    outbox = store.outbox.stats()
    last = 0.0
    if outbox.last_success_at:
        try:
            last = datetime.fromisoformat(outbox.last_success_at).timestamp()
        except ValueError:
            last = 0.0
    return Snapshot(
        checkins_today=store.visits.count_day(local_day(now)),
        checkins_total=counts["visits"],
        tickets_printed_total=counts["tickets_printed"],
        outbox_pending=outbox.pending, outbox_sending=outbox.sending,
        outbox_dead=outbox.dead, outbox_acked=outbox.acked,
        oldest_pending_age_seconds=outbox.oldest_pending_age_s or 0.0,
        last_gateway_success_ts=last,
        devices=dict(devices() if devices else {}),
        # kept in the log (outside the database): `kiosk audit verify --anchor` checks against it (M7)
        audit_head=store.settings.get("audit_chain_head") or "",
    )

"""The daily retention job: patients not seen for N days go (with their documents, visits and
tickets), acked receipts older than the receipt retention go; it logs counts only.

The work is cut into short transactions by day of data, oldest first (at most MAX_STEPS): a first
run (or a kiosk switched off for months) may have 100,000 patients to purge, and one transaction
for all of them holds the write lock for seconds — longer than a check-in waits (db_busy_timeout_ms).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.clock import iso, local_day

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    patients_purged: int
    receipts_pruned: int
    transactions: int = 0


MAX_STEPS = 64   # rows kept on purpose (open visits) are re-read once per step: keep steps few


def _day_steps(oldest: str | None, cutoff_day: str) -> list[str]:
    """Cut-off days from just after `oldest` up to `cutoff_day` (the last one), at most MAX_STEPS,
    evenly spaced in whole days."""
    if not oldest or oldest[:10] >= cutoff_day:
        return [cutoff_day]
    try:
        start, end = date.fromisoformat(oldest[:10]), date.fromisoformat(cutoff_day)
    except ValueError:          # an odd value in the column: one step, as before
        return [cutoff_day]
    span = (end - start).days
    stride = max(1, -(-span // MAX_STEPS))
    steps = [(start + timedelta(days=d)).isoformat() for d in range(stride, span, stride)]
    return steps + [cutoff_day]


def run_retention(store, patient_days: int, receipt_days: int) -> RetentionReport:
    now = store.clock.now()
    cutoff_day = local_day(now - timedelta(days=patient_days))
    receipt_cutoff = iso(now - timedelta(days=receipt_days))
    patients = receipts = transactions = 0
    oldest = store.patients.oldest_seen()
    for day in _day_steps(oldest, cutoff_day):
        with store.transaction():
            patients += store.patients.purge_not_seen_since(day)
        transactions += 1
    oldest = store.outbox.oldest_acked_at()
    for day in _day_steps(oldest, receipt_cutoff[:10]):
        bound = receipt_cutoff if day >= receipt_cutoff[:10] else f"{day}T00:00:00+00:00"
        with store.transaction():
            receipts += store.outbox.prune_acked(bound)
        transactions += 1
    log.info("retention: purged %d patients not seen for %d days, pruned %d receipts older than %d days",
             patients, patient_days, receipts, receipt_days)
    return RetentionReport(patients, receipts, transactions)

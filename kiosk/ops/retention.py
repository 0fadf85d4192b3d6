"""The daily retention job: patients not seen for N days go (with their documents, visits and
tickets), acked receipts older than the receipt retention go; it logs counts only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from kiosk.core.clock import iso, local_day
from kiosk.store.retention import prune_acked_outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    patients_purged: int
    receipts_pruned: int


def run_retention(store, patient_days: int, receipt_days: int) -> RetentionReport:
    now = store.clock.now()
    with store.transaction():
        patients = store.patients.purge_not_seen_since(local_day(now - timedelta(days=patient_days)))
        receipts = prune_acked_outbox(store.conn, iso(now - timedelta(days=receipt_days)))
    log.info("retention: purged %d patients not seen for %d days, pruned %d receipts older than %d days",
             patients, patient_days, receipts, receipt_days)
    return RetentionReport(patients, receipts)

"""Reconciliation after an ambiguous failure: ask the gateway what it holds before resending.

The real gateway keeps one copy per MA_LK and files every later copy as an error dossier, so a
blind resend after a lost reply leaves an error-marked copy behind. The look-up (modelled on the
gateway's per-day received-dossier listing; its live endpoint is UNCONFIRMED and set by
`gateway_lookup_endpoint`) avoids that. Without it the worker resends and counts a DUPLICATE
answer as acked — correct for the kiosk, but the gateway then holds an error-marked copy.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from kiosk.core.clock import VN_TZ
from kiosk.gateway.results import GatewayError, NotConfigured, ReceivedInfo
from kiosk.store.outbox import OutboxItem, OutboxKind
from kiosk.sync.ports import UploadClient

log = logging.getLogger(__name__)

LOAI_HO_SO = {OutboxKind.CHECKIN: "0", OutboxKind.DOSSIER: "130"}


class Found(Enum):
    PRESENT = "present"          # the gateway holds it: ack with the listed receipt
    ABSENT = "absent"            # not on any day it could have arrived: safe to send
    UNKNOWN = "unknown"          # the look-up failed: try again later, do not send
    UNSUPPORTED = "unsupported"  # no look-up endpoint: resend, DUPLICATE counts as acked


@dataclass(frozen=True)
class ReconcileResult:
    found: Found
    info: ReceivedInfo | None = None
    error: str | None = None


def lookup_days(created_at: str, now: datetime, max_days: int) -> list[date]:
    """Facility days on which an attempt may have arrived: from the item's creation to today,
    newest first, at most `max_days` (the gateway lists by day of receipt)."""
    today = now.astimezone(VN_TZ).date()
    try:
        first = datetime.fromisoformat(created_at).astimezone(VN_TZ).date()
    except ValueError:
        first = today
    first = max(first, today - timedelta(days=max_days - 1))
    days, d = [], today
    while d >= first:
        days.append(d)
        d -= timedelta(days=1)
    return days or [today]


def reconcile(client: UploadClient, item: OutboxItem, now: datetime, max_days: int = 7) -> ReconcileResult:
    for day in lookup_days(item.created_at, now, max_days):
        try:
            info = _lookup(client, item, day)
        except NotConfigured:
            return ReconcileResult(Found.UNSUPPORTED)
        except (GatewayError, OSError) as exc:
            return ReconcileResult(Found.UNKNOWN, error=f"look-up failed: {type(exc).__name__}")
        if info is not None:
            return ReconcileResult(Found.PRESENT, info=info)
    return ReconcileResult(Found.ABSENT)


def _lookup(client: UploadClient, item: OutboxItem, day: date) -> ReceivedInfo | None:
    info = client.lookup_received(item.ma_lk, day, kind=item.kind.value)
    # a check-in and the dossier of one visit share the MA_LK: only the same kind counts
    if info is not None and (info.ma_lk != item.ma_lk or str(info.loai_ho_so) != LOAI_HO_SO[item.kind]):
        raise GatewayError("look-up answered for another MA_LK or kind")
    return info

"""Reconciliation after an ambiguous failure: ask the gateway what it holds before resending.

The real gateway keeps one copy per MA_LK and files every later copy as an error dossier, so a
blind resend after a lost reply leaves an error-marked copy behind. The look-up (modelled on the
gateway's per-day received-dossier listing; its live endpoint is UNCONFIRMED and set by
`gateway_lookup_endpoint`) avoids that. A copy only counts as ours when the look-up lists the
same MA_LK *and* the SHA-256 of the exact bytes we sent (another kiosk with the same MA_LK, or a
gateway that lies, never acks our item). Without a look-up the worker resends after an ambiguous
failure, and a "duplicate" answer goes to the desk: it is never acked unverified.
"""
from __future__ import annotations

import hashlib
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
    UNSUPPORTED = "unsupported"  # no look-up endpoint: resend; a DUPLICATE answer goes to the desk
    CONFLICT = "conflict"        # the gateway holds a different file (or no hash) under this MA_LK: desk


@dataclass(frozen=True)
class ReconcileResult:
    found: Found
    info: ReceivedInfo | None = None
    error: str | None = None


def lookup_days(created_at: str, now: datetime, max_days: int) -> list[date]:
    """Gateway days on which an attempt may have arrived, newest first: from the day before the
    item's creation to the day after today (Vietnam time), so that a kiosk clock a few hours (or a
    day) off around Vietnam's midnight still asks for the day the gateway filed it under. At most
    `max_days` + 2 days."""
    today = now.astimezone(VN_TZ).date()
    try:
        first = datetime.fromisoformat(created_at).astimezone(VN_TZ).date()
    except ValueError:
        first = today
    first = min(first, today)
    first = max(first, today - timedelta(days=max_days - 1)) - timedelta(days=1)
    days, d = [], today + timedelta(days=1)
    while d >= first:
        days.append(d)
        d -= timedelta(days=1)
    return days


def payload_hash(item: OutboxItem) -> str:
    return hashlib.sha256(item.payload).hexdigest()


def reconcile(client: UploadClient, item: OutboxItem, now: datetime, max_days: int = 7) -> ReconcileResult:
    ours = payload_hash(item)
    other: ReceivedInfo | None = None
    for day in lookup_days(item.created_at, now, max_days):
        try:
            info = _lookup(client, item, day, ours)
        except NotConfigured:
            return ReconcileResult(Found.UNSUPPORTED)
        except (GatewayError, OSError) as exc:
            return ReconcileResult(Found.UNKNOWN, error=f"look-up failed: {type(exc).__name__}")
        if info is None:
            continue
        if not info.duplicate and info.payload_sha256 == ours:
            return ReconcileResult(Found.PRESENT, info=info)
        other = other or info
    if other is not None:
        why = ("the gateway's look-up lists no hash for it" if not other.payload_sha256 else
               "the gateway holds a different file under this MA_LK (another kiosk with the same kiosk_id?)"
               if not other.duplicate else
               "the gateway holds this MA_LK only as an error-marked copy")
        return ReconcileResult(Found.CONFLICT, info=other, error=f"cannot confirm the held copy is ours: {why}")
    return ReconcileResult(Found.ABSENT)


def _lookup(client: UploadClient, item: OutboxItem, day: date, ours: str) -> ReceivedInfo | None:
    info = client.lookup_received(item.ma_lk, day, kind=item.kind.value, payload_sha256=ours)
    # a check-in and the dossier of one visit share the MA_LK: only the same kind counts
    if info is not None and (info.ma_lk != item.ma_lk or str(info.loai_ho_so) != LOAI_HO_SO[item.kind]):
        raise GatewayError("look-up answered for another MA_LK or kind")
    return info

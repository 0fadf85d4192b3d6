"""One upload attempt of one outbox item, the same rules for every uploader (the kiosk's sync
worker and the facility hub's worker): reconcile first when an earlier attempt may have reached
the gateway, upload, and confirm a possible copy with the gateway's own look-up. No database."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from kiosk.store.outbox import OutboxKind
from kiosk.sync import policy
from kiosk.sync.policy import Action, Decision
from kiosk.sync.ports import UploadClient
from kiosk.sync.reconcile import Found, reconcile


class Attemptable(Protocol):
    kind: OutboxKind
    ma_lk: str
    payload: bytes
    created_at: str
    needs_reconcile: bool


def attempt_upload(client: UploadClient, item: Attemptable, facility_code: str, *, now: Callable[[], datetime],
                   lookup_days: int, grace: float, stopped: Callable[[], bool] = lambda: False) -> Decision:
    """The decision for one attempt; raises only what `policy.crashed` should turn into a retry."""
    may_be_stored = item.needs_reconcile
    if item.needs_reconcile:
        found = reconcile(client, item, now(), lookup_days)   # type: ignore[arg-type]
        if found.found is Found.PRESENT:
            assert found.info is not None
            return policy.from_received(found.info)
        if found.found is Found.UNKNOWN:
            return Decision(Action.RETRY, code="RECONCILE", error=found.error,
                            needs_reconcile=True, min_delay=grace)
        if found.found is Found.CONFLICT:
            return Decision(Action.DEAD, code="CONFLICT?", error=f"check at the desk: {found.error}"[:500],
                            reachable=True)
        if found.found is Found.ABSENT:
            may_be_stored = False
    if stopped():
        return Decision(Action.RELEASE)
    if item.kind is OutboxKind.CHECKIN:
        result = client.upload_checkin(item.payload, facility_code)
    else:
        result = client.upload_dossier(item.payload, facility_code)
    if result.outcome in policy.POSSIBLE_COPY:
        found = reconcile(client, item, now(), lookup_days)   # type: ignore[arg-type]
        return policy.confirm_copy(result, found, grace)
    return policy.decide(result, may_be_stored=may_be_stored, grace=grace)

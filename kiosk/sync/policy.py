"""How one upload answer moves an outbox item: ack, retry later (maybe reconcile first), or dead.

Pure: a gateway answer in, a Decision out. The worker applies decisions in its own transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from kiosk.core.clock import VN_TZ
from kiosk.gateway.results import NETWORK_CODE, ReceivedInfo, UploadOutcome, UploadResult
from kiosk.store.outbox import Receipt
from kiosk.sync.reconcile import Found, ReconcileResult

POSSIBLE_COPY = (UploadOutcome.DUPLICATE, UploadOutcome.UNCONFIRMED)


class Action(Enum):
    ACK = "ack"
    RETRY = "retry"
    DEAD = "dead"
    RELEASE = "release"   # never started (worker stopping): back to pending, nothing learnt


@dataclass(frozen=True)
class Decision:
    action: Action
    receipt: Receipt | None = None
    code: str | None = None
    error: str | None = None
    needs_reconcile: bool = False
    reachable: bool | None = None    # what the answer says about the gateway (None: nothing)
    via: str = "upload"              # upload | duplicate | reconcile
    min_delay: float = 0.0           # e.g. the reconcile grace after an ambiguous failure


def receipt_time(moment: datetime | None) -> str | None:
    """thoiGianTiepNhan is facility local time; stored with its offset so it reads unambiguously."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.isoformat(timespec="seconds")


def from_received(info: ReceivedInfo) -> Decision:
    return Decision(Action.ACK, Receipt(info.ma_giao_dich or None, receipt_time(info.received_at),
                                        "found on the gateway by reconciliation"),
                    code="RECONCILED", reachable=True, via="reconcile")


def decide(result: UploadResult, *, may_be_stored: bool, grace: float) -> Decision:
    """`may_be_stored`: an earlier attempt may have reached the gateway and was not ruled out by
    a look-up. It survives plain retries so that the next attempt still reconciles first."""
    out = result.outcome
    code = result.code or out.value
    if out is UploadOutcome.ACCEPTED:
        return Decision(Action.ACK, Receipt(result.ma_giao_dich or None, receipt_time(result.received_at),
                                            result.message or None), code=code, reachable=True)
    if out in POSSIBLE_COPY:
        # never acked on the gateway's word alone (see confirm_copy); here nothing confirmed it
        return Decision(Action.DEAD, code=code, reachable=True,
                        error=f"{out.value}, not confirmed by a look-up (desk): {result.message}"[:500])
    if out is UploadOutcome.REJECTED:
        return Decision(Action.DEAD, code=code, error=result.message or "rejected by the gateway",
                        reachable=True)
    if out is UploadOutcome.AMBIGUOUS:
        return Decision(Action.RETRY, code=code, error=result.message or "no answer after sending",
                        needs_reconcile=True, reachable=None, min_delay=grace)
    # RETRY (5xx, malformed, nothing sent) and AUTH (401 after the client's one re-login, 403)
    reachable = False if code.startswith(NETWORK_CODE) else True
    return Decision(Action.RETRY, code=code, error=result.message or out.value,
                    needs_reconcile=may_be_stored, reachable=reachable,
                    min_delay=grace if may_be_stored else 0.0)


def crashed(exc: BaseException, grace: float) -> Decision:
    """An exception inside the attempt: we cannot tell whether bytes left, so reconcile first."""
    return Decision(Action.RETRY, code="ERROR", error=f"{type(exc).__name__}: {str(exc)[:200]}",
                    needs_reconcile=True, min_delay=grace)


def confirm_copy(result: UploadResult, found: ReconcileResult, grace: float) -> Decision:
    """A DUPLICATE or UNCONFIRMED answer after the look-up: ack only a confirmed copy of ours."""
    code = result.code or result.outcome.value
    words = f"gateway said {code}: {result.message}"
    if found.found is Found.PRESENT:
        info = found.info
        return Decision(Action.ACK, Receipt(info.ma_giao_dich or None, receipt_time(info.received_at),
                                            f"confirmed by look-up after: {result.message}"[:500]),
                        code=code, reachable=True, via="duplicate")
    if found.found is Found.UNKNOWN:
        return Decision(Action.RETRY, code="RECONCILE", error=f"{found.error}; {words}"[:500],
                        needs_reconcile=True, reachable=True, min_delay=grace)
    if found.found is Found.ABSENT and result.outcome is UploadOutcome.UNCONFIRMED:
        # not listed (yet): look again after the grace, resend only if still absent
        return Decision(Action.RETRY, code=code, error=f"not listed by the look-up yet; {words}"[:500],
                        needs_reconcile=True, reachable=True, min_delay=grace)
    why = {Found.UNSUPPORTED: "no look-up is configured to confirm the held copy is ours",
           Found.ABSENT: "the gateway's look-up lists no copy of it",
           Found.CONFLICT: found.error or "the held copy is not ours"}[found.found]
    return Decision(Action.DEAD, code=f"{result.outcome.value.upper()}?", reachable=True,
                    error=f"possible copy, check at the desk ({why}); {words}"[:500])

"""Re-running provisional card checks once the gateway answers again.

A visit received while the gateway was unreachable carries a provisional eligibility mark. When
the link is back, the worker asks the gateway again: a confirmed valid card takes the visit out
of `provisional`; any other answer about the card (expired, wrong name, a new card issued, a card
the desk must check) flags the visit `needs_desk` with the reason in words. "Retry later" and a
configuration fault say nothing about the card: the visit stays provisional.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from kiosk.core.clock import Clock, SystemClock, local_day
from kiosk.core.status import VisitStatus
from kiosk.gateway.results import CardCheckResult, Verdict
from kiosk.store.db import immediate_transaction
from kiosk.store.eligibility import EligibilityInput, EligibilityRepo, RecheckCandidate
from kiosk.store.visits import VisitRepo

log = logging.getLogger(__name__)


@dataclass
class RecheckReport:
    checked: int = 0
    confirmed: int = 0        # the card is valid: the visit goes on as it was
    flagged: int = 0          # the verdict changed: needs_desk with the reason
    still_provisional: int = 0


def _reason(result: CardCheckResult) -> str:
    return f"card re-check after the gateway came back: {result.staff_detail} (maKetQua {result.code})"


class EligibilityRechecker:
    def __init__(self, client, clock: Clock | None = None, *, days: int = 1, limit: int = 50,
                 deadline: float = 10.0):
        self.client = client
        self.clock = clock or SystemClock()
        self.days = days
        self.limit = limit
        self.deadline = deadline   # per card check: the worker's uploads wait meanwhile

    def run(self, conn) -> RecheckReport:
        """Re-check up to `limit` provisional visits of the last `days` days on `conn` (the worker's).
        Stops at the first answer that is again "retry later": the gateway is not really back."""
        report = RecheckReport()
        since = local_day(self.clock.now() - timedelta(days=self.days))
        rows = EligibilityRepo(conn, self.clock).provisional_candidates(since, self.limit)
        for row in rows:
            if not row.birth_date:
                report.still_provisional += 1   # the gateway needs it: the desk completes it
                continue
            result = self.client.check_card(row.card, row.full_name, row.birth_date,
                                            deadline=self.deadline)
            report.checked += 1
            if result.verdict in (Verdict.RETRY_LATER, Verdict.CONFIG_FAULT):
                # no answer about the card (gateway trouble, or our officer settings): try later
                report.still_provisional += 1
                break
            self._record(conn, row, result, report)
        if report.checked:
            log.info("eligibility re-check: %d checked, %d confirmed, %d flagged for the desk, %d still provisional",
                     report.checked, report.confirmed, report.flagged, report.still_provisional)
        return report

    def _record(self, conn, row: RecheckCandidate, result: CardCheckResult, report: RecheckReport) -> None:
        eligibility, visits = EligibilityRepo(conn, self.clock), VisitRepo(conn, self.clock)
        confirmed = result.verdict is Verdict.VALID and not result.desk_flag
        with immediate_transaction(conn):
            check = eligibility.insert(EligibilityInput(
                card_number=row.card, verdict=result.verdict.value, patient_id=row.patient_id,
                result_code=result.code, message=result.staff_detail, provisional=False,
                ma_dkbd=result.ma_dkbd or None, new_card_number=result.new_card_number or None,
                raw_json=json.dumps({"code": result.code, "recheck": True})))
            visits.set_eligibility(row.visit_id, check.id)
            current = visits.get(row.visit_id)
            if current.status in (VisitStatus.WAITING, VisitStatus.PROVISIONAL):   # the desk may have moved it meanwhile
                if confirmed:
                    visits.set_status(row.visit_id, VisitStatus.WAITING)
                else:
                    visits.set_status(row.visit_id, VisitStatus.NEEDS_DESK, needs_desk_reason=_reason(result))
        if confirmed:
            report.confirmed += 1
        else:
            report.flagged += 1

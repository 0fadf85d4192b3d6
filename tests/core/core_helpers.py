"""Builders shared by the check-in core tests (synthetic people only)."""
from __future__ import annotations

from kiosk.config import DEFAULT_SERVICES
from kiosk.core import checkin as c
from kiosk.core.views import (
    EligibilityView, FollowUpView, InsuranceStatus, Message, PatientView, ReadSource, TicketView,
)

SERVICES = tuple(c.ServiceOption(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], room=s["room"],
                                 ticket_letter=s["ticket_letter"], minutes_per_patient=s["minutes_per_patient"])
                 for s in DEFAULT_SERVICES)
CFG = c.MachineConfig(services=SERVICES, inactivity_s=30, ticket_screen_s=8, eligibility_deadline_s=3,
                      issue_timeout_s=30, print_timeout_s=20)


def patient(age: int | None = 40, gender: int = 2, source: ReadSource = ReadSource.QR) -> PatientView:
    return PatientView("NGUYỄN V** A", 1986, "*** *** 1234", source, age=age, gender=gender)


VALID = EligibilityView(InsuranceStatus.VALID, Message("valid", "Thẻ BHYT hợp lệ.", "Insurance card valid."))
DESK = EligibilityView(InsuranceStatus.NEEDS_DESK, Message("desk_010", "Thẻ BHYT đã hết hạn.", "Expired."),
                       result_code="010")
PROV = EligibilityView(InsuranceStatus.PROVISIONAL, Message("provisional", "Tạm.", "Provisional."))
FAULT = EligibilityView(InsuranceStatus.PROVISIONAL, Message("provisional", "Tạm.", "Provisional."),
                        staff_alert=True, result_code="054")
FOLLOW = FollowUpView("K04", "2026-11-20")
ERR = Message("x", "Lỗi.", "Error.")


def ticket(tid: int = 7, number: str = "A1-023") -> TicketView:
    return TicketView(tid, number, "K01", "Khám Nội tổng quát", "General internal medicine", "101", None, 12,
                      "KT1|79001|2026-11-20|A1-023|790011-261120083000-0023", "2026-11-20 08:30")


def run(events, state=None, cfg=CFG):
    """Feed events; return (final state, all effects)."""
    state = state or c.Idle()
    effects = []
    for e in events:
        step = c.handle(state, e, cfg)
        state = step.state
        effects.extend(step.effects)
    return state, effects


# ------------------------------------------------------------------ fake ports (synthetic person)

import threading  # noqa: E402

from kiosk.core.ports import (  # noqa: E402
    AlreadyIssued, CheckOutcome, IdentityProblem, PrinterFault, Resolution,
)
from kiosk.core.views import PrinterFaultKind, ProblemKind  # noqa: E402

FULL_NAME = "NGUYỄN VĂN AN"
FULL_NUMBER = "079086001234"


class FakeResolver:
    def __init__(self, age=40, fail: ProblemKind | None = None, cached=None, follow_up=None):
        self.age, self.fail, self.cached, self.follow_up = age, fail, cached, follow_up
        self.calls = 0

    def resolve(self, source, read):
        self.calls += 1
        if self.fail is not None:
            raise IdentityProblem(self.fail, ERR)
        return Resolution(patient(self.age, source=source), identity={"name": FULL_NAME, "number": FULL_NUMBER},
                          patient_id=1, cached_eligibility=self.cached, follow_up=self.follow_up)


class FakeChecker:
    def __init__(self, answer=VALID, delay: float = 0.0):
        self.answer, self.delay = answer, delay

    def check(self, resolution, deadline_s):
        if self.delay:
            threading.Event().wait(self.delay)
        if isinstance(self.answer, Exception):
            raise self.answer
        return CheckOutcome(self.answer, result={"code": self.answer.result_code})


class FakeIssuer:
    """Keeps tickets like the store would: one per request, status changes recorded."""

    def __init__(self):
        self.tickets: dict[int, dict] = {}
        self.fail: Exception | None = None
        self.lock = threading.Lock()

    def issue(self, request):
        with self.lock:
            if self.fail is not None:
                raise self.fail
            for t in self.tickets.values():
                if t["service"] == request.service_code and t["status"] not in ("cancelled", "done"):
                    raise AlreadyIssued(t["number"])
            tid = len(self.tickets) + 1
            number = f"A1-{tid:03d}"
            self.tickets[tid] = {"service": request.service_code, "status": "issued", "number": number,
                                 "priority": request.priority, "provisional": request.provisional, "prints": 0}
            return ticket(tid, number)

    def mark_printed(self, tid):
        with self.lock:
            self.tickets[tid]["status"] = "printed"
            self.tickets[tid]["prints"] += 1

    def mark_print_failed(self, tid, fault):
        with self.lock:
            self.tickets[tid]["status"] = "print_failed"

    def mark_shown(self, tid):
        with self.lock:
            self.tickets[tid]["status"] = "shown"


class FakePrinter:
    def __init__(self):
        self.fault: PrinterFaultKind | None = None
        self.printed: list[str] = []

    def print_ticket(self, t, facility_name=""):
        if self.fault is not None:
            raise PrinterFault(self.fault)
        self.printed.append(t.number)


class Alerts:
    def __init__(self):
        self.reasons: list[str] = []

    def alert(self, reason):
        self.reasons.append(reason)


class StuckState(AssertionError):
    """The check-in service did not reach the awaited state in time."""


def state_waiter(svc):
    """`wait(pred, timeout)` returning the service's state once `pred(state)` holds (listener-driven,
    no polling of the machine): shared by the end-to-end tests and the check-in benchmark."""
    import time
    changed = threading.Condition()

    def listen(_state):
        with changed:
            changed.notify_all()
    svc.add_listener(listen)

    def wait(pred, timeout=10.0):
        end = time.monotonic() + timeout
        with changed:
            while not pred(svc.state):
                left = end - time.monotonic()
                if left <= 0:
                    raise StuckState(f"still {type(svc.state).__name__}")
                changed.wait(min(left, 0.05))
        return svc.state
    return wait

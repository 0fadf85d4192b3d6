"""Port fakes for the UI tests (synthetic person; forced gateway/printer answers)."""
from __future__ import annotations

import threading

from kiosk.core import messages as msg
from kiosk.core.ports import CheckOutcome, IdentityProblem, PrinterFault, Resolution
from kiosk.core.views import (
    EligibilityView, InsuranceStatus, Message, PatientView, ProblemKind, ReadSource, TicketView,
)

FULL_NAME = "NGUYỄN VĂN AN"
FULL_NUMBER = "079086001234"
MASKED = "NGUYỄN V** A"
VALID = EligibilityView(InsuranceStatus.VALID, Message("valid", "Thẻ BHYT còn hạn đến 31/12/2030.",
                                                       "Card valid until 31/12/2030."))
EXPIRED = EligibilityView(InsuranceStatus.NEEDS_DESK, Message("desk_010", "Thẻ BHYT đã hết hạn sử dụng.",
                                                              "The insurance card has expired."), result_code="010")


class FakeResolver:
    def __init__(self):
        self.fail: ProblemKind | None = None
        self.reads = []

    def resolve(self, source, read):
        self.reads.append((source, read))
        if self.fail is not None:
            raise IdentityProblem(self.fail, msg.CHIP_REJECTED if self.fail is ProblemKind.REJECTED else msg.UNREADABLE)
        view = PatientView(MASKED, 1986, "*** *** 1234", source, age=40, gender=2)
        return Resolution(view, identity={"name": FULL_NAME, "number": FULL_NUMBER}, patient_id=1)


class FakeChecker:
    """Answers `answer`, or blocks (like an unreachable gateway) when `hang` is set."""

    def __init__(self):
        self.answer = VALID
        self.hang = threading.Event()
        self.release = threading.Event()

    def check(self, resolution, deadline_s):
        if self.hang.is_set():
            self.release.wait(10)
        return CheckOutcome(self.answer)


class FakeIssuer:
    def __init__(self):
        self.issued, self.printed, self.failed, self.shown = [], [], [], []

    def issue(self, request):
        n = len(self.issued) + 1
        t = TicketView(n, f"A1-{n:03d}", request.service_code, "Khám Nội tổng quát", "General internal medicine",
                       "101", request.priority, 12, f"KT1|79001|2026-11-20|A1-{n:03d}", "2026-11-20 08:30",
                       provisional=request.provisional)
        self.issued.append(request)
        return t

    def mark_printed(self, ticket_id):
        self.printed.append(ticket_id)

    def mark_print_failed(self, ticket_id, fault):
        self.failed.append((ticket_id, fault))

    def mark_shown(self, ticket_id):
        self.shown.append(ticket_id)


class FakePrinter:
    def __init__(self):
        self.faults = []
        self.tickets = []

    def print_ticket(self, ticket, facility_name=""):
        if self.faults:
            raise PrinterFault(self.faults.pop(0))
        self.tickets.append(ticket.number)

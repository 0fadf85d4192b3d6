"""core.ports.IssuerDecorator: the two TicketIssuer wrappers (sync wake-up, disk gate) hand every
call through, and add only what they are for."""
from __future__ import annotations

import pytest

from kiosk.core.ports import IssuerDecorator
from kiosk.core.views import PrinterFaultKind
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HEALTHY, CheckinGate, CheckinsRefused, Health, HealthState


class Recorder:
    def __init__(self):
        self.calls = []

    def issue(self, request):
        self.calls.append(("issue", request))
        return f"ticket for {request}"

    def mark_printed(self, ticket_id):
        self.calls.append(("printed", ticket_id))

    def mark_print_failed(self, ticket_id, fault):
        self.calls.append(("print_failed", ticket_id, fault))

    def mark_shown(self, ticket_id):
        self.calls.append(("shown", ticket_id))


def _drive(issuer) -> list:
    fault = next(iter(PrinterFaultKind))
    assert issuer.issue("req") == "ticket for req"
    issuer.mark_printed(1)
    issuer.mark_print_failed(2, fault)
    issuer.mark_shown(3)
    return [("issue", "req"), ("printed", 1), ("print_failed", 2, fault), ("shown", 3)]


def test_the_base_hands_every_call_through():
    inner = Recorder()
    assert inner.calls == [] and _drive(IssuerDecorator(inner)) == inner.calls


def test_waking_issuer_wakes_after_issue_only_and_survives_a_failed_wake():
    from kiosk.app import WakingIssuer
    inner, wakes = Recorder(), []
    waking = WakingIssuer(inner, lambda: wakes.append(len(inner.calls)))
    assert isinstance(waking, IssuerDecorator)
    assert _drive(waking) == inner.calls
    assert wakes == [1]                                   # once, after the issue was committed

    def broken():
        raise RuntimeError("worker gone")
    assert WakingIssuer(Recorder(), broken).issue("x") == "ticket for x"


def test_checkin_gate_refuses_in_maintenance_and_delegates_otherwise(tmp_path):
    inner = Recorder()
    gate = CheckinGate(inner, DiskGuard(tmp_path, min_free_mib=0), HEALTHY)
    assert isinstance(gate, IssuerDecorator)
    assert _drive(gate) == inner.calls
    gate.set_health(Health(HealthState.MAINTENANCE, "database_corrupt", "vi", "en", "detail"))
    with pytest.raises(CheckinsRefused):
        gate.issue("later")
    assert ("issue", "later") not in inner.calls and gate.refused == 1
    gate.mark_shown(9)                                    # the rest still goes through
    assert inner.calls[-1] == ("shown", 9)

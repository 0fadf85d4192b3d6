"""The check-in service: effects run on worker threads, results come back as events."""
from __future__ import annotations

import threading
import time

import pytest

from tests.core.core_helpers import (
    CFG, DESK, FULL_NAME, FULL_NUMBER, VALID, Alerts, FakeChecker, FakeIssuer, FakePrinter, FakeResolver, FAULT,
)
from kiosk.core import checkin as c
from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.ports import IssueError
from kiosk.checkin.service import CheckinService
from kiosk.core.views import InsuranceStatus, PrinterFaultKind, PriorityCategory, ProblemKind


def make(clock=None, **kw):
    ports = dict(resolver=kw.pop("resolver", FakeResolver()), checker=kw.pop("checker", FakeChecker()),
                 issuer=kw.pop("issuer", FakeIssuer()), printer=kw.pop("printer", FakePrinter()),
                 alerter=kw.pop("alerter", Alerts()))
    svc = CheckinService(kw.pop("cfg", CFG), clock=clock or SystemClock(), **ports, **kw)
    seen: list[c.State] = []
    changed = threading.Condition()

    def listen(state):
        with changed:
            seen.append(state)
            changed.notify_all()
    svc.add_listener(listen)

    def wait_for(kind, timeout=5.0, until=lambda state: True):
        deadline = time.monotonic() + timeout
        with changed:
            while not (isinstance(svc.state, kind) and until(svc.state)):
                left = deadline - time.monotonic()
                assert left > 0, f"waited for {kind.__name__}, still {type(svc.state).__name__}"
                changed.wait(left)
        return svc.state
    return svc, ports, seen, wait_for


def checked(state) -> bool:
    return state.eligibility.status is not InsuranceStatus.CHECKING


def test_threaded_happy_path_and_nothing_kept():
    svc, ports, seen, wait_for = make()
    try:
        svc.post(c.QrScanned(b"qr"))
        wait_for(c.Confirm, until=checked)
        svc.post(c.ConfirmYes())
        wait_for(c.ChooseService)
        svc.post(c.ServiceChosen("K01"))
        shown = wait_for(c.TicketShown)
        assert shown.printed and ports["printer"].printed == ["A1-001"]
        assert ports["issuer"].tickets[1]["status"] == "printed"
        assert svc.open_sessions() == 1
        svc.post(c.Dismiss())
        assert isinstance(svc.state, c.Idle) and svc.open_sessions() == 0
        names = [type(s).__name__ for s in seen]
        assert names[:3] == ["Reading", "Confirm", "Confirm"] and names[-3:] == ["Printing", "TicketShown", "Idle"]
        assert not any(FULL_NAME in repr(s) or FULL_NUMBER in repr(s) for s in seen)
    finally:
        svc.close()


def test_slow_gateway_goes_provisional_at_the_deadline():
    cfg = c.MachineConfig(services=CFG.services, eligibility_deadline_s=0.2)
    svc, ports, seen, wait_for = make(cfg=cfg, checker=FakeChecker(VALID, delay=2.0))
    try:
        t0 = time.monotonic()
        svc.post(c.QrScanned(b"qr"))
        wait_for(c.Confirm)
        svc.post(c.ConfirmYes())
        st = wait_for(c.ChooseService)
        assert st.eligibility.status is InsuranceStatus.PROVISIONAL
        assert time.monotonic() - t0 < 1.5
        svc.post(c.ServiceChosen("K02"))
        wait_for(c.TicketShown)
        assert ports["issuer"].tickets[1]["provisional"] is True
    finally:
        svc.close()


def test_checker_exception_is_provisional():
    svc, ports, seen, wait_for = make(checker=FakeChecker(ConnectionError("down")))
    try:
        svc.post(c.QrScanned(b"qr"))
        assert wait_for(c.Confirm, until=checked).eligibility.status is InsuranceStatus.PROVISIONAL
    finally:
        svc.close()


def inline(**kw):
    clock = FakeClock()
    svc, ports, seen, _ = make(clock=clock, runner=lambda lane, fn, args: fn(*args), **kw)
    return svc, ports, seen, clock


def through_to_service(svc):
    svc.post(c.QrScanned(b"qr"))
    svc.post(c.ConfirmYes())
    return svc.state


def test_printer_out_of_paper_then_reprint():
    svc, ports, seen, clock = inline()
    ports["printer"].fault = PrinterFaultKind.PAPER_OUT
    through_to_service(svc)
    st = svc.post(c.ServiceChosen("K01"))
    assert st == c.PrinterFailed(st.session, st.ticket, PrinterFaultKind.PAPER_OUT, 1)
    assert ports["issuer"].tickets[1]["status"] == "print_failed"
    ports["printer"].fault = None
    st = svc.post(c.Reprint())
    assert isinstance(st, c.TicketShown) and st.printed
    assert ports["issuer"].tickets[1]["status"] == "printed" and len(ports["issuer"].tickets) == 1


def test_printer_failure_shown_on_screen():
    svc, ports, seen, clock = inline()
    ports["printer"].fault = PrinterFaultKind.OFFLINE
    through_to_service(svc)
    svc.post(c.ServiceChosen("K01"))
    st = svc.post(c.ShowOnScreen())
    assert isinstance(st, c.TicketShown) and not st.printed
    assert ports["issuer"].tickets[1]["status"] == "shown"


def test_expired_card_gets_a_ticket_for_the_desk_check():
    svc, ports, seen, clock = inline(checker=FakeChecker(DESK))
    st = through_to_service(svc)
    assert isinstance(st, c.ChooseService) and st.eligibility.status is InsuranceStatus.NEEDS_DESK
    svc.post(c.ServiceChosen("K01"))
    assert len(ports["issuer"].tickets) == 1


def test_config_fault_alerts_staff_and_continues():
    svc, ports, seen, clock = inline(checker=FakeChecker(FAULT))
    st = through_to_service(svc)
    assert isinstance(st, c.ChooseService) and st.eligibility.status is InsuranceStatus.PROVISIONAL
    assert ports["alerter"].reasons == ["054"]


def test_forged_chip_is_rejected():
    svc, ports, seen, clock = inline(resolver=FakeResolver(fail=ProblemKind.REJECTED))
    svc.post(c.ChipPresented())
    st = svc.post(c.ChipReadDone("read"))
    assert st.kind is ProblemKind.REJECTED and not st.retry


def test_already_issued_and_issue_errors():
    svc, ports, seen, clock = inline()
    through_to_service(svc)
    svc.post(c.ServiceChosen("K01"))
    svc.post(c.Dismiss())
    through_to_service(svc)
    st = svc.post(c.ServiceChosen("K01"))
    assert st.kind is ProblemKind.ALREADY_ISSUED and "A1-001" in st.message.vi
    svc.post(c.Dismiss())
    ports["issuer"].fail = IssueError("disk full")
    through_to_service(svc)
    st = svc.post(c.ServiceChosen("K02"))
    assert st.kind is ProblemKind.ISSUE_FAILED


def test_elderly_priority_reaches_the_issuer():
    svc, ports, seen, clock = inline(resolver=FakeResolver(age=80))
    through_to_service(svc)
    svc.post(c.ServiceChosen("K01"))
    assert ports["issuer"].tickets[1]["priority"] is PriorityCategory.ELDERLY


def test_inactivity_reset_uses_the_clock_and_touches_rearm():
    svc, ports, seen, clock = inline()
    through_to_service(svc)
    clock.advance(29)
    svc.poll()
    svc.post(c.Activity())                      # a touch: 30 s more
    clock.advance(29)
    svc.poll()
    assert isinstance(svc.state, c.ChooseService)
    clock.advance(1.5)
    svc.poll()
    assert isinstance(svc.state, c.Idle) and svc.open_sessions() == 0


def test_ticket_screen_timeout():
    svc, ports, seen, clock = inline()
    through_to_service(svc)
    svc.post(c.ServiceChosen("K01"))
    assert svc.seconds_left() == pytest.approx(CFG.ticket_screen_s)
    clock.advance(CFG.ticket_screen_s)
    svc.poll()
    assert isinstance(svc.state, c.Idle)
    assert svc.seconds_left() is None


def test_ticket_issued_after_its_session_ended_is_flagged_for_the_desk():
    queued = []
    clock = FakeClock()
    svc, ports, seen, _ = make(clock=clock, runner=lambda lane, fn, args: queued.append((fn, args)))
    svc.post(c.QrScanned(b"qr"))
    fn, args = queued.pop(0)
    fn(*args)                                   # identity resolved
    fn, args = queued.pop(0)
    fn(*args)                                   # eligibility answered
    svc.post(c.ConfirmYes())
    svc.post(c.ServiceChosen("K01"))
    clock.advance(CFG.issue_timeout_s)
    svc.poll()                                  # gave up waiting for the transaction
    assert isinstance(svc.state, c.Problem)
    fn, args = queued.pop(0)
    fn(*args)                                   # ... which then commits
    assert ports["issuer"].tickets[1]["status"] == "print_failed"
    assert isinstance(svc.state, c.Problem)


def test_timer_thread_fires_timeouts():
    cfg = c.MachineConfig(services=CFG.services, inactivity_s=0.2)
    svc, ports, seen, wait_for = make(cfg=cfg)
    svc.start(tick_s=0.02)
    try:
        svc.post(c.KeypadOpened())
        wait_for(c.Idle, timeout=3)
    finally:
        svc.close()

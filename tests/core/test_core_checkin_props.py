"""Property test: a hypothesis state machine drives the check-in service with effects completing
in any order, faults switched on and off, and the clock moving; the invariants hold throughout."""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core_helpers import (
    CFG, DESK, FAULT, FULL_NAME, FULL_NUMBER, PROV, VALID, Alerts, FakeChecker, FakeIssuer, FakePrinter, FakeResolver,
)
from kiosk.core import checkin as c
from kiosk.core.clock import FakeClock
from kiosk.core.ports import IssueError
from kiosk.checkin.service import CheckinService
from kiosk.core.views import PrinterFaultKind, PriorityCategory, ProblemKind

UI_EVENTS = st.sampled_from([
    c.QrScanned(b"qr"), c.ChipPresented(), c.ChipProgress("dg13", 3, 5), c.ChipRemoved(), c.ChipNeedsQr(), c.ChipReadDone("r"),
    c.ChipReadFailed(), c.ChipReadFailed(rejected=True), c.KeypadOpened(), c.KeypadKey("7"),
    c.KeypadKey("BACKSPACE"), c.KeypadSubmit(), c.ConfirmYes(), c.ConfirmNo(),
    c.PriorityToggled(PriorityCategory.DISABILITY), c.PriorityToggled(PriorityCategory.ELDERLY),
    c.ServiceChosen("K01"), c.ServiceChosen("K02"), c.ServiceChosen("ZZZ"), c.Reprint(), c.ShowOnScreen(),
    c.Back(), c.Cancel(), c.Dismiss(), c.Activity(),
])


class Kiosk(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.clock = FakeClock()
        self.pending: list[tuple] = []
        self.resolver, self.checker = FakeResolver(), FakeChecker()
        self.issuer, self.printer = FakeIssuer(), FakePrinter()
        self.issues_per_session: dict[int, int] = {}
        self.svc = CheckinService(CFG, resolver=self.resolver, checker=self.checker, issuer=self.issuer,
                                  printer=self.printer, clock=self.clock, alerter=Alerts(), runner=self._queue)
        self.seen: list[c.State] = []
        self.svc.add_listener(self.seen.append)

    def _queue(self, lane, fn, args):
        if getattr(fn, "__name__", "") == "_issue":
            sid = args[0].session
            self.issues_per_session[sid] = self.issues_per_session.get(sid, 0) + 1
        self.pending.append((fn, args))

    # ---------------------------------------------------------------- what happens

    @rule(event=UI_EVENTS)
    def ui(self, event):
        self.svc.post(event)

    @rule(choice=st.integers(0, 3))
    def patient_goes_on(self, choice):
        """The natural next tap for the screen shown, so runs reach the deep states often."""
        state = self.svc.state
        nxt = {c.Idle: [c.QrScanned(b"qr"), c.ChipPresented(), c.KeypadOpened()],
               c.Keypad: [c.KeypadKey("1"), c.KeypadSubmit()],
               c.Reading: [c.ChipReadDone("r"), c.ChipProgress("bac", 1, 5)],
               c.Confirm: [c.ConfirmYes()],
               c.ChooseService: [c.ServiceChosen("K01"), c.ServiceChosen("K03"),
                                 c.PriorityToggled(PriorityCategory.MERIT)],
               c.PrinterFailed: [c.Reprint(), c.ShowOnScreen()],
               c.TicketShown: [c.Dismiss()], c.Problem: [c.Dismiss()]}.get(type(state))
        if nxt:
            self.svc.post(nxt[choice % len(nxt)])
        elif self.pending:
            fn, args = self.pending.pop(0)
            fn(*args)

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def complete_an_effect(self, data):
        i = data.draw(st.integers(0, len(self.pending) - 1))
        fn, args = self.pending.pop(i)
        fn(*args)

    @rule(seconds=st.sampled_from([1.0, 5.0, 8.0, 20.0, 31.0]))
    def time_passes(self, seconds):
        self.clock.advance(seconds)
        self.svc.poll()

    @rule(age=st.sampled_from([3, 40, 80, None]), fail=st.sampled_from([None, None, ProblemKind.UNREADABLE,
                                                                       ProblemKind.REJECTED]))
    def next_person(self, age, fail):
        self.resolver.age, self.resolver.fail = age, fail

    @rule(answer=st.sampled_from([VALID, VALID, DESK, PROV, FAULT, ConnectionError("down")]))
    def gateway_answers(self, answer):
        self.checker.answer = answer

    @rule(fault=st.sampled_from([None, PrinterFaultKind.PAPER_OUT, PrinterFaultKind.OFFLINE]))
    def printer_state(self, fault):
        self.printer.fault = fault

    @rule(broken=st.booleans())
    def database(self, broken):
        self.issuer.fail = IssueError("disk") if broken else None

    @rule()
    def desk_closes_all_tickets(self):
        # lets the same person take the same service again (the desk marks tickets done)
        for t in self.issuer.tickets.values():
            if t["status"] in ("printed", "shown", "print_failed"):
                t["status"] = "done"

    # ---------------------------------------------------------------- invariants

    @invariant()
    def nothing_personal_on_any_screen(self):
        text = repr(self.svc.state)
        assert FULL_NAME not in text and FULL_NUMBER not in text

    @invariant()
    def nothing_personal_retained_after_idle(self):
        if isinstance(self.svc.state, c.Idle):
            assert self.svc.open_sessions() == 0
            assert self.svc._sessions == {}

    @invariant()
    def no_state_without_an_exit(self):
        state = self.svc.state
        if isinstance(state, c.Idle):
            assert c.timeout_of(state, CFG) is None
            return
        assert self.svc.seconds_left() is not None
        for _ in range(6):                        # timeouts alone always lead back to idle
            t = c.timeout_of(state, CFG)
            assert t is not None and 0 < t < 600
            nxt = c.handle(state, c.Timeout(state.session), CFG).state
            assert type(nxt) is not type(state)
            state = nxt
            if isinstance(state, c.Idle):
                break
        assert isinstance(state, c.Idle)

    @invariant()
    def one_ticket_per_issued_visit(self):
        assert all(n == 1 for n in self.issues_per_session.values())
        numbers = [t["number"] for t in self.issuer.tickets.values()]
        assert len(numbers) == len(set(numbers))

    @invariant()
    def issued_tickets_are_printed_or_shown_once_settled(self):
        if isinstance(self.svc.state, c.Idle) and not self.pending:
            for t in self.issuer.tickets.values():
                assert t["status"] in ("printed", "shown", "print_failed", "done")

    def teardown(self):
        REACHED.update(type(s).__name__ for s in self.seen)
        self.svc.close()


REACHED: set[str] = set()
TestCheckinProperties = Kiosk.TestCase
TestCheckinProperties.settings = settings(max_examples=200, stateful_step_count=50, deadline=None, database=None, derandomize=True,
                                          suppress_health_check=[HealthCheck.too_slow])


def test_the_property_run_reached_every_state():
    """Guards the property test itself: it must have visited every screen (run after it)."""
    if not REACHED:
        import pytest
        pytest.skip("run together with TestCheckinProperties")
    assert REACHED >= {t.__name__ for t in c.ALL_STATES}, REACHED

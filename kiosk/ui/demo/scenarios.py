"""`kiosk demo --headless --scenario all`: the failure paths a scripted happy path never walks,
through the real UI, state machine, gateway simulator and printer simulator. Each scenario plays
the patient, checks where the kiosk leads them, and writes the screenshots of every screen passed
(prefixed with the scenario's name), so reviewers see the error screens too (issue 14 M13).

Scenarios: no_card (CCCD only: a fee-paying ticket), expired (a ticket flagged for the desk),
gateway_offline (a provisional ticket), paper_out (the number on screen until "I have noted it",
the idle screen warns the next patient), unknown_qr, forged_chip (needs the virtual chip),
timeout (the patient walks away: back to idle), first_visit (a valid CCCD typed on the keypad that
this kiosk has never seen: a ticket flagged for the desk to confirm the identity).
"""
from __future__ import annotations

import time
from typing import Any, Callable

from kiosk.core import checkin as c
from kiosk.ui.demo.headless import CheckinFailed, CheckinResult, HeadlessDriver

NAMES = ("no_card", "expired", "first_visit", "gateway_offline", "paper_out", "unknown_qr", "forged_chip", "timeout")
FIRST_VISIT_CCCD = "079085000001"     # a valid CCCD number no demo citizen has: never cached


class Skipped(Exception):
    """The scenario needs a part this run does not have (the virtual chip, the in-process gateway)."""


class Scenarios:
    def __init__(self, driver: HeadlessDriver, *, env: Any, chip: Any = None):
        self.d = driver
        self.kiosk = driver.kiosk
        self.env = env
        self.chip = chip

    # ------------------------------------------------------------ helpers

    def _scan(self, payload: bytes) -> None:
        self.kiosk.parts.sim_scanner.inject(payload)

    def _person(self, key: str):
        from kiosk.demo.people import by_key
        return by_key(key)

    def _to_ticket(self, person_key: str, expect_status: str) -> c.State:
        d = self.d
        person = self._person(person_key)
        self._scan((person.cccd_qr or person.bhyt_qr).encode("utf-8"))
        state = d.wait_for(lambda s: isinstance(s, c.Confirm) and s.eligibility.status.value != "checking",
                           "the insurance answer")
        if state.eligibility.status.value != expect_status:
            raise CheckinFailed(f"insurance {state.eligibility.status.value}, expected {expect_status}")
        d.tap(d.screen("confirm").yes)
        state = d.wait_for(lambda s: isinstance(s, c.ChooseService), "the service choice")
        used = d.used.setdefault(person.key, set())
        code = next(x.code for x in state.services if x.code not in used)
        d.tap(d.screen("service").service_buttons[code])
        used.add(code)
        return d.wait_for(lambda s: isinstance(s, (c.TicketShown, c.PrinterFailed, c.Problem)), "the ticket")

    def _done(self, state: c.State) -> None:
        if isinstance(state, c.TicketShown):
            self.d.tap(self.d.screen("ticket").done)
        elif isinstance(state, c.Problem):
            self.d.tap(self.d.screen("error").primary)          # "Thử lại" / "Đã hiểu"
        self.d.wait_for(lambda s: isinstance(s, c.Idle), "the idle screen")

    # ------------------------------------------------------------ the scenarios

    def no_card(self) -> str:
        state = self._to_ticket("cccd_only", "no_card")
        if not (isinstance(state, c.TicketShown) and state.ticket.fee_paying):
            raise CheckinFailed(f"{type(state).__name__} instead of a fee-paying ticket")
        self._done(state)
        return f"fee-paying ticket {state.ticket.number}"

    def expired(self) -> str:
        state = self._to_ticket("expired_bhyt", "needs_desk")
        if not (isinstance(state, c.TicketShown) and state.ticket.desk_check):
            raise CheckinFailed(f"{type(state).__name__} instead of a desk-check ticket")
        self._done(state)
        return f"desk-check ticket {state.ticket.number}"

    def first_visit(self) -> str:
        d = self.d
        d.tap(d.screen("idle").keypad_way.action)
        d.wait_for(lambda s: isinstance(s, c.Keypad), "the keypad")
        for ch in FIRST_VISIT_CCCD:
            d.tap(d.screen("keypad").keypad.keys[ch])
        d.wait_for(lambda s: isinstance(s, c.Keypad) and s.text == FIRST_VISIT_CCCD, "the typed number")
        d.tap(d.screen("keypad").ok)
        state = d.wait_for(lambda s: isinstance(s, (c.Confirm, c.Problem)), "the confirmation")
        if not (isinstance(state, c.Confirm) and state.patient.unconfirmed):
            raise CheckinFailed(f"{type(state).__name__} instead of a first-visit confirmation")
        d.tap(d.screen("confirm").yes)
        state = d.wait_for(lambda s: isinstance(s, c.ChooseService), "the service choice")
        d.tap(d.screen("service").service_buttons[state.services[0].code])
        state = d.wait_for(lambda s: isinstance(s, (c.TicketShown, c.PrinterFailed, c.Problem)), "the ticket")
        if not (isinstance(state, c.TicketShown) and state.ticket.identity_check):
            raise CheckinFailed(f"{type(state).__name__} instead of a ticket for the desk")
        self._done(state)
        return f"first visit: ticket {state.ticket.number}, identity to confirm at the desk"

    def gateway_offline(self) -> str:
        gw = self.env.gateway
        if gw is None:
            raise Skipped("skipped: an external gateway cannot be taken offline from here")
        # someone not checked in this run: a fresh cached answer would make the gateway unnecessary
        fresh = [k for k in ("year_only", "returning", "child_te", "elderly", "valid_bhyt") if k not in self.d.used]
        if not fresh:
            raise Skipped("skipped: every candidate already has a fresh card check in this run")
        gw.set_faults(drop_before_rate=1.0)
        try:
            state = self._to_ticket(fresh[0], "provisional")
        finally:
            gw.clear_faults()
        if not (isinstance(state, c.TicketShown) and state.ticket.provisional):
            raise CheckinFailed(f"{type(state).__name__} instead of a provisional ticket")
        self._done(state)
        return f"provisional ticket {state.ticket.number}"

    def paper_out(self) -> str:
        printer = self.kiosk.parts.printer
        if not hasattr(printer, "set_fault"):
            raise CheckinFailed("the printer is not the simulator")
        printer.set_fault("paper_out")
        try:
            state = self._to_ticket("valid_bhyt", "valid")
            if not isinstance(state, c.PrinterFailed):
                raise CheckinFailed(f"{type(state).__name__} instead of the printer problem")
            self.d.tap(self.d.screen("error").secondary)       # "Xem số trên màn hình"
            state = self.d.wait_for(lambda s: isinstance(s, c.TicketShown), "the ticket on screen")
            number = state.ticket.number
            self._done(state)
            idle = self.d.screen("idle")
            if not idle.printer_notice.isVisible():
                raise CheckinFailed("the idle screen does not warn about the printer")
            self.d.capture.seen.discard("idle")
            self.d.capture.capture(self.kiosk.ui.window.state)     # the warning the next patient sees
        finally:
            printer.set_fault(None)
        return f"ticket {number} shown on screen; idle screen warns"

    def unknown_qr(self) -> str:
        self._scan(b"https://example.org/not-a-health-card")
        state = self.d.wait_for(lambda s: isinstance(s, c.Problem), "the problem screen")
        self._done(state)
        return f"problem: {state.kind.value}"

    def forged_chip(self) -> str:
        if self.chip is None:
            raise Skipped("skipped: no virtual chip (run with --chip; needs pcscd + vpcd)")
        self.chip.present("forged")
        state = self.d.wait_for(lambda s: isinstance(s, c.Problem), "the problem screen", timeout=30)
        self.chip.remove()
        if state.kind.value != "rejected":
            raise CheckinFailed(f"problem {state.kind.value}, expected rejected")
        self._done(state)
        return "forged card refused: passive authentication failed"

    def timeout(self) -> str:
        d = self.d
        d.tap(d.screen("idle").keypad_way.action)
        state = d.wait_for(lambda s: isinstance(s, c.Keypad), "the keypad")
        for ch in "079085":
            d.tap(d.screen("keypad").keypad.keys[ch])
        # the patient walks away: the service's inactivity timer sends exactly this
        self.kiosk.ui.service.post(c.Timeout(state.session))
        d.wait_for(lambda s: isinstance(s, c.Idle), "the idle screen after the timeout")
        return "back to idle, nothing kept"

    # ------------------------------------------------------------ running

    def run(self, names: list[str], start_index: int) -> list[CheckinResult]:
        results = []
        for i, name in enumerate(names):
            fn: Callable[[], str] = getattr(self, name)
            r = CheckinResult(start_index + i + 1, name, "scenario")
            self.d.capture.prefix = f"scenario-{name.replace('_', '-')}-"
            self.d.capture.seen = set()
            t0 = time.perf_counter()
            try:
                self.d.wait_for(lambda s: isinstance(s, c.Idle), "the idle screen")
                r.outcome = fn()
                r.ok = True
            except Skipped as exc:
                r.ok, r.outcome = True, str(exc)
            except CheckinFailed as exc:
                r.error = str(exc)
                self.d._recover()
            r.timings_ms = {"total": round((time.perf_counter() - t0) * 1000, 1)}
            results.append(r)
        self.d.capture.prefix = ""
        return results


def scenario_names(spec: str) -> list[str]:
    """`all` or a comma list of NAMES; raises ValueError naming the unknown ones."""
    if spec.strip() == "all":
        return list(NAMES)
    names = [n.strip().replace("-", "_") for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise ValueError(f"unknown scenario(s): {', '.join(unknown)} (known: all, {', '.join(NAMES)})")
    return names

"""`kiosk demo --headless`: N scripted check-ins through the real UI and state machine, offscreen.

Each check-in presents a demo citizen the way a patient would (QR to the simulated scanner, the
on-screen keypad, or the virtual chip), taps the real buttons, and waits for the ticket. It writes a
screenshot of every screen passed (vi and en) and summary.json; any failed check-in fails the run.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.core import checkin as c
from kiosk.ui.demo.capture import ScreenCapture, settle
from kiosk.ui.qt import QApplication, Qt, QtTest

STEP_TIMEOUT_S = 20.0


class CheckinFailed(Exception):
    """A scripted check-in did not reach its ticket (the message names the screen it stopped on)."""


@dataclass
class CheckinResult:
    index: int
    person: str                       # the demo citizen's key (synthetic), never a name
    mode: str                         # qr | keypad | chip
    ok: bool = False
    ticket: str | None = None
    room: str | None = None
    service: str | None = None
    priority: str | None = None
    printed: bool | None = None
    provisional: bool | None = None
    insurance: str | None = None
    error: str | None = None
    outcome: str | None = None        # a scenario: where the kiosk led the patient
    timings_ms: dict[str, float] = field(default_factory=dict)


class HeadlessDriver:
    def __init__(self, app: QApplication, kiosk, out_dir: Path, people, *, chip_present=None,
                 size: tuple[int, int] = (1080, 1920), prefix: str = ""):
        self.app = app
        self.kiosk = kiosk
        self.ui = kiosk.ui
        self.out_dir = Path(out_dir)
        # Everyone, including the expired card (a desk-check ticket) and the CCCD-only citizen (a
        # fee-paying ticket): every patient gets somewhere (issue 14 B3).
        self.people = list(people)
        self.typed_people: list = []       # people already in the local cache (checked in this run)
        self.used: dict[str, set[str]] = {}  # services each person already holds a ticket for
        self.chip_present = chip_present
        self.capture = ScreenCapture(app, self.ui, self.out_dir, prefix)
        self.ui.window.resize(*size)
        self.ui.window.show()
        settle(app)

    # ------------------------------------------------------------ helpers

    def _pump(self) -> None:
        self.app.processEvents()
        self.capture.capture_pending()

    def wait_for(self, pred: Callable[[Any], bool], what: str, timeout: float = STEP_TIMEOUT_S) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._pump()
            state = self.ui.window.state
            if self.capture.pending is None and pred(state):
                return state
            time.sleep(0.002)
        raise CheckinFailed(f"waiting for {what}: stopped on {type(self.ui.window.state).__name__}")

    def tap(self, widget) -> None:
        if not (widget.isVisible() and widget.isEnabled()):
            raise CheckinFailed(f"button {widget.objectName() or widget.text()!r} is not available")
        QtTest.QTest.mouseClick(widget, Qt.MouseButton.LeftButton)

    def screen(self, name: str):
        return self.ui.window.screens[name]

    # ------------------------------------------------------------ one check-in

    def mode_for(self, index: int) -> str:
        if index % 3 == 1 and self.typed_people:
            return "keypad"                # a typed number is looked up in the local cache
        if index % 3 == 2 and self.chip_present is not None:
            return "chip"
        return "qr"

    def present(self, person, mode: str) -> None:
        if mode == "qr":
            payload = person.cccd_qr or person.bhyt_qr
            self.kiosk.parts.sim_scanner.inject(payload.encode("utf-8"))
        elif mode == "chip":
            self.chip_present(person)
        else:
            self.tap(self.screen("idle").keypad_way.action)
            self.wait_for(lambda s: isinstance(s, c.Keypad), "the keypad")
            pad = self.screen("keypad").keypad
            number = person.identity.cccd.number if person.identity.cccd else person.identity.bhyt.code15
            for ch in number:
                if ch.isalpha() and pad.currentWidget() is not pad.letters_page:
                    self.tap(pad.to_letters)
                elif ch.isdigit() and pad.currentWidget() is not pad.digits_page:
                    self.tap(pad.to_digits)
                self.tap(pad.keys[ch])
            self.wait_for(lambda s: isinstance(s, c.Keypad) and s.text == number, "the typed number")
            self.tap(self.screen("keypad").ok)

    def checkin(self, index: int) -> CheckinResult:
        mode = self.mode_for(index)
        person = self.typed_people.pop(0) if mode == "keypad" else self.people[index % len(self.people)]
        i = person.identity
        if mode == "chip" and not (i.cccd and i.birth_date and not i.birth_date.year_only):
            mode = "qr"                    # no chip card for this citizen
        r = CheckinResult(index + 1, person.key, mode)
        grabbed = self.capture.seconds
        t0 = time.perf_counter()
        try:
            self.wait_for(lambda s: isinstance(s, c.Idle), "the idle screen")
            self.present(person, mode)
            t_scan = time.perf_counter()
            state = self.wait_for(lambda s: isinstance(s, (c.Confirm, c.Problem)), "the confirmation")
            if isinstance(state, c.Problem):
                raise CheckinFailed(f"problem after reading: {state.kind.value}")
            state = self.wait_for(lambda s: not isinstance(s, c.Confirm) or
                                  s.eligibility.status.value != "checking", "the insurance answer",
                                  timeout=10)
            r.insurance = state.eligibility.status.value if isinstance(state, c.Confirm) else None
            t_confirm = time.perf_counter()
            self.tap(self.screen("confirm").yes)
            state = self.wait_for(lambda s: isinstance(s, (c.ChooseService, c.Problem)), "the service choice")
            if isinstance(state, c.Problem):
                raise CheckinFailed(f"problem after confirming: {state.kind.value}")
            # the follow-up first when there is one, else a service this person has no ticket for
            # yet (one active ticket per patient, service and day); rotate for variety
            used = self.used.setdefault(person.key, set())
            order = list(state.services) if state.follow_up else \
                list(state.services[index % len(state.services):]) + list(state.services[:index % len(state.services)])
            free = [x.code for x in order if x.code not in used]
            if not free:
                raise CheckinFailed("every service already has a ticket for this person today")
            code = free[0]
            t_choose = time.perf_counter()
            self.tap(self.screen("service").service_buttons[code])
            state = self.wait_for(lambda s: isinstance(s, (c.TicketShown, c.Problem, c.PrinterFailed)), "the ticket")
            t_ticket = time.perf_counter()
            if not isinstance(state, c.TicketShown):
                raise CheckinFailed(f"{type(state).__name__} instead of the ticket")
            t = state.ticket
            r.ticket, r.room, r.service, r.printed = t.number, t.room, t.service_code, state.printed
            r.priority = t.priority.value if t.priority else None
            r.provisional = t.provisional
            self.tap(self.screen("ticket").done)
            self.wait_for(lambda s: isinstance(s, c.Idle), "the idle screen after the ticket")
            r.ok = True
            self.used.setdefault(person.key, set()).add(code)
            if mode != "keypad" and person.identity.cccd:
                self.typed_people.append(person)
            grab = (self.capture.seconds - grabbed) * 1000
            r.timings_ms = {
                "scan_to_confirm": round((t_confirm - t_scan) * 1000, 1),
                "choose_to_ticket": round((t_ticket - t_choose) * 1000, 1),
                "total": round((time.perf_counter() - t0) * 1000, 1),
                "screenshots": round(grab, 1),
            }
        except CheckinFailed as exc:
            r.error = str(exc)
            self._recover()
        return r

    def _recover(self) -> None:
        """Leave a failed check-in the way a patient would: cancel, back to idle."""
        self.ui.service.post(c.Cancel())
        try:
            self.wait_for(lambda s: isinstance(s, c.Idle), "idle after a failure", timeout=5)
        except CheckinFailed:
            pass

    def run(self, n: int) -> list[CheckinResult]:
        self.capture.capture(self.ui.window.state)       # the idle screen first
        return [self.checkin(i) for i in range(n)]


def write_summary(path: Path, results: list[CheckinResult], extra: dict) -> dict:
    summary = {
        "checkins": [asdict(r) for r in results],
        "ok": all(r.ok for r in results),
        "failed": sum(not r.ok for r in results),
        "tickets": [{"number": r.ticket, "room": r.room, "service": r.service, "printed": r.printed,
                     "provisional": r.provisional} for r in results if r.ok],
        **extra,
    }
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary

"""Screenshots of every screen the headless demo passes, in Vietnamese and English.

When a state of a kind not yet captured is rendered, the bridge is held (later states queue, the
check-in service keeps running), the window is grabbed in both languages, then released — so even
a state that lasts a millisecond (reading a QR, printing) is captured as the patient saw it.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kiosk.core import checkin as c
from kiosk.ui.qt import QApplication, QCoreApplication, QEventLoop

# File stem of each state kind (the screen plus what it shows).
STEM = {
    c.Idle: "idle", c.Reading: "reading", c.Keypad: "keypad", c.Confirm: "confirm",
    c.CheckingEligibility: "confirm-checking", c.ChooseService: "service", c.Issuing: "issuing",
    c.Printing: "printing", c.TicketShown: "ticket", c.Problem: "problem", c.PrinterFailed: "printer-failed",
}


def settle(app: QApplication, rounds: int = 4) -> None:
    """Let posted events (LanguageChange, layout requests, zero timers) run to the end."""
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


class ScreenCapture:
    def __init__(self, app: QApplication, ui, out_dir: Path, prefix: str = ""):
        self.app = app
        self.ui = ui
        self.out_dir = Path(out_dir)
        self.prefix = prefix
        self.seen: set[str] = set()
        self.files: list[str] = []
        self.pending: Any = None
        self.seconds = 0.0
        self.enabled = True
        ui.window.rendered.connect(self._on_rendered)

    def _key(self, state: Any) -> str | None:
        if isinstance(state, c.Keypad) and len(state.text) < 6:
            return None                            # show the keypad with a number typed
        stem = STEM[type(state)]
        if isinstance(state, c.Reading):
            stem += "-" + state.source.value + ("-card-away" if state.card_removed else "")
        if isinstance(state, c.Problem):
            stem += "-" + state.kind.value
        if isinstance(state, c.Confirm) and state.eligibility.status.value == "checking":
            stem += "-checking-card"
        elif isinstance(state, c.Confirm) and state.eligibility.status.value in ("needs_desk", "no_card", "provisional"):
            stem += "-" + state.eligibility.status.value.replace("_", "-")
        if isinstance(state, c.TicketShown) and not state.printed:
            stem += "-on-screen"
        if isinstance(state, c.ChooseService) and state.follow_up is not None:
            stem += "-follow-up"
        return stem

    def _on_rendered(self, state: Any) -> None:
        if not self.enabled or self.pending is not None:
            return
        key = self._key(state)
        if key is not None and key not in self.seen:
            self.ui.bridge.hold()                 # keep this screen up until it is captured
            self.pending = state

    def capture_pending(self) -> None:
        """Call from the driver's loop (never from inside a signal)."""
        if self.pending is None:
            return
        state, self.pending = self.pending, None
        self.capture(state)
        self.ui.bridge.release()

    def capture(self, state: Any) -> None:
        t0 = time.perf_counter()
        key = self._key(state) or STEM[type(state)]
        self.seen.add(key)
        index = len(self.seen)
        window = self.ui.window
        original = window.translations.language
        for lang in (original, "en" if original == "vi" else "vi"):
            window.set_language(lang)
            settle(self.app)
            name = f"{self.prefix}{index:02d}-{key}-{lang}.png"
            if not window.grab().save(str(self.out_dir / name)):
                raise OSError(f"could not write {name}")
            self.files.append(name)
        window.set_language(original)
        settle(self.app)
        self.seconds += time.perf_counter() - t0

"""The Qt thread never waits on a PIN hash, a store or the hub: the caller panel's backend and
the display's feed run on their own threads. Each slow fake here blocks until a QTimer on the Qt
thread releases it: were the slow call on the Qt thread, the timer could not fire and the call
would give up (no timings asserted, a deadlock or not)."""
from __future__ import annotations

import threading

from kiosk.calling.background import BackgroundFeed
from kiosk.calling.feed import FeedState
from kiosk.core.queue.board import Board, CallLine

GATE_S = 5.0


class Gate:
    def __init__(self):
        self.event = threading.Event()
        self.threads: list[str] = []

    def block(self) -> None:
        self.threads.append(threading.current_thread().name)
        if not self.event.wait(GATE_S):
            raise TimeoutError("the Qt thread never released the gate: it was blocked")


class SlowBackend:
    """A caller backend whose sign-in (Argon2) and reads are slow."""

    def __init__(self, gate: Gate):
        self.gate, self.session = gate, None

    def counters(self):
        from kiosk.core.queue.model import Counter
        return [Counter("Q1", "Quầy 1", "Counter 1", "Q1", ("K01",))]

    def services(self):
        return ["K01"]

    def sign_in(self, username, pin):
        self.gate.block()
        self.session = username

    def sign_out(self):
        self.session = None

    def act(self, action, counter_id, **kw):
        self.gate.block()
        return None

    def current(self, counter_id):
        return None

    def waiting(self, counter_id):
        return ["A1-001"]


def test_caller_sign_in_and_call_next_do_not_block_the_qt_thread(qtbot):
    from kiosk.ui.caller.panel import CallerPanel
    from kiosk.ui.qt import QTimer
    gate = Gate()
    panel = CallerPanel(SlowBackend(gate), counter_id="Q1")
    qtbot.addWidget(panel)
    panel.user.setText("le.thu")
    panel.pin.setText("591846")
    QTimer.singleShot(50, gate.event.set)         # fires only if the Qt thread is free
    panel.sign_in()
    assert panel.stack.currentIndex() == 0 and panel.pending == 1      # sent, not yet answered
    qtbot.waitUntil(lambda: panel.stack.currentIndex() == 1 and not panel.pending, timeout=8000)
    assert panel.signin_status.text() == "" and panel.backend.session == "le.thu"
    gate.event.clear()
    QTimer.singleShot(50, gate.event.set)
    panel.do("next")
    qtbot.waitUntil(lambda: not panel.pending and "Nobody waiting" in panel.status.text(), timeout=8000)
    assert all(name.startswith("caller-db") for name in gate.threads), gate.threads
    panel.close_worker()


class SlowFeed:
    """A display feed whose every read is slow (a hub far away)."""

    def __init__(self, gate: Gate):
        self.gate, self.closed = gate, False
        self.board = Board((CallLine("A1-007", "Quầy 1", "Counter 1", False, "09:00"),), (), ())

    def poll(self) -> FeedState:
        self.gate.block()
        return FeedState(self.board, False, True, ({"number": "A1-007", "counter_id": "Q1", "room": "1"},))

    def wait(self, timeout: float) -> None:
        threading.Event().wait(min(timeout, 0.05))

    def close(self) -> None:
        self.closed = True


def test_display_reads_its_feed_off_the_qt_thread(qtbot):
    from kiosk.ui.display.window import DisplayWindow
    from kiosk.ui.qt import QLabel, QTimer
    gate = Gate()
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    bg = BackgroundFeed(SlowFeed(gate), period_s=0.05).start()
    spoken: list = []
    win = DisplayWindow(bg.poll, on_calls=spoken.extend, poll_ms=20)   # the window's own first tick included
    qtbot.addWidget(win)
    assert win.stale                                  # nothing read yet: calm "updating…"
    QTimer.singleShot(50, gate.event.set)
    qtbot.waitUntil(lambda: any(lab.text() == "A1-007" for lab in win.findChildren(QLabel)), timeout=8000)
    assert not win.stale and ticks                   # the Qt timer kept running meanwhile
    assert spoken[0]["number"] == "A1-007"
    assert set(gate.threads) == {"display-feed"}
    win.stop()
    timer.stop()
    bg.close()
    assert bg.feed.closed

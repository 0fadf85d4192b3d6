"""Hands check-in states from worker threads to the Qt main thread (queued signal), and lets the
headless demo hold rendering for a moment while it takes a screenshot in two languages."""
from __future__ import annotations

import threading
from collections import deque
from typing import Any

from kiosk.ui.qt import QObject, Qt, Signal, Slot


class StateBridge(QObject):
    """`listener(state)` may be called from any thread; `state_ready` fires on the Qt thread."""

    state_ready = Signal(object)
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._held = False
        self._queue: deque[Any] = deque()
        self._lock = threading.Lock()
        # Always queued, even from the main thread: the service calls listeners with its lock held.
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def listener(self, state: Any) -> None:
        self._posted.emit(state)

    @Slot(object)
    def _deliver(self, state: Any) -> None:
        with self._lock:
            if self._held:
                self._queue.append(state)
                return
        self.state_ready.emit(state)

    def hold(self) -> None:
        with self._lock:
            self._held = True

    def release(self) -> None:
        """Deliver the queued states in order, stopping if a receiver holds again on one."""
        with self._lock:
            self._held = False
        while True:
            with self._lock:
                if self._held or not self._queue:
                    return
                state = self._queue.popleft()
            self.state_ready.emit(state)

    @property
    def held(self) -> bool:
        return self._held

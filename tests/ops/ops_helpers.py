"""Shared by the ops tests: a wall clock that runs in real time and can jump, and store builders."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class JumpClock:
    """Real-time clock (so threads that sleep on real time see it move) whose wall time can jump."""

    def __init__(self, start: datetime | None = None):
        self._start = start or datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)
        self._t0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=time.monotonic() - self._t0 + self._offset)

    def monotonic(self) -> float:
        return time.monotonic()

    def jump(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class SetClock:
    """A hand-set clock: `set()` moves the wall time anywhere (also backwards); monotonic only grows."""

    def __init__(self, start: datetime):
        self._now = start
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def set(self, moment: datetime, elapsed: float = 60.0) -> None:
        self._now = moment
        self._mono += elapsed

"""One read, not two: the same payload from two scanners (or consecutive camera frames) within a
hold-off window is reported once."""
from __future__ import annotations

import threading
import time
from typing import Callable

from drivers.scanner.base import ScanRead, Sink


class Deduper:
    """`accept(read)` is True the first time a payload is seen, False for repeats within `hold_off`.

    The window slides: a code held in front of a camera keeps refreshing it, so it is reported
    once however long it stays there, and again only after it has been gone for `hold_off` seconds.
    Thread-safe: several scanner threads may call it at once.
    """

    def __init__(self, hold_off: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 sliding: bool = True):
        self.hold_off = hold_off
        self._clock = clock
        self._sliding = sliding
        self._seen: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def accept(self, read: ScanRead | bytes) -> bool:
        data = read.data if isinstance(read, ScanRead) else bytes(read)
        now = self._clock()
        with self._lock:
            last = self._seen.get(data)
            fresh = last is None or now - last >= self.hold_off
            if fresh or self._sliding:
                self._seen[data] = now
            if len(self._seen) > 256:
                self._prune(now)
            return fresh

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if now - t >= self.hold_off]:
            del self._seen[key]

    def wrap(self, sink: Sink) -> Sink:
        """A sink that forwards only accepted reads to `sink`."""
        def deduped(read: ScanRead) -> None:
            if self.accept(read):
                sink(read)
        return deduped

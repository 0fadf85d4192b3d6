"""Simulated scanner for the demo and the tests: scripted reads, and faults a real scanner shows
(garbled bytes, half a payload, a disconnect)."""
from __future__ import annotations

import enum
import queue
import random
import threading
from dataclasses import dataclass

from drivers.scanner.base import DeviceGone, Sink, ThreadedScanner


class Fault(enum.Enum):
    NONE = "none"
    GARBLED = "garbled"        # some bytes flipped, as a bad decode or line noise
    HALF = "half"              # only the first half of the payload arrives
    DISCONNECT = "disconnect"  # the device drops; the reader reconnects after its backoff


@dataclass(frozen=True)
class SimStep:
    data: bytes = b""
    delay: float = 0.0         # seconds to wait before this step
    fault: Fault = Fault.NONE


def garble(data: bytes, rng: random.Random, fraction: float = 0.1) -> bytes:
    """Flip bits in about `fraction` of the bytes (at least one), deterministically for `rng`."""
    out = bytearray(data)
    for i in rng.sample(range(len(out)), max(1, int(len(out) * fraction))):
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


class SimScanner(ThreadedScanner):
    """Plays `script` (once, or forever with `loop`), then waits for `inject()`ed steps.

    A DISCONNECT step makes the session fail exactly like an unplugged device does, so the
    reconnect path is exercised too; the script resumes after the step once reconnected.
    """

    def __init__(self, script: list[SimStep] | None = None, sink: Sink | None = None,
                 source: str = "sim", loop: bool = False, seed: int = 0,
                 finite: bool = False, **kw):
        super().__init__(source, sink, **kw)
        self._script = list(script or [])
        self._pos = 0
        self._loop = loop
        self._finite = finite
        self._rng = random.Random(seed)
        self._injected: queue.Queue[SimStep] = queue.Queue()

    def inject(self, step: SimStep | bytes) -> None:
        self._injected.put(step if isinstance(step, SimStep) else SimStep(step))

    def _interrupt(self) -> None:
        self._injected.put(SimStep())   # wakes a waiting session

    def _next(self, stop: threading.Event) -> SimStep | None:
        if self._pos < len(self._script):
            step = self._script[self._pos]
            self._pos += 1
            if self._loop and self._pos == len(self._script):
                self._pos = 0
            return step
        if self._finite:
            return None
        try:
            return self._injected.get(timeout=0.2)
        except queue.Empty:
            return SimStep(delay=-1)     # nothing yet; lets the loop look at `stop`

    def _session(self, stop: threading.Event) -> None:
        self._connected()
        while not stop.is_set():
            step = self._next(stop)
            if step is None:
                self.finished.set()
                return
            if step.delay < 0:
                continue
            if step.delay and stop.wait(step.delay):
                return
            if step.fault is Fault.DISCONNECT:
                raise DeviceGone(f"{self.source}: simulated disconnect")
            if not step.data:
                continue
            if step.fault is Fault.GARBLED:
                self._emit(garble(step.data, self._rng), "sim")
            elif step.fault is Fault.HALF:
                self._emit(step.data[: len(step.data) // 2], "sim")
            else:
                self._emit(step.data, "sim")

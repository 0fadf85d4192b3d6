"""A patient's check-in goes first: background threads of the kiosk process step aside for it.

The issuer runs each ticket inside `foreground()`; background loops that run long in Python (the
facility link's pull of other kiosks' patients) call `step_aside()` between small steps and wait
while a ticket is under way. Without it, a scan that meets a pull shares the interpreter with it:
CPython hands the GIL to a waiting thread only after the switch interval (5 ms), each time the
scan gives it up for a SQLite call. Measured (tests/bench/bench_facility.py, the online kiosk
pulling ~160 patients/s from a busy hub): scans that met a pull took a p50 of 19 ms against 10 ms.
A lower thread priority (nice) does the opposite: the scan then waits for a GIL held by a thread
the kernel rarely runs. Process-wide on purpose: one kiosk per process.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

_guard = threading.Lock()
_active = 0
_idle = threading.Event()
_idle.set()


@contextmanager
def foreground() -> Iterator[None]:
    global _active
    with _guard:
        _active += 1
        _idle.clear()
    try:
        yield
    finally:
        with _guard:
            _active -= 1
            if _active == 0:
                _idle.set()


def step_aside(longest: float = 1.0) -> bool:
    """Wait while foreground work is under way (at most `longest` seconds: background work is
    never starved); True when it had to wait."""
    if _idle.is_set():
        return False
    _idle.wait(longest)
    return True


def busy() -> bool:
    return not _idle.is_set()

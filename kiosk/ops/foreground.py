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

_cond = threading.Condition()
_active = 0
_finished = 0


@contextmanager
def foreground() -> Iterator[None]:
    global _active, _finished
    with _cond:
        _active += 1
    try:
        yield
    finally:
        with _cond:
            _active -= 1
            _finished += 1
            _cond.notify_all()


def step_aside(longest: float = 1.0) -> bool:
    """Wait for the ticket under way, if any, to be done (not for the kiosk to fall idle: a kiosk
    issuing back to back still lets its background go on between tickets), at most `longest`
    seconds; True when it had to wait."""
    with _cond:
        if _active == 0:
            return False
        seen = _finished
        _cond.wait_for(lambda: _active == 0 or _finished != seen, timeout=longest)
        return True


def busy() -> bool:
    return _active > 0

"""Background work yields the CPU to the patient's check-in: the calling thread gets a low
scheduling priority (Linux sets `nice` per thread). SQLite releases the GIL while it works, so an
integrity check, a backup or an upload at nice 10–19 cannot slow the screen on a 2-core kiosk."""
from __future__ import annotations

import os
import threading

BACKGROUND_NICE = 10
IDLE_NICE = 19


def lower_this_thread(nice: int = BACKGROUND_NICE) -> bool:
    """Lower the calling thread's priority; False where the platform cannot (never raises)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        return False
    return True


def thread_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

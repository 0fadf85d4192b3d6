"""Helpers shared by the scanner tests (a unique module name: test dirs have no packages)."""
import queue
import time


def wait_for(predicate, timeout=3.0, step=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def get_read(scanner, timeout=3.0):
    try:
        return scanner.reads.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no read from {scanner.source}: {scanner.status()}") from None

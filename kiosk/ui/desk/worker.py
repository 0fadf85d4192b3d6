"""The staff screens' db lane: ONE worker thread runs every store call, gateway call, signing and
Argon2 hash; results come back to the Qt main thread through a queued signal (never by touching
widgets from the worker). One thread, because the store's connection is used from one thread."""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from kiosk.ui.qt import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class DbWorker(QObject):
    """`run(fn, *args, done=..., failed=...)`: fn runs on the worker; done/failed on the Qt thread."""

    finished = Signal(object)          # (done, failed, result, error) — internal, queued
    idle = Signal()                    # after each job's callbacks ran (tests wait on it)

    def __init__(self, parent: QObject | None = None, name: str = "staff-db"):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending = 0
        self._closed = False
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, fn: Callable[..., Any], *args, done: Callable[[Any], None] | None = None,
            failed: Callable[[Exception], None] | None = None, **kwargs) -> Future | None:
        if self._closed:            # a late timer after shutdown: nothing to run it on
            return None
        self._pending += 1

        def job():
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - handed to the UI thread as a value
                self.finished.emit((done, failed, None, exc))
                return None
            self.finished.emit((done, failed, result, None))
            return result
        return self._pool.submit(job)

    def call(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Run on the worker and wait (set-up and tear-down only, never from a UI event)."""
        return self._pool.submit(fn, *args, **kwargs).result()

    @Slot(object)
    def _deliver(self, packet) -> None:
        done, failed, result, error = packet
        self._pending -= 1
        try:
            if error is not None:
                if failed is not None:
                    failed(error)
                else:
                    log.warning("staff action failed: %s", type(error).__name__)
            elif done is not None:
                done(result)
        finally:
            self.idle.emit()

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True)

"""The one small interface every scanner implements, and the reconnecting reader thread behind it.

A scanner yields `ScanRead` events to a sink (a callable) or, by default, to its `reads` queue;
it has `start()`, `stop()` and `status()`. Transports implement only `_session(stop)`.
"""
from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from drivers.backoff import ReconnectBackoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanRead:
    """One payload from one scanner: the raw bytes exactly as the device sent them."""
    source: str
    data: bytes
    at: float                      # wall-clock seconds (time.time()) when the read completed
    decoder: str | None = None     # camera decoder name, or the device's symbology id (e.g. "]Q1")

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def as_json_dict(self) -> dict:
        return {"source": self.source, "text": self.text, "hex": self.data.hex(),
                "decoder": self.decoder, "time": self.at}


class ScannerState(enum.Enum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    ERROR = "error"          # lost or not found; the thread retries after a backoff


@dataclass(frozen=True)
class ScannerStatus:
    source: str
    state: ScannerState
    error: str | None = None
    reads: int = 0
    dropped: int = 0          # partial or garbled payloads discarded by the framing layer
    reconnects: int = 0
    last_read_at: float | None = None

    @property
    def connected(self) -> bool:
        return self.state is ScannerState.CONNECTED


class ScannerError(Exception):
    """A scanner could not be opened or was lost; the message names the device, never a payload."""


class DeviceGone(ScannerError):
    """The device disappeared (unplugged); the reader thread waits and reopens it."""


class Scanner(Protocol):
    source: str

    def start(self) -> None: ...
    def stop(self, timeout: float = 2.0) -> None: ...
    def status(self) -> ScannerStatus: ...


Sink = Callable[[ScanRead], None]


# the scanners' reconnect schedule; kept under its old name for drivers.manager and scanner specs
Backoff = ReconnectBackoff


class ThreadedScanner:
    """Runs `_session(stop)` on its own thread; reopens the device after errors with backoff.

    `_session` opens the device, calls `self._connected()`, then reads until `stop` is set (return)
    or the device fails (raise). Reads go through `self._emit(data, decoder)`.
    """

    def __init__(self, source: str, sink: Sink | None = None, backoff: Backoff | None = None,
                 wall: Callable[[], float] = time.time):
        self.source = source
        self.reads: queue.Queue[ScanRead] = queue.Queue()
        self._sink = sink or self.reads.put
        self._backoff = backoff or Backoff()
        self._wall = wall
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._state = ScannerState.STOPPED
        self._error: str | None = None
        self._counts = {"reads": 0, "dropped": 0, "reconnects": 0}
        self._last_read_at: float | None = None
        self.finished = threading.Event()   # set when a finite source (file, script) has ended

    # -- the interface
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self.finished.clear()
        self._set(ScannerState.CONNECTING)
        self._thread = threading.Thread(target=self._run, name=f"scanner:{self.source}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._interrupt()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._set(ScannerState.STOPPED)

    def status(self) -> ScannerStatus:
        with self._lock:
            return ScannerStatus(self.source, self._state, self._error, self._counts["reads"],
                                 self._counts["dropped"], self._counts["reconnects"], self._last_read_at)

    @property
    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    @property
    def died(self) -> bool:
        """The thread ended though nobody stopped it and its source had not finished (a bug)."""
        return self._thread is not None and not self._thread.is_alive() \
            and not self.finished.is_set() and not self._stop.is_set()

    # -- for transports
    def _session(self, stop: threading.Event) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Wake a blocking read so `stop()` returns promptly (optional)."""

    def _connected(self) -> None:
        self._backoff.reset()
        self._set(ScannerState.CONNECTED)

    def _emit(self, data: bytes, decoder: str | None = None) -> None:
        read = ScanRead(self.source, bytes(data), self._wall(), decoder)
        with self._lock:
            self._counts["reads"] += 1
            self._last_read_at = read.at
        self._sink(read)

    def _dropped(self, n: int = 1) -> None:
        with self._lock:
            self._counts["dropped"] += n

    def _set(self, state: ScannerState, error: str | None = None) -> None:
        with self._lock:
            self._state = state
            self._error = error

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session(self._stop)
                if self.finished.is_set() or self._stop.is_set():
                    break
                raise DeviceGone(f"{self.source}: session ended")
            except Exception as exc:  # noqa: BLE001 - any device failure means: wait, reopen
                if self._stop.is_set():
                    break
                msg = f"{type(exc).__name__}: {exc}"
                log.warning("scanner %s: %s; retrying", self.source, msg)
                self._set(ScannerState.ERROR, msg)
                with self._lock:
                    self._counts["reconnects"] += 1
                self._stop.wait(self._backoff.next())
                if not self._stop.is_set():
                    self._set(ScannerState.CONNECTING, msg)
        if not self._stop.is_set():
            self._set(ScannerState.STOPPED)

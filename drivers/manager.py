"""Device manager: starts the configured scanners (one thread per device stack), delivers their
reads de-duplicated across scanners, restarts a stack that died with backoff, reports hot-plug as
(added, removed) from `drivers.discovery`, and gives the status that `kiosk doctor` and the
technician screen show."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from drivers.discovery import FoundDevice, discover_scanners
from drivers.scanner.base import Backoff, ScanRead, ScannerStatus, Sink, ThreadedScanner
from drivers.scanner.dedupe import Deduper
from drivers.scanner.spec import ScannerOptions, build_scanner, parse_spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManagerStatus:
    scanners: tuple[ScannerStatus, ...]
    discovered: tuple[FoundDevice, ...]

    def lines(self) -> list[str]:
        """Human-readable lines for `kiosk doctor` (no payloads, ever)."""
        out = []
        for s in self.scanners:
            err = f" ({s.error})" if s.error else ""
            out.append(f"{s.source}: {s.state.value}{err}; reads {s.reads}, dropped {s.dropped}, "
                       f"reconnects {s.reconnects}")
        out += [f"found {d.spec}  {d.description}" for d in self.discovered]
        return out


class DeviceManager:
    """Owns the configured scanners. Reads from all of them reach `sink` de-duplicated: the same
    payload from two scanners within `hold_off` seconds is delivered once."""

    def __init__(self, specs: Iterable[str], sink: Sink, options: ScannerOptions | None = None,
                 hold_off: float = 2.0, poll_interval: float = 2.0,
                 on_hotplug: Callable[[list[FoundDevice], list[FoundDevice]], None] | None = None,
                 discover: Callable[[], list[FoundDevice]] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.options = options or ScannerOptions()
        self.specs = [parse_spec(s) for s in specs]
        self.dedupe = Deduper(hold_off, clock)
        self._sink = self.dedupe.wrap(sink)
        self._poll = poll_interval
        self._on_hotplug = on_hotplug
        self._discover = discover or (lambda: discover_scanners(self.options.usb_backend))
        self._known: set[FoundDevice] | None = None
        self._restart_at: dict[int, float] = {}
        self._backoffs: dict[int, Backoff] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.scanners: list[ThreadedScanner] = [build_scanner(s, self.options, self.deliver) for s in self.specs]

    def start(self) -> None:
        self._stop.clear()
        for sc in self.scanners:
            sc.start()
        self._known = set(self._discover())
        self._thread = threading.Thread(target=self._supervise, name="device-manager", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        for sc in self.scanners:
            sc.stop()

    def deliver(self, read: ScanRead) -> None:
        """Hand a read to the sink through the cross-scanner de-duplication (the scanner threads
        call this; so does a scanner that lives outside the manager, e.g. the keyboard wedge)."""
        self._sink(read)

    _deliver = deliver

    def status(self) -> ManagerStatus:
        with self._lock:
            known = tuple(sorted(self._known or (), key=lambda d: d.spec))
        return ManagerStatus(tuple(sc.status() for sc in self.scanners), known)

    def poll_hotplug(self) -> tuple[list[FoundDevice], list[FoundDevice]]:
        """Compare discovery with the previous look; returns and reports (added, removed)."""
        now = set(self._discover())
        with self._lock:
            before = self._known if self._known is not None else now
            self._known = now
        added = sorted(now - before, key=lambda d: d.spec)
        removed = sorted(before - now, key=lambda d: d.spec)
        if (added or removed) and self._on_hotplug:
            self._on_hotplug(added, removed)
        return added, removed

    def check_threads(self, now: float | None = None) -> list[str]:
        """Restart scanner threads that died (a bug or an unexpected exception), with backoff.
        Device errors do not kill a thread: each scanner reopens its own device."""
        now = time.monotonic() if now is None else now
        restarted = []
        for i, sc in enumerate(self.scanners):
            if not sc.died:
                if sc.status().connected:
                    self._backoffs.pop(i, None)
                continue
            due = self._restart_at.get(i)
            if due is None:
                delay = self._backoffs.setdefault(i, Backoff(first=0.5, cap=30.0)).next()
                self._restart_at[i] = now + delay
                continue
            if now >= due:
                del self._restart_at[i]
                log.warning("restarting scanner %s", sc.source)
                sc.start()
                restarted.append(sc.source)
        return restarted

    def _supervise(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                self.check_threads()
                self.poll_hotplug()
            except Exception:  # noqa: BLE001 - the supervisor itself must survive
                log.exception("device manager poll failed")

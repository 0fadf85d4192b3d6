"""The kiosk's barcode scanners: every configured source except the keyboard wedge (which lives
in the Qt window) runs under one `drivers.manager.DeviceManager`: a thread per device stack, reads
de-duplicated across scanners (`scanner_hold_off`: the same code from two scanners, or from the
wedge and a camera, counts once), dead stacks restarted with backoff, and hot-plug of the kinds in
use reported to the log (a scanner thread reopens its own device when it comes back)."""
from __future__ import annotations

import logging
from typing import Callable, Iterable

from drivers.discovery import SCANNER_KINDS, FoundDevice, discover_scanners
from drivers.manager import DeviceManager
from drivers.scanner.base import ScanRead, ScannerStatus, Sink, ThreadedScanner
from drivers.scanner.sim import SimScanner
from drivers.scanner.spec import ScannerOptions, parse_spec

log = logging.getLogger(__name__)

SUPERVISE_S = 5.0          # how often dead stacks are restarted and hot-plug is looked for


def _log_hotplug(added: list[FoundDevice], removed: list[FoundDevice]) -> None:
    for d in added:
        log.info("scanner device plugged in: %s", d.spec)
    for d in removed:
        log.warning("scanner device removed: %s", d.spec)


class KioskScanners:
    """`start()` / `stop()`; `deliver(read)` takes reads from a scanner outside the manager (the
    wedge) through the same de-duplication; `status()` for fleet metrics and the devices page."""

    def __init__(self, specs: Iterable[str], options: ScannerOptions, sink: Sink, *,
                 poll_interval: float = SUPERVISE_S,
                 discover: Callable[[], list[FoundDevice]] | None = None,
                 on_hotplug: Callable[[list[FoundDevice], list[FoundDevice]], None] | None = None):
        self.specs = [s for s in specs if parse_spec(s).kind != "wedge"]
        kinds = tuple(k for k in SCANNER_KINDS if k in {parse_spec(s).kind for s in self.specs})
        if discover is None:
            def discover() -> list[FoundDevice]:
                return discover_scanners(options.usb_backend, kinds=kinds) if kinds else []
        self.manager = DeviceManager(self.specs, sink, options, hold_off=options.hold_off,
                                     poll_interval=poll_interval, discover=discover,
                                     on_hotplug=on_hotplug or _log_hotplug)
        self._started = False

    @property
    def scanners(self) -> list[ThreadedScanner]:
        return self.manager.scanners

    @property
    def sim(self) -> SimScanner | None:
        """The first simulated scanner (the demo's and the tests' QR source), if one is configured."""
        return next((s for s in self.scanners if isinstance(s, SimScanner)), None)

    def deliver(self, read: ScanRead) -> None:
        self.manager.deliver(read)

    def start(self) -> None:
        if not self._started:
            self.manager.start()
            self._started = True

    def stop(self) -> None:
        if self._started:
            self.manager.stop()
            self._started = False

    def status(self) -> list[ScannerStatus]:
        return [s.status() for s in list(self.scanners)]

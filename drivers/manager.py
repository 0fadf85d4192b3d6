"""Device manager: discovers scanners (USB HID POS, serial ports, cameras), starts the configured
ones (one thread per device stack), restarts a stack that died with backoff, reports hot-plug as
(added, removed), and gives the status that `kiosk doctor` and the technician screen show."""
from __future__ import annotations

import glob
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from drivers.scanner.base import Backoff, ScanRead, ScannerStatus, Sink, ThreadedScanner
from drivers.scanner.dedupe import Deduper
from drivers.scanner.spec import ScannerOptions, build_scanner, parse_spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscoveredDevice:
    kind: str              # "hidpos", "serial", "camera"
    spec: str              # what to put in the `scanners` setting to use it
    description: str = ""
    vid: int | None = None
    pid: int | None = None


def discover_hidpos(backend=None) -> list[DiscoveredDevice]:
    try:
        from drivers.scanner.hidpos import find_pos_devices
        found = find_pos_devices(backend)
    except Exception as exc:  # noqa: BLE001 - no libusb, no permission: nothing to offer
        log.info("USB discovery unavailable: %s", type(exc).__name__)
        return []
    return [DiscoveredDevice("hidpos", f"hidpos:{d.idVendor:04x}:{d.idProduct:04x}",
                             f"HID POS on bus {d.bus} address {d.address}", d.idVendor, d.idProduct)
            for d, _ in found]


def discover_serial(lister: Callable[[], Iterable] | None = None) -> list[DiscoveredDevice]:
    if lister is None:
        from serial.tools import list_ports
        lister = list_ports.comports
    out = []
    for p in lister():
        if getattr(p, "vid", None) is None and not getattr(p, "device", "").startswith("/dev/ttyACM"):
            continue          # skip legacy on-board UARTs that nothing is plugged into
        out.append(DiscoveredDevice("serial", f"serial:{p.device}", getattr(p, "description", "") or "",
                                    getattr(p, "vid", None), getattr(p, "pid", None)))
    return out


def discover_cameras(pattern: str = "/dev/video*") -> list[DiscoveredDevice]:
    # Listing device nodes is instant; opening each camera to probe it is not (and grabs it).
    out = []
    for node in sorted(glob.glob(pattern)):
        suffix = node.rsplit("video", 1)[-1]
        if suffix.isdigit():
            out.append(DiscoveredDevice("camera", f"camera:{suffix}", node))
    return out


def discover_all(usb_backend=None, serial_lister=None, camera_pattern: str = "/dev/video*"
                 ) -> list[DiscoveredDevice]:
    return discover_hidpos(usb_backend) + discover_serial(serial_lister) + discover_cameras(camera_pattern)


@dataclass(frozen=True)
class ManagerStatus:
    scanners: tuple[ScannerStatus, ...]
    discovered: tuple[DiscoveredDevice, ...]

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
                 on_hotplug: Callable[[list[DiscoveredDevice], list[DiscoveredDevice]], None] | None = None,
                 discover: Callable[[], list[DiscoveredDevice]] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.options = options or ScannerOptions()
        self.specs = [parse_spec(s) for s in specs]
        self.dedupe = Deduper(hold_off, clock)
        self._sink = self.dedupe.wrap(sink)
        self._poll = poll_interval
        self._on_hotplug = on_hotplug
        self._discover = discover or (lambda: discover_all(self.options.usb_backend))
        self._known: set[DiscoveredDevice] | None = None
        self.scanners: list[ThreadedScanner] = []
        self._restart_at: dict[int, float] = {}
        self._backoffs: dict[int, Backoff] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self._stop.clear()
        self.scanners = [build_scanner(s, self.options, self._deliver) for s in self.specs]
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

    def _deliver(self, read: ScanRead) -> None:
        self._sink(read)

    def status(self) -> ManagerStatus:
        with self._lock:
            known = tuple(sorted(self._known or (), key=lambda d: d.spec))
        return ManagerStatus(tuple(sc.status() for sc in self.scanners), known)

    def poll_hotplug(self) -> tuple[list[DiscoveredDevice], list[DiscoveredDevice]]:
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

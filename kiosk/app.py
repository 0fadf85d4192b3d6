"""Composition root: builds the store, the devices, the sync worker, the check-in service and the
patient UI from the settings — the same object for `kiosk run`, `kiosk demo` and the headless demo.

No global app object: everything a part needs is passed to it here (STYLE 14).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.config import Config
from kiosk.core.clock import Clock, SystemClock

log = logging.getLogger(__name__)


class AppError(Exception):
    """The application cannot start; the message says what to fix (no personal data)."""


@dataclass
class Parts:
    """What the app built; optional parts are None when absent (said so in `notes`)."""
    service: Any = None               # kiosk.core.services.CheckinService
    sync: Any = None                  # kiosk.sync.worker.SyncWorker
    printer: Any = None               # the driver behind the TicketPrinter port (SimPrinter in the demo)
    sim_scanner: Any = None           # drivers.scanner.sim.SimScanner when "sim" is configured
    scanners: list = field(default_factory=list)
    chip: Any = None                  # the card reader stack, when one is configured and present
    notes: list[str] = field(default_factory=list)


class ServiceSlot:
    """Stands in for the check-in service while it is built off the Qt thread, so the idle screen
    is up at once. Until `bind()`, taps and scans are dropped: no check-in can start half-built."""

    def __init__(self):
        self._target = None
        self._listeners: list = []

    @property
    def state(self):
        from kiosk.core.checkin import Idle
        return Idle() if self._target is None else self._target.state

    def post(self, event) -> None:
        target = self._target
        if target is not None:
            target.post(event)

    def add_listener(self, listener) -> None:
        self._listeners.append(listener)
        if self._target is not None:
            self._target.add_listener(listener)

    def bind(self, service) -> None:
        for listener in self._listeners:
            service.add_listener(listener)
        self._target = service


class KioskApp:
    """Owns every long-lived part; `start()` / `close()`; Qt-free except `attach_ui()`."""

    def __init__(self, cfg: Config, key: bytes, *, clock: Clock | None = None, create_db: bool = False,
                 start_sync: bool = True):
        self.cfg = cfg
        self.key = key
        self.clock = clock or SystemClock()
        self.create_db = create_db
        self.start_sync = start_sync
        self.parts = Parts()
        self.ui = None
        self._wedge = None
        self._store = None
        self.staff = None
        self.slot = ServiceSlot()
        self._closers: list[Callable[[], None]] = []

    # ------------------------------------------------------------ building

    def build(self) -> "KioskApp":
        from kiosk.store.migrate import open_store
        # Create/migrate once up front (clear errors: wrong key, newer schema) before any thread runs.
        try:
            store = open_store(self.cfg.data_dir, self.key, create=self.create_db, clock=self.clock,
                               cache_mib=self.cfg.db_cache_mib, busy_timeout_ms=self.cfg.db_busy_timeout_ms)
        except Exception as exc:
            raise AppError(f"cannot open the database: {exc}") from exc
        store.close()
        p = self.parts
        p.printer = self._printer_driver()
        p.service = self._checkin_service(p.printer)
        self._closers.append(p.service.close)
        self._closers.append(self._store.close)
        if self.start_sync:
            p.sync = self._sync_worker()
        self._scanners()
        return self

    def _printer_driver(self):
        """The printer driver (ESC/POS, or the simulator writing PNGs under <data_dir>/tickets)."""
        from kiosk.services.printing import driver_from_config
        if self.cfg.printer.strip() in ("sim", "png", "pdf"):
            (Path(self.cfg.data_dir) / "tickets").mkdir(parents=True, exist_ok=True)
        return driver_from_config(self.cfg)

    def _checkin_service(self, driver):
        from kiosk.gateway.client import GatewayClient
        from kiosk.gateway.signing import signer_from_config
        from kiosk.services.checkin import build_checkin_service
        from kiosk.services.printing import DriverTicketPrinter
        from kiosk.store.migrate import open_store
        if self.cfg.signing_source == "pkcs12" and str(self.cfg.signing_pkcs12) in ("", "."):
            raise AppError("no signing key configured: set signing_pkcs12 (provisioning), "
                           "or try `kiosk demo`")
        try:
            signer = signer_from_config(self.cfg)
        except Exception as exc:
            raise AppError(f"cannot load the signing key: {exc}") from exc
        # The service uses its store from its one db thread only.
        self._store = open_store(self.cfg.data_dir, self.key, clock=self.clock, check_same_thread=False,
                                 cache_mib=self.cfg.db_cache_mib, busy_timeout_ms=self.cfg.db_busy_timeout_ms)
        client = GatewayClient.from_config(self.cfg, clock=self.clock)
        return build_checkin_service(self.cfg, self._store, gateway_client=client, sign=signer.sign,
                                     printer=DriverTicketPrinter(driver, self.cfg.kiosk_id), clock=self.clock)

    def _sync_worker(self):
        from kiosk.sync.runner import build_worker
        worker = build_worker(self.cfg, self.key, clock=self.clock)
        self._closers.append(lambda: worker.stop(timeout=5))
        return worker

    def _scanners(self) -> None:
        from drivers.scanner.spec import ScannerOptions, build_scanner, parse_spec
        p = self.parts
        for text in self.cfg.scanners:
            spec = parse_spec(text)
            if spec.kind == "wedge":
                continue                    # lives in the Qt window (attach_ui)
            opts = ScannerOptions(prefix=self.cfg.scanner_prefix, suffix=self.cfg.scanner_suffix,
                                  decoder=self.cfg.camera_decoder)
            scanner = build_scanner(spec, opts, sink=self.on_scan)
            p.scanners.append(scanner)
            if spec.kind == "sim":
                p.sim_scanner = scanner

    # ------------------------------------------------------------ running

    def on_scan(self, read) -> None:
        """A scanner produced a read (any thread): hand the raw bytes to the check-in machine."""
        from kiosk.core.checkin import QrScanned
        service = self.parts.service
        if service is not None:
            service.post(QrScanned(read.data))

    def start(self) -> None:
        p = self.parts
        p.service.start()
        if p.sync is not None:
            p.sync.start()
        for scanner in p.scanners:
            scanner.start()
            self._closers.append(scanner.stop)

    def attach_ui(self, qt_app, *, dpi: float | None = None, staff_mode: bool = False):
        """Build the patient window over the service (Qt main thread); with `staff_mode` the corner
        gesture opens the desk/technician screens (staff PIN) over it."""
        from kiosk.ui.patient.ui import PatientUi
        self.ui = PatientUi(qt_app, self.parts.service or self.slot, self.cfg, dpi=dpi)
        if staff_mode:
            from kiosk.ui.desk.staff_mode import attach_staff_mode
            self.staff = attach_staff_mode(self.ui.window, self.cfg, self.key, self.clock)
        from kiosk.ui.desk.staff_mode import attach_staff_mode   # staff mode: corner gesture, then the PIN
        self._closers.append(attach_staff_mode(self.ui.window, self.cfg, self.key, self.clock).close)
        if "wedge" in self.cfg.scanners:
            self._attach_wedge()
        self._closers.append(self.ui.close)
        return self.ui

    def _attach_wedge(self) -> None:
        from kiosk.ui.wedge_filter import WedgeEventFilter
        self._wedge = WedgeEventFilter(self.ui.window)
        self._wedge.scanned.connect(self.on_scan)
        self._closers.append(self._wedge.uninstall)

    def build_in_background(self, on_ready: Callable[[], None], on_error: Callable[[str], None]) -> None:
        """`build()` on a worker thread (imports, database, signing key, gateway client), then on
        the Qt thread: bind the service to the window already showing, start the parts, and call
        `on_ready` — or `on_error(message)`. Call after `attach_ui()`."""
        import threading

        from kiosk.ui.bridge import StateBridge
        done = StateBridge(self.ui.window)          # any-thread → Qt-thread hand-off

        def finish(result) -> None:
            if isinstance(result, BaseException):
                on_error(str(result))
                return
            self.slot.bind(self.parts.service)
            if self._wedge is None and "wedge" in self.cfg.scanners:
                self._attach_wedge()
            self.start()
            on_ready()

        done.state_ready.connect(finish)

        def work() -> None:
            try:
                self.build()
                done.listener(None)
            except BaseException as exc:  # handed to the Qt thread, which reports it
                done.listener(exc)
        threading.Thread(target=work, name="kiosk-build", daemon=True).start()

    def outbox_stats(self) -> dict:
        """Outbox items by state and the oldest pending age, on a connection of its own."""
        from kiosk.store.migrate import open_store
        store = open_store(self.cfg.data_dir, self.key, clock=self.clock)
        try:
            return store.outbox.stats().as_dict()
        finally:
            store.close()

    def close(self) -> None:
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:  # keep closing the rest
                log.exception("closing %s", closer)

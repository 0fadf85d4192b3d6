"""Composition root: builds the store, the devices, the sync worker, the check-in service and the
patient UI from the settings — the same object for `kiosk run`, `kiosk demo` and the headless demo.

No global app object: everything a part needs is passed to it here (STYLE 14).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk import settings_map
from kiosk.config import Config
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.ports import IssuerDecorator

log = logging.getLogger(__name__)


class AppError(Exception):
    """The application cannot start; the message says what to fix (no personal data)."""


@dataclass
class Parts:
    """What the app built; optional parts are None when absent (said so in `notes`)."""
    service: Any = None               # kiosk.checkin.service.CheckinService
    sync: Any = None                  # kiosk.sync.worker.SyncWorker
    facility: Any = None              # kiosk.facility.runner.FacilityLink when hub_dsn is set
    printer: Any = None               # the driver behind the TicketPrinter port (SimPrinter in the demo)
    sim_scanner: Any = None           # drivers.scanner.sim.SimScanner when "sim" is configured
    scanners: Any = None              # kiosk.devices.scanners.KioskScanners (all but the wedge)
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
        """None until bound: the window shows its idle screen without importing the state machine."""
        return None if self._target is None else self._target.state

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


class WakingIssuer(IssuerDecorator):
    """A TicketIssuer around the (gated) real one: after each committed issue the sync worker is
    woken, so the new outbox item goes out at once instead of at the next poll."""

    def __init__(self, inner, wake: Callable[[], None]):
        super().__init__(inner)
        self._wake = wake

    def issue(self, request):
        ticket = self.inner.issue(request)
        try:
            self._wake()
        except Exception:  # the ticket is issued; a missed wake-up only delays the upload
            log.exception("waking the sync worker")
        return ticket


class KioskApp:
    """Owns every long-lived part; `start()` / `close()`; Qt-free except `attach_ui()`."""

    def __init__(self, cfg: Config, key: bytes, *, clock: Clock | None = None, create_db: bool = False,
                 start_sync: bool = True, start_ops: bool = True):
        self.cfg = cfg
        self.key = key
        self.clock = clock or SystemClock()
        self.create_db = create_db
        self.start_sync = start_sync
        self.start_ops = start_ops
        self.ops: Any = None              # kiosk.ops.runtime.OpsHandle once built
        self.last_scan: Any = None        # the newest ScanRead (staff mode's scan test)
        self._health_timer: Any = None
        self._watchdog_timer: Any = None
        self.notifier: Any = None         # kiosk.ops.sdnotify.SdNotifier under systemd
        self.parts = Parts()
        self.ui: Any = None               # kiosk.ui.patient.ui.PatientUi after attach_ui()
        self._wedge: Any = None
        self._store: Any = None
        self.staff: Any = None            # kiosk.ui.desk.staff_mode.StaffMode with staff_mode=True
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
        if self.start_ops:
            self._start_ops()
        p = self.parts
        p.printer = self._printer_driver()
        p.service = self._checkin_service(p.printer)
        self._closers.append(p.service.close)
        self._closers.append(self._store.close)
        if self.start_sync:
            p.sync = self._sync_worker()
            from kiosk.facility.wiring import facility_link
            p.facility = facility_link(self.cfg, self.key, self.clock)
            if p.facility is not None:
                self._closers.append(p.facility.stop)
        self._scanners()
        return self

    def _start_ops(self) -> None:
        """Start-up health, the background integrity check, the daily jobs and fleet reporting."""
        from kiosk.ops.runtime import start_kiosk_ops
        self.ops = start_kiosk_ops(self.cfg, self.key, clock=self.clock, devices_status=self.devices_status)
        self._closers.append(self.ops.stop)

    def devices_status(self) -> dict[str, bool]:
        """Each scanner thread's connection (fleet metrics); any thread."""
        scanners = self.parts.scanners
        out = {} if scanners is None else {st.source: st.connected for st in scanners.status()}
        sync = self.parts.sync
        if sync is not None:   # a worker that cannot start says so in the metrics and heartbeat (M4)
            out["sync:worker"] = bool(sync.running and getattr(sync, "last_start_error", None) is None)
        return out

    def checkins_health(self):
        """What the idle screen shows (cheap: a statvfs); None without ops."""
        return None if self.ops is None else self.ops.current_health()

    def _wrap_issuer(self, issuer):
        if self.ops is not None:
            issuer = self.ops.gate(issuer)
        return WakingIssuer(issuer, self._wake_sync)

    def _wake_sync(self) -> None:
        sync = self.parts.sync
        if sync is not None:
            sync.notify()
        if self.parts.facility is not None:
            self.parts.facility.notify()

    def _warm_cache(self) -> None:
        """Read the lookup pages once on the service's own db thread (its connection's page cache),
        so the first patient's lookup does not wait for decryption."""
        store, service = self._store, self.parts.service
        if store is None or service is None:
            return

        def warm() -> None:
            import time
            t0 = time.perf_counter()
            store.patients.warm_cache()
            log.info("patient cache warmed in %.0f ms", (time.perf_counter() - t0) * 1000)
        # the connection is used by that one thread only (CheckinService's db lane)
        try:
            service._db_pool.submit(service._guard, warm)
        except RuntimeError:      # already closed
            pass

    def _printer_driver(self):
        """The printer driver (ESC/POS, or the simulator writing PNGs under <data_dir>/tickets)."""
        from kiosk.devices.printer import driver_from_config
        if self.cfg.printer.strip() in ("sim", "png", "pdf"):
            (Path(self.cfg.data_dir) / "tickets").mkdir(parents=True, exist_ok=True)
        return driver_from_config(self.cfg)

    def _checkin_service(self, driver):
        from kiosk.checkin.build import build_checkin_service
        from kiosk.devices.printer import DriverTicketPrinter
        from kiosk.store.migrate import open_store
        if self.cfg.signing_source == "pkcs12" and str(self.cfg.signing_pkcs12) in ("", "."):
            raise AppError("no signing key configured: set signing_pkcs12 (provisioning), "
                           "or try `kiosk demo`")
        try:
            signer = settings_map.signer(self.cfg)
        except Exception as exc:
            raise AppError(f"cannot load the signing key: {exc}") from exc
        # The service uses its store from its one db thread only.
        self._store = open_store(self.cfg.data_dir, self.key, clock=self.clock, check_same_thread=False,
                                 cache_mib=self.cfg.db_cache_mib, busy_timeout_ms=self.cfg.db_busy_timeout_ms)
        client = settings_map.gateway_client(self.cfg, clock=self.clock)
        vneid = None
        if str(self.cfg.vneid_resolver_endpoint or "").strip():
            from kiosk.checkin.vneid import vneid_resolver
            vneid = vneid_resolver(client)
        return build_checkin_service(self.cfg, self._store, gateway_client=client, sign=signer.sign,
                                     printer=DriverTicketPrinter(driver, self.cfg.kiosk_id), clock=self.clock,
                                     vneid=vneid, wrap_issuer=self._wrap_issuer, numbers=self._hub_numbers())

    def _hub_numbers(self):
        from kiosk.facility.wiring import hub_numbers
        try:
            return hub_numbers(self.cfg, self._closers)     # closing gives the held numbers back
        except ValueError as exc:
            raise AppError(f"facility hub settings: {exc}") from exc

    def _sync_worker(self):
        from kiosk.sync.runner import build_worker
        worker = build_worker(self.cfg, self.key, clock=self.clock)
        self._closers.append(lambda: worker.stop(timeout=5))
        return worker

    def _scanners(self) -> None:
        """Every configured scanner but the wedge (that one lives in the Qt window: attach_ui)
        under the device manager: cross-scanner de-duplication, hot-plug, restarts."""
        from kiosk.devices.scanners import KioskScanners
        p = self.parts
        p.scanners = KioskScanners(self.cfg.scanners, settings_map.scanner_options(self.cfg), self.on_scan)
        p.sim_scanner = p.scanners.sim

    # ------------------------------------------------------------ running

    def on_scan(self, read) -> None:
        """A scanner produced a read (any thread): hand the raw bytes to the check-in machine."""
        from kiosk.core.checkin import QrScanned
        self.last_scan = read
        service = self.parts.service
        if service is not None:
            service.post(QrScanned(read.data))

    def on_scan_unreadable(self, reason: str = "") -> None:
        """A wedge burst that could not be assembled: the patient sees a calm 'scan again'."""
        from kiosk.core.checkin import ScanUnreadable
        service = self.parts.service
        if service is not None:
            service.post(ScanUnreadable())

    def _wedge_read(self, read) -> None:
        """A keyboard-wedge read: through the scanners' de-duplication once they are built."""
        scanners = self.parts.scanners
        if scanners is not None:
            scanners.deliver(read)
        else:
            self.on_scan(read)

    def start(self) -> None:
        p = self.parts
        p.service.start()
        for part in (p.sync, p.facility):      # the upload worker, the facility link
            if part is not None:
                part.start()
        self._warm_cache()
        if p.scanners is not None:
            p.scanners.start()
            self._closers.append(p.scanners.stop)
        from kiosk.calling.compose import kiosk_call_speaker    # voice_kiosk_announces: the kiosk speaks calls
        self._closers.append(kiosk_call_speaker(self.cfg, self.key, self.clock))
        if self.cfg.card_watch and p.chip is None:   # chip cards: PC/SC on its own threads, events to the machine
            from kiosk.devices.chip_watch import ChipWatcher
            p.chip = ChipWatcher.from_config(self.cfg, p.service).start()
            p.service.attach_chip(p.chip)              # the machine's ReadChip runs through it
            self._closers.append(p.chip.stop)

    def attach_ui(self, qt_app, *, dpi: float | None = None, staff_mode: bool = False):
        """Build the patient window over the service (Qt main thread); with `staff_mode` the corner
        gesture opens the desk/technician screens (staff PIN) over it."""
        from kiosk.ui.patient.ui import PatientUi
        self.ui = PatientUi(qt_app, self.parts.service or self.slot, self.cfg, dpi=dpi)
        if staff_mode:
            from kiosk.staff import staff_services
            from kiosk.ui.desk.staff_mode import attach_staff_mode   # corner gesture, then the PIN
            build = staff_services(self.cfg, self.key, self.clock, last_scan=lambda: self.last_scan)
            self.staff = attach_staff_mode(self.ui.window, build)
            self._closers.append(self.staff.close)
        if "wedge" in self.cfg.scanners:
            self._attach_wedge()
        self._closers.append(self.ui.close)
        self._start_ui_timers(qt_app)
        return self.ui

    HEALTH_POLL_MS = 3000

    def _start_ui_timers(self, qt_app) -> None:
        """On the Qt thread: the idle screen follows ops' health (a statvfs every few seconds), and
        the systemd watchdog is fed from this thread, so a hung UI gets the kiosk restarted."""
        import os

        from kiosk.ui.qt import QTimer
        self._health_timer = QTimer(self.ui.window)
        self._health_timer.timeout.connect(self.poll_health)
        self._health_timer.start(self.HEALTH_POLL_MS)
        self._closers.append(self._health_timer.stop)
        if os.environ.get("NOTIFY_SOCKET"):            # under systemd (socket: imported only then)
            from kiosk.ops.sdnotify import SdNotifier, watchdog_interval_seconds
            self.notifier = SdNotifier()
            interval = watchdog_interval_seconds()
        else:
            self.notifier = interval = None
        if self.notifier is not None and interval:
            self._watchdog_timer = QTimer(qt_app)
            self._watchdog_timer.timeout.connect(self.notifier.watchdog)
            self._watchdog_timer.start(max(100, int(interval * 1000)))
            self._closers.append(self._watchdog_timer.stop)
        self.poll_health()

    def poll_health(self) -> None:
        """Show ops' current health on the idle screen (Qt thread)."""
        if self.ui is None:
            return
        try:
            health = self.checkins_health()
        except Exception:  # a failing statvfs must not stop the UI
            log.exception("reading the kiosk's health")
            return
        from kiosk.sync.worker_status import worker_trouble   # the upload worker down: a staff line (M4)
        idle = self.ui.window.screens["idle"]
        idle.set_health(health)
        idle.set_sync_trouble(worker_trouble(self.parts.sync))

    def notify_ready(self) -> None:
        """Tell systemd the kiosk is up (the idle screen is showing); no-op outside systemd."""
        import os
        if not os.environ.get("NOTIFY_SOCKET"):
            return
        from kiosk.ops.sdnotify import SdNotifier
        notifier = self.notifier or SdNotifier()
        if notifier.enabled:
            notifier.ready()
            if self._watchdog_timer is not None:
                notifier.watchdog()

    def _attach_wedge(self) -> None:
        from kiosk.ui.wedge_filter import WedgeEventFilter
        self._wedge = WedgeEventFilter(self.ui.window, settings_map.wedge_config(self.cfg))
        self._wedge.scanned.connect(self._wedge_read)
        self._wedge.unreadable.connect(self.on_scan_unreadable)   # reason logged by the filter
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
            self.ui.window.render(self.parts.service.state)
            self.ui.window.build_screens()
            if self._wedge is None and "wedge" in self.cfg.scanners:
                self._attach_wedge()
            self.start()
            self.poll_health()
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

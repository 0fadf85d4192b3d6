"""Staff mode: the composition of the desk and technician screens over a store of their own (one
connection, used from the staff db worker only). Used by `kiosk desk` on a desk PC and, through the
corner gesture, on the patient kiosk (`attach_staff_mode(window, cfg, key, clock)`)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.security.roles import Role
from kiosk.ui.desk.signin import SignInDialog
from kiosk.ui.desk.worker import DbWorker
from kiosk.ui.qt import QEvent, QObject, Qt

log = logging.getLogger(__name__)


def _unavailable_signer(reason: str):
    def sign(_xml: bytes) -> bytes:
        from kiosk.desk.context import DeskError
        raise DeskError(f"the signing key is not usable ({reason}): a technician must fix it")
    return sign


class StaffServices:
    """Store, accounts, desk and technician services for one data dir (built on the worker)."""

    def __init__(self, cfg, key: bytes, clock=None, *, gateway=None, printer=None, last_scan=None):
        from kiosk.core.clock import SystemClock
        from kiosk.security.accounts import StaffAccounts
        from kiosk.security.audit_log import AuditLog
        from kiosk.desk.visits import Desk
        from kiosk.desk.context import DeskContext, DeskSettings
        from kiosk.technician.service import TechContext, TechnicianService
        from kiosk.store.keys import FileKeyProvider
        from kiosk.store.migrate import open_store
        self.cfg, self.clock = cfg, clock or SystemClock()

        def reopen(k: bytes):
            return open_store(cfg.data_dir, k, clock=self.clock, check_same_thread=False,
                              cache_mib=cfg.db_cache_mib, busy_timeout_ms=cfg.db_busy_timeout_ms)
        self.store = reopen(key)
        self.audit = AuditLog(self.store)
        self.accounts = StaffAccounts(self.store, self.audit, self.clock, max_failures=cfg.pin_max_failures,
                                      session_minutes=cfg.staff_session_minutes)
        try:
            from kiosk.gateway.signing import signer_from_config
            sign = signer_from_config(cfg).sign
        except Exception as exc:  # noqa: BLE001 - the desk still works for everything but uploads
            log.warning("staff mode: signing key unusable (%s)", type(exc).__name__)
            sign = _unavailable_signer(type(exc).__name__)
        if gateway is None:
            from kiosk.gateway.client import GatewayClient
            gateway = GatewayClient.from_config(cfg, clock=self.clock)
        if printer is None:
            from kiosk.devices.printer import driver_from_config
            try:
                printer = driver_from_config(cfg)
            except Exception as exc:  # noqa: BLE001 - no printer: reprint says so
                log.warning("staff mode: no printer (%s)", type(exc).__name__)
        from kiosk.devices.printer import DriverTicketPrinter
        desk_ctx = DeskContext(self.store, self.accounts, self.audit, self.clock, DeskSettings.from_config(cfg), sign,
                               gateway, DriverTicketPrinter(printer, cfg.kiosk_id) if printer else None)
        self.desk = Desk.build(desk_ctx)
        key_provider = FileKeyProvider(cfg.key_file, cfg.data_dir) if cfg.key_provider == "file" else None
        self.tech_ctx = TechContext(self.store, self.accounts, self.audit, self.clock, cfg, key_provider, reopen,
                                    gateway, printer)
        if last_scan is not None:
            self.tech_ctx.last_scan = last_scan

        def rebound(store):
            desk_ctx.store, desk_ctx.audit = store, self.tech_ctx.audit
            self.store, self.audit = store, self.tech_ctx.audit
        self.tech_ctx.on_reopen.append(rebound)
        self.tech = TechnicianService(self.tech_ctx)

    def close(self) -> None:
        self.tech_ctx.store.close()


class StaffMode:
    """Sign-in, then the window for the role; back to the caller's screen on sign-out."""

    def __init__(self, cfg, key: bytes, clock=None, *, kiosk_layout: bool = False, parent=None, **services: Any):
        self.cfg, self.key, self.clock = cfg, key, clock
        self.kiosk_layout, self.parent = kiosk_layout, parent
        self.worker = DbWorker()
        self.services: StaffServices | None = None
        self._services_kw = services
        self.window = None
        self.dialog = None
        self.exit_kiosk = None      # set by `kiosk run`: unlock the session and quit

    def open(self) -> None:
        """Ask for the PIN (the gesture or `kiosk desk` calls this). The services (database,
        signing key, gateway client) are built on the worker the first time, never on the UI thread."""
        if self.window is not None and self.window.isVisible():
            self.window.raise_()
            return
        if self.services is None:
            def built(services):
                self.services = services
                self._ask_pin()
            self.worker.run(StaffServices, self.cfg, self.key, self.clock, **self._services_kw, done=built,
                            failed=lambda exc: log.error("staff mode unavailable: %s", type(exc).__name__))
            return
        self._ask_pin()

    def _ask_pin(self) -> None:
        self.dialog = SignInDialog(self.services.accounts, self.worker, self.parent, kiosk_layout=self.kiosk_layout)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.open()

    def _signed_in(self, session) -> None:
        s = self.services
        if session.role in (Role.TECHNICIAN,) or (session.role is Role.ADMIN and getattr(self, "prefer_tech", False)):
            from kiosk.ui.technician.window import TechnicianWindow
            self.window = TechnicianWindow(s.tech, self.worker, session, exit_kiosk=self.exit_kiosk)
        else:
            from kiosk.ui.desk.window import DeskWindow
            self.window = DeskWindow(s.desk, self.worker, session, kiosk_layout=self.kiosk_layout)
        if self.kiosk_layout:
            from kiosk.ui.fullscreen import show_full_screen   # covers the patient UI, WM or not
            self.window.setWindowFlags(self.window.windowFlags() | Qt.WindowType.WindowStaysOnTopHint)
            _pause_patient(self.parent, self.window)
            show_full_screen(self.window)
        else:
            self.window.resize(1280, 800)
            self.window.show()

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.services is not None:
            self.worker.call(self.services.close)
        self.worker.shutdown()


class _ResumeOnClose(QObject):
    """Tells the patient window when the staff window over it goes away."""

    def __init__(self, patient, staff_window):
        super().__init__(staff_window)
        self._patient = patient

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide):
            self._patient.pause_for_staff(False)
        return False


def _pause_patient(patient, staff_window) -> None:
    pause = getattr(patient, "pause_for_staff", None)
    if pause is None:
        return
    pause(True)
    staff_window.installEventFilter(_ResumeOnClose(patient, staff_window))


def attach_staff_mode(window, cfg, key: bytes, clock=None, **services: Any) -> StaffMode:
    """The patient kiosk's hook: the corner gesture opens the staff PIN dialog over `window`.
    `services` may pass `last_scan=callable` (the newest ScanRead) for the devices page's scan test."""
    from kiosk.ui.desk.gesture import install_staff_gesture
    mode = StaffMode(cfg, key, clock, kiosk_layout=True, parent=window, **services)
    mode.gesture = install_staff_gesture(window, mode.open)
    return mode


def is_provisioned(cfg) -> bool:
    from kiosk.store.db import db_path
    return bool(cfg.facility_code) and Path(cfg.key_file).exists() and db_path(cfg.data_dir).exists()

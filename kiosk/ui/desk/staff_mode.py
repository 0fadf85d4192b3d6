"""Staff mode: sign-in, then the desk or technician screens over the staff services. The services
(`kiosk.staff.StaffServices`: store, signer, gateway client) are built by the composition root
(`kiosk desk`, `KioskApp`); this module is handed the recipe and runs it once on the staff db
worker, never on the Qt thread. Used by `kiosk desk` on a desk PC and, through the corner gesture,
on the patient kiosk (`attach_staff_mode(window, build_services)`)."""
from __future__ import annotations

import logging
from typing import Any, Callable

from kiosk.security.roles import Role
from kiosk.ui.desk.signin import SignInDialog
from kiosk.ui.desk.worker import DbWorker
from kiosk.ui.qt import QEvent, QObject, Qt

log = logging.getLogger(__name__)


class StaffMode:
    """Sign-in, then the window for the role; back to the caller's screen on sign-out."""

    def __init__(self, build_services: Callable[[], Any], *, kiosk_layout: bool = False, parent=None):
        self.kiosk_layout, self.parent = kiosk_layout, parent
        self.worker = DbWorker()
        self.services: Any = None             # kiosk.staff.StaffServices once built
        self.build_services = build_services
        self.window: Any = None               # DeskWindow or TechnicianWindow after sign-in
        self.dialog: Any = None               # the SignInDialog while it is open
        self.gesture: Any = None              # the corner-gesture filter (attach_staff_mode)
        self.prefer_tech = False              # `kiosk desk --technician`: admins get the technician screens
        self.exit_kiosk: Any = None           # set by `kiosk run`: unlock the session and quit
        self.on_unavailable: Any = None       # set by `kiosk desk`: say why and quit (no window opened)

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
            self.worker.run(self.build_services, done=built,
                            failed=self._unavailable)
            return
        self._ask_pin()

    def _unavailable(self, exc: Exception) -> None:
        log.error("staff mode unavailable: %s", type(exc).__name__)
        if self.on_unavailable is not None:
            self.on_unavailable(exc)

    def _ask_pin(self) -> None:
        self.dialog = SignInDialog(self.services.accounts, self.worker, self.parent, kiosk_layout=self.kiosk_layout)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.open()

    def _signed_in(self, session) -> None:
        s = self.services
        if s.tech is not None and (session.role in (Role.TECHNICIAN,) or (session.role is Role.ADMIN and
                                                                          self.prefer_tech)):
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


def attach_staff_mode(window, build_services: Callable[[], Any]) -> StaffMode:
    """The patient kiosk's hook: the corner gesture opens the staff PIN dialog over `window`;
    `build_services()` (from `kiosk.staff.staff_services`) runs on the staff worker on first use."""
    from kiosk.ui.desk.gesture import install_staff_gesture
    mode = StaffMode(build_services, kiosk_layout=True, parent=window)
    mode.gesture = install_staff_gesture(window, mode.open)
    return mode

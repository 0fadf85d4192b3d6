"""Binds the patient window to a check-in service: states in through a queued bridge, events out
through `service.post`, any touch re-arming the inactivity timer."""
from __future__ import annotations

from typing import Any

from kiosk.ui.bridge import StateBridge
from kiosk.ui.i18n import Translations, ensure_built
from kiosk.ui.sizes import Metrics, metrics_for_screen
from kiosk.ui.patient.window import ActivityFilter, PatientWindow
from kiosk.ui.qt import QApplication
from kiosk.ui.speech import Speaker


class PatientUi:
    """Owns the window, the bridge and the translations for one QApplication."""

    def __init__(self, app: QApplication, service: Any, cfg: Any, *, dpi: float | None = None):
        self.app = app
        self.service = service
        ensure_built()
        self.translations = Translations(app)
        self.bridge = StateBridge(app)
        # `dpi` pins the physical scale (headless screenshots, tests); else the screen's own
        metrics = Metrics(dpi, cfg.large_text) if dpi is not None else \
            metrics_for_screen(app.primaryScreen(), cfg.large_text)
        self.speaker = Speaker(cfg.speech, app)
        self.window = PatientWindow(
            service.post, self.translations, metrics, language=cfg.language,
            large_text=cfg.large_text, high_contrast=cfg.high_contrast, orientation=cfg.orientation,
            facility_name=cfg.facility_name, speaker=self.speaker,
            inactivity_s=float(getattr(cfg, "inactivity_seconds", 30.0)))
        self.bridge.state_ready.connect(self.window.render)
        service.add_listener(self.bridge.listener)
        self.activity = ActivityFilter(service.post, self.window)
        app.installEventFilter(self.activity)
        state = service.state            # None: a service still being built (kiosk run)
        if state is not None:
            self.window.render(state)
            self.window.build_screens()

    def show(self, fullscreen: bool = True, size: tuple[int, int] | None = None) -> None:
        if size is not None:
            self.window.resize(*size)
            self.window.show()
        elif fullscreen:
            from kiosk.ui.fullscreen import show_full_screen   # also on a bare X server (no WM)
            show_full_screen(self.window)
        else:
            self.window.resize(1080 // 2, 1920 // 2)
            self.window.show()

    def close(self) -> None:
        self.app.removeEventFilter(self.activity)
        self.speaker.stop()
        self.translations.uninstall()
        self.window.close()

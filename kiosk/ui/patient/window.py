"""The patient's full-screen window: a header with the language and accessibility switches, and a
QStackedWidget with one screen per core state. It renders states and sends events, nothing more.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, cast

import importlib
import sys

from kiosk.core.views import InsuranceStatus, ReadSource
from kiosk.ui.i18n import Translations
from kiosk.ui.sizes import DEFAULT_DPI, Metrics
from kiosk.ui.patient.base import Screen, UiContext
from kiosk.ui.patient.idle import IdleScreen
from kiosk.ui.qt import (
    QEvent, QFrame, QHBoxLayout, QObject, QSizePolicy, QStackedWidget, QTimer, QVBoxLayout, QWidget, Qt, Signal,
)
from kiosk.ui.speech import Speaker
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.common import icon_button, label, set_button_icon

log = logging.getLogger(__name__)

# The cold start paints the idle screen before the state machine (kiosk.core.checkin, ~30 ms of
# dataclasses) and the other screens are imported: they are built when the service is bound
# (`build_screens()`), or on first use.
_SCREEN_CLASS: dict[str, str | None] = {
    "idle": None, "reading": "reading.ReadingScreen", "keypad": "keypad.KeypadScreen",
    "confirm": "confirm.ConfirmScreen", "service": "service.ServiceScreen", "ticket": "ticket.TicketScreen",
    "error": "error.ErrorScreen",
}


def _checkin():
    """kiosk.core.checkin, imported on first need (a state exists by then, so it is loaded)."""
    return sys.modules.get("kiosk.core.checkin") or importlib.import_module("kiosk.core.checkin")


_screen_of: dict[type, str] | None = None


def screen_of() -> dict[type, str]:
    """{state class: screen name}, built on first need (a state exists by then, so the machine's
    states are loaded). Keyed by the classes themselves: renaming a state cannot break it silently."""
    global _screen_of
    if _screen_of is None:
        st = sys.modules.get("kiosk.core.checkin.states") or importlib.import_module("kiosk.core.checkin.states")
        _screen_of = {
            st.Idle: "idle", st.Reading: "reading", st.Keypad: "keypad", st.Confirm: "confirm",
            st.CheckingEligibility: "confirm", st.ChooseService: "service", st.Issuing: "ticket",
            st.Printing: "ticket", st.TicketShown: "ticket", st.Problem: "error", st.PrinterFailed: "error",
        }
    return _screen_of


def __getattr__(name: str):
    if name == "SCREEN_OF":        # {state class: screen name}, as before
        return screen_of()
    raise AttributeError(name)
_ACTIVITY = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress)
# States that usually last a few milliseconds (a QR or number lookup, issuing, the insurance check
# offline) are shown only if they are still current after this long: no flicker for the patient,
# and no painting of a screen that is already gone.
SETTLE_MS = 120
WARN_BEFORE_S = 10.0             # the "still there?" line shows this long before the reset
DESIGN_PX = (1920, 1080)          # the panel the layouts are designed on (long side, short side) at 96 DPI


def is_transient(state: Any) -> bool:
    c = _checkin()
    if isinstance(state, c.Reading):
        return state.source is not ReadSource.CHIP        # a chip read has real steps to show
    if isinstance(state, c.Confirm):
        return state.eligibility.status is InsuranceStatus.CHECKING
    return isinstance(state, c.Issuing)


class PatientWindow(QWidget):
    """`render(state)` is the only way in; `ctx.send(event)` the only way out."""

    rendered = Signal(object)        # after a state is on screen (tests, the headless demo)

    def __init__(self, send: Callable[[Any], None], translations: Translations, metrics: Metrics, *,
                 language: str = "vi", large_text: bool = False, high_contrast: bool = False,
                 orientation: str = "auto", facility_name: str = "", speaker: Speaker | None = None,
                 inactivity_s: float = 30.0):
        super().__init__()
        self.setObjectName("PatientRoot")
        self.setWindowTitle("Kiosk")
        self._send = send
        self.translations = translations
        self.defaults: dict[str, Any] = {"language": language, "large_text": large_text, "high_contrast": high_contrast}
        self.orientation = orientation
        self.speaker = speaker or Speaker(False, self)
        self._dpi = metrics.dpi
        self.ctx = UiContext(send=self._send_event, theme=Theme(metrics, high_contrast),
                             language=translations.language, facility_name=facility_name)
        self.state: Any = None
        self.landscape: bool | None = None
        self._pending: Any = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.timeout.connect(self._show_pending)
        # "Are you still there?" some seconds before the machine's inactivity reset (minor 1)
        self.inactivity_s = inactivity_s
        self._warn = QTimer(self)
        self._warn.setSingleShot(True)
        self._warn.timeout.connect(self._show_still_there)

        self._build_header()
        self.stack = QStackedWidget(self)
        # The window's size is the screen's; screens must fit it, never push it (a portrait
        # layout's minimum must not stop the turn to landscape).
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.screens: dict[str, Screen] = _Screens(self)
        self.screens["idle"] = IdleScreen(self.ctx)
        self.stack.addWidget(self.screens["idle"])
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.header)
        self.still_there = label("warn", self)
        self.still_there.setObjectName("StillThere")
        self.still_there.setVisible(False)
        root.addWidget(self.still_there)
        root.addWidget(self.stack, 1)

        translations.language_changed.connect(self._language_changed)
        translations.set_language(language)
        self.apply_accessibility(large_text, high_contrast)
        self._retranslate_header()
        self._update_orientation()
        self.stack.setCurrentWidget(self.screens["idle"])     # the idle screen, before any state

    def build_screens(self) -> None:
        """Build every screen not built yet (after the first paint; `render` also builds on demand)."""
        for name in _SCREEN_CLASS:
            self.screens[name]

    def _build_screen(self, name: str) -> Screen:
        path = _SCREEN_CLASS[name]
        assert path is not None  # the idle screen is built up front
        module, cls = path.split(".")
        screen = getattr(importlib.import_module(f"kiosk.ui.patient.{module}"), cls)(self.ctx)
        self.stack.addWidget(screen)
        if self.landscape is not None:
            screen.set_landscape(self.landscape)
        else:
            screen.restyle()
        return screen

    # ------------------------------------------------------------ header

    def _build_header(self) -> None:
        self.header = QFrame(self)
        self.header.setProperty("role", "banner")
        self.facility = label("banner", self.header, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.facility.setText(self.ctx.facility_name)
        self.language_button = icon_button("banner", self.header)
        self.language_button.setObjectName("LanguageButton")
        self.language_button.clicked.connect(self.toggle_language)
        self.text_button = icon_button("toggle", self.header)
        self.text_button.setObjectName("LargeTextButton")
        self.text_button.setCheckable(True)
        self.text_button.clicked.connect(lambda on: self.apply_accessibility(on, self.ctx.theme.high_contrast))
        self.contrast_button = icon_button("toggle", self.header)
        self.contrast_button.setObjectName("HighContrastButton")
        self.contrast_button.setCheckable(True)
        self.contrast_button.clicked.connect(lambda on: self.apply_accessibility(self.ctx.metrics.large_text, on))
        self.speech_button = icon_button("toggle", self.header)
        self.speech_button.setObjectName("SpeechButton")
        self.speech_button.setCheckable(True)
        self.speech_button.setVisible(self.speaker.available)
        self.speech_button.clicked.connect(self.speaker.set_enabled)
        for b in (self.language_button, self.text_button, self.contrast_button, self.speech_button):
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        row = QHBoxLayout(self.header)
        row.addWidget(self.facility, 1)
        row.addWidget(self.speech_button)
        row.addWidget(self.text_button)
        row.addWidget(self.contrast_button)
        row.addWidget(self.language_button)
        self._header_row = row

    def _retranslate_header(self) -> None:
        # The button names the language it switches TO, in that language.
        self.language_button.setText("English" if self.translations.language == "vi" else "Tiếng Việt")
        self.text_button.setText(self.tr("Chữ to"))
        self.contrast_button.setText(self.tr("Tương phản cao"))
        self.speech_button.setText(self.tr("Đọc to"))

    def _style_header(self) -> None:
        m = self.ctx.metrics
        pad = m.mm(3)
        self._header_row.setContentsMargins(pad * 2, pad, pad * 2, pad)
        self._header_row.setSpacing(pad * 2)
        color = self.ctx.color("bannertext")
        for b, icon in ((self.language_button, "globe"), (self.text_button, "text_size"),
                        (self.contrast_button, "contrast"), (self.speech_button, "speaker")):
            # large text enlarges the icons with the words (they used to stay put: minor 9)
            set_button_icon(b, icon, m.mm(8 * m.scale), self.ctx.color("icon") if b is not self.language_button else color,
                            checked_color=self.ctx.color("primarytext"))
            b.setMinimumHeight(max(m.touch, m.mm(16)))
            b.setSizePolicy(b.sizePolicy().horizontalPolicy(), b.sizePolicy().verticalPolicy())
        self.text_button.setChecked(m.large_text)
        self.contrast_button.setChecked(self.ctx.theme.high_contrast)
        # a narrow portrait header with large text has no room for the facility's name
        self.facility.setVisible(bool(self.landscape) or not m.large_text)

    # ------------------------------------------------------------ public

    def toggle_language(self) -> None:
        self.translations.toggle()

    def set_language(self, lang: str) -> None:
        self.translations.set_language(lang)

    def fit_dpi(self) -> float:
        """The DPI the layout uses: the screen's own, but never more than what fits the window.
        The screens are laid out for a 1920x1080 (or 1080x1920) panel at 96 DPI; a smaller window
        (1024x768, 1280x720, 768x1366...) scales every size down with it, so nothing clips or
        overlaps (issue 14 M4). Tiny sizes (before the first show) keep the screen's DPI."""
        w, h = self.width(), self.height()
        if min(w, h) < 200:
            return self._dpi
        factor = min(1.0, max(w, h) / DESIGN_PX[0], min(w, h) / DESIGN_PX[1])
        return min(self._dpi, DEFAULT_DPI * factor) if factor < 1.0 else self._dpi

    def apply_accessibility(self, large_text: bool, high_contrast: bool) -> None:
        self.ctx.theme = Theme(Metrics(self.fit_dpi(), large_text), high_contrast)
        self.setStyleSheet(self.ctx.theme.stylesheet())
        self._style_header()
        for screen in self.screens.values():
            screen.restyle()
            if screen.state is not None:
                screen.render()

    def render(self, state: Any) -> None:  # type: ignore[override]  # shows a state; not QWidget.render(target)
        """Show a core state (called through a queued signal from the check-in service); a
        transient one only if it is still current after SETTLE_MS."""
        if is_transient(state) and self.state is not None:
            self._pending = state
            if not self._settle.isActive():
                self._settle.start(SETTLE_MS)
            return
        self._settle.stop()
        self._pending = None
        self.show_now(state)

    def _show_pending(self) -> None:
        state, self._pending = self._pending, None
        if state is not None:
            self.show_now(state)

    def show_now(self, state: Any) -> None:
        """Show a state at once (tests and screenshots of every screen use this too)."""
        c = _checkin()
        previous, self.state = self.state, state
        self._arm_still_there(isinstance(state, (c.Keypad, c.Confirm, c.ChooseService)))
        if isinstance(state, c.PrinterFailed) or (isinstance(state, c.TicketShown) and state.printed):
            # the next patients learn of printer trouble on the idle screen, before they start
            idle = self.screens["idle"]
            assert isinstance(idle, IdleScreen)
            idle.set_printer_trouble(isinstance(state, c.PrinterFailed))
        if isinstance(state, c.Idle):
            self._reset_public_screen(previous is not None and not isinstance(previous, c.Idle))
        name = screen_of()[type(state)]
        screen = self.screens[name]
        screen.show_state(state)
        changed = self.stack.currentWidget() is not screen
        self.stack.setCurrentWidget(screen)
        if changed or type(previous) is not type(state):
            self.speaker.say(screen.speech_text(), self.translations.language)
        self.rendered.emit(state)

    def current_screen(self) -> Screen:
        return cast(Screen, self.stack.currentWidget())   # the stack holds screens only

    # ------------------------------------------------------------ internals

    def _send_event(self, event: Any) -> None:
        self._send(event)

    def _arm_still_there(self, waits_for_patient: bool) -> None:
        self.still_there.setVisible(False)
        if waits_for_patient and self.inactivity_s > WARN_BEFORE_S + 2:
            self._warn.start(int((self.inactivity_s - WARN_BEFORE_S) * 1000))
        else:
            self._warn.stop()

    def _show_still_there(self) -> None:
        self.still_there.setText(self.tr("Ông/bà còn ở đây không? Xin chạm vào màn hình để tiếp tục."))
        self.still_there.setVisible(True)
        self.speaker.say(self.still_there.text(), self.translations.language)

    def on_activity(self) -> None:
        """A touch anywhere (ActivityFilter): the warning goes, the countdown starts again."""
        if self._warn.isActive() or self.still_there.isVisible():
            self._arm_still_there(True)

    def pause_for_staff(self, paused: bool) -> None:
        """A staff window opened over the kiosk (or closed): the check-in machine ends the session
        and starts none behind it (issue 14 M6)."""
        from kiosk.core.checkin import StaffPause
        self._send(StaffPause(paused))

    def _reset_public_screen(self, after_session: bool) -> None:
        """Back to idle: nothing personal stays in any widget; the next patient gets the defaults."""
        for screen in self.screens.values():
            screen.clear()
        if after_session:
            d = self.defaults
            if self.translations.language != d["language"]:
                self.translations.set_language(d["language"])
            if (self.ctx.metrics.large_text, self.ctx.theme.high_contrast) != (d["large_text"], d["high_contrast"]):
                self.apply_accessibility(d["large_text"], d["high_contrast"])

    def _language_changed(self, lang: str) -> None:
        self.ctx.language = lang
        self._retranslate_header()

    def _update_orientation(self) -> None:
        if self.orientation == "auto":
            landscape = self.width() > self.height()
        else:
            landscape = self.orientation == "landscape"
        if landscape != self.landscape:
            self.landscape = landscape
            self._style_header()
            for screen in self.screens.values():
                screen.set_landscape(landscape)
                if screen.state is not None:
                    screen.render()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if abs(self.fit_dpi() - self.ctx.metrics.dpi) > 0.5:
            self.apply_accessibility(self.ctx.metrics.large_text, self.ctx.theme.high_contrast)
        self._update_orientation()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate_header()
        super().changeEvent(event)


class _Screens(dict):
    """name → screen; a screen not built yet is built on first access."""

    def __init__(self, window: "PatientWindow"):
        super().__init__()
        self._window = window

    def __missing__(self, name: str) -> Screen:
        if name not in _SCREEN_CLASS:
            raise KeyError(name)
        screen = self[name] = self._window._build_screen(name)
        return screen


class ActivityFilter(QObject):
    """Any touch, click or key anywhere counts as activity (re-arms the core's inactivity timer)."""

    def __init__(self, send: Callable[[Any], None], parent: QObject | None = None):
        super().__init__(parent)
        self._send = send

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in _ACTIVITY and obj.isWidgetType():
            self._send(_checkin().Activity())
            on_activity = getattr(self.parent(), "on_activity", None)
            if on_activity is not None:
                on_activity()
        return False

"""What every patient screen shares: the UI context, rendering a state, retranslation, layout switch.

A screen is dumb: `show_state(state)` renders one core state; taps become core events through
`ctx.send(event)`. `clear()` drops everything personal the screen shows (called at every reset).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kiosk.core.views import Message
from kiosk.ui.sizes import Metrics
from kiosk.ui.qt import QBoxLayout, QCoreApplication, QEvent, QLabel, QLayout, QTimer, QWidget
from kiosk.ui.theme import Theme


MESSAGE_CONTEXT = "Message"     # the .ts context of the core's patient messages (source = vi)


@dataclass
class UiContext:
    """Shared, mutable UI settings every screen reads (language, theme); no personal data."""
    send: Callable[[Any], None]
    theme: Theme
    language: str = "vi"
    facility_name: str = ""

    @property
    def metrics(self) -> Metrics:
        return self.theme.metrics

    def color(self, name: str) -> str:
        return self.theme.color(name)

    def pick(self, vi: str, en: str) -> str:
        """Choose between bilingual data (service names from settings, core messages)."""
        return en if self.language == "en" and en else vi

    def message(self, message: Message | None) -> str:
        return "" if message is None else self.core_text(message.vi, message.en)

    def core_text(self, vi: str, en: str) -> str:
        """A text the Qt-free core produced as a (vi, en) pair: Vietnamese as is; in English the
        translation of the "Message" context of kiosk_en.ts (scripts/i18n_en.py fills it with the
        core's static messages), else the pair's own English (texts with dates or numbers)."""
        if self.language != "en":
            return vi
        if vi:
            translated = QCoreApplication.translate(MESSAGE_CONTEXT, vi)
            if translated and translated != vi:
                return translated
        return en or vi


class Screen(QWidget):
    """Base of the patient screens."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state: Any = None
        self.landscape = False
        self.setProperty("screen", True)

    # --- called by the main window
    def show_state(self, state: Any) -> None:
        self.state = state
        self.render()
        self.refresh_layout()

    def refresh_layout(self) -> None:
        """Re-flow after texts changed: Qt keeps stale height-for-width of wrapped labels when the
        size does not change (a language switch would otherwise clip text)."""
        for lay in self.findChildren(QLayout):
            lay.invalidate()
        own = self.layout()
        if own is not None:
            own.invalidate()
            own.activate()

    def clear(self) -> None:
        """Forget the state and blank every text that could be personal."""
        self.state = None
        for lab in self.findChildren(QLabel):
            if lab.property("personal"):
                lab.clear()

    def set_landscape(self, landscape: bool) -> None:
        self.landscape = landscape
        self.relayout()
        self.restyle()

    def restyle(self) -> None:
        """Theme or size changed: re-draw pictures (the stylesheet cascades by itself)."""

    def relayout(self) -> None:
        """Portrait/landscape changed."""

    # --- subclasses
    def retranslate(self) -> None:
        """Re-read every fixed string (Qt sent LanguageChange)."""

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        """Show `self.state` (may be called again after a language switch)."""

    def speech_text(self) -> str:
        """The prompt spoken when this screen appears (when speech is on)."""
        return ""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.state is not None:
                self.render()
            # after every widget has seen the LanguageChange, not in the middle of it
            QTimer.singleShot(0, self.refresh_layout)
        super().changeEvent(event)


def set_direction(layout: QBoxLayout, landscape: bool) -> None:
    layout.setDirection(QBoxLayout.Direction.LeftToRight if landscape
                        else QBoxLayout.Direction.TopToBottom)


def mark_personal(*labels: QLabel) -> None:
    for lab in labels:
        lab.setProperty("personal", True)

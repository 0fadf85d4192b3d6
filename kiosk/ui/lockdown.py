"""Kiosk session lock-down: the patient cannot leave the app by keyboard shortcuts.

An application-wide event filter swallows the exits a keyboard offers (Alt+F4, Ctrl+Q, Ctrl+W,
Alt+Tab, Super, Ctrl+Alt+Backspace …) and close requests on the main window unless staff unlocked
it. Under cage (a single-app Wayland compositor) there is no task switcher at all; under X11 the
window manager's own bindings must be disabled too (see README "Kiosk session").
"""
from __future__ import annotations

from kiosk.ui.qt import QEvent, QObject, Qt

_MODS = Qt.KeyboardModifier
_BLOCKED_KEYS = {
    Qt.Key.Key_F4, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Q, Qt.Key.Key_W, Qt.Key.Key_Escape,
    Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_F11,
}
_ALWAYS_BLOCKED = {Qt.Key.Key_Meta, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Menu,
                   Qt.Key.Key_Close, Qt.Key.Key_PowerOff, Qt.Key.Key_Sleep}


def is_escape_combination(key: int, modifiers) -> bool:
    """A key press a patient could use to leave or switch away from the kiosk."""
    if key in _ALWAYS_BLOCKED:
        return True
    mods = modifiers & (_MODS.AltModifier | _MODS.ControlModifier | _MODS.MetaModifier)
    return bool(mods) and key in _BLOCKED_KEYS


class KioskLockdown(QObject):
    """Install on the QApplication; `unlocked` is set by the staff gesture + PIN flow."""

    def __init__(self, main_window, parent=None):
        super().__init__(parent)
        self.main_window = main_window
        self.unlocked = False
        self.swallowed = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        etype = event.type()
        if etype in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease):
            if not self.unlocked and is_escape_combination(event.key(), event.modifiers()):
                self.swallowed += 1
                event.accept()
                return True
        if etype == QEvent.Type.Close and obj is self.main_window and not self.unlocked:
            self.swallowed += 1
            event.ignore()
            return True
        return False


def enter_kiosk_mode(app, window, hide_cursor: bool = False) -> KioskLockdown:
    """Frameless, full-screen, always on top; shortcuts swallowed; optional hidden cursor."""
    window.setWindowFlags(window.windowFlags() | Qt.WindowType.FramelessWindowHint
                          | Qt.WindowType.WindowStaysOnTopHint)
    lock = KioskLockdown(window, app)
    app.installEventFilter(lock)
    if hide_cursor:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
    from kiosk.ui.fullscreen import show_full_screen     # also on a bare X server (no WM)
    show_full_screen(window)
    return lock

"""Full screen that does not depend on a window manager.

`showFullScreen()` only asks the window manager (`_NET_WM_STATE_FULLSCREEN`); the README's X11
kiosk session runs with no window manager at all, where nobody honours that request and the
window stays at its default size in a corner (QA B2). Here the window also takes the screen's
geometry itself, frameless, and checks again once it is mapped: with a window manager that is a
no-op, without one it is what makes the window cover the screen.
"""
from __future__ import annotations

from kiosk.ui.qt import QTimer, Qt, QWidget


def screen_rect(window: QWidget):
    screen = window.screen() if window.screen() is not None else None
    if screen is None:
        from kiosk.ui.qt import QApplication
        screen = QApplication.primaryScreen()
    return screen.geometry()


def show_full_screen(window: QWidget, *, frameless: bool = True) -> None:
    """Cover the whole screen, with or without a window manager."""
    if frameless:
        window.setWindowFlags(window.windowFlags() | Qt.WindowType.FramelessWindowHint)
    rect = screen_rect(window)
    window.setGeometry(rect)
    window.showFullScreen()

    def again() -> None:
        if window.isVisible() and window.geometry() != screen_rect(window):
            window.setGeometry(screen_rect(window))
    QTimer.singleShot(0, window, again)
    QTimer.singleShot(300, window, again)      # after the map: a bare X server has settled by then

"""The deliberate gesture that opens staff mode on the patient kiosk: five taps in the top-left
corner within three seconds, or a three-second press in that corner. Then the PIN is asked.

Hook it to any window: `install_staff_gesture(window, on_request)` (the patient window's owner
calls it once; nothing in the patient screens changes)."""
from __future__ import annotations

from typing import Callable

from kiosk.ui.qt import QElapsedTimer, QEvent, QObject, QTimer, QWidget, Signal

CORNER_PX = 120
TAPS = 5
TAP_WINDOW_MS = 3000
HOLD_MS = 3000


class StaffGesture(QObject):
    requested = Signal()

    def __init__(self, window: QWidget, corner_px: int = CORNER_PX):
        super().__init__(window)
        self.window = window
        self.corner_px = corner_px
        self._taps: list[int] = []
        self._clock = QElapsedTimer()
        self._clock.start()
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_MS)
        self._hold.timeout.connect(self._fire)

    def _in_corner(self, event) -> bool:
        pos = event.globalPosition().toPoint() if hasattr(event, "globalPosition") else event.globalPos()
        local = self.window.mapFromGlobal(pos)
        return 0 <= local.x() < self.corner_px and 0 <= local.y() < self.corner_px

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) and obj.isWidgetType():
            if obj.window() is not self.window:
                return False
            if not self._in_corner(event):
                self._taps.clear()
                return False
            now = self._clock.elapsed()
            self._taps = [t for t in self._taps if now - t <= TAP_WINDOW_MS] + [now]
            self._hold.start()
            if len(self._taps) >= TAPS:
                self._fire()
        elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd):
            self._hold.stop()
        return False

    def _fire(self) -> None:
        self._taps.clear()
        self._hold.stop()
        self.requested.emit()


def install_staff_gesture(window: QWidget, on_request: Callable[[], None]) -> StaffGesture:
    """Watch `window` (and its children) for the gesture; `on_request` opens the PIN dialog."""
    from kiosk.ui.qt import running_application
    gesture = StaffGesture(window)
    gesture.requested.connect(on_request)
    running_application().installEventFilter(gesture)
    return gesture

"""A QR code drawn crisply at any size (segno encodes, ~5 ms; Qt paints the modules), cached per
payload so the printing and ticket screens share one.

Not zxing-cpp's writer: on Python 3.11 its `to_image()` result drops a reference to None on every
call, and after a few hundred tickets the interpreter aborts (`none_dealloc`)."""
from __future__ import annotations

from functools import lru_cache


from kiosk.ui.qt import QColor, QLabel, QPainter, QPixmap, QRectF, Qt, QWidget

QUIET_MODULES = 2


def qr_matrix(payload: str) -> list[list[bool]]:
    """Module matrix (True = dark), error correction M, no quiet zone."""
    import segno            # on first ticket, not at start-up
    qr = segno.make(payload, error="m", micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in qr.matrix]


@lru_cache(maxsize=8)
def qr_pixmap(payload: str, size: int, dark: str = "#000000", light: str = "#FFFFFF") -> QPixmap:
    matrix = qr_matrix(payload)
    n = len(matrix) + 2 * QUIET_MODULES
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(light))
    painter = QPainter(pixmap)
    module = size / n
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(dark))
    for y, row in enumerate(matrix):
        for x, is_dark in enumerate(row):
            if is_dark:
                painter.drawRect(QRectF((x + QUIET_MODULES) * module, (y + QUIET_MODULES) * module,
                                        module + 0.5, module + 0.5))
    painter.end()
    return pixmap


class QrLabel(QLabel):
    """Always dark-on-light (scanners need it), also in high-contrast mode."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._payload = ""
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    @property
    def payload(self) -> str:
        return self._payload

    def set_payload(self, payload: str, size: int) -> None:
        self._payload = payload
        if payload:
            self.setPixmap(qr_pixmap(payload, size))
            self.setFixedSize(size, size)
        else:
            self.clear()

"""A segmented progress bar: one segment per real step the reader reports, filled as they finish."""
from __future__ import annotations

from kiosk.ui.qt import QColor, QPainter, QRectF, QSizePolicy, Qt, QWidget


class StepBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.done = 0
        self.count = 0
        self._colors = ("#17803A", "#0B5CAD", "#B8C6D4")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_progress(self, done: int, count: int) -> None:
        self.done, self.count = max(0, done), max(0, count)
        self.update()

    def set_colors(self, done: str, active: str, todo: str) -> None:
        self._colors = (done, active, todo)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.count <= 0:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        gap = max(4.0, self.height() * 0.25)
        width = (self.width() - gap * (self.count - 1)) / self.count
        radius = self.height() / 2
        for i in range(self.count):
            color = self._colors[0] if i < self.done else self._colors[1] if i == self.done else self._colors[2]
            p.setBrush(QColor(color))
            p.drawRoundedRect(QRectF(i * (width + gap), 0, width, self.height()), radius, radius)
        p.end()

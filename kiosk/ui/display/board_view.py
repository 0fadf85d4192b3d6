"""Draws a Board (kiosk.core.queue.board) large and high-contrast: Vietnamese first, English below."""
from __future__ import annotations

from kiosk.core.queue.board import Board
from kiosk.ui.qt import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget, Qt

BG = "#000000"
FG = "#FFFFFF"
ACCENT = "#FFD400"     # called numbers: yellow on black (contrast 14:1)
MUTED = "#C8C8C8"
PANEL = "#101820"
LINE = "#2E3A46"


def _label(text: str, size: float, color: str = FG, bold: bool = False, align=Qt.AlignmentFlag.AlignLeft,
           shrink: bool = True) -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet(f"color: {color}; font-size: {int(size)}px; font-weight: {'700' if bold else '400'};"
                      "background: transparent;")
    lab.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    if shrink:      # a long name never widens the TV page
        lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return lab


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.deleteLater()
        elif item.layout() is not None:
            _clear(item.layout())


class BoardView(QWidget):
    """Calls on the left (landscape) or top (portrait); rooms and waits beside or below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet(f"background: {BG};")
        self._board: Board | None = None
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)

    def unit(self) -> float:
        w, h = self.width(), self.height() + 110        # + the header above the board
        if h > w:
            return max(10.0, min(w / 1080, h / 1920) * 30)
        return max(10.0, min(w / 1920, h / 1080) * 30)

    def show_board(self, board: Board) -> None:
        self._board = board
        self._rebuild()

    def resizeEvent(self, event) -> None:   # noqa: N802 (Qt)
        super().resizeEvent(event)
        if self._board is not None:
            self._rebuild()

    def _rebuild(self) -> None:
        _clear(self._outer)
        b, u = self._board, self.unit()
        assert b is not None  # rebuilt only once a board was shown
        portrait = self.height() > self.width()
        body = QVBoxLayout() if portrait else QHBoxLayout()
        body.setSpacing(int(u))
        body.addWidget(self._calls(b, u), 5 if portrait else 6)
        side = QVBoxLayout()
        side.setSpacing(int(u))
        side.addWidget(self._rooms(b, u), 3)
        side.addWidget(self._waits(b, u), 2)
        holder = QWidget()
        holder.setLayout(side)
        body.addWidget(holder, 5 if portrait else 5)
        self._outer.addLayout(body)

    def _panel(self, title_vi: str, title_en: str, u: float) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setStyleSheet(f"QFrame#panel {{ background: {PANEL}; border: 2px solid {LINE}; border-radius: 12px; }}")
        frame.setObjectName("panel")
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(int(u), int(u * 0.6), int(u), int(u * 0.6))
        head = QHBoxLayout()
        head.addWidget(_label(title_vi, u * 1.3, FG, True), 3)
        head.addWidget(_label(title_en, u * 0.9, MUTED, align=Qt.AlignmentFlag.AlignRight), 2)
        lay.addLayout(head)
        return frame, lay

    def _calls(self, b: Board, u: float) -> QFrame:
        frame, lay = self._panel("MỜI NGƯỜI BỆNH", "Now calling", u)
        if not b.calls:
            lay.addWidget(_label("Chưa có số nào được gọi", u * 1.4, MUTED))
            lay.addWidget(_label("No number called yet", u * 0.9, MUTED))
        for i, c in enumerate(b.calls):
            row = QGridLayout()
            big = u * (3.0 if i == 0 else 2.1)
            again_vi, again_en = ("Gọi lại · ", "recall · ") if c.recall else ("", "")
            row.addWidget(_label(c.number, big, ACCENT if i == 0 else FG, True), 0, 0, 2, 1)
            row.addWidget(_label("→", big * 0.6, MUTED, align=Qt.AlignmentFlag.AlignCenter), 0, 1, 2, 1)
            row.addWidget(_label(c.place_vi, big * 0.62, ACCENT if i == 0 else FG, True), 0, 2)
            row.addWidget(_label(f"{again_vi}{again_en}{c.place_en}", big * 0.34, MUTED), 1, 2)
            row.setColumnStretch(0, 13)
            row.setColumnStretch(1, 2)
            row.setColumnStretch(2, 11)
            lay.addLayout(row)
            if i == 0 and len(b.calls) > 1:
                sep = QFrame()
                sep.setFixedHeight(2)
                sep.setStyleSheet(f"background: {LINE};")
                lay.addWidget(sep)
        lay.addStretch(1)
        return frame

    def _rooms(self, b: Board, u: float) -> QFrame:
        frame, lay = self._panel("Số tiếp theo", "Next numbers", u)
        grid = QGridLayout()
        grid.setHorizontalSpacing(int(u))
        for r, room in enumerate(b.rooms, start=1):
            grid.addWidget(_label(room.place_vi, u * 1.1, FG, True), r, 0)
            serving = room.serving or "—"
            grid.addWidget(_label(serving, u * 1.1, ACCENT, True), r, 1)
            nxt = "  ".join(room.next_numbers) if room.next_numbers else "—"
            grid.addWidget(_label(nxt, u * 0.95, FG), r, 2)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 7)
        grid.addWidget(_label("Phòng · Room", u * 0.75, MUTED), 0, 0)
        grid.addWidget(_label("Đang gọi · Called", u * 0.75, MUTED), 0, 1)
        grid.addWidget(_label("Tiếp theo · Next", u * 0.75, MUTED), 0, 2)
        lay.addLayout(grid)
        lay.addStretch(1)
        return frame

    def _waits(self, b: Board, u: float) -> QFrame:
        frame, lay = self._panel("Thời gian chờ dự kiến", "Estimated wait", u)
        grid = QGridLayout()
        for r, w in enumerate(b.waits):
            grid.addWidget(_label(w.name_vi, u * 1.1, FG), r, 0)
            grid.addWidget(_label(f"{w.waiting} người chờ", u * 0.8, MUTED, align=Qt.AlignmentFlag.AlignRight,
                                  shrink=False), r, 1)       # figures keep their width; a long name gives way
            when = f"~{w.minutes} phút / min" if w.waiting else "không chờ · no wait"
            grid.addWidget(_label(when, u * (1.1 if w.waiting else 0.85), ACCENT if w.waiting else MUTED,
                                  bool(w.waiting), align=Qt.AlignmentFlag.AlignRight, shrink=False), r, 2)
        grid.setColumnStretch(0, 6)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 4)
        grid.setHorizontalSpacing(int(u * 0.6))
        lay.addLayout(grid)
        lay.addStretch(1)
        return frame

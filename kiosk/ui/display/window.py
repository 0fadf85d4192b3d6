"""The display window: header with a clock, the board, and a calm "Đang cập nhật… / Updating…"
when the feed has no source. Every POLL_MS the UI thread takes the newest state from a
kiosk.calling.background.BackgroundFeed (memory only: the store or hub is read on the feed's own
thread)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from kiosk.core.clock import VN_TZ
from kiosk.ui.display.board_view import ACCENT, BG, FG, MUTED, BoardView, _label
from kiosk.ui.qt import QHBoxLayout, QStackedWidget, QTimer, QVBoxLayout, QWidget, Qt

POLL_MS = 50           # memory only: the feed thread does the reading
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


class DisplayWindow(QWidget):
    """`poll()` returns a FeedState (board, stale, changed, new_calls); `on_calls` gets new calls
    (the voice). `now` gives the clock (tests pass a fixed one)."""

    def __init__(self, poll: Callable, *, title: str = "", on_calls: Callable | None = None,
                 now: Callable[[], datetime] | None = None, poll_ms: int = POLL_MS):
        super().__init__()
        self.setWindowTitle("Màn hình gọi số / Calling display")
        self.setStyleSheet(f"background: {BG};")
        self._poll, self._on_calls = poll, on_calls
        self._now = now or (lambda: datetime.now(VN_TZ))
        self.stale = False
        self.updates = 0
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 16, 24, 16)
        head = QHBoxLayout()
        self.title = _label(title or "Bệnh viện", 34, FG, True)
        self.clock = _label("", 40, FG, True, align=Qt.AlignmentFlag.AlignRight, shrink=False)
        self.date = _label("", 20, MUTED, align=Qt.AlignmentFlag.AlignRight, shrink=False)
        head.addWidget(self.title, 1)
        clock_box = QVBoxLayout()
        clock_box.addWidget(self.clock)
        clock_box.addWidget(self.date)
        head.addLayout(clock_box)
        root.addLayout(head)
        self.stack = QStackedWidget()
        self.board = BoardView()
        self.updating = QWidget()
        up = QVBoxLayout(self.updating)
        up.addStretch(1)
        up.addWidget(_label("Đang cập nhật…", 72, ACCENT, True, align=Qt.AlignmentFlag.AlignCenter))
        up.addWidget(_label("Updating…", 40, MUTED, align=Qt.AlignmentFlag.AlignCenter))
        up.addWidget(_label("Xin vui lòng chờ trong giây lát · Please wait a moment", 26, MUTED,
                            align=Qt.AlignmentFlag.AlignCenter))
        up.addStretch(1)
        self.stack.addWidget(self.updating)
        self.stack.addWidget(self.board)
        root.addWidget(self.stack, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(poll_ms)
        self._tick_clock()
        self.tick()

    def _tick_clock(self) -> None:
        now = self._now().astimezone(VN_TZ)
        self.clock.setText(now.strftime("%H:%M:%S"))
        self.date.setText(f"{WEEKDAYS_VI[now.weekday()]}, {now:%d/%m/%Y}")

    def tick(self) -> None:
        self._tick_clock()
        state = self._poll()
        if state.stale or state.board is None:
            if not self.stale:
                self.stale = True
                self.stack.setCurrentWidget(self.updating)
            return
        if self.stale or state.changed:
            self.stale = False
            self.board.show_board(state.board)
            self.stack.setCurrentWidget(self.board)
            self.updates += 1
        if state.new_calls and self._on_calls is not None:
            self._on_calls(state.new_calls)

    def stop(self) -> None:
        self._timer.stop()

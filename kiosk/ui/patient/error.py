"""Calm failure screens: `Problem` (try again, or go to the desk) and `PrinterFailed`
(reprint, or show the number on screen)."""
from __future__ import annotations

from kiosk.core.checkin import Dismiss, PrinterFailed, Problem, Reprint, ShowOnScreen
from kiosk.ui.patient import texts
from kiosk.ui.patient.base import Screen, UiContext, mark_personal, set_direction
from kiosk.ui.qt import QBoxLayout, QVBoxLayout, QWidget, Qt
from kiosk.ui.widgets.common import IconLabel, button, label


class ErrorScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("ErrorScreen")
        self.picture = IconLabel("warning", self)
        self.title = label("display", self)
        self.title.setObjectName("ProblemTitle")
        self.detail = label("title", self)
        self.detail.setObjectName("ProblemDetail")
        self.advice = label("body", self)
        self.ticket = label("huge", self)
        mark_personal(self.ticket, self.detail)
        self.primary = button("primary", self, name="ErrorPrimary")
        self.primary.clicked.connect(self._primary)
        self.secondary = button("secondary", self, name="ErrorSecondary")
        self.secondary.clicked.connect(self._secondary)
        actions = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        actions.addWidget(self.primary)
        actions.addWidget(self.secondary)
        self._actions = actions
        root = QVBoxLayout(self)
        root.addStretch(1)
        root.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        root.addWidget(self.title)
        root.addWidget(self.ticket)
        root.addWidget(self.detail)
        root.addWidget(self.advice)
        root.addStretch(2)
        root.addLayout(actions)
        self._root = root

    def _primary(self) -> None:
        if isinstance(self.state, PrinterFailed):
            self.ctx.send(Reprint())
        elif isinstance(self.state, Problem):
            self.ctx.send(Dismiss())

    def _secondary(self) -> None:
        if isinstance(self.state, PrinterFailed):
            self.ctx.send(ShowOnScreen())

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s = self.state
        if isinstance(s, PrinterFailed):
            self.picture.set_icon("printer")
            self.title.setText(texts.printer_fault(s.fault))
            self.ticket.setText(s.ticket.number)
            self.ticket.setVisible(True)
            self.detail.setText(self.tr("Số thứ tự của ông/bà đã được cấp và được giữ nguyên."))
            self.advice.setText(self.tr("Nhân viên đã được báo. Ông/bà có thể in lại, "
                                        "hoặc xem số trên màn hình."))
            self.advice.setVisible(True)
            self.primary.setText(self.tr("In lại"))
            self.secondary.setText(self.tr("Xem số trên màn hình"))
            self.secondary.setVisible(True)
        else:
            desk = not s.retry
            self.picture.set_icon("desk" if desk else "warning")
            self.title.setText(texts.problem_title(s.kind))
            self.ticket.setVisible(False)
            self.detail.setText(without_title(self.title.text(), self.ctx.message(s.message)))
            # the core's message already sends the patient to the desk; only a retry needs advice
            self.advice.setText("" if desk else
                                self.tr("Ông/bà có thể thử lại ngay: quét lại mã, đặt lại thẻ, hoặc nhập số."))
            self.advice.setVisible(not desk)
            self.primary.setText(self.tr("Đã hiểu") if desk else self.tr("Thử lại"))
            self.secondary.setVisible(False)
        self.restyle()

    def speech_text(self) -> str:
        return self.title.text()

    def relayout(self) -> None:
        set_direction(self._actions, self.landscape)

    def restyle(self) -> None:
        m = self.ctx.metrics
        color = self.ctx.color("bad") if isinstance(self.state, Problem) and not self.state.retry \
            else self.ctx.color("warn")
        self.picture.paint_icon(m.mm(36), color)
        for b in (self.primary, self.secondary):
            b.setMinimumHeight(max(m.touch, m.mm(20)))
        gap = m.mm(10)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(m.mm(5))
        self._actions.setSpacing(m.mm(5))


def without_title(title: str, detail: str) -> str:
    """The core's message often opens with the screen's title ("Không xác thực được thẻ. Mời
    ông/bà đến quầy tiếp đón."): drop that first sentence so the patient does not read it twice."""
    head, sep, rest = detail.partition(". ")
    if sep and head.strip().rstrip(".!").casefold() == title.strip().rstrip(".!").casefold():
        return rest.strip()
    return detail

"""Reading screen: the chip read's real steps (as the reader reports them), or a QR/number lookup,
and a clear message when the card moves away."""
from __future__ import annotations

from kiosk.core.checkin import Cancel, Reading
from kiosk.core.views import ReadSource
from kiosk.ui.patient.base import Screen, UiContext
from kiosk.ui.qt import QCoreApplication, QHBoxLayout, QT_TRANSLATE_NOOP, QVBoxLayout, QWidget, Qt
from kiosk.ui.widgets.common import IconLabel, button, label
from kiosk.ui.widgets.steps import StepBar

# Step names the chip reader reports (drivers/card), as the patient reads them.
STEP_TEXT = {
    "connect": QT_TRANSLATE_NOOP("ChipStep", "Đang kết nối với thẻ"),
    "select": QT_TRANSLATE_NOOP("ChipStep", "Đang kết nối với thẻ"),
    "bac": QT_TRANSLATE_NOOP("ChipStep", "Đang mở khóa chip"),
    "pace": QT_TRANSLATE_NOOP("ChipStep", "Đang mở khóa chip"),
    "access": QT_TRANSLATE_NOOP("ChipStep", "Đang mở khóa chip"),
    "card-access": QT_TRANSLATE_NOOP("ChipStep", "Đang mở khóa chip"),
    "com": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc danh mục dữ liệu"),
    "ef.com": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc danh mục dữ liệu"),
    "dg1": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc thông tin thẻ"),
    "dg13": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc thông tin cá nhân"),
    "dg2": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc ảnh"),
    "dg14": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc dữ liệu bảo mật"),
    "dg15": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc dữ liệu bảo mật"),
    "sod": QT_TRANSLATE_NOOP("ChipStep", "Đang đọc chữ ký số của thẻ"),
    "pa": QT_TRANSLATE_NOOP("ChipStep", "Đang xác thực thẻ"),
    "verify": QT_TRANSLATE_NOOP("ChipStep", "Đang xác thực thẻ"),
    "passive_auth": QT_TRANSLATE_NOOP("ChipStep", "Đang xác thực thẻ"),
    "passive-auth": QT_TRANSLATE_NOOP("ChipStep", "Đang xác thực thẻ"),
    "done": QT_TRANSLATE_NOOP("ChipStep", "Đã đọc xong"),
}


def step_text(step: str) -> str:
    source = STEP_TEXT.get(step.lower())
    if source is None:
        return QCoreApplication.translate("ChipStep", "Đang đọc thẻ")
    return QCoreApplication.translate("ChipStep", source)


class ReadingScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("ReadingScreen")
        self.picture = IconLabel("chip_card", self)
        self.title = label("display", self)
        self.hint = label("body", self)
        self.bar = StepBar(self)
        self.step = label("title", self)
        self.count = label("small", self)
        self.away = label("bad", self)
        self.away.setObjectName("CardAway")
        self.cancel = button("secondary", self, name="CancelButton")
        self.cancel.clicked.connect(lambda: self.ctx.send(Cancel()))
        root = QVBoxLayout(self)
        root.addStretch(1)
        root.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        root.addWidget(self.title)
        root.addWidget(self.hint)
        root.addSpacing(24)
        root.addWidget(self.bar)
        root.addWidget(self.step)
        root.addWidget(self.count)
        root.addWidget(self.away)
        root.addStretch(2)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel, 2)
        row.addStretch(1)
        root.addLayout(row)
        self._root = root
        self.retranslate()

    def retranslate(self) -> None:
        self.cancel.setText(self.tr("Hủy"))

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s: Reading = self.state
        chip = s.source is ReadSource.CHIP
        self.picture.set_icon("card_away" if s.card_removed else "chip_card" if chip else "hourglass")
        self.restyle()
        if chip and getattr(s, "needs_qr", False):
            # the chip opens only with a key from the card's printed data: ask for its QR
            self.picture.set_icon("qr_scan")
            self.title.setText(self.tr("Xin quét mã QR ở mặt trước thẻ căn cước"))
            self.hint.setText(self.tr("Để đọc chip, ki-ốt cần mã QR in trên thẻ. Cứ để thẻ trên đầu đọc "
                                      "và đưa mã QR vào ô quét."))
        elif chip:
            self.title.setText(self.tr("Đang đọc thẻ căn cước"))
            self.hint.setText(self.tr("Xin giữ yên thẻ trên đầu đọc, không nhấc thẻ ra."))
        else:
            self.title.setText(self.tr("Đang tìm thông tin của ông/bà"))
            self.hint.setText(self.tr("Xin chờ trong giây lát."))
        known = chip and s.step_count > 0
        self.bar.setVisible(known)
        self.count.setVisible(known)
        self.step.setVisible(chip)
        if known:
            self.bar.set_progress(s.step_index, s.step_count)
            self.count.setText(self.tr("Bước {done}/{count}").format(
                done=min(s.step_index + 1, s.step_count), count=s.step_count))
        self.step.setText(step_text(s.step) if s.step else self.tr("Đang kết nối với thẻ"))
        self.away.setVisible(s.card_removed)
        # "keep the card still, do not lift it" contradicts a card that is gone: the red line says it
        self.hint.setVisible(not s.card_removed)
        self.away.setText(self.tr("Thẻ đã bị nhấc ra. Xin đặt lại thẻ lên đầu đọc và giữ yên.")
                          if s.card_removed else "")

    def speech_text(self) -> str:
        if isinstance(self.state, Reading) and self.state.source is ReadSource.CHIP:
            return self.tr("Xin giữ yên thẻ trên đầu đọc.")
        return ""

    def restyle(self) -> None:
        m = self.ctx.metrics
        self.picture.paint_icon(m.mm(40), self.ctx.color("bad") if self.state is not None
                                and getattr(self.state, "card_removed", False) else self.ctx.color("icon"))
        self.bar.setFixedHeight(m.mm(5))
        self.bar.set_colors(self.ctx.color("good"), self.ctx.color("primary"), self.ctx.color("cardborder"))
        gap = m.mm(10)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(m.mm(4))

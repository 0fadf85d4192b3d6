"""Idle screen: what to do, the three ways with pictures, and the language switch."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.ui.patient.base import Screen, UiContext, set_direction
from kiosk.ui.qt import QBoxLayout, QPushButton, QVBoxLayout, QWidget
from kiosk.ui.widgets.common import label
from kiosk.ui.widgets.way_card import WayCard

if TYPE_CHECKING:
    from kiosk.ops.health import Health


class IdleScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("IdleScreen")
        self.title = label("display", self)
        self.subtitle = label("subtitle", self)
        self.qr_way = WayCard("qr_scan", self, name="WayQr")
        self.chip_way = WayCard("chip_card", self, name="WayChip")
        self.keypad_way = WayCard("keypad", self, with_button=True, name="WayKeypad")
        action = self.keypad_way.action
        assert action is not None  # made with_button
        self.keypad_action: QPushButton = action
        action.clicked.connect(self._open_keypad)
        self.footer = label("small", self)
        self.notice = label("subtitle", self)        # ops: check-ins paused / maintenance
        self.notice.setObjectName("HealthNotice")
        self.notice.setVisible(False)
        self.health: Health | None = None
        self.printer_notice = label("warn", self)     # the last ticket could not be printed (M2)
        self.printer_notice.setObjectName("PrinterNotice")
        self.printer_notice.setVisible(False)
        self.printer_trouble = False
        self.sync_notice = label("small", self)        # staff: the upload worker is down (M4)
        self.sync_notice.setObjectName("SyncNotice")
        self.sync_notice.setVisible(False)

        self._ways = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        for card in (self.qr_way, self.chip_way, self.keypad_way):
            self._ways.addWidget(card, 1)
        root = QVBoxLayout(self)
        root.addWidget(self.title)
        root.addWidget(self.subtitle)
        root.addWidget(self.notice, 1)
        root.addWidget(self.printer_notice)
        root.addLayout(self._ways, 1)
        root.addWidget(self.footer)
        root.addWidget(self.sync_notice)
        self._root = root
        self.retranslate()

    def _open_keypad(self) -> None:
        from kiosk.core.checkin import KeypadOpened      # not on the cold start's path
        self.ctx.send(KeypadOpened())

    def retranslate(self) -> None:
        self.title.setText(self.tr("Xin mời ông/bà làm thủ tục khám bệnh"))
        self.subtitle.setText(self.tr("Chọn một trong ba cách dưới đây"))
        self.qr_way.heading.setText(self.tr("Quét mã QR"))
        self.qr_way.help.setText(self.tr("Mã trên ứng dụng VNeID, thẻ căn cước (CCCD) hoặc thẻ BHYT: "
                                         "đưa mã vào ô quét, cách khoảng 10 cm."))
        self.chip_way.heading.setText(self.tr("Đặt thẻ căn cước gắn chip"))
        self.chip_way.help.setText(self.tr("Đặt thẻ lên đầu đọc thẻ và giữ yên cho đến khi đọc xong."))
        self.keypad_way.heading.setText(self.tr("Nhập số"))
        self.keypad_way.help.setText(self.tr("Số căn cước hoặc mã thẻ BHYT."))
        self.keypad_action.setText(self.tr("Bấm để nhập số"))
        self.footer.setText(self.tr("Cần giúp đỡ? Mời ông/bà đến quầy tiếp đón."))
        self.printer_notice.setText(self.tr("Máy in đang hết giấy hoặc bị lỗi. Ông/bà vẫn lấy được số thứ tự: "
                                            "số sẽ hiện trên màn hình để ghi lại."))
        self._show_health()

    def set_printer_trouble(self, trouble: bool) -> None:
        """The last ticket could not be printed (paper out, cover open...): say so on the idle
        screen until a ticket prints again."""
        if trouble == self.printer_trouble:
            return
        self.printer_trouble = trouble
        self.printer_notice.setVisible(trouble)
        self.refresh_layout()

    def set_health(self, health) -> None:
        """`kiosk.ops.health.Health` (or None): when check-ins are not accepted, its message
        (vi/en) replaces the three ways; back to them as soon as the kiosk is healthy again."""
        paused = health is not None and not health.accepts_checkins
        if not paused:
            health = None
        if health == self.health:
            return
        self.health = health
        self._show_health()
        self.refresh_layout()

    def _show_health(self) -> None:
        paused = self.health is not None
        if self.health is not None:
            self.notice.setText(self.ctx.core_text(self.health.message_vi, self.health.message_en))
        if paused == self.notice.isVisibleTo(self):
            return                                   # (explicit show calls cost the cold start)
        self.notice.setVisible(paused)
        self.subtitle.setVisible(not paused)
        for card in (self.qr_way, self.chip_way, self.keypad_way):
            card.setVisible(not paused)

    def set_sync_trouble(self, text: str | None) -> None:
        """A small staff line under the footer while the upload worker is down: patients can still
        check in (tickets are issued offline), staff learn that uploads wait (red-team M4)."""
        text = text or None
        if text == (self.sync_notice.text() if self.sync_notice.isVisibleTo(self) else None):
            return
        self.sync_notice.setText(text or "")
        self.sync_notice.setVisible(text is not None)
        self.refresh_layout()

    def speech_text(self) -> str:
        return self.tr("Xin mời quét mã QR, đặt thẻ căn cước lên đầu đọc, hoặc bấm để nhập số.")

    def relayout(self) -> None:
        set_direction(self._ways, self.landscape)
        for card in (self.qr_way, self.chip_way, self.keypad_way):
            card.set_vertical(self.landscape)

    def restyle(self) -> None:
        m = self.ctx.metrics
        icon = m.mm(44) if self.landscape else m.mm(46)
        for card in (self.qr_way, self.chip_way, self.keypad_way):
            card.set_metrics(icon, self.ctx.color("icon"), m.mm(5))
        gap = m.mm(6)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(m.mm(4))
        self._ways.setSpacing(gap)

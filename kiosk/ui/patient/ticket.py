"""Ticket screen: the number large, the room, the expected wait, the ticket QR and
"Mời ông/bà đến phòng …"; a tap (or the core's timeout) goes back to idle.

Also renders `Issuing` (number being issued) and `Printing` (number shown while it prints).
"""
from __future__ import annotations

from kiosk.core.checkin import Dismiss, Issuing, Printing, TicketShown
from kiosk.ui.patient import texts
from kiosk.ui.patient.base import Screen, UiContext, mark_personal, set_direction
from kiosk.ui.qt import QBoxLayout, QEvent, QFrame, QVBoxLayout, QWidget, Qt
from kiosk.ui.widgets.common import button, label
from kiosk.ui.widgets.qr_label import QrLabel


class TicketScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("TicketScreen")
        self.title = label("title", self)
        self.card = QFrame(self)
        self.card.setProperty("role", "card")
        self.number_caption = label("subtitle", self.card)
        self.number = label("huge", self.card)
        self.number.setObjectName("TicketNumber")
        self.priority = label("warn", self.card)
        self.service = label("title", self.card)
        self.room = label("display", self.card)
        self.room.setObjectName("RoomLine")
        self.wait = label("body", self.card)
        self.qr = QrLabel(self.card)
        self.qr.setObjectName("TicketQr")
        self.qr_hint = label("small", self.card)
        self.note = label("warn", self)
        self.status = label("subtitle", self)
        self.done = button("primary", self, name="TicketDone")
        self.done.clicked.connect(self._dismiss)
        mark_personal(self.number, self.room, self.service, self.priority, self.wait, self.note)

        info = QVBoxLayout()
        info.addWidget(self.number_caption)
        info.addWidget(self.number)
        info.addWidget(self.priority)
        info.addWidget(self.service)
        info.addWidget(self.room)
        info.addWidget(self.wait)
        qr_col = QVBoxLayout()
        qr_col.addStretch(1)
        qr_col.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        qr_col.addWidget(self.qr_hint)
        qr_col.addStretch(1)
        self._qr_col = qr_col
        self._card_box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.card)
        self._card_box.addLayout(info, 3)
        self._card_box.addLayout(qr_col, 2)
        root = QVBoxLayout(self)
        root.addWidget(self.title)
        root.addWidget(self.card, 1)
        root.addWidget(self.note)
        bottom = QBoxLayout(QBoxLayout.Direction.TopToBottom)   # landscape: side by side (height is scarce)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.done)
        root.addLayout(bottom)
        self._bottom = bottom
        self._root = root
        self.retranslate()

    def retranslate(self) -> None:
        self.number_caption.setText(self.tr("Số thứ tự của ông/bà"))
        self.qr_hint.setText(self.tr("Mã QR của phiếu"))
        self.done.setText(self.tr("Xong"))

    def _dismiss(self) -> None:
        if isinstance(self.state, TicketShown):
            self.ctx.send(Dismiss())

    def _tap_anywhere(self) -> None:
        """A tap anywhere ends a printed ticket's screen; a number only on screen stays until the
        patient presses "I have noted it" (issue 14 M2)."""
        if isinstance(self.state, TicketShown) and self.state.printed:
            self._dismiss()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt API): a tap anywhere ends it
        self._tap_anywhere()
        super().mousePressEvent(event)

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s = self.state
        if isinstance(s, Issuing):
            self.title.setText(self.tr("Đang cấp số thứ tự…"))
            self.card.setVisible(False)
            self.note.setVisible(False)
            self.status.setText(self.tr("Xin chờ trong giây lát."))
            self.status.setVisible(True)
            self.done.setVisible(False)
            return
        t = s.ticket
        self.card.setVisible(True)
        name = self.ctx.pick(t.service_name_vi, t.service_name_en)
        self.number.setText(t.number)
        self.service.setText(name)
        self.room.setText(self.tr("Mời ông/bà đến phòng {room}").format(room=t.room))
        if t.expected_wait_minutes is None:
            self.wait.setText("")
        elif t.expected_wait_minutes <= 1:
            self.wait.setText(self.tr("Thời gian chờ dự kiến: dưới 1 phút"))
        else:
            self.wait.setText(self.tr("Thời gian chờ dự kiến: khoảng {n} phút").format(n=t.expected_wait_minutes))
        self.priority.setVisible(t.priority is not None)
        self.priority.setText(self.tr("Ưu tiên: {category}").format(category=texts.priority(t.priority))
                              if t.priority is not None else "")
        # landscape large text: a smaller (still scannable) QR leaves the enlarged room line its width
        m = self.ctx.metrics
        self.qr.set_payload(t.qr_payload, m.mm((40 if m.large_text else 50) if self.landscape else 58))
        notes = []
        if t.fee_paying:
            notes.append(self.tr("Khám dịch vụ (tự trả phí): mời ông/bà qua quầy tiếp đón để đóng phí "
                                 "trước khi vào phòng khám."))
        elif t.identity_check:
            notes.append(self.tr("Mời ông/bà mang thẻ căn cước hoặc thẻ BHYT đến quầy tiếp đón để xác nhận "
                                 "thông tin trước khi vào phòng khám."))
        elif t.desk_check:
            notes.append(self.tr("Mời ông/bà qua quầy tiếp đón để kiểm tra thẻ bảo hiểm y tế "
                                 "trước khi vào phòng khám."))
        elif t.provisional:
            notes.append(self.tr("Thẻ bảo hiểm y tế sẽ được tự động kiểm tra lại; ông/bà không cần đến quầy."))
        if t.child:
            notes.append(self.tr("Trẻ dưới 6 tuổi: người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám."))
        if isinstance(s, Printing):
            self.title.setText(self.tr("Đang in phiếu…"))
            self.status.setText(self.tr("Xin nhận phiếu ở khe bên dưới."))
            self.status.setVisible(True)
            self.done.setVisible(False)
        else:
            self.title.setText(self.tr("Đã lấy số thành công"))
            if not s.printed:
                notes.append(self.tr("Máy in đang lỗi: xin ghi lại số này hoặc chụp ảnh màn hình."))
                self.status.setText(self.tr("Khi đã ghi lại số, xin bấm “Tôi đã ghi nhớ”."))
                self.done.setText(self.tr("Tôi đã ghi nhớ"))
            else:
                self.status.setText("")
                self.done.setText(self.tr("Xong"))
            self.status.setVisible(not s.printed)   # "Xong" alone says it (no second line)
            self.done.setVisible(True)
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def speech_text(self) -> str:
        if isinstance(self.state, TicketShown):
            t = self.state.ticket
            return self.tr("Số của ông/bà là {number}. Mời đến phòng {room}.").format(
                number=" ".join(t.number), room=t.room)
        return ""

    def clear(self) -> None:
        super().clear()
        self.qr.set_payload("", 0)

    def relayout(self) -> None:
        set_direction(self._card_box, self.landscape)
        set_direction(self._bottom, self.landscape)
        # landscape: the notes go under the QR (room to spare there, none below the card)
        self._root.removeWidget(self.note)
        self._qr_col.removeWidget(self.note)
        if self.landscape:
            self._qr_col.insertWidget(self._qr_col.count() - 1, self.note)
        else:
            self._root.insertWidget(2, self.note)

    def restyle(self) -> None:
        m = self.ctx.metrics
        # landscape with large text has little height: a smaller (still 20 mm+) number fits
        role = "huge-l" if (self.landscape and m.large_text) else "huge"
        # the room line must always show whole: one step smaller where height is scarce
        room_role = "display"      # large text enlarges the room line too (minor 9)
        for w, r in ((self.number, role), (self.room, room_role)):
            if w.property("role") != r:
                w.setProperty("role", r)
                w.style().unpolish(w)
                w.style().polish(w)
        self.done.setMinimumHeight(max(m.touch, m.mm(20)))
        self.done.setMinimumWidth(m.mm(80) if self.landscape else 0)   # beside the status line: still a big target
        # landscape large text: the number and room column gets more of the width (fewer lines)
        wide_info = self.landscape and m.large_text
        self._card_box.setStretch(0, 2 if wide_info else 3)
        self._card_box.setStretch(1, 1 if wide_info else 2)
        pad = m.mm((2 if wide_info else 4) if self.landscape else 6)    # large text: the text gets the room
        self._card_box.setContentsMargins(pad, pad, pad, pad)
        self._card_box.setSpacing(pad)
        gap = m.mm((2 if wide_info else 4) if self.landscape else 8)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(m.mm(1 if wide_info else 2) if self.landscape else m.mm(4))

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.TouchBegin:
            self._tap_anywhere()
        return super().event(e)

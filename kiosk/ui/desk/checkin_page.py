"""Manual check-in for a patient who cannot use the kiosk: typed identity with the same checks as
the kiosk's keypad, a card check, and the ticket."""
from __future__ import annotations

from kiosk.core.priority import LABELS
from kiosk.core.views import PriorityCategory
from kiosk.desk.checkin import ManualCheckinError, ManualCheckinForm
from kiosk.ui.desk.common import button, label
from kiosk.ui.qt import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget, Signal


class CheckinPage(QWidget):
    issued = Signal(object)          # TicketView

    def __init__(self, desk, controller, parent=None):
        super().__init__(parent)
        self.desk, self.ctl = desk, controller
        lay = QVBoxLayout(self)
        lay.addWidget(label("Tiếp nhận thủ công / Manual check-in", "title"))
        lay.addWidget(label("Cho người bệnh không dùng được ki-ốt. Số giấy tờ được kiểm tra như ở ki-ốt. "
                            "/ For a patient who cannot use the kiosk; numbers are checked as at the kiosk.", "muted"))
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, text, hint in (("full_name", "Họ và tên / full name", "NGUYỄN VĂN A"),
                                ("birth_date", "Ngày sinh / birth date", "dd/mm/yyyy hoặc yyyy"),
                                ("cccd", "Số CCCD / citizen ID", "12 chữ số"),
                                ("card", "Mã thẻ BHYT / insurance card", "15 ký tự hoặc mã số BHXH 10 số"),
                                ("address", "Địa chỉ / address", "")):
            w = QLineEdit()
            w.setObjectName(f"Manual_{key}")
            w.setPlaceholderText(hint)
            form.addRow(text, w)
            self.fields[key] = w
        self.gender = QComboBox()
        self.gender.setObjectName("Manual_gender")
        # no default: staff must choose (the CCCD's gender digit is checked against it)
        for value, text in ((None, "— Chọn / choose —"), (1, "Nam / male"), (2, "Nữ / female"),
                            (3, "Không rõ / unknown")):
            self.gender.addItem(text, value)
        form.addRow("Giới tính / sex", self.gender)
        self.service = QComboBox()
        self.service.setObjectName("Manual_service")
        for s in desk.ctx.settings.services:
            self.service.addItem(f"{s.code} · {s.name_vi} (P.{s.room})", s.code)
        form.addRow("Dịch vụ / service", self.service)
        self.priority = QComboBox()
        self.priority.setObjectName("Manual_priority")
        self.priority.addItem("Không / none", None)
        for cat in PriorityCategory:
            self.priority.addItem(f"{LABELS[cat][0]} / {LABELS[cat][1]}", cat.value)
        form.addRow("Ưu tiên / priority", self.priority)
        self.check_card = QCheckBox("Kiểm tra thẻ trên cổng ngay / check the card on the gateway now")
        self.check_card.setObjectName("Manual_check")
        self.check_card.setChecked(True)
        form.addRow("", self.check_card)
        lay.addLayout(form)
        self.error = label("", "bad", name="ManualError")
        self.result = label("", "good", name="ManualResult")
        self.card = label("", "warn", name="ManualCardCheck")
        self.printed = label("", name="ManualPrinted")
        for line in (self.error, self.result, self.card, self.printed):
            lay.addWidget(line)
        row = QHBoxLayout()
        row.addStretch(1)
        self.clear_btn = button("Xóa / Clear", "ManualClear")
        self.issue_btn = button("Cấp số thứ tự / Issue ticket", "ManualIssue", "primary")
        row.addWidget(self.clear_btn)
        row.addWidget(self.issue_btn)
        lay.addLayout(row)
        lay.addStretch(1)
        self.clear_btn.clicked.connect(self.clear)
        self.issue_btn.clicked.connect(self.submit)

    def form(self) -> ManualCheckinForm:
        v = {k: w.text() for k, w in self.fields.items()}
        prio = self.priority.currentData()
        gender = self.gender.currentData()
        return ManualCheckinForm(v["full_name"], v["birth_date"], gender if gender is not None else 0,
                                 self.service.currentData(),
                                 cccd=v["cccd"], card=v["card"], address=v["address"],
                                 priority=PriorityCategory(prio) if prio else None,
                                 check_card=self.check_card.isChecked())

    def clear(self) -> None:
        for w in self.fields.values():
            w.clear()
        self.gender.setCurrentIndex(0)
        for line in (self.error, self.result, self.card, self.printed):
            line.setText("")

    def submit(self) -> None:
        for line in (self.error, self.result, self.card, self.printed):
            line.setText("")
        self.issue_btn.setEnabled(False)
        self.ctl.act(self.desk.checkin.check_in, self.form(), done=self._done, failed=self._failed, quiet=True)

    def _done(self, r) -> None:
        self.issue_btn.setEnabled(True)
        self.result.setText(f"Đã cấp số {r.number} · phòng {r.room} / ticket {r.number}, room {r.room}"
                            + (" · thẻ sẽ được kiểm tra lại / the card will be re-checked" if r.provisional else ""))
        ok = r.gateway_code == "000"
        self.card.setProperty("role", "good" if ok else "warn")
        self.card.style().unpolish(self.card)
        self.card.style().polish(self.card)
        self.card.setText(f"Kiểm tra thẻ / card check: {r.card_words}" if r.card_words else
                          "Không kiểm tra thẻ / card not checked")
        self.printed.setProperty("role", "good" if r.printed else "bad")
        self.printed.style().unpolish(self.printed)
        self.printed.style().polish(self.printed)
        self.printed.setText("Đã in phiếu / ticket printed" if r.printed else
                             f"Không in được phiếu ({r.print_fault}): đọc số cho người bệnh, in lại sau / "
                             "the ticket did not print: tell the patient the number, reprint later")
        for w in self.fields.values():
            w.clear()
        self.gender.setCurrentIndex(0)
        self.issued.emit(r)

    def _failed(self, exc: Exception) -> None:
        self.issue_btn.setEnabled(True)
        if isinstance(exc, ManualCheckinError):
            w = self.fields.get(exc.field)
            if w is not None:
                w.setFocus()
        self.error.setText(str(exc))

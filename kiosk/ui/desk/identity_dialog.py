"""Confirm a nameless first visit's identity (issue 14 M7): the patient typed a valid CCCD / BHYT number
on the kiosk keypad and got a ticket before anyone knew their name. Reception reads the card and types
the full name (Vietnamese, with diacritics), birth date and sex; the typed number is shown, never
retyped. The dialog stays open on a refused field and says why in Vietnamese and English; the window
runs the desk service on the db worker and closes it on success."""
from __future__ import annotations

from kiosk.ui.desk.common import button, label
from kiosk.ui.desk.visit_detail import public_number
from kiosk.ui.qt import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget, Signal

# no default sex: staff must choose (the CCCD's gender digit is checked against it)
SEXES = ((None, "— Chọn / choose —"), (1, "Nam / male"), (2, "Nữ / female"), (3, "Không rõ / unknown"))


class ConfirmIdentityDialog(QDialog):
    submitted = Signal(str, str, int)          # full name, birth date text, sex (0: not chosen)

    def __init__(self, detail, masked: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ConfirmIdentityDialog")
        self.setWindowTitle("Xác nhận danh tính / Confirm identity")
        self.setMinimumWidth(560)
        v, p = detail.visit, detail.patient
        lay = QVBoxLayout(self)
        lay.addWidget(label("Xác nhận danh tính / Confirm identity", "title"))
        lay.addWidget(label("Người bệnh đã nhập số giấy tờ tại ki-ốt. Xem thẻ và nhập họ tên, ngày sinh, giới tính "
                            "đúng như trên thẻ. / The patient typed this number at the kiosk: read the card and type "
                            "the name, birth date and sex exactly as printed on it.", "muted"))
        form = QFormLayout()
        shown = " · ".join(f"{d.kind.upper()} {public_number(d.number) if masked else d.number}"
                           for d in sorted(p.documents, key=lambda d: d.kind != "cccd"))
        self.number = QLineEdit(shown or "—")
        self.number.setObjectName("Identity_number")
        self.number.setReadOnly(True)
        self.ticket = label(f"{next((t.number for t in reversed(detail.tickets) if t.active), '—')} · {v.ma_lk}",
                            wrap=False, name="Identity_ticket")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("Identity_full_name")
        self.full_name.setPlaceholderText("NGUYỄN VĂN A (có dấu / with diacritics)")
        self.birth_date = QLineEdit()
        self.birth_date.setObjectName("Identity_birth_date")
        self.birth_date.setPlaceholderText("dd/mm/yyyy hoặc yyyy")
        self.gender = QComboBox()
        self.gender.setObjectName("Identity_gender")
        for value, text in SEXES:
            self.gender.addItem(text, value)
        form.addRow("Số đã nhập / typed number", self.number)
        form.addRow("Phiếu / ticket", self.ticket)
        form.addRow("Họ và tên / full name", self.full_name)
        form.addRow("Ngày sinh / birth date", self.birth_date)
        form.addRow("Giới tính / sex", self.gender)
        lay.addLayout(form)
        self.fields: dict[str, QWidget] = {"full_name": self.full_name, "birth_date": self.birth_date,
                                           "gender": self.gender, "cccd": self.birth_date}
        self.error = label("", "bad", name="IdentityError")
        lay.addWidget(self.error)
        bar = QHBoxLayout()
        bar.addStretch(1)
        back = button("Thôi / Back", "IdentityBack")
        back.clicked.connect(self.reject)
        self.ok = button("Xác nhận và gửi hồ sơ tiếp nhận / Confirm and queue the check-in", "IdentityOk", "primary")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self._submit)
        bar.addWidget(back)
        bar.addWidget(self.ok)
        lay.addLayout(bar)

    def values(self) -> tuple[str, str, int]:
        sex = self.gender.currentData()
        return self.full_name.text(), self.birth_date.text(), sex if sex is not None else 0

    def _submit(self) -> None:
        self.error.setText("")
        name, born, sex = self.values()
        # the plain omissions are answered here; every other check is the service's (one source of truth)
        if not " ".join(name.split()):
            self.refuse("Họ và tên / full name: chưa nhập / the full name is required", "full_name")
            return
        if not born.strip():
            self.refuse("Ngày sinh / birth date: chưa nhập / the birth date is required", "birth_date")
            return
        if not sex:
            self.refuse("Giới tính / sex: chưa chọn / choose male, female or unknown", "gender")
            return
        self.ok.setEnabled(False)           # one submission at a time: the worker answers
        self.submitted.emit(name, born, sex)

    def refuse(self, text: str, field: str | None = None) -> None:
        """Show why the desk refused (inline, in Vietnamese then English) and keep what was typed."""
        self.ok.setEnabled(True)
        self.error.setText(text)
        w = self.fields.get(field or "")
        if w is not None:
            w.setFocus()


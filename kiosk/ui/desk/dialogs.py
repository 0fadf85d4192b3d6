"""Desk dialogs: eligibility override (mandatory reason, the gateway code in words), cancellation
with a reason, the health book, and fix-and-resend of a dead upload."""
from __future__ import annotations

from kiosk.desk.visits import UNCONFIRMED_NAME, OverrideMode
from kiosk.desk.queue import Corrections
from kiosk.desk.close import OUTCOMES
from kiosk.ui.desk.common import STATUS_WORDS, button, fill, label, table
from kiosk.ui.qt import (QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPlainTextEdit, QRadioButton, QVBoxLayout,
                         Signal)

MIN_REASON = 5


def _outcome(code: str) -> str:
    words = OUTCOMES.get(int(code)) if str(code).isdigit() else None
    return f"{code} · {words[0]} / {words[1]}" if words else str(code)


class OverrideDialog(QDialog):
    """Accept a visit the card check stopped. The OK button stays disabled until a reason is typed."""

    def __init__(self, detail, parent=None):
        super().__init__(parent)
        self.setObjectName("OverrideDialog")
        self.setWindowTitle("Chấp nhận thẻ / Eligibility override")
        lay = QVBoxLayout(self)
        lay.addWidget(label("Chấp nhận lượt khám / Accept this visit", "title"))
        e = detail.eligibility
        words = e.words if e else "no card check recorded"
        self.code_label = label(f"Cổng giám định trả lời / the gateway said: {words}", "warn", name="OverrideCode")
        lay.addWidget(self.code_label)
        self.accept_card = QRadioButton("Chấp nhận thẻ BHYT (đã xem thẻ) / accept the insurance card (seen)")
        self.accept_card.setObjectName("ModeAcceptCard")
        self.fee = QRadioButton("Khám dịch vụ, không BHYT / fee-paying, no insurance")
        self.fee.setObjectName("ModeFeePaying")
        # no pre-selection: accepting an expired or unknown card must be a choice, never a default
        for choice in (self.accept_card, self.fee):
            choice.toggled.connect(lambda _=False: self._check())
        lay.addWidget(self.accept_card)
        lay.addWidget(self.fee)
        lay.addWidget(label("Lý do (bắt buộc) / reason (required):"))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("OverrideReason")
        self.reason.setFixedHeight(80)
        self.reason.textChanged.connect(self._check)
        lay.addWidget(self.reason)
        row = QHBoxLayout()
        self.ok = button("Xác nhận / Confirm", "OverrideOk", "primary")
        self.ok.setEnabled(False)
        self.ok.setToolTip("Chọn cách chấp nhận và ghi lý do / choose how to accept and type the reason")
        self.ok.clicked.connect(self.accept)
        cancel = button("Thôi / Cancel", "OverrideCancel")
        cancel.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.ok)
        lay.addLayout(row)

    def _check(self) -> None:
        chosen = self.accept_card.isChecked() or self.fee.isChecked()
        ok = chosen and len(self.reason.toPlainText().strip()) >= MIN_REASON
        self.ok.setEnabled(ok)
        self.ok.setToolTip("" if ok else "Chọn cách chấp nhận và ghi lý do / choose how to accept and type the reason")

    def values(self) -> tuple[str, OverrideMode]:
        mode = OverrideMode.FEE_PAYING if self.fee.isChecked() else OverrideMode.ACCEPT_CARD
        return self.reason.toPlainText().strip(), mode


class ReasonDialog(QDialog):
    def __init__(self, title: str, prompt: str, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        lay.addWidget(label(prompt))
        self.reason = QLineEdit()
        self.reason.setObjectName(f"{name}Reason")
        lay.addWidget(self.reason)
        row = QHBoxLayout()
        self.ok = button("Xác nhận / Confirm", f"{name}Ok", "danger")
        self.ok.setEnabled(False)
        self.ok.setToolTip("Cần ghi lý do / a reason is required")
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.ok.clicked.connect(self.accept)
        back = button("Thôi / Back", f"{name}Back")
        back.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(back)
        row.addWidget(self.ok)
        lay.addLayout(row)


class HealthBookDialog(QDialog):
    """Visits here, the gateway's history, and the allergies / chronic conditions (clinician edits)."""

    save_requested = Signal(str, str)

    def __init__(self, book, can_edit: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("HealthBookDialog")
        self.setWindowTitle("Sổ sức khỏe / Health book")
        self.resize(820, 600)
        lay = QVBoxLayout(self)
        # a nameless first visit's patient says so (never "None")
        lay.addWidget(label(f"{book.full_name or UNCONFIRMED_NAME} · {book.birth_date or ''}", "title", name="BookTitle"))
        form = QFormLayout()
        self.allergies = QLineEdit(book.allergies)
        self.allergies.setObjectName("BookAllergies")
        self.chronic = QLineEdit(book.chronic_conditions)
        self.chronic.setObjectName("BookChronic")
        for w in (self.allergies, self.chronic):
            w.setReadOnly(not can_edit)
        form.addRow("Dị ứng / allergies", self.allergies)
        form.addRow("Bệnh mạn tính / chronic", self.chronic)
        lay.addLayout(form)
        lay.addWidget(label("Tại cơ sở này / visits here", "title"))
        self.local = table(["Ngày", "Dịch vụ", "Trạng thái", "ICD-10", "Chẩn đoán", "Hẹn tái khám"], "BookLocal")
        fill(self.local, [(v.day, v.service_name, STATUS_WORDS.get(v.status, v.status), v.icd_main or "",
                           v.diagnosis or "", v.follow_up_date or "") for v in book.visits])
        lay.addWidget(self.local)
        lay.addWidget(label("Lịch sử KCB từ cổng giám định / gateway history (Lskcb2025)", "title"))
        if book.history_error:
            lay.addWidget(label(book.history_error, "warn", name="BookHistoryError"))
        self.history = table(["Vào", "Ra", "Cơ sở", "Bệnh", "Kết quả"], "BookHistory")
        fill(self.history, [(h.admitted.strftime("%d/%m/%Y %H:%M") if h.admitted else "",
                             h.discharged.strftime("%d/%m/%Y %H:%M") if h.discharged else "", h.ma_cskcb, h.disease,
                             _outcome(h.outcome)) for h in book.history])
        lay.addWidget(self.history)
        row = QHBoxLayout()
        row.addStretch(1)
        if can_edit:
            save = button("Lưu ghi chú / Save notes", "BookSave", "primary")
            save.clicked.connect(lambda: self.save_requested.emit(self.allergies.text(), self.chronic.text()))
            row.addWidget(save)
        close = button("Đóng / Close", "BookClose")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)


class FixResendDialog(QDialog):
    """Correct what the gateway refused, then rebuild, re-sign and resend."""

    def __init__(self, row, parent=None):
        super().__init__(parent)
        self.setObjectName("FixResendDialog")
        self.setWindowTitle("Sửa và gửi lại / Fix and resend")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        lay.addWidget(label(f"{row.kind} · {row.ma_lk}", "title"))
        lay.addWidget(label(f"Cổng trả lời / the gateway said ({row.last_code}): {row.gateway_message}", "bad",
                            name="FixGatewayMessage"))
        lay.addWidget(label("Để trống ô không cần sửa / leave blank what needs no fix", "muted"))
        form = QFormLayout()
        self.fields = {}
        for key, text in (("full_name", "Họ tên / full name"), ("birth_date", "Ngày sinh yyyy-mm-dd / birth"),
                          ("card_number", "Số thẻ BHYT / card"), ("icd_main", "ICD-10 chính / main code"),
                          ("icd_other", "ICD-10 kèm theo (;) / other codes")):
            w = QLineEdit()
            w.setObjectName(f"Fix_{key}")
            form.addRow(text, w)
            self.fields[key] = w
        if row.kind != "dossier":
            for key in ("icd_main", "icd_other"):
                self.fields[key].setEnabled(False)
        lay.addLayout(form)
        bar = QHBoxLayout()
        bar.addStretch(1)
        back = button("Thôi / Back", "FixBack")
        back.clicked.connect(self.reject)
        ok = button("Sửa và gửi lại / Fix and resend", "FixOk", "primary")
        ok.clicked.connect(self.accept)
        bar.addWidget(back)
        bar.addWidget(ok)
        lay.addLayout(bar)

    def corrections(self) -> Corrections:
        v = {k: w.text().strip() for k, w in self.fields.items()}
        return Corrections(full_name=v["full_name"] or None, birth_date=v["birth_date"] or None,
                           card_number=v["card_number"] or None, icd_main=v["icd_main"] or None,
                           icd_other=tuple(c.strip() for c in v["icd_other"].split(";") if c.strip())
                           if v["icd_other"] else None)

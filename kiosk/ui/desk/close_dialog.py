"""Close a visit with its summary: ICD-10 main and secondary codes picked from the WHO list (search
by code or words; the index is built on the worker, never on the UI thread), treatment and result,
follow-up date (XML14), referral (XML13)."""
from __future__ import annotations

from datetime import date

from kiosk.desk.close import DISCHARGE_TYPES, OUTCOMES, CloseForm, ReferralForm
from kiosk.ui.desk.common import button, label
from kiosk.ui.qt import (QComboBox, QDate, QDateEdit, QDialog, QFormLayout, QGroupBox, QHBoxLayout,
                         QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, Qt, QTimer, QVBoxLayout, Signal)


class CloseVisitDialog(QDialog):
    searched = Signal(int)               # number of hits shown (tests)
    _debounce: QTimer                    # made below the search box that starts it

    def __init__(self, detail, index, worker, services, today: date, parent=None):
        super().__init__(parent)
        self.setObjectName("CloseVisitDialog")
        self.setWindowTitle("Đóng lượt khám / Close visit")
        self.index, self.worker, self.today = index, worker, today
        self.main_code: str | None = None
        self.other_codes: list[str] = []
        self.resize(880, 720)
        lay = QVBoxLayout(self)
        v, p = detail.visit, detail.patient
        lay.addWidget(label(f"{p.full_name} · {v.service_name or v.service_code} · {v.ma_lk}", "title"))

        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("IcdSearch")
        self.search.setPlaceholderText("Tìm ICD-10 theo mã hoặc từ / search ICD-10 by code or words (J06, asthma…)")
        self.search.textChanged.connect(lambda _: self._debounce.start())
        search_row.addWidget(self.search, 1)
        lay.addLayout(search_row)
        self.results = QListWidget()
        self.results.setObjectName("IcdResults")
        self.results.setMinimumHeight(150)
        lay.addWidget(self.results)
        pick = QHBoxLayout()
        self.set_main = button("Chọn làm bệnh chính / main", "IcdSetMain", "primary")
        self.add_other = button("Thêm bệnh kèm theo / add secondary", "IcdAddOther")
        self.clear_other = button("Xóa bệnh kèm theo / clear secondary", "IcdClearOther")
        for b in (self.set_main, self.add_other, self.clear_other):
            pick.addWidget(b)
        lay.addLayout(pick)
        self.set_main.clicked.connect(self._pick_main)
        self.add_other.clicked.connect(self._pick_other)
        self.clear_other.clicked.connect(self._clear_other)
        self.main_label = label("Bệnh chính / main: —", "warn", name="IcdMain")
        self.other_label = label("Bệnh kèm theo / secondary: —", name="IcdOther")
        lay.addWidget(self.main_label)
        lay.addWidget(self.other_label)

        form = QFormLayout()
        self.diagnosis = QLineEdit()
        self.diagnosis.setObjectName("Diagnosis")
        self.diagnosis.setPlaceholderText("Chẩn đoán ra viện (mặc định: tên mã chính) / diagnosis text")
        self.treatment = QPlainTextEdit()
        self.treatment.setObjectName("Treatment")
        self.treatment.setFixedHeight(60)
        self.outcome = QComboBox()
        self.outcome.setObjectName("Outcome")
        for code, (vi, en) in OUTCOMES.items():
            self.outcome.addItem(f"{code} · {vi} / {en}", code)
        self.discharge = QComboBox()
        self.discharge.setObjectName("DischargeType")
        for code, (vi, en) in DISCHARGE_TYPES.items():
            if code != 2:
                self.discharge.addItem(f"{code} · {vi} / {en}", code)
        self.doctor = QLineEdit()
        self.doctor.setObjectName("DoctorCode")
        self.doctor.setPlaceholderText("Mã bác sĩ (chứng chỉ hành nghề) / MA_BAC_SI")
        form.addRow("Chẩn đoán / diagnosis", self.diagnosis)
        form.addRow("Điều trị / treatment", self.treatment)
        form.addRow("Kết quả / result", self.outcome)
        form.addRow("Ra viện / discharge", self.discharge)
        form.addRow("Mã bác sĩ / doctor", self.doctor)
        lay.addLayout(form)

        follow = QGroupBox("Hẹn khám lại (XML14) / follow-up")
        follow.setObjectName("FollowUpBox")
        follow.setCheckable(True)
        follow.setChecked(False)
        fl = QFormLayout(follow)
        self.follow_date = QDateEdit(QDate(today.year, today.month, today.day).addDays(14))
        self.follow_date.setObjectName("FollowUpDate")
        self.follow_date.setCalendarPopup(True)
        self.follow_date.setDisplayFormat("dd/MM/yyyy")
        self.follow_service = QComboBox()
        self.follow_service.setObjectName("FollowUpService")
        for s in services:
            self.follow_service.addItem(f"{s.code} · {s.name_vi}", s.code)
        self.follow_service.setCurrentIndex(max(0, self.follow_service.findData(v.service_code)))
        fl.addRow("Ngày hẹn / date", self.follow_date)
        fl.addRow("Dịch vụ / service", self.follow_service)
        self.follow_box = follow
        lay.addWidget(follow)

        ref = QGroupBox("Chuyển tuyến (XML13) / referral")
        ref.setObjectName("ReferralBox")
        ref.setCheckable(True)
        ref.setChecked(False)
        rl = QFormLayout(ref)
        self.ref_to = QLineEdit()
        self.ref_to.setObjectName("ReferralTo")
        self.ref_to.setPlaceholderText("Mã cơ sở nhận (5 số) / receiving facility")
        self.ref_reason = QComboBox()
        self.ref_reason.setObjectName("ReferralReason")
        self.ref_reason.addItem("1 · Đúng tuyến, phù hợp / suitable", 1)
        self.ref_reason.addItem("2 · Theo yêu cầu người bệnh / on request", 2)
        self.ref_signs = QLineEdit()
        self.ref_signs.setObjectName("ReferralSigns")
        rl.addRow("Nơi đến / to", self.ref_to)
        rl.addRow("Lý do / reason", self.ref_reason)
        rl.addRow("Dấu hiệu lâm sàng / signs", self.ref_signs)
        self.ref_box = ref
        lay.addWidget(ref)

        self.error = label("", "bad", name="CloseError")
        lay.addWidget(self.error)
        bar = QHBoxLayout()
        bar.addStretch(1)
        back = button("Thôi / Back", "CloseBack")
        back.clicked.connect(self.reject)
        self.ok = button("Đóng lượt khám và gửi hồ sơ / Close and send", "CloseOk", "primary")
        self.ok.setEnabled(False)
        self.ok.clicked.connect(self._confirm)
        bar.addWidget(back)
        bar.addWidget(self.ok)
        lay.addLayout(bar)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._run_search)
        if not index.ready:
            self.worker.run(index.warm_up, done=lambda n: self._run_search())

    # ------------------------------------------------------------ ICD-10 search (on the worker)
    def _run_search(self) -> None:
        query = self.search.text()
        self.worker.run(self.index.search, query, 40, done=lambda hits, q=query: self._show_hits(q, hits))

    def _show_hits(self, query: str, hits) -> None:
        if query != self.search.text():
            return                      # an older answer: a newer search is on its way
        self.results.clear()
        for e in hits:
            item = QListWidgetItem(e.label if e.leaf else f"{e.label}  ▸ {', '.join(e.children[:3])}…")
            item.setData(Qt.ItemDataRole.UserRole, e.code)
            item.setData(Qt.ItemDataRole.UserRole + 1, e.children)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        self.searched.emit(len(hits))

    def _current(self) -> str | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _pick_main(self) -> None:
        code = self._current()
        children = self.results.currentItem().data(Qt.ItemDataRole.UserRole + 1) if code else ()
        if code and children:
            self.error.setText(f"{code} có mã cụ thể hơn ({', '.join(children[:4])}): hãy chọn mã chi tiết làm bệnh "
                               f"chính / {code} has more specific codes: pick one of them as the main diagnosis")
            return
        if code:
            self.error.setText("")
            self.main_code = code
            self.main_label.setText(f"Bệnh chính / main: {self.results.currentItem().text()}")
            self.ok.setEnabled(True)

    def _pick_other(self) -> None:
        code = self._current()
        if code and code not in self.other_codes and code != self.main_code:
            self.other_codes.append(code)
            self.other_label.setText("Bệnh kèm theo / secondary: " + "; ".join(self.other_codes))

    def _clear_other(self) -> None:
        self.other_codes = []
        self.other_label.setText("Bệnh kèm theo / secondary: —")

    # ------------------------------------------------------------ the form
    def form(self) -> CloseForm:
        follow_on = None
        if self.follow_box.isChecked():
            q = self.follow_date.date()
            follow_on = date(q.year(), q.month(), q.day())
        referral = None
        if self.ref_box.isChecked():
            referral = ReferralForm(self.ref_to.text().strip(), self.ref_reason.currentData(),
                                    clinical_signs=self.ref_signs.text().strip())
        return CloseForm(self.main_code or "", tuple(self.other_codes), self.diagnosis.text().strip(),
                         self.treatment.toPlainText().strip(), self.outcome.currentData(),
                         self.discharge.currentData(), "", self.doctor.text().strip(), follow_on,
                         self.follow_service.currentData() if follow_on else None, referral)

    def _confirm(self) -> None:
        f = self.form()
        if (f.follow_up_on or f.referral) and not f.doctor_code:
            self.error.setText("Cần mã bác sĩ cho giấy hẹn / chuyển tuyến — a follow-up or referral needs the doctor code")
            return
        if f.follow_up_on and f.follow_up_on <= self.today:
            self.error.setText("Ngày hẹn phải sau hôm nay / the follow-up date must be after today")
            return
        self.accept()

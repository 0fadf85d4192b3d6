"""Staff management page of the technician/admin window (admins only): the accounts, add one, disable
or enable, reset a PIN, change the role. Every call goes through kiosk.technician.staff on the worker."""
from __future__ import annotations

from kiosk.technician.staff import ROLE_WORDS
from kiosk.ui.desk.common import button, current_key, fill, label, table
from kiosk.ui.qt import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget, Signal


def _roles() -> QComboBox:
    c = QComboBox()
    for value, words in ROLE_WORDS.items():
        c.addItem(words, value)
    return c


class StaffPage(QWidget):
    loaded = Signal(int)

    def __init__(self, tech, controller, parent=None):
        super().__init__(parent)
        self.tech, self.ctl = tech, controller
        self.rows: dict[int, object] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(label("Nhân viên / Staff accounts", "title"))
        self.table = table(["Tên đăng nhập / user", "Họ tên / name", "Vai trò / role", "Trạng thái / state"],
                           "StaffTable")
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.role = _roles()
        self.role.setObjectName("StaffRole")
        self.role_btn = button("Đổi vai trò / Set role", "StaffSetRole")
        self.toggle_btn = button("Khóa / Disable", "StaffToggle", "danger")
        self.pin = QLineEdit()
        self.pin.setObjectName("StaffNewPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN mới (6 số) / new PIN")
        self.pin_btn = button("Đặt lại PIN / Reset PIN", "StaffResetPin")
        for w in (self.role, self.role_btn, self.toggle_btn, self.pin, self.pin_btn):
            row.addWidget(w)
        lay.addLayout(row)
        lay.addWidget(label("Thêm nhân viên / add an account", "title"))
        form = QFormLayout()
        self.new_user, self.new_name, self.new_pin = QLineEdit(), QLineEdit(), QLineEdit()
        self.new_user.setObjectName("StaffNewUser")
        self.new_name.setObjectName("StaffNewName")
        self.new_pin.setObjectName("StaffNewUserPin")
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_role = _roles()
        self.new_role.setObjectName("StaffNewRole")
        form.addRow("Tên đăng nhập / user name", self.new_user)
        form.addRow("Họ tên / display name", self.new_name)
        form.addRow("Vai trò / role", self.new_role)
        form.addRow("PIN (6 số) / PIN", self.new_pin)
        lay.addLayout(form)
        add = QHBoxLayout()
        self.add_btn = button("Thêm / Add", "StaffAdd", "primary")
        add.addWidget(self.add_btn)
        add.addStretch(1)
        lay.addLayout(add)
        self.message = label("", name="StaffMessage")
        lay.addWidget(self.message)
        self.add_btn.clicked.connect(self.add)
        self.role_btn.clicked.connect(self.set_role)
        self.toggle_btn.clicked.connect(self.toggle)
        self.pin_btn.clicked.connect(self.reset_pin)
        self._selected()

    def refresh(self) -> None:
        self.ctl.act(self.tech.staff.list, done=self._loaded)

    def _loaded(self, rows) -> None:
        self.rows = {r.staff_id: r for r in rows}
        fill(self.table, [(r.username, r.display_name, ROLE_WORDS.get(r.role, r.role),
                           ("Đang dùng / active" if r.active else "Đã khóa / disabled")
                           + (" · tạm khóa PIN / locked" if r.locked else "")) for r in rows],
             [r.staff_id for r in rows])
        self._selected()
        self.loaded.emit(len(rows))

    def _row(self):
        key = current_key(self.table)
        return self.rows.get(key) if key is not None else None

    def _selected(self) -> None:
        r = self._row()
        why = "" if r is not None else "Chọn một tài khoản / select an account"
        for b in (self.role_btn, self.toggle_btn, self.pin_btn):
            b.setEnabled(r is not None)
            b.setToolTip(why)
        if r is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(r.role)))
            self.toggle_btn.setText("Mở khóa / Enable" if not r.active else "Khóa / Disable")

    def _say(self, text: str, good: bool = True) -> None:
        self.message.setProperty("role", "good" if good else "bad")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _act(self, fn, *args, ok: str, after=None) -> None:
        def done(_):
            self._say(ok)
            if after:
                after()
            self.refresh()
        self.ctl.act(fn, *args, done=done, failed=lambda exc: self._say(str(exc), False))

    def add(self) -> None:
        def clear_form() -> None:
            for w in (self.new_user, self.new_name, self.new_pin):
                w.clear()
        self._act(self.tech.staff.add, self.new_user.text(), self.new_name.text(), self.new_role.currentData(),
                  self.new_pin.text(), ok="Đã thêm tài khoản / account added", after=clear_form)

    def set_role(self) -> None:
        r = self._row()
        if r is not None:
            self._act(self.tech.staff.set_role, r.staff_id, self.role.currentData(), ok="Đã đổi vai trò / role changed")

    def toggle(self) -> None:
        r = self._row()
        if r is not None:
            self._act(self.tech.staff.set_active, r.staff_id, not r.active,
                      ok="Đã mở khóa / enabled" if not r.active else "Đã khóa / disabled")

    def reset_pin(self) -> None:
        r = self._row()
        if r is not None:
            self._act(self.tech.staff.reset_pin, r.staff_id, self.pin.text(), ok="Đã đặt lại PIN / PIN reset",
                      after=self.pin.clear)

"""Staff sign-in: user name (or a scanned badge) and the PIN on a keypad. The Argon2 check runs on
the db worker; a locked account says for how long. Emits `signed_in(StaffSession)`."""
from __future__ import annotations

from kiosk.ui.desk.worker import DbWorker
from kiosk.ui.qt import (QApplication, QDialog, QEvent, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                         QTimer, QVBoxLayout, Signal, running_application)

IDLE_CLOSE_MS = 60_000      # an untouched sign-in panel closes itself (a child tapped the corner)
DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")


class SignInDialog(QDialog):
    signed_in = Signal(object)

    def __init__(self, accounts, worker: DbWorker, parent=None, title: str = "Đăng nhập nhân viên / Staff sign-in",
                 kiosk_layout: bool = False):
        super().__init__(parent)
        from kiosk.ui.desk.style import stylesheet
        self.setStyleSheet(stylesheet(kiosk_layout))
        self.accounts, self.worker = accounts, worker
        self.session = None
        self.setWindowTitle(title)
        self.setObjectName("StaffSignIn")
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        self.user = QLineEdit()
        self.user.setObjectName("SignInUser")
        self.user.setPlaceholderText("Tên đăng nhập / user, hoặc quét thẻ / or scan badge")
        layout.addWidget(self.user)
        # touch screens have no keyboard: pick the staff member from a list (filled on the worker)
        self.people = QHBoxLayout()
        self.people_buttons: dict[str, QPushButton] = {}
        layout.addLayout(self.people)
        self.worker.run(lambda: [a.username for a in self.accounts.store.staff.list()],
                        done=self._fill_people, failed=lambda exc: None)
        self.pin = QLineEdit()
        self.pin.setObjectName("SignInPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("Mã PIN / PIN")
        self.pin.returnPressed.connect(self.submit)
        layout.addWidget(self.pin)
        grid = QGridLayout()
        self.keys = {}
        for i, d in enumerate(DIGITS):
            b = QPushButton(d)
            b.setObjectName(f"PinKey{d}" if d.isdigit() else ("PinKeyBack" if d == "⌫" else "PinKeyOK"))
            b.setMinimumSize(64, 48)
            b.clicked.connect(lambda _=False, d=d: self._key(d))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[d] = b
        self.keys["OK"].setProperty("role", "primary")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(grid)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel("")
        self.message.setObjectName("SignInMessage")
        self.message.setProperty("role", "bad")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.cancel = QPushButton("Hủy / Cancel")
        self.cancel.setObjectName("SignInCancel")
        self.cancel.setMinimumSize(64, 48)
        self.cancel.clicked.connect(self.reject)
        layout.addWidget(self.cancel)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.reject)
        self._idle.start(IDLE_CLOSE_MS)
        running_application().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API): any input keeps it open
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin):
            self._idle.start(IDLE_CLOSE_MS)
        return False

    def done(self, result: int) -> None:  # noqa: N802 (Qt API)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._idle.stop()
        super().done(result)

    def _fill_people(self, names) -> None:
        for name in list(names)[:8]:
            b = QPushButton(name)
            b.setObjectName(f"SignInPick_{name}")
            b.setMinimumSize(64, 48)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, n=name: self._pick(n))
            self.people.addWidget(b)
            self.people_buttons[name] = b

    def _pick(self, name: str) -> None:
        self.user.setText(name)
        for n, b in self.people_buttons.items():
            b.setChecked(n == name)
    def _key(self, d: str) -> None:
        if d != "OK":
            self.message.setText("")
        if d == "⌫":
            self.pin.setText(self.pin.text()[:-1])
        elif d == "OK":
            self.submit()
        else:
            self.pin.setText(self.pin.text() + d)

    def submit(self) -> None:
        user, pin = self.user.text().strip(), self.pin.text()
        if not user or not pin:
            self.message.setText("Nhập tên và PIN / enter user and PIN")
            return
        self.keys["OK"].setEnabled(False)
        self.message.setText("Đang kiểm tra… / checking…")
        # a badge is what a scanner types into the user field: try it as a badge when no such user
        def check():
            if self.accounts.store.staff.by_username(user) is None and self.accounts.store.staff.by_badge(user):
                return self.accounts.sign_in_badge(user, pin)
            return self.accounts.sign_in(user, pin)
        self.worker.run(check, done=self._ok, failed=self._failed)

    def _ok(self, session) -> None:
        self.session = session
        self.pin.clear()
        self.message.setText("")
        self.keys["OK"].setEnabled(True)
        self.signed_in.emit(session)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.pin.clear()
        self.keys["OK"].setEnabled(True)
        if getattr(exc, "code", "") == "locked":
            wait = int(getattr(exc, "retry_after", 0) or 0) + 1 if getattr(exc, "retry_after", None) else None
            self.message.setText("Tài khoản tạm khóa, thử lại sau {0} giây / account locked for {0} s".format(wait)
                                 if wait else "Tài khoản tạm khóa / account locked")
        else:
            self.message.setText("Sai tên hoặc PIN / wrong user or PIN")

"""Caller panel: sign in, choose the counter/room, then Call next / Recall / No-show / Transfer /
Start / Finish with F1..F6. Shows the masked identity and priority of the patient at the counter.
Every action goes through the backend (CallingService: audited, the database decides).

The backend's calls (the Argon2 PIN check, the store or the hub) run on a DbWorker thread; the
Qt thread only sends them and shows the answers, so a slow hash or hub never freezes the panel."""
from __future__ import annotations

from kiosk.ui.desk.worker import DbWorker
from kiosk.ui.qt import (QComboBox, QGridLayout, QHBoxLayout, QKeySequence, QLabel, QLineEdit, QPushButton,
                         QShortcut, QStackedWidget, QVBoxLayout, QWidget, Qt)

ACTIONS = (  # key, action, Vietnamese, English
    ("F1", "next", "Gọi tiếp", "Call next"),
    ("F2", "recall", "Gọi lại", "Recall"),
    ("F3", "no_show", "Vắng mặt", "No-show"),
    ("F4", "transfer", "Chuyển", "Transfer"),
    ("F5", "start", "Bắt đầu", "Start"),
    ("F6", "finish", "Xong", "Finish"),
)
STYLE = """
QWidget { font-size: 15px; }
QLabel#number { font-size: 44px; font-weight: 700; color: #0B3D91; }
QLabel#status { color: #8A1C1C; }
QPushButton { padding: 8px 10px; font-weight: 600; }
"""


class CallerPanel(QWidget):
    def __init__(self, backend, *, counter_id: str | None = None, worker: DbWorker | None = None):
        super().__init__()
        self.backend = backend
        self.worker = worker or DbWorker(self, name="caller-db")
        self.pending = 0                   # backend calls in flight (a second press waits for them)
        self.setWindowTitle("Gọi bệnh nhân / Caller")
        self.setStyleSheet(STYLE)
        self.stack = QStackedWidget()
        lay = QVBoxLayout(self)
        lay.addWidget(self.stack)
        self.stack.addWidget(self._signin_page(counter_id))
        self.stack.addWidget(self._work_page())
        self.buttons: dict[str, QPushButton] = {}
        for key, action, vi, en in ACTIONS:
            btn = QPushButton(f"{vi} / {en}  [{key}]")
            btn.clicked.connect(lambda _=False, a=action: self.do(a))
            self.buttons[action] = btn
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(lambda a=action: self.do(a))
        for i, (_, action, _, _) in enumerate(ACTIONS):
            self.grid.addWidget(self.buttons[action], i // 3, i % 3)

    # ------------------------------------------------------------ pages
    def _signin_page(self, counter_id) -> QWidget:
        page = QWidget()
        form = QVBoxLayout(page)
        form.addWidget(QLabel("Đăng nhập để gọi bệnh nhân · Sign in to call patients"))
        self.user = QLineEdit()
        self.user.setPlaceholderText("Tên đăng nhập / Username")
        self.pin = QLineEdit()
        self.pin.setPlaceholderText("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.counter_box = QComboBox()
        for c in self.backend.counters():
            self.counter_box.addItem(f"{c.name_vi} · {c.name_en} ({', '.join(c.services)})", c.id)
        if counter_id is not None:
            self.counter_box.setCurrentIndex(max(0, self.counter_box.findData(counter_id)))
        go = QPushButton("Đăng nhập / Sign in")
        go.clicked.connect(self.sign_in)
        self.pin.returnPressed.connect(self.sign_in)
        self.signin_status = QLabel("")
        self.signin_status.setObjectName("status")
        for w in (self.user, self.pin, self.counter_box, go, self.signin_status):
            form.addWidget(w)
        form.addStretch(1)
        return page

    def _work_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        head = QHBoxLayout()
        self.where = QLabel("")
        out = QPushButton("Đăng xuất / Sign out")
        out.clicked.connect(self.sign_out)
        head.addWidget(self.where, 1)
        head.addWidget(out)
        lay.addLayout(head)
        self.number = QLabel("—")
        self.number.setObjectName("number")
        self.who = QLabel("")
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        lay.addWidget(self.number)
        lay.addWidget(self.who)
        self.grid = QGridLayout()
        lay.addLayout(self.grid)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chuyển đến / Transfer to:"))
        self.target = QComboBox()
        for code in self.backend.services():
            self.target.addItem(code, code)
        row.addWidget(self.target, 1)
        lay.addLayout(row)
        self.queue_line = QLabel("")
        self.queue_line.setWordWrap(True)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        lay.addWidget(self.queue_line)
        lay.addWidget(self.status)
        return page

    # ------------------------------------------------------------ behaviour
    @property
    def counter_id(self) -> str:
        return self.counter_box.currentData()

    def _run(self, fn, *args, done=None, failed=None, **kw) -> None:
        self.pending += 1

        def finish(cb):
            def inner(value):
                self.pending -= 1
                if cb is not None:
                    cb(value)
            return inner
        self.worker.run(fn, *args, done=finish(done), failed=finish(failed or self._failed), **kw)

    def _failed(self, exc: Exception) -> None:   # rule refusals, permission errors: shown to staff as they are
        self.status.setText(str(exc))
        self.refresh()

    def sign_in(self) -> None:
        if self.pending:
            return
        user, pin = self.user.text().strip(), self.pin.text()
        self.pin.clear()
        self.signin_status.setText("Đang kiểm tra… · Checking…")
        self._run(self.backend.sign_in, user, pin, done=lambda _: self._signed_in(user),
                  failed=lambda exc: self.signin_status.setText(str(exc)))   # SignInError: says why, no personal data

    def _signed_in(self, user: str) -> None:
        self.signin_status.setText("")
        self.where.setText(f"{self.counter_box.currentText()} — {user}")
        self.stack.setCurrentIndex(1)
        self.refresh()

    def sign_out(self) -> None:
        self.backend.sign_out()
        self.stack.setCurrentIndex(0)

    def do(self, action: str) -> None:
        if self.stack.currentIndex() != 1 or self.pending:
            return
        kw = {"service_code": self.target.currentData()} if action == "transfer" else {}
        self.status.setText("…")

        def done(got) -> None:
            self.status.setText("Không còn ai chờ · Nobody waiting" if got is None and action == "next" else "")
            self.refresh()
        self._run(self.backend.act, action, self.counter_id, done=done, **kw)

    def refresh(self) -> None:
        counter_id = self.counter_id

        def read():
            return self.backend.current(counter_id), self.backend.waiting(counter_id)
        self._run(read, done=lambda got: self._show(*got), failed=lambda exc: self.status.setText(str(exc)))

    def _show(self, cur, waiting) -> None:
        if cur is None:
            self.number.setText("—")
            self.who.setText("Chưa gọi ai · No patient called")
        else:
            state = {"called": "Đã gọi · Called", "in_service": "Đang phục vụ · In service"}.get(cur.state, cur.state)
            origin = f"\nTừ / From: {cur.coming_from}" if cur.coming_from else ""
            self.number.setText(cur.number)
            self.who.setText(f"{cur.masked_name}  ({cur.birth_year})\nƯu tiên / Priority: {cur.priority_vi} · "
                             f"{cur.priority_en}\n{state}{origin}")
        self.queue_line.setText(f"Đang chờ / Waiting: {len(waiting)} — {' '.join(waiting[:6])}")
        held = cur is not None
        self.buttons["next"].setEnabled(not held)
        for a in ("recall", "no_show", "transfer"):
            self.buttons[a].setEnabled(held)
        self.buttons["start"].setEnabled(held and cur.state == "called")
        self.buttons["finish"].setEnabled(held and cur.state == "in_service")

    def close_worker(self) -> None:
        self.worker.shutdown()

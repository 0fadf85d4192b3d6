"""Shared bits of the staff screens: the controller (services + worker + session), labels, tables."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.core.status import VisitStatus
from kiosk.ui.desk.worker import DbWorker
from kiosk.ui.qt import (QAbstractItemView, QHeaderView, QLabel, QObject, QPushButton, QTableWidget,
                         QTableWidgetItem, Qt, Signal)

STATUS_WORDS: dict[VisitStatus, str] = {
    VisitStatus.WAITING: "Đang chờ / waiting", VisitStatus.PROVISIONAL: "Tạm thời / provisional",
    VisitStatus.NEEDS_DESK: "Cần quầy / needs desk", VisitStatus.IN_PROGRESS: "Đang khám / in progress",
    VisitStatus.CLOSED: "Đã đóng / closed", VisitStatus.CANCELLED: "Đã hủy / cancelled",
}
PRIORITY_WORDS = {None: "—", "elderly": "Người cao tuổi", "child": "Trẻ < 6 tuổi", "pregnant": "Có thai",
                  "disability": "Khuyết tật", "merit": "Người có công"}


class StaffController(QObject):
    """Runs service calls for the signed-in staff member on the db worker."""

    message = Signal(str, str)          # (level: info|error, text) for the window's status line
    session_ended = Signal()

    def __init__(self, worker: DbWorker, session=None, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = worker
        self.session = session

    def act(self, fn: Callable, *args, done: Callable[[Any], None] | None = None,
            failed: Callable[[Exception], None] | None = None, ok_text: str = "", quiet: bool = False) -> None:
        """Run `fn(session, *args)` on the worker. `quiet`: the caller shows its own errors (the status
        line stays for session and permission problems only)."""
        def on_done(result):
            if ok_text:
                self.message.emit("info", ok_text)
            if done is not None:
                done(result)

        def on_failed(exc: Exception):
            from kiosk.security.accounts import SessionExpired
            from kiosk.security.roles import PermissionDenied
            if isinstance(exc, SessionExpired):
                self.message.emit("error", "Phiên đã hết hạn, vui lòng đăng nhập lại / session ended: sign in again")
                self.session_ended.emit()
            elif isinstance(exc, PermissionDenied):
                self.message.emit("error", f"Không được phép / not allowed: {exc}")
            elif not quiet:
                self.message.emit("error", str(exc))
            if failed is not None:
                failed(exc)
        self.worker.run(fn, self.session, *args, done=on_done, failed=on_failed)


def passive(fn: Callable) -> Callable:
    """A live refresh is not staff activity: run `fn(session)` without extending the session, so
    the inactivity timeout still ends it (the guard still refuses an expired session)."""
    def run(session, *args):
        last = session.last_activity if session is not None else None
        try:
            return fn(session, *args)
        finally:
            if session is not None:
                session.last_activity = last
    return run


def label(text: str = "", role: str | None = None, wrap: bool = True, name: str = "") -> QLabel:
    w = QLabel(text)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    if name:
        w.setObjectName(name)
    return w


def button(text: str, name: str, role: str | None = None) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    if role:
        b.setProperty("role", role)
    return b


def table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill(t: QTableWidget, rows: list[tuple], keys: list | None = None) -> None:
    """Replace the rows; `keys[i]` is kept as the row's UserRole data (an id). A cell given as
    ("shown", "tooltip") shows the first text and explains itself with the second."""
    selected = current_key(t)
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            tip = ""
            if isinstance(v, tuple):
                v, tip = v
            item = QTableWidgetItem("" if v is None else str(v))
            if tip:
                item.setToolTip(tip)
            if keys is not None:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            t.setItem(r, c, item)
    if selected is not None and keys is not None and selected in keys:
        t.selectRow(keys.index(selected))


def current_key(t: QTableWidget):
    items = t.selectedItems()
    return items[0].data(Qt.ItemDataRole.UserRole) if items else None


def hhmm(iso_text: str | None) -> str:
    if not iso_text:
        return ""
    from datetime import datetime
    from kiosk.core.clock import VN_TZ
    return datetime.fromisoformat(iso_text).astimezone(VN_TZ).strftime("%H:%M")

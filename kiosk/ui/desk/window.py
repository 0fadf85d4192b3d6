"""The desk window: today's visits (live), manual check-in and the upload queue, for the signed-in
staff member. Runs on a desk PC (`kiosk desk`) and on the kiosk in staff mode (kiosk layout: touch-
size buttons). Every service call goes through the db worker; the role is checked by the services."""
from __future__ import annotations

from typing import Any

from kiosk.core.clock import VN_TZ
from kiosk.security.roles import Permission
from kiosk.ui.desk.checkin_page import CheckinPage
from kiosk.ui.desk.close_dialog import CloseVisitDialog
from kiosk.ui.desk.common import STATUS_WORDS, StaffController, button, label, passive
from kiosk.ui.desk.dialogs import HealthBookDialog, OverrideDialog, ReasonDialog
from kiosk.ui.desk.identity_dialog import ConfirmIdentityDialog
from kiosk.ui.desk.queue_page import QueuePage
from kiosk.ui.desk.report_page import ReportPage
from kiosk.ui.desk.style import stylesheet
from kiosk.ui.desk.visits_page import VisitsPage
from kiosk.ui.qt import QFrame, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget, Signal

ROLE_WORDS = {"reception": "Lễ tân", "clinician": "Bác sĩ", "technician": "Kỹ thuật", "admin": "Quản trị"}


class DeskWindow(QWidget):
    signed_out = Signal()

    def __init__(self, desk, worker, session, *, kiosk_layout: bool = False, refresh_ms: int = 5000, parent=None):
        super().__init__(parent)
        self.setObjectName("DeskWindow")
        self.setWindowTitle("Quầy tiếp đón / Reception desk")
        self.setStyleSheet(stylesheet(kiosk_layout))
        self.desk, self.worker = desk, worker
        self.live: Any = getattr(desk, "live", None)     # a port with a live feed needs no refresh timers
        if self.live is not None:
            refresh_ms = 0
        self.ctl = StaffController(worker, session, self)
        self.ctl.message.connect(self._message)
        self.ctl.session_ended.connect(self.sign_out)
        self.dialog: QWidget | None = None
        self.alert_keys: list[str] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self._banner(session))
        self.hub_banner = label("⚠ Mất kết nối máy chủ cơ sở: không thể thay đổi hàng đợi lúc này / "
                                "hub unreachable: the facility queue cannot be changed from this desk now",
                                "bad", name="HubOffline")
        self.hub_banner.hide()
        root.addWidget(self.hub_banner)
        body = QVBoxLayout()
        body.setContentsMargins(10, 6, 10, 6)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("DeskTabs")
        self.visits = VisitsPage(desk, self.ctl, refresh_ms, kiosk_layout=kiosk_layout)
        self.checkin = CheckinPage(desk, self.ctl)
        can_queue = session.can(Permission.MANAGE_OUTBOX)
        self.queue = QueuePage(desk, self.ctl, refresh_ms * 2 if can_queue else 0)
        self.tabs.addTab(self.visits, "Lượt khám hôm nay / Today's visits")
        self.tabs.addTab(self.checkin, "Tiếp nhận thủ công / Manual check-in")
        self.tabs.addTab(self.queue, "Hàng đợi gửi / Upload queue")
        self.report = ReportPage(desk, self.ctl)
        self.tabs.addTab(self.report, "Báo cáo tuần / Weekly report")
        self.tabs.currentChanged.connect(self._tab_changed)
        body.addWidget(self.tabs, 1)
        # what needs staff stays listed until it is fixed; the line under it answers the last action
        self.alerts = QFrame()
        self.alerts.setObjectName("DeskAlerts")
        self.alerts.setProperty("role", "card")
        self.alert_rows = QVBoxLayout(self.alerts)
        self.alert_rows.setContentsMargins(8, 4, 8, 4)
        self.alerts.hide()
        body.addWidget(self.alerts)
        self.status = label("", name="DeskStatus")
        body.addWidget(self.status)
        root.addLayout(body, 1)
        self.checkin.issued.connect(lambda t: self.visits.refresh())
        self.visits.loaded.connect(lambda _: self.refresh_alerts())
        va = self.visits.buttons
        va["override"].clicked.connect(self.open_override)
        va["cancel"].clicked.connect(self.open_cancel)
        va["close"].clicked.connect(self.open_close)
        va["book"].clicked.connect(self.open_book)
        va["identity"].clicked.connect(self.open_identity)
        self.visits.pane.keep.clicked.connect(self.keep_visit)
        self._apply_role(session)
        self.bridge: Any = None
        if self.live is not None:
            self._attach_live()
        self.visits.refresh()

    def _attach_live(self) -> None:
        from kiosk.ui.desk.live import LiveBridge
        from kiosk.ui.qt import QTimer
        self._live_debounce = QTimer(self)
        self._live_debounce.setSingleShot(True)
        self._live_debounce.setInterval(100)
        self._live_debounce.timeout.connect(self._live_refresh)
        self.bridge = LiveBridge(self.live, self)
        self.bridge.changed.connect(lambda _n: self._live_debounce.start())
        self.bridge.state.connect(self.show_hub_state)
        self.show_hub_state(self.live.online)

    def _live_refresh(self) -> None:
        self.visits.refresh()
        if self.tabs.currentWidget() is self.queue:
            self.queue.refresh()

    def show_hub_state(self, online: bool) -> None:
        """The banner says at once that the hub is gone (the services refuse writes meanwhile)."""
        self.hub_banner.setVisible(not online)
        if online:
            self._live_refresh()

    def _banner(self, session) -> QFrame:
        bar = QFrame()
        bar.setProperty("role", "banner")
        row = QHBoxLayout(bar)
        settings = self.desk.ctx.settings
        place = ("Phòng khám / Clinic" if session.role.value == "clinician" else "Quầy tiếp đón / Desk")
        self.setWindowTitle(place)
        row.addWidget(label(f"{settings.facility_name or 'Kiosk'} · {place}", wrap=False, name="DeskPlace"), 1)
        self.who = label(f"{session.username} · {ROLE_WORDS.get(session.role.value, session.role.value)}",
                         wrap=False, name="DeskWho")
        row.addWidget(self.who)
        out = button("Đăng xuất / Sign out", "DeskSignOut")
        out.clicked.connect(self.sign_out)
        row.addWidget(out)
        return bar

    def _apply_role(self, session) -> None:
        """Hide what the role cannot do (the services refuse it anyway)."""
        can = session.can
        self.tabs.setTabVisible(1, can(Permission.MANUAL_CHECKIN))
        self.tabs.setTabVisible(2, can(Permission.MANAGE_OUTBOX))
        self.tabs.setTabVisible(3, can(Permission.VIEW_VISITS) and self.desk.report is not None)
        a = self.visits.buttons
        perms = (("override", Permission.OVERRIDE_ELIGIBILITY), ("recheck", Permission.OVERRIDE_ELIGIBILITY),
                 ("reprint", Permission.REPRINT), ("cancel", Permission.CANCEL_VISIT),
                 ("priority", Permission.CHANGE_PRIORITY), ("move", Permission.MOVE_SERVICE),
                 ("close", Permission.CLOSE_VISIT), ("book", Permission.VIEW_HEALTH_BOOK),
                 ("identity", Permission.MANUAL_CHECKIN))
        # a desk without the identity service (none wired) shows no button for it
        shown = {key for key, perm in perms if can(perm) and (key != "identity" or self.desk_identity is not None)}
        for key, _ in perms:
            a[key].setVisible(key in shown)
        self.visits.pane.relayout(shown)
        if not can(Permission.OVERRIDE_ELIGIBILITY):
            self.visits.pane.keep.setEnabled(False)
        self.visits.priority.setVisible(can(Permission.CHANGE_PRIORITY))
        self.visits.service.setVisible(can(Permission.MOVE_SERVICE))

    def _tab_changed(self, index: int) -> None:
        self.status.setText("")          # an answer belongs to the page it was given on
        if self.tabs.widget(index) is self.queue:
            self.queue.refresh()
        elif self.tabs.widget(index) is self.report:
            self.report.refresh()

    def refresh_alerts(self) -> None:
        if self.ctl.session is None or self.desk.alerts is None:
            return
        self.ctl.act(passive(self.desk.alerts.alerts), done=self._show_alerts)

    def _show_alerts(self, alerts) -> None:
        while self.alert_rows.count():
            item = self.alert_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for a in alerts:
            row = label(("⚠ " if a.level == "bad" else "• ") + a.text, a.level, name=f"Alert_{a.key}")
            self.alert_rows.addWidget(row)
        self.alerts.setVisible(bool(alerts))
        self.alert_keys = [a.key for a in alerts]

    def _message(self, level: str, text: str) -> None:
        self.status.setProperty("role", "bad" if level == "error" else "good")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    # ------------------------------------------------------------ dialogs
    def open_override(self) -> None:
        detail = self.visits.detail
        assert detail is not None  # the actions act on the visit shown
        self.dialog = dialog = OverrideDialog(detail, self)

        def confirmed():
            reason, mode = dialog.values()
            self.ctl.act(self.desk.visits.override_eligibility, detail.visit.id, reason, mode,
                         done=lambda _: self.visits.reload_detail(), ok_text="Đã chấp nhận lượt khám / override saved")
        dialog.accepted.connect(confirmed)
        dialog.open()

    def open_cancel(self) -> None:
        detail = self.visits.detail
        assert detail is not None  # the actions act on the visit shown
        self.dialog = dialog = ReasonDialog("Hủy lượt khám / Cancel visit", "Lý do hủy / reason:", "CancelDialog",
                                            self)
        dialog.accepted.connect(lambda: self.ctl.act(
            self.desk.visits.cancel, detail.visit.id, dialog.reason.text(),
            done=lambda _: self.visits.reload_detail(), ok_text="Đã hủy / cancelled"))
        dialog.open()

    def open_close(self) -> None:
        detail = self.visits.detail
        assert detail is not None  # the actions act on the visit shown
        today = self.desk.ctx.clock.now().astimezone(VN_TZ).date()
        self.dialog = dialog = CloseVisitDialog(detail, self.desk.close.index, self.worker,
                                                self.desk.ctx.settings.services, today, self)
        dialog.accepted.connect(lambda: self.ctl.act(
            self.desk.close.close, detail.visit.id, dialog.form(),
            done=lambda _: self.visits.reload_detail(),
            ok_text="Đã đóng lượt khám, hồ sơ đã vào hàng đợi gửi / visit closed, dossier queued"))
        dialog.open()

    @property
    def desk_identity(self) -> Any:
        return getattr(self.desk, "identity", None)

    def open_identity(self) -> None:
        """A nameless first visit: reception types the name, birth date and sex read off the card; the
        dialog stays open with the desk's answer until the service accepts them."""
        detail = self.visits.detail
        assert detail is not None  # the actions act on the visit shown
        self.dialog = dialog = ConfirmIdentityDialog(detail, self.visits.masked, self)

        def confirmed(done) -> None:
            dialog.accept()
            self.visits.reload_detail()
            vi, _, en = STATUS_WORDS.get(done.status, str(done.status)).partition(" / ")
            if getattr(done, "queued", True):
                self._message("info", f"Đã xác nhận danh tính, hồ sơ tiếp nhận (XML0) đã vào hàng đợi gửi; trạng thái: "
                                      f"{vi} / identity confirmed, check-in (XML0) queued; status: {en or vi}")
            else:   # a hub desk: the kiosk had already queued this visit's XML0 (one per MA_LK)
                self._message("info", f"Đã xác nhận danh tính; hồ sơ tiếp nhận (XML0) ki-ốt đã gửi trước; trạng thái: "
                                      f"{vi} / identity confirmed; the kiosk had already queued the check-in (XML0); "
                                      f"status: {en or vi}")

        def submitted(name: str, born: str, sex: int) -> None:
            self.ctl.act(self.desk_identity.confirm, detail.visit.id, name, born, sex, done=confirmed,
                         failed=lambda exc: dialog.refuse(str(exc), getattr(exc, "field", None)), quiet=True)
        dialog.submitted.connect(submitted)
        dialog.open()

    def keep_visit(self) -> None:
        """Resolve a flagged duplicate: this visit stays, the other is cancelled (on the hub)."""
        detail = self.visits.detail
        assert detail is not None  # the button acts on the visit shown
        self.ctl.act(self.desk.visits.resolve_conflict, detail.visit.id, done=lambda _: self.visits.reload_detail(),
                     ok_text="Đã giữ lượt này, lượt trùng đã hủy / kept, the duplicate is cancelled")

    def open_book(self) -> None:
        detail = self.visits.detail
        assert detail is not None  # the actions act on the visit shown
        patient_id = detail.patient.id
        can_edit = self.ctl.session.can(Permission.EDIT_HEALTH_NOTES)

        def show(book):
            self.dialog = dialog = HealthBookDialog(book, can_edit, self)
            dialog.save_requested.connect(lambda a, c: self.ctl.act(
                self.desk.book.save_notes, patient_id, a, c, ok_text="Đã lưu / saved"))
            dialog.open()
        self.ctl.act(self.desk.book.book, patient_id, done=show)

    def sign_out(self) -> None:
        self.ctl.session = None
        self.visits.timer.stop()
        self.queue.timer.stop()
        if self.bridge is not None:
            self.bridge.detach()
        self.signed_out.emit()
        self.close()

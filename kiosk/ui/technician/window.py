"""The technician window: devices with role assignment and live tests (last scan, read a test card,
print a test page, camera frame), certificate and key status, database key rotation, gateway test,
diagnostics bundle and factory reset. Every call runs on the db worker."""
from __future__ import annotations

import functools
from pathlib import Path

from kiosk.technician.devices import FoundDevice
from kiosk.ui.desk.common import StaffController, button, current_key, fill, label, table
from kiosk.ui.desk.style import stylesheet
from kiosk.ui.qt import (QComboBox, QFrame, QHBoxLayout, QImage, QLineEdit, QPixmap, QTabWidget, Qt, QVBoxLayout,
                         QWidget, Signal)

ROLES = (("scanner", "Máy quét / scanner"), ("reader", "Đầu đọc thẻ / card reader"),
         ("printer", "Máy in / printer"), ("camera", "Camera"))
LEVEL_ROLE = {"ok": "good", "warning": "warn", "expired": "bad", "error": "bad"}


def _left(widget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def frame_pixmap(frame, width: int = 320) -> QPixmap:
    """A BGR numpy frame (OpenCV) as a scaled QPixmap."""
    rgb = frame[:, :, ::-1].copy()
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)


class TechnicianWindow(QWidget):
    signed_out = Signal()
    tested = Signal(str, object)          # (what, DeviceTestResult)

    def __init__(self, tech, worker, session, parent=None, exit_kiosk=None):
        super().__init__(parent)
        self.setObjectName("TechnicianWindow")
        self.setWindowTitle("Kỹ thuật / Technician")
        self.setStyleSheet(stylesheet(False))
        self.tech, self.worker = tech, worker
        self.ctl = StaffController(worker, session, self)
        self.ctl.message.connect(self._message)
        self.ctl.session_ended.connect(self.sign_out)
        self.found: dict[str, FoundDevice] = {}
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        bar = QFrame()
        bar.setProperty("role", "banner")
        row = QHBoxLayout(bar)
        cfg = tech.ctx.cfg
        row.addWidget(label(f"{cfg.facility_name or 'Kiosk'} · Ki-ốt {cfg.kiosk_id} · Kỹ thuật / Technician",
                            wrap=False), 1)
        row.addWidget(label(session.username, wrap=False))
        out = button("Đăng xuất / Sign out", "TechSignOut")
        out.clicked.connect(self.sign_out)
        row.addWidget(out)
        from kiosk.security.roles import Permission
        if exit_kiosk is not None and session.can(Permission.PROVISION):
            # the locked-down kiosk session is left only this way: gesture, PIN, technician role
            leave = button("Thoát ứng dụng ki-ốt / Exit kiosk app", "TechExitKiosk", "danger")
            leave.clicked.connect(exit_kiosk)
            row.addWidget(leave)
        root.addWidget(bar)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("TechTabs")
        self.tabs.addTab(self._devices_tab(), "Thiết bị / Devices")
        self.tabs.addTab(self._keys_tab(), "Chứng thư và khóa / Certificate and keys")
        self.tabs.addTab(self._gateway_tab(), "Cổng và chẩn đoán / Gateway and diagnostics")
        self.tabs.addTab(self._reset_tab(), "Khôi phục gốc / Factory reset")
        from kiosk.ui.technician.staff_page import StaffPage
        self.staff_page = StaffPage(tech, self.ctl)
        self.tabs.addTab(self.staff_page, "Nhân viên / Staff")
        body = QVBoxLayout()
        body.setContentsMargins(10, 6, 10, 6)
        body.addWidget(self.tabs, 1)
        self.status = label("", name="TechStatus")
        body.addWidget(self.status)
        root.addLayout(body, 1)
        from kiosk.security.roles import Permission
        self.tabs.setTabVisible(3, session.can(Permission.FACTORY_RESET))     # admins only
        self.tabs.setTabVisible(4, session.can(Permission.MANAGE_STAFF))      # admins only
        if session.can(Permission.MANAGE_STAFF):
            self.staff_page.refresh()
        self.rotate_btn.setVisible(session.can(Permission.ROTATE_KEY))
        self.refresh_devices()
        self.refresh_cert()

    # ------------------------------------------------------------ devices
    def _devices_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.devices = table(["Loại", "Địa chỉ (VID:PID, cổng…)", "Tên", "Gợi ý", "Vai trò đã gán"], "DeviceTable")
        lay.addWidget(self.devices, 2)
        self.device_notes = label("", "muted", name="DeviceNotes")
        lay.addWidget(self.device_notes)
        assign = QHBoxLayout()
        self.role = QComboBox()
        self.role.setObjectName("DeviceRole")
        for value, text in ROLES:
            self.role.addItem(text, value)
        self.assign_btn = button("Gán vai trò / Assign role", "DeviceAssign", "primary")
        self.assign_btn.clicked.connect(self.assign)
        rescan = button("Quét lại / Rescan", "DeviceRescan")
        rescan.clicked.connect(self.refresh_devices)
        for x in (self.role, self.assign_btn, rescan):
            assign.addWidget(x)
        assign.addStretch(1)
        lay.addLayout(assign)
        tests = QHBoxLayout()
        self.test_buttons = {}
        for key, text in (("scanner", "Lần quét cuối / Last scan"), ("reader", "Đọc thẻ thử / Read test card"),
                          ("printer", "In trang thử / Print test page"), ("camera", "Ảnh camera / Camera frame")):
            b = button(text, f"Test_{key}")
            b.clicked.connect(lambda _=False, k=key: self.run_test(k))
            tests.addWidget(b)
            self.test_buttons[key] = b
        lay.addLayout(tests)
        results = QHBoxLayout()
        self.test_result = label("", name="TestResult")
        self.preview = label("", name="CameraPreview", wrap=False)
        self.preview.setMinimumSize(320, 180)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setProperty("role", "muted")
        results.addWidget(self.test_result, 1)
        results.addWidget(self.preview)
        lay.addLayout(results)
        return w

    def refresh_devices(self) -> None:
        self.ctl.act(self.tech.devices, done=self._devices)

    def _devices(self, discovery) -> None:
        self.found = {d.address: d for d in discovery.devices}
        fill(self.devices, [(d.kind, d.address, d.name, d.suggested_role or "", d.assigned_role or "")
                            for d in discovery.devices], [d.address for d in discovery.devices])
        self.device_notes.setText(" · ".join(discovery.notes))

    def assign(self) -> None:
        address = current_key(self.devices)
        if address is None:
            return
        self.ctl.act(self.tech.assign, self.found[address], self.role.currentData(),
                     done=lambda _: self.refresh_devices(), ok_text="Đã gán / assigned")

    def run_test(self, what: str) -> None:
        calls = {"scanner": (self.tech.test_scanner,), "printer": (self.tech.test_printer,),
                 "camera": (self.tech.test_camera, self._camera_index())}
        if what == "reader":
            address = current_key(self.devices)
            device = self.found.get(address) if address else None
            if device is None or device.kind != "pcsc":
                readers = [d for d in self.found.values() if d.kind == "pcsc"]
                if not readers:
                    self.test_result.setText("Không có đầu đọc PC/SC / no PC/SC reader")
                    return
                device = readers[0]
            calls["reader"] = (self.tech.test_reader, device.address)
        fn, *args = calls[what]
        self.ctl.act(fn, *args, done=functools.partial(self._tested, what))

    def _camera_index(self) -> int:
        address = current_key(self.devices) or ""
        return int(address.split(":")[1]) if address.startswith("camera:") and address.split(":")[1].isdigit() else 0

    def _tested(self, what: str, result) -> None:
        self.test_result.setProperty("role", "good" if result.ok else "bad")
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.test_result.setText(("✔ " if result.ok else "✘ ") + result.summary)
        if what == "camera" and result.ok:
            self.preview.setPixmap(frame_pixmap(result.detail))
        self.tested.emit(what, result)

    # ------------------------------------------------------------ certificate and keys
    def _keys_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(label("Chứng thư ký số của cơ sở / facility signing certificate", "title"))
        self.cert = label("", name="CertStatus")
        lay.addWidget(self.cert)
        check = button("Kiểm tra lại / Check again", "CertRefresh")
        check.clicked.connect(self.refresh_cert)
        lay.addLayout(_left(check))
        lay.addWidget(label("Khóa cơ sở dữ liệu / database key", "title"))
        lay.addWidget(label("Đổi khóa mã hóa toàn bộ CSDL (PRAGMA rekey). Khóa cũ chỉ bị thay khi khóa mới đã mở "
                            "được CSDL. / Re-encrypts the whole database; the old key is replaced only once the new "
                            "one opens it.", "muted"))
        self.rotate_btn = button("Đổi khóa CSDL / Rotate database key", "RotateKey", "danger")
        self.rotate_btn.clicked.connect(self.rotate)
        lay.addLayout(_left(self.rotate_btn))
        lay.addStretch(1)
        return w

    def refresh_cert(self) -> None:
        self.ctl.act(self.tech.cert_status, done=self._cert)

    def _cert(self, s) -> None:
        self.cert.setProperty("role", LEVEL_ROLE.get(s.level, "bad"))
        self.cert.style().unpolish(self.cert)
        self.cert.style().polish(self.cert)
        self.cert.setText(f"{s.message}\n{s.subject}\nHết hạn / expires: {s.not_after or '—'} ({s.source})")

    def rotate(self) -> None:
        self.rotate_btn.setEnabled(False)
        self.ctl.act(self.tech.rotate_key, done=lambda p: self.rotate_btn.setEnabled(True),
                     failed=lambda e: self.rotate_btn.setEnabled(True), ok_text="Đã đổi khóa CSDL / key rotated")

    # ------------------------------------------------------------ gateway and diagnostics
    def _gateway_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(label("Kiểm tra kết nối cổng giám định / gateway connectivity", "title"))
        self.gw_btn = button("Lấy token và tra thẻ thử / Token + test card check", "GatewayTest", "primary")
        self.gw_btn.clicked.connect(self.gateway_test)
        lay.addLayout(_left(self.gw_btn))
        self.gw_result = label("", name="GatewayResult")
        lay.addWidget(self.gw_result)
        hub = button("Kiểm tra máy chủ cơ sở / Facility hub check", "HubTest")
        hub.clicked.connect(self.hub_test)
        lay.addLayout(_left(hub))
        self.hub_result = label("", name="HubResult")
        lay.addWidget(self.hub_result)
        lay.addWidget(label("Gói chẩn đoán / diagnostics bundle", "title"))
        lay.addWidget(label("Nhật ký (đã che), cài đặt (đã ẩn bí mật), phiên bản, thiết bị, hàng đợi gửi — một tệp zip. "
                            "/ Logs (masked), settings (secrets hidden), versions, devices, outbox — one zip.", "muted"))
        row = QHBoxLayout()
        self.diag_dir = QLineEdit(str(Path(self.tech.ctx.cfg.data_dir).parent))
        self.diag_dir.setObjectName("DiagDir")
        diag = button("Tạo gói / Export", "DiagExport")
        diag.clicked.connect(self.diagnostics)
        row.addWidget(self.diag_dir, 1)
        row.addWidget(diag)
        lay.addLayout(row)
        self.diag_result = label("", name="DiagResult")
        lay.addWidget(self.diag_result)
        lay.addStretch(1)
        return w

    def gateway_test(self) -> None:
        def show(r):
            words = f"tra thẻ thử / test card: {r.card_code} — {r.card_words}" if r.card_code else r.card_words
            self.gw_result.setProperty("role", "good" if r.token_ok and r.card_code in (None, "000") else "bad")  # no test card: the token alone is the result
            self.gw_result.style().unpolish(self.gw_result)
            self.gw_result.style().polish(self.gw_result)
            self.gw_result.setText(f"Token: {'OK' if r.token_ok else 'lỗi'} ({r.token_ms:.0f} ms) — {r.message}\n"
                                   f"{words} ({r.card_ms:.0f} ms)")
        self.ctl.act(self.tech.gateway_test, done=show)

    def hub_test(self) -> None:
        def show(items):
            self.hub_result.setProperty("role", "good" if all(i.ok for i in items) else "bad")
            self.hub_result.style().unpolish(self.hub_result)
            self.hub_result.style().polish(self.hub_result)
            self.hub_result.setText("\n".join(f"{'✓' if i.ok else '✗'} {i.message}" for i in items))
        self.ctl.act(self.tech.hub_test, done=show)

    def diagnostics(self) -> None:
        self.ctl.act(self.tech.diagnostics, Path(self.diag_dir.text()),
                     done=lambda p: self.diag_result.setText(f"Đã ghi / written: {p}"))

    # ------------------------------------------------------------ factory reset
    def _reset_tab(self) -> QWidget:
        from kiosk.technician.diag import confirmation_phrase
        w = QWidget()
        lay = QVBoxLayout(w)
        phrase = confirmation_phrase(self.tech.ctx.cfg)
        lay.addWidget(label("Khôi phục cài đặt gốc / Factory reset", "title"))
        lay.addWidget(label("Hủy khóa CSDL trước (dữ liệu mã hóa không thể đọc lại), rồi xóa các tệp dữ liệu. "
                            "Không thể hoàn tác. / Destroys the database key first (the encrypted data can never be "
                            "read again), then deletes the data files. Cannot be undone.", "bad"))
        lay.addWidget(label(f"Gõ chính xác / type exactly:  {phrase}"))
        self.reset_text = QLineEdit()
        self.reset_text.setObjectName("ResetConfirm")
        self.reset_btn = button("Xóa toàn bộ / Erase everything", "ResetGo", "danger")
        self.reset_btn.setEnabled(False)
        self.reset_text.textChanged.connect(lambda t: self.reset_btn.setEnabled(t.strip() == phrase))
        self.reset_btn.clicked.connect(lambda: self.ctl.act(
            self.tech.factory_reset, self.reset_text.text(), done=self._reset_done))
        lay.addWidget(self.reset_text)
        lay.addLayout(_left(self.reset_btn))
        lay.addStretch(1)
        return w

    def _reset_done(self, removed) -> None:
        self._message("info", f"Đã xóa {len(removed)} tệp; khóa CSDL đã bị hủy / erased, key destroyed")

    def _message(self, level: str, text: str) -> None:
        self.status.setProperty("role", "bad" if level == "error" else "good")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    def sign_out(self) -> None:
        self.ctl.session = None
        self.signed_out.emit()
        self.close()

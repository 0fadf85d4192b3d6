"""The first-run wizard (the kiosk is not provisioned): facility code and name, kiosk id and
language, gateway account and officer, signing key (import a PKCS#12 or pick a PKCS#11 slot),
database key, services, the first admin account. It fills the same provisioning document as
`kiosk provision --file`, and the same two phases check everything before changing anything (the
composition root hands it `provision`, see `kiosk.staff.first_run_provisioning`)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from kiosk.technician import provision as tp
from kiosk.ui.desk.common import button, label
from kiosk.ui.technician import wizard_checks as wc
from kiosk.ui.desk.style import stylesheet
from kiosk.ui.qt import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QProgressBar, QRadioButton,
                         QTableWidget, QTableWidgetItem, Qt, QWizard, QWizardPage, Signal)

SERVICE_COLS = ("code", "name_vi", "name_en", "room", "ticket_letter", "minutes_per_patient")
TRAINING_GATEWAY = "https://daotaoegw.baohiemxahoi.gov.vn"
PRODUCTION_GATEWAY = "https://egw.baohiemxahoi.gov.vn"      # BHXH's production eGW (the training one is daotaoegw)


def _line(name: str, text: str = "", secret: bool = False) -> QLineEdit:
    w = QLineEdit(text)
    w.setObjectName(name)
    if secret:
        w.setEchoMode(QLineEdit.EchoMode.Password)
    return w


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str = ""):
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.form = QFormLayout(self)
        self.problems = label("", "bad", name="PageProblems")

    def finish_layout(self) -> None:
        self.form.addRow(self.problems)


class FirstRunWizard(QWizard):
    provisioned = Signal(object)        # ProvisionReport
    failed = Signal(object)             # ProvisionError / Exception

    def __init__(self, cfg, worker, config_path: Path, provision: Callable[[dict, Path, dict], Any], *,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("FirstRunWizard")
        self.setWindowTitle("Cài đặt ki-ốt lần đầu / First-run set-up")
        self.setStyleSheet(stylesheet(False))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        for which, text in ((QWizard.WizardButton.BackButton, "< Quay lại / Back"),
                            (QWizard.WizardButton.NextButton, "Tiếp / Next >"),
                            (QWizard.WizardButton.FinishButton, "Hoàn tất / Finish"),
                            (QWizard.WizardButton.CancelButton, "Hủy / Cancel")):
            self.setButtonText(which, text)       # Qt's own labels are English-only
        self.cfg, self.worker, self.config_path = cfg, worker, Path(config_path)
        self._provision = provision      # kiosk.staff.first_run_provisioning: checks, then writes
        self.report = None
        self.f: dict[str, QLineEdit] = {}
        self.checking = False                  # a page check runs on the worker (Next waits for it)
        self._passed: set[tuple[int, str]] = set()   # (page, fingerprint) that the worker found sound
        self.busy = QProgressBar()             # busy indicator while the worker checks (PKCS#11 login...)
        self.busy.setObjectName("WizardBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.setSideWidget(self.busy)

        p = _Page("Cơ sở KCB / Facility", "Mã cơ sở (MA_CSKCB) có 5 chữ số, hai số đầu là mã tỉnh.")
        for key, text in (("facility.code", "Mã cơ sở / MA_CSKCB"), ("facility.name", "Tên cơ sở / name"),
                          ("facility.head_code", "Mã thủ trưởng / MA_TTDV")):
            self.f[key] = _line(key, str(getattr(cfg, tp.FIELD_MAP[key], "") or ""))
            p.form.addRow(text, self.f[key])
        self.addPage(p)

        p = _Page("Ki-ốt / Kiosk", "Số hiệu ki-ốt là một phần của mọi số phiếu và MA_LK.")
        self.f["kiosk.id"] = _line("kiosk.id", cfg.kiosk_id)
        self.language = QComboBox()
        self.language.setObjectName("kiosk.language")
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.f["kiosk.data_dir"] = _line("kiosk.data_dir", str(cfg.data_dir))
        self.f["kiosk.key_file"] = _line("kiosk.key_file", str(cfg.key_file))
        p.form.addRow("Số hiệu / kiosk id", self.f["kiosk.id"])
        p.form.addRow("Ngôn ngữ / language", self.language)
        p.form.addRow("Thư mục dữ liệu / data dir", self.f["kiosk.data_dir"])
        p.form.addRow("Khóa CSDL / database key file", self.f["kiosk.key_file"])
        p.form.addRow("", label("Khóa CSDL được tạo nếu chưa có (0600, ngoài thư mục dữ liệu). "
                                "/ A new key is created when the file does not exist.", "muted"))
        self.addPage(p)

        p = _Page("Cổng giám định / Gateway", "Tài khoản cổng và cán bộ tra cứu đã đăng ký với BHXH.")
        for key, text, secret in (("gateway.url", "Địa chỉ / URL", False), ("gateway.username", "Tài khoản / account", False),
                                  ("gateway.password", "Mật khẩu / password", True),
                                  ("gateway.officer_name", "Cán bộ tra cứu / officer", False),
                                  ("gateway.officer_cccd", "CCCD cán bộ / officer CCCD", True)):
            default = "" if secret else str(getattr(cfg, tp.FIELD_MAP.get(key, ""), "") or "")
            if key == "gateway.url" and default in ("", TRAINING_GATEWAY):
                default = PRODUCTION_GATEWAY      # the training gateway is for tests and the demo only
            self.f[key] = _line(key, default, secret)
            p.form.addRow(text, self.f[key])
        self.addPage(p)

        p = _Page("Khóa ký số / Signing key", "Nhập tệp PKCS#12 của cơ sở, hoặc chọn khe PKCS#11 (USB token).")
        self.use_p12 = QRadioButton("Tệp PKCS#12 / PKCS#12 file")
        self.use_p12.setObjectName("UsePkcs12")
        self.use_p12.setChecked(True)
        self.use_p11 = QRadioButton("USB token PKCS#11")
        self.use_p11.setObjectName("UsePkcs11")
        p.form.addRow(self.use_p12)
        row = QHBoxLayout()
        self.f["signing.pkcs12"] = _line("signing.pkcs12")
        browse = button("Chọn… / Browse…", "BrowsePkcs12")
        browse.clicked.connect(self._browse)
        row.addWidget(self.f["signing.pkcs12"], 1)
        row.addWidget(browse)
        p.form.addRow("Tệp / file", row)
        self.f["signing.password"] = _line("signing.password", secret=True)
        p.form.addRow("Mật khẩu tệp / password", self.f["signing.password"])
        p.form.addRow(self.use_p11)
        self.f["signing.pkcs11_module"] = _line("signing.pkcs11_module", str(cfg.pkcs11_module))
        self.slot = QComboBox()
        self.slot.setObjectName("Pkcs11Slot")
        slots = button("Liệt kê khe / List slots", "ListSlots")
        slots.clicked.connect(self._list_slots)
        srow = QHBoxLayout()
        srow.addWidget(self.slot, 1)
        srow.addWidget(slots)
        self.f["signing.key_label"] = _line("signing.key_label", cfg.pkcs11_key_label)
        self.f["signing.pin"] = _line("signing.pin", secret=True)
        p.form.addRow("Thư viện / module", self.f["signing.pkcs11_module"])
        p.form.addRow("Khe / slot", srow)
        p.form.addRow("Nhãn khóa / key label", self.f["signing.key_label"])
        p.form.addRow("PIN token", self.f["signing.pin"])
        p12_fields = (self.f["signing.pkcs12"], browse, self.f["signing.password"])
        p11_fields = (self.f["signing.pkcs11_module"], self.slot, slots, self.f["signing.key_label"],
                      self.f["signing.pin"])

        def source_changed(_=None) -> None:          # only the chosen source's fields can be typed in
            for w in p12_fields:
                w.setEnabled(self.use_p12.isChecked())
            for w in p11_fields:
                w.setEnabled(self.use_p11.isChecked())
        self.use_p12.toggled.connect(source_changed)
        source_changed()
        self.addPage(p)

        p = _Page("Khoa khám / Services", "Các dịch vụ khám trên màn hình chọn dịch vụ.")
        self.services = QTableWidget(0, len(SERVICE_COLS))
        self.services.setObjectName("ServicesTable")
        self.services.setHorizontalHeaderLabels(["Mã", "Tên (vi)", "Name (en)", "Phòng", "Chữ", "Phút/người"])
        from kiosk.config import BY_NAME
        if list(cfg.services) != list(BY_NAME["services"].default):
            for s in cfg.services:
                self._add_service(s)
        else:
            self._add_service({})         # the facility's own departments, not the demo's five
        add = button("Thêm dòng / Add row", "AddService")
        add.clicked.connect(lambda: self._add_service({}))
        p.form.addRow(self.services)
        p.form.addRow(add)
        self.addPage(p)

        p = _Page("Tài khoản quản trị / Admin account", "Tài khoản đầu tiên; thêm nhân viên sau ở mục Nhân viên.")
        for key, text, secret in (("staff.username", "Tên đăng nhập / user", False),
                                  ("staff.display_name", "Họ tên / name", False),
                                  ("staff.pin", "PIN (≥ 6 số)", True), ("staff.pin2", "Nhập lại PIN / again", True)):
            self.f[key] = _line(key, "admin" if key == "staff.username" else "", secret)
            p.form.addRow(text, self.f[key])
        self.addPage(p)

        p = _Page("Máy chủ cơ sở / Facility hub", "Tùy chọn: để trống nếu ki-ốt hoạt động độc lập. Máy chủ xác nhận "
                  "số hiệu ki-ốt (không trùng với máy khác). / Optional: the hub confirms the kiosk id.")
        pw = str(cfg.hub_password_file)
        self.f["hub.dsn"] = _line("hub.dsn", str(cfg.hub_dsn))
        self.f["hub.password_file"] = _line("hub.password_file", "" if pw in ("", ".") else pw)
        p.form.addRow("Chuỗi kết nối / hub_dsn", self.f["hub.dsn"])
        p.form.addRow("Tệp mật khẩu / password file", self.f["hub.password_file"])
        self.addPage(p)

        p = _Page("Xác nhận / Confirm", "Kiểm tra toàn bộ trước khi ghi; không thay đổi gì nếu có lỗi.")
        self.summary = label("", name="WizardSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.problems = label("", "bad", name="WizardProblems")
        self.problems.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.done_label = label("", "good", name="WizardDone")
        p.form.addRow(self.summary)
        p.form.addRow(self.problems)
        p.form.addRow(self.done_label)
        p.initializePage = lambda: self.summary.setText(wc.summary(*self.document(), self.config_path))
        self.addPage(p)
        for page_id in self.pageIds()[:-1]:
            self.page(page_id).finish_layout()

    # ------------------------------------------------------------ helpers
    def _add_service(self, s: dict) -> None:
        r = self.services.rowCount()
        self.services.insertRow(r)
        for c, key in enumerate(SERVICE_COLS):
            self.services.setItem(r, c, QTableWidgetItem(str(s.get(key, ""))))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "PKCS#12", "", "PKCS#12 (*.p12 *.pfx)")
        if path:
            self.f["signing.pkcs12"].setText(path)

    def _list_slots(self) -> None:
        module = self.f["signing.pkcs11_module"].text()

        def slots():
            import pkcs11
            lib = pkcs11.lib(module)
            return [(s.slot_id, s.get_token().label) for s in lib.get_slots(token_present=True)]

        def show(found):
            self.slot.clear()
            for slot_id, token in found:
                self.slot.addItem(f"{slot_id} · {token}", slot_id)
        self.worker.run(slots, done=show, failed=lambda exc: self.problems.setText(f"PKCS#11: {exc}"))

    def document(self) -> tuple[dict, dict[str, str]]:
        """The provisioning document and the secrets (passed as an environment, never inline)."""
        t = {k: w.text().strip() for k, w in self.f.items()}
        env: dict[str, str] = {}
        doc: dict[str, Any] = {
            "facility": {"code": t["facility.code"], "name": t["facility.name"], "head_code": t["facility.head_code"]},
            "kiosk": {"id": t["kiosk.id"], "language": self.language.currentData(), "data_dir": t["kiosk.data_dir"],
                      "key_file": t["kiosk.key_file"]},
            "gateway": {"url": t["gateway.url"], "username": t["gateway.username"],
                        "officer_name": t["gateway.officer_name"]},
        }
        for key, var in (("gateway.password", "WIZ_GATEWAY_PASSWORD"), ("gateway.officer_cccd", "WIZ_OFFICER_CCCD")):
            if t[key]:
                doc["gateway"][key.split(".")[1] + "_env"] = var
                env[var] = self.f[key].text()
        if self.use_p12.isChecked():
            doc["signing"] = {"source": "pkcs12", "pkcs12": t["signing.pkcs12"], "password_env": "WIZ_P12_PASSWORD"}
            env["WIZ_P12_PASSWORD"] = self.f["signing.password"].text()
        else:
            doc["signing"] = {"source": "pkcs11", "pkcs11_module": t["signing.pkcs11_module"],
                              "key_label": t["signing.key_label"], "pin_env": "WIZ_PKCS11_PIN"}
            if self.slot.currentData() is not None:
                doc["signing"]["slot"] = int(self.slot.currentData())
            env["WIZ_PKCS11_PIN"] = self.f["signing.pin"].text()
        services = []
        for r in range(self.services.rowCount()):
            row = {key: (self.services.item(r, c).text().strip() if self.services.item(r, c) else "")
                   for c, key in enumerate(SERVICE_COLS)}
            if not row["code"]:
                continue
            row["minutes_per_patient"] = int(row["minutes_per_patient"]) if row["minutes_per_patient"].isdigit() else 6
            services.append(row)
        doc["services"] = services
        if t["hub.dsn"]:
            doc["hub"] = {"dsn": t["hub.dsn"]}
            if t["hub.password_file"]:
                doc["hub"]["password_file"] = t["hub.password_file"]
        doc["staff"] = [{"username": t["staff.username"], "display_name": t["staff.display_name"] or t["staff.username"],
                         "role": "admin", "pin_env": "WIZ_ADMIN_PIN"}]
        env["WIZ_ADMIN_PIN"] = self.f["staff.pin"].text()
        return doc, env

    # ------------------------------------------------------------ checking page by page
    def _pins_differ(self) -> bool:
        return self.f["staff.pin"].text() != self.f["staff.pin2"].text()

    def page_problems(self, index: int) -> list[str]:
        """The problems of the fields on pages 0..index, named by page and field (vi / en), checked
        in the caller's thread: tests and tools only; the wizard itself checks on its worker."""
        doc, env = self.document()
        return wc.page_problems_of(doc, env, self.config_path, index, self._pins_differ())

    def _set_busy(self, busy: bool) -> None:
        self.checking = busy
        self.busy.setVisible(busy)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.FinishButton):
            self.button(which).setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def validateCurrentPage(self) -> bool:           # noqa: N802 - Qt name
        """Next checks the page (a wrong PKCS#12 password is refused on its own page). The check (a
        PKCS#11 login, a PKCS#12 decrypt, opening the database) runs on the worker with the busy bar
        showing; once it passes, Next is pressed again for the user and this content goes through."""
        index = self.pageIds().index(self.currentId())
        if index == len(self.pageIds()) - 1:
            return super().validateCurrentPage()
        if self.checking:
            return False
        doc, env = self.document()
        pins_differ = self._pins_differ()
        key = (index, wc.fingerprint(doc, env, pins_differ))
        if key in self._passed:
            return super().validateCurrentPage()
        page = self.currentPage()
        page.problems.setText("Đang kiểm tra… / checking…")
        self._set_busy(True)

        def checked(found: list[str]) -> None:
            self._set_busy(False)
            self._show_problems(page, found)
            if not found:
                self._passed.add(key)
                if self.currentPage() is page:
                    self.next()
        def broke(exc: Exception) -> None:
            self._set_busy(False)
            self._show_problems(page, [f"{exc}"])
        self.worker.run(wc.page_problems_of, doc, env, self.config_path, index, pins_differ, done=checked, failed=broke)
        return False

    def _show_problems(self, page, found: list[str]) -> None:
        shown = page.problems
        shown.setText("\n".join(f"• {x}" for x in found))
        # QWizard's page area ignores height-for-width: give the wrapped text the height it needs
        shown.setMinimumHeight(shown.heightForWidth(max(shown.width(), self.width() - 60)) if found else 0)

    # ------------------------------------------------------------ finishing
    def accept(self) -> None:
        """Finish: check and apply on the worker; the wizard closes only when it worked."""
        if self.report is not None:
            super().accept()
            return
        if self.checking:
            return
        doc, env = self.document()
        last, pins_differ = len(self.pageIds()) - 1, self._pins_differ()
        self.problems.setText("Đang kiểm tra và ghi… / checking and writing…")
        self._set_busy(True)

        def check_then_provision():      # on the worker: the whole check, then the writes
            found = wc.page_problems_of(doc, env, self.config_path, last, pins_differ)
            return ("problems", found) if found else ("done", self._provision(doc, self.config_path, env))

        def finished(outcome) -> None:
            self._set_busy(False)
            what, value = outcome
            if what == "done":
                self._applied(value)
                return
            self.problems.setText("Chưa ghi gì; sửa các mục / nothing written; fix:\n"
                                  + "\n".join(f"• {x}" for x in value))
            self.failed.emit(tp.ProvisionError([("wizard", x) for x in value]))
        def broke(exc: Exception) -> None:
            self._set_busy(False)
            self._failed(exc)
        self.worker.run(check_then_provision, done=finished, failed=broke)

    def _applied(self, report) -> None:
        self.report = report
        self.problems.setText("")
        self.done_label.setText("\n".join(["Đã cài đặt xong / provisioned: " + ", ".join(report.changed),
                                            *report.warnings]))
        self.provisioned.emit(report)
        super().accept()

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, tp.ProvisionError):
            self.problems.setText("Chưa ghi gì; sửa các mục / nothing written; fix:\n"
                                  + "\n".join(f"• {wc.words(f, m)}" for f, m in exc.problems))
        else:
            self.problems.setText(f"Lỗi / error: {exc}")
        self.failed.emit(exc)

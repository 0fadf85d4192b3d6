"""pytest-qt flows of the technician screens: the first-run wizard (real provisioning into a temp
dir), and the devices page with simulated devices (fake USB/PC-SC listings, the simulated printer,
a synthetic camera frame)."""
from __future__ import annotations

import stat
from types import SimpleNamespace

import numpy as np
import pytest

from kiosk.config import load
from kiosk.security.pins import PinHasher
from kiosk.ui.qt import Qt

from tests.desk.conftest import settle, shoot
from tests.technician.test_technician_services import FakeCard, FakeUsb

pytestmark = [pytest.mark.ui, pytest.mark.integration]


class FakeCamera:
    def __init__(self, index):
        self.index = index

    def read(self):
        frame = np.zeros((180, 320, 3), dtype=np.uint8)
        frame[:, :160] = (0, 128, 255)          # orange left half (BGR), blue right half
        frame[:, 160:] = (255, 80, 0)
        return True, frame

    def release(self):
        pass


def fill_wizard(wiz, tmp_path, dev_identity, code="79001"):
    f = wiz.f
    f["facility.code"].setText(code)
    f["facility.name"].setText("Bệnh viện Thử nghiệm")
    f["facility.head_code"].setText("GD79001")
    f["kiosk.id"].setText("3")
    f["kiosk.data_dir"].setText(str(tmp_path / "data"))
    f["kiosk.key_file"].setText(str(tmp_path / "keys" / "db.key"))
    f["gateway.url"].setText("http://127.0.0.1:9")
    f["gateway.username"].setText("79001_kiosk")
    f["gateway.password"].setText("mat-khau-wizard")
    f["gateway.officer_name"].setText("NGUYỄN THỊ TRA CỨU")
    f["gateway.officer_cccd"].setText("079190000999")
    f["signing.pkcs12"].setText(str(dev_identity.p12_path))
    f["signing.password"].setText(dev_identity.password.decode())
    f["staff.display_name"].setText("Quản trị viên")
    f["staff.pin"].setText("739251")
    f["staff.pin2"].setText("739251")
    from kiosk.ui.qt import QTableWidgetItem
    for c, v in enumerate(("K01", "Khám Nội tổng quát", "General internal medicine", "101", "A", "6")):
        wiz.services.setItem(0, c, QTableWidgetItem(v))


def next_page(qtbot, wiz):
    """Next, then wait for the page check the wizard runs on its worker (it advances by itself if sound)."""
    wiz.next()
    qtbot.waitUntil(lambda: not wiz.checking, timeout=30000)


@pytest.fixture
def wizard(qtbot, tmp_path, worker):
    from kiosk.ui.technician.wizard import FirstRunWizard
    (tmp_path / "empty.toml").write_text("")
    cfg = load(tmp_path / "empty.toml", env={})
    from kiosk.staff import first_run_provisioning
    wiz = FirstRunWizard(cfg, worker, tmp_path / "conf" / "kiosk.toml",
                         first_run_provisioning(hasher=PinHasher(time_cost=1, memory_cost=8 * 1024)))
    wiz.resize(900, 700)
    qtbot.addWidget(wiz)
    wiz.show()
    return wiz


def test_first_run_wizard_checks_each_page_then_provisions(qtbot, wizard, tmp_path, dev_identity, worker):
    """M12: Next checks the page (naming page and field in Vietnamese and English), the wrong PKCS#12
    password is refused on its own page, the confirm page summarises with secrets masked."""
    wiz = wizard
    assert wiz.f["gateway.url"].text() == "https://egw.baohiemxahoi.gov.vn"       # production, not training
    assert wiz.services.rowCount() == 1 and wiz.services.item(0, 0).text() == ""  # not the demo's services
    assert not wiz.f["signing.pkcs11_module"].isEnabled()                       # PKCS#12 chosen
    fill_wizard(wiz, tmp_path, dev_identity, code="7900")
    start = wiz.currentId()
    next_page(qtbot, wiz)
    assert wiz.currentId() == start                                  # a bad MA_CSKCB stops on its page
    text = wiz.currentPage().problems.text()
    assert "Trang “Cơ sở KCB / Facility” · Mã cơ sở / MA_CSKCB: gồm 5 chữ số" in text and "5 digits" in text
    assert "facility.code" not in text
    qtbot.wait(50)
    from tests.desk.layout_check import clipped
    assert clipped(wiz) == []                                        # the problem is readable in full
    shoot(wiz, "technician_wizard_problems")
    wiz.f["facility.code"].setText("79001")
    shots = {0: "technician_wizard_facility", 3: "technician_wizard_signing"}
    good_password = wiz.f["signing.password"].text()
    wiz.f["signing.password"].setText("sai-mat-khau")
    for page in range(3):
        if page in shots:
            shoot(wiz, shots[page])
        next_page(qtbot, wiz)
    signing_page = wiz.currentId()
    shoot(wiz, shots[3])
    next_page(qtbot, wiz)
    assert wiz.currentId() == signing_page                           # the password is tried right here
    assert "sai mật khẩu" in wiz.currentPage().problems.text() and "Tệp PKCS#12" in wiz.currentPage().problems.text()
    wiz.f["signing.password"].setText(good_password)
    next_page(qtbot, wiz)
    next_page(qtbot, wiz)
    wiz.f["staff.pin2"].setText("000000")
    admin_page = wiz.currentId()
    next_page(qtbot, wiz)
    assert wiz.currentId() == admin_page and "hai lần nhập PIN khác nhau" in wiz.currentPage().problems.text()
    wiz.f["staff.pin2"].setText("739251")
    next_page(qtbot, wiz)
    next_page(qtbot, wiz)                                            # no facility hub: a standalone kiosk
    summary = wiz.summary.text()
    assert "ki-ốt độc lập / standalone kiosk" in summary
    assert "79001 · Bệnh viện Thử nghiệm" in summary and "K01 Khám Nội tổng quát (P.101)" in summary
    for secret in ("mat-khau-wizard", "079190000999", good_password, "739251"):
        assert secret not in summary
    assert summary.count("••••••") >= 4
    shoot(wiz, "technician_wizard_confirm")
    assert not (tmp_path / "conf").exists() and not (tmp_path / "data").exists() and not (tmp_path / "keys").exists()
    with qtbot.waitSignal(wiz.provisioned, timeout=20000):
        wiz.accept()
    conf = tmp_path / "conf" / "kiosk.toml"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    cfg = load(conf, env={})
    assert (cfg.facility_code, cfg.kiosk_id, cfg.facility_head_code) == ("79001", "3", "GD79001")
    assert [sv.code if hasattr(sv, "code") else sv["code"] for sv in cfg.services] == ["K01"]
    from kiosk.commands._store import open_for_cli
    with open_for_cli(cfg) as store:
        assert [(a.username, a.role) for a in store.staff.list()] == [("admin", "admin")]
        assert store.audit.list(limit=1)[0].action == "provision.apply"


def test_the_wizard_checks_pages_off_the_qt_thread(qtbot, wizard, tmp_path, dev_identity, monkeypatch):
    """Qt-thread review: validateCurrentPage ran plan_from_dict (PKCS#11 login, PKCS#12 decrypt, SQLCipher
    open) on the Qt thread at every Next. Now it runs on the worker with a busy bar; the UI keeps ticking."""
    import threading
    import time

    from kiosk.technician import provision as tp
    from kiosk.ui.qt import QTimer, QWizard
    real, ran_on = tp.plan_from_dict, []

    def slow_plan(*a, **k):            # the real check, made as slow as a PKCS#11 token's login can be
        ran_on.append(threading.current_thread())
        time.sleep(1.5)
        return real(*a, **k)
    monkeypatch.setattr(tp, "plan_from_dict", slow_plan)
    wiz = wizard
    fill_wizard(wiz, tmp_path, dev_identity)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    start_page = wiz.currentId()
    t0 = time.monotonic()
    wiz.next()
    returned_after = time.monotonic() - t0
    assert returned_after < 0.5, returned_after                  # Next did not wait for the check
    assert wiz.checking and wiz.busy.isVisible() and wiz.currentId() == start_page
    assert not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    assert "Đang kiểm tra" in wiz.currentPage().problems.text()
    wiz.next()                                                    # a second press while checking: ignored
    qtbot.waitUntil(lambda: not wiz.checking, timeout=30000)
    timer.stop()
    assert wiz.currentId() != start_page and not wiz.busy.isVisible()   # sound: it went on by itself
    assert ran_on and all(t is not threading.main_thread() for t in ran_on)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 30 and max(gaps) < 0.5, (len(ticks), max(gaps, default=None))   # the UI kept running
    assert len(ran_on) == 1                                       # the check is not run again on the way


@pytest.fixture
def tech_window(qtbot, desk_env, worker, tmp_path, dev_identity, gateway_client):
    from kiosk.technician.service import TechContext, TechnicianService
    from kiosk.store.keys import FileKeyProvider
    from kiosk.store.migrate import open_store
    from kiosk.ui.technician.window import TechnicianWindow
    env = desk_env
    FileKeyProvider(env.cfg.key_file).create() if not env.cfg.key_file.exists() else None
    FileKeyProvider(env.cfg.key_file).replace(env.key)
    cfg = env.cfg.replace(signing_pkcs12=dev_identity.p12_path, signing_pkcs12_password_file=dev_identity.password_file,
                          gateway_test_card="DN4010100000101", gateway_test_name="NGUYỄN VĂN THỬ",
                          gateway_test_birth="12/04/1985")
    card = FakeCard(b"\x90\x00")
    ctx = TechContext(env.store, env.accounts, env.audit, env.clock, cfg, FileKeyProvider(cfg.key_file),
                      reopen=lambda key: open_store(cfg.data_dir, key, clock=env.clock, check_same_thread=False),
                      gateway=gateway_client, printer=env.printer,
                      last_scan=lambda: SimpleNamespace(source="hidpos:0c2e:0b61", data=b"x" * 96),
                      pcsc_connect=lambda reader: card, camera_open=FakeCamera,
                      discovery=dict(usb_finder=lambda: [FakeUsb(0x0c2e, 0x0b61, 0x03), FakeUsb(0x0416, 0x5011, 0x07)],
                                     pcsc_lister=lambda: ["ACS ACR1252 Dual Reader PICC 00 00"],
                                     serial_lister=lambda: [SimpleNamespace(device="/dev/ttyACM0", vid=0x05f9,
                                                                            pid=0x4204, description="Barcode scanner")],
                                     camera_pattern=str(tmp_path / "video*"), printer_pattern=str(tmp_path / "lp*")))
    (tmp_path / "video0").write_text("")
    w = TechnicianWindow(TechnicianService(ctx), worker, env.s["ky.thuat"])
    w.resize(1366, 768)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot, worker)
    yield w, ctx
    settle(qtbot, worker)
    if ctx.store is not env.store:          # reopened by a key rotation
        ctx.store.close()


def test_devices_page_lists_assigns_and_tests_simulated_devices(qtbot, tech_window, worker, desk_env):
    w, ctx = tech_window
    addresses = [w.devices.item(r, 1).text() for r in range(w.devices.rowCount())]
    assert addresses == ["0c2e:0b61", "0416:5011", "ACS ACR1252 Dual Reader PICC 00 00", "/dev/ttyACM0", "camera:0"]
    w.devices.selectRow(0)
    w.role.setCurrentIndex(w.role.findData("scanner"))
    qtbot.mouseClick(w.assign_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert w.devices.item(0, 4).text() == "scanner"
    assert [(d.role, d.address) for d in desk_env.store.devices.list()] == [("scanner", "0c2e:0b61")]
    results = {}
    w.tested.connect(lambda what, r: results.__setitem__(what, r))
    for what in ("scanner", "reader", "printer"):
        qtbot.mouseClick(w.test_buttons[what], Qt.MouseButton.LeftButton)
        settle(qtbot, worker)
    w.devices.selectRow(4)
    qtbot.mouseClick(w.test_buttons["camera"], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert results["scanner"].summary == "last scan from hidpos:0c2e:0b61: 96 bytes"
    assert results["reader"].ok and "SW 9000" in results["reader"].summary
    assert results["printer"].ok and results["printer"].detail.exists()
    assert results["camera"].ok and w.preview.pixmap().width() == 320
    img = w.preview.pixmap().toImage()
    assert img.pixelColor(40, 90).red() > 200 and img.pixelColor(280, 90).blue() > 200    # BGR → RGB right
    shoot(w, "technician_devices")
    assert [e.action for e in desk_env.store.audit.list(limit=4)] == ["device.test"] * 4


def test_certificate_gateway_and_reset_pages(qtbot, tech_window, worker):
    w, ctx = tech_window
    assert "valid for" in w.cert.text()
    w.tabs.setCurrentIndex(1)
    shoot(w, "technician_keys")
    qtbot.mouseClick(w.rotate_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker, 20000)
    assert "rotated" in w.status.text()
    w.tabs.setCurrentIndex(2)
    qtbot.mouseClick(w.gw_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "000" in w.gw_result.text()
    shoot(w, "technician_gateway")
    assert not w.tabs.isTabVisible(3)                      # factory reset: admins only
    from kiosk.ui.technician.window import TechnicianWindow
    admin = TechnicianWindow(w.tech, worker, ctx.accounts.sign_in("admin", "739251"))
    admin.resize(1366, 768)
    qtbot.addWidget(admin)
    admin.show()
    settle(qtbot, worker)
    admin.tabs.setCurrentIndex(3)
    assert not admin.reset_btn.isEnabled()
    admin.reset_text.setText("XOA KIOSK 1")
    assert admin.reset_btn.isEnabled()
    shoot(admin, "technician_reset")
    qtbot.mouseClick(admin.reset_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert not ctx.key_provider.path.exists() and not ctx.cfg.data_dir.exists()
    assert "key destroyed" in admin.status.text()


def test_only_a_technician_can_leave_the_locked_down_kiosk(qtbot, tech_window, worker, desk_env):
    """`kiosk run`'s way out: staff gesture, PIN, then the technician window's exit button."""
    from kiosk.ui.qt import QPushButton
    from kiosk.ui.technician.window import TechnicianWindow
    w, ctx = tech_window
    assert w.findChild(QPushButton, "TechExitKiosk") is None       # not offered without a kiosk session
    left = []
    tech = TechnicianWindow(w.tech, worker, desk_env.s["ky.thuat"], exit_kiosk=lambda: left.append(True))
    qtbot.addWidget(tech)
    tech.show()
    settle(qtbot, worker)
    qtbot.mouseClick(tech.findChild(QPushButton, "TechExitKiosk"), Qt.MouseButton.LeftButton)
    assert left == [True]
    reception = ctx.accounts.sign_in("le.tan", "604918")
    blocked = TechnicianWindow(w.tech, worker, reception, exit_kiosk=lambda: left.append("reception"))
    qtbot.addWidget(blocked)
    assert blocked.findChild(QPushButton, "TechExitKiosk") is None
    assert left == [True]

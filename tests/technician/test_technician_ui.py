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


def test_first_run_wizard_refuses_a_bad_code_then_provisions(qtbot, wizard, tmp_path, dev_identity, worker):
    wiz = wizard
    fill_wizard(wiz, tmp_path, dev_identity, code="7900")
    shots = {0: "technician_wizard_facility", 3: "technician_wizard_signing"}
    for page in range(6):
        if page in shots:
            shoot(wiz, shots[page])
        wiz.next()
    with qtbot.waitSignal(wiz.failed, timeout=10000):
        wiz.accept()
    assert "facility.code" in wiz.problems.text()
    shoot(wiz, "technician_wizard_problems")
    assert not (tmp_path / "conf").exists() and not (tmp_path / "data").exists() and not (tmp_path / "keys").exists()
    assert wiz.isVisible()
    wiz.f["facility.code"].setText("79001")
    with qtbot.waitSignal(wiz.provisioned, timeout=20000):
        wiz.accept()
    conf = tmp_path / "conf" / "kiosk.toml"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    cfg = load(conf, env={})
    assert (cfg.facility_code, cfg.kiosk_id, cfg.gateway_password, cfg.facility_head_code) == (
        "79001", "3", "mat-khau-wizard", "GD79001")
    assert len(cfg.services) == 5
    from kiosk.commands._store import open_for_cli
    with open_for_cli(cfg) as store:
        assert [(a.username, a.role) for a in store.staff.list()] == [("admin", "admin")]
        assert store.audit.list(limit=1)[0].action == "provision.apply"


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
    w.resize(1280, 800)
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
    admin.resize(1280, 800)
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

"""Staff mode end to end: a kiosk provisioned by the real provisioning code, the corner gesture on
a window, the PIN dialog, and the window that fits the role."""
from __future__ import annotations

import pytest

from kiosk.config import load
from kiosk.security.pins import PinHasher
from kiosk.technician import provision as tp
from kiosk.ui.qt import QPoint, Qt, QWidget

from tests.desk.conftest import settle

pytestmark = [pytest.mark.ui, pytest.mark.integration]


@pytest.fixture
def provisioned(tmp_path, dev_identity, gateway_sim):
    doc = {"facility": {"code": "79001", "name": "Bệnh viện Thử nghiệm", "head_code": "GD79001"},
           "kiosk": {"id": "2", "data_dir": str(tmp_path / "data"), "key_file": str(tmp_path / "keys" / "db.key"),
                     "printer": "sim"},
           "gateway": {"url": gateway_sim.url, "username": "79001_kiosk", "password_env": "PW",
                       "officer_name": "NGUYỄN THỊ TRA CỨU", "officer_cccd_env": "CB"},
           "signing": {"pkcs12": str(dev_identity.p12_path), "password_file": str(dev_identity.password_file)},
           "settings": {"gateway_allow_http": True},   # the simulator speaks plain HTTP on loopback
           "staff": [{"username": "admin", "role": "admin", "pin_env": "A"},
                     {"username": "le.tan", "role": "reception", "pin_env": "R"},
                     {"username": "ky.thuat", "role": "technician", "pin_env": "T"}]}
    env = {"PW": "mat-khau-demo", "CB": "079190000999", "A": "739251", "R": "604918", "T": "551902"}
    conf = tmp_path / "conf" / "kiosk.toml"
    tp.apply(tp.plan_from_dict(doc, conf, env), hasher=PinHasher(time_cost=1, memory_cost=8 * 1024))
    cfg = load(conf, env={})
    from kiosk.store.keys import FileKeyProvider
    return cfg, FileKeyProvider(cfg.key_file).load()


@pytest.mark.parametrize("user, pin, window", [("le.tan", "604918", "DeskWindow"),
                                               ("ky.thuat", "551902", "TechnicianWindow")])
def test_gesture_then_pin_opens_the_window_of_the_role(qtbot, qapp, provisioned, user, pin, window):
    from kiosk.staff import is_provisioned, staff_services
    from kiosk.ui.desk.staff_mode import attach_staff_mode
    cfg, key = provisioned
    assert is_provisioned(cfg)
    patient = QWidget()
    patient.resize(540, 960)
    qtbot.addWidget(patient)
    patient.show()
    mode = attach_staff_mode(patient, staff_services(cfg, key))
    try:
        for _ in range(5):
            qtbot.mouseClick(patient, Qt.MouseButton.LeftButton, pos=QPoint(15, 15))
        qtbot.waitUntil(lambda: mode.dialog is not None, timeout=10000)    # services built on the worker
        dlg = mode.dialog
        assert dlg.isVisible()
        dlg.user.setText(user)
        dlg.pin.setText(pin)
        with qtbot.waitSignal(dlg.signed_in, timeout=10000):
            dlg.submit()
        assert type(mode.window).__name__ == window
        settle(qtbot, mode.worker)
        mode.window.close()
    finally:
        qapp.removeEventFilter(mode.gesture)
        mode.close()

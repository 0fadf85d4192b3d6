"""The first-run wizard with a facility hub: its hub page checks the hub (role, schema...) on Next,
and Finish enrols the kiosk id with the hub (a duplicate refused in Vietnamese and English,
nothing written). Real PostgreSQL, real provisioning into a temp dir."""
from __future__ import annotations

import pytest

from kiosk.config import load
from kiosk.facility.enrol import enrol, machine_id
from kiosk.security.pins import PinHasher
from tests.desk.conftest import worker  # noqa: F401  (the wizard's DbWorker)
from tests.facility.helpers import hub_rows
from tests.technician.test_technician_ui import fill_wizard, next_page

pytestmark = [pytest.mark.ui, pytest.mark.integration]


@pytest.fixture
def wizard(qtbot, tmp_path, worker):  # noqa: F811
    from kiosk.staff import first_run_provisioning
    from kiosk.ui.technician.wizard import FirstRunWizard
    (tmp_path / "empty.toml").write_text("")
    wiz = FirstRunWizard(load(tmp_path / "empty.toml", env={}), worker, tmp_path / "conf" / "kiosk.toml",
                         first_run_provisioning(hasher=PinHasher(time_cost=1, memory_cost=8 * 1024)))
    wiz.resize(900, 700)
    qtbot.addWidget(wiz)
    wiz.show()
    return wiz


def _to_hub_page(qtbot, wiz):
    for _ in range(6):
        next_page(qtbot, wiz)
    assert wiz.currentPage().title() == "Máy chủ cơ sở / Facility hub"


def test_hub_page_refuses_a_superuser_then_finish_enrols_the_kiosk_id(qtbot, wizard, tmp_path, dev_identity, hub):
    wiz = wizard
    fill_wizard(wiz, tmp_path, dev_identity)            # kiosk id 3
    _to_hub_page(qtbot, wiz)
    c = hub.cluster
    from kiosk.facility.cluster import SUPERUSER
    from kiosk.facility.dsn import write_secret
    write_secret(tmp_path / "admin.pass", c.password)
    wiz.f["hub.dsn"].setText(f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user={SUPERUSER}")
    wiz.f["hub.password_file"].setText(str(tmp_path / "admin.pass"))
    hub_page = wiz.currentId()
    next_page(qtbot, wiz)
    text = wiz.currentPage().problems.text()
    assert wiz.currentId() == hub_page and "Trang “Máy chủ cơ sở / Facility hub”" in text
    assert "quyền quản trị (SUPERUSER" in text and "hub_kiosk" in text

    wiz.f["hub.dsn"].setText(f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user=hub_kiosk")
    wiz.f["hub.password_file"].setText(str(hub.secrets / "hub_kiosk.password"))
    next_page(qtbot, wiz)
    assert wiz.currentId() != hub_page
    assert "máy chủ xác nhận số hiệu ki-ốt" in wiz.summary.text()

    with hub.connect() as conn:                          # another machine holds id 3
        enrol(conn, "79001", "front-9", "3")
    with qtbot.waitSignal(wiz.failed, timeout=20000):
        wiz.accept()
    text = wiz.problems.text()
    assert "Chưa ghi gì" in text and "Máy chủ cơ sở từ chối số hiệu ki-ốt 3" in text and "refused kiosk id 3" in text
    assert "Trang “Ki-ốt / Kiosk” · Số hiệu / kiosk id" in text
    assert not (tmp_path / "conf").exists() and not (tmp_path / "data").exists()

    wiz.f["kiosk.id"].setText("4")
    with qtbot.waitSignal(wiz.provisioned, timeout=20000):
        wiz.accept()
    cfg = load(tmp_path / "conf" / "kiosk.toml", env={})
    assert (cfg.kiosk_id, cfg.hub_dsn.endswith("user=hub_kiosk")) == ("4", True)
    assert hub_rows(hub, "SELECT kiosk_id, machine FROM kiosk_enrolments ORDER BY kiosk_id") == \
        [("3", "front-9"), ("4", machine_id())]

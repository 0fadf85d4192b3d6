"""pytest-qt fixtures for the patient UI: the real check-in service and state machine, the real
window, and port fakes only where a device or gateway answer has to be forced."""
from __future__ import annotations

import pytest

from kiosk.config import load
from kiosk.core import checkin as c
from kiosk.core.clock import FakeClock
from kiosk.checkin.service import CheckinService
from kiosk.settings_map import machine_config

from tests.ui.ui_fakes import FakeChecker, FakeIssuer, FakePrinter, FakeResolver


@pytest.fixture
def ui_config(tmp_path):
    (tmp_path / "kiosk.toml").write_text("", encoding="utf-8")
    return load(tmp_path / "kiosk.toml", env={}).replace(facility_name="Bệnh viện Thử nghiệm")


@pytest.fixture
def ports():
    return {"resolver": FakeResolver(), "checker": FakeChecker(), "issuer": FakeIssuer(),
            "printer": FakePrinter()}


@pytest.fixture
def kiosk_ui(qtbot, qapp, ui_config, ports):
    """(ui, service, clock): the patient window over a real CheckinService with fake ports."""
    from kiosk.ui.patient.ui import PatientUi
    clock = FakeClock()
    service = CheckinService(machine_config(ui_config), clock=clock, **ports)
    ui = PatientUi(qapp, service, ui_config, dpi=96.0)
    ui.show(size=(1080, 1920))
    qtbot.addWidget(ui.window)
    yield ui, service, clock
    ui.close()
    service.close()


@pytest.fixture
def real_kiosk(tmp_path, qapp, qtbot, ui_config):
    """The real application (store, gateway simulator, identity, issuing, simulated printer and
    scanner) behind the real window; a FakeClock drives the timeouts. Yields (kiosk, env, clock)."""
    from kiosk.app import KioskApp
    from kiosk.store.keys import FileKeyProvider
    from kiosk.demo.environment import prepare

    env = prepare(ui_config.replace(eligibility_deadline=1.0), root=tmp_path / "demo")
    clock = FakeClock()
    kiosk = KioskApp(env.config, FileKeyProvider(env.key_file, env.data_dir).load(), clock=clock,
                     create_db=True, start_sync=False).build()
    kiosk.attach_ui(qapp, dpi=96.0)
    kiosk.ui.show(size=(1080, 1920))
    qtbot.addWidget(kiosk.ui.window)
    kiosk.start()
    yield kiosk, env, clock
    kiosk.close()
    env.close()

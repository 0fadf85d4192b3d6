"""The technician window's facility hub check (Gateway tab): the four items against a real hub,
audited; a standalone kiosk is told it has no hub."""
from __future__ import annotations

import pytest

from tests.desk.conftest import *  # noqa: F401,F403  (the desk's store, accounts, worker ...)
from tests.desk.conftest import settle
from tests.technician.test_technician_ui import tech_window  # noqa: F401
from kiosk.ui.qt import Qt

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def test_hub_check_button(qtbot, tech_window, worker, hub):  # noqa: F811
    w, ctx = tech_window
    w.tabs.setCurrentIndex(2)
    button = w.findChild(type(w.gw_btn), "HubTest")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "standalone kiosk" in w.status.text() and w.hub_result.text() == ""
    c = hub.cluster
    ctx.cfg = ctx.cfg.replace(hub_dsn=f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user=hub_kiosk",
                              hub_password_file=hub.secrets / "hub_kiosk.password")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    lines = w.hub_result.text().splitlines()
    assert len(lines) == 4 and all(line.startswith("✓") for line in lines), lines
    assert "hub_kiosk" in lines[1] and w.hub_result.property("role") == "good"
    entry = ctx.store.audit.list(limit=1)[0]
    assert entry.action == "hub.test" and entry.actor == "ky.thuat"

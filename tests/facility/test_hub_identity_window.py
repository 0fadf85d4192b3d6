"""The desk window on the hub (Qt offscreen): the "Xác nhận danh tính / Confirm identity" button works
for a nameless first visit pushed by a kiosk — the dialog, the hub's refusal inside it, the confirmation
(one hub-owned XML0), the button off afterwards — and the health book opens with the facility's
visits. Real hub cluster, signer and gateway simulator; the desk service runs on the db worker."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk.core.clock import FakeClock
from kiosk.desk.visits import UNCONFIRMED_NAME, VisitFilter
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import hub_rows, node
from tests.facility.test_hub_identity import NAME, TYPED, nameless_checkin

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def _shoot(widget, tmp_path, name: str) -> None:
    """Into tmp_path, and into $FACILITY_SCREENSHOTS (docs/screenshots/facility when regenerating)."""
    import os
    from pathlib import Path
    assert widget.grab().save(str(tmp_path / name))
    target = os.environ.get("FACILITY_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(target) / name))


def _settle(qtbot, worker, timeout=10000):
    qtbot.waitUntil(lambda: not worker.busy, timeout=timeout)


def test_the_confirm_identity_button_works_on_the_hub_desk(qtbot, hub, tmp_path, signer, gateway):
    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    from kiosk.ui.qt import Qt
    add_accounts(hub)
    clock = FakeClock(datetime.now(timezone.utc))
    services = desk_services(hub, tmp_path, clock, signer, gateway=gateway)
    kiosk = node(tmp_path, "1", hub, signer, clock)
    worker = DbWorker()
    try:
        ma_lk = nameless_checkin(kiosk)
        kiosk.sync()
        session = worker.call(services.accounts.sign_in, "le.tan", PINS["le.tan"])
        win = DeskWindow(services.desk, worker, session)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.mouseClick(win.visits.filter_buttons[VisitFilter.NEEDS_DESK], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.visits.table.rowCount() == 1, timeout=10000)
        assert win.visits.table.item(0, 1).text() == UNCONFIRMED_NAME
        win.visits.table.selectRow(0)
        qtbot.waitUntil(lambda: win.visits.detail is not None, timeout=10000)
        _settle(qtbot, worker)
        button = win.visits.buttons["identity"]
        assert UNCONFIRMED_NAME in win.visits.d_title.text()
        assert button.isVisible() and button.isEnabled()
        _shoot(win, tmp_path, "desk-hub-nameless.png")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        dialog = win.dialog
        assert dialog is not None and dialog.objectName() == "ConfirmIdentityDialog"
        assert TYPED in dialog.number.text() and dialog.number.isReadOnly()
        # the typed CCCD's gender digit contradicts: the hub desk refuses inside the dialog
        dialog.full_name.setText("nguyễn văn thử")
        dialog.birth_date.setText("12/04/1985")
        dialog.gender.setCurrentIndex(dialog.gender.findData(2))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        _settle(qtbot, worker)
        assert dialog.isVisible() and "gender digit disagrees" in dialog.error.text()
        _shoot(dialog, tmp_path, "desk-hub-identity.png")
        assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE ma_lk = %s", ma_lk) == [(0,)]
        dialog.gender.setCurrentIndex(dialog.gender.findData(1))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        _settle(qtbot, worker)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
        assert "identity confirmed" in win.status.text()
        assert hub_rows(hub, "SELECT kind, owner FROM outbox WHERE ma_lk = %s", ma_lk) == [("checkin", "hub")]
        assert hub_rows(hub, "SELECT p.full_name FROM visits v JOIN patients p ON p.id = v.patient_id "
                             "WHERE v.ma_lk = %s", ma_lk) == [(NAME,)]
        qtbot.waitUntil(lambda: NAME in win.visits.d_title.text(), timeout=10000)
        _settle(qtbot, worker)
        assert not button.isEnabled() and "already confirmed" in button.toolTip()
        assert "tiếp nhận (XML0)" in win.visits.d_body.text()
        # the health book, from the hub
        win.sign_out()
        _settle(qtbot, worker)
        doctor = worker.call(services.accounts.sign_in, "bac.si", PINS["bac.si"])
        win2 = DeskWindow(services.desk, worker, doctor)
        qtbot.addWidget(win2)
        win2.show()
        qtbot.mouseClick(win2.visits.filter_buttons[VisitFilter.ALL], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win2.visits.table.rowCount() == 1, timeout=10000)
        win2.visits.table.selectRow(0)
        qtbot.waitUntil(lambda: win2.visits.detail is not None, timeout=10000)
        _settle(qtbot, worker)
        qtbot.mouseClick(win2.visits.buttons["book"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win2.dialog is not None and win2.dialog.objectName() == "HealthBookDialog",
                        timeout=10000)
        book = win2.dialog
        assert book.local.rowCount() == 1 and NAME in book.findChild(type(win2.status), "BookTitle").text()
        book.accept()
        win2.sign_out()
    finally:
        worker.call(services.close)
        worker.shutdown()
        kiosk.close()

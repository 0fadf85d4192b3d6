"""Issue 14 / QA M6: a staff window opened on the patient kiosk (the lobby's public screen). The
patient flow is paused behind it: the session on screen ends (no personal data stays in any patient
widget), no scan starts a check-in while it is open, and closing it resumes the kiosk. The desk
window there shows masked identities (names, numbers); the full ones stay for the desk PC.
Real application: store, gateway simulator, staff accounts (demo seed), sign-in dialog."""
from __future__ import annotations

import pytest

from kiosk.core import checkin as c
from kiosk.ui.qt import QLabel, Qt, QTableWidget
from tests.ui.test_ui_flow_real import confirm_and_choose, every_text, scan, tap, wait_state

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def _desk_texts(window) -> str:
    out = [w.text() for w in window.findChildren(QLabel)]
    for t in window.findChildren(QTableWidget):
        out += [t.item(r, col).text() for r in range(t.rowCount()) for col in range(t.columnCount())
                if t.item(r, col) is not None]
    return " ".join(out)


def test_staff_window_on_the_kiosk_pauses_the_flow_and_shows_masked_identities(qtbot, real_kiosk):
    from kiosk.demo.seed import seed_staff
    from kiosk.staff import staff_services
    from kiosk.store.keys import FileKeyProvider
    from kiosk.ui.desk.staff_mode import attach_staff_mode
    kiosk, env, clock = real_kiosk
    key = FileKeyProvider(env.key_file, env.data_dir).load()
    seed_staff(env.config, key)
    # one visit for the desk's list, then a patient on the confirm screen
    scan(kiosk, "valid_bhyt")
    confirm_and_choose(qtbot, kiosk)
    wait_state(qtbot, kiosk, c.TicketShown)
    tap(qtbot, kiosk.ui.window.screens["ticket"].done)
    wait_state(qtbot, kiosk, c.Idle)
    scan(kiosk, "elderly")
    wait_state(qtbot, kiosk, c.Confirm)
    assert "PHẠM V** M" in every_text(kiosk)

    mode = attach_staff_mode(kiosk.ui.window, staff_services(env.config, key, clock))
    try:
        mode.open()
        qtbot.waitUntil(lambda: mode.dialog is not None and mode.dialog.isVisible(), timeout=15000)
        dlg = mode.dialog
        dlg.user.setText("le.tan")
        for d in "604918":
            qtbot.mouseClick(dlg.keys[d], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dlg.keys["OK"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: mode.window is not None and mode.window.isVisible(), timeout=15000)
        # paused: the patient's session ended, nothing personal is left around the staff window
        qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, c.Idle) and kiosk.ui.window.state.paused,
                        timeout=5000)
        text = every_text(kiosk)
        assert "PHẠM V** M" not in text and "*** *** 0404" not in text and kiosk.parts.service.open_sessions() == 0
        scan(kiosk, "year_only")                                   # a scan behind the staff window
        qtbot.wait(600)
        assert isinstance(kiosk.ui.window.state, c.Idle) and kiosk.parts.service.open_sessions() == 0
        # the desk list on the lobby screen: masked names, no full name or number anywhere
        visits = mode.window.visits
        qtbot.waitUntil(lambda: visits.table.rowCount() >= 1, timeout=10000)
        visits.table.selectRow(0)
        qtbot.waitUntil(lambda: visits.detail is not None, timeout=10000)
        desk = _desk_texts(mode.window)
        assert "NGUYỄN V** T" in desk and "*** *** 0101" in desk
        assert "NGUYỄN VĂN THỬ" not in desk and "001085000101" not in desk
        mode.window.close()
        qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, c.Idle) and not kiosk.ui.window.state.paused,
                        timeout=5000)
        scan(kiosk, "year_only")                                   # resumed
        wait_state(qtbot, kiosk, c.Confirm)
    finally:
        mode.close()


def test_the_desk_pc_still_shows_full_identities(qtbot):
    """The same list and pane off the kiosk (`kiosk desk` at reception) keep the full identity."""
    from kiosk.ui.desk.visit_detail import public_name, public_number
    assert public_name("NGUYỄN VĂN THỬ") == "NGUYỄN V** T" and public_name(None).startswith("(chưa xác nhận")
    assert public_number("001085000101") == "*** *** 0101"
    assert public_number("DN4797932123456") == "** * ** ****** 3456"

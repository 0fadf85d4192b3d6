"""Issue 14 / QA M5: the staff sign-in panel on a touch screen: Cancel, a timeout, and no keyboard
needed (pick the staff member from a list, PIN on the keypad)."""
from __future__ import annotations

import pytest

from kiosk.ui.qt import Qt
from tests.desk.conftest import settle

pytestmark = pytest.mark.ui


def _dialog(qtbot, desk_env, worker):
    from kiosk.ui.desk.signin import SignInDialog
    dlg = SignInDialog(desk_env.accounts, worker, kiosk_layout=True)
    qtbot.addWidget(dlg)
    dlg.show()
    settle(qtbot, worker)
    return dlg


def test_pick_from_the_list_and_pin_on_the_keypad(qtbot, desk_env, worker):
    dlg = _dialog(qtbot, desk_env, worker)
    assert "le.tan" in dlg.people_buttons
    qtbot.mouseClick(dlg.people_buttons["le.tan"], Qt.MouseButton.LeftButton)
    for d in "604918":
        qtbot.mouseClick(dlg.keys[d], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dlg.signed_in, timeout=10000) as got:
        qtbot.mouseClick(dlg.keys["OK"], Qt.MouseButton.LeftButton)
    assert got.args[0].username == "le.tan"


def test_cancel_closes_the_panel(qtbot, desk_env, worker):
    dlg = _dialog(qtbot, desk_env, worker)
    qtbot.mouseClick(dlg.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=2000)
    assert dlg.session is None


def test_untouched_panel_closes_itself(qtbot, desk_env, worker):
    dlg = _dialog(qtbot, desk_env, worker)
    dlg._idle.start(300)                       # the 60 s timer, shortened
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=3000)

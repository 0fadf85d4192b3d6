"""M9: honest desk controls. Disabled actions look disabled and say why (tooltip, and a tap shows the
reason); the priority and service selectors show the visit's current values; the detail pane and the
list agree after an action."""
from __future__ import annotations

import pytest

from kiosk.core.views import PriorityCategory
from kiosk.ui.qt import QPoint, Qt

from tests.desk.conftest import demo_form, settle

pytestmark = [pytest.mark.ui, pytest.mark.integration]


@pytest.fixture
def open_desk(qtbot, desk_env, worker):
    from kiosk.ui.desk.window import DeskWindow

    def open_as(username):
        w = DeskWindow(desk_env.desk, worker, desk_env.s[username], refresh_ms=0)
        w.resize(1366, 768)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        settle(qtbot, worker)
        return w
    return open_as


def _select(qtbot, worker, w, number):
    rows = [r for r in range(w.visits.table.rowCount()) if w.visits.table.item(r, 0).text() == number]
    assert rows, f"no row for ticket {number}"
    w.visits.table.selectRow(rows[0])
    settle(qtbot, worker)
    assert w.visits.detail is not None and w.visits.d_title.text().startswith(number)


def _centre_colour(button):
    img = button.grab().toImage()
    return img.pixelColor(img.width() // 2, 4).name()


def test_selectors_show_the_visits_current_priority_and_service(qtbot, desk_env, open_desk, worker):
    env = desk_env
    other = env.ctx.settings.services[-1].code
    t = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt", other, priority=PriorityCategory.DISABILITY))
    w = open_desk("le.tan")
    _select(qtbot, worker, w, t.number)
    assert w.visits.priority.currentData() == "disability"
    assert w.visits.service.currentData() == other
    # pressing without choosing would change nothing: the buttons are off and say why
    for key in ("priority", "move"):
        assert not w.visits.buttons[key].isEnabled() and "hiện tại" in w.visits.buttons[key].toolTip()
    w.visits.priority.setCurrentIndex(w.visits.priority.findData(None))
    assert w.visits.buttons["priority"].isEnabled()


def test_disabled_actions_look_disabled_and_a_tap_says_why(qtbot, desk_env, open_desk, worker):
    env = desk_env
    bad = env.desk.checkin.check_in(env.s["le.tan"], demo_form("expired_bhyt"))
    good = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    w = open_desk("le.tan")
    override = w.visits.buttons["override"]
    _select(qtbot, worker, w, bad.number)
    assert override.isEnabled() and override.toolTip() == ""
    enabled_colour = _centre_colour(override)
    _select(qtbot, worker, w, good.number)
    assert not override.isEnabled()
    assert "needs-desk or provisional" in override.toolTip()
    assert _centre_colour(override) != enabled_colour          # not the solid primary colour any more
    qtbot.mouseClick(override, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert w.visits.pane.hint.text() == override.toolTip()
    # a cancelled visit: every action that changes it is off, with the reason
    env.desk.visits.cancel(env.s["le.tan"], w.visits.detail.visit.id, "Người bệnh về")
    w.visits.reload_detail()
    settle(qtbot, worker)
    for key in ("override", "recheck", "cancel", "priority", "move"):
        assert not w.visits.buttons[key].isEnabled() and "closed or cancelled" in w.visits.buttons[key].toolTip()
    assert _centre_colour(w.visits.buttons["cancel"]) != "#b42318"


def test_the_detail_pane_and_the_list_agree_after_closing(qtbot, desk_env, open_desk, worker):
    from kiosk.desk.close import CloseForm
    env = desk_env
    first = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("returning"))
    w = open_desk("bac.si")
    _select(qtbot, worker, w, first.number)
    env.desk.close.close(env.s["bac.si"], w.visits.detail.visit.id, CloseForm("J06.9"))
    w.visits.reload_detail()
    settle(qtbot, worker)
    # the closed visit left the "open" list: no other row is highlighted while the pane shows it
    assert w.visits.detail.visit.status == "closed"
    assert w.visits.table.selectedItems() == []
    assert "no longer in the filtered list" in w.visits.pane.hint.text()
    assert not w.visits.buttons["close"].isEnabled()
    # picking another row shows that row
    w.visits.table.selectRow(0)
    settle(qtbot, worker)
    row_number = w.visits.table.item(0, 0).text()
    assert w.visits.pane.title.text().startswith(row_number)

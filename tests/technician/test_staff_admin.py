"""The admin's staff management (M12 / QA minor 11): add, disable, reset PIN, change the role; admin
only, audited; the last admin is kept. Plus the technician window's pages at 1366x768 and 1920x1080."""
from __future__ import annotations

import pytest

from kiosk.security.roles import PermissionDenied
from kiosk.technician.staff import StaffAdminError

from tests.desk.conftest import PINS, settle, shoot
from tests.desk.layout_check import clipped

pytestmark = [pytest.mark.integration]


@pytest.fixture
def tech(desk_env, tmp_path):
    from kiosk.technician.service import TechContext, TechnicianService
    env = desk_env
    ctx = TechContext(env.store, env.accounts, env.audit, env.clock, env.cfg)
    return TechnicianService(ctx)


def actions(env):
    return [(e.actor, e.action) for e in env.store.audit.list(limit=50)]


def test_admin_adds_disables_resets_and_changes_roles_audited(desk_env, tech):
    env = desk_env
    admin = env.s["admin"]
    row = tech.staff.add(admin, "Dieu.Duong", "Điều dưỡng", "reception", "482916")
    assert ("admin", "staff.create") in actions(env)
    assert env.accounts.sign_in("dieu.duong", "482916").role.value == "reception"
    with pytest.raises(StaffAdminError, match="taken"):
        tech.staff.add(admin, "dieu.duong", "x", "reception", "593027")      # not a raw SQLite message
    with pytest.raises(StaffAdminError, match="weak PIN"):
        tech.staff.add(admin, "b", "b", "reception", "111111")
    tech.staff.set_role(admin, row.staff_id, "clinician")
    assert ("admin", "staff.set_role") in actions(env)
    tech.staff.reset_pin(admin, row.staff_id, "730461")
    assert env.accounts.sign_in("dieu.duong", "730461").role.value == "clinician"
    tech.staff.set_active(admin, row.staff_id, False)
    assert ("admin", "staff.disable") in actions(env)
    with pytest.raises(Exception):
        env.accounts.sign_in("dieu.duong", "730461")
    tech.staff.set_active(admin, row.staff_id, True)
    assert [r.active for r in tech.staff.list(admin) if r.username == "dieu.duong"] == [True]


def test_only_admins_manage_staff_and_the_last_admin_stays(desk_env, tech):
    env = desk_env
    for who in ("ky.thuat", "le.tan", "bac.si"):
        with pytest.raises(PermissionDenied):
            tech.staff.list(env.s[who])
        with pytest.raises(PermissionDenied):
            tech.staff.add(env.s[who], "x", "x", "admin", "593027")
    admin_id = env.s["admin"].staff_id
    with pytest.raises(StaffAdminError, match="last admin|own account"):
        tech.staff.set_active(env.s["admin"], admin_id, False)
    with pytest.raises(StaffAdminError, match="at least one admin"):
        tech.staff.set_role(env.s["admin"], admin_id, "reception")


@pytest.mark.ui
def test_staff_page_in_the_admin_window(qtbot, desk_env, tech, worker):
    from kiosk.ui.technician.window import TechnicianWindow
    env = desk_env
    w = TechnicianWindow(tech, worker, env.s["admin"])
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    settle(qtbot, worker)
    page = w.staff_page
    assert w.tabs.isTabVisible(w.tabs.indexOf(page)) and page.table.rowCount() == len(PINS)
    page.new_user.setText("thu.ngan")
    page.new_name.setText("Thu ngân")
    page.new_role.setCurrentIndex(page.new_role.findData("reception"))
    page.new_pin.setText("604917")
    qtbot.mouseClick(page.add_btn, __import__("kiosk.ui.qt", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    qtbot.waitUntil(lambda: page.table.rowCount() == len(PINS) + 1)
    assert "account added" in page.message.text()
    w.tabs.setCurrentWidget(page)
    page.table.selectRow(0)
    settle(qtbot, worker)
    shoot(w, "technician_staff")
    tech_only = TechnicianWindow(tech, worker, env.s["ky.thuat"])
    qtbot.addWidget(tech_only)
    assert not tech_only.tabs.isTabVisible(tech_only.tabs.indexOf(tech_only.staff_page))


@pytest.mark.ui
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_technician_pages_show_all_their_text(qtbot, desk_env, tech, worker, size):
    from kiosk.ui.technician.window import TechnicianWindow
    env = desk_env
    w = TechnicianWindow(tech, worker, env.s["admin"])
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot, worker)
    assert (w.width(), w.height()) == size
    problems = {}
    for i in range(w.tabs.count()):
        if w.tabs.isTabVisible(i):
            w.tabs.setCurrentIndex(i)
            settle(qtbot, worker)
            qtbot.wait(30)
            found = clipped(w)
            if found:
                problems[w.tabs.tabText(i)] = found
    assert problems == {}

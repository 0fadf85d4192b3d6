"""The desk's manual check-in records how the patient was identified, and the report dashboard
(service and page) shows the week's figures and whether last week's report is ready."""
from __future__ import annotations

import pytest

from kiosk.security.roles import PermissionDenied
from kiosk.ui.qt import Qt

from tests.desk.conftest import demo_form, settle


def test_manual_checkin_counts_as_manual_at_the_desk(desk_env):
    env = desk_env
    ticket = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    visit = env.store.visits.get(env.store.tickets.get(ticket.ticket_id).visit_id)
    assert visit.id_method == "desk_manual" and visit.checked_provisional == 0
    report = env.desk.report.figures(env.s["le.tan"])
    week_rows = [r for r in report.table("receptions").rows if "-W" in r["period"]]
    assert [(r["desk_manual"], r["total"]) for r in week_rows] == [(1, 1)]
    assert dict((c.key, v) for c, v in report.summary)["paperless_share"] == 0.0
    assert env.desk.report.ready(env.s["le.tan"]) is None


def test_the_technician_role_sees_no_figures(desk_env):
    with pytest.raises(PermissionDenied):
        desk_env.desk.report.figures(desk_env.s["ky.thuat"])


@pytest.mark.ui
def test_report_page_shows_the_week_and_the_ready_flag(qtbot, desk_env, worker):
    from kiosk.report.weekly import prepare_weekly
    from kiosk.ui.desk.window import DeskWindow
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    prepare_weekly(env.store, env.cfg, env.clock.now(), formats=("json",))
    w = DeskWindow(env.desk, worker, env.s["le.tan"], refresh_ms=0)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot, worker)
    w.tabs.setCurrentWidget(w.report)
    settle(qtbot, worker)
    page = w.report
    assert "đã sẵn sàng" in page.ready.text()
    values = {page.summary.item(r, 1).text(): page.summary.item(r, 2).text() for r in range(page.summary.rowCount())}
    assert values["Receptions"] == "1"
    page.choice.setCurrentIndex(page.choice.findData("receptions"))
    # a wide table reads down: a row per measure (here: how patients were identified), a column per day
    measures = [page.detail.item(r, 0).text() for r in range(page.detail.rowCount())]
    assert "Nhập tay tại quầy" in measures
    headers = [page.detail.horizontalHeaderItem(c).text() for c in range(page.detail.columnCount())]
    assert headers[0] == "Chỉ số / Indicator" and len(headers) >= 2
    page.week.setText("2026-W99")
    qtbot.mouseClick(page.show_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "no week 99" in w.status.text()

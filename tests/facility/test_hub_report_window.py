"""The desk window on the hub (Qt offscreen): the weekly report tab shows the facility's figures
(every kiosk), and the alert list shows the hub's alerts (a conflict) and drops them once resolved."""
from __future__ import annotations

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import node


def test_hub_desk_window_report_tab_and_alerts(qtbot, hub, tmp_path, signer):
    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    add_accounts(hub)
    clock = FakeClock()                      # Friday 2026-11-20: week 47
    services = desk_services(hub, tmp_path, clock, signer)
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    worker = DbWorker()
    try:
        kiosks[0].checkin(crowd_person(950), "K01")
        kiosks[1].checkin(crowd_person(951), "K01")
        for k in kiosks:                     # the same patient at both, cut off: a conflict
            k.set_reachable(False)
            k.checkin(crowd_person(952), "K01")
            k.set_reachable(True)
            k.sync()
        session = worker.call(services.accounts.sign_in, "le.tan", PINS["le.tan"])
        win = DeskWindow(services.desk, worker, session)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        assert win.tabs.isTabVisible(3)      # the report tab: the hub desk has a report now
        win.refresh_alerts()
        qtbot.waitUntil(lambda: getattr(win, "alert_keys", None) == ["conflicts"], timeout=10000)
        assert win.alerts.isVisible()
        got = []
        win.report.loaded.connect(got.append)
        win.tabs.setCurrentWidget(win.report)
        qtbot.waitUntil(lambda: bool(got), timeout=10000)
        report = got[0]
        assert report.period.label == "2026-W47"
        values = {win.report.summary.item(r, 1).text(): win.report.summary.item(r, 2).text()
                  for r in range(win.report.summary.rowCount())}
        assert values["Receptions"] == "4" and values["Card checks"] == "–"
        keys = [win.report.choice.itemData(i) for i in range(win.report.choice.count())]
        assert keys[-1] == "kiosks"
        win.report.choice.setCurrentIndex(len(keys) - 1)
        detail = win.report.detail
        assert detail.columnCount() == 3     # transposed: a column per kiosk
        assert [detail.horizontalHeaderItem(c).text() for c in (1, 2)] == ["2026-W47 · 1", "2026-W47 · 2"]
        assert [detail.item(1, c).text() for c in (1, 2)] == ["2", "2"]     # receptions per kiosk
        assert win.grab().save(str(tmp_path / "hub-desk-report.png"))
        s = worker.call(services.accounts.sign_in, "le.tan", PINS["le.tan"])
        flagged = [r for r in worker.call(services.desk.visits.visits, s) if r.conflict]
        worker.call(services.desk.visits.resolve_conflict, s, flagged[0].ma_lk)
        win.refresh_alerts()
        qtbot.waitUntil(lambda: win.alert_keys == [], timeout=10000)
        assert not win.alerts.isVisible()
        win.sign_out()
    finally:
        worker.call(services.close)
        worker.shutdown()
        for k in kiosks:
            k.close()

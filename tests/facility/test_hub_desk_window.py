"""The desk window on the hub (Qt offscreen): every kiosk's check-ins appear through LISTEN/NOTIFY
(no refresh timer runs), and when the private PostgreSQL cluster is stopped under the running desk
the banner says so at once, writes are refused, and the desk recovers by itself when it is back."""
from __future__ import annotations

import time

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import node


def test_desk_window_is_live_says_at_once_when_the_hub_is_gone_and_recovers(qtbot, hub, tmp_path, signer):
    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    add_accounts(hub)
    clock = FakeClock()
    services = desk_services(hub, tmp_path, clock, signer)
    kiosk = node(tmp_path, "1", hub, signer, clock)
    worker = DbWorker()
    try:
        assert services.live.online
        session = worker.call(services.accounts.sign_in, "le.tan", PINS["le.tan"])
        win = DeskWindow(services.desk, worker, session)
        qtbot.addWidget(win)
        win.show()
        assert not win.visits.timer.isActive() and not win.queue.timer.isActive()     # no polling
        assert not win.hub_banner.isVisible()
        kiosk.checkin(crowd_person(700), "K01")
        kiosk.sync()
        qtbot.waitUntil(lambda: win.visits.table.rowCount() == 1, timeout=10000)
        assert win.visits.table.item(0, 0).text() == "A001"

        hub.cluster.stop("immediate")
        t0 = time.monotonic()
        try:
            qtbot.waitUntil(win.hub_banner.isVisible, timeout=10000)
            print(f"hub lost -> banner after {time.monotonic() - t0:.2f} s")
            assert not services.live.online
            win.visits.show_visit(win.visits.table.item(0, 0).data(256))   # UserRole
            win.ctl.act(services.desk.visits.cancel, win.visits.table.item(0, 0).data(256), "thử")
            qtbot.waitUntil(lambda: "hub unreachable" in win.status.text(), timeout=10000)
            shot = tmp_path / "desk-hub-lost.png"
            win.resize(1100, 600)
            assert win.grab().save(str(shot))
        finally:
            hub.cluster.start()
        qtbot.waitUntil(lambda: not win.hub_banner.isVisible(), timeout=15000)
        kiosk.checkin(crowd_person(701), "K01")
        kiosk.sync()
        qtbot.waitUntil(lambda: win.visits.table.rowCount() == 2, timeout=10000)
        with hub.connect("hub_desk") as conn:
            assert conn.execute("SELECT count(*) FROM hub_audit WHERE action = 'visit.cancel'").fetchone()[0] == 0
            assert conn.execute("SELECT status FROM visits WHERE ticket_number = 'A001'").fetchone()[0] == "waiting"
        win.sign_out()
    finally:
        worker.call(services.close)
        worker.shutdown()
        kiosk.close()


def test_desk_window_keeps_one_of_a_flagged_duplicate_pair(qtbot, hub, tmp_path, signer):
    import psycopg

    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    from kiosk.ui.qt import Qt
    add_accounts(hub)
    clock = FakeClock()
    services = desk_services(hub, tmp_path, clock, signer)
    kiosk = node(tmp_path, "1", hub, signer, clock)
    worker = DbWorker()
    try:
        kiosk.checkin(crowd_person(710), "K01")
        kiosk.checkin(crowd_person(711), "K01")
        kiosk.sync()
        with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
            a, b = [r[0] for r in conn.execute("SELECT ma_lk FROM visits ORDER BY ticket_number")]
            conn.execute("INSERT INTO conflicts (ma_lk_a, ma_lk_b, reason) VALUES (%s, %s, 'same patient')", (a, b))
            conn.execute("UPDATE visits SET conflict = true")
        session = worker.call(services.accounts.sign_in, "le.tan", PINS["le.tan"])
        win = DeskWindow(services.desk, worker, session)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.visits.table.rowCount() == 2, timeout=10000)
        assert not win.visits.pane.keep.isVisible()
        win.visits.table.selectRow(0)
        qtbot.waitUntil(lambda: win.visits.detail is not None and win.visits.pane.keep.isVisible(), timeout=10000)
        qtbot.mouseClick(win.visits.pane.keep, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "duplicate is cancelled" in win.status.text(), timeout=10000)
        qtbot.waitUntil(lambda: win.visits.table.rowCount() == 1, timeout=10000)     # the cancelled one left
        with hub.connect("hub_desk") as conn:
            rows = dict(conn.execute("SELECT ma_lk, status FROM visits").fetchall())
            resolved = conn.execute("SELECT resolved_by FROM conflicts").fetchone()[0]
        assert rows == {a: "waiting", b: "cancelled"} and resolved == "le.tan"
        assert not win.visits.pane.keep.isVisible()
        win.sign_out()
    finally:
        worker.call(services.close)
        worker.shutdown()
        kiosk.close()


def _cluster_pids(cluster) -> list[int]:
    """The private cluster's postmaster and its children (this test session started them)."""
    import os
    pm = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pm:
                kids.append(int(entry))
    return [pm, *kids]


def test_a_hub_that_stops_answering_without_closing_is_noticed_by_the_keepalive(hub, tmp_path, signer):
    """A frozen hub (SIGSTOP: the socket stays open, nothing answers): the keepalive's watchdog
    declares it lost, writes are refused, and SIGCONT brings the desk back by itself."""
    import os
    import signal

    import pytest

    from kiosk.facility.listen import HubUnavailable
    states: list[tuple[bool, float]] = []
    services = desk_services(hub, tmp_path, FakeClock(), signer)
    services.live.on_state = lambda online: states.append((online, time.monotonic()))
    pids = _cluster_pids(hub.cluster)
    try:
        assert services.live.online
        time.sleep(0.3)
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        try:
            end = time.monotonic() + 15
            while services.live.online and time.monotonic() < end:
                time.sleep(0.02)
            assert not services.live.online and states and states[0][0] is False
            print(f"frozen hub -> lost after {states[0][1] - t0:.2f} s")
            with pytest.raises(HubUnavailable):
                services.ctx.require_online()
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        assert services.live.wait_online(15)
        services.ctx.require_online()
    finally:
        services.close()

"""Desk alerts: a persistent list of what needs staff, by role (QA minor 30, issue 15 item 7)."""
from __future__ import annotations


import pytest

from tests.desk.conftest import PINS, demo_form, settle

pytestmark = [pytest.mark.integration]


def keys(env, who):
    return [a.key for a in env.desk.alerts.alerts(env.s[who])]


def test_alerts_list_what_needs_staff_and_only_to_roles_that_can_act(desk_env):
    env = desk_env
    assert keys(env, "le.tan") == []
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("expired_bhyt"))         # 010: needs the desk
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt", check_card=False))   # provisional
    assert keys(env, "le.tan") == ["needs_desk", "provisional"]
    # the kiosk's printer ran out of paper on a ticket: recorded in the audit log the desk reads
    env.printer.set_fault("paper_out")
    alerts = env.desk.alerts.alerts(env.s["le.tan"])
    assert alerts[0].key == "printer" and "hết giấy" in alerts[0].text and "out of paper" in alerts[0].text
    env.printer.set_fault(None)
    assert "printer" not in keys(env, "le.tan")
    # an upload the gateway refused, and uploads stuck for more than ten minutes
    item = env.store.outbox.items("pending")[0]
    env.store.outbox.lease_due("t", 10, 60)
    env.store.outbox.mark_dead(item.id, "t", code="ERR", message="refused")
    env.clock.advance(15 * 60)
    for name in ("le.tan", "bac.si", "admin"):          # the sessions would have expired meanwhile
        env.s[name] = env.accounts.sign_in(name, PINS[name])
    got = keys(env, "le.tan")
    assert "dead_letters" in got and "gateway" in got
    # the clinician is told nothing they cannot act on: no queue, no card overrides, no errors
    assert keys(env, "bac.si") == []
    assert set(keys(env, "admin")) >= {"dead_letters", "gateway", "needs_desk", "provisional"}


def test_a_failed_print_recorded_by_the_kiosk_shows_until_a_ticket_prints(desk_env):
    env = desk_env
    t = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    with env.store.transaction():
        env.audit.append("kiosk", None, "ticket.print_failed", f"ticket:{t.ticket_id}", {"fault": "paper_out"})
    assert keys(env, "le.tan")[0] == "printer"
    env.desk.visits.reprint(env.s["le.tan"], env.store.tickets.get(t.ticket_id).visit_id)
    assert "printer" not in keys(env, "le.tan")


def test_the_desk_window_keeps_the_alerts_listed(qtbot, desk_env, worker):
    from kiosk.ui.desk.window import DeskWindow
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("expired_bhyt"))
    w = DeskWindow(env.desk, worker, env.s["le.tan"], refresh_ms=0)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot, worker)
    qtbot.waitUntil(lambda: w.alert_keys == ["needs_desk"])
    assert w.alerts.isVisible()
    w._message("info", "Đã in lại phiếu / ticket reprinted")        # an action's answer does not replace them
    assert w.alerts.isVisible() and w.alert_keys == ["needs_desk"]
    c = DeskWindow(env.desk, worker, env.s["bac.si"], refresh_ms=0)
    qtbot.addWidget(c)
    c.show()
    settle(qtbot, worker)
    assert c.alert_keys == [] and not c.alerts.isVisible() and c.status.text() == ""
    from kiosk.ui.qt import QLabel
    assert "Phòng khám / Clinic" in c.findChild(QLabel, "DeskPlace").text()      # minor 12: not "Desk"
    assert "Quầy tiếp đón / Desk" in w.findChild(QLabel, "DeskPlace").text()


def test_a_ticket_committed_but_never_printed_is_offered_for_reprint(desk_env, monkeypatch):
    """Red-team Info: a kiosk killed between the ticket's commit and the printer left a ticket nobody printed."""
    env = desk_env

    class Killed(BaseException):
        """The process dies inside the print call: nothing after the commit runs."""

    def die(*a, **k):
        raise Killed()
    monkeypatch.setattr(env.ctx.printer, "print_ticket", die)
    with pytest.raises(Killed):
        env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    monkeypatch.undo()
    day = env.clock.now().astimezone(__import__("kiosk.core.clock", fromlist=["VN_TZ"]).VN_TZ).date().isoformat()
    (ticket,) = env.store.tickets.list_day(day)
    assert ticket.status == "issued" and ticket.printed_at is None
    assert "unprinted" not in keys(env, "le.tan")          # a print may still be under way
    env.clock.advance(3 * 60)                               # ... the kiosk restarted
    alerts = {a.key: a for a in env.desk.alerts.alerts(env.s["le.tan"])}
    assert ticket.number in alerts["unprinted"].text and "In lại phiếu" in alerts["unprinted"].text
    assert env.desk.visits.reprint(env.s["le.tan"], ticket.visit_id) == ticket.number
    assert env.store.tickets.get(ticket.id).printed_at is not None
    assert "unprinted" not in keys(env, "le.tan")


def test_the_desk_is_told_when_the_upload_worker_is_down(desk_env, tmp_path):
    """M4: a worker whose start keeps failing (or whose process died) is a desk alert in staff wording."""
    import subprocess
    import sys

    from kiosk.sync.worker_status import down_text, read_status, write_status
    env = desk_env
    path = tmp_path / "sync.status"
    env.ctx.sync_trouble = lambda: down_text(read_status(path))
    assert "sync_worker" not in keys(env, "le.tan")                     # no worker state yet: nothing to say
    write_status(path, "down", "OperationalError: database is locked")
    alert = {a.key: a for a in env.desk.alerts.alerts(env.s["le.tan"])}["sync_worker"]
    assert alert.level == "bad" and "Bộ gửi hồ sơ" in alert.text and "database is locked" in alert.text
    assert "sync_worker" not in keys(env, "bac.si")                      # the clinician cannot act on it
    write_status(path, "running")
    assert "sync_worker" not in keys(env, "le.tan")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path.write_text(path.read_text().replace(f'"pid": {__import__("os").getpid()}', f'"pid": {gone.stdout.strip()}'))
    assert read_status(path).pid == int(gone.stdout) and "sync_worker" in keys(env, "le.tan")   # the process died

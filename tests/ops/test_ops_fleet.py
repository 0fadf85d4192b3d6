"""Fleet reporting wired as the app wires it: real check-ins through the core's issuing service,
then the metrics endpoint scraped over HTTP and the heartbeat line read from the log."""
from __future__ import annotations

import logging
import os
import sys
import time
import urllib.request

import pytest

from ops_issuing import issuer, people, request

from kiosk.config import load
from kiosk.core.clock import FakeClock
from kiosk.doctor import OK, check_qt_platform
from kiosk.ops.fleet import Heartbeat, snapshot_source, start_fleet_reporting
from kiosk.store import open_store
from kiosk.store.outbox import Receipt


def scrape(url: str) -> dict[str, float]:
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    series = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            series[name] = float(value)
    return series


def test_metrics_endpoint_after_real_check_ins(tmp_path, signer, caplog):
    clock = FakeClock()   # 2026-11-20 08:30 in Vietnam
    key = os.urandom(32)
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key, create=True, clock=clock, check_same_thread=False)
    iss = issuer(store, signer, clock)
    tickets = [iss.issue(request(p, "K01")) for p in people()[:4]]
    iss.mark_printed(tickets[0].ticket_id)
    iss.mark_printed(tickets[1].ticket_id)
    iss.mark_shown(tickets[2].ticket_id)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM outbox ORDER BY id")]
    with store.transaction():
        store.outbox.ack(ids[0], Receipt("GD-1", "20261120083000", "ok"))
        store.conn.execute("UPDATE outbox SET state = 'dead' WHERE id = ?", (ids[1],))
    clock.advance(90)
    cfg = load(None, overrides={"data_dir": data_dir, "metrics_bind": "127.0.0.1:0", "heartbeat_minutes": 0.005,
                                "kiosk_id": "1", "facility_code": "79001"})
    devices = {"scanner:sim": True, "printer:usb:04b8:0e15": False}
    caplog.set_level(logging.INFO, logger="kiosk.ops.fleet")
    handle = start_fleet_reporting(lambda: open_store(data_dir, key, clock=clock), cfg, lambda: devices)
    try:
        s = scrape(handle.metrics_url)
        lab = 'facility="79001",kiosk="1"'
        assert s[f"kiosk_checkins_today{{{lab}}}"] == 4
        assert s[f"kiosk_checkins{{{lab}}}"] == 4
        assert s[f"kiosk_tickets_printed{{{lab}}}"] == 3            # two printed, one shown on screen
        assert s[f'kiosk_outbox_items{{{lab},state="pending"}}'] == 2
        assert s[f'kiosk_outbox_items{{{lab},state="acked"}}'] == 1
        assert s[f'kiosk_outbox_items{{{lab},state="dead"}}'] == 1
        assert s[f"kiosk_dead_letters{{{lab}}}"] == 1
        assert s[f"kiosk_outbox_oldest_pending_age_seconds{{{lab}}}"] == 90
        assert s[f"kiosk_last_gateway_success_timestamp_seconds{{{lab}}}"] == \
            FakeClock().now().timestamp()
        assert s[f'kiosk_device_up{{device="printer:usb:04b8:0e15",{lab}}}'] == 0
        assert s[f'kiosk_device_up{{device="scanner:sim",{lab}}}'] == 1
        iss.issue(request(people()[4], "K01"))                         # scrapes read the database's truth
        assert scrape(handle.metrics_url)[f"kiosk_checkins_today{{{lab}}}"] == 5
        deadline = time.monotonic() + 5
        while caplog.text.count("heartbeat ") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        handle.stop()
        store.close()
    assert caplog.text.count("heartbeat ") >= 2                         # every 0.3 s here
    assert "devices_down=printer:usb:04b8:0e15" in caplog.text
    assert "THỬ" not in caplog.text and "001085000101" not in caplog.text


def test_empty_bind_disables_the_endpoint_and_a_taken_port_is_not_fatal(tmp_path):
    key = os.urandom(32)
    open_store(tmp_path, key, create=True).close()
    cfg = load(None, overrides={"data_dir": tmp_path, "metrics_bind": "", "heartbeat_minutes": 0})
    handle = start_fleet_reporting(lambda: open_store(tmp_path, key), cfg)
    assert handle.metrics_url is None and handle.heartbeat is None
    handle.stop()
    first = start_fleet_reporting(lambda: open_store(tmp_path, key),
                                  load(None, overrides={"data_dir": tmp_path, "metrics_bind": "127.0.0.1:0",
                                                        "heartbeat_minutes": 0}))
    port = first.metrics_url.split(":")[2].split("/")[0]
    second = start_fleet_reporting(lambda: open_store(tmp_path, key),
                                   load(None, overrides={"data_dir": tmp_path, "metrics_bind": f"127.0.0.1:{port}",
                                                         "heartbeat_minutes": 0}))
    assert second.server is None
    first.stop()
    second.stop()


def test_heartbeat_survives_a_database_it_cannot_open(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    hb = Heartbeat(snapshot_source(lambda: open_store(tmp_path / "missing", os.urandom(32)), None), 60)
    assert hb.beat() is None and "heartbeat failed: MissingDatabaseError" in caplog.text


def test_doctor_qt_check_uses_the_hidden_probe_in_a_frozen_build(tmp_path, monkeypatch):
    """A PyInstaller build has no `python -c`: sys.executable is the kiosk binary itself."""
    fake_binary = tmp_path / "kiosk"
    fake_binary.write_text(f"#!/bin/sh\n[ \"$1\" = _qt-probe ] || exit 9\nexec {sys.executable} -m kiosk \"$@\"\n")
    fake_binary.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(fake_binary))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    check = check_qt_platform(load(None, overrides={"data_dir": tmp_path}))
    assert check.status == OK and "offscreen" in check.detail


def test_start_kiosk_ops_healthy_low_disk_and_maintenance(tmp_path, signer):
    from kiosk.core.ports import IssueError
    from kiosk.ops.health import HealthState
    from kiosk.ops.runtime import start_kiosk_ops
    clock = FakeClock()
    key = os.urandom(32)
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key, create=True, clock=clock, check_same_thread=False)
    base = {"data_dir": data_dir, "metrics_bind": "127.0.0.1:0", "heartbeat_minutes": 0}

    ops = start_kiosk_ops(load(None, overrides=base), key, clock=clock)
    try:
        assert ops.health.ok and ops.scheduler is not None
        gate = ops.gate(issuer(store, signer, clock))
        assert gate.issue(request(people()[0], "K01")).number == "A1-001"
        s = scrape(ops.fleet.metrics_url)
        assert s['kiosk_checkins_accepted{facility="",kiosk="1",reason=""}'] == 1
        deadline = time.monotonic() + 10
        while len(ops.scheduler.runs) < 2 and time.monotonic() < deadline:   # its own thread
            time.sleep(0.05)
        assert ops.scheduler.runs == [("backup", "2026-11-20"), ("retention", "2026-11-20")]   # 08:30 local
        assert (data_dir / "daily-jobs.json").exists() and list((data_dir / "backups").glob("kiosk-*.db.bak"))
    finally:
        ops.stop()

    ops = start_kiosk_ops(load(None, overrides={**base, "min_free_disk_mib": 10**9}), key, clock=clock)
    try:
        assert ops.health.state is HealthState.REFUSE_CHECKINS and ops.health.reason == "disk_low"
        gate = ops.gate(issuer(store, signer, clock))
        with pytest.raises(IssueError):
            gate.issue(request(people()[1], "K01"))
        s = scrape(ops.fleet.metrics_url)
        assert s['kiosk_checkins_accepted{facility="",kiosk="1",reason="disk_low"}'] == 0
    finally:
        ops.stop()
    store.close()

    with open(data_dir / "kiosk.db", "r+b") as fh:       # a damaged page: found by the background check
        fh.seek(4096 * 3 + 10)
        fh.write(os.urandom(64))
    ops = start_kiosk_ops(load(None, overrides=base), key, clock=clock)
    try:
        gate = ops.gate(object())
        assert ops.integrity_checked.wait(20)
        assert ops.health.state is HealthState.MAINTENANCE and ops.health.reason == "database_corrupt"
        assert gate.health().reason == "database_corrupt" and ops.current_health().reason == "database_corrupt"
        with pytest.raises(IssueError):
            gate.issue(request(people()[1], "K01"))
    finally:
        ops.stop()

    with open(data_dir / "kiosk.db", "r+b") as fh:       # a damaged first page: found before start-up ends
        fh.seek(40)
        fh.write(os.urandom(64))
    ops = start_kiosk_ops(load(None, overrides=base), key, clock=clock)
    assert ops.health.state is HealthState.MAINTENANCE and ops.scheduler is None and ops.fleet is None
    with pytest.raises(IssueError):
        ops.gate(object()).issue(request(people()[1], "K01"))
    ops.stop()

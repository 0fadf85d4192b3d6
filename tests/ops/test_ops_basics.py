"""sd_notify datagrams, the metrics endpoint, backups (round trip, wrong key), the disk guard."""
import os
import socket
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.ops.disk import DiskGuard
from kiosk.ops.metrics import MetricsServer, Snapshot, SnapshotCollector, heartbeat_line
from kiosk.ops.sdnotify import SdNotifier
from kiosk.store.backup import list_backups, prune_backups, restore_backup, take_backup
from kiosk.store.db import WrongKeyError, connect, db_path

NOW = datetime(2026, 11, 20, 19, 0, tzinfo=timezone.utc)


def test_sd_notify_sends_datagrams(tmp_path):
    path = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(2)
    try:
        notifier = SdNotifier(path)
        assert notifier.ready() and notifier.watchdog() and notifier.status("2 pending")
        got = [server.recv(100) for _ in range(3)]
    finally:
        server.close()
    assert got == [b"READY=1", b"WATCHDOG=1", b"STATUS=2 pending"]
    assert SdNotifier("").ready() is False


def test_metrics_endpoint_serves_the_snapshot():
    snap = Snapshot(checkins_today=3, tickets_printed_total=2, outbox_pending=4, outbox_dead=1,
                    oldest_pending_age_seconds=12.5, devices={"scanner:sim": True, "printer:usb": False})
    server = MetricsServer("127.0.0.1:0", SnapshotCollector(lambda: snap, "1", "79001")).start()
    try:
        text = urllib.request.urlopen(server.url, timeout=5).read().decode()
    finally:
        server.stop()
    assert 'kiosk_checkins_today{facility="79001",kiosk="1"} 3.0' in text
    assert 'kiosk_outbox_items{facility="79001",kiosk="1",state="pending"} 4.0' in text
    assert 'kiosk_device_up{device="printer:usb",facility="79001",kiosk="1"} 0.0' in text
    assert "kiosk_outbox_oldest_pending_age_seconds" in text and "kiosk_dead_letters" in text
    assert "devices_down=printer:usb" in heartbeat_line(snap)


def _make_db(data_dir, key):
    conn = connect(db_path(data_dir), key, create=True)
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("INSERT INTO t VALUES ('TRẦN THỊ BÍCH DEMO')")
    conn.execute("PRAGMA user_version = 1")
    return conn


def test_backup_round_trip_and_wrong_key(tmp_path):
    key, other = os.urandom(32), os.urandom(32)
    conn = _make_db(tmp_path, key)
    info = take_backup(conn, key, tmp_path / "backups", NOW)
    raw = info.path.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and "BÍCH".encode() not in raw
    assert oct(info.path.stat().st_mode & 0o777) == "0o600"
    conn.execute("DELETE FROM t")
    conn.close()
    with pytest.raises(WrongKeyError):
        restore_backup(info.path, tmp_path, other, NOW)
    assert db_path(tmp_path).exists()  # the refused restore touched nothing
    kept = restore_backup(info.path, tmp_path, key, NOW)
    assert kept is not None and kept.exists()
    restored = connect(db_path(tmp_path), key)
    assert restored.execute("SELECT name FROM t").fetchall()[0][0] == "TRẦN THỊ BÍCH DEMO"
    assert restored.execute("PRAGMA user_version").fetchone()[0] == 1
    restored.close()


def test_prune_keeps_newest_and_recent(tmp_path):
    key = os.urandom(32)
    conn = _make_db(tmp_path, key)
    for days_ago in (30, 20, 3, 1):
        take_backup(conn, key, tmp_path / "b", NOW - timedelta(days=days_ago))
    conn.close()
    assert prune_backups(tmp_path / "b", 14, NOW) == 2
    assert len(list_backups(tmp_path / "b")) == 2
    assert prune_backups(tmp_path / "b", 0, NOW + timedelta(days=100)) == 1  # the newest always stays


def test_disk_guard_threshold(tmp_path):
    assert DiskGuard(tmp_path, 200, usage=lambda p: 150.0).ok() is False
    assert DiskGuard(tmp_path, 200, usage=lambda p: 250.0).ok() is True
    assert DiskGuard(tmp_path, 1).state().free_mib > 1


def test_heartbeat_anchors_the_audit_head_outside_the_database():
    line = heartbeat_line(Snapshot(audit_head="12:h1:" + "ab" * 32))
    assert line.endswith("audit_head=12:h1:" + "ab" * 32)
    assert "audit_head" not in heartbeat_line(Snapshot())

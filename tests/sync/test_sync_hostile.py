"""The outbox worker and `kiosk sync run` against the hostile gateway (tests/hostile_gateway.py):
nothing acked that the gateway did not store, nothing sent elsewhere, nothing stuck, memory bounded."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_gateway import DUP_TEXT, LOOKUP_PATH, HostileGateway

from kiosk.core.clock import SystemClock
from kiosk.gateway.client import GatewayClient
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_connection
from kiosk.store.outbox import OutboxRepo
from kiosk.sync.lock import WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker

PROJECT = Path(__file__).resolve().parents[2]
FAST = SyncSettings(batch_size=8, concurrency=4, backoff_base=0.05, backoff_cap=0.5, reconcile_grace=0.2)


@pytest.fixture
def hostile():
    gw = HostileGateway()
    yield gw
    gw.close()


def client_for(gw, lookup=True, **kw):
    return GatewayClient(gw.url, "79001_kiosk", "secret", "Cán bộ", "079080000001", connect_timeout=1.0,
                         read_timeout=kw.pop("read_timeout", 3.0), facility_code="79001",
                         lookup_endpoint=LOOKUP_PATH if lookup else "", **kw)


def queue(conn, n=4, tag="LK"):
    repo = OutboxRepo(conn, SystemClock())
    return [repo.enqueue("checkin", f"79001-K2-{tag}{i:04d}", f"<XML0 n='{tag}{i}'/>".encode()) for i in range(n)]


def drain(data_dir, db_key, client):
    worker = SyncWorker(lambda: open_connection(data_dir, db_key), client, facility_code="79001",
                        clock=SystemClock(), rng=random.Random(1), settings=FAST,
                        lock=WorkerLock.for_data_dir(data_dir))
    report = worker.run_once()
    return worker, report


@pytest.mark.parametrize("mode, lookup, state, code, words", [
    (f"refusal:{DUP_TEXT}", True, "dead", "400", "trùng MA_LK"),          # H1: a refusal is a refusal
    ("refusal:Mã liên kết đã tồn tại ở cơ sở KCB khác", False, "dead", "400", "đã tồn tại"),
    ("receiptless-200", False, "dead", "UNCONFIRMED?", "no maGiaoDich"),  # L7: no receipt, no ack
    ("dup-not-ours", True, "dead", "DUPLICATE?", "different file"),       # H1: MA_LK collision
    ("dup-ours", False, "dead", "DUPLICATE?", "no look-up"),             # M3: unverifiable: desk
    ("redirect307", True, "pending", "HTTP 307", "not followed"),         # H2
    ("html-200", True, "pending", "BAD_REPLY", "Content-Type"),
])
def test_nothing_is_acked_that_the_gateway_did_not_store(hostile, data_dir, db_key, conn, mode, lookup, state,
                                                        code, words):
    ids = queue(conn)
    hostile.mode = mode
    _, report = drain(data_dir, db_key, client_for(hostile, lookup=lookup))
    assert report.acked == 0
    repo = OutboxRepo(conn, SystemClock())
    for i in ids:
        item = repo.get(i)
        assert item.state.value == state and item.last_code == code and words in item.last_error, item
    assert hostile.seen("other") == []


def test_a_duplicate_whose_copy_is_ours_is_acked_with_the_listed_receipt(hostile, data_dir, db_key, conn):
    ids = queue(conn, n=1)
    _, report = drain(data_dir, db_key, client_for(hostile))          # stored, but suppose the reply was lost
    repo = OutboxRepo(conn, SystemClock())
    conn.execute("UPDATE outbox SET state = 'pending', receipt_ma_giao_dich = NULL WHERE id = ?", (ids[0],))
    hostile.mode = "dup-ours"
    _, report = drain(data_dir, db_key, client_for(hostile))
    assert report.acked == 1 and report.duplicates == 1
    assert repo.get(ids[0]).receipt.ma_giao_dich == "GD-OURS"


def write_config(path: Path, data_dir: Path, key_file: Path, url: str, read_timeout: float = 60.0) -> None:
    path.write_text(f"""
data_dir = "{data_dir}"
key_file = "{key_file}"
facility_code = "79001"
kiosk_id = "2"
log_level = "WARNING"
gateway_url = "{url}"
gateway_allow_http = true
gateway_username = "79001_kiosk"
gateway_password = "secret"
gateway_officer_name = "Cán bộ"
gateway_officer_cccd = "079080000001"
gateway_lookup_endpoint = "{LOOKUP_PATH}"
gateway_connect_timeout = 1.0
gateway_read_timeout = {read_timeout}
sync_backoff_base = 0.05
sync_backoff_cap = 0.5
""", encoding="utf-8")


@pytest.fixture
def cli_kiosk(tmp_path):
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    data_dir.mkdir(mode=0o700)
    conn = open_connection(data_dir, key, create=True)
    queue(conn, n=8)
    yield tmp_path, data_dir, key_file, conn
    conn.close()


@pytest.mark.parametrize("mode", ["silent", "trickle", "trickle-token"])
def test_sync_run_stops_on_sigterm_whatever_the_gateway_does(hostile, cli_kiosk, mode):
    tmp_path, data_dir, key_file, conn = cli_kiosk
    hostile.mode = mode
    cfg = tmp_path / "kiosk.toml"
    write_config(cfg, data_dir, key_file, hostile.url)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(cfg), "sync", "run"], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(2.0)                        # uploads (or the login) are now stuck on the gateway
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)              # the red team saw it ignore SIGTERM for good
    finally:
        if proc.poll() is None:
            proc.kill()
    out = proc.stdout.read().decode(errors="replace")
    assert proc.returncode == 0, out[-2000:]
    stats = OutboxRepo(conn, SystemClock()).stats()
    assert stats.acked == 0 and stats.sending == 0 and stats.pending == 8    # nothing stuck in `sending`


@pytest.mark.parametrize("mode", ["huge", "gzip-bomb"])
def test_sync_run_peak_memory_is_bounded(hostile, cli_kiosk, mode):
    """Red team: 3,761 MiB (4 x 300 MB) and 7,176 MiB (gzip bombs). Bound: 300 MiB."""
    tmp_path, data_dir, key_file, conn = cli_kiosk
    hostile.mode = mode
    cfg = tmp_path / "kiosk.toml"
    write_config(cfg, data_dir, key_file, hostile.url, read_timeout=30.0)
    probe = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:], check=False).returncode; "
             "print(rc); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "kiosk.cli", "--config", str(cfg),
                          "sync", "run", "--once"], cwd=PROJECT, capture_output=True, text=True, timeout=240,
                         env={**os.environ})
    lines = out.stdout.strip().splitlines()
    peak_mib, rc = int(lines[-1]), int(lines[-2])
    assert rc in (0, 1), out.stdout[-2000:] + out.stderr[-2000:]      # ran to the end, no crash
    # the hostile answer really was fetched: the run reached the gateway past the login
    assert any(s.path != hostile.seen()[0].path for s in hostile.seen()) or len(hostile.seen()) > 1, \
        [s.path for s in hostile.seen()]
    print(f"kiosk sync run against {mode}: peak RSS {peak_mib} MiB")
    stats = OutboxRepo(conn, SystemClock()).stats()
    assert stats.acked == 0 and stats.sending == 0
    assert peak_mib < 300, peak_mib


def test_the_worker_survives_a_database_locked_at_its_start(hostile, data_dir, db_key, conn):
    """M4: the embedded worker used to die for good when the database was busy at its start."""
    import threading
    blocker = open_connection(data_dir, db_key, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")                     # another process holds the write lock for 8 s
    worker = SyncWorker(lambda: open_connection(data_dir, db_key, busy_timeout_ms=500),
                        client_for(hostile), facility_code="79001", clock=SystemClock(),
                        rng=random.Random(2), settings=FAST, lock=WorkerLock.for_data_dir(data_dir))
    from kiosk.sync.worker_status import read_status, status_path, worker_trouble
    worker.status_path = status_path(data_dir)
    worker.start()
    try:
        release = threading.Timer(8.0, lambda: blocker.execute("ROLLBACK"))
        release.start()
        deadline = time.monotonic() + 6
        while worker.last_start_error is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.running and "locked" in (worker.last_start_error or "")   # alive, and says why
        # ...and staff are told: the idle screen's line (in process) and the desk (any process, via the file)
        status = read_status(status_path(data_dir))
        assert status is not None and status.down and "locked" in status.error
        line = worker_trouble(worker)
        assert line and "Bộ gửi hồ sơ" in line and "upload worker is down" in line and "locked" in line
        release.join()
        ids = queue(conn, n=5, tag="LATE")                   # check-ins queued after the lock went away
        worker.notify()
        repo = OutboxRepo(conn, SystemClock())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(repo.get(i).state.value == "acked" for i in ids):
            time.sleep(0.2)
        assert all(repo.get(i).state.value == "acked" for i in ids)
        assert worker.last_start_error is None
        assert worker_trouble(worker) is None and not read_status(status_path(data_dir)).down
    finally:
        worker.stop()
        blocker.close()
    assert read_status(status_path(data_dir)).state == "stopped"


def test_sync_status_says_why_items_are_still_waiting(hostile, cli_kiosk, capsys):
    """L7: pending items' reasons were shown nowhere; now `sync status` prints them (and --json)."""
    import json

    from kiosk import cli
    tmp_path, data_dir, key_file, conn = cli_kiosk
    hostile.mode = "redirect307"
    cfg = tmp_path / "kiosk.toml"
    write_config(cfg, data_dir, key_file, hostile.url)
    subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(cfg), "sync", "run", "--once"], cwd=PROJECT,
                   capture_output=True, timeout=120, check=True)
    assert cli.main(["--config", str(cfg), "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "waiting #1 checkin" in out and "[HTTP 307]" in out and "not followed" in out
    assert cli.main(["--config", str(cfg), "sync", "status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["pending_with_reason"]) == 8 and doc["pending_with_reason"][0]["code"] == "HTTP 307"

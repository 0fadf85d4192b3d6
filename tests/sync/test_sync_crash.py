"""Crash test: `kiosk sync run` in a separate process drains real signed uploads to the simulator
while the test SIGKILLs it at random moments and restarts it. At the end every MA_LK is on the
simulator exactly once, with no duplicate-marked copy, and nothing is left pending.

KIOSK_CRASH_KILLS (default 30) and KIOSK_CRASH_SEED change the run."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.core.clock import SystemClock
from kiosk.gateway.sim.server import (LOOKUP_PATH, SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                               SIM_USERNAME)
from kiosk.demo.sim_cards import start_demo_simulator
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_connection
from kiosk.store.outbox import OutboxRepo

pytestmark = pytest.mark.integration

KILLS = int(os.environ.get("KIOSK_CRASH_KILLS", "30"))
SEED = int(os.environ.get("KIOSK_CRASH_SEED", "20261120"))
PER_ROUND = 10     # new uploads queued before each (re)start
PROJECT = Path(__file__).resolve().parents[2]


def write_config(path: Path, data_dir: Path, key_file: Path, url: str) -> None:
    path.write_text(f"""
data_dir = "{data_dir}"
key_file = "{key_file}"
facility_code = "{SIM_FACILITY}"
log_level = "WARNING"
gateway_url = "{url}"
gateway_allow_http = true
gateway_username = "{SIM_USERNAME}"
gateway_password = "{SIM_PASSWORD}"
gateway_officer_name = "{SIM_OFFICER_NAME}"
gateway_officer_cccd = "{SIM_OFFICER_CCCD}"
gateway_lookup_endpoint = "{LOOKUP_PATH}"
gateway_connect_timeout = 1.0
gateway_read_timeout = 1.0
sync_batch_size = 8
sync_concurrency = 4
sync_backoff_base = 0.05
sync_backoff_cap = 0.5
sync_reconcile_grace = 0.3
""", encoding="utf-8")


def spawn(cfg: Path, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(cfg), "sync", "run", "--until-drained"],
                            cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT)


def test_sigkill_never_loses_or_duplicates(tmp_path, signed_factory):
    rng = random.Random(SEED)
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    data_dir.mkdir(mode=0o700)
    conn = open_connection(data_dir, key, create=True)
    repo = OutboxRepo(conn, SystemClock())
    sim = start_demo_simulator(tmp_path / "sim", facility_cert_pem=signed_factory.cert_pem)
    # requests in flight when the kill lands, a few lost replies and refusals on top
    sim.set_faults(seed=SEED, latency_ms=50, drop_after_rate=0.05, error503_rate=0.05, scope=["upload"])
    cfg = tmp_path / "kiosk.toml"
    write_config(cfg, data_dir, key_file, sim.url)
    expected: set[tuple[str, str]] = set()
    n = 0

    def enqueue_round() -> None:
        nonlocal n
        conn.execute("BEGIN IMMEDIATE")
        for _ in range(PER_ROUND // 2):
            ma_lk = f"{SIM_FACILITY}-K1-{n:06d}"
            repo.enqueue("checkin", ma_lk, signed_factory.checkin(ma_lk, n))
            repo.enqueue("dossier", ma_lk, signed_factory.dossier(ma_lk, n))
            expected.update({("0", ma_lk), ("130", ma_lk)})
            n += 1
        conn.execute("COMMIT")

    orphaned_leases = kills = 0
    started = time.monotonic()
    try:
        with open(tmp_path / "worker.log", "wb") as log:
            rounds = 0
            while kills < KILLS and rounds < 3 * KILLS:   # a run may finish before its kill: go on
                rounds += 1
                enqueue_round()
                proc = spawn(cfg, log)
                time.sleep(rng.uniform(0.3, 1.1))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                proc.wait()
                orphaned_leases += repo.stats().sending
            enqueue_round()
            proc = spawn(cfg, log)   # the last run may finish
            code = proc.wait(timeout=90)
        elapsed = time.monotonic() - started
        sim.clear_faults()
        received = sim.received(with_xml=False)
        stats = repo.stats()
        reconciled = conn.execute("SELECT count(*) FROM outbox WHERE receipt_message LIKE 'found on the gateway%'"
                                  ).fetchone()[0]
    finally:
        sim.stop()
        conn.close()
    log_text = (tmp_path / "worker.log").read_text(errors="replace")
    assert code == 0, log_text[-2000:]
    assert kills == KILLS, f"only {kills} kills landed while the worker ran"
    assert orphaned_leases > 0, "no kill landed while an upload was in flight: the test proved nothing"
    duplicates = [r for r in received if r["duplicate"]]
    assert not duplicates, f"{len(duplicates)} duplicate-marked copies on the gateway"
    held = [(r["loai_ho_so"], r["ma_lk"]) for r in received]
    assert len(held) == len(set(held)) and set(held) == expected
    assert (stats.pending, stats.sending, stats.dead, stats.acked) == (0, 0, 0, len(expected))
    assert reconciled > 0, "no upload was ever found by reconciliation instead of being resent"
    print(f"\ncrash test: {kills} SIGKILLs, {orphaned_leases} orphaned leases seen, {len(expected)} uploads, "
          f"{reconciled} acked by reconciliation, {elapsed:.1f}s")
    assert elapsed < 120, f"crash test took {elapsed:.0f}s"

"""The sync fault matrix: real signed uploads, the worker on its thread with its own SQLCipher
connection, the gateway simulator on loopback injecting one fault at a time. Every item ends
acked exactly once (the simulator's own count per MA_LK is 1, no duplicate-marked copy); dead
letters only for real rejections."""
from __future__ import annotations

import random
import time

import pytest

from kiosk.core.clock import SystemClock
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.sim.server import (LOOKUP_PATH, SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                               SIM_USERNAME)
from kiosk.demo.sim_cards import start_demo_simulator
from kiosk.store.migrate import open_connection
from kiosk.store.outbox import OutboxRepo, OutboxState
from kiosk.sync.lock import WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker
from sync_signed import broken_signature

pytestmark = pytest.mark.integration

FAST = SyncSettings(batch_size=8, concurrency=4, lease_seconds=30.0, backoff_base=0.05, backoff_cap=0.4,
                    reconcile_grace=0.3, idle_poll=0.5, probe_cap=0.3)

FAULTS = {
    "none": {},
    "latency": {"latency_ms": 150},
    "timeout": {"timeout_rate": 0.3, "hang_seconds": 1.2},
    "http500": {"error500_rate": 0.3},
    "http503": {"error503_rate": 0.3},
    "token_expiry_401": {"unauthorized_rate": 0.3},
    "malformed_json": {"malformed_rate": 0.3},
    "reply_lost_after_stored": {"drop_after_rate": 0.3},
    "connection_dropped_before": {"drop_before_rate": 0.3},
}
N_GOOD = 8   # per kind


def client_for(url: str, *, lookup: bool = True) -> GatewayClient:
    return GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                         connect_timeout=1.0, read_timeout=0.6, lookup_endpoint=LOOKUP_PATH if lookup else "",
                         facility_code=SIM_FACILITY)


def wait_settled(conn, clock, timeout: float) -> None:
    repo, deadline = OutboxRepo(conn, clock), time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = repo.stats()
        if s.pending == 0 and s.sending == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"outbox not settled after {timeout}s: {repo.stats()}")


@pytest.fixture
def queue(conn, signed_factory):
    """Good check-ins and dossiers, plus two real rejections, queued in one transaction."""
    def make(prefix: str) -> dict:
        repo = OutboxRepo(conn, SystemClock())
        good = {}
        conn.execute("BEGIN IMMEDIATE")
        for i in range(N_GOOD):
            ma_lk = f"{SIM_FACILITY}-{prefix}-{i:04d}"
            good[("checkin", ma_lk)] = repo.enqueue("checkin", ma_lk, signed_factory.checkin(ma_lk, i))
            good[("dossier", ma_lk)] = repo.enqueue("dossier", ma_lk, signed_factory.dossier(ma_lk, i))
        bad = {
            # a dossier made for another facility (MA_CSKCB 01001): refused by the gateway
            "wrong_facility": repo.enqueue("dossier", f"{SIM_FACILITY}-{prefix}-BADF",
                                           signed_factory.dossier(f"{SIM_FACILITY}-{prefix}-BADF", 1,
                                                                  facility="01001")),
            "broken_signature": repo.enqueue("checkin", f"{SIM_FACILITY}-{prefix}-BADS", broken_signature(
                signed_factory.checkin(f"{SIM_FACILITY}-{prefix}-BADS", 2))),
        }
        conn.execute("COMMIT")
        return {"good": good, "bad": bad}
    return make


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_item_acked_exactly_once(fault, tmp_path, conn, data_dir, db_key, queue, signed_factory):
    sim = start_demo_simulator(tmp_path / "sim", facility_cert_pem=signed_factory.cert_pem)
    try:
        items = queue(fault)
        sim.set_faults(seed=1234, **FAULTS[fault])
        clock = SystemClock()
        worker = SyncWorker(lambda: open_connection(data_dir, db_key), client_for(sim.url), facility_code=SIM_FACILITY,
                            clock=clock, rng=random.Random(5), settings=FAST, lock=WorkerLock.for_data_dir(data_dir))
        started = time.monotonic()
        worker.start()
        try:
            wait_settled(conn, clock, timeout=40)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
        sim.clear_faults()
        received = sim.received(with_xml=False)
    finally:
        sim.stop()
    repo = OutboxRepo(conn, clock)
    counts: dict[tuple[str, str], int] = {}
    for r in received:
        assert not r["duplicate"], f"{fault}: the gateway holds a duplicate-marked copy of {r['ma_lk']}"
        key = ({"0": "checkin", "130": "dossier"}[r["loai_ho_so"]], r["ma_lk"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {k: 1 for k in items["good"]}, fault
    for (kind, ma_lk), item_id in items["good"].items():
        item = repo.get(item_id)
        assert item.state is OutboxState.ACKED, (fault, kind, ma_lk, item.last_code)
        assert item.receipt.ma_giao_dich and item.receipt.time
    for why, item_id in items["bad"].items():
        item = repo.get(item_id)
        assert item.state is OutboxState.DEAD, (fault, why, item.state)
        assert item.last_error and item.last_code == "400"
    report = worker.totals
    if fault == "latency":   # 18 uploads, 4 at a time, each held 150 ms
        assert elapsed >= (2 * N_GOOD + 2) / FAST.concurrency * 0.15
    elif fault != "none":
        assert report.retried > 0 or report.duplicates or report.reconciled, f"{fault} was never injected"



def test_without_lookup_a_duplicate_answer_goes_to_the_desk_never_acked(tmp_path, conn, data_dir, db_key, queue,
                                                                        signed_factory):
    """No look-up endpoint configured: after a lost reply the worker resends the same bytes and
    gets a "duplicate" answer. Nothing can confirm the held copy is ours, so the item goes to the
    desk (dead letter `DUPLICATE?` with the gateway's words); it is never acked on that word (H1/M3)."""
    sim = start_demo_simulator(tmp_path / "sim", facility_cert_pem=signed_factory.cert_pem)
    try:
        items = queue("nolookup")
        sim.set_faults(seed=99, drop_after_rate=0.5, scope=["upload"])
        clock = SystemClock()
        worker = SyncWorker(lambda: open_connection(data_dir, db_key), client_for(sim.url, lookup=False),
                            facility_code=SIM_FACILITY, clock=clock, rng=random.Random(5), settings=FAST,
                            lock=WorkerLock.for_data_dir(data_dir))
        worker.start()
        try:
            wait_settled(conn, clock, timeout=40)
        finally:
            worker.stop()
        received = sim.received(with_xml=False)
    finally:
        sim.stop()
    repo = OutboxRepo(conn, clock)
    good = [repo.get(i) for i in items["good"].values()]
    held = {(r["loai_ho_so"], r["ma_lk"]) for r in received if not r["duplicate"]}
    kind = {"checkin": "0", "dossier": "130"}
    to_desk = [it for it in good if it.state is OutboxState.DEAD]
    assert all(it.state in (OutboxState.ACKED, OutboxState.DEAD) for it in good)
    assert to_desk and all(it.last_code == "DUPLICATE?" and "desk" in it.last_error for it in to_desk)
    assert "trùng" in to_desk[0].last_error                    # the gateway's own words for staff
    # every item reached the gateway; nothing was acked on a "duplicate" word
    assert all((kind[it.kind.value], it.ma_lk) in held for it in good)
    assert worker.totals.duplicates == 0

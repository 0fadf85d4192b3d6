"""The worker's decision paths with a scripted gateway double (the fault matrix runs against the
real simulator; this pins each path exactly, with a fake clock and a seeded RNG)."""
from __future__ import annotations

import hashlib

import random
from datetime import datetime

import pytest

from kiosk.gateway.results import NotConfigured, ReceivedInfo, UploadOutcome, UploadResult
from kiosk.store.migrate import open_connection
from kiosk.store.outbox import OutboxRepo, OutboxState
from kiosk.sync.lock import WorkerBusy, WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker


class ScriptedGateway:
    """Answers uploads from a per-MA_LK script; remembers what it 'stored'."""

    def __init__(self, lookup: bool = True):
        self.script: dict[str, list[UploadOutcome]] = {}
        self.stored: dict[tuple[str, str], int] = {}
        self.calls: list[tuple[str, str]] = []
        self.lookups: list[str] = []
        self.lookup = lookup

    def _upload(self, kind, payload):
        ma_lk = payload.decode()
        self.calls.append((kind, ma_lk))
        outcome = (self.script.get(ma_lk) or [UploadOutcome.ACCEPTED]).pop(0) \
            if self.script.get(ma_lk) else UploadOutcome.ACCEPTED
        if outcome in (UploadOutcome.ACCEPTED, UploadOutcome.AMBIGUOUS):   # ambiguous: stored, reply lost
            n = self.stored.get((kind, ma_lk), 0) + 1
            self.stored[(kind, ma_lk)] = n
            if n > 1:
                return UploadResult(UploadOutcome.DUPLICATE, "GD-dup", None, "200", "trùng MA_LK")
        code = {UploadOutcome.RETRY: "NET", UploadOutcome.REJECTED: "205", UploadOutcome.AUTH: "401"}.get(outcome, "200")
        return UploadResult(outcome, f"GD-{ma_lk}", datetime(2026, 11, 20, 8, 30), code, "msg")

    def upload_checkin(self, payload, ma_cskcb):
        return self._upload("checkin", payload)

    def upload_dossier(self, payload, ma_cskcb):
        return self._upload("dossier", payload)

    def lookup_received(self, ma_lk, day, *, kind, payload_sha256=""):
        if not self.lookup:
            raise NotConfigured("no look-up")
        self.lookups.append(ma_lk)
        if (kind, ma_lk) in self.stored:
            return ReceivedInfo(ma_lk, {"checkin": "0", "dossier": "130"}[kind], f"GD-{ma_lk}", None,
                                payload_sha256=hashlib.sha256(ma_lk.encode()).hexdigest())
        return None


@pytest.fixture
def make_worker(data_dir, db_key, conn, clock):
    def make(gw, **kw):
        settings = SyncSettings(batch_size=4, concurrency=2, backoff_base=1.0, backoff_cap=8.0,
                                reconcile_grace=3.0, **kw)
        return SyncWorker(lambda: open_connection(data_dir, db_key), gw, facility_code="79001", clock=clock,
                          rng=random.Random(3), settings=settings, lock=WorkerLock.for_data_dir(data_dir))
    return make


def enqueue(conn, clock, *names, kind="checkin"):
    repo = OutboxRepo(conn, clock)
    return [repo.enqueue(kind, n, n.encode()) for n in names]


def test_plain_drain_acks_with_receipts(conn, clock, make_worker):
    ids = enqueue(conn, clock, "A", "B", "C", "D", "E")
    gw = ScriptedGateway()
    report = make_worker(gw).run_once()
    assert report.acked == 5 and report.leased == 5
    repo = OutboxRepo(conn, clock)
    assert all(repo.get(i).state is OutboxState.ACKED for i in ids)
    assert repo.get(ids[0]).receipt.ma_giao_dich == "GD-A"
    assert repo.get(ids[0]).receipt.time == "2026-11-20T08:30:00+07:00"
    assert sorted(gw.calls) == [("checkin", n) for n in "ABCDE"]


def test_ambiguous_reconciles_instead_of_resending(conn, clock, make_worker):
    (i,) = enqueue(conn, clock, "LK")
    gw = ScriptedGateway()
    gw.script["LK"] = [UploadOutcome.AMBIGUOUS]
    w = make_worker(gw)
    r1 = w.run_once()
    repo = OutboxRepo(conn, clock)
    item = repo.get(i)
    assert r1.retried == 1 and item.state is OutboxState.PENDING and item.needs_reconcile
    # not before the grace (a lost request may still be in the gateway's hands)
    assert item.next_attempt_ts >= clock.now().timestamp() + 3.0
    clock.advance(10)
    r2 = w.run_once()
    assert r2.reconciled == 1
    assert gw.calls == [("checkin", "LK")]            # sent once, never resent
    assert repo.get(i).state is OutboxState.ACKED and repo.get(i).receipt.ma_giao_dich == "GD-LK"


def test_without_lookup_a_duplicate_answer_goes_to_the_desk(conn, clock, make_worker):
    (i,) = enqueue(conn, clock, "LK")
    gw = ScriptedGateway(lookup=False)
    gw.script["LK"] = [UploadOutcome.AMBIGUOUS]
    w = make_worker(gw)
    w.run_once()
    clock.advance(10)
    r = w.run_once()
    assert r.duplicates == 0 and r.dead == 1 and gw.calls == [("checkin", "LK")] * 2
    item = OutboxRepo(conn, clock).get(i)
    assert item.state is OutboxState.DEAD and item.last_code == "DUPLICATE?" and "no look-up" in item.last_error


def test_with_lookup_a_duplicate_answer_is_acked_once_our_copy_is_listed(conn, clock, make_worker):
    (i,) = enqueue(conn, clock, "LK")
    gw = ScriptedGateway(lookup=True)
    gw.stored[("checkin", "LK")] = 1        # an earlier attempt (before a crash) was stored
    r = make_worker(gw).run_once()
    assert r.duplicates == 1 and r.acked == 1
    item = OutboxRepo(conn, clock).get(i)
    assert item.state is OutboxState.ACKED and item.receipt.ma_giao_dich == "GD-LK"   # the listed copy


def test_rejection_is_a_dead_letter_and_retry_backs_off(conn, clock, make_worker):
    bad, flaky = enqueue(conn, clock, "BAD", "FLAKY")
    gw = ScriptedGateway()
    gw.script["BAD"] = [UploadOutcome.REJECTED]
    gw.script["FLAKY"] = [UploadOutcome.AUTH, UploadOutcome.AUTH]
    w = make_worker(gw)
    w.run_once()
    repo = OutboxRepo(conn, clock)
    assert repo.get(bad).state is OutboxState.DEAD and repo.get(bad).last_code == "205"
    f = repo.get(flaky)
    assert f.state is OutboxState.PENDING and 0.5 <= f.next_attempt_ts - clock.now().timestamp() <= 1.0
    clock.advance(1.0)
    w.run_once()
    f = repo.get(flaky)
    assert f.attempts == 2 and 1.0 <= f.next_attempt_ts - clock.now().timestamp() <= 2.0
    clock.advance(2.0)
    w.run_once()
    assert repo.get(flaky).state is OutboxState.ACKED
    assert repo.get(bad).state is OutboxState.DEAD     # never resent by the worker on its own


def test_network_failure_goes_offline_and_stops_leasing(conn, clock, make_worker):
    enqueue(conn, clock, *[f"N{i}" for i in range(12)])
    gw = ScriptedGateway()
    for i in range(12):
        gw.script[f"N{i}"] = [UploadOutcome.RETRY]
    w = make_worker(gw)
    report = w.run_once()
    assert not w.connectivity.online
    assert report.leased < 12          # it stopped after the link dropped instead of trying all


def test_crash_while_sending_is_reconciled_at_restart(conn, clock, make_worker, data_dir):
    (i,) = enqueue(conn, clock, "LK")
    repo = OutboxRepo(conn, clock)
    conn.execute("BEGIN IMMEDIATE")
    repo.lease_due("dead-worker", 1, 600.0)
    conn.execute("COMMIT")
    gw = ScriptedGateway()
    gw.stored[("checkin", "LK")] = 1       # the dead worker's request had arrived
    w = make_worker(gw)
    w.run_once()                            # reclaims at once (lock held), waits the grace
    assert repo.get(i).needs_reconcile and repo.get(i).state is OutboxState.PENDING
    clock.advance(5)
    w.run_once()
    assert repo.get(i).state is OutboxState.ACKED and gw.calls == [] and gw.lookups == ["LK"]


def test_one_worker_per_data_dir(data_dir):
    a = WorkerLock.for_data_dir(data_dir)
    a.acquire()
    with pytest.raises(WorkerBusy):
        WorkerLock.for_data_dir(data_dir).acquire()
    a.release()
    WorkerLock.for_data_dir(data_dir).acquire()

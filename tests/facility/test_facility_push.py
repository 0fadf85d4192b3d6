"""Push, pull, conflicts and hand-over against a real PostgreSQL hub (and real kill -9)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import handover, pull
from tests.facility.helpers import hub_rows, node


def _offline_checkins(k, people, service="K01"):
    k.set_reachable(False)
    out = [k.checkin(crowd_person(i), service) for i in people]
    k.set_reachable(True)
    return out


def test_push_is_idempotent_and_complete(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        tickets = _offline_checkins(k, range(20))
        with hub.connect() as conn:
            first = k.pusher.push(conn)
            assert (first.visits, first.new_visits, first.outbox) == (20, 20, 20)
            again = k.pusher.push(conn)
            assert again.total == 0                          # the cursor moved: nothing to resend
            # a restored/forgotten cursor re-sends everything: the hub ignores it
            with k.store.transaction():
                for c in ("push.visits", "push.outbox", "push.receipts"):
                    k.pusher.feed.set_cursor(c, 0)
            resent = k.pusher.push(conn)
            assert resent.visits == 20 and resent.new_visits == 0
        rows = hub_rows(hub, "SELECT ticket_number FROM visits ORDER BY ticket_number")
        assert [r[0] for r in rows] == sorted(t.number for t in tickets)
        assert hub_rows(hub, "SELECT count(*), count(DISTINCT ma_lk) FROM outbox") == [(20, 20)]
        assert hub_rows(hub, "SELECT DISTINCT owner, state FROM outbox") == [("kiosk:1", "pending")]
    finally:
        k.close()


def test_crash_after_hub_commit_then_repush(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline_checkins(k, range(5))
        with hub.connect() as conn:
            with pytest.raises(SystemExit):
                k.pusher.push(conn, crash_after_hub_commit=True)
            assert k.pusher.feed.cursor("push.visits") == 0
            rep = k.pusher.push(conn)
        assert rep.visits == 5 and rep.new_visits == 0
        assert hub_rows(hub, "SELECT count(*) FROM visits") == [(5,)]
    finally:
        k.close()


def _child(k, hub, dev_identity, mode):
    k.store.close()
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.Popen([sys.executable, "-m", "tests.facility.child_kiosk", str(k.store_dir), k.key.hex(),
                             hub.dsn(), str(dev_identity.p12_path), str(dev_identity.password), mode],
                            stdout=subprocess.PIPE, env=env, cwd=os.getcwd())


@pytest.mark.parametrize("mode", ["push", "handover"])
def test_kill_9_at_any_step_loses_and_duplicates_nothing(hub, tmp_path, signer, dev_identity, mode):
    from kiosk.store.migrate import open_store
    k = node(tmp_path, "1", hub, signer, FakeClock())
    _offline_checkins(k, range(40))
    if mode == "handover":
        with hub.connect() as conn:
            k.pusher.push(conn)
    k.store_dir = tmp_path / "kiosk1"
    rng = random.Random(17)
    kills = 0
    for _ in range(6):
        proc = _child(k, hub, dev_identity, mode)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        kills += 1
    store = open_store(k.store_dir, k.key, clock=FakeClock())
    try:
        from kiosk.facility import push
        with hub.connect() as conn:
            if mode == "push":
                push.Pusher(store, "79001", "1").push(conn)
            else:
                handover.reconcile(conn, store, "1")
                while handover.hand_over(conn, store, "1"):
                    pass
        assert kills == 6
        assert hub_rows(hub, "SELECT count(*), count(DISTINCT ma_lk) FROM visits") == [(40, 40)]
        assert hub_rows(hub, "SELECT count(*) FROM outbox") == [(40,)]
        if mode == "handover":
            # one owner each: every item the hub owns is parked at the kiosk, and only those
            hub_owned = {r[0] for r in hub_rows(hub, "SELECT ma_lk FROM outbox WHERE owner = 'hub'")}
            parked = {r[0] for r in store.conn.execute(
                "SELECT ma_lk FROM outbox WHERE state = 'handed_over'")}
            local_pending = {r[0] for r in store.conn.execute("SELECT ma_lk FROM outbox WHERE state = 'pending'")}
            assert hub_owned == parked and len(hub_owned) == 40 and not local_pending
    finally:
        store.close()


def test_same_patient_at_two_offline_kiosks_is_kept_and_flagged(hub, tmp_path, signer):
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock)
    try:
        ta = _offline_checkins(a, [42])[0]
        tb = _offline_checkins(b, [42])[0]
        assert (ta.number, tb.number) == ("A1-001", "A2-001")
        assert a.sync()["conflicts"] == 0
        assert b.sync()["conflicts"] == 1
        rows = hub_rows(hub, "SELECT ticket_number, conflict FROM visits ORDER BY ticket_number")
        assert rows == [("A1-001", True), ("A2-001", True)]
        assert hub_rows(hub, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL") == [(1,)]
        assert hub_rows(hub, "SELECT count(DISTINCT patient_id) FROM visits") == [(1,)]
    finally:
        a.close(), b.close()


def test_patient_first_seen_at_a_is_known_at_b_offline_after_pull(hub, tmp_path, signer):
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock)
    try:
        a.checkin(crowd_person(99), "K01")
        a.sync()
        keys = crowd_person(99).lookup_keys()
        assert b.store.patients.find_any(keys) is None
        assert b.sync()["pulled"] == 1
        b.set_reachable(False)
        found = b.store.patients.find_any(keys)
        assert found is not None and found.full_name == "KHÁCH THỬ SỐ 99"
        assert b.sync() == {}          # cut off: nothing pushed, nothing raised
    finally:
        a.close(), b.close()


def test_handover_then_hub_worker_uploads_once_and_receipt_reaches_kiosk(hub, tmp_path, signer, gateway, sim):
    from kiosk.facility.worker import HubUploadWorker
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline_checkins(k, range(3))
        assert k.sync(hand_over=True)["handed_over"] == 3
        with hub.connect("hub_worker") as conn:
            rep = HubUploadWorker(conn, gateway, "79001").run_once()
            assert rep.acked == 3
            assert HubUploadWorker(conn, gateway, "79001").run_once().acked == 0
        assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE acked_by = 'hub' AND receipt_ma_giao_dich <> ''") == [(3,)]
        assert k.sync()["receipts_in"] == 3
        assert k.store.outbox.stats().acked == 3
    finally:
        k.close()


def test_hub_worker_reconciles_an_upload_its_dead_predecessor_made(hub, tmp_path, signer, sim):
    """A hub worker died after the gateway stored its upload, before the hub recorded the receipt:
    the next worker looks the upload up (hashing the payload it holds) and acks it without a resend."""
    from kiosk.facility.worker import LEASE_SQL, HubUploadWorker
    from kiosk.gateway.sim.server import LOOKUP_PATH, admin_call
    from tests.gateway.gateway_helpers import make_client
    gateway = make_client(sim.url, lookup_endpoint=LOOKUP_PATH)
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline_checkins(k, range(2))
        assert k.sync(hand_over=True)["handed_over"] == 2
    finally:
        k.close()
    with hub.connect("hub_worker") as conn:
        with conn.transaction():                     # the dead worker's lease, already run out
            leased = conn.execute(LEASE_SQL, (10, 0.0)).fetchall()
        assert [kind for kind, *_ in leased] == ["checkin", "checkin"]
        for _, _, payload, _, _ in leased:
            assert gateway.upload_checkin(bytes(payload), "79001").acked
        time.sleep(0.05)
        rep = HubUploadWorker(conn, gateway, "79001").run_once()
        assert (rep.acked, rep.retried, rep.dead) == (2, 0, 0)
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE state = 'acked' AND needs_reconcile") == [(2,)]
    received = admin_call(sim.url, "/admin/received?xml=0", timeout=30)
    assert len(received) == 2 and not any(r["duplicate"] for r in received)   # confirmed, not resent


def test_desk_resolves_a_conflict_and_versions_stop_lost_updates(hub, tmp_path, signer):
    from kiosk.facility import desk_ops
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock)
    try:
        _offline_checkins(a, [5])
        _offline_checkins(b, [5])
        a.sync(), b.sync()
        (cid, ma_a, ma_b), = hub_rows(hub, "SELECT id, ma_lk_a, ma_lk_b FROM conflicts")
        with hub.connect("hub_desk") as desk, hub.connect("hub_desk") as other:
            with pytest.raises(desk_ops.BadTransition):
                desk_ops.set_status(desk, ma_a, 1, "closed", "staff1")
            assert desk_ops.set_status(desk, ma_a, 1, "in_progress", "staff1") == 2
            with pytest.raises(desk_ops.StaleVisit):               # the other desk still holds version 1
                desk_ops.set_status(other, ma_a, 1, "cancelled", "staff2")
            assert desk_ops.resolve_conflict(desk, cid, ma_a, "staff1") == ma_b
        rows = dict(hub_rows(hub, "SELECT ma_lk, status FROM visits"))
        assert rows == {ma_a: "in_progress", ma_b: "cancelled"}
        assert hub_rows(hub, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL") == [(0,)]
        assert hub_rows(hub, "SELECT count(*) FROM visits WHERE conflict") == [(0,)]
    finally:
        a.close(), b.close()


def test_kiosk_partitioned_for_hours_merges_in_order(hub, tmp_path, signer):
    clock = FakeClock()
    k, other = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock)
    try:
        k.set_reachable(False)
        numbers = []
        for hour in range(6):                      # six hours cut off, other kiosk online all along
            for i in range(5):
                numbers.append(k.checkin(crowd_person(1000 + hour * 10 + i), "K04").number)
                other.checkin(crowd_person(2000 + hour * 10 + i), "K04")
                other.sync()
                clock.advance(700)
        assert numbers[0] == "D1-001" and numbers[-1] == "D1-030"
        k.set_reachable(True)
        rep = k.sync()
        assert rep["pushed"] >= 60
        rows = hub_rows(hub, "SELECT kiosk_id, ticket_number FROM visits ORDER BY checked_in_at, kiosk_id")
        assert len(rows) == 60 and len({r[1] for r in rows}) == 60
        mine = [n for kid, n in rows if kid == "1"]
        assert mine == numbers                     # merged in check-in order, interleaved with the other kiosk
        assert rows[0][0] != rows[1][0]
    finally:
        k.close(), other.close()


def test_hub_worker_killed_mid_upload_uploads_each_item_once(hub, tmp_path, signer, sim):
    from kiosk.gateway.sim.server import admin_call
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline_checkins(k, range(30))
        assert k.sync(hand_over=True)["handed_over"] == 30
    finally:
        k.close()
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    rng = random.Random(5)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-m", "tests.facility.child_worker", hub.dsn("hub_worker"), sim.url],
                                stdout=subprocess.PIPE, env=env, cwd=os.getcwd())
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    time.sleep(0.6)                                   # the dead workers' leases run out
    final = subprocess.Popen([sys.executable, "-m", "tests.facility.child_worker", hub.dsn("hub_worker"), sim.url],
                             stdout=subprocess.PIPE, env=env, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if hub_rows(hub, "SELECT count(*) FROM outbox WHERE state <> 'acked'") == [(0,)]:
                break
            time.sleep(0.2)
    finally:
        final.kill()
        final.wait(10)
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE state = 'acked' AND acked_by = 'hub'") == [(30,)]
    received = admin_call(sim.url, "/admin/received?xml=0", timeout=30)
    held = [r["ma_lk"] for r in received]
    assert len(held) == 30 and len(set(held)) == 30           # nothing lost, nothing stored twice
    assert not any(r["duplicate"] for r in received)           # no resend of something already held

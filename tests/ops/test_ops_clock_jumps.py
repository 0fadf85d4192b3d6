"""The wall clock jumps (a dead RTC battery, NTP catching up): ticket numbers stay unique and the
outbox worker keeps probing and draining."""
from __future__ import annotations

import os
import random
import threading
import time
from datetime import datetime, timedelta, timezone

from ops_helpers import JumpClock, SetClock
from ops_issuing import issuer, people, request

from kiosk.store.migrate import open_connection, open_store
from kiosk.store.outbox import OutboxRepo
from kiosk.sync.lock import WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker

START = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)   # 10:00 in Vietnam


def test_ticket_numbers_and_ma_lk_survive_jumps_back_and_forth(tmp_path, signer):
    clock = SetClock(START)
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock)
    iss = issuer(store, signer, clock)
    folks = people()
    issued = []
    plan = [  # (wall clock, person index, service)
        (START, 0, "K01"), (START + timedelta(minutes=5), 1, "K01"),
        (START - timedelta(minutes=30), 2, "K01"),     # back 35 minutes, same day
        (START - timedelta(hours=4), 3, "K01"),        # back to 06:00 local, same day
        (START - timedelta(days=1), 0, "K01"),         # back to yesterday: its own numbering
        (START + timedelta(days=2), 0, "K01"),         # forward two days
        (START, 4, "K01"),                             # and back to the first day again
    ]
    for moment, who, service in plan:
        clock.set(moment)
        t = iss.issue(request(folks[who], service))
        issued.append(t)
    rows = store.conn.execute("SELECT t.day, t.seq, t.number, v.ma_lk FROM tickets t "
                              "JOIN visits v ON v.id = t.visit_id ORDER BY t.id").fetchall()
    per_day = {}
    for day, seq, number, _ in rows:
        per_day.setdefault(day, []).append((seq, number))
    assert per_day["2026-11-20"] == [(1, "A1-001"), (2, "A1-002"), (3, "A1-003"), (4, "A1-004"), (5, "A1-005")]
    assert per_day["2026-11-19"] == [(1, "A1-001")]
    assert per_day["2026-11-22"] == [(1, "A1-001")]
    ma_lks = [r[3] for r in rows]
    assert len(set(ma_lks)) == len(ma_lks) == len(plan)
    outbox = store.conn.execute("SELECT count(DISTINCT ma_lk) FROM outbox").fetchone()[0]
    assert outbox == len(plan)
    store.close()


class FlakyGateway:
    """Network down until `up` is set; then accepts everything."""

    def __init__(self):
        self.up = threading.Event()
        self.calls = 0

    def _upload(self, payload):
        from kiosk.gateway.results import UploadOutcome, UploadResult
        self.calls += 1
        if not self.up.is_set():
            return UploadResult(UploadOutcome.RETRY, None, None, "NET", "connection refused")
        return UploadResult(UploadOutcome.ACCEPTED, f"GD-{payload.decode()}", START, "200", "ok")

    def upload_checkin(self, payload, ma_cskcb):
        return self._upload(payload)

    def upload_dossier(self, payload, ma_cskcb):
        return self._upload(payload)

    def lookup_received(self, ma_lk, day, *, kind, payload_sha256=""):
        return None


def test_offline_worker_keeps_probing_after_the_clock_jumps_back(tmp_path):
    """Probes are timed on the wall clock; a jump back of a day must not silence them for a day."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    key = os.urandom(32)
    clock = JumpClock(START)
    conn = open_connection(data_dir, key, create=True)
    repo = OutboxRepo(conn, clock)
    for i in range(3):
        repo.enqueue("checkin", f"LK{i}", f"LK{i}".encode())
    gw = FlakyGateway()
    settings = SyncSettings(batch_size=4, concurrency=1, backoff_base=0.2, backoff_cap=1.0,
                            reconcile_grace=0.1, idle_poll=0.3, probe_cap=0.3)
    worker = SyncWorker(lambda: open_connection(data_dir, key), gw, facility_code="79001", clock=clock,
                        rng=random.Random(1), settings=settings, lock=WorkerLock.for_data_dir(data_dir))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while worker.connectivity.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.connectivity.online, "the worker never noticed the link was down"
        time.sleep(0.5)                   # a few probes at the old time
        clock.jump(-86400)                # the wall clock goes back a day
        time.sleep(0.3)
        gw.up.set()                       # and the gateway comes back
        deadline = time.monotonic() + 8
        while repo.stats().acked < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert repo.stats().acked == 3, f"outbox stalled after the clock jump: {repo.stats()}"
    finally:
        worker.stop(timeout=10)
        conn.close()

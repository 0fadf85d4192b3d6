"""Retention on an aged database built by real check-ins: purged patients take their visits and
tickets with them, but an upload still waiting for the gateway is never touched."""
from __future__ import annotations

import logging
import os

from ops_helpers import SetClock
from ops_issuing import issuer, people, request

from kiosk.core.clock import FakeClock
from kiosk.ops.jobs import retention_job
from kiosk.store import open_store
from kiosk.store.outbox import Receipt


def test_purge_keeps_pending_uploads_of_purged_patients(tmp_path, signer, caplog):
    start = FakeClock().now()
    clock = SetClock(start)
    key = os.urandom(32)
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key, create=True, clock=clock)
    iss = issuer(store, signer, clock)
    folks = people()
    old = [iss.issue(request(p, "K01")) for p in folks[:3]]            # 400 days ago
    ids = [r[0] for r in store.conn.execute("SELECT id FROM outbox ORDER BY id")]
    with store.transaction():
        store.conn.execute("UPDATE visits SET status = 'closed'")          # the visits ended that day
        store.outbox.ack(ids[0], Receipt("GD-1", "20251020083000", "ok"))
        dossier = store.outbox.enqueue("dossier", "DOSSIER-OLD", b"<signed>dossier</signed>",
                                       store.conn.execute("SELECT id FROM visits ORDER BY id").fetchone()[0])
    waiting = {r["ma_lk"]: bytes(r["payload"]) for r in
               store.conn.execute("SELECT ma_lk, payload FROM outbox WHERE state != 'acked'")}
    assert len(waiting) == 3
    clock.set(start.replace(year=start.year + 1, month=12, day=24))     # 400 days later
    iss.issue(request(folks[3], "K01"))                                  # someone recent
    store.close()

    caplog.set_level(logging.INFO)
    report = retention_job(lambda: open_store(data_dir, key, clock=clock), patient_days=365, receipt_days=30)
    assert (report.patients_purged, report.receipts_pruned) == (3, 1)
    with open_store(data_dir, key, clock=clock) as s:
        assert s.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
        assert s.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
        assert s.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
        rows = {r["ma_lk"]: (bytes(r["payload"]), r["state"], r["visit_id"]) for r in
                s.conn.execute("SELECT ma_lk, payload, state, visit_id FROM outbox WHERE state != 'acked'")}
        assert s.outbox.get(dossier).state.value == "pending"
    for ma_lk, payload in waiting.items():      # still there, same bytes, still waiting (visit link cleared)
        assert rows[ma_lk][0] == payload and rows[ma_lk][1] == "pending" and rows[ma_lk][2] is None
    assert len(old) == 3
    assert "purged 3 patients" in caplog.text
    assert all(p.identity.full_name not in caplog.text for p in folks[:4])


def test_a_large_purge_is_cut_into_short_transactions(tmp_path):
    """4,000 patients over 200 old days (a kiosk switched off for months): never one long lock."""
    from datetime import timedelta

    from kiosk.core.clock import iso
    from kiosk.ops.retention import MAX_STEPS, run_retention
    clock = FakeClock()
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock)
    now = clock.now()
    rows = []
    for d in range(200):
        seen = iso(now - timedelta(days=400 + d))
        rows += [(f"BỆNH NHÂN THỬ {d}-{i}", seen, seen) for i in range(20)]
    recent = iso(now - timedelta(days=30))
    rows += [("BỆNH NHÂN MỚI", recent, recent)] * 50
    with store.transaction():
        store.conn.executemany("INSERT INTO patients (full_name, first_seen, last_seen) VALUES (?, ?, ?)", rows)
        for d in range(100):   # acked receipts over 100 old days
            at = iso(now - timedelta(days=800 + d))
            store.conn.execute("INSERT INTO outbox (kind, ma_lk, payload, payload_sha256, state, created_at, "
                               "updated_at, acked_at) VALUES ('checkin', ?, x'00', '-', 'acked', ?, ?, ?)",
                               (f"LK-{d}", at, at, at))
    per_tx, last = [], [0]

    def trace(sql: str) -> None:
        if sql.startswith("BEGIN"):
            last[0] = store.conn.total_changes
        elif sql.startswith("COMMIT"):
            per_tx.append(store.conn.total_changes - last[0])
    store.conn.set_trace_callback(trace)
    report = run_retention(store, patient_days=365, receipt_days=730)
    store.conn.set_trace_callback(None)
    assert (report.patients_purged, report.receipts_pruned) == (4000, 100)
    assert store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 50
    assert 1 < report.transactions <= 2 * MAX_STEPS
    assert max(per_tx) <= 4000 // 20, f"a transaction changed {max(per_tx)} rows"
    store.close()

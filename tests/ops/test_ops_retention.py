"""Retention job on a synthetic aged database: the right rows go, pending items stay."""
import logging
import os
from datetime import timedelta

from kiosk.core.clock import FakeClock
from kiosk.ops.retention import run_retention
from kiosk.store import open_store
from kiosk.store.outbox import Receipt
from kiosk.store.patients import DocumentInput, PatientInput


def test_retention_purges_old_patients_and_receipts_only(tmp_path, caplog):
    clock = FakeClock()
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock)
    with store.transaction():
        old = store.patients.upsert(PatientInput(full_name="ĐỖ VĂN CŨ", birth_date="1950-01-01", gender=1),
                                    [DocumentInput("cccd", "001050000001")])
        old_pending = store.outbox.enqueue("checkin", "MA_LK_OLD_PENDING", b"<xml>pending</xml>")
        old_acked = store.outbox.enqueue("checkin", "MA_LK_OLD_ACKED", b"<xml>acked</xml>")
        old_dead = store.outbox.enqueue("dossier", "MA_LK_OLD_DEAD", b"<xml>dead</xml>")
        store.outbox.ack(old_acked, Receipt("GD-1", "20241101080000", "ok"))
        store.conn.execute("UPDATE outbox SET state = 'dead' WHERE id = ?", (old_dead,))
    clock.advance(800 * 86400)  # more than both retentions later
    with store.transaction():
        recent = store.patients.upsert(PatientInput(full_name="LÊ THỊ MỚI", birth_date="1990-05-05", gender=2),
                                       [DocumentInput("cccd", "001190000002")])
        new_acked = store.outbox.enqueue("checkin", "MA_LK_NEW_ACKED", b"<xml>new</xml>")
        store.outbox.ack(new_acked, Receipt("GD-2", "20261101080000", "ok"))
    caplog.set_level(logging.INFO)
    report = run_retention(store, patient_days=365, receipt_days=730)
    assert (report.patients_purged, report.receipts_pruned) == (1, 1)
    assert store.patients.get(old.id) is None and store.patients.get(recent.id) is not None
    assert store.patients.find_by_document("cccd", "001050000001") is None  # documents went too
    assert store.outbox.get(old_acked) is None
    assert store.outbox.get(old_pending).state.value == "pending"
    assert store.outbox.get(old_dead).state.value == "dead"
    assert store.outbox.get(new_acked) is not None
    text = caplog.text
    assert "purged 1 patients" in text and "CŨ" not in text and "001050000001" not in text
    store.close()

"""Migration 0004 (identification method, provisional-at-issuing, report indexes) and the report
repository's edges: local days, an empty store, a calling table when one exists."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from kiosk.core.clock import FakeClock
from kiosk.paths import migrations_dir
from kiosk.store.eligibility import EligibilityInput
from kiosk.store.migrate import latest_version, open_store
from kiosk.store.report import utc_bounds
from kiosk.store.visits import VisitInput

from store_helpers import add_patient


def test_new_columns_and_indexes(store):
    cols = {r[1] for r in store.conn.execute("PRAGMA table_info(visits)")}
    assert {"id_method", "checked_provisional"} <= cols
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"visits_report", "outbox_visit", "eligibility_checks_at"} <= names


def test_id_method_is_checked_by_the_database(store):
    p = add_patient(store)
    with pytest.raises(sqlcipher3.IntegrityError):
        with store.transaction():
            store.conn.execute("INSERT INTO visits (ma_lk, patient_id, kiosk_id, visit_day, service_code, "
                               "checked_in_at, updated_at, id_method) VALUES ('X', ?, '1', '2026-11-20', 'K01', "
                               "'t', 't', 'fax')", (p.id,))
    with store.transaction():
        v = store.visits.create(VisitInput("79001-1-0001", p.id, "1", "2026-11-20", "K01", id_method="vneid_qr",
                                           checked_provisional=1))
    assert (v.id_method, v.checked_provisional) == ("vneid_qr", 1)


def test_older_visits_get_checked_provisional_from_their_check(tmp_path):
    """A database at schema 1 with a provisional visit migrates with the visit marked."""
    only_first = tmp_path / "m1"
    only_first.mkdir()
    shutil.copy(Path(migrations_dir()) / "0001_init.sql", only_first)
    key, data = os.urandom(32), tmp_path / "data"
    s = open_store(data, key, create=True, migrations_dir=only_first, clock=FakeClock())
    p = add_patient(s)
    with s.transaction():
        prov = s.eligibility.insert(EligibilityInput(card_number="DN4797932123456", verdict="provisional",
                                                     provisional=True, patient_id=p.id))
        s.conn.execute("INSERT INTO visits (ma_lk, patient_id, kiosk_id, visit_day, service_code, status, "
                       "eligibility_id, checked_in_at, updated_at) VALUES ('A', ?, '1', '2026-11-20', 'K01', "
                       "'waiting', ?, 't', 't')", (p.id, prov.id))
        s.conn.execute("INSERT INTO visits (ma_lk, patient_id, kiosk_id, visit_day, service_code, status, "
                       "checked_in_at, updated_at) VALUES ('B', ?, '1', '2026-11-20', 'K01', 'waiting', 't', 't')",
                       (p.id,))
    s.close()
    s = open_store(data, key, clock=FakeClock())
    try:
        assert s.schema_version == latest_version()
        got = dict(s.conn.execute("SELECT ma_lk, checked_provisional FROM visits").fetchall())
        assert got == {"A": 1, "B": 0}
        assert s.conn.execute("SELECT count(*) FROM visits WHERE id_method IS NULL").fetchone()[0] == 2
        assert s.report.receptions("2026-11-20", "2026-11-20") == [
            {"day": "2026-11-20", "kiosk_id": "1", "id_method": "unknown", "n": 2}]
    finally:
        s.close()


def test_local_day_bounds_are_vietnam_midnights():
    assert utc_bounds("2026-11-23", "2026-11-29") == ("2026-11-22T17:00:00+00:00", "2026-11-29T17:00:00+00:00")


def test_a_check_at_local_midnight_counts_on_the_new_day(store, clock):
    from datetime import datetime, timezone
    for moment in (datetime(2026, 11, 22, 16, 59, 59, tzinfo=timezone.utc),
                   datetime(2026, 11, 22, 17, 0, 0, tzinfo=timezone.utc)):
        clock._now = moment
        with store.transaction():
            store.eligibility.insert(EligibilityInput(card_number="DN4797932123456", verdict="valid", result_code="000"))
    assert store.report.card_checks("2026-11-23", "2026-11-23") == [
        {"day": "2026-11-23", "result_code": "000", "verdict": "valid", "provisional": False, "n": 1}]
    assert [r["day"] for r in store.report.card_checks("2026-11-22", "2026-11-23")] == ["2026-11-22", "2026-11-23"]


def test_empty_store_gives_empty_rows(store):
    r = store.report
    for fn in (r.receptions, r.card_checks, r.provisional_outcomes, r.uploads, r.upload_delays,
               r.priority_served, r.waiting_times):
        assert fn("2026-11-23", "2026-11-29") == []
    assert r.calling_available() is None


def test_waiting_times_when_a_calling_table_exists(store):
    """The seam for the calling wing: a table of calls (ticket_id, called_at[, finished_at])."""
    from store_helpers import add_visit_with_ticket
    p = add_patient(store)
    _, t1 = add_visit_with_ticket(store, p, ma_lk="A1", day="2026-11-23")
    p2 = add_patient(store, cccd="001080012346", bhyt=None)
    _, t2 = add_visit_with_ticket(store, p2, ma_lk="A2", day="2026-11-23")
    with store.transaction():
        store.conn.execute("CREATE TABLE ticket_calls (id INTEGER PRIMARY KEY, ticket_id INTEGER, called_at TEXT, "
                           "finished_at TEXT)")
        store.conn.execute("UPDATE tickets SET issued_at = '2026-11-23T01:00:00+00:00'")
        for tid, called, done in ((t1.id, "2026-11-23T01:10:00+00:00", "2026-11-23T01:15:00+00:00"),
                                  (t1.id, "2026-11-23T01:40:00+00:00", None),       # a second call
                                  (t2.id, "2026-11-23T01:30:00+00:00", "2026-11-23T01:32:00+00:00")):
            store.conn.execute("INSERT INTO ticket_calls (ticket_id, called_at, finished_at) VALUES (?, ?, ?)",
                               (tid, called, done))
    assert store.report.calling_available() == ("ticket_calls", "finished_at")
    [row] = store.report.waiting_times("2026-11-23", "2026-11-29")
    # waits 600 s and 1800 s (first call only): nearest-rank median 600, p95 1800; service 300 s and 120 s
    assert (row["called"], row["wait_median_s"], row["wait_p95_s"], row["service_median_s"]) == (2, 600, 1800, 120)

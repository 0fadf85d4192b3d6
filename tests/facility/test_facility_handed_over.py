"""A handed-over upload has its own local state (migration 0008): never re-queued, never uploaded by
the kiosk, shown as handed to the hub (and its receipt once pulled), counted apart by the report."""
from __future__ import annotations

import json
import shutil

from kiosk.cli import main
from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import handover
from kiosk.store.keys import FileKeyProvider
from tests.facility.helpers import hub_rows, node


def _offline(k, people):
    k.set_reachable(False)
    out = [k.checkin(crowd_person(i), "K01") for i in people]
    k.set_reachable(True)
    return out


def _states(store) -> dict[str, int]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")}


def test_migration_0008_rebuilds_the_outbox_with_its_data_indexes_and_triggers(tmp_path):
    from kiosk.paths import migrations_dir
    from kiosk.store.db import connect
    from kiosk.store.migrate import migrate, schema_version
    old = tmp_path / "mig7"
    old.mkdir()
    for p in sorted(migrations_dir().glob("000[1-7]_*.sql")):
        shutil.copy(p, old / p.name)
    key = bytes(range(32))
    conn = connect(tmp_path / "data" / "kiosk.db", key, create=True)
    try:
        assert migrate(conn, old).after == 7
        now = "2026-11-20T01:30:00+00:00"
        rows = [("checkin", "L-1", "pending", None, None), ("checkin", "L-2", "dead", "205", None),
                ("checkin", "L-3", "dead", "handed_over", None), ("dossier", "L-4", "acked", None, "GD-4"),
                ("dossier", "L-5", "dead", "handed_over", None)]
        conn.execute("BEGIN")
        for i, (kind, ma_lk, state, code, mgd) in enumerate(rows, start=10):
            conn.execute("INSERT INTO outbox (id, kind, ma_lk, payload, payload_sha256, state, last_code, created_at, "
                         "updated_at, receipt_ma_giao_dich) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (i, kind, ma_lk, f"<x{i}/>".encode(), f"h{i}", state, code, now, now, mgd))
        conn.execute("COMMIT")
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                              "AND tbl_name = 'outbox' AND sql IS NOT NULL")}
        assert {"outbox_kind_ma_lk", "outbox_due", "outbox_visit"} <= indexes

        # up to 0008 only: later migrations may add triggers of their own (0009: appointments)
        for p in migrations_dir().glob("0008_*.sql"):
            shutil.copy(p, old / p.name)
        assert migrate(conn, old).after == 8 and schema_version(conn) == 8
        got = conn.execute("SELECT id, ma_lk, state, last_code, payload, receipt_ma_giao_dich FROM outbox "
                           "ORDER BY id").fetchall()
        assert [tuple(r) for r in got] == [
            (10, "L-1", "pending", None, b"<x10/>", None), (11, "L-2", "dead", "205", b"<x11/>", None),
            (12, "L-3", "handed_over", "handed_over", b"<x12/>", None), (13, "L-4", "acked", None, b"<x13/>", "GD-4"),
            (14, "L-5", "handed_over", "handed_over", b"<x14/>", None)]
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} == triggers
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                           "AND tbl_name = 'outbox' AND sql IS NOT NULL")} == indexes
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # the unique (kind, MA_LK) index came back, and the CHECK knows the new state and only it
        import pytest
        import sqlcipher3
        with pytest.raises(sqlcipher3.IntegrityError):
            conn.execute("INSERT INTO outbox (kind, ma_lk, payload, payload_sha256, created_at, updated_at) "
                         "VALUES ('checkin', 'L-1', x'00', 'h', ?, ?)", (now, now))
        with pytest.raises(sqlcipher3.IntegrityError):
            conn.execute("UPDATE outbox SET state = 'lost' WHERE id = 10")
        plan = " ".join(str(r[3]) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_ts <= 5"))
        assert "outbox_due" in plan
    finally:
        conn.close()


def test_handed_over_items_are_never_requeued_or_uploaded_here(hub, tmp_path, signer, gateway, sim, capsys):
    from kiosk.gateway.sim.server import admin_call
    from kiosk.store.migrate import open_connection
    from kiosk.sync.worker import SyncWorker
    key_file = tmp_path / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    k = node(tmp_path, "1", hub, signer, FakeClock(), key=key)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{k.store_dir}"\nkey_file = "{key_file}"\nfacility_code = "79001"\n')
    try:
        _offline(k, range(4))
        assert k.sync(hand_over=True)["handed_over"] == 4
        assert _states(k.store) == {"handed_over": 4}
        stats = k.store.outbox.stats()
        assert (stats.dead, stats.pending, stats.handed_over) == (0, 0, 4)

        # `kiosk sync retry --dead` re-queues refused items only
        assert main(["--config", str(cfg), "sync", "retry", "--dead"]) == 0
        capsys.readouterr()
        assert _states(k.store) == {"handed_over": 4}

        # the kiosk's own upload worker finds nothing to send
        worker = SyncWorker(lambda: open_connection(k.store_dir, key), gateway, facility_code="79001",
                            clock=FakeClock())
        rep = worker.run_once()
        assert (rep.leased, rep.acked) == (0, 0)
        assert admin_call(sim.url, "/admin/received?xml=0", timeout=30) == []

        assert main(["--config", str(cfg), "sync", "status"]) == 0
        out = capsys.readouterr().out
        assert "dead     0" in out and "handed   4 (handed to the hub" in out
        assert out.count("handed to the hub, waiting for its upload") == 4

        # the hub worker uploads them once; their receipts come back with the next pull
        from kiosk.facility.worker import HubUploadWorker
        with hub.connect("hub_worker") as conn:
            assert HubUploadWorker(conn, gateway, "79001").run_once().acked == 4
        assert k.sync()["receipts_in"] == 4
        assert _states(k.store) == {"acked": 4}
        assert main(["--config", str(cfg), "sync", "status", "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        hub_receipts = {r[0]: r[1] for r in hub_rows(hub, "SELECT ma_lk, receipt_ma_giao_dich FROM outbox")}
        assert {d["ma_lk"]: d["receipt"] for d in doc["handed_to_hub"]} == hub_receipts
        assert all(v for v in hub_receipts.values()) and doc["handed_over"] == 0 and doc["acked"] == 4
        held = [r["ma_lk"] for r in admin_call(sim.url, "/admin/received?xml=0", timeout=30)]
        assert sorted(held) == sorted(hub_receipts) and len(set(held)) == 4
    finally:
        k.close()


def test_a_handover_in_flight_keeps_the_local_worker_away(hub, tmp_path, signer):
    """Between the hub's commit and the local park, the kiosk's worker must not lease the item."""
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline(k, range(3))
        with hub.connect() as conn:
            k.pusher.push(conn)
            import pytest
            with pytest.raises(SystemExit):
                handover.hand_over(conn, k.store, "1", crash_after_hub_commit=True)
            with k.store.transaction():
                assert k.store.outbox.lease_due("local-worker", 10, 60.0) == []
            assert k.store.outbox.stats().sending == 3                # held by the hand-over, not the worker
            # the kiosk restarts before its link reconciles: the sync worker takes back every orphan
            # lease at start-up (and, an hour later, every expired one) but never a hand-over's:
            # only the hub can say whether it took them
            k.store.clock.advance(7200)
            with k.store.transaction():
                assert k.store.outbox.reclaim_leases(expired_only=False) == 0
                assert k.store.outbox.reclaim_leases() == 0
                assert k.store.outbox.lease_due("local-worker", 10, 60.0) == []
            assert handover.reconcile(conn, k.store, "1") == 3
        assert _states(k.store) == {"handed_over": 3}
        assert hub_rows(hub, "SELECT DISTINCT owner FROM outbox") == [("hub",)]
    finally:
        k.close()


def test_a_handover_the_hub_never_committed_gives_the_items_back(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline(k, range(2))
        with hub.connect() as conn:
            k.pusher.push(conn)
        from kiosk.store.facility_feed import FacilityFeedRepo
        feed = FacilityFeedRepo(k.store.conn, k.store.clock)
        with k.store.transaction():          # a kiosk killed right after reserving, before the hub commit
            assert len(feed.reserve_for_handover([i["id"] for i in feed.pending_outbox(10)])) == 2
        with hub.connect() as conn:
            assert handover.reconcile(conn, k.store, "1") == 0
        assert _states(k.store) == {"pending": 2}
        assert hub_rows(hub, "SELECT DISTINCT owner FROM outbox") == [("kiosk:1",)]
    finally:
        k.close()


def test_weekly_report_counts_handed_over_apart(hub, tmp_path, signer):
    from kiosk.report.figures import build_report
    from kiosk.report.period import span
    from kiosk.report.source import store_source
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        _offline(k, range(3))
        with hub.connect() as conn:
            k.pusher.push(conn)
            feed_ids = [i["id"] for i in k.pusher.feed.pending_outbox(1)]
            handover.hand_over(conn, k.store, "1", limit=2)
        assert feed_ids and _states(k.store) == {"handed_over": 2, "pending": 1}
        day = k.store.conn.execute("SELECT visit_day FROM visits LIMIT 1").fetchone()[0]
        report = build_report(store_source(k.store), span(day, day))
        rows = [r for r in report.table("uploads").rows if r["period"] == day]
        assert sum(r["handed_over"] for r in rows) == 2 and sum(r["dead"] for r in rows) == 0
        assert sum(r["waiting"] for r in rows) == 1 and sum(r["sent"] for r in rows) == 3
        assert not [r for r in report.table("dead_reasons").rows if r["reason"] == "handed_over"]
    finally:
        k.close()

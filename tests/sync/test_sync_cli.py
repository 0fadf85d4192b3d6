"""`kiosk sync status|retry|export-receipts` on a real database, through the real CLI entry point."""
from __future__ import annotations

import csv
import io
import json

import pytest

from kiosk.cli import main
from kiosk.security.audit_log import AuditLog
from kiosk.store.keys import FileKeyProvider
from kiosk.store import open_store
from kiosk.store.outbox import Receipt


@pytest.fixture
def kiosk_env(tmp_path):
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{data_dir}"\nkey_file = "{key_file}"\nfacility_code = "79001"\n')
    store = open_store(data_dir, key, create=True)
    with store.transaction():
        a = store.outbox.enqueue("checkin", "79001-1-A", b"<a/>")
        b = store.outbox.enqueue("dossier", "79001-1-A", b"<b/>")
        c = store.outbox.enqueue("checkin", "79001-1-C", b"<c/>")
        store.outbox.lease_due("w", 3, 60.0)
        store.outbox.ack(a, Receipt("GD-A", "2026-11-20T08:30:00+07:00", "ok"))
        store.outbox.mark_dead(b, "w", code="205", message="MA_CSKCB không khớp")
        store.outbox.schedule_retry(c, "w", delay=0, code="NET", error=None, needs_reconcile=False)
    store.close()
    return {"cfg": str(cfg), "key": key, "data_dir": data_dir, "ids": (a, b, c)}


def run(capsys, env, *argv):
    code = main(["--config", env["cfg"], "sync", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_status_json_and_text(capsys, kiosk_env):
    code, out, _ = run(capsys, kiosk_env, "status", "--json")
    doc = json.loads(out)
    assert code == 0
    assert (doc["pending"], doc["sending"], doc["acked"], doc["dead"]) == (1, 0, 1, 1)
    assert doc["oldest_pending_age_s"] is not None and doc["last_success_at"]
    assert doc["dead_items"][0]["code"] == "205"
    code, out, _ = run(capsys, kiosk_env, "status")
    assert "pending  1" in out and "dead     1" in out and "MA_CSKCB không khớp" in out


def test_export_receipts_csv_and_json(capsys, kiosk_env, tmp_path):
    code, out, _ = run(capsys, kiosk_env, "export-receipts")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows == [{"ma_lk": "79001-1-A", "kind": "checkin", "ma_giao_dich": "GD-A",
                                   "time": "2026-11-20T08:30:00+07:00", "acked_at": rows[0]["acked_at"]}]
    target = tmp_path / "r.json"
    code, _, err = run(capsys, kiosk_env, "export-receipts", "--format", "json", "--out", str(target))
    assert code == 0 and "1 receipt" in err
    assert [r["ma_giao_dich"] for r in json.loads(target.read_text())] == ["GD-A"]


def test_retry_one_and_all_dead_is_audited(capsys, kiosk_env):
    a, b, c = kiosk_env["ids"]
    code, _, err = run(capsys, kiosk_env, "retry", str(a))    # acked: nothing to resend
    assert code == 1 and "not dead" in err
    code, out, _ = run(capsys, kiosk_env, "retry", str(b))
    assert code == 0 and "1 item" in out
    code, out, _ = run(capsys, kiosk_env, "retry", "--dead")
    assert code == 0 and out.startswith("0 item")
    store = open_store(kiosk_env["data_dir"], kiosk_env["key"])
    with store:
        assert store.outbox.get(b).state.value == "pending" and store.outbox.get(b).payload == b"<b/>"
        entries = list(store.audit.iter_all())
        assert [e["action"] for e in entries] == ["outbox.resend", "outbox.resend_dead"]
        # no technician signed in: the audit says it ran as the OS user with the key file (L3)
        assert {e["role"] for e in entries} == {"os-user"} and all("key file" in e["details"] for e in entries)
        assert AuditLog(store).verify().ok


@pytest.mark.integration
def test_run_once_drains_to_the_simulator(capsys, tmp_path, signed_factory):
    from kiosk.demo.sim_cards import start_demo_simulator
    from sync_signed import broken_signature
    from test_sync_crash import write_config
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    store = open_store(data_dir, key, create=True)
    with store.transaction():
        good = [store.outbox.enqueue("checkin", f"79001-CLI-{i}", signed_factory.checkin(f"79001-CLI-{i}", i))
                for i in range(3)]
        bad = store.outbox.enqueue("checkin", "79001-CLI-X", broken_signature(signed_factory.checkin("79001-CLI-X")))
    with start_demo_simulator(tmp_path / "sim", facility_cert_pem=signed_factory.cert_pem) as sim:
        cfg = tmp_path / "kiosk.toml"
        write_config(cfg, data_dir, key_file, sim.url)
        code = main(["--config", str(cfg), "sync", "run", "--once"])
        out = capsys.readouterr().out
        held = sim.received(with_xml=False)
    assert code == 0 and "acked 3" in out and "dead 1" in out
    assert sorted(r["ma_lk"] for r in held) == [f"79001-CLI-{i}" for i in range(3)]
    with store:
        assert all(store.outbox.get(i).receipt.ma_giao_dich == r["ma_giao_dich"]
                   for i, r in zip(good, sorted(held, key=lambda r: r["ma_lk"])))
        assert store.outbox.get(bad).state.value == "dead"

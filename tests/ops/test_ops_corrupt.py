"""A damaged database: the kiosk starts in maintenance with the reason, and the unsent outbox
items of the last good backup are recovered into the replacement database, bytes unchanged."""
from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone

import pytest

from ops_issuing import issuer, people, request

from kiosk.core.clock import FakeClock
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HealthState, database_health, startup_health
from kiosk.ops.recovery import recover_outbox_from_backup
from kiosk.store.backup import backup_dir, take_backup
from kiosk.store.db import WrongKeyError, db_path
from kiosk.store import open_store
from kiosk.store.outbox import Receipt

ROOMY = DiskGuard(".", 1, usage=lambda p: 10_000.0)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def unsent(store) -> dict:
    return {r["ma_lk"]: (r["kind"], bytes(r["payload"]), r["payload_sha256"], r["state"])
            for r in store.conn.execute("SELECT * FROM outbox WHERE state != 'acked'")}


@pytest.fixture
def box(tmp_path, signer):
    """A kiosk database with 5 check-ins (1 acked, 1 dead, 1 leased, 2 pending) and a backup of it."""
    clock = FakeClock()
    key = os.urandom(32)
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key, create=True, clock=clock)
    iss = issuer(store, signer, clock)
    for p in people()[:5]:
        iss.issue(request(p, "K01"))
    ids = [r[0] for r in store.conn.execute("SELECT id FROM outbox ORDER BY id")]
    with store.transaction():
        store.outbox.ack(ids[0], Receipt("GD-1", "20261120083000", "ok"))
        store.conn.execute("UPDATE outbox SET state = 'dead', last_code = '205' WHERE id = ?", (ids[1],))
        store.outbox.lease_due("old-worker", 1, 60.0)
    expected = unsent(store)
    assert sorted(s for *_, s in expected.values()) == ["dead", "pending", "pending", "sending"]
    backup = take_backup(store.conn, key, backup_dir(data_dir), NOW).path
    later = iss.issue(request(people()[5], "K01"))          # after the backup: not in it
    store.close()
    return data_dir, key, backup, expected, later


def damage(path, offset: int, length: int = 64) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(os.urandom(length))


def test_damaged_page_means_maintenance_with_the_reason(box):
    data_dir, key, *_ = box
    assert database_health(data_dir, key).ok
    damage(db_path(data_dir), 4096 * 3 + 200)               # inside the 4th page
    h = startup_health(data_dir, key, ROOMY)
    assert h.state is HealthState.MAINTENANCE and h.reason == "database_corrupt"
    assert "integrity" in h.detail and "bảo trì" in h.message_vi and "maintenance" in h.message_en


def test_damaged_first_page_is_told_apart_from_a_wrong_key(box):
    data_dir, key, *_ = box
    assert database_health(data_dir, os.urandom(32)).reason == "wrong_key"
    damage(db_path(data_dir), 100)
    h = database_health(data_dir, key)
    assert h.state is HealthState.MAINTENANCE and h.reason == "database_corrupt"
    assert "newest backup opens" in h.detail
    assert database_health(data_dir, os.urandom(32)).reason == "wrong_key"


def test_missing_database_is_maintenance(tmp_path):
    h = startup_health(tmp_path, os.urandom(32), ROOMY)
    assert h.state is HealthState.MAINTENANCE and h.reason == "database_missing"


def test_outbox_recovered_into_a_fresh_database(box, tmp_path):
    data_dir, key, backup, expected, _ = box
    damage(db_path(data_dir), 4096 * 3 + 200)
    aside = tmp_path / "damaged"
    aside.mkdir()
    for f in data_dir.glob("kiosk.db*"):
        shutil.move(str(f), aside / f.name)
    live = open_store(data_dir, key, create=True, clock=FakeClock())
    report = recover_outbox_from_backup(backup, key, live)
    assert report.copied == 4 and report.already_present == 0
    assert report.by_state == {"pending": 2, "sending": 1, "dead": 1}
    got = unsent(live)
    assert {k: v[:3] for k, v in got.items()} == {k: v[:3] for k, v in expected.items()}   # same bytes
    states = {k: v[3] for k, v in got.items()}
    sent_before = [k for k, v in expected.items() if v[3] == "sending"][0]
    assert states[sent_before] == "pending"                 # an ambiguous attempt: pending ...
    assert live.outbox.find("checkin", sent_before).needs_reconcile   # ... and asked about first
    assert sorted(states.values()) == ["dead", "pending", "pending", "pending"]
    again = recover_outbox_from_backup(backup, key, live)    # idempotent
    assert (again.copied, again.already_present) == (0, 4)
    live.close()


def test_recovery_adds_only_what_the_live_database_lacks(box):
    """Restored from the backup, then the kiosk went on: recovery from the same backup adds nothing
    and never duplicates or overwrites items the live database already has."""
    data_dir, key, backup, expected, later = box
    live = open_store(data_dir, key, clock=FakeClock())
    with live.transaction():
        live.conn.execute("DELETE FROM outbox WHERE ma_lk = ?", (sorted(expected)[0],))   # one went missing
    before = unsent(live)
    report = recover_outbox_from_backup(backup, key, live)
    assert report.copied == 1 and report.already_present == 3
    after = unsent(live)
    assert len(after) == len(before) + 1
    assert all(after[k] == v for k, v in before.items())
    live.close()


def test_recovery_with_the_wrong_key_writes_nothing(box, tmp_path):
    data_dir, key, backup, *_ = box
    live = open_store(tmp_path / "fresh", key, create=True, clock=FakeClock())
    with pytest.raises(WrongKeyError):
        recover_outbox_from_backup(backup, os.urandom(32), live)
    assert live.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    live.close()


def test_nightly_backup_refuses_a_damaged_live_database(box):
    from kiosk.ops.jobs import LiveDatabaseDamaged, nightly_backup
    from kiosk.store.backup import list_backups
    data_dir, key, backup, *_ = box
    damage(db_path(data_dir), 4096 * 3 + 200)
    heard = []
    with pytest.raises(LiveDatabaseDamaged):
        nightly_backup(lambda: open_store(data_dir, key), key, data_dir, 0, NOW.replace(year=2027),
                       on_damage=heard.append)
    assert [b.path for b in list_backups(backup_dir(data_dir))] == [backup]   # the good one stays
    assert heard and heard[0].state is HealthState.MAINTENANCE and heard[0].reason == "database_corrupt"

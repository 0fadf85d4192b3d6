"""Backup and restore through the CLI (a wrong key refused, nothing touched), and the `kiosk ops`
commands on a real database with real check-ins."""
from __future__ import annotations

import json
import os

import pytest

from ops_issuing import issuer, people, request

from kiosk.cli import main
from kiosk.core.clock import FakeClock
from kiosk.store.backup import backup_dir, list_backups
from kiosk.store.keys import FileKeyProvider
from kiosk.store import open_store
from kiosk.sync.lock import WorkerLock


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("KIOSK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))   # no stray kiosk.toml


@pytest.fixture
def kiosk(tmp_path, capsys):
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key_file.parent.mkdir(mode=0o700)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*argv[:2], "--data-dir", str(data_dir), *argv[2:]] if argv[0] in ("db", "ops")
                    else list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err
    run.data_dir, run.key_file = data_dir, key_file
    return run


def visits(data_dir, key) -> int:
    with open_store(data_dir, key) as s:
        return s.conn.execute("SELECT count(*) FROM visits").fetchone()[0]


def checkins(data_dir, key, signer, folks, clock=None) -> None:
    clock = clock or FakeClock()
    with open_store(data_dir, key, clock=clock) as s:
        iss = issuer(s, signer, clock)
        for p in folks:
            iss.issue(request(p, "K02"))


def test_backup_restore_round_trip_and_wrong_key_refused(kiosk, tmp_path, signer):
    kf = str(kiosk.key_file)
    assert kiosk("db", "init", "--key-file", kf)[0] == 0
    key = FileKeyProvider(kiosk.key_file).load()
    checkins(kiosk.data_dir, key, signer, people()[:2])
    code, out, _ = kiosk("db", "backup", "--key-file", kf)
    assert code == 0 and "kiosk-" in out
    [info] = list_backups(backup_dir(kiosk.data_dir))
    assert oct(info.path.stat().st_mode & 0o777) == "0o600" and b"SQLite format 3" not in info.path.read_bytes()[:16]
    checkins(kiosk.data_dir, key, signer, people()[2:3])            # the live database moves on
    assert visits(kiosk.data_dir, key) == 3

    wrong = tmp_path / "keys" / "other.key"
    FileKeyProvider(wrong).create()
    live_bytes = (kiosk.data_dir / "kiosk.db").read_bytes()
    code, out, err = kiosk("db", "restore", "--latest", "--key-file", str(wrong))
    assert code == 1 and "wrong key" in err and "Nothing was changed" in err
    assert (kiosk.data_dir / "kiosk.db").read_bytes() == live_bytes
    assert visits(kiosk.data_dir, key) == 3

    lock = WorkerLock.for_data_dir(kiosk.data_dir)                    # the kiosk is running
    lock.acquire()
    try:
        code, _, err = kiosk("db", "restore", str(info.path), "--key-file", kf)
        assert code == 1 and "stop the kiosk" in err
    finally:
        lock.release()
    assert visits(kiosk.data_dir, key) == 3

    code, out, _ = kiosk("db", "restore", str(info.path), "--key-file", kf)
    assert code == 0 and "restored" in out and "kept as" in out
    assert visits(kiosk.data_dir, key) == 2
    assert list(kiosk.data_dir.glob("kiosk.db.replaced-*"))
    assert kiosk("db", "check", "--key-file", kf)[0] == 0
    code, out, _ = kiosk("db", "backups")
    assert info.path.name in out

    code, _, err = kiosk("db", "restore", str(tmp_path / "nope.bak"), "--key-file", kf)
    assert code == 1 and "no backup file" in err


def test_ops_commands(kiosk, signer):
    kf = str(kiosk.key_file)
    assert kiosk("db", "init", "--key-file", kf)[0] == 0
    key = FileKeyProvider(kiosk.key_file).load()
    checkins(kiosk.data_dir, key, signer, people()[:3])

    code, out, _ = kiosk("ops", "metrics-once", "--key-file", kf)
    assert code == 0
    assert 'kiosk_checkins{facility="",kiosk="1"} 3.0' in out
    assert 'kiosk_outbox_items{facility="",kiosk="1",state="pending"} 3.0' in out

    code, out, _ = kiosk("ops", "backup-now", "--key-file", kf)
    assert code == 0 and "pruned 0, 1 kept" in out

    code, out, _ = kiosk("ops", "retention-now", "--key-file", kf)
    assert code == 0 and "purged 0 patients" in out and "pruned 0 receipts" in out

    code, out, _ = kiosk("ops", "health", "--key-file", kf)
    assert code == 0 and json.loads(out)["state"] == "ok"

    backup = list_backups(backup_dir(kiosk.data_dir))[-1].path
    code, out, _ = kiosk("ops", "recover-outbox", str(backup), "--key-file", kf)
    assert code == 0 and "copied 0 outbox items" in out and "3 were already there" in out

    with open(kiosk.data_dir / "kiosk.db", "r+b") as fh:     # damage a page
        fh.seek(4096 * 3 + 100)
        fh.write(os.urandom(64))
    code, out, _ = kiosk("ops", "health", "--key-file", kf)
    assert code == 1 and json.loads(out)["state"] == "maintenance"
    assert json.loads(out)["reason"] == "database_corrupt"


def test_doctor_json_has_a_disk_row(kiosk):
    code, out, _ = kiosk("doctor", "--json", "--data-dir", str(kiosk.data_dir))
    rows = {c["name"]: c for c in json.loads(out)["checks"]}
    assert rows["disk space"]["status"] == "ok" and "MiB free" in rows["disk space"]["detail"]

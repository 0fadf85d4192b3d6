"""A damaged store is never mistaken for a new one, never backed up, never a traceback (red-team M5, L4, L5, L8).

Every kind of header damage is refused by every command with the same staff wording, leaves the file
byte for byte as it was, takes no backup and leaves no temp file; a damaged page is named in one line;
a -wal deleted after an unclean stop is reported by `kiosk db check` and `kiosk doctor`.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.store.db import db_path

PROJECT = Path(__file__).resolve().parents[2]

COMMANDS = (
    ["db", "check"], ["db", "backup"], ["db", "rekey", "--new-key-file", "{tmp}/new.key"], ["db", "migrate"],
    ["sync", "status"], ["sync", "run", "--until-drained"], ["sync", "retry", "--dead"], ["sync", "export-receipts"],
    ["queue", "list"], ["report", "weekly"], ["audit", "verify"], ["audit", "export"], ["staff", "list"],
    ["ops", "health"], ["ops", "backup-now"], ["ops", "retention-now"], ["db", "init", "--key-file", "{key}"],
)


def _damage(path: Path, kind: str) -> None:
    raw = bytearray(path.read_bytes())
    if kind == "zero-bytes":
        path.write_bytes(b"")
    elif kind == "shorter-than-a-page":
        path.write_bytes(bytes(raw[:1000]))
    elif kind == "blank-header":
        raw[:4096] = bytes(4096)
        path.write_bytes(bytes(raw))
    elif kind == "not-whole-pages":
        path.write_bytes(bytes(raw) + b"\0\0")
    elif kind == "plain-sqlite":
        path.unlink()
        plain = sqlite3.connect(path)
        plain.execute("CREATE TABLE t (x)")
        plain.commit()
        plain.close()
    else:
        raise AssertionError(kind)


@pytest.fixture
def kiosk_dir(tmp_path, monkeypatch):
    data, key_file = tmp_path / "data", tmp_path / "k" / "db.key"
    assert cli.main(["--data-dir", str(data), "db", "init", "--key-file", str(key_file)]) == 0
    assert cli.main(["--data-dir", str(data), "db", "backup", "--key-file", str(key_file)]) == 0
    monkeypatch.setenv("KIOSK_KEY_FILE", str(key_file))
    return data, key_file


def _files(data: Path) -> set[str]:
    """The database's files, the backups and any temp file (logs and the worker's lock may come and go)."""
    return {str(p.relative_to(data)) for p in data.rglob("*")
            if p.is_file() and not p.is_relative_to(data / "logs") and p.name != "sync.lock"}


def _run(data: Path, argv: list[str], capsys, tmp: Path, key: Path) -> tuple[int, str]:
    import logging
    argv = [a.format(tmp=tmp, key=key) for a in argv]
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        code = cli.main(["--data-dir", str(data), *argv])
    finally:   # a command's log handler holds this test's captured stderr: not the next test's
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("kind", ["zero-bytes", "shorter-than-a-page", "blank-header", "not-whole-pages",
                                  "plain-sqlite"])
def test_a_headerless_database_is_refused_by_every_command(kind, kiosk_dir, tmp_path, capsys):
    data, key_file = kiosk_dir
    path = db_path(data)
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    _damage(path, kind)
    before, files = path.read_bytes(), _files(data)
    capsys.readouterr()
    for argv in COMMANDS:
        code, text = _run(data, argv, capsys, tmp_path, key_file)
        assert code != 0, (argv, text)
        assert "damaged" in text, (argv, text)
        assert "key does not match" not in text, (argv, text)
        assert "Traceback" not in text, (argv, text)
        assert path.read_bytes() == before, argv             # nothing wrote a schema or header into it
        assert _files(data) == files, (argv, _files(data) ^ files)   # no backup, no .tmp, no new key
    assert not (tmp_path / "new.key").exists()


def test_a_damaged_first_page_is_damage_when_the_newest_backup_opens(kiosk_dir, capsys, tmp_path):
    data, key_file = kiosk_dir
    path = db_path(data)
    raw = bytearray(path.read_bytes())
    raw[2000:2016] = bytes(b ^ 0xFF for b in raw[2000:2016])
    path.write_bytes(bytes(raw))
    code, text = _run(data, ["sync", "status"], capsys, tmp_path, key_file)
    assert code == 1 and "damaged" in text and "first page" in text and "key does not match" not in text
    for backup in (data / "backups").glob("*.bak"):
        backup.unlink()                 # no evidence the key is right: a wrong key stays the honest guess
    code, text = _run(data, ["sync", "status"], capsys, tmp_path, key_file)
    assert code == 1 and "key does not match" in text


def _flip_page(path: Path, page: int) -> None:
    raw = bytearray(path.read_bytes())
    at = 4096 * page + 100
    raw[at:at + 16] = bytes(b ^ 0xFF for b in raw[at:at + 16])
    path.write_bytes(bytes(raw))


def test_a_corrupted_page_is_one_staff_line_and_never_backed_up_or_rekeyed(kiosk_dir, capsys, tmp_path):
    data, key_file = kiosk_dir
    path = db_path(data)
    _flip_page(path, 10)
    backups_before = sorted((data / "backups").iterdir())
    key_before = key_file.read_bytes()
    for argv in (["db", "check"], ["db", "backup"], ["db", "rekey", "--new-key-file", "{tmp}/new.key"],
                 ["db", "rekey", "--new-key-file", "{key}"], ["ops", "backup-now"]):
        code, text = _run(data, argv, capsys, tmp_path, key_file)
        assert code == 1, (argv, text)
        assert "Traceback" not in text and "MemoryError" not in text, (argv, text)
        assert ("page 11" in text or argv[0] == "ops") and ("damaged" in text or "integrity" in text), (argv, text)
        assert "restore" in text, (argv, text)
        assert sorted((data / "backups").iterdir()) == backups_before, argv   # no backup, no leftover .tmp
    assert key_file.read_bytes() == key_before
    assert not (tmp_path / "new.key").exists() and not Path(str(key_file) + ".next").exists()
    code, text = _run(data, ["db", "check"], capsys, tmp_path, key_file)
    assert "the kiosk cannot trust it" in text and "SQL logic error" in text.split("\nintegrity_check:")[1]


def test_restore_replaces_a_damaged_database_and_keeps_it_aside(kiosk_dir, capsys, tmp_path):
    data, key_file = kiosk_dir
    path = db_path(data)
    path.write_bytes(b"")
    code, text = _run(data, ["db", "restore", "--latest"], capsys, tmp_path, key_file)
    assert code == 0, text
    assert [p.stat().st_size for p in data.glob("kiosk.db.replaced-*")] == [0]
    code, text = _run(data, ["db", "check"], capsys, tmp_path, key_file)
    assert code == 0 and "write-ahead log" not in text, text


KILLED_WRITER = """
import os, sys
from kiosk.store.migrate import open_connection
conn = open_connection(sys.argv[1], open(sys.argv[2], "rb").read())
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("CREATE TABLE IF NOT EXISTS t_wal_probe (x)")
for i in range(50):
    conn.execute("INSERT INTO t_wal_probe VALUES (?)", (i,))
os._exit(0)      # as a SIGKILL: no close, the commits live only in the -wal
"""


def test_a_deleted_wal_after_an_unclean_stop_is_reported(kiosk_dir, capsys, tmp_path):
    from kiosk.config import load
    from kiosk.doctor import FAIL, check_database
    data, key_file = kiosk_dir
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(data), str(key_file)], env=env, check=True, cwd=PROJECT)
    path = db_path(data)
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    wal.unlink()
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    code, text = _run(data, ["db", "check"], capsys, tmp_path, key_file)
    assert code == 1 and "write-ahead log:       MISSING" in text and "may be lost" in text, text
    checks = check_database(load(None, overrides={"data_dir": data, "key_file": key_file}))
    wal_check = [c for c in checks if c.name == "write-ahead log"]
    assert wal_check and wal_check[0].status == FAIL and "may be lost" in wal_check[0].detail


def test_clean_stops_leave_no_wal_report(kiosk_dir, capsys, tmp_path):
    from kiosk.store.keys import FileKeyProvider
    from kiosk.store.migrate import open_connection
    data, key_file = kiosk_dir
    key = FileKeyProvider(key_file).load()
    for _ in range(3):
        a = open_connection(data, key)
        b = open_connection(data, key)          # two connections: the first close keeps the -wal
        a.execute("CREATE TABLE IF NOT EXISTS t_clean (x)")
        a.close()
        b.execute("INSERT INTO t_clean VALUES (1)")
        b.close()
    for side in ("-wal", "-shm"):
        assert not db_path(data).with_name("kiosk.db" + side).exists()
    code, text = _run(data, ["db", "check"], capsys, tmp_path, key_file)
    assert code == 0 and "write-ahead log" not in text, text


def test_the_app_refuses_a_damaged_database_without_a_traceback(kiosk_dir, tmp_path):
    data, key_file = kiosk_dir
    db_path(data).write_bytes(b"")
    env = dict(os.environ, PYTHONPATH=str(PROJECT), QT_QPA_PLATFORM="offscreen", KIOSK_KEY_FILE=str(key_file))
    for extra in ([], ["--key-file", str(tmp_path / "missing.key")]):
        proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "--data-dir", str(data), "run", "--windowed", *extra],
                              env=env, cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert ("damaged" if not extra else "no database key file") in proc.stderr
    assert db_path(data).stat().st_size == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("data_dir = [\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(bad), "run", "--windowed"],
                          env=env, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not valid TOML" in proc.stderr and "Traceback" not in proc.stderr


def test_sqlite_errors_met_mid_command_read_as_one_staff_line(capsys):
    """L4: what a command hits after opening (a bad page, a lock, a full disk) is one line, in staff words."""
    import argparse

    import sqlcipher3

    from kiosk.cli import _one_line
    args = argparse.Namespace(command="sync", sync_command="export-receipts")
    cases = [(sqlcipher3.DatabaseError("database disk image is malformed"), "the database is damaged"),
             (sqlcipher3.OperationalError("SQL logic error"), "kiosk db restore --latest"),
             (sqlcipher3.OperationalError("database is locked"), "another kiosk process holds it"),
             (sqlcipher3.OperationalError("database or disk is full"), "free space on the data disk"),
             (sqlcipher3.OperationalError("no such table: x"), "OperationalError: no such table: x"),
             (sqlcipher3.IntegrityError("UNIQUE constraint failed: t.x"), "IntegrityError")]
    for exc, words in cases:
        assert _one_line(args, exc) == 1
        err = capsys.readouterr().err
        assert err.startswith("kiosk sync export-receipts: ") and words in err and err.count("\n") == 1, err
        assert ("damaged" in err) == (words in ("the database is damaged", "kiosk db restore --latest")), err

"""The database file is encrypted: no header, no clear personal data, not readable without the key."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.store.db import MissingDatabaseError, WrongKeyError, connect, db_path
from kiosk.store import open_store
from store_helpers import add_patient

NAME = "PHẠM THỊ THU HƯƠNG"
CCCD = "079190123456"
BHYT = "GD4797919012345"
PHONE = "0912777888"


def _raw(data_dir) -> bytes:
    path = db_path(data_dir)
    blob = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            blob += side.read_bytes()
    return blob


def _secrets_present(blob: bytes) -> list[bytes]:
    needles = [NAME.encode("utf-8"), "HƯƠNG".encode("utf-8"), CCCD.encode(), BHYT.encode(), PHONE.encode(),
               CCCD.encode("utf-16-le"), b"SQLite format 3"]
    return [n for n in needles if n in blob]


def test_no_header_and_no_clear_data_in_db_and_wal(store, data_dir):
    add_patient(store, name=NAME, cccd=CCCD, bhyt=BHYT, phone=PHONE)
    wal = db_path(data_dir).with_name("kiosk.db-wal")
    assert wal.exists() and wal.stat().st_size > 0      # the rows are in the WAL right now
    blob = _raw(data_dir)
    assert not db_path(data_dir).read_bytes().startswith(b"SQLite format 3")
    assert _secrets_present(blob) == []
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and in the main file after a checkpoint
    assert _secrets_present(_raw(data_dir)) == []


def test_control_plain_sqlite_would_show_the_data(tmp_path):
    # the same needles ARE found in an unencrypted file: the check above can fail
    conn = sqlite3.connect(tmp_path / "plain.db")
    conn.execute("CREATE TABLE p (name TEXT, cccd TEXT)")
    conn.execute("INSERT INTO p VALUES (?, ?)", (NAME, CCCD))
    conn.commit()
    conn.close()
    assert len(_secrets_present((tmp_path / "plain.db").read_bytes())) >= 3


def test_std_sqlite3_cannot_open(store, data_dir):
    add_patient(store)
    store.close()
    conn = sqlite3.connect(db_path(data_dir))
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


def test_reopens_with_right_key(store, data_dir, key, clock):
    add_patient(store, name=NAME, cccd=CCCD, bhyt=BHYT)
    store.close()
    again = open_store(data_dir, key, clock=clock)
    found = again.patients.find_by_document("bhyt", BHYT)
    assert found is not None and found.full_name == NAME
    again.close()


def test_wrong_key_is_a_clear_error(store, data_dir):
    store.close()
    size = db_path(data_dir).stat().st_size
    with pytest.raises(WrongKeyError, match="database key does not match"):
        connect(db_path(data_dir), b"\x01" * 32)
    assert db_path(data_dir).stat().st_size == size


def test_missing_database_is_never_created(tmp_path, key):
    with pytest.raises(MissingDatabaseError, match="kiosk db init"):
        open_store(tmp_path / "nowhere", key)
    assert not (tmp_path / "nowhere").exists()

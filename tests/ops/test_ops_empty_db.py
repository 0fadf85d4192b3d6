"""A 0-byte kiosk.db is damage, never a new empty database (red-team M5)."""
from __future__ import annotations

import os

import pytest

from kiosk import cli
from kiosk.store.db import DamagedDatabaseError, connect, db_path
from kiosk.store.migrate import open_connection


def test_a_zero_byte_database_is_refused_and_left_alone(tmp_path, capsys):
    data, key_file = tmp_path / "data", tmp_path / "k" / "db.key"
    assert cli.main(["--data-dir", str(data), "db", "init", "--key-file", str(key_file)]) == 0
    path = db_path(data)
    path.write_bytes(b"")                                   # truncated to 0 bytes
    for name in ("-wal", "-shm"):
        path.with_name(path.name + name).unlink(missing_ok=True)
    key = key_file.read_bytes()
    with pytest.raises(DamagedDatabaseError, match="0 bytes"):
        open_connection(data, key)
    with pytest.raises(DamagedDatabaseError):
        connect(path, key)
    capsys.readouterr()
    os.environ["KIOSK_KEY_FILE"] = str(key_file)
    try:
        for argv in (["sync", "status"], ["ops", "health"]):
            code = cli.main(["--data-dir", str(data), *argv])
            out = capsys.readouterr()
            assert code != 0 or "damaged" in out.out + out.err, argv
    finally:
        del os.environ["KIOSK_KEY_FILE"]
    assert path.stat().st_size == 0                         # nothing wrote a fresh schema into it

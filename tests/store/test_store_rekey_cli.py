"""`kiosk db init|check|migrate|rekey` and key rotation, including interrupted rotations."""
from __future__ import annotations

import os
import stat

import pytest

from kiosk.cli import main
from kiosk.store.db import WrongKeyError, connect, db_path
from kiosk.store.keys import FileKeyProvider
from kiosk.store import open_store
from kiosk.store.migrate import latest_version
from kiosk.store.rekey import check_database, rekey
from store_helpers import add_patient


@pytest.fixture
def env(tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("")
    return {"data": tmp_path / "data", "keys": tmp_path / "keys", "cfg": cfg}


def kiosk(env, *argv) -> int:
    return main(["db", *argv, "--config", str(env["cfg"]), "--data-dir", str(env["data"])])


def test_init_creates_key_and_database_then_check(env, capsys):
    key = env["keys"] / "db.key"
    assert kiosk(env, "init", "--key-file", str(key)) == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    assert db_path(env["data"]).exists()
    assert kiosk(env, "check", "--key-file", str(key)) == 0
    out = capsys.readouterr().out
    assert f"schema version:        {latest_version()}" in out and "cipher_integrity_check: ok" in out and "integrity_check:       ok" in out
    assert kiosk(env, "init", "--key-file", str(key)) == 0        # idempotent, same key kept
    assert kiosk(env, "migrate", "--key-file", str(key)) == 0
    assert "nothing to apply" in capsys.readouterr().out


def test_wrong_key_exits_non_zero_with_the_clear_message(env, capsys):
    key = env["keys"] / "db.key"
    assert kiosk(env, "init", "--key-file", str(key)) == 0
    other = env["keys"] / "other.key"
    FileKeyProvider(other).create()
    capsys.readouterr()
    assert kiosk(env, "check", "--key-file", str(other)) == 1
    assert "database key does not match" in capsys.readouterr().err
    # init with another existing key refuses; init with a missing key refuses to make one for the db
    assert kiosk(env, "init", "--key-file", str(other)) == 1
    assert "database key does not match" in capsys.readouterr().err
    assert kiosk(env, "init", "--key-file", str(env["keys"] / "new.key")) == 1
    assert "refusing to make a new key" in capsys.readouterr().err
    assert not (env["keys"] / "new.key").exists()
    assert kiosk(env, "check", "--key-file", str(key)) == 0


def test_key_inside_data_dir_is_refused(env, capsys):
    assert kiosk(env, "init", "--key-file", str(env["data"] / "db.key")) == 1
    assert "outside" in capsys.readouterr().err and not db_path(env["data"]).exists()


def test_check_without_database_does_not_create_one(env, capsys):
    FileKeyProvider(env["keys"] / "db.key").create()
    assert kiosk(env, "check", "--key-file", str(env["keys"] / "db.key")) == 1
    assert "kiosk db init" in capsys.readouterr().err and not db_path(env["data"]).exists()


def test_rekey_round_trip_via_cli(env, capsys, clock):
    old, new = env["keys"] / "db.key", env["keys"] / "db2.key"
    assert kiosk(env, "init", "--key-file", str(old)) == 0
    old_key = old.read_bytes()
    s = open_store(env["data"], old_key, clock=clock)
    add_patient(s)
    s.close()
    assert kiosk(env, "rekey", "--key-file", str(old), "--new-key-file", str(new)) == 0
    assert not old.exists() and stat.S_IMODE(new.stat().st_mode) == 0o600
    with pytest.raises(WrongKeyError):
        connect(db_path(env["data"]), old_key)
    s = open_store(env["data"], new.read_bytes())
    assert s.patients.find_by_document("cccd", "001080012345").full_name == "NGUYỄN VĂN AN"
    s.close()
    assert check_database(env["data"], new.read_bytes()).ok


def test_rekey_in_place_keeps_old_on_request(env):
    key = env["keys"] / "db.key"
    assert kiosk(env, "init", "--key-file", str(key)) == 0
    before = key.read_bytes()
    assert kiosk(env, "rekey", "--key-file", str(key), "--new-key-file", str(key), "--keep-old") == 0
    after = key.read_bytes()
    assert after != before and stat.S_IMODE(key.stat().st_mode) == 0o600
    retired = [p for p in env["keys"].iterdir() if ".retired-" in p.name]
    assert len(retired) == 1 and retired[0].read_bytes() == before
    assert not (env["keys"] / "db.key.next").exists()
    assert check_database(env["data"], after).ok


def _init(env) -> tuple[FileKeyProvider, bytes]:
    old = FileKeyProvider(env["keys"] / "db.key")
    key = old.create()
    open_store(env["data"], key, create=True).close()
    return old, key


def test_interrupted_after_new_key_written_before_rekey(env):
    old, old_key = _init(env)
    new = FileKeyProvider(env["keys"] / "db2.key")
    new_key = new.create()                          # crash here: db still on the old key
    connect(db_path(env["data"]), old_key).close()
    result = rekey(env["data"], old, new, new_path=new.path, old_path=old.path)
    assert result.resumed and new.load() == new_key and not old.path.exists()
    connect(db_path(env["data"]), new_key).close()


def test_interrupted_after_rekey_before_old_key_retired(env):
    old, old_key = _init(env)
    new = FileKeyProvider(env["keys"] / "db2.key")
    new_key = new.create()
    conn = connect(db_path(env["data"]), old_key)
    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")  # crash here: old file still present
    conn.close()
    with pytest.raises(WrongKeyError):
        connect(db_path(env["data"]), old_key)
    result = rekey(env["data"], old, new, new_path=new.path, old_path=old.path)
    assert result.resumed and not old.path.exists()
    assert check_database(env["data"], new_key).ok


def test_rekey_with_a_wrong_old_key_changes_nothing(env):
    _init(env)
    bogus = FileKeyProvider(env["keys"] / "bogus.key")
    bogus.create()
    new = FileKeyProvider(env["keys"] / "db2.key")
    with pytest.raises(WrongKeyError):
        rekey(env["data"], bogus, new, new_path=new.path, old_path=bogus.path)
    assert not new.path.exists() and bogus.path.exists()


def test_passphrase_provider_through_the_cli(env, capsys, monkeypatch):
    import io
    env["cfg"].write_text('key_provider = "passphrase"\n')
    wrapped = env["keys"] / "db.key.wrapped"
    monkeypatch.setattr("sys.stdin", io.StringIO("mật khẩu\n"))
    # the provider reads defaults at construction: patch the class defaults too
    from kiosk.store import keys
    monkeypatch.setattr(keys.PassphraseKeyProvider.__init__, "__kwdefaults__",
                        {"time_cost": 1, "memory_kib": 8 * 1024, "parallelism": 1})
    assert kiosk(env, "init", "--key-file", str(wrapped), "--passphrase-stdin") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("sai\n"))
    capsys.readouterr()
    assert kiosk(env, "check", "--key-file", str(wrapped), "--passphrase-stdin") == 1
    assert "passphrase does not unlock" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mật khẩu\n"))
    assert kiosk(env, "check", "--key-file", str(wrapped), "--passphrase-stdin") == 0
    assert os.path.exists(db_path(env["data"]))


def test_real_process_wrong_key(env):
    import subprocess
    import sys
    key, other = env["keys"] / "db.key", env["keys"] / "other.key"
    assert kiosk(env, "init", "--key-file", str(key)) == 0
    FileKeyProvider(other).create()
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "db", "check", "--key-file", str(other),
                           "--config", str(env["cfg"]), "--data-dir", str(env["data"])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"kiosk db check: database key does not match {db_path(env['data'])} " \
                                  "(check the key file or passphrase)"


def test_interrupted_in_place_rotation_is_explained_and_finished(env, capsys):
    key = env["keys"] / "db.key"
    assert kiosk(env, "init", "--key-file", str(key)) == 0
    staged = FileKeyProvider(env["keys"] / "db.key.next")
    new_key = staged.create()
    conn = connect(db_path(env["data"]), key.read_bytes())
    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")   # crash before db.key.next -> db.key
    conn.close()
    capsys.readouterr()
    assert kiosk(env, "check", "--key-file", str(key)) == 1
    err = capsys.readouterr().err
    assert "database key does not match" in err and "finish the interrupted re-key" in err
    assert kiosk(env, "rekey", "--key-file", str(key), "--new-key-file", str(key)) == 0
    assert "finished an interrupted re-key" in capsys.readouterr().out
    assert key.read_bytes() == new_key and not staged.path.exists()
    assert kiosk(env, "check", "--key-file", str(key)) == 0

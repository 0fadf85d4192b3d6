"""Key providers: the 0600 key file and the passphrase-wrapped key."""
from __future__ import annotations

import json
import os
import stat

import pytest

from kiosk.config import load
from kiosk.store.keys import (
    FileKeyProvider, KeyFileExistsError, KeyFileMissingError, KeyFileUnreadableError, KeyInDataDirError,
    PassphraseKeyProvider, WrongPassphraseError, key_provider_from_config, write_secret_atomic,
)

FAST = {"time_cost": 1, "memory_kib": 8 * 1024, "parallelism": 1}


def test_key_file_is_created_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        key = FileKeyProvider(tmp_path / "keys" / "db.key", tmp_path / "data").create()
    finally:
        os.umask(old)
    path = tmp_path / "keys" / "db.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32 and path.read_bytes() == key
    assert sorted(p.name for p in path.parent.iterdir()) == ["db.key"]   # no temp file left
    assert FileKeyProvider(path).load() == key


def test_two_keys_differ(tmp_path):
    assert FileKeyProvider(tmp_path / "a").create() != FileKeyProvider(tmp_path / "b").create()


def test_create_never_overwrites(tmp_path):
    p = FileKeyProvider(tmp_path / "db.key")
    first = p.create()
    with pytest.raises(KeyFileExistsError):
        p.create()
    assert p.load() == first


def test_refuses_to_live_inside_the_data_dir(tmp_path):
    with pytest.raises(KeyInDataDirError, match="outside"):
        FileKeyProvider(tmp_path / "data" / "db.key", tmp_path / "data")
    with pytest.raises(KeyInDataDirError):
        FileKeyProvider(tmp_path / "data" / "sub" / ".." / "db.key", tmp_path / "data")
    FileKeyProvider(tmp_path / "data-keys" / "db.key", tmp_path / "data")  # a sibling is fine


def test_missing_and_wrong_size_are_clear(tmp_path):
    with pytest.raises(KeyFileMissingError, match="no database key file"):
        FileKeyProvider(tmp_path / "none.key").load()
    (tmp_path / "short.key").write_bytes(b"x" * 31)
    with pytest.raises(KeyFileUnreadableError, match="31 bytes"):
        FileKeyProvider(tmp_path / "short.key").load()


def test_unreadable_is_clear(tmp_path):
    (tmp_path / "dir.key").mkdir()
    with pytest.raises(KeyFileUnreadableError, match="cannot read"):
        FileKeyProvider(tmp_path / "dir.key").load()


def test_atomic_overwrite_keeps_0600(tmp_path):
    p = tmp_path / "k"
    write_secret_atomic(p, b"a" * 32)
    write_secret_atomic(p, b"b" * 32, overwrite=True)
    assert p.read_bytes() == b"b" * 32 and stat.S_IMODE(p.stat().st_mode) == 0o600


def test_passphrase_right_and_wrong(tmp_path):
    path = tmp_path / "db.key.wrapped"
    key = PassphraseKeyProvider(path, "mật khẩu đúng", **FAST).create()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key not in path.read_bytes() and key.hex().encode() not in path.read_bytes()
    assert PassphraseKeyProvider(path, "mật khẩu đúng", **FAST).load() == key
    with pytest.raises(WrongPassphraseError, match="passphrase does not unlock"):
        PassphraseKeyProvider(path, "mat khau sai", **FAST).load()


def test_passphrase_file_records_its_kdf_parameters(tmp_path):
    path = tmp_path / "w"
    key = PassphraseKeyProvider(path, "pw", time_cost=2, memory_kib=4096, parallelism=1).create()
    doc = json.loads(path.read_text())
    assert (doc["kdf"], doc["t"], doc["m"], doc["p"]) == ("argon2id", 2, 4096, 1)
    # a reader with other defaults still unwraps: the file's parameters are used
    assert PassphraseKeyProvider(path, "pw", **FAST).load() == key
    doc["m"] = 8192   # tampering with the parameters breaks the AEAD tag (they are the AAD)
    path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphraseError):
        PassphraseKeyProvider(path, "pw").load()


def test_passphrase_default_parameters_round_trip(tmp_path):
    path = tmp_path / "w"
    key = PassphraseKeyProvider(path, "correct horse battery staple").create()
    assert json.loads(path.read_text())["m"] == 64 * 1024
    assert PassphraseKeyProvider(path, "correct horse battery staple").load() == key


def test_garbage_wrapped_file(tmp_path):
    (tmp_path / "w").write_text("not json")
    with pytest.raises(KeyFileUnreadableError, match="not a wrapped"):
        PassphraseKeyProvider(tmp_path / "w", "pw").load()


def test_provider_from_config(tmp_path):
    cfg = load(None, env={},
               overrides={"data_dir": str(tmp_path / "data"), "key_file": str(tmp_path / "k" / "db.key")})
    p = key_provider_from_config(cfg)
    assert isinstance(p, FileKeyProvider) and p.path == tmp_path / "k" / "db.key"
    cfg2 = cfg.replace(key_provider="passphrase")
    assert isinstance(key_provider_from_config(cfg2, "pw"), PassphraseKeyProvider)
    with pytest.raises(Exception, match="passphrase"):
        key_provider_from_config(cfg2)
    with pytest.raises(KeyInDataDirError):
        key_provider_from_config(cfg, key_file=tmp_path / "data" / "db.key")


def test_loose_permissions_are_warned_about(tmp_path, caplog):
    p = tmp_path / "db.key"
    p.write_bytes(os.urandom(32))
    p.chmod(0o644)
    with caplog.at_level("WARNING", logger="kiosk.store.keys"):
        FileKeyProvider(p).load()
    assert "chmod 600" in caplog.text
    caplog.clear()
    p.chmod(0o600)
    with caplog.at_level("WARNING", logger="kiosk.store.keys"):
        FileKeyProvider(p).load()
    assert caplog.text == ""


def test_kdf_is_argon2id_known_answer(tmp_path):
    # reference vector of the Argon2 authors (phc-winner-argon2 src/test.c, Argon2id v=0x13):
    # t=2, m=2^16 KiB, p=1, password "password", salt "somesalt"
    p = PassphraseKeyProvider(tmp_path / "w", "password")
    kek = p._kek(b"somesalt", {"t": 2, "m": 65536, "p": 1})
    assert kek.hex() == "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"

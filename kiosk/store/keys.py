"""Database key providers: a provisioned key file, or a random key wrapped by a passphrase.

Both hand out the same thing, 32 random bytes used as the raw SQLCipher key; the key is never
stored in clear inside the data directory.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Protocol

from kiosk.files import write_atomic
from kiosk.store.db import KEY_BYTES, StoreError

log = logging.getLogger(__name__)


class KeyProviderError(StoreError):
    """A key that cannot be loaded or created; the message says what to fix."""


class KeyFileMissingError(KeyProviderError):
    def __init__(self, path: Path):
        super().__init__(f"no database key file at {path}: provision one with "
                         "`kiosk db init --key-file PATH` or point `key_file` at it")


class KeyFileUnreadableError(KeyProviderError):
    pass


class KeyFileExistsError(KeyProviderError):
    def __init__(self, path: Path):
        super().__init__(f"a key file already exists at {path}; refusing to overwrite it")


class KeyInDataDirError(KeyProviderError):
    def __init__(self, path: Path, data_dir: Path):
        super().__init__(f"key file {path} is inside the data directory {data_dir}: keep the key "
                         "outside it (a copied data dir must not carry its own key)")


class WrongPassphraseError(KeyProviderError):
    def __init__(self, path: Path):
        super().__init__(f"the passphrase does not unlock the database key in {path}")


class KeyProvider(Protocol):
    path: Path

    def exists(self) -> bool: ...

    def load(self) -> bytes:
        """Return the existing 32-byte key, or raise a KeyProviderError subclass saying what to fix."""
        ...

    def create(self) -> bytes:
        """Make, durably store and return a new random key; never overwrites an existing one."""
        ...


def write_secret_atomic(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write a secret as a 0600 file through `kiosk.files`; an existing one is never replaced
    unless `overwrite` (KeyFileExistsError)."""
    try:
        write_atomic(path, data, overwrite=overwrite)
    except FileExistsError:
        raise KeyFileExistsError(Path(path)) from None


def _check_outside(path: Path, data_dir: Path | None) -> None:
    if data_dir is None:
        return
    key = Path(os.path.abspath(path)).resolve()
    data = Path(os.path.abspath(data_dir)).resolve()
    if key == data or data in key.parents:
        raise KeyInDataDirError(path, data_dir)


def _read_secret(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise KeyFileMissingError(path) from None
    except OSError as exc:
        raise KeyFileUnreadableError(f"cannot read the {what} {path}: {exc.strerror}") from None


def _warn_if_loose(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        log.warning("key file %s is readable by other users (mode %o): chmod 600 it", path, mode & 0o777)


class FileKeyProvider:
    """A raw 32-byte key in a 0600 file outside the data dir (provisioned, or for development)."""

    def __init__(self, path: Path, data_dir: Path | None = None):
        self.path = Path(path)
        _check_outside(self.path, data_dir)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> bytes:
        data = _read_secret(self.path, "key file")
        _warn_if_loose(self.path)
        if len(data) != KEY_BYTES:
            raise KeyFileUnreadableError(
                f"key file {self.path} holds {len(data)} bytes, a database key is {KEY_BYTES}: "
                "wrong file or damaged")
        return data

    def create(self) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        write_secret_atomic(self.path, key)
        return key

    def replace(self, key: bytes) -> None:
        """Atomically put `key` in place of the current file (used by rekey)."""
        write_secret_atomic(self.path, key, overwrite=True)


# Argon2id defaults: ~64 MiB and a few tenths of a second on the kiosk's CPU, done once at start.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 2
_WRAP_FORMAT = "kiosk-wrapped-key-1"


class PassphraseKeyProvider:
    """A random key, AES-256-GCM wrapped with an Argon2id key derived from a passphrase."""

    def __init__(self, wrapped_path: Path, passphrase: str, data_dir: Path | None = None, *,
                 time_cost: int = ARGON2_TIME_COST, memory_kib: int = ARGON2_MEMORY_KIB,
                 parallelism: int = ARGON2_PARALLELISM):
        if not passphrase:
            raise KeyProviderError("an empty passphrase cannot protect the database key")
        self.path = Path(wrapped_path)
        _check_outside(self.path, data_dir)
        self._passphrase = passphrase.encode("utf-8")
        self._params = {"t": time_cost, "m": memory_kib, "p": parallelism}

    def exists(self) -> bool:
        return self.path.exists()

    def _kek(self, salt: bytes, params: dict) -> bytes:
        from argon2.low_level import Type, hash_secret_raw
        return hash_secret_raw(self._passphrase, salt, time_cost=params["t"], memory_cost=params["m"],
                               parallelism=params["p"], hash_len=32, type=Type.ID)

    @staticmethod
    def _aad(params: dict) -> bytes:
        # binds the format and KDF parameters to the ciphertext: tampering with them fails the tag
        return f"{_WRAP_FORMAT};t={params['t']};m={params['m']};p={params['p']}".encode()

    def create(self) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        key = secrets.token_bytes(KEY_BYTES)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        params = dict(self._params)
        wrapped = AESGCM(self._kek(salt, params)).encrypt(nonce, key, self._aad(params))
        doc = {"format": _WRAP_FORMAT, "kdf": "argon2id", **params,
               "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode(),
               "wrapped": base64.b64encode(wrapped).decode()}
        write_secret_atomic(self.path, (json.dumps(doc, indent=1) + "\n").encode())
        return key

    def load(self) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        raw = _read_secret(self.path, "wrapped key file")
        try:
            doc = json.loads(raw)
            if doc.get("format") != _WRAP_FORMAT:
                raise ValueError("format")
            params = {k: int(doc[k]) for k in ("t", "m", "p")}
            salt, nonce, wrapped = (base64.b64decode(doc[k]) for k in ("salt", "nonce", "wrapped"))
        except (ValueError, KeyError, TypeError):
            raise KeyFileUnreadableError(f"{self.path} is not a wrapped database key file") from None
        try:
            key = AESGCM(self._kek(salt, params)).decrypt(nonce, wrapped, self._aad(params))
        except InvalidTag:
            raise WrongPassphraseError(self.path) from None
        if len(key) != KEY_BYTES:
            raise KeyFileUnreadableError(f"{self.path} wraps a key of the wrong size")
        return key


def key_provider_from_config(cfg, passphrase: str | None = None,
                             key_file: Path | None = None) -> KeyProvider:
    """The provider the settings ask for; `key_file` overrides `cfg.key_file` (CLI --key-file)."""
    path = Path(key_file or cfg.key_file)
    if cfg.key_provider == "passphrase":
        if passphrase is None:
            raise KeyProviderError("the database key is passphrase-protected: a passphrase is needed")
        return PassphraseKeyProvider(path, passphrase, cfg.data_dir)
    return FileKeyProvider(path, cfg.data_dir)

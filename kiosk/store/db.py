"""Opening the SQLCipher database: key, WAL, busy timeout, foreign keys, page cache.

A wrong key raises WrongKeyError; a missing file is never created unless `create=True`, so a
bad key or path can never put a new empty database over the old one.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import sqlcipher3

DB_FILENAME = "kiosk.db"
KEY_BYTES = 32


class StoreError(Exception):
    """A database problem the operator can act on; the message says what to do."""


class WrongKeyError(StoreError):
    def __init__(self, path: Path):
        super().__init__(f"database key does not match {path} (check the key file or passphrase)")


class MissingDatabaseError(StoreError):
    def __init__(self, path: Path):
        super().__init__(f"no database at {path}: run `kiosk db init --key-file PATH` first")


class DamagedDatabaseError(StoreError):
    """A file that exists but cannot be a database we wrote: never taken for a new, empty one."""

    def __init__(self, path: Path, why: str):
        super().__init__(f"the database {path} is damaged ({why}); it is not a new database. Restore a backup "
                         "(`kiosk db restore --latest`); only `kiosk db init` creates a database")


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILENAME


def _apply_key(conn: sqlcipher3.Connection, key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise StoreError(f"database key must be {KEY_BYTES} bytes, got {len(key)}")
    # raw key: no PBKDF2 on every open, the key is already random
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


AUTO_CACHE_CAP_MIB = 1024


def _cache_kib(conn, cache_mib: int) -> int:
    """cache_mib > 0: that much. 0: auto, the database's size + 10% (capped), because random
    lookups touch every page of the lookup b-trees and SQLCipher decrypts a page each time it
    enters the cache. The cache fills lazily, so a large limit costs memory only as pages are read."""
    if cache_mib > 0:
        return int(cache_mib) * 1024
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    size_kib = pages * int(conn.execute("PRAGMA page_size").fetchone()[0]) // 1024
    return max(8 * 1024, min(AUTO_CACHE_CAP_MIB * 1024, size_kib * 11 // 10))


def connect(path: Path, key: bytes, *, create: bool = False, cache_mib: int = 64,
            busy_timeout_ms: int = 5000, check_same_thread: bool = True) -> sqlcipher3.Connection:
    """Open (or with create=True, create) the encrypted database and verify the key.

    `cache_mib=0` sizes the page cache from the database (see _cache_kib)."""
    path = Path(path)
    if not create and not path.exists():
        raise MissingDatabaseError(path)
    if not create and path.stat().st_size == 0:
        wal = path.with_name(path.name + "-wal")
        if not (wal.exists() and wal.stat().st_size > 0):
            # SQLite would silently start an empty database here (red-team M5)
            raise DamagedDatabaseError(path, "0 bytes")
    # mode=rw: even if the file vanishes between the check above and here, SQLite will not create it
    target = str(path) if create else f"file:{quote(str(path.absolute()))}?mode=rw"
    conn = sqlcipher3.connect(target, isolation_level=None, check_same_thread=check_same_thread,
                              timeout=busy_timeout_ms / 1000, uri=not create)
    try:
        # SQLCipher would print its own HMAC errors to stderr on a wrong key; we raise WrongKeyError
        conn.execute("PRAGMA cipher_log_level = NONE")
        _apply_key(conn, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            # a wrong key reads as "file is not a database"; a full disk or I/O failure does not,
            # and must not send the operator hunting for another key
            if "not a database" in str(exc).lower():
                raise WrongKeyError(path) from exc
            raise StoreError(f"cannot read the database {path}: {exc}") from exc
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {-_cache_kib(conn, cache_mib)}")
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlcipher3.Row
    return conn


@contextmanager
def immediate_transaction(conn) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT on a bare connection (ROLLBACK on any exception), for code that
    drives repositories on its own connection (the sync worker). With a Store, use store.transaction()."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:   # SQLite may already have rolled back (e.g. a full disk)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")

"""Opening the SQLCipher database: key, WAL, busy timeout, foreign keys, page cache.

A wrong key raises WrongKeyError; a missing file is never created unless `create=True`, so a
bad key or path can never put a new empty database over the old one.
"""
from __future__ import annotations

import os
import threading
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


PAGE_SIZE = 4096                     # SQLCipher 4's page size; every file we write is whole pages
PLAIN_HEADER = b"SQLite format 3\x00"
WAL_NOTE_SUFFIX = ".wal-missing"     # kiosk.db.wal-missing: a write-ahead log vanished (red-team L5)
_INUSE_SUFFIX = "-inuse"             # kiosk.db-inuse: the -wal may hold commits (not closed cleanly)


def damaged_page_text(problems: list[str] | tuple[str, ...]) -> str:
    """Staff wording for pages that fail their checks (one line, no SQL jargon)."""
    first = "; ".join(str(p) for p in problems[:2])[:200]
    return (f"the database is damaged ({first}); the kiosk cannot trust it. Restore the newest backup "
            "(`kiosk db restore --latest`) or call the technician")


DAMAGE_WORDS = ("malformed", "hmac", "logic error", "not a database", "corrupt", "disk image")


def describe_db_error(exc: BaseException) -> str:
    """One line for staff about an error SQLite raised while a command ran (never a traceback)."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return ("the database is busy: another kiosk process holds it (the kiosk app, `kiosk sync run`); "
                "try again in a moment")
    if "full" in text or "disk i/o" in text:
        return f"the disk refused a database write ({exc}): free space on the data disk, then try again"
    if any(word in text for word in DAMAGE_WORDS):
        return damaged_page_text([str(exc)])
    return f"{type(exc).__name__}: {exc}"


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
    if not create:
        _refuse_malformed_file(path)
    if create and not path.exists():
        # the database is born private (0600): SQLite would make it with the umask (0644)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    _make_private(path)
    with _MARKER_GUARD:     # one snapshot: another thread's close cannot fall between the two looks
        wal_existed = path.with_name(path.name + "-wal").exists()
        marker_existed = path.with_name(path.name + _INUSE_SUFFIX).exists()
    # mode=rw: even if the file vanishes between the check above and here, SQLite will not create it
    target = str(path) if create else f"file:{quote(str(path.absolute()))}?mode=rw"
    conn = sqlcipher3.connect(target, isolation_level=None, check_same_thread=check_same_thread,
                              timeout=busy_timeout_ms / 1000, uri=not create, factory=_Connection)
    conn.kiosk_path = path
    conn.kiosk_writer = writer_lock(path)
    conn.kiosk_busy_s = busy_timeout_ms / 1000
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
                if _newest_backup_opens(path, key):
                    raise DamagedDatabaseError(path, "its first page cannot be read, yet the newest backup "
                                                     "opens with the same key") from exc
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
    if not create and path.name == DB_FILENAME:
        _note_missing_wal(path, wal_existed, marker_existed)
    return conn


# Opening reads (-wal there?, marker there?) and closing (the last connection removes the -wal, then
# the marker) under one lock: read between another thread's two steps, "-wal gone, marker still
# there" would be a false alarm of lost rows (seen on the demo's first start, its jobs opening and
# closing stores at once). Re-entrant: a finalizer may close a connection while the lock is held.
_MARKER_GUARD = threading.RLock()


class _Connection(sqlcipher3.Connection):
    """A connection that, once closed, clears kiosk.db-inuse when the -wal went with it."""

    kiosk_path: Path | None = None
    kiosk_writer: threading.RLock | None = None
    kiosk_busy_s = 5.0

    def close(self) -> None:
        with _MARKER_GUARD:     # the -wal going and the marker going, seen together by an opener
            super().close()
            if self.kiosk_path is not None:
                try:
                    after_close(self.kiosk_path)
                except OSError:
                    pass

    def __del__(self) -> None:   # a connection dropped without close(): SQLite closes it now
        try:
            self.close()
        except Exception:  # noqa: BLE001 - finalizer
            pass


def _refuse_malformed_file(path: Path) -> None:
    """A file that cannot be a database we wrote is damage, never a new empty database and never
    "a wrong key" (red-team M5/L4): empty, shorter than a page, not whole pages, a plain (unencrypted)
    SQLite file, or a blank first page. SQLite would silently start an empty database on a 0-byte file."""
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    if size == 0:
        if wal.exists() and wal.stat().st_size > 0:
            return    # a database whose every page is still in its WAL (legal, if rare)
        raise DamagedDatabaseError(path, "0 bytes")
    with open(path, "rb") as fh:
        head = fh.read(PAGE_SIZE)
    if head.startswith(PLAIN_HEADER):
        raise DamagedDatabaseError(path, "it is not encrypted: a plain SQLite file, not the kiosk's database")
    if size < PAGE_SIZE:
        raise DamagedDatabaseError(path, f"only {size} bytes, shorter than one page: its header is missing")
    if size % PAGE_SIZE:
        raise DamagedDatabaseError(path, f"{size} bytes is not a whole number of {PAGE_SIZE}-byte pages")
    if not any(head[:16]) or not any(head):
        raise DamagedDatabaseError(path, "its first page (the header) is blank")


def _newest_backup_opens(path: Path, key: bytes) -> bool:
    """A damaged first page and a wrong key both read as "not a database"; the newest backup in
    <data_dir>/backups opening with the same key tells them apart."""
    if path.name != DB_FILENAME:
        return False
    backups = sorted((path.parent / "backups").glob("kiosk-*.db.bak"))
    if not backups:
        return False
    try:
        connect(backups[-1], key, cache_mib=2).close()
        return True
    except (StoreError, sqlcipher3.DatabaseError, OSError):
        return False


def _note_missing_wal(path: Path, wal_existed: bool, marker_existed: bool) -> None:
    """kiosk.db-inuse says "connections were open": its -wal may hold committed rows. A clean close of
    the last connection removes the -wal, then the marker (see close_connection). Marker present and
    -wal gone at open means the log was deleted or not copied along: committed rows may be lost. That
    is written down in kiosk.db.wal-missing, which `kiosk db check` and `kiosk doctor` report."""
    marker = path.with_name(path.name + _INUSE_SUFFIX)
    if marker_existed and not wal_existed:
        import logging
        from datetime import datetime, timezone
        note = path.with_name(path.name + WAL_NOTE_SUFFIX)
        if not note.exists():
            note.write_text(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} {path.name} was not closed cleanly "
                            f"and its write-ahead log {path.name}-wal was missing: rows committed since the last "
                            "checkpoint may be lost\n", encoding="utf-8")
            os.chmod(note, 0o600)
        logging.getLogger(__name__).error("the write-ahead log %s-wal is missing after an unclean stop: "
                                          "committed rows may be lost (see %s)", path.name, note.name)
    if not marker.exists():
        try:
            os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            pass


def wal_missing_note(data_dir: Path) -> str | None:
    """What kiosk.db.wal-missing says, or None (for `kiosk db check` and `kiosk doctor`)."""
    note = db_path(data_dir).with_name(DB_FILENAME + WAL_NOTE_SUFFIX)
    try:
        return note.read_text(encoding="utf-8").strip() + f" (delete {note} once checked)"
    except FileNotFoundError:
        return None


def after_close(path: Path) -> None:
    """After closing a connection to `path`: the last one out removed the -wal, so nothing is pending."""
    path = Path(path)
    if path.name == DB_FILENAME and not path.with_name(path.name + "-wal").exists():
        path.with_name(path.name + _INUSE_SUFFIX).unlink(missing_ok=True)


def _make_private(path: Path) -> None:
    """0600 for the database and its WAL/SHM companions (older installs made them 0644)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass


_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def writer_lock(path: Path) -> threading.RLock:
    """The turn of this process's writers on one database file (every connection to it shares it).
    A writer waiting here is woken the moment the one before commits; waiting in SQLite's busy
    handler instead, it would sleep 1, 2, 5, 10 … ms between tries, and a scan that meets the
    facility link's pull would wait for the sleeps, not for the pull. Other processes (a desk, the
    CLI) still meet the busy handler. Re-entrant: a thread inside a transaction that opens another
    connection gets SQLite's answer, as before."""
    key = os.path.realpath(path)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


@contextmanager
def immediate_transaction(conn) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT on a bare connection (ROLLBACK on any exception), for code that
    drives repositories on its own connection (the sync worker). With a Store, use store.transaction().
    Writers of this process take turns on `writer_lock` first (a busy timeout's wait at most)."""
    writer = getattr(conn, "kiosk_writer", None)
    if writer is not None and not writer.acquire(timeout=getattr(conn, "kiosk_busy_s", 5.0)):
        raise sqlcipher3.OperationalError("database is locked")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:   # SQLite may already have rolled back (e.g. a full disk)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if writer is not None:
            writer.release()

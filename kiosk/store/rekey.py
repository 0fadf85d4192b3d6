"""Key rotation and checks: `PRAGMA rekey` with an order that survives an interruption anywhere.

Order: (1) the new key file is written atomically (0600, fsync, rename) while the old one stays;
(2) `PRAGMA rekey` rewrites every page in one transaction; (3) the database is reopened with the
new key and checked; (4) only then is the old key file retired. Re-running after a crash at any
point finishes the job: whichever of the two keys opens the database is the current one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from kiosk.store.db import DamagedDatabaseError, StoreError, WrongKeyError, connect, damaged_page_text, db_path
from kiosk.files import fsync_dir
from kiosk.store.keys import KeyProvider
from kiosk.store.migrate import schema_version


@dataclass(frozen=True)
class CheckReport:
    schema_version: int
    cipher_problems: tuple[str, ...]     # PRAGMA cipher_integrity_check: one row per bad page
    integrity: tuple[str, ...]           # PRAGMA integrity_check: ("ok",) when sound
    cipher_version: str

    @property
    def ok(self) -> bool:
        return not self.cipher_problems and self.integrity == ("ok",)


def check_database(data_dir: Path, key: bytes) -> CheckReport:
    """Open with `key` (WrongKeyError if it does not match) and run both integrity checks."""
    conn = connect(db_path(data_dir), key)
    try:
        version, schema = conn.execute("PRAGMA cipher_version").fetchone()[0], schema_version(conn)
        cipher = tuple(str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check"))
        try:
            integrity = tuple(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
        except (sqlcipher3.DatabaseError, MemoryError) as exc:   # a page so damaged the check cannot finish
            integrity = (f"cannot finish ({exc or type(exc).__name__})",)
        return CheckReport(schema, cipher, integrity, version)
    finally:
        conn.close()


def live_problems(conn) -> list[str]:
    """[] when every page passes SQLCipher's HMAC check and SQLite's quick_check."""
    try:
        bad = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        if not bad:
            quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
            bad = [] if quick == ["ok"] else quick
    except (sqlcipher3.DatabaseError, MemoryError) as exc:
        bad = [f"the check cannot finish: {exc or type(exc).__name__}"]
    return bad


def refuse_damaged(conn, path: Path, what: str) -> None:
    """DamagedDatabaseError (staff wording) when the open database fails its checks."""
    bad = live_problems(conn)
    if bad:
        raise DamagedDatabaseError(path, f"{what}: {'; '.join(bad[:2])[:200]}")


@dataclass(frozen=True)
class RekeyResult:
    key_path: Path          # where the database's key now is
    resumed: bool           # an interrupted earlier run was finished
    retired: Path | None    # where the old key went (None: deleted)


class RekeyError(StoreError):
    pass


def rekey(data_dir: Path, old: KeyProvider, new: KeyProvider, *, new_path: Path, old_path: Path,
          keep_old: bool = False, staged: KeyProvider | None = None) -> RekeyResult:
    """Rotate the database key from `old` to `new`.

    When the new key file is the old one's path (rotation in place), `staged` is a provider at a
    temporary path beside it: the new key lives there until the rekey is verified, then is renamed
    over the old file.
    """
    path = db_path(data_dir)
    in_place = Path(os.path.abspath(new_path)) == Path(os.path.abspath(old_path))
    target = new
    if in_place:
        if staged is None:
            raise RekeyError("rotating in place needs a staging key file")
        target = staged
    resumed = False
    old_key = old.load()
    try:
        conn = connect(path, old_key)
    except WrongKeyError:
        # an earlier run may have rekeyed already: then the new key opens the database
        if not target.exists():
            raise
        conn = connect(path, target.load())
        conn.close()
        return _finish(target, old_path, new_path, in_place, keep_old, resumed=True)
    try:
        bad = live_problems(conn)
        if bad:   # re-encrypting would bake the damage in under a new key
            raise RekeyError(f"not re-keyed: {damaged_page_text(bad)}")
        if target.exists():
            new_key, resumed = target.load(), True   # written by an interrupted run
        else:
            new_key = target.create()
        if new_key == old_key:
            raise RekeyError("the new key is the same as the old one")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    finally:
        conn.close()
    verify = connect(path, new_key)   # raises WrongKeyError if the rekey did not take
    try:
        bad = verify.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad:
            raise RekeyError(f"after rekey, cipher_integrity_check reports {len(bad)} bad pages; "
                             "the old key file is kept")
    finally:
        verify.close()
    return _finish(target, old_path, new_path, in_place, keep_old, resumed=resumed)


def _finish(target: KeyProvider, old_path: Path, new_path: Path, in_place: bool, keep_old: bool,
            resumed: bool) -> RekeyResult:
    old_path, new_path = Path(old_path), Path(new_path)
    retired = None
    if keep_old and old_path.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        retired = old_path.with_name(f"{old_path.name}.retired-{stamp}")
        if in_place:
            os.link(old_path, retired)
        else:
            os.replace(old_path, retired)
    if in_place:
        os.replace(target.path, new_path)      # atomic: the path holds the old or the new key
    elif old_path.exists():
        old_path.unlink()
    fsync_dir(new_path.parent)
    if old_path.parent != new_path.parent:
        fsync_dir(old_path.parent)
    return RekeyResult(new_path, resumed, retired)

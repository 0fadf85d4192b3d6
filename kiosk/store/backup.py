"""Encrypted backups of the database (SQLite online backup between two keyed SQLCipher files).

A backup is encrypted with the same key as the live database, written to a temp file created
0600, fsynced and renamed, then re-opened to prove it is readable. Restore refuses a backup the
key does not open and keeps the replaced database aside instead of deleting it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlcipher3

from kiosk.store.db import StoreError, _apply_key, connect, db_path
from kiosk.files import atomic_path, write_atomic

NAME_RE = re.compile(r"^kiosk-(\d{8}T\d{6}Z)\.db\.bak$")
MANIFEST_SUFFIX = ".manifest.json"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "backups"


def manifest_path(backup: Path) -> Path:
    return Path(backup).with_name(Path(backup).name + MANIFEST_SUFFIX)


def read_manifest(path: Path) -> dict:
    """A backup's manifest (given the manifest or the backup beside it); StoreError when unreadable."""
    path = Path(path)
    if not path.name.endswith(MANIFEST_SUFFIX):
        path = manifest_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read the backup manifest {path}: {exc}") from None
    if not isinstance(data, dict):
        raise StoreError(f"the backup manifest {path} is not a JSON object")
    return data


def _write_manifest(info: BackupInfo, anchor: str | None) -> None:
    """Beside the backup, outside the database: its size, SHA-256 and the audit chain head at the time
    (the anchor `kiosk audit verify --anchor MANIFEST` checks a rewritten or cut chain against; M7)."""
    digest = hashlib.sha256()
    with open(info.path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    body = {"backup": info.path.name, "taken_at": info.taken_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "size": info.size, "sha256": digest.hexdigest(), "audit_head": anchor}
    write_atomic(manifest_path(info.path), json.dumps(body, indent=1) + "\n")


def take_backup(conn: sqlcipher3.Connection, key: bytes, dest_dir: Path, now: datetime, *,
                checked: bool = False, anchor: str | None = None) -> BackupInfo:
    """Copy the live database, which must pass its checks first: a backup of a damaged database
    would become the newest one, the one `db restore --latest` picks (red-team M5). `anchor` (the
    audit chain head) goes into the manifest written beside the backup."""
    from kiosk.store.rekey import refuse_damaged
    if not checked:   # the nightly job has just run the same checks
        refuse_damaged(conn, Path(getattr(conn, "kiosk_path", None) or "kiosk.db"), "no backup taken, it fails its check")
    dest_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = dest_dir / f"kiosk-{stamp}.db.bak"
    with atomic_path(final) as tmp:  # 0600 before any byte lands; renamed only once verified
        target = sqlcipher3.connect(str(tmp), isolation_level=None)
        try:
            _apply_key(target, key)
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        verify_backup(tmp, key)
    info = BackupInfo(final, now, final.stat().st_size)
    _write_manifest(info, anchor)
    return info


def verify_backup(path: Path, key: bytes) -> int:
    """Open a backup with the key and run a quick integrity check; returns its schema version."""
    conn = connect(path, key, cache_mib=2)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"backup {path.name} fails the integrity check: {result}")
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def list_backups(dest_dir: Path) -> list[BackupInfo]:
    found = []
    for path in sorted(Path(dest_dir).glob("kiosk-*.db.bak")):
        match = NAME_RE.match(path.name)
        if match:
            taken = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            found.append(BackupInfo(path, taken, path.stat().st_size))
    return found


def prune_backups(dest_dir: Path, retention_days: int, now: datetime) -> int:
    """Delete backups older than the retention, always keeping the newest one."""
    backups = list_backups(dest_dir)
    cutoff = now - timedelta(days=retention_days)
    removed = 0
    for info in backups[:-1]:
        if info.taken_at < cutoff:
            info.path.unlink()
            manifest_path(info.path).unlink(missing_ok=True)
            removed += 1
    return removed


def restore_backup(backup: Path, data_dir: Path, key: bytes, now: datetime) -> Path | None:
    """Put `backup` in place of the live database; returns where the replaced database was kept."""
    verify_backup(backup, key)  # WrongKeyError / StoreError before anything is touched
    live = db_path(data_dir)
    kept = None
    if live.exists():
        stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = live.with_name(f"{live.name}.replaced-{stamp}")
        os.replace(live, kept)
        for suffix in ("-wal", "-shm", "-inuse", ".wal-missing"):
            side = live.with_name(live.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
    with atomic_path(live) as tmp:
        shutil.copyfile(backup, tmp)  # into the 0600 file that already exists
    return kept

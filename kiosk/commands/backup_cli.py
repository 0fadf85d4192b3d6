"""`kiosk db backup` and `kiosk db restore`: registered by db_cmd.py, implemented here.

Restore refuses a backup the key does not open ("wrong key", nothing touched), refuses while the
kiosk app or a sync worker holds the data dir, and keeps the replaced database aside.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from kiosk.store.db import StoreError, WrongKeyError


def register_db(dsub, parents, key_args: Callable, provider: Callable) -> None:
    q = dsub.add_parser("backup", parents=parents, help="take an encrypted backup now (into <data_dir>/backups)")
    key_args(q)
    q.add_argument("--dest", type=Path, default=None, help="backup directory (default: <data_dir>/backups)")
    q.set_defaults(func=lambda args, ctx: _backup(args, ctx, provider))
    q = dsub.add_parser("restore", parents=parents,
                        help="replace the database with a backup (the kiosk must be stopped)")
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("backup", nargs="?", type=Path, default=None, help="backup file (kiosk-*.db.bak)")
    which.add_argument("--latest", action="store_true", help="the newest backup in <data_dir>/backups")
    key_args(q)
    q.set_defaults(func=lambda args, ctx: _restore(args, ctx, provider))
    q = dsub.add_parser("backups", parents=parents, help="list the backups in <data_dir>/backups")
    q.set_defaults(func=_list)


def _fail(what: str, message: str, code: int = 1) -> int:
    print(f"kiosk db {what}: {message}", file=sys.stderr)
    return code


def _backup(args, ctx, provider) -> int:
    from kiosk.core.clock import SystemClock
    from kiosk.store.backup import backup_dir, take_backup
    from kiosk.store.migrate import open_store
    cfg = ctx.config
    try:
        key = provider(args, cfg).load()
        now = SystemClock().now()
        with open_store(cfg.data_dir, key, cache_mib=8, busy_timeout_ms=cfg.db_busy_timeout_ms) as store:
            info = take_backup(store.conn, key, args.dest or backup_dir(cfg.data_dir), now,
                               anchor=store.settings.get("audit_chain_head"))
            from kiosk.security.audit_log import record_cli
            record_cli(store, "db.backup", "database", {"file": info.path.name})
    except StoreError as exc:
        return _fail("backup", str(exc))
    print(f"backup {info.path} ({info.size} bytes), encrypted with the database key")
    return 0


def _pick(args, cfg) -> Path:
    from kiosk.store.backup import backup_dir, list_backups
    if args.backup is not None:
        if not Path(args.backup).is_file():
            raise StoreError(f"no backup file {args.backup}")
        return Path(args.backup)
    found = list_backups(backup_dir(cfg.data_dir))
    if not found:
        raise StoreError(f"no backups in {backup_dir(cfg.data_dir)}")
    return found[-1].path


def _restore(args, ctx, provider) -> int:
    from kiosk.core.clock import SystemClock
    from kiosk.store.backup import restore_backup
    from kiosk.sync.lock import WorkerBusy, WorkerLock
    cfg = ctx.config
    try:
        backup = _pick(args, cfg)
        key = provider(args, cfg).load()
    except StoreError as exc:
        return _fail("restore", str(exc))
    lock = WorkerLock.for_data_dir(cfg.data_dir)
    try:
        Path(cfg.data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        lock.acquire()
    except WorkerBusy as exc:
        return _fail("restore", f"{exc}; stop the kiosk first")
    try:
        kept = restore_backup(backup, cfg.data_dir, key, SystemClock().now())
    except WrongKeyError:
        return _fail("restore", f"wrong key: {backup.name} does not open with this key (a backup is "
                                "encrypted with the key the database had when it was taken; after a "
                                "re-key use the retired key file). Nothing was changed.")
    except StoreError as exc:
        return _fail("restore", f"{exc}. Nothing was changed.")
    finally:
        lock.release()
    _record_restore(cfg, key, backup, kept)
    print(f"restored {backup.name}")
    if kept is not None:
        print(f"the replaced database is kept as {kept}")
    return 0


def _record_restore(cfg, key: bytes, backup: Path, kept: Path | None) -> None:
    """The restored database's audit chain says who put it there (the OS user with the key file)."""
    from kiosk.security.audit_log import record_cli
    from kiosk.store.migrate import open_store
    with open_store(cfg.data_dir, key, cache_mib=8, busy_timeout_ms=cfg.db_busy_timeout_ms) as store:
        record_cli(store, "db.restore", "database", {"backup": backup.name, "kept": kept.name if kept else None})


def _list(args, ctx) -> int:
    from kiosk.store.backup import backup_dir, list_backups
    found = list_backups(backup_dir(ctx.config.data_dir))
    for info in found:
        print(f"{info.taken_at:%Y-%m-%d %H:%M:%S}Z  {info.size:>12}  {info.path}")
    if not found:
        print("no backups")
    return 0

"""`kiosk db init|check|migrate|rekey`: create, verify, upgrade and re-key the encrypted database."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from kiosk.store.db import StoreError, WrongKeyError, damaged_page_text, db_path, wal_missing_note
from kiosk.store.keys import KeyProvider, key_provider_from_config


def register(sub, parents) -> None:
    p = sub.add_parser("db", parents=parents, help="create, check, migrate or re-key the encrypted database")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    dsub.required = True

    def key_args(q, *, new: bool = False) -> None:
        q.add_argument("--key-file", type=Path, default=None,
                       help="database key file (default: the key_file setting); outside the data dir")
        q.add_argument("--passphrase-stdin", action="store_true",
                       help="read the passphrase from the first line of stdin (key_provider = passphrase)")
        if new:
            q.add_argument("--new-key-file", type=Path, required=True,
                           help="where to write the new key (may be the same path: rotated in place)")
            q.add_argument("--keep-old", action="store_true",
                           help="keep the old key as KEY.retired-<time> (needed for older backups)")

    q = dsub.add_parser("init", parents=parents, help="create and migrate the database, making a key if none")
    key_args(q)
    q.set_defaults(func=_init)
    q = dsub.add_parser("check", parents=parents, help="schema version, cipher and integrity checks")
    key_args(q)
    q.set_defaults(func=_check)
    q = dsub.add_parser("migrate", parents=parents, help="apply pending migrations")
    key_args(q)
    q.set_defaults(func=_migrate)
    q = dsub.add_parser("rekey", parents=parents, help="rotate the database key (PRAGMA rekey)")
    key_args(q, new=True)
    q.set_defaults(func=_rekey)
    from kiosk.commands.backup_cli import register_db as _register_backup  # backup, restore, backups (ops)
    _register_backup(dsub, parents, key_args, _provider)


def _fail(what: str, exc: Exception) -> int:
    print(f"kiosk db {what}: {exc}", file=sys.stderr)
    return 1


def _passphrase(args, cfg, *, confirm: bool = False) -> str | None:
    if cfg.key_provider != "passphrase":
        return None
    if args.passphrase_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Database passphrase: ")
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise StoreError("the two passphrases differ")
    return first


def _provider(args, cfg, *, confirm: bool = False, path: Path | None = None,
              passphrase: str | None = None) -> KeyProvider:
    if passphrase is None:
        passphrase = _passphrase(args, cfg, confirm=confirm)
    return key_provider_from_config(cfg, passphrase, key_file=path or args.key_file)


def _init(args, ctx) -> int:
    from kiosk.store.migrate import open_store
    cfg = ctx.config
    path = db_path(cfg.data_dir)
    try:
        provider = _provider(args, cfg, confirm=not path.exists())
        if path.exists():
            if not provider.exists():
                raise StoreError(f"a database already exists at {path} but there is no key at "
                                 f"{provider.path}; refusing to make a new key for it")
            key, made = provider.load(), False
        elif provider.exists():
            key, made = provider.load(), False
        else:
            key, made = provider.create(), True
        with open_store(cfg.data_dir, key, create=not path.exists(), cache_mib=cfg.db_cache_mib,
                        busy_timeout_ms=cfg.db_busy_timeout_ms) as store:
            version = store.schema_version
    except StoreError as exc:
        return _fail("init", exc)
    if made:
        print(f"created key file {provider.path} (0600); keep it outside {cfg.data_dir}")
    print(f"database {path}: schema {version}")
    return 0


def _check(args, ctx) -> int:
    from kiosk.store.migrate import latest_version
    from kiosk.store.rekey import check_database
    cfg = ctx.config
    try:
        provider = _provider(args, cfg)
        report = check_database(cfg.data_dir, provider.load())
        newest = latest_version()
    except WrongKeyError as exc:
        staged = Path(str(provider.path) + ".next")
        err: StoreError = exc
        if staged.exists():   # an in-place rotation stopped between PRAGMA rekey and the rename
            err = StoreError(f"{exc}; {staged} exists: finish the interrupted re-key with "
                             f"`kiosk db rekey --key-file {provider.path} --new-key-file {provider.path}`")
        return _fail("check", err)
    except StoreError as exc:
        return _fail("check", exc)
    print(f"database:              {db_path(cfg.data_dir)}")
    print(f"sqlcipher:             {report.cipher_version}")
    print(f"schema version:        {report.schema_version} (this kiosk knows up to {newest})")
    print(f"cipher_integrity_check: {'ok' if not report.cipher_problems else '; '.join(report.cipher_problems)}")
    print(f"integrity_check:       {'; '.join(report.integrity)}")
    lost = wal_missing_note(cfg.data_dir)
    if lost:
        print(f"write-ahead log:       MISSING: {lost}")
    if report.schema_version != newest:
        print("schema differs from this kiosk's: run `kiosk db migrate`" if report.schema_version < newest
              else "schema is newer than this kiosk knows: upgrade the kiosk")
    if not report.ok:
        print(damaged_page_text([*report.cipher_problems, *(() if report.integrity == ("ok",) else report.integrity)]),
              file=sys.stderr)
    return 0 if report.ok and report.schema_version == newest and not lost else 1


def _migrate(args, ctx) -> int:
    from kiosk.store.db import connect
    from kiosk.store.migrate import migrate
    cfg = ctx.config
    try:
        conn = connect(db_path(cfg.data_dir), _provider(args, cfg).load())
        try:
            report = migrate(conn)
        finally:
            conn.close()
    except StoreError as exc:
        return _fail("migrate", exc)
    applied = ", ".join(report.applied) or "nothing to apply"
    print(f"schema {report.before} -> {report.after}: {applied}")
    return 0


def _record(cfg, key: bytes, action: str, details: dict) -> None:
    from kiosk.security.audit_log import record_cli
    from kiosk.store.migrate import open_store
    with open_store(cfg.data_dir, key, cache_mib=8, busy_timeout_ms=cfg.db_busy_timeout_ms) as store:
        record_cli(store, action, "database", details)


def _rekey(args, ctx) -> int:
    from kiosk.store.rekey import rekey
    cfg = ctx.config
    try:
        passphrase = _passphrase(args, cfg)
        old = _provider(args, cfg, passphrase=passphrase)
        new = _provider(args, cfg, path=args.new_key_file, passphrase=passphrase)
        staged = _provider(args, cfg, path=new.path.with_name(new.path.name + ".next"), passphrase=passphrase)
        result = rekey(cfg.data_dir, old, new, new_path=new.path, old_path=old.path,
                       keep_old=args.keep_old, staged=staged)
        _record(cfg, new.load(), "db.rekey", {"resumed": result.resumed, "old_key_kept": result.retired is not None})
    except StoreError as exc:
        return _fail("rekey", exc)
    if result.resumed:
        print("finished an interrupted re-key")
    print(f"database re-keyed; its key is now {result.key_path}")
    if result.retired:
        print(f"old key kept as {result.retired} (for backups made before now)")
    if Path(old.path) == Path(cfg.key_file) != Path(result.key_path):
        print(f"note: the key_file setting still says {cfg.key_file}; point it at {result.key_path}")
    return 0

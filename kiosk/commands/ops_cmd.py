"""`kiosk ops backup-now | retention-now | metrics-once | health | recover-outbox`, and the hidden
`kiosk _qt-probe` that `kiosk doctor` runs in a PyInstaller build (where `python -c` cannot)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("ops", parents=parents, help="run the daily jobs now, print metrics, start-up health")
    osub = p.add_subparsers(dest="ops_command", metavar="ACTION")
    osub.required = True

    def key_arg(q) -> None:
        q.add_argument("--key-file", type=Path, default=None,
                       help="database key file (default: the key_file setting)")

    q = osub.add_parser("backup-now", parents=parents,
                        help="the nightly job now: encrypted backup, then prune past backup_retention_days")
    key_arg(q)
    q.set_defaults(func=_backup_now)
    q = osub.add_parser("retention-now", parents=parents,
                        help="the retention job now: purge patients not seen, prune old receipts")
    key_arg(q)
    q.set_defaults(func=_retention_now)
    q = osub.add_parser("metrics-once", parents=parents, help="print the metrics in Prometheus text format")
    key_arg(q)
    q.set_defaults(func=_metrics_once)
    q = osub.add_parser("health", parents=parents, help="start-up health (disk, database integrity) as JSON")
    key_arg(q)
    q.add_argument("--integrity", choices=("full", "cipher", "none"), default="full",
                   help="full: cipher_integrity_check + quick_check (reads every page); cipher: HMACs only")
    q.set_defaults(func=_health)
    q = osub.add_parser("recover-outbox", parents=parents,
                        help="copy unsent outbox items of a backup that the live database lacks")
    q.add_argument("backup", type=Path, help="backup file (kiosk-*.db.bak)")
    key_arg(q)
    q.set_defaults(func=_recover_outbox)
    # hidden (no help): the Qt platform probe of `kiosk doctor` in a frozen build
    q = sub.add_parser("_qt-probe", parents=parents)
    q.set_defaults(func=_qt_probe)


def _key(args, cfg) -> bytes:
    from kiosk.store.keys import key_provider_from_config
    return key_provider_from_config(cfg, key_file=args.key_file).load()


def _factory(args, cfg):
    from kiosk.commands._store import open_for_cli
    return lambda: open_for_cli(cfg, args.key_file)


def _fail(what: str, exc: Exception) -> int:
    print(f"kiosk ops {what}: {exc}", file=sys.stderr)
    return 1


def _backup_now(args, ctx) -> int:
    from kiosk.core.clock import SystemClock
    from kiosk.ops.disk import DiskGuard
    from kiosk.ops.jobs import nightly_backup
    from kiosk.store.db import StoreError
    cfg = ctx.config
    try:
        out = nightly_backup(_factory(args, cfg), _key(args, cfg), Path(cfg.data_dir), cfg.backup_retention_days,
                             SystemClock().now(), DiskGuard(Path(cfg.data_dir), cfg.min_free_disk_mib))
    except StoreError as exc:
        return _fail("backup-now", exc)
    print(f"backup {out.info.path} ({out.info.size} bytes); pruned {out.pruned}, {out.kept} kept")
    return 0


def _retention_now(args, ctx) -> int:
    from kiosk.ops.jobs import retention_job
    from kiosk.store.db import StoreError
    cfg = ctx.config
    try:
        report = retention_job(_factory(args, cfg), cfg.patient_retention_days, cfg.receipt_retention_days)
    except StoreError as exc:
        return _fail("retention-now", exc)
    print(f"purged {report.patients_purged} patients not seen for {cfg.patient_retention_days} days; "
          f"pruned {report.receipts_pruned} receipts older than {cfg.receipt_retention_days} days")
    return 0


def _metrics_once(args, ctx) -> int:
    from prometheus_client import CollectorRegistry, generate_latest

    from kiosk.ops.fleet import snapshot_source
    from kiosk.ops.metrics import SnapshotCollector
    from kiosk.store.db import StoreError
    cfg = ctx.config
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot_source(_factory(args, cfg), None), str(cfg.kiosk_id),
                                        str(cfg.facility_code)))
    try:
        text = generate_latest(registry).decode("utf-8")
    except StoreError as exc:
        return _fail("metrics-once", exc)
    sys.stdout.write(text)
    return 0


def _health(args, ctx) -> int:
    from kiosk.ops.disk import DiskGuard
    from kiosk.ops.health import startup_health
    from kiosk.store.db import StoreError
    cfg = ctx.config
    try:
        key = _key(args, cfg)
    except StoreError as exc:
        return _fail("health", exc)
    h = startup_health(Path(cfg.data_dir), key, DiskGuard(Path(cfg.data_dir), cfg.min_free_disk_mib),
                       integrity=args.integrity)
    print(json.dumps({"state": h.state.value, "reason": h.reason, "detail": h.detail,
                      "message_vi": h.message_vi, "message_en": h.message_en}, ensure_ascii=False, indent=2))
    return 0 if h.ok else 1


def _recover_outbox(args, ctx) -> int:
    from kiosk.ops.recovery import recover_outbox_from_backup
    from kiosk.store.db import StoreError
    cfg = ctx.config
    try:
        key = _key(args, cfg)
        store = _factory(args, cfg)()
        try:
            report = recover_outbox_from_backup(args.backup, key, store)
            from kiosk.security.audit_log import record_cli
            record_cli(store, "outbox.recover", "outbox", {"backup": Path(args.backup).name, "copied": report.copied})
        finally:
            store.close()
    except StoreError as exc:
        return _fail("recover-outbox", exc)
    states = ", ".join(f"{k} {v}" for k, v in sorted(report.by_state.items())) or "none"
    print(f"copied {report.copied} outbox items ({states}); {report.already_present} were already there")
    return 0


def _qt_probe(args, ctx) -> int:
    """Start a QGuiApplication and print its platform name (exit 0), as `kiosk doctor` expects."""
    from kiosk.ui.qt import QGuiApplication
    app = QGuiApplication(sys.argv[:1])
    print(app.platformName())
    return 0

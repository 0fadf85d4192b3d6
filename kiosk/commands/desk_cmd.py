"""`kiosk desk`: the desk (or, for a technician, the technician screens) on a desk PC against the
data dir; the first-run wizard when the kiosk is not provisioned yet."""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("desk", parents=parents,
                       help="open the reception desk / technician screens (first-run wizard if not provisioned)")
    p.add_argument("--key-file", type=Path, help="database key file (default: the key_file setting)")
    p.add_argument("--layout", choices=("desk", "kiosk"), default="desk", help="desk PC or kiosk touch layout")
    p.add_argument("--technician", action="store_true", help="admins: open the technician screens")
    p.add_argument("--wizard", action="store_true", help="run the first-run wizard even if provisioned")
    p.set_defaults(func=_desk)


def _desk(args, ctx) -> int:
    from kiosk.config import ConfigError, default_config_path, load
    from kiosk.ui.qt import QApplication
    config_path = Path(args.config) if args.config else default_config_path()
    try:
        cfg = ctx.config
    except ConfigError:
        if config_path.exists():
            raise
        cfg = load(None, env={})   # nothing provisioned yet: the wizard starts from the defaults
    if args.key_file:
        cfg = cfg.replace(key_file=args.key_file)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.staff import first_run_provisioning, is_provisioned, staff_services
    from kiosk.ui.desk.staff_mode import StaffMode
    if cfg.get("hub_dsn", "") and not args.wizard and not args.technician:
        # a desk PC on the facility hub: no local database; staff accounts and audit at the hub
        return _run_mode(app, StaffMode(staff_services(cfg, None, hub=True), kiosk_layout=args.layout == "kiosk"))
    if args.wizard or not is_provisioned(cfg):
        from kiosk.ui.desk.worker import DbWorker
        from kiosk.ui.technician.wizard import FirstRunWizard
        worker = DbWorker()
        wizard = FirstRunWizard(cfg, worker, config_path, first_run_provisioning())
        wizard.show()
        app.exec()
        worker.shutdown()
        if wizard.report is None:
            return 1
        print(f"provisioned: {config_path}")
        # Finish continues to the technician screens: the new admin signs in and sets up the devices
        cfg = load(config_path)
        args.technician = True
    from kiosk.store.keys import key_provider_from_config
    from kiosk.store.db import StoreError
    try:
        passphrase = None
        if cfg.key_provider == "passphrase":
            import getpass
            passphrase = getpass.getpass("database passphrase: ")
        key = key_provider_from_config(cfg, passphrase).load()
        from kiosk.store.db import connect, db_path
        connect(db_path(cfg.data_dir), key).close()     # a wrong key is said here, before any window
    except StoreError as exc:
        print(f"kiosk desk: {exc}", file=sys.stderr)
        return 1
    mode = StaffMode(staff_services(cfg, key), kiosk_layout=args.layout == "kiosk")
    mode.prefer_tech = args.technician
    return _run_mode(app, mode)


def _run_mode(app, mode) -> int:
    def unavailable(exc: Exception) -> None:             # never a window-less process that keeps running
        print(f"kiosk desk: staff mode unavailable: {exc}", file=sys.stderr)
        app.exit(1)
    mode.on_unavailable = unavailable
    mode.open()
    try:
        return app.exec()
    finally:
        mode.close()

"""`kiosk queue appointments import FILE`: appointments booked in an outside system (CSV; columns
in kiosk/calling/appointments.py and the README) so booked patients are called at their time."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path


def register_appointments(qsub, parents) -> None:
    a = qsub.add_parser("appointments", parents=parents, help="appointments from outside systems (CSV import)")
    asub = a.add_subparsers(dest="appointments_command", metavar="ACTION")
    asub.required = True
    imp = asub.add_parser("import", parents=parents,
                          help="import a CSV: time, service, identity_number, follow_up, note")
    imp.add_argument("file", type=Path)
    imp.add_argument("--key-file", type=Path)
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(func=_import)


def _import(args, ctx) -> int:
    from kiosk.calling.appointments import import_file
    from kiosk.commands._store import open_for_cli
    from kiosk.security.audit_log import AuditLog
    from kiosk.store.db import StoreError
    if not args.file.is_file():
        print(f"kiosk queue appointments import: no file {args.file}", file=sys.stderr)
        return 1
    try:
        store = open_for_cli(ctx.config, args.key_file)
    except StoreError as exc:
        print(f"kiosk queue appointments import: {exc}", file=sys.stderr)
        return 1
    services = {s["code"] for s in ctx.config.services}
    with store:
        result, new, updated = import_file(store, args.file, services, store.clock.now())
        AuditLog(store).append(_os_user(), None, "queue.appointments_import", f"file:{args.file.name}",
                               {"imported": len(result.rows), "new": new, "refused": len(result.errors),
                                "waiting_updated": updated})
    summary = {"file": args.file.name, "imported": len(result.rows), "new": new, "refused": len(result.errors),
               "waiting_updated": updated, "errors": result.errors}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{args.file.name}: {len(result.rows)} appointments imported ({new} new), "
              f"{updated} waiting patients updated, {len(result.errors)} rows refused")
        for err in result.errors:
            print(f"  {err}", file=sys.stderr)
    return 1 if result.errors else 0


def _os_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:   # no passwd entry (containers)
        return "cli"

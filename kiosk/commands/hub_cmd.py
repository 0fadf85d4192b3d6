"""`kiosk hub init --dsn ADMIN_DSN | status | worker | enrol | report`: the facility's PostgreSQL hub."""
from __future__ import annotations

import json
import signal
import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("hub", parents=parents, help="the facility hub (PostgreSQL): schema, status, upload worker")
    hsub = p.add_subparsers(dest="hub_command", metavar="ACTION")
    hsub.required = True
    init = hsub.add_parser("init", parents=parents, help="apply migrations/hub and create the least-privilege roles")
    init.add_argument("--dsn", required=True, help="administrator libpq string (used once; not stored)")
    init.add_argument("--secrets-dir", type=Path, default=None,
                      help="where new roles' passwords are written (0600 key-store files); default: <data_dir>/hub-secrets")
    init.set_defaults(func=_init)
    status = hsub.add_parser("status", parents=parents,
                             help="connected kiosks/desks, queue sizes, each kiosk's lag, upload owners")
    status.add_argument("--dsn", default=None, help="libpq string; default: setting hub_dsn (+ hub_password_file)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)
    worker = hsub.add_parser("worker", parents=parents, help="upload the items handed over to the hub (foreground)")
    worker.add_argument("--dsn", default=None, help="libpq string of the hub_worker role; default: setting hub_dsn")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.set_defaults(func=_worker)
    from kiosk.commands import hub_staff_cmd
    hub_staff_cmd.register(hsub, parents)
    from kiosk.commands import hub_report_cmd
    hub_report_cmd.register(hsub, parents)
    enrol = hsub.add_parser("enrol", parents=parents,
                            help="get this kiosk's kiosk_id from the hub (the hub assigns ids; a duplicate is refused)")
    enrol.add_argument("--dsn", default=None, help="libpq string of the hub_kiosk role; default: setting hub_dsn")
    enrol.add_argument("--machine", default=None, help="this machine's identity; default: /etc/machine-id")
    enrol.add_argument("--kiosk-id", default=None, help="ask for this id (refused if another machine holds it)")
    enrol.set_defaults(func=_enrol)


def _dsn(args, ctx, role: str) -> str | None:
    from kiosk.facility.dsn import HubConfigError, full_dsn, hub_from_config
    try:
        if args.dsn:
            return full_dsn(args.dsn, production=False, application_name=f"kiosk-{role}") \
                if "password=" not in args.dsn else args.dsn
        dsn = hub_from_config(ctx.config, role=role)
    except HubConfigError as exc:
        print(f"kiosk hub: {exc}", file=sys.stderr)
        return None
    if dsn is None:
        print("kiosk hub: no hub configured (setting hub_dsn, or --dsn)", file=sys.stderr)
    return dsn


def _init(args, ctx) -> int:
    import psycopg
    from kiosk.facility import schema
    secrets = args.secrets_dir or Path(ctx.config["data_dir"]) / "hub-secrets"
    try:
        rep = schema.init(args.dsn, secrets)
    except (psycopg.Error, ValueError) as exc:
        print(f"kiosk hub init: {type(exc).__name__}: {str(exc).strip()[:300]}", file=sys.stderr)
        return 1
    print(f"hub schema {rep.before} -> {rep.after}; applied: {', '.join(rep.applied) or 'nothing'}")
    for role in rep.roles:
        print(f"role {role} created; password in {secrets / (role + '.password')}")
    return 0


def _status(args, ctx) -> int:
    import psycopg
    from kiosk.facility.status import format_status, hub_status
    dsn = _dsn(args, ctx, "status")
    if dsn is None:
        return 2
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            st = hub_status(conn)
    except psycopg.Error as exc:
        print(f"kiosk hub status: hub unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(json.dumps(st, indent=2, default=str) if args.json else format_status(st))
    return 0


def _worker(args, ctx) -> int:
    import psycopg
    from kiosk.facility.worker import HubUploadWorker
    from kiosk.settings_map import gateway_client
    dsn = _dsn(args, ctx, "worker")
    if dsn is None:
        return 2
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("flag", True))
    client = gateway_client(ctx.config)
    with psycopg.connect(dsn) as conn:
        w = HubUploadWorker(conn, client, ctx.config["facility_code"])
        if args.once:
            rep = w.run_once()
            print(f"acked {rep.acked}, retried {rep.retried}, dead {rep.dead}")
            return 0
        w.run_forever(stop=lambda: stop["flag"])
    return 0


def _enrol(args, ctx) -> int:
    import psycopg
    from kiosk.facility.enrol import EnrolRefused, enrol, machine_id
    dsn = _dsn(args, ctx, "kiosk")
    if dsn is None:
        return 2
    machine = args.machine or machine_id()
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            kid, created = enrol(conn, ctx.config["facility_code"], machine, args.kiosk_id)
    except EnrolRefused as exc:
        print(f"kiosk hub enrol: refused: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"kiosk hub enrol: hub unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(f"kiosk_id {kid} ({'enrolled now' if created else 'already enrolled'}); set kiosk.id = \"{kid}\" "
          "and list it in facility_kiosk_ids")
    return 0

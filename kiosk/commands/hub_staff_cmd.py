"""`kiosk hub staff add|list` and `kiosk hub audit verify`: facility-wide staff accounts and the
hub's audit chain, managed with the hub owner's DSN (used once, not stored)."""
from __future__ import annotations

import json
import os
import sys


def register(hsub, parents) -> None:
    staff = hsub.add_parser("staff", parents=parents, help="facility staff accounts (desks sign in with these)")
    ssub = staff.add_subparsers(dest="staff_command", metavar="ACTION")
    ssub.required = True
    add = ssub.add_parser("add", parents=parents, help="create a facility staff account")
    add.add_argument("--dsn", required=True, help="the hub owner's libpq string")
    add.add_argument("--username", required=True)
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--role", required=True, choices=("reception", "clinician", "technician", "admin"))
    add.add_argument("--pin-env", default="KIOSK_STAFF_PIN",
                     help="environment variable holding the PIN (default KIOSK_STAFF_PIN); else it is asked")
    add.set_defaults(func=_add)
    ls = ssub.add_parser("list", parents=parents, help="list facility staff accounts")
    ls.add_argument("--dsn", required=True, help="libpq string (hub owner or hub_desk)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    audit = hsub.add_parser("audit", parents=parents, help="the hub's audit chain")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    asub.required = True
    ver = asub.add_parser("verify", parents=parents, help="walk the keyed hash chain (needs the owner's DSN)")
    ver.add_argument("--dsn", required=True)
    ver.set_defaults(func=_verify)


def _add(args, ctx) -> int:
    import psycopg
    from kiosk.facility.hub_staff import add_staff
    from kiosk.security.pins import PinPolicyError
    pin = os.environ.get(args.pin_env) or ""
    if not pin:
        import getpass
        pin = getpass.getpass("PIN: ")
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            staff_id = add_staff(conn, args.username, args.name or args.username, args.role, pin)
    except PinPolicyError as exc:
        print(f"kiosk hub staff add: {exc}", file=sys.stderr)
        return 2
    except psycopg.errors.UniqueViolation:
        print(f"kiosk hub staff add: username {args.username!r} exists", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"kiosk hub staff add: {type(exc).__name__}: {str(exc).strip()[:200]}", file=sys.stderr)
        return 1
    print(f"staff account {args.username} ({args.role}) created at the hub, id {staff_id}")
    return 0


def _list(args, ctx) -> int:
    import psycopg
    from kiosk.facility.hub_staff import list_staff
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        rows = list_staff(conn)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            state = "active" if r["active"] else "inactive"
            print(f"{r['username']:<16} {r['role']:<11} {state:<8} failures {r['failures']}")
    return 0


def _verify(args, ctx) -> int:
    import psycopg
    from kiosk.facility.hub_staff import verify_audit
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            verdict = verify_audit(conn)
    except psycopg.errors.InsufficientPrivilege:
        print("kiosk hub audit verify: the chain key is readable by the hub owner only", file=sys.stderr)
        return 2
    if verdict.ok:
        print(f"hub audit chain OK: {verdict.entries} entries")
        return 0
    print(f"hub audit chain BROKEN at entry {verdict.first_broken_id}: {verdict.reason}", file=sys.stderr)
    return 1

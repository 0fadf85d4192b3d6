"""`kiosk provision --file provisioning.toml` (unattended, idempotent; checks everything before it
changes anything) and `kiosk staff list|add`."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("provision", parents=parents,
                       help="provision this kiosk from a file (facility, gateway, signing key, database key, "
                            "services, staff); safe to run again")
    p.add_argument("--file", type=Path, required=True, help="provisioning TOML (secrets via *_file or *_env)")
    p.add_argument("--check", action="store_true", help="only check the file; change nothing")
    p.set_defaults(func=_provision)
    s = sub.add_parser("staff", parents=parents, help="list or add staff accounts")
    ssub = s.add_subparsers(dest="staff_command", metavar="ACTION")
    ssub.required = True
    ls = ssub.add_parser("list", parents=parents, help="accounts and roles (no PINs)")
    ls.add_argument("--key-file", type=Path)
    ls.set_defaults(func=_staff_list)
    add = ssub.add_parser("add", parents=parents, help="add an account (an admin signs in first)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--role", required=True, choices=("reception", "clinician", "technician", "admin"))
    add.add_argument("--badge")
    add.add_argument("--pin-env", help="environment variable with the new PIN (else asked)")
    add.add_argument("--admin", required=True, help="admin username")
    add.add_argument("--admin-pin-env", help="environment variable with the admin's PIN (else asked)")
    add.add_argument("--key-file", type=Path)
    add.set_defaults(func=_staff_add)


def _config_path(args) -> Path:
    from kiosk.config import default_config_path
    if getattr(args, "config", None):
        return Path(args.config)
    if os.environ.get("KIOSK_CONFIG"):
        return Path(os.environ["KIOSK_CONFIG"])
    return default_config_path()


def _provision(args, ctx) -> int:
    from kiosk.technician.provision import ProvisionError, apply, plan_from_file
    target = _config_path(args)
    from kiosk.technician.hub_enrolment import describe, enrol_plan
    try:
        plan = plan_from_file(args.file, target)
        enrolment = enrol_plan(plan, check_only=args.check)   # with hub.dsn: the hub confirms the kiosk id
    except ProvisionError as exc:
        print("kiosk provision: the file has problems; nothing was changed:", file=sys.stderr)
        for field, message in exc.problems:
            print(f"  {field}: {message}", file=sys.stderr)
        return 2
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if describe(enrolment):
        print(describe(enrolment))
    if args.check:
        print(f"provisioning file OK ({len(plan.settings)} settings, {len(plan.staff)} staff accounts)")
        return 0
    from kiosk.security.audit_log import os_actor
    actor, role, who = os_actor()     # no admin PIN here: the audit names the OS user with the key file
    report = apply(plan, actor=actor, role=role, extra=who)
    if report.nothing_changed:
        print(f"already provisioned: nothing changed ({target})")
    else:
        print(f"provisioned ({target}); changed: {', '.join(report.changed)}")
    return 0


def _open(args, ctx):
    from kiosk.commands._store import open_for_cli
    from kiosk.store.db import StoreError
    try:
        return open_for_cli(ctx.config, args.key_file)
    except StoreError as exc:
        print(f"kiosk staff: {exc}", file=sys.stderr)
        return None


def _staff_list(args, ctx) -> int:
    store = _open(args, ctx)
    if store is None:
        return 1
    with store:
        for a in store.staff.list(include_inactive=True):
            state = "" if a.active else " (inactive)"
            badge = " badge" if a.badge else ""
            print(f"{a.username:<20} {a.role:<11} {a.display_name}{badge}{state}")
    return 0


def _pin(env_name: str | None, prompt: str) -> str:
    if env_name:
        if env_name not in os.environ:
            raise SystemExit(f"kiosk staff: environment variable {env_name} is not set")
        return os.environ[env_name]
    return getpass.getpass(prompt)


def _staff_add(args, ctx) -> int:
    from kiosk.core.clock import SystemClock
    from kiosk.security.accounts import SignInError, StaffAccounts
    from kiosk.security.audit_log import AuditLog
    from kiosk.security.pins import PinPolicyError
    from kiosk.security.roles import PermissionDenied
    from kiosk.store.errors import DuplicateUsername
    store = _open(args, ctx)
    if store is None:
        return 1
    with store:
        accounts = StaffAccounts(store, AuditLog(store), SystemClock(), max_failures=ctx.config.pin_max_failures)
        try:
            admin = accounts.sign_in(args.admin, _pin(args.admin_pin_env, "admin PIN: "))
            accounts.create(admin, args.username, args.name, args.role, _pin(args.pin_env, "new PIN: "), args.badge)
        except (SignInError, PermissionDenied, PinPolicyError, DuplicateUsername) as exc:
            print(f"kiosk staff add: {exc}", file=sys.stderr)
            return 1
    print(f"added {args.username} ({args.role})")
    return 0

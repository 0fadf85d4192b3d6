"""`kiosk hub report [--dsn DSN] [--week 2026-W48 | --from D --to D] [--format xlsx|pdf|csv|json] [--out PATH]`:
the facility's weekly report computed at the hub (every kiosk and desk, plus a table per kiosk), in
the same formats as `kiosk report weekly`. Reading is enough: the desk role's DSN will do."""
from __future__ import annotations

import sys
from pathlib import Path


def register(hsub, parents) -> None:
    r = hsub.add_parser("report", parents=parents,
                        help="the facility's weekly report from the hub: every kiosk and desk, and per kiosk")
    r.add_argument("--dsn", default=None, help="libpq string (a read-only role is enough, e.g. hub_desk); "
                                               "default: setting hub_dsn (+ hub_password_file)")
    r.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: last week)")
    r.add_argument("--from", dest="first", help="instead of a week: first day yyyy-mm-dd")
    r.add_argument("--to", dest="last", help="with --from: last day yyyy-mm-dd")
    r.add_argument("--format", choices=("xlsx", "pdf", "csv", "json"), default="json")
    r.add_argument("--out", type=Path, help="file (or directory) to write; default: stdout for csv/json, "
                                            "the reports directory for xlsx/pdf")
    r.add_argument("--facility", default=None,
                   help="facility code to report (default: setting facility_code; '' = every facility of the hub)")
    r.set_defaults(func=_report)


def _report(args, ctx) -> int:
    import psycopg
    from kiosk.commands.hub_cmd import _dsn
    from kiosk.commands.report_cmd import _period, emit
    from kiosk.core.clock import SystemClock
    from kiosk.facility.hub_report import build_hub_report, record_prepared
    from kiosk.report.period import PeriodError
    from kiosk.report.weekly import ReportError
    cfg = ctx.config
    try:
        now = SystemClock().now()
        period = _period(args, now)
    except (PeriodError, ValueError) as exc:
        print(f"kiosk hub report: {exc}", file=sys.stderr)
        return 2
    dsn = _dsn(args, ctx, "report")
    if dsn is None:
        return 2
    facility = cfg["facility_code"] if args.facility is None else args.facility
    try:
        with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as conn:
            out = emit(build_hub_report(conn, period, facility=facility, generated_at=now), args.format, args.out, cfg)
            if out is None:
                return 0
            if not args.first:
                try:                     # tell the desks; a role that may only read still gets its file
                    record_prepared(conn, period.label, [out.name])
                except psycopg.errors.InsufficientPrivilege:
                    pass
    except ReportError as exc:
        print(f"kiosk hub report: {exc}", file=sys.stderr)
        return 2
    except psycopg.errors.InsufficientPrivilege:
        print("kiosk hub report: this DSN's role may not read the report's tables: use the desk role (hub_desk)",
              file=sys.stderr)
        return 1
    except psycopg.errors.UndefinedTable:
        print("kiosk hub report: the hub's schema is older than this kiosk: run `kiosk hub init`", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"kiosk hub report: hub unreachable or refused ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(out)
    return 0

"""`kiosk report weekly [--week 2026-W48] [--format xlsx|pdf|csv|json] [--out PATH]` and
`kiosk report prepare` (what the daily job does: last week's report in the configured formats,
then the flag staff see)."""
from __future__ import annotations

import sys
from pathlib import Path

from kiosk.commands._store import open_for_cli
from kiosk.store.db import StoreError


def register(sub, parents) -> None:
    p = sub.add_parser("report", parents=parents, help="the weekly report for the health department")
    rsub = p.add_subparsers(dest="report_command", metavar="ACTION")
    rsub.required = True
    w = rsub.add_parser("weekly", parents=parents,
                        help="a week's figures: receptions by identification, card checks, uploads and delays")
    w.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: last week)")
    w.add_argument("--from", dest="first", help="instead of a week: first day yyyy-mm-dd")
    w.add_argument("--to", dest="last", help="with --from: last day yyyy-mm-dd")
    w.add_argument("--format", choices=("xlsx", "pdf", "csv", "json"), default="json")
    w.add_argument("--out", type=Path, help="file (or directory) to write; default: stdout for csv/json, "
                                            "the reports directory for xlsx/pdf")
    w.add_argument("--key-file", type=Path)
    w.set_defaults(func=_weekly)
    prep = rsub.add_parser("prepare", parents=parents,
                           help="prepare last week's report in the configured formats and tell staff it is ready")
    prep.add_argument("--week", help="ISO week (default: last week)")
    prep.add_argument("--force", action="store_true", help="prepare again even if already prepared")
    prep.add_argument("--key-file", type=Path)
    prep.set_defaults(func=_prepare)


def _period(args, now):
    from kiosk.report.period import last_week, span, week
    if args.first or getattr(args, "last", None):
        if not (args.first and args.last) or args.week:
            raise ValueError("use --week, or --from and --to together")
        return span(args.first, args.last)
    return week(args.week) if args.week else last_week(now)


def _weekly(args, ctx) -> int:
    from kiosk.report.period import PeriodError
    from kiosk.report.weekly import ReportError, build_for_store
    cfg = ctx.config
    try:
        store = open_for_cli(cfg, args.key_file)
    except StoreError as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 1
    try:
        now = store.clock.now()
        period = _period(args, now)
        out = emit(build_for_store(store, cfg, period, now), args.format, args.out, cfg)
        if out is not None:
            print(out)
        return 0
    except (PeriodError, ValueError, ReportError) as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def emit(report, fmt: str, out: Path | None, cfg) -> Path | None:
    """Render `report` as `fmt`: to stdout (csv/json without --out; returns None), else to the file
    `out` names (a folder: the report's own file name in it; none: the reports folder)."""
    from kiosk.report.weekly import file_name, render, reports_dir, write_atomic
    data = render(report, fmt)
    if out is None and fmt in ("csv", "json"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    path = out if out is not None else reports_dir(cfg)
    if out is None or path.is_dir():
        path = path / file_name(report, fmt)
    write_atomic(path, data)
    return path


def _prepare(args, ctx) -> int:
    from kiosk.report.period import PeriodError, week
    from kiosk.report.weekly import ReportError, prepare_weekly
    cfg = ctx.config
    try:
        store = open_for_cli(cfg, args.key_file)
    except StoreError as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 1
    try:
        period = week(args.week) if args.week else None
        done = prepare_weekly(store, cfg, store.clock.now(), period, force=args.force)
    except (PeriodError, ReportError) as exc:
        print(f"kiosk report: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    state = "already prepared" if done.skipped else "prepared"
    print(f"weekly report {done.period.label} {state}:")
    for path in done.files:
        print(f"  {path}")
    return 0

"""`kiosk sync status | run [--once] | retry ITEM|--dead | export-receipts`."""
from __future__ import annotations

import csv
import getpass
import json
import signal
import sys
import threading
from pathlib import Path

from kiosk.commands._store import open_for_cli
from kiosk.core.status import OutboxState
from kiosk.gateway.client import InsecureGatewayURL
from kiosk.store.db import StoreError
from kiosk.store.keys import key_provider_from_config
from kiosk.sync.lock import WorkerBusy


def register(sub, parents) -> None:
    p = sub.add_parser("sync", parents=parents, help="the upload outbox: status, drain, resend, receipts")
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    ssub.required = True
    status = ssub.add_parser("status", parents=parents, help="pending, sending, dead, oldest pending age, last success")
    status.add_argument("--json", action="store_true")
    status.add_argument("--key-file", type=Path)
    status.set_defaults(func=_status)
    run = ssub.add_parser("run", parents=parents, help="drain the outbox to the gateway (foreground worker)")
    run.add_argument("--once", action="store_true", help="one pass over what is due now, then exit")
    run.add_argument("--until-drained", action="store_true",
                     help="exit once nothing is pending or sending (dead letters stay)")
    run.add_argument("--key-file", type=Path)
    run.set_defaults(func=_run)
    retry = ssub.add_parser("retry", parents=parents, help="send a dead (or waiting) item again, now")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("item", nargs="?", type=int, help="outbox item id (see `kiosk sync status`)")
    which.add_argument("--dead", action="store_true", help="every dead letter")
    retry.add_argument("--key-file", type=Path)
    retry.set_defaults(func=_retry)
    exp = ssub.add_parser("export-receipts", parents=parents,
                          help="the gateway's receipts (MA_LK, kind, maGiaoDich, time); no personal data")
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--since", help="only items acked at or after this ISO-8601 time")
    exp.add_argument("--out", type=Path, help="file to write; default stdout")
    exp.add_argument("--key-file", type=Path)
    exp.set_defaults(func=_export)


def _open(args, ctx):
    try:
        return open_for_cli(ctx.config, args.key_file)
    except StoreError as exc:
        print(f"kiosk sync: {exc}", file=sys.stderr)
        return None


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def _status(args, ctx) -> int:
    store = _open(args, ctx)
    if store is None:
        return 1
    with store:
        stats = store.outbox.stats()
        dead = store.outbox.items(OutboxState.DEAD, limit=50)
        waiting = [i for i in store.outbox.items(OutboxState.PENDING, limit=200) if i.last_error][:50]
        handed = store.outbox.handed_over_items(limit=50)
    if args.json:
        doc = stats.as_dict()
        doc["dead_items"] = [{"id": d.id, "kind": d.kind.value, "ma_lk": d.ma_lk, "code": d.last_code,
                              "message": d.last_error} for d in dead]
        doc["pending_with_reason"] = [{"id": d.id, "kind": d.kind.value, "ma_lk": d.ma_lk, "code": d.last_code,
                                       "message": d.last_error, "attempts": d.attempts} for d in waiting]
        doc["handed_to_hub"] = [{"id": d.id, "kind": d.kind.value, "ma_lk": d.ma_lk, "state": d.state.value,
                                 "receipt": d.receipt.ma_giao_dich if d.receipt else None} for d in handed]
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"pending  {stats.pending}\nsending  {stats.sending}\nacked    {stats.acked}\ndead     {stats.dead}")
    if stats.handed_over or handed:
        print(f"handed   {stats.handed_over} (handed to the hub: the hub's worker uploads them)")
    print(f"oldest pending age  {_age(stats.oldest_pending_age_s)}")
    print(f"last success        {stats.last_success_at or '-'}")
    for d in dead:
        print(f"  dead #{d.id} {d.kind.value} {d.ma_lk}: [{d.last_code}] {d.last_error or ''}")
    for d in handed:    # issue 17: the facility hub owns these; never re-sent from here
        how = (f"uploaded by the hub, receipt {d.receipt.ma_giao_dich}" if d.receipt
               else "handed to the hub, waiting for its upload")
        print(f"  handed #{d.id} {d.kind.value} {d.ma_lk}: {how}")
    for d in waiting:   # why an item is still waiting: the gateway's words, for staff (L7)
        print(f"  waiting #{d.id} {d.kind.value} {d.ma_lk} after {d.attempts} attempt(s): "
              f"[{d.last_code}] {d.last_error}")
    return 0


def _run(args, ctx) -> int:
    from kiosk.sync.runner import build_worker
    cfg = ctx.config
    if args.key_file is not None:
        cfg = cfg.replace(key_file=args.key_file)
    from kiosk.logsetup import setup_logging
    setup_logging(cfg)   # the same masked, 0600 log as the app, at the configured level (L9)
    try:
        key = key_provider_from_config(cfg).load()
        worker = build_worker(cfg, key)
        if args.once:
            report = worker.run_once()
        else:
            def on_signal(*_):   # not in the handler itself: stop() takes locks the main thread may hold
                threading.Thread(target=worker.stop, kwargs={"timeout": 0}, daemon=True).start()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, on_signal)
            report = worker.run_forever(until_drained=args.until_drained)
    except (StoreError, WorkerBusy) as exc:
        print(f"kiosk sync: {exc}", file=sys.stderr)
        return 1
    except InsecureGatewayURL as exc:
        print(f"kiosk sync: {exc}", file=sys.stderr)
        return 2
    print(f"leased {report.leased}, acked {report.acked} (duplicates {report.duplicates}, reconciled "
          f"{report.reconciled}), retried {report.retried}, dead {report.dead}")
    return 0


def _retry(args, ctx) -> int:
    from kiosk.security.audit_log import AuditLog
    store = _open(args, ctx)
    if store is None:
        return 1
    # No staff member signed in: the trust boundary is the OS account holding the key file, and
    # the audit says exactly that instead of inventing a technician (red-team L3).
    actor, role, how = f"cli:{getpass.getuser()}", "os-user", {"authority": "OS user with the database key file"}
    with store:
        with store.transaction():
            if args.dead:
                n = store.outbox.requeue_dead()
                AuditLog(store).append(actor, role, "outbox.resend_dead", "outbox", {"count": n, **how})
            else:
                item = store.outbox.get(args.item)
                if item is None or not store.outbox.requeue(args.item):
                    print(f"kiosk sync: item {args.item} is not dead or waiting", file=sys.stderr)
                    return 1
                n = 1
                AuditLog(store).append(actor, role, "outbox.resend", f"outbox:{item.id}",
                                       {"kind": item.kind.value, "ma_lk": item.ma_lk, **how})
    print(f"{n} item(s) queued to send again (same signed bytes, same MA_LK)")
    return 0


def _export(args, ctx) -> int:
    store = _open(args, ctx)
    if store is None:
        return 1
    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    n = 0
    try:
        with store:
            rows = store.outbox.receipts(since=args.since)
            cols = ("ma_lk", "kind", "ma_giao_dich", "time", "acked_at")
            if args.format == "csv":
                w = csv.writer(out)
                w.writerow(cols)
                for r in rows:
                    w.writerow([getattr(r, c) or "" for c in cols])
                    n += 1
            else:
                out.write("[")
                for r in rows:
                    out.write(("," if n else "") + "\n" + json.dumps({c: getattr(r, c) for c in cols},
                                                                      ensure_ascii=False))
                    n += 1
                out.write("\n]\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"{n} receipt(s) written to {args.out}", file=sys.stderr)
    return 0

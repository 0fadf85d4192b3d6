"""`kiosk audit verify|export`."""
from __future__ import annotations

import sys
from pathlib import Path

from kiosk.commands._store import open_for_cli
from kiosk.security.audit_log import AuditLog, record_cli
from kiosk.store.db import StoreError


def register(sub, parents) -> None:
    p = sub.add_parser("audit", parents=parents, help="verify or export the audit log's hash chain")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    asub.required = True
    verify = asub.add_parser("verify", parents=parents, help="walk the chain; name the first broken entry")
    verify.add_argument("--key-file", type=Path)
    verify.add_argument("--anchor", metavar="COUNT:HASH|FILE",
                        help="a chain head recorded outside the database: COUNT:HASH (heartbeat line) or a "
                             "backup / its .manifest.json (the head at backup time); catches a history "
                             "rewritten with the key or a cut tail")
    verify.set_defaults(func=_verify)
    export = asub.add_parser("export", parents=parents, help="write every entry (JSON lines or CSV)")
    export.add_argument("--key-file", type=Path)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--out", type=Path, help="file to write; default stdout")
    export.set_defaults(func=_export)


def _open(args, ctx):
    try:
        return open_for_cli(ctx.config, args.key_file)
    except StoreError as exc:
        print(f"kiosk audit: {exc}", file=sys.stderr)
        return None


def _anchor(text: str | None) -> str | None:
    """COUNT:HASH as given, or the audit head in a backup's manifest (the daily backup anchors it)."""
    if not text or not Path(text).exists():
        return text
    from kiosk.store.backup import read_manifest
    head = read_manifest(Path(text)).get("audit_head")
    if not isinstance(head, str) or ":" not in head:
        raise StoreError(f"{text}: the backup manifest holds no audit chain head")
    return head


def _verify(args, ctx) -> int:
    try:
        args.anchor = _anchor(args.anchor)
    except StoreError as exc:
        print(f"kiosk audit: {exc}", file=sys.stderr)
        return 1
    store = _open(args, ctx)
    if store is None:
        return 1
    with store:
        log = AuditLog(store)
        verdict = log.verify(anchor=args.anchor)
        head = log.head()
        record_cli(store, "audit.verify", "audit", {"ok": verdict.ok, "entries": verdict.entries})
    if verdict.ok:
        print(f"audit chain intact: {verdict.entries} entries (head {head})")
        return 0
    print(f"audit chain BROKEN at entry {verdict.first_broken_id}: {verdict.reason}")
    return 1


def _export(args, ctx) -> int:
    store = _open(args, ctx)
    if store is None:
        return 1
    with store:
        text = AuditLog(store).export(args.format)
        record_cli(store, "audit.export", "audit", {"format": args.format})
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0

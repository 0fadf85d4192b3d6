"""`kiosk identity parse`: one scanner/keypad payload → the identity as JSON, or the error."""
from __future__ import annotations

import json
import sys

from kiosk.identity import parse
from kiosk.identity.errors import IdentityError
from kiosk.identity.jsonify import identity_to_dict
from kiosk.identity.parse import ParseOptions


def register(sub, parents) -> None:
    p = sub.add_parser("identity", parents=parents, help="parse identity documents (QR, typed numbers, MRZ)")
    isub = p.add_subparsers(dest="identity_command", metavar="ACTION")
    isub.required = True
    pp = isub.add_parser("parse", parents=parents,
                         help="parse one payload from stdin (or --text) and print it as JSON")
    pp.add_argument("--text", help="the payload (default: read stdin)")
    pp.add_argument("--unmasked", action="store_true", help="show full names and numbers (staff debugging)")
    pp.add_argument("--today", help="evaluate validity on this date (yyyy-mm-dd)")
    pp.set_defaults(func=_parse)


def _parse(args, ctx) -> int:
    import datetime as dt
    read = args.text if args.text is not None else sys.stdin.buffer.read()
    if isinstance(read, str):
        try:   # argv bytes that were not UTF-8 arrive as lone surrogates: refuse them like a scanner's bytes
            read.encode("utf-8")
        except UnicodeEncodeError:
            print("kiosk identity parse: --text is not valid UTF-8", file=sys.stderr)
            return 1
    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"kiosk identity parse: --today {args.today!r} is not a date yyyy-mm-dd", file=sys.stderr)
        return 2
    try:
        from kiosk.settings_map import parse_options
        options = parse_options(ctx.config)
    except Exception:    # a broken config must not stop a staff member from debugging a scan
        options = ParseOptions()
    try:
        identity = parse(read, today=today, options=options)
    except IdentityError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False, indent=2))
        return 1
    print(json.dumps(identity_to_dict(identity, masked=not args.unmasked), ensure_ascii=False, indent=2))
    return 0

"""`kiosk config show|schema`."""
from __future__ import annotations

import json

from kiosk.config import schema_markdown, schema_rows


def register(sub, parents) -> None:
    p = sub.add_parser("config", parents=parents, help="show the effective settings or their schema")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION")
    csub.required = True
    show = csub.add_parser("show", parents=parents, help="effective settings, secrets redacted")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
    schema = csub.add_parser("schema", parents=parents, help="every setting with its type and help")
    schema.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    schema.set_defaults(func=_schema)


def _show(args, ctx) -> int:
    cfg = ctx.config
    values = cfg.redacted()
    if args.json:
        print(json.dumps(values, ensure_ascii=False, indent=2))
        return 0
    width = max(map(len, values))
    for name, value in values.items():
        print(f"{name:<{width}}  {json.dumps(value, ensure_ascii=False)}  ({cfg.source(name)})")
    return 0


def _schema(args, ctx) -> int:
    if args.format == "markdown":
        print(schema_markdown())
    elif args.format == "json":
        print(json.dumps(schema_rows(), ensure_ascii=False, indent=2))
    else:
        for r in schema_rows():
            flag = " [secret]" if r["secret"] else ""
            print(f"{r['name']} ({r['type']}, default {r['default']!s}){flag}\n    {r['help']}  env {r['env']}")
    return 0

"""`kiosk doctor [--json]`."""
from __future__ import annotations

import json

from kiosk.doctor import FAIL, WARN, healthy, run_checks

MARK = {"ok": "✔", WARN: "!", FAIL: "✘"}


def register(sub, parents) -> None:
    p = sub.add_parser("doctor", parents=parents, help="check what the kiosk needs, with the fix")
    p.add_argument("--json", action="store_true", help="machine-readable output for fleet tools")
    p.set_defaults(func=_doctor)


def _doctor(args, ctx) -> int:
    results = run_checks(ctx.config)
    ok = healthy(results)
    if args.json:
        print(json.dumps({"healthy": ok, "checks": [c.as_dict() for c in results]}, ensure_ascii=False, indent=2))
        return 0 if ok else 1
    width = max(len(c.name) for c in results)
    for c in results:
        tag = "" if c.required else " (optional)"
        print(f"{MARK[c.status]} {c.name:<{width}}  {c.detail}{tag}")
        if c.status != "ok" and c.fix:
            print(f"  {'':<{width}}  fix: {c.fix}")
    print("healthy" if ok else "something required is missing")
    return 0 if ok else 1

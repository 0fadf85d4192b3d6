"""`kiosk printer test|render`: print a sample ticket on the configured printer (its status is
read before and after), or render one to PNG/PDF without any printer."""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub, parents) -> None:
    p = sub.add_parser("printer", parents=parents, help="ticket printer: test print, render a sample ticket")
    psub = p.add_subparsers(dest="printer_command", metavar="ACTION")
    psub.required = True
    test = psub.add_parser("test", parents=parents,
                           help="print a sample ticket on the `printer` setting's printer; exit 2 on a fault")
    test.add_argument("--priority", action="store_true", help="a priority ticket")
    test.set_defaults(func=_test)
    render = psub.add_parser("render", parents=parents, help="render a sample ticket to a .png or .pdf file")
    render.add_argument("out", type=Path)
    render.add_argument("--priority", action="store_true")
    render.set_defaults(func=_render)


def _sample(cfg, priority: bool):
    from kiosk.core.views import PriorityCategory, TicketView
    from kiosk.devices.printer import layout_of
    s = cfg.services[0] if cfg.services else {"code": "K01", "name_vi": "Khám bệnh", "name_en": "Examination",
                                              "room": "101", "ticket_letter": "A"}
    number = f"{s.get('ticket_letter', 'A')}{cfg.kiosk_id}-{'U' if priority else ''}000"
    t = TicketView(0, number, s["code"], s["name_vi"], s["name_en"], s["room"],
                   PriorityCategory.ELDERLY if priority else None, 5, f"KT1|{cfg.facility_code or '-'}|TEST|{number}|-",
                   "2026-01-01 08:00")
    return layout_of(t, cfg.facility_name or "IN THỬ / TEST PRINT", cfg.kiosk_id)


def _test(args, ctx) -> int:
    from drivers.printer.layout import PrinterError
    from kiosk.devices.printer import driver_from_config
    cfg = ctx.config
    try:
        result = driver_from_config(cfg).print_ticket(_sample(cfg, args.priority))
    except PrinterError as exc:
        print(f"printer {cfg.printer}: FAILED ({exc.kind})", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"printer {cfg.printer}: {exc}", file=sys.stderr)
        return 1
    where = f" -> {result}" if result else ""
    print(f"printer {cfg.printer}: sample ticket printed{where}")
    return 0


def _render(args, ctx) -> int:
    from drivers.printer import render
    if args.out.suffix.lower() not in (".png", ".pdf"):
        print("kiosk printer render: the output must end in .png or .pdf", file=sys.stderr)
        return 1
    if not args.out.parent.is_dir():          # never create directories the user did not ask for
        print(f"kiosk printer render: no such directory: {args.out.parent}", file=sys.stderr)
        return 1
    layout = _sample(ctx.config, args.priority)
    if args.out.suffix.lower() == ".pdf":
        render.save_pdf(layout, args.out)
    elif args.out.suffix.lower() == ".png":
        render.save_png(layout, args.out)
    else:
        print("render: the output must end in .png or .pdf", file=sys.stderr)
        return 1
    print(f"sample ticket written to {args.out}")
    return 0

"""`kiosk scan test --source SPEC`: read from one scanner and print each read as a JSON line
(source, text, hex, decoder, time) — for technicians and for scripted checks.
`kiosk scan list`: the scanners, serial ports and cameras this machine can see."""
from __future__ import annotations

import json
import os
import queue
import sys
import time

from drivers.scanner.sim import SimStep
from drivers.scanner.spec import ScannerOptions, SpecError, build_scanner, parse_spec

DEMO_SCRIPT = [
    SimStep("001095012345|123456789|Nguyễn Văn An|01011995|Nam|Số 12, đường Lê Lợi, Phường Bến Nghé, "
            "Quận 1, TP. Hồ Chí Minh|01012021".encode(), delay=0.1),
    SimStep(b"DN4010123456789", delay=0.1),
]


def register(sub, parents) -> None:
    p = sub.add_parser("scan", parents=parents, help="test and list barcode/QR scanners and cameras")
    ssub = p.add_subparsers(dest="scan_command", metavar="ACTION")
    ssub.required = True
    t = ssub.add_parser("test", parents=parents, help="print every read of one source as JSON lines")
    t.add_argument("--source", required=True,
                   help="camera:0, camera:/path/video.mp4, image:/path/dir/, serial:/dev/ttyACM0[@BAUD], "
                        "hidpos[:VID:PID], wedge (stdin lines), evdev:/dev/input/eventN, sim")
    t.add_argument("--decoder", choices=("zxing", "pyzbar", "opencv"), default=None,
                   help="camera decoder (default: the camera_decoder setting)")
    t.add_argument("--count", type=int, default=0, help="stop after this many reads (0: no limit)")
    t.add_argument("--timeout", type=float, default=0.0, help="stop after this many seconds (0: none)")
    t.set_defaults(func=_test)
    ls = ssub.add_parser("list", parents=parents, help="discovered HID POS scanners, serial ports, cameras")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)


def _options(args, ctx) -> ScannerOptions:
    from kiosk.settings_map import scanner_options
    cfg = ctx.config
    opts = scanner_options(cfg, stdin=sys.stdin, sim_script=list(DEMO_SCRIPT), sim_finite=True)
    if args.decoder:
        opts.decoder = args.decoder
    return opts


def _test(args, ctx) -> int:
    try:
        spec = parse_spec(args.source)
    except SpecError as exc:
        print(f"kiosk scan: {exc}", file=sys.stderr)
        return 2
    opts = _options(args, ctx)
    scanner = build_scanner(spec, opts)
    deadline = time.monotonic() + args.timeout if args.timeout else None
    n, last_state = 0, None
    scanner.start()
    try:
        while True:
            if deadline and time.monotonic() >= deadline:
                break
            try:
                read = scanner.reads.get(timeout=0.2)
            except queue.Empty:
                st = scanner.status()
                if st.error and st.state != last_state:
                    print(f"kiosk scan: {st.source}: {st.state.value}: {st.error}", file=sys.stderr)
                last_state = st.state
                if scanner.finished.is_set() and scanner.reads.empty():
                    break
                continue
            try:
                print(json.dumps(read.as_json_dict(), ensure_ascii=False), flush=True)
            except BrokenPipeError:         # `| head`: the reader has gone, so have we
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 0
            n += 1
            if args.count and n >= args.count:
                break
    finally:
        scanner.stop()
    return 0 if n or not args.count else 1


def _list(args, ctx) -> int:
    from drivers.discovery import discover_scanners
    found = discover_scanners()
    if args.json:
        print(json.dumps([{"kind": d.kind, "spec": d.spec, "description": d.description, "vid": d.vid,
                           "pid": d.pid} for d in found], ensure_ascii=False, indent=2))
    else:
        for d in found:
            print(f"{d.spec:<32} {d.description}")
        if not found:
            print("no scanners, serial ports or cameras found")
    return 0

"""`kiosk gateway-sim`: run the BHYT gateway simulator on loopback until interrupted."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

from kiosk.gateway.sim.faults import GROUPS, Faults

RATES = ("error503", "error500", "malformed", "unauthorized", "drop_before", "timeout", "drop_after")


def register(sub, parents) -> None:
    from kiosk.commands.argtypes import count, port, positive, probability
    p = sub.add_parser("gateway-sim", parents=parents,
                       help="run the BHYT gateway simulator (tests, demo) on loopback")
    p.add_argument("--port", type=port, default=8765, help="TCP port (0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (keep it on loopback)")
    p.add_argument("--facility", default=None, help="facility code MA_CSKCB (default: setting facility_code or 79001)")
    p.add_argument("--cert", type=Path, default=None,
                   help="facility certificate (PEM) to verify signatures with; default: the demo certificate "
                        "under DATA_DIR/devcert")
    p.add_argument("--username", default=None, help="gateway account name (default: the simulator's demo account)")
    p.add_argument("--password", default=None, help="gateway account password (default: the demo password)")
    p.add_argument("--token-ttl", type=positive, default=3600.0, help="token lifetime, seconds")
    p.add_argument("--expiry-format", choices=("iso", "seconds", "none"), default="iso",
                   help="how expires_in is written in the token reply")
    p.add_argument("--latency-ms", type=positive, default=0.0, help="added latency per request")
    for name in RATES:
        p.add_argument(f"--{name.replace('_', '-')}-rate", type=probability, default=0.0, metavar="P",
                       help=f"probability of the '{name}' fault per request")
    p.add_argument("--hang-seconds", type=positive, default=3.0, help="how long a 'timeout' fault holds the reply")
    p.add_argument("--fault-scope", default=",".join(GROUPS), help=f"endpoint groups faults apply to ({','.join(GROUPS)})")
    p.add_argument("--seed", type=count, default=None, help="seed of the fault dice")
    p.set_defaults(func=_run)


def _run(args, ctx) -> int:
    from kiosk.demo.sim_cards import start_demo_simulator
    from kiosk.gateway.sim import server as sim
    data_dir = Path(args.data_dir) if args.data_dir else Path(ctx.config.data_dir) / "gateway-sim"
    facility = args.facility or ctx.config.facility_code or sim.SIM_FACILITY
    faults = Faults(latency_ms=args.latency_ms, hang_seconds=args.hang_seconds, seed=args.seed,
                    scope=[g for g in args.fault_scope.split(",") if g],
                    **{f"{n}_rate": getattr(args, f"{n}_rate") for n in RATES})
    try:
        faults.validate()
    except ValueError as exc:
        print(f"kiosk gateway-sim: {exc}")
        return 2
    try:
        cert_pem = args.cert.read_bytes() if args.cert else None
        handle = start_demo_simulator(
            data_dir, args.port, host=args.host, facility_code=facility, facility_cert_pem=cert_pem,
            username=args.username or sim.SIM_USERNAME, password=args.password or sim.SIM_PASSWORD,
            faults=faults, token_ttl=args.token_ttl, expiry_format=args.expiry_format)
    except OSError as exc:      # unreadable --cert, port in use, data dir not writable
        print(f"kiosk gateway-sim: {exc.strerror or exc}: {exc.filename or f'{args.host}:{args.port}'}")
        return 2
    except ValueError:          # cryptography could not load the certificate
        print(f"kiosk gateway-sim: {args.cert} is not a PEM certificate")
        return 2
    print(f"gateway simulator on {handle.url} (facility {facility}, data {data_dir})", flush=True)
    print(f"  look-up endpoint {sim.LOOKUP_PATH}, VNeID resolver {sim.VNEID_PATH}; admin: /admin/received, "
          "/admin/stats, /admin/faults, /admin/expire-tokens, /admin/facility, /health", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    handle.stop()
    return 0

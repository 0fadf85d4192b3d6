"""`kiosk card sim|read`: run the virtual chip on vpcd; read the chip on a PC/SC reader."""
from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import threading
import time
from pathlib import Path

# Heavy imports (pyscard, cryptography, the virtual chip) happen inside the commands, so that
# building the CLI parser stays cheap for every other command.
DEFAULT_PORT = 35963
FORGERIES = ("dg13-altered", "untrusted-signer", "expired-signer")


def register(sub, parents) -> None:
    p = sub.add_parser("card", parents=parents, help="chip card: virtual chip, read a card")
    csub = p.add_subparsers(dest="card_command", metavar="ACTION")
    csub.required = True
    sim = csub.add_parser("sim", parents=parents, help="connect a virtual CCCD chip to vpcd until stopped")
    who = sim.add_mutually_exclusive_group()
    who.add_argument("--citizen", default="1", help="demo citizen: 1-based number or key (see --list)")
    who.add_argument("--list", action="store_true", help="list the demo citizens with a chip and exit")
    sim.add_argument("--forged", choices=FORGERIES, help="present a forged chip")
    sim.add_argument("--port", type=int, default=DEFAULT_PORT, help="vpcd port (35963: 'Virtual PCD 00 00')")
    sim.add_argument("--pki", type=Path, help="test PKI directory (default: a cached temp dir)")
    pace = sim.add_mutually_exclusive_group()
    pace.add_argument("--pace", action="store_true", default=True,
                      help="offer PACE in EF.CardAccess (the default; BAC works too)")
    pace.add_argument("--no-pace", dest="pace", action="store_false", help="a BAC-only chip")
    pace.add_argument("--pace-only", action="store_true", help="offer PACE and refuse BAC (6982)")
    sim.add_argument("--remove-after", type=int, metavar="N", help="fault: leave the field at APDU N")
    sim.add_argument("--no-pcscd", action="store_true", help="do not start pcscd when none runs")
    sim.set_defaults(func=_sim)
    rd = csub.add_parser("read", parents=parents, help="read the first chip card presented")
    rd.add_argument("--reader", help="reader name substring (default: setting card_reader)")
    rd.add_argument("--mrz", help="the card's MRZ: 3 lines separated by newlines, spaces or |")
    rd.add_argument("--cccd", help="12-digit CCCD number (with --dob)")
    rd.add_argument("--dob", help="birth date YYYY-MM-DD (with --cccd)")
    rd.add_argument("--can", help="PACE card access number (default: last 6 digits of the CCCD number)")
    rd.add_argument("--csca", type=Path, help="CSCA store (default: setting csca_dir)")
    rd.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a card")
    rd.add_argument("--unmasked", action="store_true", help="show personal data in full (staff only)")
    rd.add_argument("--json", action="store_true", help="one JSON document on stdout")
    rd.set_defaults(func=_read)


# ---- demo people → the driver's citizen (kept here as names for older callers)
from kiosk.demo.people import chip_people, citizen_of  # noqa: E402,F401


def _pick(arg: str):
    people = chip_people()
    if arg.isdigit() and 1 <= int(arg) <= len(people):
        return people[int(arg) - 1]
    for p in people:
        if p.key == arg:
            return p
    raise SystemExit(f"kiosk card sim: no demo citizen {arg!r}; see --list")


def _sim(args, ctx) -> int:
    rule = ctx.config.cccd_docnum_rule
    if args.list:
        for n, p in enumerate(chip_people(), 1):
            print(f"{n}  {p.key:<14} {p.note}")
        return 0
    from drivers.card.sim.chip import Faults
    from drivers.card.sim.citizen import Forgery
    from drivers.card.sim.pcscd import PcscdError
    from drivers.card.sim.session import VirtualCardSession
    person = _pick(args.citizen)
    session = VirtualCardSession(citizen_of(person, rule), forgery=Forgery(args.forged) if args.forged else None,
                                 port=args.port, pki_dir=args.pki, start_pcscd=not args.no_pcscd, pace=args.pace,
                                 pace_only=args.pace_only,
                                 faults=Faults(remove_after_apdus=args.remove_after))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        session.start()
    except PcscdError as exc:
        print(f"kiosk card sim: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        session.stop()
        print(f"kiosk card sim: cannot reach vpcd on port {args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        print(json.dumps({**session.info, "citizen": person.key}, ensure_ascii=False), flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
    return 0


# ---- reading
def _keys(args, cfg) -> tuple[list, str | None]:
    """The BAC/PACE-MRZ candidate keys and the CAN (from --can, the CCCD number or the MRZ)."""
    from kiosk.identity.bac import bac_candidates, can_of
    from kiosk.identity.model import BirthDate
    from kiosk.identity.mrz import normalize_td1, parse_td1
    today = dt.date.today()
    if args.mrz:
        flat = normalize_td1(args.mrz.replace("|", " "))
        if flat is None:
            raise SystemExit("kiosk card read: --mrz is not a TD1 MRZ (3 x 30 characters)")
        source = parse_td1(flat, today)
    elif args.cccd and args.dob:
        from kiosk.identity.cccd import check_cccd_number
        check_cccd_number(args.cccd.strip(), today)          # IdentityError: no CCCD structure
        try:
            source = (args.cccd.strip(), BirthDate.from_iso(args.dob.strip()))
        except ValueError:
            raise SystemExit("kiosk card read: --dob is not a date YYYY-MM-DD") from None
    else:
        raise SystemExit("kiosk card read: give --mrz, or --cccd with --dob")
    can = args.can.strip() if args.can else can_of(source)
    if can is not None and not (can.isdigit() and len(can) == 6):
        raise SystemExit("kiosk card read: --can is 6 digits")
    return bac_candidates(source, cfg.cccd_docnum_rule, today=today), can


def _read(args, ctx) -> int:
    from drivers.card.errors import CardError
    from drivers.card.icao.csca import load_store
    from drivers.card.icao.reader import IcaoReader
    from drivers.card.transport import PcscService
    from kiosk.identity.chip import identity_from_chip
    from kiosk.identity.errors import IdentityError
    from kiosk.identity.jsonify import identity_to_dict
    cfg = ctx.config
    try:
        keys, can = _keys(args, cfg)
    except IdentityError as exc:
        print(f"kiosk card read: {exc.detail}", file=sys.stderr)
        return 2
    csca_path = args.csca or (cfg.csca_dir if str(cfg.csca_dir) not in ("", ".") else None)
    store = load_store(csca_path)
    steps: list[str] = []
    service = PcscService()
    t0 = time.perf_counter()
    try:
        reader_name = service.wait_for_card(args.reader if args.reader is not None else cfg.card_reader,
                                            timeout=args.timeout)
        card = service.connect(reader_name)
        t_card = time.perf_counter()
        try:
            chip = card.run(lambda c: IcaoReader(
                c, chunk_size=cfg.card_chunk_size,
                progress=lambda p: steps.append(p.step) if not steps or steps[-1] != p.step else None,
            ).read(keys, can=can, csca=store if (csca_path or len(store)) else None))
        finally:
            try:
                card.disconnect()
            except CardError:
                pass
    except CardError as exc:
        out = {"ok": False, "error": exc.code, "retryable": exc.retryable, "detail": str(exc)}
        print(json.dumps(out) if args.json else f"kiosk card read: {exc.code}: {exc}")
        return 1
    finally:
        service.close()
    try:
        identity = identity_from_chip(chip)
    except IdentityError as exc:
        out = {"ok": False, "error": exc.code, "retryable": False, "detail": exc.detail}
        print(json.dumps(out) if args.json else f"kiosk card read: {exc.code}: {exc.detail}")
        return 1
    result = {
        "ok": True, "reader": reader_name, "identity": identity_to_dict(identity, masked=not args.unmasked),
        "files": {k: len(v) for k, v in chip.files.items()},
        "face": {"mime": chip.face.mime, "bytes": len(chip.face.data)} if chip.face else None,
        "pace_offered": list(chip.pace_offered), "access": chip.access_protocol, "can_known": can is not None,
        "bac_candidates": len(keys), "bac_attempts": chip.bac_attempts,
        "passive_authentication": chip.pa.as_dict() if chip.pa else None,
        "apdus": chip.apdus, "bytes": chip.bytes_sent + chip.bytes_received, "steps": steps,
        "timings_ms": {**chip.timings_ms, "wait_card": round((t_card - t0) * 1000, 1)},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        pa = chip.pa
        verdict = "not checked" if pa is None else ("PASSED" if pa.ok else f"FAILED ({pa.failed.value}: {pa.detail})")
        ident = result["identity"]
        print(f"reader: {reader_name}\nname: {ident['person']['full_name']}  cccd: {(ident['cccd'] or {}).get('number')}")
        print(f"files: {', '.join(f'{k} {v} B' for k, v in result['files'].items())}")
        print(f"passive authentication: {verdict}\nsource: {identity.source.name}  "
              f"apdus: {chip.apdus}  total: {chip.timings_ms.get('total')} ms")
    return 0

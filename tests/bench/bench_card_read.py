"""Benchmark: full chip read (BAC + EF.COM + DG1 + DG13 + DG2 + SOD + passive authentication)
against the virtual chip over a real pcscd + vsmartcard-vpcd, by READ BINARY chunk size.

    .venv/bin/python tests/bench/bench_card_read.py [--reads 200]

Prints APDUs, bytes on the wire, and per read: wall time, time in transmit (pcscd + vpcd +
chip, i.e. what the radio link costs on real hardware) and our software time (wall - transmit).
The virtual chip runs in a separate process so it does not share our GIL.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from drivers.card.icao.csca import load_store  # noqa: E402
from drivers.card.icao.reader import IcaoReader  # noqa: E402
from drivers.card.sim.citizen import DEFAULT_CITIZENS, build_files  # noqa: E402
from drivers.card.sim.pcscd import Pcscd  # noqa: E402
from drivers.card.sim.pki import load_pki  # noqa: E402
from drivers.card.transport import PcscService  # noqa: E402

READER = "Virtual PCD 00 00"
C = DEFAULT_CITIZENS[0]


def serve_chip(stop) -> None:
    from drivers.card.sim.chip import VirtualChip
    from drivers.card.sim.vpcd import VpcdLink
    link = VpcdLink(VirtualChip(build_files(C, load_pki()), C.bac_key()))
    link.insert()
    stop.wait()
    link.remove()


class Timed:
    def __init__(self, inner):
        self.inner, self.spent = inner, 0.0

    def transmit(self, apdu: bytes) -> bytes:
        t = time.perf_counter()
        try:
            return self.inner.transmit(apdu)
        finally:
            self.spent += time.perf_counter() - t


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def bench(card, store, chunk: int, reads: int) -> dict:
    wall, xmit, sw = [], [], []
    out = None
    for _ in range(reads):
        timed = Timed(card)
        t = time.perf_counter()
        out = card.run(lambda c: IcaoReader(timed, chunk_size=chunk).read([C.bac_key()], csca=store))
        total = time.perf_counter() - t
        assert out.pa.ok
        wall.append(total * 1000)
        xmit.append(timed.spent * 1000)
        sw.append((total - timed.spent) * 1000)
    return {"chunk": chunk, "apdus": out.apdus, "bytes": out.bytes_sent + out.bytes_received,
            "file_bytes": sum(len(v) for v in out.files.values()),
            "wall": (statistics.median(wall), pct(wall, 95)), "transmit": (statistics.median(xmit), pct(xmit, 95)),
            "software": (statistics.median(sw), pct(sw, 95)), "pa_ms": out.timings_ms.get("passive-auth")}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=200)
    ap.add_argument("--chunks", default="223,32,1024,4096")
    args = ap.parse_args()
    load_pki()
    store = load_store(load_pki().csca_dir)
    with Pcscd():
        stop = mp.Event()
        chip = mp.Process(target=serve_chip, args=(stop,), daemon=True)
        chip.start()
        service = PcscService()
        try:
            card = service.connect(service.wait_for_card(READER, timeout=15))
            bench(card, store, 223, 5)  # warm-up
            print(f"full read (BAC+COM+DG1+DG13+DG2+SOD+PA) x{args.reads}, virtual chip over pcscd+vpcd")
            print(f"{'chunk':>6} {'APDUs':>6} {'wire B':>7} {'file B':>7} | {'wall p50/p95 ms':>16} | "
                  f"{'transmit p50/p95':>16} | {'software p50/p95':>16} | PA ms")
            for chunk in map(int, args.chunks.split(",")):
                r = bench(card, store, chunk, args.reads)
                print(f"{r['chunk']:>6} {r['apdus']:>6} {r['bytes']:>7} {r['file_bytes']:>7} | "
                      f"{r['wall'][0]:>7.2f} /{r['wall'][1]:>7.2f} | {r['transmit'][0]:>7.2f} /{r['transmit'][1]:>7.2f} | "
                      f"{r['software'][0]:>7.2f} /{r['software'][1]:>7.2f} | {r['pa_ms']}")
            card.disconnect()
        finally:
            service.close()
            stop.set()
            chip.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

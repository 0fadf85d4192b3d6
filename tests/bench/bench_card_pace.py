"""Benchmark: access control cost, PACE (CAN, generic mapping, per curve) against BAC, in process
against the virtual chip (no radio: this is our software's arithmetic, the part PACE adds).

    .venv/bin/python tests/bench/bench_card_pace.py [--runs 20]

Prints per protocol/curve: median milliseconds to open the chip (terminal and virtual chip
together, both in pure Python for the curve arithmetic), APDUs, and the ratio to BAC.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from drivers.card.icao.lds import EF  # noqa: E402
from drivers.card.icao.pace import PaceInfo  # noqa: E402
from drivers.card.icao.reader import IcaoReader  # noqa: E402
from drivers.card.sim.chip import DirectTransport, VirtualChip  # noqa: E402
from drivers.card.sim.citizen import DEFAULT_CITIZENS, build_files  # noqa: E402
from drivers.card.sim.pki import load_pki  # noqa: E402

C = DEFAULT_CITIZENS[0]
CASES = [("BAC", None), ("PACE AES-128 brainpoolP256r1", (PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)),
         ("PACE AES-128 secp256r1", (PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 12),)),
         ("PACE AES-256 brainpoolP384r1", (PaceInfo("0.4.0.127.0.7.2.2.4.2.4", 2, 16),)),
         ("PACE AES-256 brainpoolP512r1", (PaceInfo("0.4.0.127.0.7.2.2.4.2.4", 2, 17),))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    pki = load_pki(Path(tempfile.mkdtemp(prefix="bench-pace-")))
    base = None
    for name, infos in CASES:
        files = build_files(C, pki, pace=infos or False)
        times, apdus = [], 0
        for _ in range(args.runs):
            reader = IcaoReader(DirectTransport(VirtualChip(files, C.bac_key(), can=C.can)))
            t0 = time.perf_counter()
            granted = reader.authenticate([C.bac_key()], files.get(EF.CARD_ACCESS), C.can)
            times.append((time.perf_counter() - t0) * 1000)
            apdus = reader.transport.stats.apdus
            assert granted.protocol == ("BAC" if infos is None else "PACE")
        med = statistics.median(times)
        base = base or med
        print(f"{name:32s} median {med:8.2f} ms  p90 {sorted(times)[int(0.9 * len(times))]:8.2f} ms  "
              f"APDUs {apdus:2d}  x{med / base:5.1f} of BAC")


if __name__ == "__main__":
    main()

"""How many signed uploads per second the gateway simulator accepts on loopback (each one fully
checked: base64, XML fields, XML-DSig verified against the facility certificate, stored).

    .venv/bin/python tests/bench/bench_gateway_sim.py [--n 2000] [--threads 1,4,8]

Runs the simulator as a separate process (`kiosk gateway-sim`), as a drain would meet it, and
uploads pre-signed XML0 + dossier envelopes with the real client, one-at-a-time and with threads.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.core.clock import VN_TZ  # noqa: E402
from kiosk.gateway.client import GatewayClient  # noqa: E402
from kiosk.gateway.sim.devcert import ensure_dev_identity  # noqa: E402
from kiosk.gateway.signing import pkcs12_signer  # noqa: E402
from kiosk.gateway.sim.server import (SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,  # noqa: E402
                               SIM_USERNAME, admin_call)
from kiosk.gateway.xml import CheckinRecord, VisitSummary, build_dossier, build_xml0  # noqa: E402


def payloads(n: int, signer) -> list[tuple[str, bytes]]:
    t0, t1 = datetime(2026, 11, 20, 8, 15, tzinfo=VN_TZ), datetime(2026, 11, 20, 9, 5, tzinfo=VN_TZ)
    out = []
    for i in range(n):
        lk = f"79001-B-{i:07d}"
        if i % 2:
            doc = build_xml0(CheckinRecord(lk, f"BN{i}", "NGUYỄN VĂN AN", "1985-03-15", 1, SIM_FACILITY, t0))
            out.append(("checkin", signer.sign(doc)))
        else:
            doc = build_dossier(VisitSummary(lk, f"BN{i}", "NGUYỄN VĂN AN", "1985-03-15", 1, SIM_FACILITY, t0, t1,
                                             "Viêm họng cấp", "J02.9"))
            out.append(("dossier", signer.sign(doc)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="uploads per run")
    ap.add_argument("--threads", default="1,4,8")
    args = ap.parse_args()
    runs = [int(t) for t in args.threads.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        ident = ensure_dev_identity(Path(tmp) / "devcert")
        docs = payloads(args.n * len(runs), pkcs12_signer(ident.p12_path, ident.password))
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway-sim", "--port", "0", "--data-dir",
                                 str(Path(tmp) / "sim"), "--cert", str(ident.cert_path)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        try:
            url = proc.stdout.readline().split()[3]
            client = GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                                   facility_code=SIM_FACILITY)
            client.token()
            for i, threads in enumerate(runs):
                part = docs[i * args.n:(i + 1) * args.n]
                start = time.perf_counter()
                if threads == 1:
                    results = [client.upload(kind, payload) for kind, payload in part]
                else:
                    with ThreadPoolExecutor(threads) as ex:
                        results = list(ex.map(lambda kp: client.upload(*kp), part))
                elapsed = time.perf_counter() - start
                assert all(r.acked for r in results), {r.outcome for r in results}
                print(f"simulator, {threads} client thread(s): {len(part)} uploads in {elapsed:.2f} s = "
                      f"{len(part) / elapsed:7.1f} uploads/s ({elapsed * 1000 / len(part):.2f} ms each)")
            stats = admin_call(url, "/admin/stats")
            print(f"simulator holds {stats['total']} dossiers, {stats['duplicates']} duplicate-marked")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

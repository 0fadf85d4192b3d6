"""Desk benchmarks: the ICD-10 index (build once, search as the clinician types) against a naive
scan of every title, and closing visits (XML1 + XML14, XML-DSig, one transaction with the outbox).

    .venv/bin/python tests/bench/bench_desk_icd10.py [--visits 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

QUERIES = ["j06", "J06.9", "i10", "e11", "asthma", "upper resp", "diabetes type 2", "hypertension essential",
           "fracture femur", "gastritis", "pneumonia unspecified", "viêm", "k29", "migraine", "otitis media"]


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))]


def bench_icd10() -> None:
    from kiosk.desk.icd10 import Icd10Index, _fold
    t0 = time.perf_counter()
    index = Icd10Index()
    n = index.warm_up()
    build = time.perf_counter() - t0
    entries = index._entries
    folded = [_fold(e.title) for e in entries]

    def naive(q):
        terms = _fold(q).split()
        return [e for e, t in zip(entries, folded) if all(term in t for term in terms) or e.code.startswith(q.upper())]

    ours, scan = [], []
    for _ in range(20):
        for q in QUERIES:
            t = time.perf_counter()
            index.search(q, 40)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            naive(q)
            scan.append((time.perf_counter() - t) * 1000)
    print(f"icd10: {n} codes, index built in {build * 1000:.0f} ms (import included)")
    print(f"icd10 search (index):      p50 {statistics.median(ours):.2f} ms  p99 {pct(ours, 99):.2f} ms")
    print(f"icd10 search (naive scan): p50 {statistics.median(scan):.2f} ms  p99 {pct(scan, 99):.2f} ms")


def bench_close(visits: int) -> None:
    from drivers.printer.sim import SimPrinter  # noqa: F401  (the desk context takes a printer)
    from kiosk.core.clock import FakeClock
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.security.accounts import StaffAccounts
    from kiosk.security.audit_log import AuditLog
    from kiosk.security.pins import PinHasher
    from kiosk.security.roles import Role
    from kiosk.config import load
    from kiosk.desk.visits import Desk
    from kiosk.desk.checkin import ManualCheckinForm
    from kiosk.desk.close import CloseForm
    from kiosk.desk.context import DeskContext
    from kiosk.settings_map import desk_settings
    from kiosk.store.migrate import open_store
    tmp = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    (tmp / "k.toml").write_text("")
    cfg = load(tmp / "k.toml", env={}).replace(facility_code="79001", facility_head_code="GD79001")
    ident = ensure_dev_identity(tmp / "cert")
    signer = pkcs12_signer(ident.p12_path, ident.password)
    clock = FakeClock(datetime.now(timezone.utc).replace(hour=1))
    store = open_store(tmp / "data", os.urandom(32), create=True, clock=clock)
    audit = AuditLog(store)
    accounts = StaffAccounts(store, audit, clock, PinHasher(time_cost=1, memory_cost=8 * 1024),
                             session_minutes=600)
    accounts.create(None, "admin", "A", Role.ADMIN, "739251")
    admin = accounts.sign_in("admin", "739251")
    desk = Desk.build(DeskContext(store, accounts, audit, clock, desk_settings(cfg), signer.sign))
    ids = []
    for i in range(visits):
        serial = f"{i:06d}"
        form = ManualCheckinForm("NGUYỄN VĂN THỬ", "12/04/1985", 1, "K01", cccd=f"001085{serial}", check_card=False)
        t = desk.checkin.check_in(admin, form)
        ids.append(store.tickets.get(t.ticket_id).visit_id)
    follow = (clock.now() + timedelta(days=10)).date()
    desk.close.index.warm_up()
    times = []
    for vid in ids:
        t = time.perf_counter()
        desk.close.close(admin, vid, CloseForm("J06.9", ("I10",), doctor_code="BS-1", follow_up_on=follow))
        times.append((time.perf_counter() - t) * 1000)
    print(f"close visit (XML1+XML14, signed, one transaction): {visits} visits, "
          f"p50 {statistics.median(times):.1f} ms  p99 {pct(times, 99):.1f} ms  "
          f"throughput {1000 / statistics.mean(times):.0f}/s")
    print(f"audit chain after the run: {audit.verify().entries} entries, ok={audit.verify().ok}")
    store.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=200)
    args = ap.parse_args()
    bench_icd10()
    bench_close(args.visits)

"""Benchmark: the ticket's waiting estimate against the actual wait on a simulated clinic day,
on the real store and calling service (a fake clock drives the day).

    .venv/bin/python tests/bench/bench_calling_wait.py [--patients 150] [--seed 7]

Arrivals: Poisson, busier 7:00-9:00; 10 % priority groups; service K01 with two rooms serving it,
durations log-normal around 7 min (true median differs from the configured 6 min/patient).
Compares, per ticket, the estimate printed (running median x ahead / counters) with the naive
estimate (configured minutes x queue position, one room) and with the pre-issue-18 formula (every
ticket issued earlier today x configured minutes) and with the actual wait
(issue -> called). Also times Call next (the conditional UPDATE inside BEGIN IMMEDIATE).
"""
from __future__ import annotations

import argparse
import heapq
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from kiosk.calling.estimates import ticket_wait_minutes  # noqa: E402
from kiosk.calling.service import CallingService, CallingSettings  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.core.clock import FakeClock, local_day  # noqa: E402
from kiosk.core.queue.estimate import estimate_minutes  # noqa: E402
from kiosk.security.roles import Role  # noqa: E402
from kiosk.store.migrate import open_store  # noqa: E402
from kiosk.store.patients import DocumentInput, PatientInput  # noqa: E402
from kiosk.store.visits import VisitInput  # noqa: E402

MIN_PER_PATIENT = 6


@dataclass
class Staff:
    username: str
    role: Role = Role.RECEPTION


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    tmp = tempfile.mkdtemp()
    clock = FakeClock(datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc))      # 07:00 in Vietnam
    store = open_store(tmp, os.urandom(32), create=True, clock=clock)
    counters = [{"id": "P101", "room": "101", "services": ["K01"]}, {"id": "P102", "room": "102", "services": ["K01"]}]
    cfg = load(None, env={}, overrides={"data_dir": tmp, "counters": counters})
    svc = CallingService(store, CallingSettings.from_config(cfg), clock=clock)
    svc.sync_counters()
    day = local_day(clock.now())

    # events: (minute, order, kind, payload)
    events: list = []
    t = 0.0
    for i in range(args.patients):
        t += rnd.expovariate(0.45 if t < 90 else 0.22)     # patients per minute: a morning rush, then calm
        heapq.heappush(events, (t, i, "arrive", i))
    free = {"P101": True, "P102": True}
    issued: dict[int, tuple[float, int, int]] = {}     # ticket id -> (issued minute, estimate, naive)
    actual: dict[int, float] = {}
    call_ms: list[float] = []
    seq = 0
    now_min = 0.0
    order = args.patients
    while events:
        m, _, kind, payload = heapq.heappop(events)
        clock.advance((m - now_min) * 60)
        now_min = m
        if kind == "arrive":
            seq += 1
            prio = rnd.choice(["elderly", "child", "pregnant"]) if rnd.random() < 0.1 else None
            with store.transaction():
                p = store.patients.upsert(PatientInput(full_name=f"NGƯỜI THỬ {payload}"),
                                          [DocumentInput("cccd", f"0010800{payload:05d}")])
                v = store.visits.create(VisitInput(f"79001-1-{seq:05d}", p.id, "1", day, "K01", room="101",
                                                   priority=prio))
                tk = store.tickets.insert(visit_id=v.id, patient_id=p.id, service_code="K01", kiosk_id="1",
                                          day=day, seq=seq, number=f"A1-{seq:03d}", priority=1 if prio else 0)
                est = ticket_wait_minutes(store, tk.id, MIN_PER_PATIENT, clock.now())
                old = store.tickets.waiting_before(day, "K01", tk.id) * MIN_PER_PATIENT
            entry = store.queue.by_ticket(tk.id)
            ahead = [e.id for e in svc.waiting("P101")].index(entry.id)
            naive = estimate_minutes(ahead, None, MIN_PER_PATIENT)
            issued[entry.id] = (m, est, naive, old)
        elif kind == "finish":
            svc.finish(Staff(payload), payload)
            free[payload] = True
        for cid in free:
            if free[cid]:
                s0 = time.perf_counter()
                e = svc.call_next(Staff(cid), cid)
                call_ms.append((time.perf_counter() - s0) * 1000)
                if e is None:
                    continue
                actual[e.id] = now_min - issued[e.id][0]
                svc.start(Staff(cid), cid)
                free[cid] = False
                order += 1
                heapq.heappush(events, (now_min + rnd.lognormvariate(1.95, 0.45), order, "finish", cid))
    err_est = [issued[i][1] - actual[i] for i in actual]
    err_naive = [issued[i][2] - actual[i] for i in actual]
    err_old = [issued[i][3] - actual[i] for i in actual]
    mae = lambda xs: statistics.fmean(abs(x) for x in xs)
    print(f"patients {len(actual)}, actual wait: median {statistics.median(actual.values()):.1f} min, "
          f"max {max(actual.values()):.1f} min")
    print(f"measured service median {statistics.median(store.queue.durations('K01', 10_000)):.2f} min "
          f"(configured {MIN_PER_PATIENT})")
    print(f"estimate (running median / counters): MAE {mae(err_est):.1f} min, bias {statistics.fmean(err_est):+.1f}")
    print(f"configured minutes x queue position:   MAE {mae(err_naive):.1f} min, bias {statistics.fmean(err_naive):+.1f}")
    print(f"before issue 18 (tickets issued earlier x configured): MAE {mae(err_old):.1f} min, "
          f"bias {statistics.fmean(err_old):+.1f}")
    call_ms.sort()
    print(f"call next: {len(call_ms)} calls, median {statistics.median(call_ms):.2f} ms, "
          f"p95 {call_ms[int(0.95 * len(call_ms))]:.2f} ms")
    store.close()


if __name__ == "__main__":
    main()

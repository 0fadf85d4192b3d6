"""Benchmark: the facility hub (issue 17) on this machine, local-only issuing measured in the same run.

    .venv/bin/python tests/bench/bench_facility.py [--kiosks 30] [--per-kiosk 20] [--desks 5] [--offline 1000]
        [--rate R]   (R check-ins/s offered over all kiosks, paced; default: every kiosk flat out)

A private PostgreSQL cluster (as the tests start it), K kiosk processes (each its own SQLCipher
store, the real issuing transaction, signed XML0), D desk processes listening (LISTEN/NOTIFY).
Phases:
  1. local-only: the K processes issue with no hub (the reference);
  2. hub: the same, numbering from the hub and pushing after each ticket; the desks timestamp
     every visit they see (ticket -> desk list latency, wall clock of one machine);
  3. hub with simulated kiosks: K processes send only what a kiosk sends the hub per check-in
     (hub_allocate, then hub_ingest of the visit and its signed upload), D desks listening: the hub's
     rate and ticket -> desk latency when the kiosks' own issuing runs on their own machines;
  4. merge: one kiosk issues N check-ins cut off from the hub, then reconnects: seconds to merge.
CPU seconds are accounted per check-in over each phase's window (kiosk issuing, kiosk push, the
PostgreSQL server including its live backends, the desks): in phase 2 one 2-core machine runs 30 real
kiosks (SQLCipher, signing), the hub and the desks, so their sum sets that phase's ceiling.
Prints check-ins/s, scan->ticket p50/p95 (issue call) online vs offline, desk latency p50/p95,
merge seconds, duplicates at the hub. Targets (issue 17): >= 200 check-ins/s through the hub;
desk p95 <= 1 s; 1,000 offline merged <= 10 s; online issue p95 <= 1.2x offline.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

SERVICES = ("K01", "K02", "K03", "K04", "K05")


def _pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Link:
    """The kiosk's own facility link (kiosk.facility.runner.FacilityLink, from settings as the app
    builds it): its own thread and store connection, woken after every ticket (a push), pulling
    when the hub announces events; its thread's CPU seconds are kept when it stops."""

    def __init__(self, data_dir: Path, key: bytes, dsn: str, kid: int):
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        from kiosk.config import load
        from kiosk.core.clock import SystemClock
        from kiosk.facility.runner import FacilityLink
        parts = conninfo_to_dict(dsn)
        secret = data_dir / "hub_kiosk.password"       # in the key store, never in the settings
        secret.write_text(str(parts.pop("password", "")))
        secret.chmod(0o600)
        cfg = load(None, env={}, overrides={"data_dir": data_dir, "facility_code": "79001", "kiosk_id": str(kid),
                                            "hub_dsn": make_conninfo(**parts), "hub_password_file": secret})
        self.link = FacilityLink(cfg, key, clock=SystemClock()).start()
        self.cpu = 0.0

    def mark(self) -> None:
        """From here on the link's CPU counts (not its set-up)."""
        self._clock = time.pthread_getcpuclockid(self.link._thread.ident)
        self._c0 = time.clock_gettime(self._clock)

    def notify(self) -> None:
        self.link.notify()

    def finish(self) -> None:
        """Once every ticket is pushed (the desks must see them all), stop it."""
        self.link.notify()
        assert self.link.wait_pushed(60), "the link did not push the last tickets"
        self.cpu = time.clock_gettime(self._clock) - self._c0
        self.link.stop()


def kiosk_proc(kid: int, n: int, dsn: str | None, base: str, p12: str, pw: str, start_at: float, q,
               mode: str = "link", interval: float = 0.0, hold: float = 20.0, claim_wait: float = 0.0,
               history: int = 0, cpus: set[int] | None = None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)           # before any thread: they all inherit it
    import psycopg

    from kiosk.core.clock import SystemClock
    from kiosk.demo.facility_people import crowd_person
    from kiosk.facility.node import KioskNode, NodeSettings, default_services
    from kiosk.gateway.signing import pkcs12_signer
    signer = pkcs12_signer(Path(p12), pw)
    node = KioskNode(Path(base) / f"k{kid}-{'hub' if dsn else 'local'}",
                     NodeSettings("79001", str(kid), default_services()), signer.sign, SystemClock(), dsn,
                     hub_timeout=2.0, hold_seconds=hold, claim_wait=claim_wait)
    conn = psycopg.connect(dsn, autocommit=True) if dsn else None
    if history:     # the patients a kiosk has met in its months of work (the same ones at both kiosks)
        from kiosk.checkin.records import patient_input
        with node.store.transaction():
            for j in range(history):
                fields, docs = patient_input(crowd_person(600000 + j))
                node.store.patients.upsert(fields, docs)
    node.checkin(crowd_person(90000 + kid), "K05")          # warm up (imports, caches, first connection)
    if conn:
        node.pusher.push(conn)
    link = Link(node.store_dir, node.key, dsn, kid) if conn and mode == "link" else None
    while time.time() < start_at:
        time.sleep(0.005)
    if link:
        link.mark()
    lat, issued, t_start = [], {}, time.perf_counter()
    cpu_issue = cpu_push = 0.0
    p0 = time.process_time()        # every thread of this kiosk: issuing, hub numbering, the link
    first = time.perf_counter() + (kid % 10) * interval / 10     # paced kiosks do not all scan at once
    for i in range(n):
        if interval:        # a paced lobby: this kiosk's next patient arrives on schedule
            wait = first + i * interval - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        t0, c0 = time.perf_counter(), time.thread_time()
        t = node.checkin(crowd_person(kid * 1000 + i), SERVICES[i % 4])
        lat.append(time.perf_counter() - t0)
        c1 = time.thread_time()
        cpu_issue += c1 - c0
        issued[t.number] = time.time()
        if link:
            link.notify()
        elif conn:
            node.pusher.push(conn)
            cpu_push += time.thread_time() - c1
    if link:
        link.finish()
        cpu_push = link.cpu
    # the issuing CPU is the process's minus the push's: it includes the hub-numbering thread
    cpu_issue = time.process_time() - p0 - cpu_push
    elapsed = time.perf_counter() - t_start
    q.put({"kid": kid, "lat": lat, "issued": issued, "elapsed": elapsed, "start": t_start, "end": time.time(),
           "online": node.numbers.online_count if node.numbers else 0, "cpu_issue": cpu_issue, "cpu_push": cpu_push,
           "claimed": node.numbers.claimed_count if node.numbers else 0})
    node.close()


def hub_proc(kid: int, n: int, dsn: str, start_at: float, q, interval: float = 0.0, hold: bool = True,
             cpus: set[int] | None = None) -> None:
    """The hub's side of a check-in alone, as a busy kiosk sends it: the number (hub_claim of the
    number it holds, holding the next; with `hold` off, hub_allocate) and one push of the visit and
    its signed upload (hub_ingest); the kiosk's own issuing excluded."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    import base64
    import hashlib
    from datetime import datetime, timezone

    import psycopg
    from psycopg.types.json import Jsonb

    from kiosk.facility.numbering import allocate, claim
    from kiosk.facility.node import default_services
    letters = {o.code: o.ticket_letter for o in default_services()}      # the services' own series
    conn = psycopg.connect(dsn, autocommit=True)
    payload = os.urandom(3000)
    day = datetime.now(timezone.utc).date().isoformat()
    while time.time() < start_at:
        time.sleep(0.005)
    c0, t0 = time.process_time(), time.perf_counter()
    first, issued, held = t0 + (kid % 10) * interval / 10, {}, None
    for i in range(n):
        if interval:
            wait = first + i * interval - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        ma_lk, svc = f"79001-H{kid}-{i:06d}", SERVICES[i % 4] if not hold else SERVICES[kid % 4]
        keys = [("cccd", f"0790{kid:04d}{i:05d}")]
        if hold:        # a busy kiosk: claims its held number, holds the service's next (one service here)
            number, _, held = claim(conn, facility="79001", day=day, service=svc, letter=letters[svc], seq=held,
                                    ma_lk=ma_lk, kiosk=f"H{kid}", priority=False, patient_keys=keys, hold_next=True)
        else:
            number = allocate(conn, facility="79001", day=day, service=svc, letter=letters[svc], ma_lk=ma_lk,
                              kiosk=f"H{kid}", priority=False, patient_keys=keys)
        issued[number] = time.time()
        visit = {"ma_lk": ma_lk, "kiosk_id": f"H{kid}", "visit_day": day, "service_code": svc, "room": "101",
                 "priority": None, "status": "waiting", "checked_in_at": datetime.now(timezone.utc).isoformat(),
                 "ticket_number": number, "full_name": "KHÁCH THỬ", "birth_date": "1980-01-01", "gender": 1,
                 "documents": [["cccd", f"0790{kid:04d}{i:05d}", None]]}
        up = {"kind": "checkin", "ma_lk": ma_lk, "payload": base64.b64encode(payload).decode(),
              "payload_sha256": hashlib.sha256(payload).hexdigest(), "acked": False,
              "receipt_ma_giao_dich": None, "receipt_time": None}
        facts = [{"ma_lk": ma_lk, "kiosk_id": f"H{kid}", "id_method": "qr_cccd", "checked_provisional": False}]
        conn.execute("SELECT new_visits, conflict_ma_lks, hub_report_facts(%s, %s) FROM hub_ingest(%s, '79001', %s, %s)",
                     (f"H{kid}", Jsonb(facts), f"H{kid}", Jsonb([visit]), Jsonb([up])))   # as kiosk.facility.push sends
    q.put({"elapsed": time.perf_counter() - t0, "end": time.time(), "cpu": time.process_time() - c0, "issued": issued})
    conn.close()


def pg_cpu(cluster) -> float:
    """CPU seconds of the PostgreSQL server so far: the postmaster, its reaped children and its live
    children (backends, walwriter, checkpointer...), so a window can be measured while they run."""
    tck = os.sysconf("SC_CLK_TCK")
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(x) for x in f[11:15])
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            g = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(g[1]) == pid:
            total += int(g[11]) + int(g[12])
    return total / tck


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of process `pid` onto `cpus` (children forked later inherit it)."""
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(task), cpus)
        except OSError:
            pass


def pin_server(cluster, cpus: set[int]) -> None:
    """The PostgreSQL server (postmaster and its live children) onto `cpus`."""
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    pin(pid, cpus)
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pin(int(entry), cpus)
        except OSError:
            continue


def desk_proc(dsn: str, stop, q, ready) -> None:
    from kiosk.facility.listen import DeskFeed
    seen = {}
    feed = DeskFeed(dsn, on_change=lambda v: seen.setdefault(v["ticket"], time.time()))
    feed.connect()
    c0 = time.process_time()        # the desk's work from now on (not its imports and first load)
    ready.set()
    while not stop.is_set():
        feed.wait(timeout=0.2)
    feed.close()
    q.put((seen, time.process_time() - c0))


class Desks:
    """D desk processes listening (LISTEN/NOTIFY) while one phase runs; `stop` gives ticket -> desk
    latencies for the tickets `issued` (number -> wall time), how many never showed, desk CPU."""

    def __init__(self, ctx, dsn: str, count: int):
        self.q, self.stop_ev = ctx.Queue(), ctx.Event()
        readies = [ctx.Event() for _ in range(count)]
        self.procs = [ctx.Process(target=desk_proc, args=(dsn, self.stop_ev, self.q, ev)) for ev in readies]
        for p in self.procs:
            p.start()
        for ev in readies:
            ev.wait(60)

    def stop(self, issued: dict) -> tuple[list, int, float]:
        time.sleep(2.0)
        self.stop_ev.set()
        lat, missing, cpu = [], 0, 0.0
        for _ in self.procs:
            seen, c = self.q.get(timeout=60)
            cpu += c
            for num, t0 in issued.items():
                if num in seen:
                    lat.append(seen[num] - t0)
                else:
                    missing += 1
        for p in self.procs:
            p.join(10)
        return lat, missing, cpu


def run_kiosks(ctx, kiosks, per, dsn, base, ident, mode="link", rate=0.0, cluster=None, hold=20.0):
    """Start the kiosk processes, wait for all of them to be warmed up (start_at), and return their
    results, the wall-clock span and the PostgreSQL CPU seconds spent from start_at to the end."""
    q = ctx.Queue()
    start_at = time.time() + 8.0 + kiosks * 0.3
    interval = kiosks / rate if rate else 0.0
    procs = [ctx.Process(target=kiosk_proc, args=(k, per, dsn, base, str(ident.p12_path), ident.password, start_at, q,
                                                  mode, interval, hold))
             for k in range(1, kiosks + 1)]
    for p in procs:
        p.start()
    while time.time() < start_at - 0.05:
        time.sleep(0.01)
    pg0 = pg_cpu(cluster) if cluster else 0.0
    results = [q.get(timeout=1800) for _ in procs]
    pg = pg_cpu(cluster) - pg0 if cluster else 0.0
    for p in procs:
        p.join(60)
    span = max(r["end"] for r in results) - min(r["end"] - r["elapsed"] for r in results)
    return results, span, pg


def ratio_phase(ctx, dsn_kiosk: str, base: str, ident, kiosks: int, rate: float, n: int, every: float,
                hold: float = 20.0, mode: str = "link", claim_wait: float = 0.0, history: int = 0,
                apart: tuple | None = None) -> dict:
    """Two real kiosks issuing at a lobby's pace (one patient every `every` s each, half a period
    apart), one offline (its own series), one online (hub numbering and push), at the same time while
    K-1 simulated kiosks keep the hub busy at `rate` check-ins/s with 5 desks listening: the kiosk's
    scan -> ticket with the hub vs without, under the same facility load on the same machine at the
    same moments (measured one after the other, the load's own swings decided the ratio). Both stores
    start with the same `history` of patients (a kiosk in service for months, not a new one).
    `apart` (cluster, desks): the two kiosks on CPU 1, the hub, its simulated load and the desks on
    CPU 0, as when the hub is a machine of its own (a kiosk's CPU then runs only its own work)."""
    hub_cpu, kiosk_cpu = ({0}, {1}) if apart else (None, None)
    if apart:
        pin_server(apart[0], {0})
        for p in apart[1].procs:
            pin(p.pid, {0})
    sims = kiosks - 1
    seed_s = history / 2000
    span = n * every + 22.0 + seed_s
    per = max(1, int(rate * span / sims))
    q, start_at = ctx.Queue(), time.time() + 3.0 + sims * 0.1
    sim0, (off_kid, on_kid) = (200, (910, 915)) if apart else (100, (900, 905))   # new people, new MA_LKs
    procs = [ctx.Process(target=hub_proc, args=(sim0 + k, per, dsn_kiosk, start_at, q, sims / rate, hold > 0, hub_cpu))
             for k in range(sims)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.05)
    out = {}
    kq, k_start = ctx.Queue(), time.time() + 6.0 + seed_s
    kps = [ctx.Process(target=kiosk_proc, args=(off_kid if dsn is None else on_kid, n, dsn, base, str(ident.p12_path),
                                                ident.password, k_start, kq, mode, every, hold, claim_wait, history,
                                                kiosk_cpu))
           for dsn in (None, dsn_kiosk)]
    for kp in kps:
        kp.start()
    for _ in kps:
        got = kq.get(timeout=600)
        label = "offline" if got["kid"] == off_kid else "online"
        out[label], out[f"{label}_claimed"] = got["lat"], got["claimed"]
    for kp in kps:
        kp.join(30)
    sim_res = [q.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(30)
    if apart:
        everything = set(range(os.cpu_count() or 1))
        pin_server(apart[0], everything)
        for p in apart[1].procs:
            pin(p.pid, everything)
    out["apart"] = bool(apart)
    out["sim_rate"] = sum(len(r["issued"]) for r in sim_res) / (max(r["end"] for r in sim_res) -
                                                                 min(r["end"] - r["elapsed"] for r in sim_res))
    return out


def ratio_ci(offline: list, online: list, rounds: int = 2000) -> tuple[float, float]:
    """The p95 ratio's 90% interval (bootstrap: both samples drawn again with replacement)."""
    import random
    rng = random.Random(17)
    got = sorted(_pct(rng.choices(online, k=len(online)), 95) / _pct(rng.choices(offline, k=len(offline)), 95)
                 for _ in range(rounds))
    return got[int(0.05 * rounds)], got[int(0.95 * rounds)]


def print_ratio(args, ratio: dict) -> None:
    o, n_ = ratio["offline"], ratio["online"]
    lo, hi = ratio_ci(o, n_)
    where = ("the two kiosks on CPU 1, the hub, its load and the desks on CPU 0 (a hub on a machine of its own)"
             if ratio["apart"] else "all on the same 2 CPUs")
    print(f"  [{where}] two kiosks at 10 check-ins/s each ({args.history} patients in each store), one offline, one online, "
          f"while {args.kiosks - 1} simulated kiosks send the hub "
          f"{ratio['sim_rate']:.0f} check-ins/s ({args.desks} desks listening; held numbers "
          f"{'on, ' + format(args.hold, 'g') + ' s' if args.hold else 'off'}, claim wait {args.claim_wait * 1000:g} ms, "
          f"push {args.push}): scan -> ticket offline p50 "
          f"{statistics.median(o)*1000:.1f} ms p95 {_pct(o, 95)*1000:.1f} ms, online p50 "
          f"{statistics.median(n_)*1000:.1f} ms p95 {_pct(n_, 95)*1000:.1f} ms "
          f"({ratio['online_claimed']}/{len(n_)} claimed a held number): "
          f"ratio p95 {_pct(n_, 95) / _pct(o, 95):.2f}, 90% interval {lo:.2f}-{hi:.2f} (target <= 1.2); "
          f"p50 ratio {statistics.median(n_) / statistics.median(o):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiosks", type=int, default=30)
    ap.add_argument("--per-kiosk", type=int, default=20)
    ap.add_argument("--desks", type=int, default=5)
    ap.add_argument("--offline", type=int, default=1000)
    ap.add_argument("--push", choices=("link", "each"), default="link",
                    help="link: the kiosk's own facility link thread (kiosk.facility.runner), woken after every ticket; each: push inline")
    ap.add_argument("--rate", type=float, default=0.0,
                    help="offered check-ins/s over all kiosks (paced lobby); 0: every kiosk as fast as it can")
    ap.add_argument("--ratio-rate", type=float, default=150.0,
                    help="the ratio phase: check-ins/s the simulated kiosks send the hub meanwhile (0: skip)")
    ap.add_argument("--ratio-checkins", type=int, default=1000, help="the ratio phase: check-ins of each measured kiosk")
    ap.add_argument("--history", type=int, default=20000,
                    help="the ratio phase: patients already in each measured kiosk's store (months of service)")
    ap.add_argument("--hub-per-kiosk", type=int, default=100, help="check-ins per process in the hub-capacity phase")
    ap.add_argument("--hold", type=float, default=20.0,
                    help="the kiosks' hub_hold_seconds (held numbers, hub migration 0010); 0: hub_allocate at each scan")
    ap.add_argument("--claim-wait", type=float, default=0.0, help="the kiosks' hub_claim_wait, seconds")
    ap.add_argument("--only-ratio", action="store_true", help="run the ratio phase alone")
    ap.add_argument("--apart", action="store_true",
                    help="the ratio phase once more with the two kiosks on CPU 1 and the hub, its load and the "
                         "desks on CPU 0 (a hub on a machine of its own)")
    args = ap.parse_args()
    import psycopg

    from kiosk.core.clock import SystemClock
    from kiosk.demo.facility_people import crowd_person
    from kiosk.facility import schema
    from kiosk.facility.cluster import PrivateCluster
    from kiosk.facility.node import KioskNode, NodeSettings, default_services
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.gateway.sim.devcert import ensure_dev_identity

    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-facility-"))
    cluster = PrivateCluster(base / "pg").init().start()
    try:
        schema.create_database(cluster.dsn(), "hub")
        schema.init(cluster.dsn(dbname="hub"), base / "secrets")

        def dsn(role):
            return cluster.dsn(user=role, password=(base / "secrets" / f"{role}.password").read_text().strip(),
                               dbname="hub")
        ident = ensure_dev_identity(base / "devcert", "79001")
        ctx = mp.get_context("spawn")
        total = args.kiosks * args.per_kiosk
        def ratios() -> list[dict]:
            """The ratio phase on shared CPUs, and with --apart once more with the hub apart."""
            got = []
            for apart in (False, True) if args.apart else (False,):
                desks = Desks(ctx, dsn("hub_desk"), args.desks)
                here = base / f"ratio-{'apart' if apart else 'shared'}"      # each phase its own kiosk stores
                here.mkdir()
                got.append(ratio_phase(ctx, dsn("hub_kiosk"), str(here), ident, args.kiosks, args.ratio_rate,
                                       args.ratio_checkins, 0.1, args.hold, args.push, args.claim_wait, args.history,
                                       (cluster, desks) if apart else None))
                desks.stop({})
            return got

        if args.only_ratio:
            for r in ratios():
                print_ratio(args, r)
            return 0

        local, l_span, _ = run_kiosks(ctx, args.kiosks, args.per_kiosk, None, str(base), ident, rate=args.rate,
                                      hold=args.hold)
        l_lat = [x for r in local for x in r["lat"]]

        desks = Desks(ctx, dsn("hub_desk"), args.desks)
        hub, h_span, pg_hub = run_kiosks(ctx, args.kiosks, args.per_kiosk, dsn("hub_kiosk"), str(base), ident,
                                         args.push, args.rate, cluster, args.hold)
        h_lat = [x for r in hub for x in r["lat"]]
        issued = {num: t for r in hub for num, t in r["issued"].items()}
        desk_lat, desk_missing, desk_cpu = desks.stop(issued)

        # the hub with simulated kiosks: K processes sending what a kiosk sends the hub per check-in
        # (the allocation round trip, then the push of the visit and its signed upload), desks listening
        desks = Desks(ctx, dsn("hub_desk"), args.desks)
        hq, start_at = ctx.Queue(), time.time() + 3.0 + args.kiosks * 0.1
        interval = args.kiosks / args.rate if args.rate else 0.0
        hprocs = [ctx.Process(target=hub_proc, args=(k, args.hub_per_kiosk, dsn("hub_kiosk"), start_at, hq, interval,
                                                     args.hold > 0))
                  for k in range(1, args.kiosks + 1)]
        for p in hprocs:
            p.start()
        while time.time() < start_at - 0.05:
            time.sleep(0.01)
        pg1 = pg_cpu(cluster)
        hres = [hq.get(timeout=600) for _ in hprocs]
        pg_cap = pg_cpu(cluster) - pg1
        for p in hprocs:
            p.join(30)
        cap_issued = {num: t for r in hres for num, t in r["issued"].items()}
        cap_desk_lat, cap_desk_missing, cap_desk_cpu = desks.stop(cap_issued)
        cap_n = args.kiosks * args.hub_per_kiosk
        cap_span = max(r["end"] for r in hres) - min(r["end"] - r["elapsed"] for r in hres)
        cap_client = sum(r["cpu"] for r in hres) / cap_n
        measured = ratios() if args.ratio_rate else []
        with psycopg.connect(dsn("hub_desk")) as conn:
            hub_rows, hub_distinct = conn.execute(
                "SELECT count(*), count(DISTINCT (visit_day, ticket_number)) FROM visits").fetchone()


        off = KioskNode(base / "offline", NodeSettings("79001", "Z", default_services()),
                        pkcs12_signer(ident.p12_path, ident.password).sign, SystemClock(), dsn("hub_kiosk"))
        off.set_reachable(False)
        o_lat = []
        for i in range(args.offline):
            t0 = time.perf_counter()
            off.checkin(crowd_person(60000 + i), SERVICES[i % 5])
            o_lat.append(time.perf_counter() - t0)
        off.set_reachable(True)
        t0 = time.perf_counter()
        with psycopg.connect(dsn("hub_kiosk")) as conn:
            rep = off.pusher.push(conn)
        merge_s = time.perf_counter() - t0
        off.close()

        print(f"facility bench: {args.kiosks} kiosk processes x {args.per_kiosk} check-ins, {args.desks} desk "
              f"listeners, {os.cpu_count()} CPUs, offered rate "
              f"{f'{args.rate:.0f}/s (paced)' if args.rate else 'unlimited (each kiosk as fast as it can)'}")
        print(f"  local-only : {total / l_span:7.1f} check-ins/s   issue p50 {statistics.median(l_lat)*1000:6.1f} ms "
              f"p95 {_pct(l_lat, 95)*1000:6.1f} ms")
        print(f"  via hub    : {total / h_span:7.1f} check-ins/s   issue p50 {statistics.median(h_lat)*1000:6.1f} ms "
              f"p95 {_pct(h_lat, 95)*1000:6.1f} ms   (numbered by the hub: {sum(r['online'] for r in hub)}/{total + args.kiosks} "
              f"incl. warm-up; push mode {args.push})")
        n_hub = total
        ci, cp = sum(r["cpu_issue"] for r in hub) / n_hub, sum(r["cpu_push"] for r in hub) / n_hub
        cl = sum(r["cpu_issue"] for r in local) / total
        per = ci + cp + pg_hub / n_hub + desk_cpu / n_hub
        print(f"  CPU per check-in via hub: kiosk issuing {ci*1000:.1f} ms (local-only {cl*1000:.1f} ms), kiosk push "
              f"{cp*1000:.1f} ms, PostgreSQL {pg_hub / n_hub * 1000:.1f} ms, {args.desks} desks {desk_cpu / n_hub * 1000:.1f} ms"
              f" = {per*1000:.1f} ms -> ceiling on {os.cpu_count()} CPUs ~{os.cpu_count() / per:.0f} check-ins/s "
              f"(machine load average now {os.getloadavg()[0]:.1f})")
        cap_per = pg_cap / cap_n + cap_client + cap_desk_cpu / cap_n
        print(f"  hub, simulated kiosks: {cap_n / cap_span:7.1f} check-ins/s ({args.kiosks} processes x "
              f"{args.hub_per_kiosk}, each sending what a busy kiosk sends the hub per check-in: "
              f"{'hub_claim (holding the next number)' if args.hold else 'hub_allocate'}, then hub_ingest of the visit and its "
              f"signed upload; {args.desks} desks listening)")
        print(f"      CPU per check-in: PostgreSQL {pg_cap / cap_n * 1000:.2f} ms, simulated kiosks {cap_client * 1000:.2f} ms, "
              f"desks {cap_desk_cpu / cap_n * 1000:.2f} ms = {cap_per * 1000:.2f} ms -> ~{os.cpu_count() / cap_per:.0f}/s "
              f"on this machine; the hub alone ~{os.cpu_count() / (pg_cap / cap_n):.0f}/s on {os.cpu_count()} CPUs of its own")
        print(f"      ticket -> {args.desks} desks' lists: n={len(cap_desk_lat)} missing {cap_desk_missing} "
              f"p50 {statistics.median(cap_desk_lat)*1000:.1f} ms p95 {_pct(cap_desk_lat, 95)*1000:.1f} ms (target <= 1000 ms)")
        print(f"  full stack, hub/local issue p95 ratio: {_pct(h_lat, 95) / _pct(l_lat, 95):.2f} (target <= 1.2)")
        for r in measured:
            print_ratio(args, r)
        print(f"  hub visits {hub_rows}, distinct numbers {hub_distinct}: duplicates {hub_rows - hub_distinct}")
        print(f"  full stack, ticket -> {args.desks} desks' lists: n={len(desk_lat)} missing {desk_missing} "
              f"p50 {statistics.median(desk_lat)*1000:.1f} ms p95 {_pct(desk_lat, 95)*1000:.1f} ms (target <= 1000 ms)")
        print(f"  {args.offline} offline check-ins (issue p95 {_pct(o_lat, 95)*1000:.1f} ms) merged in {merge_s:.2f} s "
              f"({rep.visits} visits, {rep.outbox} uploads; target <= 10 s)")
        return 0
    finally:
        cluster.stop("immediate")
        import shutil
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Chaos run of the facility (issue 17): kiosk processes and hub upload workers SIGKILLed at random,
PostgreSQL stopped with `pg_ctl stop -m immediate` and started again, gateway faults on. Afterwards:
0 duplicate ticket numbers (across every kiosk's printed tickets), 0 lost visits (every visit a
kiosk committed is at the hub), 0 duplicate uploads at the gateway simulator (/admin/received).

    .venv/bin/python tests/bench/bench_facility_chaos.py [--kills 120] [--kiosks 6] [--workers 2]
                                                          [--pg-restart-every 20] [--seed N]

Each kiosk process: the real issuing transaction on its own SQLCipher store, hub numbering (its own
lettered series while the hub is away), push + pull + hand-over after every ticket, reconcile at
start. Each worker process: `HubUploadWorker.run_forever` (LISTEN hub_outbox), reconnecting when
PostgreSQL goes away. At the end the faults are switched off, every kiosk pushes and hands over
what it has, one worker drains the hub, and the three counts are taken.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

FAULTS = dict(latency_ms=20, timeout_rate=0.03, hang_seconds=1.5, error500_rate=0.03, error503_rate=0.03,
              unauthorized_rate=0.03, malformed_rate=0.03, drop_before_rate=0.03, drop_after_rate=0.05)
SERVICES = ("K01", "K02", "K03", "K04")
FACILITY = "79001"


def _client(url: str):
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.sim.http import LOOKUP_PATH
    from kiosk.gateway.sim.server import SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD, SIM_USERNAME
    return GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                         facility_code=FACILITY, connect_timeout=2.0, read_timeout=3.0, lookup_endpoint=LOOKUP_PATH)


def _node(data_dir: str, kid: str, keyhex: str, dsn: str, p12: str, pw: str):
    from kiosk.core.clock import SystemClock
    from kiosk.facility.node import KioskNode, NodeSettings, default_services
    from kiosk.gateway.signing import pkcs12_signer
    signer = pkcs12_signer(Path(p12), pw)
    return KioskNode(Path(data_dir), NodeSettings(FACILITY, kid, default_services()), signer.sign, SystemClock(),
                     dsn, key=bytes.fromhex(keyhex), hub_timeout=1.0, retry_after=2.0)


def child_kiosk(data_dir: str, kid: str, keyhex: str, dsn: str, p12: str, pw: str) -> None:
    from kiosk.core.ports import AlreadyIssued
    from kiosk.demo.facility_people import crowd_person
    from kiosk.facility import handover
    node = _node(data_dir, kid, keyhex, dsn, p12, pw)
    reconciled = False
    n = node.store.conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    print("ready", flush=True)
    while True:
        if not reconciled:
            try:
                handover.reconcile(node.hub(), node.store, kid)
                reconciled = True
            except Exception:
                node._close()
        try:
            node.checkin(crowd_person(int(kid) * 100000 + n), SERVICES[n % len(SERVICES)])
        except AlreadyIssued:
            pass
        n += 1
        if reconciled:
            node.sync(hand_over=True)
        time.sleep(0.1)


def child_worker(dsn: str, url: str) -> None:
    import psycopg

    from kiosk.facility.worker import HubUploadWorker
    client = _client(url)
    print("ready", flush=True)
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=2) as conn:
                HubUploadWorker(conn, client, FACILITY, lease_seconds=8.0, grace=1.0).run_forever(idle=5.0)
        except psycopg.Error:
            time.sleep(0.3)


class Procs:
    def __init__(self, argv_for):
        self.argv_for, self.procs, self.started = argv_for, {}, {}

    def start(self, name: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.procs[name] = subprocess.Popen(self.argv_for(name), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                            env=env, cwd=str(ROOT))
        self.started[name] = time.monotonic()

    def up_for(self, name: str) -> float:
        return time.monotonic() - self.started[name]

    def wait_ready(self, name: str) -> None:
        assert self.procs[name].stdout.readline().strip() == b"ready", name

    def kill(self, name: str) -> None:
        p = self.procs[name]
        p.send_signal(signal.SIGKILL)
        p.wait(30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            if self.procs[name].poll() is None:
                self.kill(name)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=120)
    ap.add_argument("--kiosks", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pg-restart-every", type=int, default=20, help="kills between two PostgreSQL restarts")
    ap.add_argument("--seed", type=int, default=1717)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    import psycopg

    from bench_sync_drain import SimProcess
    from kiosk.facility import handover, schema
    from kiosk.facility.cluster import PrivateCluster
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.sim.server import admin_call

    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-facility-chaos-"))
    cluster = PrivateCluster(base / "pg").init().start()
    ident = ensure_dev_identity(base / "devcert", FACILITY)
    sim = SimProcess(base / "sim", ident.cert_pem, dict(FAULTS, seed=args.seed))
    t_start = time.perf_counter()
    try:
        schema.create_database(cluster.dsn(), "hub")
        schema.init(cluster.dsn(dbname="hub"), base / "secrets")

        def dsn(role):
            return cluster.dsn(user=role, password=(base / "secrets" / f"{role}.password").read_text().strip(),
                               dbname="hub")
        keys = {str(k): os.urandom(32).hex() for k in range(1, args.kiosks + 1)}
        me = str(Path(__file__).resolve())

        def argv_for(name: str) -> list[str]:
            if name.startswith("k"):
                kid = name[1:]
                return [sys.executable, me, "--child-kiosk", str(base / f"kiosk{kid}"), kid, keys[kid],
                        dsn("hub_kiosk"), str(ident.p12_path), ident.password]
            return [sys.executable, me, "--child-worker", dsn("hub_worker"), sim.url]
        procs = Procs(argv_for)
        names = [f"k{k}" for k in keys] + [f"w{w}" for w in range(args.workers)]
        for name in names:
            procs.start(name)
        for name in names:
            procs.wait_ready(name)
        kills, pg_restarts, by_kind = 0, 0, Counter()
        t_chaos = time.perf_counter()
        while kills < args.kills:
            time.sleep(rng.uniform(0.4, 2.0))
            pool = names if rng.random() < 0.3 else names[:args.kiosks]
            # a victim that has been up long enough to be working (not still importing)
            pool = [n for n in pool if procs.up_for(n) > rng.uniform(1.5, 4.0)]
            if not pool:
                continue
            victim = rng.choice(pool)
            procs.kill(victim)
            kills += 1
            by_kind["kiosk" if victim.startswith("k") else "worker"] += 1
            procs.start(victim)
            if kills % args.pg_restart_every == 0:
                cluster.stop("immediate")
                time.sleep(rng.uniform(0.5, 2.0))
                cluster.start()
                pg_restarts += 1
        chaos_s = time.perf_counter() - t_chaos
        procs.stop_all()
        sim.faults(**{k: 0 for k in FAULTS if k.endswith("_rate")}, latency_ms=0)

        # the end of the day: every kiosk pushes and hands over what it has; one worker drains the hub
        from kiosk.facility import push
        local_visits: set[str] = set()
        local_uploads: set[tuple[str, str]] = set()
        tickets: Counter = Counter()
        for kid, keyhex in keys.items():
            node = _node(str(base / f"kiosk{kid}"), kid, keyhex, dsn("hub_kiosk"), str(ident.p12_path), ident.password)
            try:
                conn = node.hub()
                handover.reconcile(conn, node.store, kid)
                push.Pusher(node.store, FACILITY, kid).push(conn)
                while handover.hand_over(conn, node.store, kid, limit=500):
                    pass
                local_visits |= {r[0] for r in node.store.conn.execute("SELECT ma_lk FROM visits")}
                local_uploads |= {(r[0], r[1]) for r in node.store.conn.execute("SELECT kind, ma_lk FROM outbox")}
                tickets.update((r[0], r[1]) for r in node.store.conn.execute("SELECT day, number FROM tickets"))
                left = node.store.conn.execute("SELECT count(*) FROM outbox WHERE state NOT IN "
                                               "('handed_over', 'acked')").fetchone()[0]
                assert left == 0, f"kiosk {kid}: {left} uploads neither handed over nor acked"
            finally:
                node.close()
        for name in ("w-final1", "w-final2"):
            procs.start(name)
        deadline = time.monotonic() + 300
        with psycopg.connect(dsn("hub_desk"), autocommit=True) as conn:
            while time.monotonic() < deadline:
                if conn.execute("SELECT count(*) FROM outbox WHERE state <> 'acked'").fetchone()[0] == 0:
                    break
                time.sleep(0.5)
            hub_visits = {r[0] for r in conn.execute("SELECT ma_lk FROM visits")}
            hub_numbers = conn.execute("SELECT count(*) - count(DISTINCT (visit_day, ticket_number)) FROM visits").fetchone()[0]
            hub_uploads = dict(((k, m), (s, o)) for k, m, s, o in conn.execute(
                "SELECT kind, ma_lk, state, acked_by FROM outbox"))
            by_numbering = dict(conn.execute("SELECT numbered_by, count(*) FROM visits GROUP BY 1").fetchall())
        procs.stop_all()
        received = admin_call(sim.url, "/admin/received?xml=0", timeout=60)
        kind_code = {"checkin": "0", "dossier": "130"}
        held = Counter((r["loai_ho_so"], r["ma_lk"]) for r in received)
        dup_numbers = sum(n - 1 for n in tickets.values() if n > 1)
        lost_visits = len(local_visits - hub_visits)
        not_acked = sum(1 for s, _ in hub_uploads.values() if s != "acked")
        missing_uploads = sum(1 for k, m in local_uploads if (kind_code[k], m) not in held)
        dup_uploads = sum(n - 1 for n in held.values() if n > 1)
        dup_marked = sum(1 for r in received if r["duplicate"])
        total_s = time.perf_counter() - t_start
        print(f"facility chaos run: {kills} SIGKILLs ({by_kind['kiosk']} kiosk, {by_kind['worker']} hub worker) and "
              f"{pg_restarts} PostgreSQL immediate restarts in {chaos_s:.0f} s ({total_s:.0f} s in all), "
              f"{args.kiosks} kiosks, {args.workers} workers, gateway faults {FAULTS}")
        print(f"  visits committed at kiosks {len(local_visits)}, at the hub {len(hub_visits)} "
              f"(numbered by the hub {by_numbering.get('hub', 0)}, by kiosks offline {by_numbering.get('kiosk', 0)})")
        print(f"  printed tickets {sum(tickets.values())}: duplicate numbers {dup_numbers} (hub: {hub_numbers}); "
              f"lost visits {lost_visits}")
        print(f"  uploads queued {len(local_uploads)}, at the hub {len(hub_uploads)}, not acked {not_acked}; gateway "
              f"stored {len(held)}, missing {missing_uploads}, stored twice {dup_uploads}, duplicate-marked {dup_marked}")
        ok = (dup_numbers == 0 and hub_numbers == 0 and lost_visits == 0 and not_acked == 0 and missing_uploads == 0
              and dup_uploads == 0 and dup_marked == 0 and len(hub_uploads) == len(local_uploads))
        print("  RESULT:", "0 duplicate numbers, 0 lost visits, 0 duplicate uploads" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        sim.stop()
        try:
            cluster.stop("immediate")
        except Exception:
            pass
        import shutil
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-kiosk":
        child_kiosk(*sys.argv[2:8])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-worker":
        child_worker(*sys.argv[2:4])
    else:
        sys.exit(main())

"""Benchmark: drain N queued signed uploads (check-ins + visit summaries) to the gateway simulator
on loopback, with the sync worker (batched leases, bounded concurrency) and, in the same run,
with a naive one-at-a-time client. Reports uploads/s, peak RSS and RSS growth while draining.

    .venv/bin/python tests/bench/bench_sync_drain.py [--items 10000] [--naive 2000]

The uploads are signed (PKCS#12, the demo facility identity) before the timed part; the
simulator runs in its own process and verifies every signature, like the gateway.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "sync")]

from kiosk.core.clock import SystemClock  # noqa: E402
from kiosk.gateway.client import GatewayClient  # noqa: E402
from kiosk.gateway.sim.server import (LOOKUP_PATH, SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME,  # noqa: E402
                               SIM_PASSWORD, SIM_USERNAME, admin_call)
from kiosk.store.migrate import open_connection  # noqa: E402
from kiosk.store.outbox import OutboxRepo  # noqa: E402
from kiosk.sync.lock import WorkerLock  # noqa: E402
from kiosk.sync.runner import connection_factory  # noqa: E402
from kiosk.sync.worker import SyncSettings, SyncWorker  # noqa: E402
from sync_signed import SignedFactory  # noqa: E402


def _serve(sim_dir: str, cert_pem: bytes, port_q, stop_ev, faults: dict) -> None:
    from kiosk.demo.sim_cards import start_demo_simulator
    # http.server prints a traceback for every connection a killed client reset: keep it in a file
    sys.stderr = open(Path(sim_dir).parent / "sim-stderr.log", "w")
    sim = start_demo_simulator(Path(sim_dir), facility_cert_pem=cert_pem)
    if faults:
        sim.set_faults(**faults)
    port_q.put(sim.port)
    stop_ev.wait()
    sim.stop()


class SimProcess:
    """The simulator in its own process, so its signature checks do not share our GIL."""

    def __init__(self, sim_dir: Path, cert_pem: bytes, faults: dict | None = None):
        ctx = mp.get_context("spawn")
        self._q, self._stop = ctx.Queue(), ctx.Event()
        self._p = ctx.Process(target=_serve, args=(str(sim_dir), cert_pem, self._q, self._stop, faults or {}),
                              daemon=True)
        self._p.start()
        self.port = self._q.get(timeout=60)
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict:
        return admin_call(self.url, "/admin/stats")

    def cpu_seconds(self) -> float:
        """utime + stime of the simulator process (Linux /proc)."""
        fields = Path(f"/proc/{self._p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def faults(self, **changes) -> dict:
        return admin_call(self.url, "/admin/faults", changes)

    def stop(self) -> None:
        self._stop.set()
        self._p.join(10)


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, every: float = 0.05):
        super().__init__(daemon=True)
        self.every, self.samples, self._halt = every, [], threading.Event()

    def run(self) -> None:
        t0 = time.perf_counter()
        while not self._halt.is_set():
            # RSS, and Python's own allocated blocks (SQLite's page cache is not in the latter)
            self.samples.append((time.perf_counter() - t0, rss_mib(), sys.getallocatedblocks()))
            self._halt.wait(self.every)

    def stop(self) -> list[tuple[float, float]]:
        self._halt.set()
        self.join()
        return self.samples


def client(url: str) -> GatewayClient:
    return GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD, connect_timeout=5.0,
                         read_timeout=30.0, lookup_endpoint=LOOKUP_PATH, facility_code=SIM_FACILITY)


def presign_and_enqueue(conn, factory: SignedFactory, prefix: str, n: int) -> float:
    """Sign n uploads (half check-ins, half dossiers) and queue them, 500 per transaction.
    Returns the signing time per document, ms."""
    repo, signing = OutboxRepo(conn, SystemClock()), 0.0
    for start in range(0, n, 500):
        t = time.perf_counter()
        chunk = []
        for i in range(start, min(n, start + 500)):
            ma_lk = f"{SIM_FACILITY}-{prefix}-{i // 2:06d}"
            kind = "checkin" if i % 2 == 0 else "dossier"
            chunk.append((kind, ma_lk, factory.item(kind, ma_lk, i)))
        signing += time.perf_counter() - t
        conn.execute("BEGIN IMMEDIATE")
        for kind, ma_lk, payload in chunk:
            repo.enqueue(kind, ma_lk, payload)
        conn.execute("COMMIT")
    return signing / max(1, n) * 1000


def naive_drain(conn, gw: GatewayClient) -> int:
    """One item at a time: select the next pending row, upload, mark it acked, repeat."""
    n = 0
    while True:
        row = conn.execute("SELECT id, kind, payload FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return n
        upload = gw.upload_checkin if row["kind"] == "checkin" else gw.upload_dossier
        result = upload(bytes(row["payload"]), SIM_FACILITY)
        if not result.acked:
            raise SystemExit(f"naive client: unexpected {result.outcome} {result.code}")
        conn.execute("UPDATE outbox SET state = 'acked', receipt_ma_giao_dich = ?, acked_at = datetime('now') "
                     "WHERE id = ?", (result.ma_giao_dich, row["id"]))
        n += 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--naive", type=int, default=2_000, help="items drained by the naive client (0: skip)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--calibrate", type=int, default=300, help="uploads timed with the bare client")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    key = os.urandom(32)
    (tmp / "data").mkdir()
    conn = open_connection(tmp / "data", key, create=True)
    factory = SignedFactory(tmp / "id")

    sign_ms = presign_and_enqueue(conn, factory, "W", args.items)
    sim = SimProcess(tmp / "sim", factory.cert_pem)
    try:
        settings = SyncSettings(batch_size=args.batch, concurrency=args.concurrency, backoff_base=0.1,
                                backoff_cap=2.0, reconcile_grace=0.5)
        # the worker's connection as the app opens it (runner.connection_factory: 16 MiB page cache)
        worker = SyncWorker(connection_factory(tmp / "data", key), client(sim.url), facility_code=SIM_FACILITY,
                            rng=random.Random(1), settings=settings, lock=WorkerLock.for_data_dir(tmp / "data"))
        rss_before = rss_mib()
        sampler = RssSampler()
        sampler.start()
        t, cpu, sim_cpu = time.perf_counter(), time.process_time(), sim.cpu_seconds()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats
            prof = cProfile.Profile()
            report = prof.runcall(worker.run_once)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        else:
            report = worker.run_once()
        worker_s = time.perf_counter() - t
        worker_cpu_ms = (time.process_time() - cpu) / args.items * 1000
        sim_cpu_ms = (sim.cpu_seconds() - sim_cpu) / args.items * 1000
        samples = sampler.stop()
        stats = OutboxRepo(conn, SystemClock()).stats()
        assert stats.acked == args.items and stats.pending == 0, stats

        naive_rate = None
        if args.naive:
            presign_and_enqueue(conn, factory, "N", args.naive)
            t = time.perf_counter()
            n = naive_drain(conn, client(sim.url))
            naive_s = time.perf_counter() - t
            naive_rate = n / naive_s
        # calibration: the gateway client alone, sequential, no database (what HTTP costs us)
        calib = [factory.checkin(f"{SIM_FACILITY}-C-{i:06d}", i) for i in range(args.calibrate)]
        gw = client(sim.url)
        cpu = time.process_time()
        for payload in calib:
            gw.upload_checkin(payload, SIM_FACILITY)
        client_cpu_ms = (time.process_time() - cpu) / max(1, args.calibrate) * 1000
        sim_stats = sim.stats()
    finally:
        sim.stop()
    quarter = max(1, len(samples) // 4)
    early = max(r for _, r, _ in samples[:quarter])
    late = max(r for _, r, _ in samples[-quarter:])
    peak = max(r for _, r, _ in samples)
    blocks_early = max(b for _, _, b in samples[:quarter])
    blocks_late = max(b for _, _, b in samples[-quarter:])
    by_quarter = [max(r for _, r, _ in samples[q * quarter:(q + 1) * quarter] or [(0, 0.0, 0)]) for q in range(4)]
    expected = args.items + args.naive + args.calibrate
    print(f"sync drain benchmark: {args.items} signed uploads ({args.items // 2} XML0 check-ins + "
          f"{args.items - args.items // 2} GIAMDINHHS dossiers), simulator in its own process on loopback")
    print(f"  signing (PKCS#12, outside the timed part): {sign_ms:.2f} ms per document")
    print(f"  worker  (batch {args.batch}, concurrency {args.concurrency}): {args.items / worker_s:,.0f} uploads/s "
          f"({worker_s:.2f} s; acked {report.acked}, retried {report.retried})")
    print(f"  kiosk-side CPU per upload (worker process, all threads): {worker_cpu_ms:.2f} ms "
          f"-> {1000 / worker_cpu_ms:,.0f} uploads/s per core of kiosk capacity; simulator CPU per upload "
          f"{sim_cpu_ms:.2f} ms (HTTP, XML checks, signature verification, its SQLite); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.calibrate:
        print(f"  of which the gateway client alone (requests, measured sequentially): {client_cpu_ms:.2f} ms; "
              f"the worker's own cost (leases, receipts, pool): {worker_cpu_ms - client_cpu_ms:.2f} ms")
    if naive_rate:
        print(f"  naive one-at-a-time client: {naive_rate:,.0f} uploads/s ({args.naive} uploads, {naive_s:.2f} s)"
              f" -> worker is {args.items / worker_s / naive_rate:.1f}x")
    print(f"  RSS: {rss_before:.1f} MiB before, peak {peak:.1f} MiB while draining; max in the first quarter "
          f"{early:.1f} MiB vs last quarter {late:.1f} MiB (growth {late - early:+.1f} MiB; "
          f"per quarter {', '.join(f'{r:.1f}' for r in by_quarter)})")
    print(f"  Python heap blocks: first quarter {blocks_early:,} vs last quarter {blocks_late:,} "
          f"({(blocks_late - blocks_early) / max(1, blocks_early):+.1%})")
    print(f"  simulator: {sim_stats['total']} received, {sim_stats['distinct']} distinct, "
          f"{sim_stats['duplicates']} duplicate-marked (expected {expected}, 0)")
    ok = sim_stats["total"] == expected and sim_stats["duplicates"] == 0 and sim_stats["distinct"] == expected
    print("  target >= 500 uploads/s:", "met" if args.items / worker_s >= 500 else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

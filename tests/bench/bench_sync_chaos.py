"""Chaos run: `kiosk sync run` SIGKILLed hundreds of times while the gateway simulator injects every
fault at once (latency, timeouts after storing, 500, 503, 401 token expiry, malformed JSON,
connections dropped before and after storing). At the end: 0 lost, 0 duplicated.

    .venv/bin/python tests/bench/bench_sync_chaos.py [--kills 300] [--per-round 8] [--seed N] [--no-lookup]

With --no-lookup (the default configuration: the live look-up endpoint is UNCONFIRMED) a lost
reply is resent and the gateway's "duplicate" answer cannot be verified: such items go to the desk
(dead letter DUPLICATE?), never acked; the run then checks that nothing was lost or acked unstored.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "sync"), str(ROOT / "tests" / "bench")]

from bench_sync_drain import SimProcess  # noqa: E402
from kiosk.core.clock import SystemClock  # noqa: E402
from kiosk.gateway.sim.server import SIM_FACILITY  # noqa: E402
from kiosk.store.keys import FileKeyProvider  # noqa: E402
from kiosk.store.migrate import open_connection  # noqa: E402
from kiosk.store.outbox import OutboxRepo  # noqa: E402
from sync_signed import SignedFactory  # noqa: E402
from test_sync_crash import spawn, write_config  # noqa: E402

FAULTS = dict(latency_ms=20, timeout_rate=0.03, hang_seconds=1.5, error500_rate=0.03, error503_rate=0.03,
              unauthorized_rate=0.03, malformed_rate=0.03, drop_before_rate=0.03, drop_after_rate=0.05)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=300)
    ap.add_argument("--per-round", type=int, default=8, help="uploads queued before each (re)start")
    ap.add_argument("--seed", type=int, default=4750)
    ap.add_argument("--no-lookup", action="store_true", help="no gateway_lookup_endpoint (the default config)")
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="slow gateway: every upload and look-up waits this long (the read deadline is "
                         "raised above it and kills land while uploads are in flight)")
    args = ap.parse_args()
    faults = dict(FAULTS)
    kill_window = (0.3, 1.2)
    if args.latency_ms:
        faults.update(latency_ms=args.latency_ms, scope=["upload", "lookup"])
        kill_window = (1.0, 2 * args.latency_ms / 1000 + 4)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    data_dir, key_file = tmp / "data", tmp / "keys" / "db.key"
    key = FileKeyProvider(key_file).create()
    data_dir.mkdir(mode=0o700)
    conn = open_connection(data_dir, key, create=True)
    repo = OutboxRepo(conn, SystemClock())
    factory = SignedFactory(tmp / "id")
    sim = SimProcess(tmp / "sim", factory.cert_pem, dict(faults, seed=args.seed))
    cfg = tmp / "kiosk.toml"
    write_config(cfg, data_dir, key_file, sim.url)
    if args.no_lookup:
        cfg.write_text("\n".join(ln for ln in cfg.read_text(encoding="utf-8").splitlines()
                                 if not ln.startswith("gateway_lookup_endpoint")) + "\n", encoding="utf-8")
    if args.latency_ms:   # a read deadline above the latency, so slow answers are answers
        cfg.write_text(cfg.read_text(encoding="utf-8").replace(
            "gateway_read_timeout = 1.0", f"gateway_read_timeout = {args.latency_ms / 1000 + 4:.1f}"), encoding="utf-8")
    expected: set[tuple[str, str]] = set()
    n = kills = orphaned = 0

    def enqueue_round() -> None:
        nonlocal n
        conn.execute("BEGIN IMMEDIATE")
        for _ in range(max(1, args.per_round // 2)):
            ma_lk = f"{SIM_FACILITY}-CH-{n:06d}"
            repo.enqueue("checkin", ma_lk, factory.checkin(ma_lk, n))
            repo.enqueue("dossier", ma_lk, factory.dossier(ma_lk, n))
            expected.update({("0", ma_lk), ("130", ma_lk)})
            n += 1
        conn.execute("COMMIT")

    started = time.monotonic()
    try:
        with open(tmp / "worker.log", "wb") as log:
            rounds = 0
            while kills < args.kills and rounds < 3 * args.kills:   # a run may finish before its kill
                rounds += 1
                enqueue_round()
                proc = spawn(cfg, log)
                time.sleep(rng.uniform(*kill_window))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    kills += 1
                proc.wait()
                orphaned += repo.stats().sending
                if kills and kills % (50 if not args.latency_ms else 10) == 0 and proc.returncode == -signal.SIGKILL:
                    print(f"  ... {kills} kills, {len(expected)} uploads queued", flush=True)
            chaos_s = time.monotonic() - started
            sim.faults(**{k: 0 for k in FAULTS if k.endswith("_rate")}, latency_ms=0)
            proc = spawn(cfg, log)   # faults off: the last run must finish the queue
            code = proc.wait(timeout=300)
        stats = repo.stats()
        reconciled = conn.execute("SELECT count(*) FROM outbox WHERE receipt_message LIKE 'found on the gateway%'"
                                  ).fetchone()[0]
        duplicate_acks = conn.execute("SELECT count(*) FROM outbox WHERE receipt_message LIKE '%trùng%' "
                                      "OR receipt_message LIKE 'duplicate%'").fetchone()[0]
        desk = conn.execute("SELECT ma_lk, kind, last_code FROM outbox WHERE state = 'dead'").fetchall()
        acked_rows = conn.execute("SELECT ma_lk, kind FROM outbox WHERE state = 'acked'").fetchall()
        from kiosk.gateway.sim.server import admin_call
        received = admin_call(sim.url, "/admin/received?xml=0", timeout=60)
    finally:
        sim.stop()
        conn.close()
    held = [(r["loai_ho_so"], r["ma_lk"]) for r in received]
    dup_marked = sum(1 for r in received if r["duplicate"])
    lost = len(expected - set(held))
    duplicated = len(held) - len(set(held))
    print(f"sync chaos run: {kills} SIGKILLs of `kiosk sync run` in {chaos_s:.0f} s "
          f"(whole run {time.monotonic() - started:.0f} s) with gateway faults {faults}")
    print(f"  uploads queued {len(expected)}; orphaned leases seen after kills {orphaned}; "
          f"acked by reconciliation (no resend) {reconciled}; acked on a DUPLICATE answer {duplicate_acks}")
    print(f"  final run exit {code}; outbox pending {stats.pending}, sending {stats.sending}, dead {stats.dead}, "
          f"acked {stats.acked}")
    print(f"  gateway: {len(held)} stored, lost {lost}, duplicated {duplicated}, duplicate-marked copies {dup_marked}")
    kind = {"checkin": "0", "dossier": "130"}
    unstored_acks = sum(1 for r in acked_rows if (kind[r[1]], r[0]) not in set(held))
    to_desk = sum(1 for r in desk if r[2] == "DUPLICATE?")
    print(f"  look-up {'off' if args.no_lookup else 'on'}: acked but not stored {unstored_acks}; "
          f"possible duplicates sent to the desk {to_desk}")
    if args.no_lookup:   # duplicates cannot be avoided without a look-up; they must never be acked blind
        ok = (code == 0 and lost == 0 and unstored_acks == 0 and duplicate_acks == 0 and stats.pending == 0
              and stats.sending == 0 and stats.dead == to_desk and stats.acked + stats.dead == len(expected))
        print("  RESULT:", "0 lost, 0 acked unverified" if ok else "FAILED")
        return 0 if ok else 1
    ok = (code == 0 and lost == 0 and duplicated == 0 and dup_marked == 0 and stats.pending == 0
          and stats.sending == 0 and stats.dead == 0 and stats.acked == len(expected))
    print("  RESULT:", "0 lost, 0 duplicated" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

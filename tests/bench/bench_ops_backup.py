"""Ops at scale: how long the nightly backup, its verification, the start-up health checks, the
restore and the retention job take on a database of N cached patients (plus a day of outbox items).

    .venv/bin/python tests/bench/bench_ops_backup.py --size 1000000
    .venv/bin/python tests/bench/bench_ops_backup.py --size 20000        # while developing

The peer for the backup is a plain file copy of the same database (the bound no backup can beat);
start-up health is reported per integrity level against the 1.5 s cold-start budget: the full
check reads and decrypts every page, which is why the app runs it on a background thread
(kiosk.ops.runtime) and the nightly job runs it before each backup.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.core.clock import FakeClock, iso  # noqa: E402
from kiosk.ops.disk import DiskGuard  # noqa: E402
from kiosk.ops.health import startup_health  # noqa: E402
from kiosk.ops.jobs import nightly_backup  # noqa: E402
from kiosk.ops.retention import run_retention  # noqa: E402
from kiosk.store.backup import restore_backup, take_backup, verify_backup  # noqa: E402
from kiosk.store.db import db_path  # noqa: E402
from kiosk.store.migrate import open_store  # noqa: E402

BATCH = 20_000


def fill(store, size: int, outbox: int) -> None:
    conn = store.conn
    now = store.clock.now()
    recent = iso(now - timedelta(days=10))
    old = [iso(now - timedelta(days=366 + d)) for d in range(300)]   # the purged tenth, over 300 days
    for start in range(0, size, BATCH):
        ids = range(start + 1, min(size, start + BATCH) + 1)
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO patients (id, full_name, birth_date, gender, address, first_seen, last_seen) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(i, f"NGUYỄN VĂN THỬ {i}", f"19{50 + i % 50}-01-01", 1 + i % 2, "Số 1 phố Thử, Hà Nội",
                           old[i % 300], old[i % 300] if i % 10 == 0 else recent) for i in ids])
        conn.executemany("INSERT INTO patient_documents (patient_id, kind, number, source, updated_at) "
                         "VALUES (?, 'cccd', ?, 'qr', ?)", [(i, f"{i:012d}", recent) for i in ids])
        conn.execute("COMMIT")
    with store.transaction():
        for i in range(outbox):
            store.outbox.enqueue("checkin", f"790011-261120083000-{i:04d}", b"<signed>" + os.urandom(3000))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000_000, help="cached patients")
    ap.add_argument("--outbox", type=int, default=500, help="pending outbox items (a busy offline day)")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    try:
        key = os.urandom(32)
        clock = FakeClock(datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc))
        data = root / "data"
        store = open_store(data, key, create=True, clock=clock, cache_mib=64)
        t_fill, _ = timed(lambda: fill(store, args.size, args.outbox))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_mib = db_path(data).stat().st_size / 2**20
        print(f"database: {args.size:,} patients, {args.outbox} outbox items, {size_mib:.1f} MiB "
              f"(filled in {t_fill:.1f} s)")

        t_copy, _ = timed(lambda: shutil.copyfile(db_path(data), root / "plain-copy.db"))
        (root / "plain-copy.db").unlink()
        t_backup, info = timed(lambda: take_backup(store.conn, key, root / "backups", clock.now()))
        t_verify, _ = timed(lambda: verify_backup(info.path, key))
        print(f"backup (online backup + fsync + verify): {t_backup:.2f} s; plain file copy: {t_copy:.2f} s "
              f"({t_backup / max(t_copy, 1e-9):.1f}x); verify alone: {t_verify:.2f} s")

        t_night, _ = timed(lambda: nightly_backup(lambda: open_store(data, key, clock=clock, cache_mib=8), key, data,
                                                  14, clock.now() + timedelta(days=1)))
        print(f"nightly job (full integrity check of the live db + backup + verify + prune): {t_night:.2f} s")
        store.close()
        guard = DiskGuard(data, 200)
        for level in ("none", "cipher", "full"):
            t_health, h = timed(lambda: startup_health(data, key, guard, integrity=level))
            print(f"start-up health, integrity={level}: {t_health * 1000:.0f} ms ({h.state.value}); "
                  "cold-start budget 1500 ms")

        t_restore, _ = timed(lambda: restore_backup(info.path, data, key, clock.now()))
        print(f"restore (verify + copy + fsync): {t_restore:.2f} s")

        store = open_store(data, key, clock=clock, cache_mib=64)
        spans, began = [], [0.0]

        def trace(sql: str) -> None:   # how long the write lock is held, transaction by transaction
            if sql.startswith("BEGIN"):
                began[0] = time.perf_counter()
            elif sql.startswith("COMMIT"):
                spans.append(time.perf_counter() - began[0])
        store.conn.set_trace_callback(trace)
        t_ret, rep = timed(lambda: run_retention(store, 365, 730))
        store.conn.set_trace_callback(None)
        store.close()
        print(f"retention job: purged {rep.patients_purged:,} patients (last seen over 300 days) in {t_ret:.2f} s, "
              f"{rep.transactions} transactions, longest {max(spans) * 1000:.0f} ms "
              f"(a check-in waits up to db_busy_timeout_ms = 5000 ms)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

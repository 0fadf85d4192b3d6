"""The weekly report over a year of a large hospital: 3,000 receptions a day for 365 days
(1,095,000 visits), each with a card check, its XML0 upload and (for closed visits) its dossier.

    .venv/bin/python tests/bench/bench_report.py                  # a year, the issue's size
    .venv/bin/python tests/bench/bench_report.py --per-day 300    # while developing
    .venv/bin/python tests/bench/bench_report.py --keep /tmp/rep  # keep (and reuse) the database

The data go straight into a real SQLCipher store at the newest schema (bulk INSERTs on the store's
connection, the same columns the repositories write). Then, each on a fresh connection (cold page
cache, as the Monday-morning job), the report is assembled for the last full ISO week and for the
whole year and rendered; the time of each and the peak memory (Python allocations from tracemalloc,
and the process's resident set growth, which includes SQLite's page cache) are printed against the
issue's targets (week < 5 s, year < 60 s).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.core.clock import VN_TZ, FakeClock  # noqa: E402
from kiosk.core.idmethods import ID_METHODS  # noqa: E402
from kiosk.report.figures import build_report  # noqa: E402
from kiosk.report.period import iso_week_of, span, week  # noqa: E402
from kiosk.report.source import store_source  # noqa: E402
from kiosk.report.weekly import render  # noqa: E402
from kiosk.store.migrate import open_store  # noqa: E402

LAST_DAY = date(2026, 11, 29)          # a Sunday: the year ends with a full ISO week (2026-W48)
KIOSKS = ("1", "2", "3", "4", "5", "6")
METHOD_WEIGHTS = (30, 3, 25, 15, 15, 8, 4, 0)           # chip, chip no PA, CCCD QR, VNeID, BHYT, typed, desk, other
PRIORITY = (None,) * 17 + ("elderly", "child", "pregnant")
XML0 = b"<GIAMDINHHS>" + b"x" * 1000 + b"</GIAMDINHHS>"      # stand-ins for the signed bytes
DOSSIER = b"<GIAMDINHHS>" + b"y" * 2000 + b"</GIAMDINHHS>"
SUMMARY = json.dumps({"icd_main": "J06.9", "diagnosis": "x" * 200})


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


def build(store, days: int, per_day: int, seed: int = 2026) -> int:
    rnd = random.Random(seed)
    conn = store.conn
    patients = max(1000, per_day * days // 3)        # patients come back about three times a year
    stamp = "2025-01-01T00:00:00+00:00"
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO patients (id, full_name, birth_date, gender, first_seen, last_seen) "
                     "VALUES (?, ?, '1970-01-01', 3, ?, ?)", ((i, f"BN {i}", stamp, stamp) for i in range(1, patients + 1)))
    conn.execute("COMMIT")
    vid = cid = oid = 0
    first = LAST_DAY - timedelta(days=days - 1)
    for d in range(days):
        day = first + timedelta(days=d)
        visits, checks, outbox = [], [], []
        for i in range(per_day):
            vid += 1
            cid += 1
            at = datetime.combine(day, dtime(6, 30), VN_TZ) + timedelta(seconds=rnd.randint(0, 10 * 3600))
            prov = rnd.random() < 0.08
            code, verdict = (None, "provisional") if prov else rnd.choice(
                (("000", "valid"),) * 8 + (("001", "valid"), ("004", "valid_new_card"), ("070", "needs_desk")))
            checks.append((cid, rnd.randint(1, patients), f"DN{cid:013d}", iso(at), code, verdict, int(prov)))
            closed = at + timedelta(seconds=rnd.randint(900, 6 * 3600)) if rnd.random() < 0.9 else None
            status = "closed" if closed else rnd.choice(("waiting", "cancelled", "needs_desk"))
            visits.append((vid, f"79001-{vid:09d}", checks[-1][1], rnd.choice(KIOSKS), day.isoformat(), "K01",
                           rnd.choice(PRIORITY), status, cid, iso(at), iso(closed) if closed else None,
                           SUMMARY if closed else None, iso(closed or at),
                           rnd.choices(ID_METHODS, METHOD_WEIGHTS)[0], int(prov)))
            for kind, end, payload in (("checkin", at, XML0), ("dossier", closed, DOSSIER)):
                if end is None:
                    continue
                oid += 1
                roll = rnd.random()
                if roll < 0.95:
                    recv = end + timedelta(seconds=int(rnd.expovariate(1 / 1800)))
                    outbox.append((oid, kind, visits[-1][1], vid, payload, "acked", None, iso(end), iso(recv),
                                   recv.astimezone(VN_TZ).isoformat(timespec="seconds")))
                elif roll < 0.98:
                    outbox.append((oid, kind, visits[-1][1], vid, payload, "dead", rnd.choice(("XML_INVALID", "SIG")),
                                   iso(end), None, None))
                else:
                    outbox.append((oid, kind, visits[-1][1], vid, payload, "pending", None, iso(end), None, None))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO eligibility_checks (id, patient_id, card_number, checked_at, result_code, "
                         "verdict, provisional) VALUES (?, ?, ?, ?, ?, ?, ?)", checks)
        conn.executemany("INSERT INTO visits (id, ma_lk, patient_id, kiosk_id, visit_day, service_code, priority, "
                         "status, eligibility_id, checked_in_at, closed_at, summary_json, updated_at, id_method, "
                         "checked_provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits)
        conn.executemany("INSERT INTO outbox (id, kind, ma_lk, visit_id, payload, payload_sha256, state, last_code, "
                         "created_at, updated_at, acked_at, receipt_time) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
                         ((o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[7], o[8], o[9]) for o in outbox))
        conn.execute("COMMIT")
        if d % 30 == 29:
            print(f"  built {d + 1} days, {vid:,} visits", flush=True)
    conn.execute("ANALYZE")
    return vid


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(data_dir: Path, key: bytes, period, label: str, formats: tuple[str, ...]) -> tuple[float, float, object]:
    store = open_store(data_dir, key, clock=FakeClock())          # a fresh connection: cold page cache
    try:
        before = rss_mib()
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(store_source(store), period, facility="79001", kiosk="*")
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        grown = rss_mib() - before
        tracemalloc.start()         # after the timing: tracing slows every allocation down
        build_report(store_source(store), period, facility="79001", kiosk="*")
        rendered = {}
        for fmt in formats:
            t1 = time.perf_counter()
            rendered[fmt] = (len(render(report, fmt)), time.perf_counter() - t1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        store.close()
    print(f"{label}: figures in {took:.2f} s wall, {cpu:.2f} s CPU (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores); Python peak {peak / 2**20:.1f} MiB, max RSS grew "
          f"{grown:.0f} MiB (now {rss_mib():.0f} MiB)")
    for fmt, (size, t) in rendered.items():
        print(f"    {fmt}: {size / 1024:.0f} KiB in {t:.2f} s")
    return took, cpu, report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-day", type=int, default=3000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--keep", type=Path, help="data directory to keep; reused when it already holds the data")
    args = ap.parse_args()
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    key_file = data_dir.parent / (data_dir.name + ".key")
    fresh = not (data_dir / "kiosk.db").exists()
    key = os.urandom(32) if fresh else key_file.read_bytes()
    if fresh:
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(key)
        store = open_store(data_dir, key, create=True, clock=FakeClock())
        t0 = time.perf_counter()
        n = build(store, args.days, args.per_day)
        store.close()
        print(f"built {n:,} visits over {args.days} days in {time.perf_counter() - t0:.0f} s")
    size = sum(p.stat().st_size for p in data_dir.glob("kiosk.db*")) / 2**20
    with open_store(data_dir, key, clock=FakeClock()) as s:
        counts = {t: s.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("visits", "eligibility_checks", "outbox")}
    print(f"database {size:.0f} MiB: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    w = week(iso_week_of(LAST_DAY))
    week_s, week_cpu, report = measure(data_dir, key, w, f"week {w.label}", ("json", "csv", "xlsx", "pdf"))
    year = span((LAST_DAY - timedelta(days=args.days - 1)).isoformat(), LAST_DAY.isoformat())
    year_s, year_cpu, yreport = measure(data_dir, key, year, f"year {year.label}", ("json", "xlsx"))

    print(f"\nweek {w.label} figures:")
    for col, value in report.summary:
        print(f"    {col.en:32} {value}")
    print("year figures:")
    for col, value in yreport.summary:
        print(f"    {col.en:32} {value}")
    print(f"\nweek report {week_s:.2f} s wall / {week_cpu:.2f} s CPU (target < 5 s): "
          f"{'OK' if week_s < 5 else 'OVER'}; year report {year_s:.2f} s wall / {year_cpu:.2f} s CPU "
          f"(target < 60 s): {'OK' if year_s < 60 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

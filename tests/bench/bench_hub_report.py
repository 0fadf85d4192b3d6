"""The facility's weekly report at the hub (kiosk/facility/hub_report.py) over a year of a large
hospital: 3,000 receptions a day for 365 days across 6 kiosks, each with its identification fact,
XML0 upload, a queue entry and its call, and for closed visits the desk's close and the dossier.

    .venv/bin/python tests/bench/bench_hub_report.py                   # a year, the issue's size
    .venv/bin/python tests/bench/bench_hub_report.py --per-day 300     # while developing

A private PostgreSQL cluster (initdb + pg_ctl, as the test suite does) gets the hub schema through
`kiosk hub init`'s own code; the rows go in with set-based INSERTs as the owner (triggers off: the
events and queue rows they would write are inserted directly). Then, as the read-only desk role, the
report is assembled for the last full ISO week and for the whole year and rendered (json, csv, xlsx),
and the times are printed against the kiosk report's bounds (week < 5 s, year < 60 s).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg  # noqa: E402

from kiosk.facility import schema  # noqa: E402
from kiosk.facility.cluster import PrivateCluster  # noqa: E402
from kiosk.facility.hub_report import build_hub_report  # noqa: E402
from kiosk.report.period import iso_week_of, span, week  # noqa: E402
from kiosk.report.weekly import render  # noqa: E402

LAST_DAY = date(2026, 11, 29)          # a Sunday: the year ends with a full ISO week (2026-W48)

# no triggers while seeding (session_replication_role): events and queue rows go in directly
SEED = """
SET session_replication_role = replica;
INSERT INTO patients (id, full_name, first_kiosk)
SELECT i, 'KHÁCH ' || i, '1' FROM generate_series(1, %(n)s / 3 + 1) i;
INSERT INTO visits (ma_lk, kiosk_id, facility_code, patient_id, visit_day, service_code, priority, status,
                    checked_in_at, ticket_number, numbered_by)
SELECT 'V' || i, (i %% 6 + 1)::text, '79001', i / 3 + 1, d, 'K01',
       (ARRAY[NULL, NULL, NULL, 'elderly', 'child', 'pregnant', 'disability', 'merit'])[i %% 8 + 1],
       CASE WHEN i %% 10 = 0 THEN 'cancelled' WHEN i %% 10 < 6 THEN 'closed' WHEN i %% 10 = 6 THEN 'provisional'
            ELSE 'waiting' END,
       (d + time '00:05')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' + make_interval(secs => i %% 80000),
       'A' || i, 'hub'
FROM (SELECT i, %(first)s::date + (i / %(per_day)s) AS d FROM generate_series(0, %(n)s - 1) i) s;
INSERT INTO visit_report_facts (ma_lk, kiosk_id, id_method, checked_provisional)
SELECT 'V' || i, (i %% 6 + 1)::text,
       (ARRAY['chip_pa', 'chip_no_pa', 'cccd_qr', 'vneid_qr', 'bhyt_qr', 'typed', 'other', NULL])[i %% 8 + 1],
       i %% 10 = 6
FROM generate_series(0, %(n)s - 1) i;
INSERT INTO visit_closures (ma_lk, summary, closed_by, closed_at)
SELECT ma_lk, '{}'::jsonb, 'bac.si', checked_in_at + interval '50 minutes' FROM visits WHERE status = 'closed';
INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, state, last_code, acked_by,
                    receipt_ma_giao_dich, receipt_time, acked_at, created_at)
SELECT 'checkin', v.ma_lk, v.kiosk_id, '\\x3c3e', 'x', 'kiosk:' || v.kiosk_id,
       CASE WHEN n %% 100 = 0 THEN 'dead' WHEN n %% 100 < 5 THEN 'pending' ELSE 'acked' END,
       CASE WHEN n %% 100 = 0 THEN '051' END, 'kiosk:' || v.kiosk_id, 'MGD' || n,
       CASE WHEN n %% 100 >= 5 THEN to_char((v.checked_in_at + make_interval(secs => 20 + n %% 7000))
                                            AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') END,
       v.checked_in_at + make_interval(secs => 25 + n %% 7000), v.checked_in_at
FROM (SELECT *, substr(ma_lk, 2)::bigint AS n FROM visits) v;
INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, state, acked_by, receipt_ma_giao_dich,
                    acked_at, created_at)
SELECT 'dossier', c.ma_lk, v.kiosk_id, '\\x3c3e', 'x', 'hub', 'acked', 'hub', 'MGD-D' || c.ma_lk,
       c.closed_at + make_interval(secs => 60 + length(c.ma_lk) * 500), c.closed_at
FROM visit_closures c JOIN visits v USING (ma_lk);
INSERT INTO hub_queue_entries (ma_lk, facility_code, day, number, service_code, state, priority, queued_at,
                               called_at, call_count, started_at, finished_at)
SELECT ma_lk, '79001', visit_day, ticket_number, service_code, 'done', priority, checked_in_at,
       checked_in_at + make_interval(secs => 300 + substr(ma_lk, 2)::bigint %% 3000), 1,
       checked_in_at + make_interval(secs => 320 + substr(ma_lk, 2)::bigint %% 3000),
       checked_in_at + make_interval(secs => 900 + substr(ma_lk, 2)::bigint %% 3000)
FROM visits WHERE status IN ('closed', 'waiting');
INSERT INTO hub_queue_calls (entry_id, facility_code, day, number, counter_id, room, kind, staff, at)
SELECT id, facility_code, day, number, 'Q1', 'P101', 'call', 'le.tan', called_at FROM hub_queue_entries;
SET session_replication_role = origin;
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-day", type=int, default=3000)
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    n = args.per_day * args.days
    first = LAST_DAY - timedelta(days=args.days - 1)
    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-hubreport-"))
    cluster = PrivateCluster(base).init().start()
    try:
        schema.create_database(cluster.dsn(), "hub")
        schema.init(cluster.dsn(dbname="hub"), base / "secrets")
        t0 = time.perf_counter()
        with psycopg.connect(cluster.dsn(dbname="hub"), autocommit=True) as conn:
            params = {"n": n, "per_day": args.per_day, "first": first}
            for statement in filter(str.strip, SEED.split(";\n")):
                conn.execute(statement, params)
            conn.execute("ANALYZE")
            counts = conn.execute("SELECT (SELECT count(*) FROM visits), (SELECT count(*) FROM outbox), "
                                  "(SELECT count(*) FROM hub_queue_calls)").fetchone()
        print(f"seeded {counts[0]:,} visits, {counts[1]:,} uploads, {counts[2]:,} calls "
              f"({first} .. {LAST_DAY}) in {time.perf_counter() - t0:.1f} s")
        password = (base / "secrets" / "hub_desk.password").read_text().strip()
        desk = cluster.dsn(user="hub_desk", password=password, dbname="hub")
        last_week = week(iso_week_of(LAST_DAY))
        results = {}
        for label, period, target in (("week", last_week, 5.0),
                                      ("year", span(first.isoformat(), LAST_DAY.isoformat()), 60.0)):
            with psycopg.connect(desk, autocommit=True) as conn:     # a fresh connection, as a Monday job
                t = time.perf_counter()
                report = build_hub_report(conn, period, facility="79001")
                built = time.perf_counter() - t
            t = time.perf_counter()
            sizes = {fmt: len(render(report, fmt)) for fmt in ("json", "csv", "xlsx")}
            rendered = time.perf_counter() - t
            summary = {c.key: v for c, v in report.summary}
            results[label] = built
            print(f"{label:4s} {period.label}: built in {built:.2f} s (target < {target:.0f} s: "
                  f"{'ok' if built < target else 'MISSED'}), rendered json/csv/xlsx in {rendered:.2f} s "
                  f"({sizes['xlsx']:,} bytes xlsx); receptions {summary['receptions']:,}, "
                  f"xml0 median {summary['xml0_median_s']} s, dossier median {summary['dossier_median_s']} s")
        return 0 if results["week"] < 5.0 and results["year"] < 60.0 else 1
    finally:
        cluster.stop("immediate")
        import shutil
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

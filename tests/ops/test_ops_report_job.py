"""The weekly report job on the daily scheduler: each morning it makes sure last week's report is
prepared, so it is ready before Wednesday 10:00, once per week, and staff are told."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

from ops_helpers import SetClock

from kiosk.config import load
from kiosk.core.clock import VN_TZ
from kiosk.ops.disk import DiskGuard
from kiosk.ops.jobs import daily_jobs
from kiosk.ops.scheduler import DailyScheduler
from kiosk.report.weekly import ready_flag
from kiosk.store.migrate import open_store
from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.visits import VisitInput


def vn(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_last_weeks_report_is_ready_monday_morning_and_made_once(tmp_path):
    data_dir, key = tmp_path / "data", os.urandom(32)
    clock = SetClock(vn(2026, 11, 24, 9, 0))
    with open_store(data_dir, key, create=True, clock=clock) as s:
        with s.transaction():
            p = s.patients.upsert(PatientInput(full_name="TRẦN THỊ THỬ"), [DocumentInput("cccd", "001180012345")])
            for i, day in enumerate(("2026-11-24", "2026-11-25", "2026-11-30")):    # W48, W48, W49
                s.visits.create(VisitInput(f"79001-1-{i}", p.id, "1", day, "K01", id_method="chip_pa"))
    cfg = load(None, overrides={"data_dir": data_dir, "facility_code": "79001", "report_time": "07:00",
                                "report_formats": ["json", "pdf"]})
    jobs = daily_jobs(cfg, key, lambda: open_store(data_dir, key, clock=clock),
                      DiskGuard(data_dir, 1, usage=lambda p: 10_000.0))
    jobs = [j for j in jobs if j.name == "weekly_report"]
    sched = DailyScheduler(jobs, clock, data_dir / "daily-jobs.json")
    reports = data_dir / "reports"
    made = []
    start = vn(2026, 11, 30, 6, 0)                     # Monday of W49, before the job's time
    for hours in range(0, 24 * 9, 3):                  # through to the next Wednesday
        clock.set(start + timedelta(hours=hours))
        if sched.run_due():
            made.append((clock.now().astimezone(VN_TZ), sorted(p.name for p in reports.iterdir())))
    # Monday 07:00 (first poll at 09:00) W48 is prepared; Tuesday's and Wednesday's runs find it done;
    # the next Monday W49 is prepared
    first, w49 = made[0], [m for m in made if any("W49" in n for n in m[1])][0]
    assert first[0] == vn(2026, 11, 30, 9, 0)
    assert first[1] == ["bao-cao-tuan-79001-1-2026-W48.json", "bao-cao-tuan-79001-1-2026-W48.pdf"]
    assert first[0] < vn(2026, 12, 2, 10, 0)         # before Wednesday 10:00
    assert w49[0] == vn(2026, 12, 7, 9, 0)
    doc = json.loads((reports / "bao-cao-tuan-79001-1-2026-W48.json").read_text())
    assert doc["summary"]["receptions"] == 2 and doc["summary"]["chip_pa_share"] == 1.0
    mtime = (reports / "bao-cao-tuan-79001-1-2026-W48.json").stat().st_mtime_ns
    with open_store(data_dir, key, clock=clock) as s:
        assert ready_flag(s)["week"] == "2026-W49"
    assert (reports / "bao-cao-tuan-79001-1-2026-W48.json").stat().st_mtime_ns == mtime   # not rewritten
    assert [d for name, d in sched.runs] == [f"2026-{m:02d}-{d:02d}" for m, d in
                                              ((11, 30), (12, 1), (12, 2), (12, 3), (12, 4), (12, 5), (12, 6),
                                               (12, 7), (12, 8))]


def test_a_failing_report_is_retried_not_lost(tmp_path):
    data_dir, key = tmp_path / "data", os.urandom(32)
    clock = SetClock(vn(2026, 11, 30, 8, 0))
    open_store(data_dir, key, create=True, clock=clock).close()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    cfg = load(None, overrides={"data_dir": data_dir, "report_dir": blocker / "reports", "report_formats": ["json"]})
    jobs = [j for j in daily_jobs(cfg, key, lambda: open_store(data_dir, key, clock=clock)) if j.name == "weekly_report"]
    sched = DailyScheduler(jobs, clock, None, retry_s=60)
    assert sched.run_due() == []                       # cannot write: logged, retried later
    with open_store(data_dir, key, clock=clock) as s:
        assert ready_flag(s) is None
    cfg2 = load(None, overrides={"data_dir": data_dir, "report_formats": ["json"]})
    sched.jobs = [j for j in daily_jobs(cfg2, key, lambda: open_store(data_dir, key, clock=clock))
                  if j.name == "weekly_report"]
    clock.set(vn(2026, 11, 30, 8, 1), elapsed=30)
    assert sched.run_due() == []                       # not before retry_s
    clock.set(vn(2026, 11, 30, 8, 5), elapsed=60)
    assert sched.run_due() == ["weekly_report"]
    with open_store(data_dir, key, clock=clock) as s:
        assert ready_flag(s)["week"] == "2026-W48"

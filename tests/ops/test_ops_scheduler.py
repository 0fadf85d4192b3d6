"""Daily jobs: one nightly backup per local day whatever the clock does, pruning by retention,
state kept across restarts, and a loop that never spins."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from ops_helpers import JumpClock, SetClock

from kiosk.config import ConfigError, load
from kiosk.ops.disk import DiskGuard
from kiosk.ops.jobs import BackupSkipped, daily_jobs, nightly_backup
from kiosk.ops.scheduler import MIN_WAIT_S, DailyJob, DailyScheduler, parse_hhmm
from kiosk.store.backup import backup_dir, list_backups
from kiosk.store import open_store

UTC = timezone.utc


def vn(y, m, d, hh, mm=0) -> datetime:
    """A Vietnam local time as the UTC moment the clock reports."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=7)


def recorder(name="job", at="02:30"):
    calls = []
    return DailyJob(name, parse_hhmm(at), lambda now: calls.append(now)), calls


def test_runs_once_per_local_day_at_its_time():
    clock = SetClock(vn(2026, 11, 20, 1, 0))
    job, calls = recorder()
    s = DailyScheduler([job], clock)
    assert s.run_due() == []                    # 01:00: not yet
    clock.set(vn(2026, 11, 20, 2, 30))
    assert s.run_due() == ["job"]
    clock.set(vn(2026, 11, 20, 2, 31))
    assert s.run_due() == []                    # same day: never twice
    clock.set(vn(2026, 11, 20, 23, 59))
    assert s.run_due() == []
    clock.set(vn(2026, 11, 21, 2, 29))
    assert s.run_due() == []
    clock.set(vn(2026, 11, 21, 2, 30))
    assert s.run_due() == ["job"]
    assert s.runs == [("job", "2026-11-20"), ("job", "2026-11-21")]
    assert len(calls) == 2


def test_local_day_is_vietnam_time_not_utc():
    # 20:00 UTC on the 20th is 03:00 on the 21st in Vietnam: the 21st's job is due
    clock = SetClock(datetime(2026, 11, 20, 20, 0, tzinfo=UTC))
    job, _ = recorder()
    s = DailyScheduler([job], clock)
    assert s.run_due() == ["job"] and s.runs == [("job", "2026-11-21")]


def test_clock_jumping_back_never_repeats_a_day():
    clock = SetClock(vn(2026, 11, 20, 3, 0))
    job, calls = recorder()
    s = DailyScheduler([job], clock)
    assert s.run_due() == ["job"]
    clock.set(vn(2026, 11, 20, 2, 35))          # back 25 minutes, still after 02:30
    assert s.run_due() == []
    clock.set(vn(2026, 11, 18, 4, 0))           # back two days
    assert s.run_due() == []
    clock.set(vn(2026, 11, 20, 5, 0))           # the clock is right again, same day
    assert s.run_due() == []
    clock.set(vn(2026, 11, 21, 2, 30))
    assert s.run_due() == ["job"]
    assert [d for _, d in s.runs] == ["2026-11-20", "2026-11-21"]


def test_clock_jumping_forward_runs_once_not_a_catch_up_storm():
    clock = SetClock(vn(2026, 11, 20, 3, 0))
    job, calls = recorder()
    s = DailyScheduler([job], clock)
    s.run_due()
    clock.set(vn(2026, 12, 5, 9, 0))            # fifteen days later
    assert s.run_due() == ["job"]
    assert s.run_due() == []
    assert len(calls) == 2


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "daily-jobs.json"
    clock = SetClock(vn(2026, 11, 20, 3, 0))
    job, calls = recorder()
    assert DailyScheduler([job], clock, state).run_due() == ["job"]
    assert oct(state.stat().st_mode & 0o777) == "0o600"
    again = DailyScheduler([job], clock, state)     # the kiosk restarted the same night
    assert again.run_due() == []
    clock.set(vn(2026, 11, 21, 3, 0))
    assert again.run_due() == ["job"]
    assert len(calls) == 2


def test_a_failing_job_is_retried_later_not_every_tick():
    clock = SetClock(vn(2026, 11, 20, 3, 0))
    attempts = []

    def flaky(now):
        attempts.append(now)
        if len(attempts) == 1:
            raise OSError("disk busy")

    s = DailyScheduler([DailyJob("flaky", parse_hhmm("02:30"), flaky)], clock, retry_s=600)
    assert s.run_due() == []
    clock.set(vn(2026, 11, 20, 3, 1), elapsed=60)
    assert s.run_due() == [] and len(attempts) == 1   # within retry_s
    clock.set(vn(2026, 11, 20, 3, 15), elapsed=900)
    assert s.run_due() == ["flaky"] and len(attempts) == 2


def test_next_wait_is_bounded_whatever_the_clock_says():
    clock = SetClock(vn(2026, 11, 20, 2, 29, ))
    job, _ = recorder()
    s = DailyScheduler([job], clock, tick_s=60)
    assert s.next_wait() == 60                        # 02:29 -> 02:30 is 60 s
    clock.set(vn(2026, 11, 20, 2, 29) + timedelta(seconds=59.9))
    assert s.next_wait() == MIN_WAIT_S                # never a busy loop before the time
    for moment in (vn(1970, 1, 2, 0), vn(2100, 1, 1, 12), vn(2026, 11, 20, 2, 30)):
        clock.set(moment)
        assert MIN_WAIT_S <= s.next_wait() <= 60


def test_thread_does_not_spin_when_the_clock_goes_backwards():
    clock = JumpClock(vn(2026, 11, 20, 3, 0))
    job, calls = recorder()
    passes = []
    s = DailyScheduler([job], clock, tick_s=1.0)
    original = s.run_due
    s.run_due = lambda: passes.append(1) or original()
    s.start()
    try:
        time.sleep(0.3)
        clock.jump(-3 * 86400)
        time.sleep(2.5)
    finally:
        s.stop(timeout=5)
    assert len(calls) == 1
    assert 1 <= len(passes) <= 5, f"{len(passes)} passes in ~3 s: the loop spins"


def test_parse_hhmm_names_the_setting():
    with pytest.raises(ConfigError, match="backup_time"):
        parse_hhmm("2h30", "backup_time")


# ------------------------------------------------------------------ the real backup job


def test_nightly_backup_one_per_day_and_pruned_by_retention(tmp_path):
    data_dir = tmp_path / "data"
    key = os.urandom(32)
    clock = SetClock(vn(2026, 11, 1, 1, 0))
    open_store(data_dir, key, create=True, clock=clock).close()
    cfg = load(None, overrides={"data_dir": data_dir, "backup_retention_days": 3, "backup_time": "02:30",
                                "retention_time": "02:45"})
    jobs = daily_jobs(cfg, key, lambda: open_store(data_dir, key, clock=clock),
                      DiskGuard(data_dir, 1, usage=lambda p: 10_000.0))
    s = DailyScheduler(jobs, clock, data_dir / "daily-jobs.json")
    for day in range(1, 11):                       # ten nights, each polled several times
        for hh, mm in ((1, 0), (2, 30), (2, 50), (14, 0), (23, 59)):
            clock.set(vn(2026, 11, day, hh, mm))
            s.run_due()
    backups = list_backups(backup_dir(data_dir))
    assert [b.taken_at.date().isoformat() for b in backups] == ["2026-11-06", "2026-11-07", "2026-11-08",
                                                                 "2026-11-09"]
    assert [d for name, d in s.runs if name == "backup"] == [f"2026-11-{d:02d}" for d in range(1, 11)]
    assert [d for name, d in s.runs if name == "retention"] == [f"2026-11-{d:02d}" for d in range(1, 11)]
    # backups are named by UTC: 02:30 in Vietnam is 19:30 UTC on the day before
    assert backups[-1].path.name == "kiosk-20261109T193000Z.db.bak"


def test_backup_after_the_clock_went_back_prunes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    key = os.urandom(32)
    open_store(data_dir, key, create=True).close()
    factory = lambda: open_store(data_dir, key)   # noqa: E731
    for day in (10, 11, 12):
        nightly_backup(factory, key, data_dir, 2, vn(2026, 11, day, 2, 30))
    # the clock is now a year behind: "older than 2 days" is meaningless, so nothing goes
    out = nightly_backup(factory, key, data_dir, 2, vn(2025, 11, 13, 2, 30))
    assert out.pruned == 0 and out.kept == 4


def test_backup_refused_when_it_would_fill_the_disk(tmp_path):
    data_dir = tmp_path / "data"
    key = os.urandom(32)
    open_store(data_dir, key, create=True).close()
    guard = DiskGuard(data_dir, 200, usage=lambda p: 200.05)   # just above the check-in floor
    with pytest.raises(BackupSkipped, match="must stay free"):
        nightly_backup(lambda: open_store(data_dir, key), key, data_dir, 14, vn(2026, 11, 20, 2, 30), guard)
    assert list_backups(backup_dir(data_dir)) == []

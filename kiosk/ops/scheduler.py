"""Daily jobs (nightly encrypted backup, retention) on a background thread with an injected clock.

Jobs are scheduled on the facility's wall-clock day (Vietnam time) but a job runs at most once per
local day, remembered in a small state file so a restart does not repeat it. The wall clock may
jump: forward, a missed job runs once (no catch-up storm); backward, a day already done is never
done again. Sleeping uses the thread's monotonic wait with a bounded period, so a clock going
backwards can neither make the loop spin nor sleep for the jump's length.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable

from kiosk.core.clock import VN_TZ, Clock, local_day
from kiosk.files import write_atomic

log = logging.getLogger(__name__)

MIN_WAIT_S = 1.0


def parse_hhmm(text: str, setting: str = "time") -> time:
    """'02:30' -> time(2, 30); a clear error names the setting."""
    try:
        hh, mm = str(text).strip().split(":")
        return time(int(hh), int(mm))
    except ValueError:
        from kiosk.config import ConfigError
        raise ConfigError(f"{setting}: expected a local time HH:MM (e.g. 02:30), got {text!r}") from None


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: time                            # local (Vietnam) time of day
    run: Callable[[datetime], object]   # gets the clock's now


class JobStateFile:
    """{job name: last local day done}; written by kiosk.files.write_atomic. None: in memory."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._days: dict[str, str] = {}
        if self.path and self.path.exists():
            try:
                self._days = {str(k): str(v) for k, v in json.loads(self.path.read_text()).items()}
            except (ValueError, OSError, AttributeError):
                log.warning("scheduler state %s unreadable; starting afresh", self.path.name)

    def get(self, name: str) -> str | None:
        return self._days.get(name)

    def set(self, name: str, day: str) -> None:
        self._days[name] = day
        if self.path is None:
            return
        write_atomic(self.path, json.dumps(self._days))


class DailyScheduler:
    def __init__(self, jobs: list[DailyJob], clock: Clock, state_path: Path | None = None, *,
                 tick_s: float = 60.0, retry_s: float = 900.0):
        self.jobs = list(jobs)
        self.clock = clock
        self.state = JobStateFile(state_path)
        self.tick_s = max(MIN_WAIT_S, float(tick_s))
        self.retry_s = retry_s
        self._failed_at: dict[str, float] = {}    # monotonic time of the last failure
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs: list[tuple[str, str]] = []     # (job, local day), for status and tests

    # ---- one pass (the thread calls this; tests call it directly)

    def due(self, now: datetime) -> list[DailyJob]:
        day = local_day(now)
        local = now.astimezone(VN_TZ).time()
        out = []
        for job in self.jobs:
            last = self.state.get(job.name)
            if last is not None and day <= last:
                continue     # done today, or the clock went back to a day already done
            if local < job.at:
                continue
            failed = self._failed_at.get(job.name)
            if failed is not None and self.clock.monotonic() - failed < self.retry_s:
                continue
            out.append(job)
        return out

    def run_due(self) -> list[str]:
        now = self.clock.now()
        ran = []
        for job in self.due(now):
            day = local_day(now)
            try:
                job.run(now)
            except Exception as exc:   # a failed job is retried after retry_s, not every tick
                self._failed_at[job.name] = self.clock.monotonic()
                log.error("daily job %s failed: %s: %s", job.name, type(exc).__name__, exc)
                continue
            self._failed_at.pop(job.name, None)
            try:
                self.state.set(job.name, day)   # remembered in memory even if the file cannot be written
            except OSError as exc:
                log.error("daily job %s done but its state file not written: %s", job.name, exc)
            self.runs.append((job.name, day))
            ran.append(job.name)
        return ran

    def next_wait(self) -> float:
        """Seconds until the next job could be due, within [MIN_WAIT_S, tick_s] whatever the clock says."""
        now = self.clock.now()
        local = now.astimezone(VN_TZ)
        waits = [self.tick_s]
        for job in self.jobs:
            at = datetime.combine(local.date(), job.at, VN_TZ)
            if at <= local:
                at += timedelta(days=1)
            waits.append((at - local).total_seconds())
        return min(self.tick_s, max(MIN_WAIT_S, min(waits)))

    # ---- the thread

    def start(self) -> "DailyScheduler":
        if self._thread is not None:
            raise RuntimeError("scheduler already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="daily-jobs", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        from kiosk.ops.nice import IDLE_NICE, lower_this_thread
        lower_this_thread(IDLE_NICE)               # backups and retention yield to check-ins
        while not self._stop.is_set():
            try:
                self.run_due()
                wait = self.next_wait()
            except Exception:   # the clock or the state file failing must not end the thread
                log.exception("daily scheduler pass failed")
                wait = self.tick_s
            self._stop.wait(wait)

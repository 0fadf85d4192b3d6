"""Everything ops the running kiosk needs, started in one call from the composition root:

    ops = start_kiosk_ops(cfg, key, clock=clock, devices_status=manager.status)
    issuer = ops.gate(real_issuer)          # refuses check-ins while the disk is nearly full
    ... the idle screen polls ops.current_health(): not accepts_checkins -> show .message_vi/.message_en
    ops.stop()

In maintenance the daily jobs do not run: backing up a damaged database could push the last good
backup out of the retention window.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from kiosk.core.clock import Clock
from kiosk.ops.disk import DiskGuard
from kiosk.ops.fleet import FleetHandle, start_fleet_reporting
from kiosk.ops.health import CheckinGate, Health, HealthState, database_health, disk_health, startup_health
from kiosk.ops.jobs import start_daily_jobs
from kiosk.ops.scheduler import DailyScheduler

log = logging.getLogger(__name__)


@dataclass
class OpsHandle:
    health: Health
    guard: DiskGuard
    scheduler: DailyScheduler | None = None
    fleet: FleetHandle | None = None
    gates: list[CheckinGate] = field(default_factory=list)
    integrity_checked: threading.Event = field(default_factory=threading.Event)

    def gate(self, issuer) -> CheckinGate:
        """Wrap the real TicketIssuer so check-ins are refused while the box is unhealthy."""
        g = CheckinGate(issuer, self.guard, self.health)
        self.gates.append(g)
        return g

    def set_health(self, health: Health) -> None:
        """A later finding (background integrity check, nightly job): every gate follows it."""
        self.health = health
        for g in self.gates:
            g.set_health(health)

    def current_health(self) -> Health:
        """What the UI shows now: the sticky state, else the disk's (re-read each call)."""
        if self.health.state is HealthState.MAINTENANCE:
            return self.health
        return disk_health(self.guard)

    def stop(self) -> None:
        if self.fleet is not None:
            self.fleet.stop()
        if self.scheduler is not None:
            self.scheduler.stop(timeout=10)


def start_kiosk_ops(cfg, key: bytes, *, clock: Clock,
                    devices_status: Callable[[], Mapping[str, bool]] | None = None,
                    startup_integrity: str = "none", background_integrity: str | None = "full") -> OpsHandle:
    """Start-up health (disk, the database opens; `startup_integrity` checks before returning),
    then the full integrity check on a background thread (seconds at a million patients, so not
    on the cold start): a damaged database flips the kiosk to maintenance when it is found."""
    from kiosk.store.migrate import open_store

    data_dir = Path(cfg.data_dir)
    guard = DiskGuard(data_dir, cfg.min_free_disk_mib)
    health = startup_health(data_dir, key, guard, integrity=startup_integrity)
    handle = OpsHandle(health, guard)
    if health.state is HealthState.MAINTENANCE:
        handle.integrity_checked.set()
        log.error("kiosk in maintenance (%s): daily jobs and metrics not started", health.reason)
        return handle

    def factory():
        return open_store(data_dir, key, clock=clock, cache_mib=8, busy_timeout_ms=cfg.db_busy_timeout_ms)

    if background_integrity and background_integrity != "none":
        def check() -> None:
            from kiosk.ops.nice import IDLE_NICE, lower_this_thread
            lower_this_thread(IDLE_NICE)           # seconds of page reads: never before a patient
            try:
                found = database_health(data_dir, key, integrity=background_integrity)
                if not found.ok:
                    log.error("integrity check: %s (%s); the kiosk goes to maintenance", found.reason, found.detail)
                    handle.set_health(found)
            finally:
                handle.integrity_checked.set()
        threading.Thread(target=check, name="integrity-check", daemon=True).start()
    else:
        handle.integrity_checked.set()
    handle.scheduler = start_daily_jobs(cfg, key, factory, clock, guard, on_damage=handle.set_health)
    handle.fleet = start_fleet_reporting(factory, cfg, devices_status, handle.current_health)
    return handle

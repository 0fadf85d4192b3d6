"""The kiosk's daily jobs: the nightly encrypted backup (with pruning), the retention job and the
morning check that last week's report is prepared (kiosk.report.weekly).

Each job opens its own store through `store_factory` (called on the scheduler's thread) and
closes it afterwards; they log counts only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kiosk.core.clock import Clock
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import Health, HealthState, integrity_problems, maintenance_text
from kiosk.ops.retention import RetentionReport, run_retention
from kiosk.report.weekly import weekly_report_job
from kiosk.ops.scheduler import DailyJob, DailyScheduler, parse_hhmm
from kiosk.store.backup import BackupInfo, backup_dir, list_backups, prune_backups, take_backup
from kiosk.store.db import StoreError, db_path

if TYPE_CHECKING:
    from kiosk.store.store import Store

log = logging.getLogger(__name__)

STATE_FILE = "daily-jobs.json"


class BackupSkipped(StoreError):
    """No backup was taken (and nothing was deleted); the message says why."""


class LiveDatabaseDamaged(BackupSkipped):
    """The live database fails its integrity checks: backing it up would push the last good
    backup towards pruning, so nothing is taken and nothing pruned."""


@dataclass(frozen=True)
class BackupOutcome:
    info: BackupInfo
    pruned: int
    kept: int


def _db_size_mib(data_dir: Path) -> float:
    path = db_path(data_dir)
    total = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return total / (1024 * 1024)


def nightly_backup(store_factory: Callable[[], Store], key: bytes, data_dir: Path, retention_days: int,
                   now: datetime, guard: DiskGuard | None = None, *, integrity: str = "full",
                   on_damage: Callable[[Health], None] | None = None) -> BackupOutcome:
    """Check the live database at `integrity` level, take an encrypted backup into
    <data_dir>/backups, then prune those past the retention.

    Refuses when the copy would push free space under the guard's minimum (a backup must never
    be what fills the disk under the live database), and when the live database is damaged
    (`on_damage` hears it: the kiosk goes to maintenance). Pruning is skipped when a backup is
    dated after `now`: the clock went back, and "older than N days" can no longer be trusted.
    """
    data_dir = Path(data_dir)
    if guard is not None:
        state = guard.state()
        need = _db_size_mib(data_dir) * 1.1
        if state.free_mib - need < state.min_free_mib:
            raise BackupSkipped(f"backup skipped: {state.free_mib:.0f} MiB free, the copy needs about "
                                f"{need:.0f} MiB and {state.min_free_mib:.0f} MiB must stay free")
    dest = backup_dir(data_dir)
    store = store_factory()
    try:
        problems = integrity_problems(store.conn, integrity)
        if problems:
            damaged = Health(HealthState.MAINTENANCE, "database_corrupt",
                             *maintenance_text("database_corrupt"), f"nightly check: {'; '.join(problems[:3])[:300]}")
            log.error("backup skipped: the live database fails its integrity checks (%s)", damaged.detail)
            if on_damage is not None:
                on_damage(damaged)
            raise LiveDatabaseDamaged("backup skipped: the live database fails its integrity checks; "
                                      "restore the last good backup (`kiosk db restore --latest`)")
        info = take_backup(store.conn, key, dest, now, checked=integrity == "full",
                           anchor=store.settings.get("audit_chain_head"))
    except LiveDatabaseDamaged:
        raise
    except BaseException:
        for stale in dest.glob(".kiosk-*.db.bak.tmp"):   # a half-written copy must not eat the disk
            stale.unlink(missing_ok=True)
        raise
    finally:
        store.close()
    backups = list_backups(dest)
    if any(b.taken_at > now + timedelta(minutes=5) for b in backups):
        log.warning("backup: a backup is dated after the current clock; not pruning until the clock is right")
        pruned = 0
    else:
        pruned = prune_backups(dest, retention_days, now)
    kept = len(list_backups(dest))
    log.info("backup: %s (%d KiB), pruned %d older than %d days, %d kept", info.path.name, info.size // 1024,
             pruned, retention_days, kept)
    return BackupOutcome(info, pruned, kept)


def retention_job(store_factory: Callable[[], Store], patient_days: int, receipt_days: int) -> RetentionReport:
    store = store_factory()
    try:
        return run_retention(store, patient_days, receipt_days)
    finally:
        store.close()


def daily_jobs(cfg, key: bytes, store_factory: Callable[[], Store], guard: DiskGuard | None = None,
               on_damage: Callable[[Health], None] | None = None) -> list[DailyJob]:
    data_dir = Path(cfg.data_dir)
    return [
        DailyJob("backup", parse_hhmm(cfg.backup_time, "backup_time"),
                 lambda now: nightly_backup(store_factory, key, data_dir, cfg.backup_retention_days, now, guard,
                                            on_damage=on_damage)),
        DailyJob("retention", parse_hhmm(cfg.retention_time, "retention_time"),
                 lambda now: retention_job(store_factory, cfg.patient_retention_days, cfg.receipt_retention_days)),
        DailyJob("weekly_report", parse_hhmm(cfg.report_time, "report_time"),
                 weekly_report_job(store_factory, cfg)),
    ]


def start_daily_jobs(cfg, key: bytes, store_factory: Callable[[], Store], clock: Clock,
                     guard: DiskGuard | None = None,
                     on_damage: Callable[[Health], None] | None = None) -> DailyScheduler:
    """For the app: the backup and retention jobs on their thread; call `.stop()` at exit."""
    if guard is None:
        guard = DiskGuard(Path(cfg.data_dir), cfg.min_free_disk_mib)
    state = Path(cfg.data_dir) / STATE_FILE
    return DailyScheduler(daily_jobs(cfg, key, store_factory, guard, on_damage), clock, state).start()

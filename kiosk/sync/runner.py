"""Building a sync worker from the settings: the app, `kiosk sync run` and tests use this."""
from __future__ import annotations

import random
from pathlib import Path

from kiosk.core.clock import Clock, SystemClock
from kiosk.store.migrate import open_connection
from kiosk.sync.connectivity import Connectivity
from kiosk.sync.lock import WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker
from kiosk.settings_map import gateway_client, sync_settings


def connection_factory(data_dir: Path, key: bytes, *, cache_mib: int = 16, busy_timeout_ms: int = 5000):
    """A callable that opens a fresh connection (called on the worker's own thread)."""
    def connect():
        return open_connection(Path(data_dir), key, cache_mib=cache_mib, busy_timeout_ms=busy_timeout_ms)
    return connect


def build_worker(cfg, key: bytes, *, client=None, clock: Clock | None = None, rng: random.Random | None = None,
                 connectivity: Connectivity | None = None, rechecker=None,
                 settings: SyncSettings | None = None) -> SyncWorker:
    clock = clock or SystemClock()
    if client is None:
        client = gateway_client(cfg, clock=clock)
    if rechecker is None:
        from kiosk.sync.eligibility_recheck import EligibilityRechecker
        rechecker = EligibilityRechecker(client, clock)
    worker = SyncWorker(connection_factory(cfg.data_dir, key, busy_timeout_ms=cfg.db_busy_timeout_ms), client,
                        facility_code=cfg.facility_code, clock=clock, rng=rng,
                        settings=settings or sync_settings(cfg),
                        lock=WorkerLock.for_data_dir(cfg.data_dir), connectivity=connectivity or Connectivity(clock),
                        rechecker=rechecker)
    from kiosk.sync.worker_status import status_path
    worker.status_path = status_path(cfg.data_dir)   # the desk and the idle screen read it (M4)
    return worker

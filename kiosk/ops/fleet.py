"""Fleet reporting for the app: the metrics endpoint and the periodic heartbeat log line.

    handle = start_fleet_reporting(store_factory, cfg, devices_status)
    ...
    handle.stop()

Every scrape and every heartbeat opens a short-lived store through `store_factory` on the
reporting thread (SQLite connections stay on the thread that made them) and closes it again.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

from kiosk.ops.metrics import MetricsServer, Snapshot, SnapshotCollector, heartbeat_line
from kiosk.ops.snapshot import build_snapshot

if TYPE_CHECKING:
    from kiosk.ops.health import Health
    from kiosk.store.store import Store

log = logging.getLogger(__name__)


def snapshot_source(store_factory: Callable[[], Store],
                    devices_status: Callable[[], Mapping[str, bool]] | None) -> Callable[[], Snapshot]:
    def read() -> Snapshot:
        store = store_factory()
        try:
            return build_snapshot(store, devices_status)
        finally:
            store.close()
    return read


class Heartbeat:
    """Logs `heartbeat_line` every `period_s` seconds (monotonic wait) on a daemon thread."""

    def __init__(self, snapshot: Callable[[], Snapshot], period_s: float, logger: logging.Logger = log):
        self._snapshot = snapshot
        self.period_s = float(period_s)
        self._log = logger
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)

    def beat(self) -> str | None:
        try:
            line = heartbeat_line(self._snapshot())
        except Exception as exc:   # a heartbeat that cannot read the database says so, and goes on
            line = None
            self._log.warning("heartbeat failed: %s", type(exc).__name__)
        else:
            self._log.info("%s", line)
        return line

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        self.beat()
        while not self._stop.wait(self.period_s):
            self.beat()


class HealthCollector:
    """`kiosk_checkins_accepted` 1/0 with the reason (disk_low, database_corrupt...) when 0."""

    def __init__(self, health: Callable[[], Health], kiosk_id: str, facility: str):
        self._health = health
        self._labels = [kiosk_id, facility]

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        h = self._health()
        g = GaugeMetricFamily("kiosk_checkins_accepted", "The kiosk issues tickets (1) or refuses (0).",
                              labels=["kiosk", "facility", "reason"])
        g.add_metric([*self._labels, h.reason or ""], 1.0 if h.accepts_checkins else 0.0)
        yield g


@dataclass
class FleetHandle:
    server: MetricsServer | None
    heartbeat: Heartbeat | None

    @property
    def metrics_url(self) -> str | None:
        return self.server.url if self.server else None

    def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.server is not None:
            self.server.stop()


def start_fleet_reporting(store_factory: Callable[[], Store], cfg,
                          devices_status: Callable[[], Mapping[str, bool]] | None = None,
                          health: Callable[[], Health] | None = None) -> FleetHandle:
    """Start the metrics server on cfg.metrics_bind (empty: none) and the heartbeat every
    cfg.heartbeat_minutes (0: none). A port already taken is logged, not fatal: the kiosk's
    patients matter more than its metrics. `health` (e.g. CheckinGate.health) adds
    `kiosk_checkins_accepted`."""
    snapshot = snapshot_source(store_factory, devices_status)
    server = None
    bind = str(cfg.metrics_bind or "").strip()
    if bind:
        try:
            server = MetricsServer(bind, SnapshotCollector(snapshot, str(cfg.kiosk_id), str(cfg.facility_code)))
            if health is not None:
                server.registry.register(HealthCollector(health, str(cfg.kiosk_id), str(cfg.facility_code)))
            server.start()
            log.info("metrics on %s", server.url)
        except (OSError, ValueError) as exc:
            log.error("metrics endpoint %s not started: %s", bind, exc)
            server = None
    heartbeat = None
    minutes = float(getattr(cfg, "heartbeat_minutes", 5.0) or 0)
    if minutes > 0:
        heartbeat = Heartbeat(snapshot, minutes * 60).start()
    return FleetHandle(server, heartbeat)

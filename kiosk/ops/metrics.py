"""Fleet metrics: a Prometheus text endpoint (localhost by default) and a heartbeat log line.

The collector reads a fresh `Snapshot` from a callable at scrape time, so the numbers are the
database's truth rather than counters that drift after a restart.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.core import CollectorRegistry, GaugeMetricFamily

from kiosk.core.status import OutboxState

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    checkins_today: int = 0
    checkins_total: int = 0
    tickets_printed_total: int = 0
    outbox_pending: int = 0
    outbox_sending: int = 0
    outbox_dead: int = 0
    outbox_acked: int = 0
    oldest_pending_age_seconds: float = 0.0
    last_gateway_success_ts: float = 0.0
    devices: dict[str, bool] = field(default_factory=dict)   # "scanner:sim" -> connected
    audit_head: str = ""        # the audit chain head "count:hash": anchored outside the database


class SnapshotCollector:
    def __init__(self, snapshot: Callable[[], Snapshot], kiosk_id: str, facility: str):
        self._snapshot = snapshot
        self._labels = {"kiosk": kiosk_id, "facility": facility}

    def _gauge(self, name: str, doc: str, value: float, **extra: str) -> GaugeMetricFamily:
        labels = {**self._labels, **extra}
        g = GaugeMetricFamily(name, doc, labels=list(labels))
        g.add_metric(list(labels.values()), value)
        return g

    def collect(self):
        s = self._snapshot()
        yield self._gauge("kiosk_checkins_today", "Check-ins issued today.", s.checkins_today)
        yield self._gauge("kiosk_checkins", "Check-ins in the database.", s.checkins_total)
        yield self._gauge("kiosk_tickets_printed", "Tickets printed (or shown).", s.tickets_printed_total)
        depth = GaugeMetricFamily("kiosk_outbox_items", "Outbox items by state.", labels=[*self._labels, "state"])
        for state, value in ((OutboxState.PENDING, s.outbox_pending), (OutboxState.SENDING, s.outbox_sending),
                             (OutboxState.DEAD, s.outbox_dead), (OutboxState.ACKED, s.outbox_acked)):
            depth.add_metric([*self._labels.values(), state.value], value)
        yield depth
        yield self._gauge("kiosk_outbox_oldest_pending_age_seconds", "Age of the oldest unsent item.",
                          s.oldest_pending_age_seconds)
        yield self._gauge("kiosk_dead_letters", "Uploads the gateway rejected, waiting for staff.", s.outbox_dead)
        yield self._gauge("kiosk_last_gateway_success_timestamp_seconds",
                          "When the gateway last accepted something (epoch).", s.last_gateway_success_ts)
        dev = GaugeMetricFamily("kiosk_device_up", "Device connected (1) or not (0).",
                                labels=[*self._labels, "device"])
        for name, up in sorted(s.devices.items()):
            dev.add_metric([*self._labels.values(), name], 1.0 if up else 0.0)
        yield dev


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # scrapes are not worth a log line each
        pass


class MetricsServer:
    """Serves /metrics on `bind` ("127.0.0.1:9310"; port 0 picks a free one) in a daemon thread."""

    def __init__(self, bind: str, collector: SnapshotCollector):
        host, _, port = bind.rpartition(":")
        self.registry = CollectorRegistry()
        self.registry.register(collector)
        self._server: WSGIServer = make_server(host or "127.0.0.1", int(port), make_wsgi_app(self.registry),
                                               handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/metrics"

    def start(self) -> "MetricsServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def heartbeat_line(s: Snapshot) -> str:
    """One log line with counts only (no personal data), for fleets that read logs."""
    down = sorted(name for name, up in s.devices.items() if not up)
    return (f"heartbeat checkins_today={s.checkins_today} outbox_pending={s.outbox_pending} "
            f"outbox_dead={s.outbox_dead} oldest_pending_s={s.oldest_pending_age_seconds:.0f} "
            f"devices_down={','.join(down) or '-'}" + (f" audit_head={s.audit_head}" if s.audit_head else ""))

"""One kiosk of the facility, headless: its own encrypted store, the real issuing transaction,
hub numbering when the hub answers, and push/pull. Used by the demo, tests and the benchmark."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psycopg

from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer
from kiosk.checkin.resolver import patient_view
from kiosk.core.ports import IssueRequest, Resolution
from kiosk.core.views import EligibilityView, InsuranceStatus, ReadSource
from kiosk.core.messages import Message
from kiosk.facility import handover, pull, push
from kiosk.facility.numbering import HubNumbering

VALID = EligibilityView(InsuranceStatus.VALID, Message("valid", "Thẻ BHYT hợp lệ.", "Insurance card valid."))


@dataclass
class NodeSettings:
    facility_code: str
    kiosk_id: str
    services: tuple
    ticket_format: str = "{letter}{kiosk}-{seq:03d}"


class KioskNode:
    def __init__(self, data_dir: Path, settings: NodeSettings, sign: Callable[[bytes], bytes], clock,
                 dsn: str | None, *, key: bytes | None = None, hub_timeout: float = 1.0, retry_after: float = 5.0,
                 hold_seconds: float = 20.0, claim_wait: float = 0.0):
        from kiosk.store.migrate import open_store
        self.key = key or os.urandom(32)
        self.store_dir = Path(data_dir)
        self.store = open_store(Path(data_dir), self.key, create=True, clock=clock, check_same_thread=False)
        self.settings, self.clock, self.dsn = settings, clock, dsn
        self.reachable = True           # the demo/tests cut the kiosk off from the hub with this
        self.numbers = HubNumbering(self._dsn, settings.facility_code, settings.kiosk_id, timeout=hub_timeout,
                                    retry_after=retry_after, hold_seconds=hold_seconds,
                                    claim_wait=claim_wait) if dsn else None
        issuing = IssuingSettings(settings.facility_code, settings.kiosk_id, settings.services, settings.ticket_format)
        self.issuer = StoreTicketIssuer(self.store, issuing, sign, clock, numbers=self.numbers)
        self.pusher = push.Pusher(self.store, settings.facility_code, settings.kiosk_id)
        self._conn: psycopg.Connection | None = None

    def _dsn(self) -> str:
        if not self.reachable:      # what a pulled cable looks like to libpq: nothing listens
            return "host=127.0.0.1 port=1 connect_timeout=1 dbname=none"
        assert self.dsn is not None  # self.numbers, the only caller, exists only with a dsn
        return self.dsn

    def checkin(self, identity, service_code: str, priority=None):
        view = patient_view(identity, ReadSource.QR, self.clock.now().date(), returning=False)
        req = IssueRequest(Resolution(view, identity), service_code, priority, False, VALID, None)
        return self.issuer.issue(req)

    def set_reachable(self, up: bool) -> None:
        self.reachable = up
        if not up:
            self._close()
            if self.numbers:
                self.numbers.mark_down()
        elif self.numbers:
            self.numbers._down_until = 0.0

    def hub(self):
        if not self.reachable:
            raise psycopg.OperationalError("hub unreachable (cut off)")
        if self._conn is None or self._conn.closed:
            assert self.dsn is not None, "this node has no hub"
            self._conn = psycopg.connect(self.dsn, connect_timeout=2, autocommit=True)
        return self._conn

    def _close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def sync(self, *, hand_over: bool = False) -> dict:
        """Push, pull and optionally hand pending uploads over; {} when the hub is away."""
        for attempt in (1, 2):      # a kept connection may have died (hub restart, failover): once more
            reused = self._conn is not None and not self._conn.closed
            try:
                conn = self.hub()
                rep = self.pusher.push(conn)
                got = pull.pull(conn, self.store, self.settings.kiosk_id)
                moved = handover.hand_over(conn, self.store, self.settings.kiosk_id) if hand_over else 0
                return {"pushed": rep.total, "conflicts": rep.conflicts, "pulled": got.patients,
                        "receipts_in": got.receipts, "handed_over": moved}
            except psycopg.Error:
                self._close()
                if not reused:
                    break
        return {}

    def close(self):
        self._close()
        if self.numbers:
            self.numbers.close()
        self.store.close()


def default_services() -> tuple:
    from kiosk.config import DEFAULT_SERVICES
    from kiosk.core.views import ServiceOption
    return tuple(ServiceOption(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], room=s["room"],
                               ticket_letter=s["ticket_letter"], minutes_per_patient=s["minutes_per_patient"])
                 for s in DEFAULT_SERVICES)

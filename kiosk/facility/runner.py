"""The kiosk's facility link, on its own thread and its own store connection: reconcile hand-overs
once, then push, pull and hand over stale uploads every `hub_push_seconds` or when woken (after
each ticket). The hub being away only makes a round do nothing; the kiosk works as before."""
from __future__ import annotations

import logging
import threading

import psycopg

from kiosk.facility import handover, pull, push
from kiosk.facility.dsn import hub_from_config

log = logging.getLogger(__name__)


class FacilityLink:
    def __init__(self, cfg, key: bytes, *, clock=None, handover_after: float = 120.0):
        self.cfg, self.key, self.clock = cfg, key, clock
        self.dsn = hub_from_config(cfg, role="kiosk")
        self.interval = float(cfg.get("hub_push_seconds", 2.0))
        self.handover_after = handover_after
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.online = False
        self.rounds = 0

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> "FacilityLink":
        self._thread = threading.Thread(target=self._main, name="facility-link", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _main(self) -> None:
        from kiosk.store.migrate import open_store
        store = open_store(self.cfg.data_dir, self.key, clock=self.clock)
        conn, reconciled = None, False
        pusher = push.Pusher(store, self.cfg.facility_code, self.cfg.kiosk_id)
        try:
            while not self._stop.is_set():
                try:
                    if conn is None or conn.closed:
                        assert self.dsn is not None  # a link exists only with a hub (wiring.facility_link)
                        conn = psycopg.connect(self.dsn, connect_timeout=2, autocommit=True)
                    if not reconciled:
                        handover.reconcile(conn, store, self.cfg.kiosk_id)
                        reconciled = True
                    pusher.push(conn)
                    pull.pull(conn, store, self.cfg.kiosk_id, retention_days=int(self.cfg.patient_retention_days))
                    handover.hand_over(conn, store, self.cfg.kiosk_id, older_than=self.handover_after)
                    self.online = True
                except psycopg.Error as exc:
                    if self.online:
                        log.warning("facility hub unreachable (%s): working alone", type(exc).__name__)
                    self.online = False
                    if conn is not None:
                        conn.close()
                    conn = None
                self.rounds += 1
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            if conn is not None:
                conn.close()
            store.close()

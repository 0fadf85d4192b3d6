"""The kiosk's facility link, on its own thread and its own store connection: confirm a hub
enrolment that provisioning left pending (kiosk.facility.enrol; refused: the link stops) and
reconcile hand-overs once, then rounds:
* after each local ticket (notify): push, at once (the desks see the ticket within the round trip);
* when the hub announces events (LISTEN hub_events: another kiosk's patient, a receipt), at most
  one such round per `hub_push_seconds`, and otherwise every FALLBACK_SECONDS: push, pull and hand
  over stale uploads.
After the first announcement the link UNLISTENs until its next pull (which LISTENs again before it
pulls, so nothing is missed): a busy hub costs each kiosk one wake-up per round, not one per event
of the whole facility. A ticket's round only pushes, and the cursors are written late
(kiosk.facility.cursors): the link's local writes empty the issuing connection's page cache, so
each one costs the next scan; a pull round writes only when it brings a patient new here.
No polling loop of seconds while the hub is up; while it is away, a reconnect is tried every
`hub_push_seconds`. The hub being away only makes a round do nothing; the kiosk works as before."""
from __future__ import annotations

import itertools
import logging
import os
import select
import threading
import time

import psycopg

from kiosk.facility import enrol, handover, pull, push
from kiosk.facility.cursors import LINK_PERSIST_SECONDS
from kiosk.facility.dsn import hub_from_config

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 30.0


class FacilityLink:
    def __init__(self, cfg, key: bytes, *, clock=None, handover_after: float = 120.0):
        self.cfg, self.key, self.clock = cfg, key, clock
        self.dsn = hub_from_config(cfg, role="kiosk")
        self.interval = float(cfg.get("hub_push_seconds", 2.0))
        self.handover_after = handover_after
        self._wake = threading.Event()
        self._pipe_r, self._pipe_w = os.pipe()       # wakes a select() on the hub connection
        os.set_blocking(self._pipe_r, False)
        self.hub_wakeups = 0
        self._asks = itertools.count(1)
        self._asked = 0                           # notify() calls so far
        self.pushed_asked = 0                     # of them, the last one a push round fully served
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.online = False
        self.rounds = 0
        self._listening = False
        self._pull_due = True                     # the first round pulls; then hub events and the fallback
        self._pulled_at = float("-inf")
        self.pulls = 0
        self.enrol_refused: str | None = None     # the hub refused the id provisioning left pending

    def notify(self) -> None:
        self._asked = next(self._asks)
        self._wake.set()
        try:
            os.write(self._pipe_w, b"x")
        except OSError:
            pass

    def wait_pushed(self, timeout: float) -> bool:
        """Until everything recorded before the last notify() is at the hub (False: not in `timeout`)."""
        deadline, asked = time.monotonic() + timeout, self._asked
        while self.pushed_asked < asked:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def start(self) -> "FacilityLink":
        self._thread = threading.Thread(target=self._main, name="facility-link", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.notify()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            for fd in (self._pipe_r, self._pipe_w):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _main(self) -> None:
        from kiosk.store.migrate import open_store
        store = open_store(self.cfg.data_dir, self.key, clock=self.clock)
        conn, reconciled = None, False
        pusher = push.Pusher(store, self.cfg.facility_code, self.cfg.kiosk_id, persist_every=LINK_PERSIST_SECONDS)
        try:
            while not self._stop.is_set():
                try:
                    if conn is None or conn.closed:
                        assert self.dsn is not None  # a link exists only with a hub (wiring.facility_link)
                        conn = psycopg.connect(self.dsn, connect_timeout=2, autocommit=True)
                        self._listening, self._pull_due, self._pulled_at = False, True, float("-inf")
                    if not reconciled:
                        self.enrol_refused = enrol.confirm_pending(conn, store)
                        if self.enrol_refused is not None:
                            # another machine holds this kiosk_id: pushing would mix two kiosks' MA_LKs
                            log.error("facility hub refused this kiosk's id: facility link off until the "
                                      "kiosk is provisioned again")
                            self.online = False
                            break
                        handover.reconcile(conn, store, self.cfg.kiosk_id)
                        reconciled = True
                    asked = self._asked
                    pusher.push(conn)
                    self.pushed_asked = max(self.pushed_asked, asked)
                    if self._pull_due and time.monotonic() >= self._pulled_at + self.interval:
                        self._pull_round(conn, store, pusher.cursors)
                    self.online = True
                except psycopg.Error as exc:
                    if self.online:
                        log.warning("facility hub unreachable (%s): working alone", type(exc).__name__)
                    self.online = False
                    if conn is not None:
                        conn.close()
                    conn = None
                self.rounds += 1
                self._sleep(conn)
        finally:
            try:
                pusher.cursors.flush()
            except Exception as exc:      # written next time: the hub ignores what it is sent again
                log.warning("facility cursors not written (%s)", type(exc).__name__)
            if conn is not None:
                conn.close()
            store.close()

    def _pull_round(self, conn, store, cursors) -> None:
        if not self._listening:
            conn.execute("LISTEN hub_events")
            self._listening = True
        got = pull.pull(conn, store, self.cfg.kiosk_id, retention_days=int(self.cfg.patient_retention_days),
                        cursors=cursors, interrupt=self._wake.is_set)
        if not got.complete:        # a ticket waits: push it, then the next round goes on pulling
            return
        handover.hand_over(conn, store, self.cfg.kiosk_id, older_than=self.handover_after,
                           pushed=cursors.get("push.outbox"))
        self._pull_due, self._pulled_at = False, time.monotonic()
        self.pulls += 1

    def _sleep(self, conn) -> None:
        """Until a local ticket (notify), or the next pull round: `interval` after the last one once
        the hub announced events, FALLBACK_SECONDS after it otherwise; offline, `interval` (the next
        reconnect)."""
        if conn is None or conn.closed:
            self._wake.wait(self.interval)
            self._drain_pipe()
            return
        while not self._stop.is_set():
            if self._wake.is_set():
                break
            wait = self.interval if self._pull_due else max(FALLBACK_SECONDS, self.interval)
            left = self._pulled_at + wait - time.monotonic()
            if left <= 0:
                self._pull_due = True
                break
            ready, _, _ = select.select([conn.fileno(), self._pipe_r], [], [], left)
            if self._pipe_r in ready:
                break
            if ready:
                try:
                    for _ in conn.notifies(timeout=0.0):
                        pass
                    if self._listening:               # the pull reads everything: no more wake-ups till then
                        conn.execute("UNLISTEN hub_events")
                        self._listening = False
                except psycopg.Error:
                    break                             # the hub went away: the next round says so
                self.hub_wakeups += 1
                self._pull_due = True                 # coalesced: at most one pull round per `interval`
        self._wake.clear()
        self._drain_pipe()

    def _drain_pipe(self) -> None:
        try:
            while os.read(self._pipe_r, 512):
                pass
        except (BlockingIOError, OSError):
            pass

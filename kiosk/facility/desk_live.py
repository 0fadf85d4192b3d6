"""The desk's live link to the hub, off the UI thread: a thread blocks on LISTEN hub_events
(`DeskFeed.wait`) and calls `on_change(n)` when events arrive; `on_state(online)` fires the moment
the LISTEN connection dies or comes back. No polling of data: between notifications the thread only
sends a keepalive (`SELECT 1`, every `keepalive_s`) so a hub that vanished without closing the
socket is noticed within about `keepalive_s` + the TCP user timeout. TCP keepalives are asked for
too (ignored on unix sockets, where a stopped server closes the connection at once).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Callable

from psycopg.conninfo import make_conninfo

from kiosk.facility.listen import DeskFeed

log = logging.getLogger(__name__)

KEEPALIVE = {"keepalives": 1, "keepalives_idle": 1, "keepalives_interval": 1, "keepalives_count": 2,
             "tcp_user_timeout": 2000, "connect_timeout": 2}


class DeskLive:
    def __init__(self, dsn: str, *, keepalive_s: float = 0.5, stall_s: float = 1.0):
        self.feed = DeskFeed(make_conninfo(dsn, **KEEPALIVE))
        self.keepalive_s = keepalive_s
        self.stall_s = stall_s
        self._state_lock = threading.Lock()
        self.on_change: Callable[[int], None] | None = None
        self.on_state: Callable[[bool], None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.online = False
        self.changes = 0

    def start(self, on_change: Callable[[int], None] | None = None,
              on_state: Callable[[bool], None] | None = None) -> "DeskLive":
        self.on_change, self.on_state = on_change or self.on_change, on_state or self.on_state
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="desk-live", daemon=True)
            self._thread.start()
        return self

    def _set_online(self, online: bool) -> None:
        with self._state_lock:
            if online == self.online:
                return
            self.online = online
        log.info("desk live link: hub %s", "reachable" if online else "LOST")
        if self.on_state is not None:
            self.on_state(online)

    def _ping(self) -> None:
        """`SELECT 1` under a watchdog: a hub that stopped answering without closing the connection
        (frozen, or a network path gone silent) is declared lost after `stall_s`, and the
        socket is shut so the blocked call returns."""
        conn = self.feed._conn
        if conn is None or conn.closed:
            return
        dog = threading.Timer(self.stall_s, self._stalled, args=(conn,))
        dog.daemon = True
        dog.start()
        try:
            conn.execute("SELECT 1")
        except Exception:   # noqa: BLE001 - any failure means the link is gone
            self.feed.online = False
            try:
                conn.close()
            except Exception:   # noqa: BLE001
                pass
        finally:
            dog.cancel()

    def _stalled(self, conn) -> None:
        self.feed.online = False
        self._set_online(False)
        try:
            s = socket.socket(fileno=os.dup(conn.pgconn.socket))
            s.shutdown(socket.SHUT_RDWR)
            s.close()
        except Exception:   # noqa: BLE001 - already gone
            pass

    def _run(self) -> None:
        last_ping = time.monotonic()
        while not self._stop.is_set():
            n = self.feed.wait(timeout=self.keepalive_s)
            if self.feed.online and time.monotonic() - last_ping >= self.keepalive_s:
                self._ping()
                last_ping = time.monotonic()
            was = self.online
            self._set_online(self.feed.online)
            if n or (self.online and not was):       # back online: the list may have moved meanwhile
                self.changes += n
                if self.on_change is not None:
                    self.on_change(n)
            if not self.feed.online:
                self._stop.wait(0.5)                  # reconnection is tried on the next wait()

    def wait_online(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.online:
            time.sleep(0.05)
        return self.online

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.feed.close()

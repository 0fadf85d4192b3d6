"""The waiting-room display's feed through the facility hub: LISTEN hub_queue (hub migration 0004
notifies once per changing statement), re-read the board only when told, and no polling of the
queue tables.

`poll()` and `wait()` are called by kiosk.calling.background.BackgroundFeed on its own thread,
never on the Qt thread. When the hub goes away (stopped, failed over, cable out) the feed reports
`stale` after STALE_AFTER_S, the screen shows "Đang cập nhật… / Updating…", and the feed reconnects
by itself (every REOPEN_EVERY_S); a silent network is caught by a liveness query each wait.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import psycopg

from kiosk.calling.feed import REOPEN_EVERY_S, STALE_AFTER_S, FeedState
from kiosk.calling.service import CallingSettings
from kiosk.core.clock import Clock, SystemClock, local_day
from kiosk.core.queue.board import Board, build_board
from kiosk.core.queue.model import Counter
from kiosk.facility.calling import COLS, entry_of

log = logging.getLogger(__name__)
GAP_SECONDS = 30.0


class HubDisplayFeed:
    def __init__(self, connect: Callable[[], psycopg.Connection], facility_code: str, settings: CallingSettings,
                 services: list[dict], *, clock: Clock | None = None, calls_shown: int = 6):
        self._connect, self.facility = connect, facility_code
        self.settings, self.services = settings, services
        self.clock = clock or SystemClock()
        self.calls_shown = calls_shown
        self._conn: psycopg.Connection | None = None
        self._dirty = True
        self._day: str | None = None
        self._board: Board | None = None
        self._last_ok = self.clock.monotonic()
        self._last_try = -1e9
        self._last_call_id: int | None = None
        self._gaps: dict[int, float] = {}      # call ids not yet seen below the cursor -> since when
        self.version = 0
        self._stop = threading.Event()

    # ------------------------------------------------------------ the feed protocol
    def poll(self) -> FeedState:
        now_m = self.clock.monotonic()
        try:
            if self._conn is None:
                if now_m - self._last_try < REOPEN_EVERY_S:
                    return self._stale(now_m)
                self._last_try = now_m
                conn = self._connect()
                conn.autocommit = True
                conn.execute("LISTEN hub_queue")
                self._conn, self._dirty = conn, True
            day = local_day(self.clock.now())
            if not self._dirty and day == self._day and self._board is not None:
                self._last_ok = now_m
                return FeedState(self._board, False, False)
            self._dirty = False
            new_calls = self._new_calls()
            self._board, self._day = self._read(day), day
            self._last_ok = now_m
            return FeedState(self._board, False, True, new_calls)
        except psycopg.Error as exc:
            log.warning("hub display feed: %s", type(exc).__name__)
            self._drop()
            return self._stale(now_m)

    def wait(self, timeout: float) -> None:
        """Block until the hub announces a change (or `timeout`); a dead link is found here."""
        conn = self._conn
        if conn is None:
            self._stop.wait(min(timeout, REOPEN_EVERY_S))
            return
        try:
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                self._dirty = True
            if not self._dirty:
                conn.execute("SELECT 1")          # liveness: a silent network shows as an error
        except psycopg.Error as exc:
            log.warning("hub display feed lost the hub: %s", type(exc).__name__)
            self._drop()

    def close(self) -> None:
        self._stop.set()
        self._drop()

    # ------------------------------------------------------------ reading
    def _stale(self, now_m: float) -> FeedState:
        if self._board is not None and now_m - self._last_ok < STALE_AFTER_S:
            return FeedState(self._board, False, False)
        return FeedState(None, True, True)

    def _db(self) -> psycopg.Connection:
        assert self._conn is not None
        return self._conn

    def _new_calls(self) -> tuple[dict, ...]:
        """Calls after the cursor, and any missing below it: ids come from a sequence, so the call
        that took id 10 may commit after the one that took 11 (two counters at once). A gap is asked
        for again until it fills or GAP_SECONDS pass (a rolled-back call leaves it for ever)."""
        if self._last_call_id is None:          # first read: announce nothing from before we started
            row = self._db().execute("SELECT coalesce(max(id), 0) FROM hub_queue_calls WHERE facility_code = %s",
                                     (self.facility,)).fetchone()
            self._last_call_id = row[0] if row else 0
            return ()
        now_m = self.clock.monotonic()
        self._gaps = {i: t for i, t in self._gaps.items() if now_m - t < GAP_SECONDS}
        rows = self._db().execute(
            "SELECT id, number, counter_id, room, kind, at FROM hub_queue_calls WHERE facility_code = %s "
            "AND (id > %s OR id = ANY(%s)) ORDER BY id", (self.facility, self._last_call_id, list(self._gaps))).fetchall()
        out = []
        for r in rows:
            self._gaps.pop(r[0], None)
            if r[0] > self._last_call_id:
                for missing in range(self._last_call_id + 1, r[0]):
                    self._gaps[missing] = now_m
                self._last_call_id = r[0]
            out.append({"id": r[0], "number": r[1], "counter_id": r[2], "room": r[3], "kind": r[4],
                        "at": r[5].isoformat()})
        return tuple(out)

    def _read(self, day: str) -> Board:
        db = self._db()
        counters = [Counter(r[0], r[1], r[2], r[3], tuple(r[4])) for r in db.execute(
            "SELECT id, name_vi, name_en, room, services FROM hub_counters WHERE facility_code = %s ORDER BY id",
            (self.facility,))] or list(self.settings.counters)
        entries = [entry_of(r) for r in db.execute(
            f"SELECT {COLS} FROM hub_queue_entries WHERE facility_code = %s AND day = %s "
            f"AND state IN ('waiting', 'called', 'in_service')", (self.facility, day))]
        calls = [{"id": r[0], "number": r[1], "counter_id": r[2], "room": r[3], "kind": r[4], "at": r[5].isoformat()}
                 for r in db.execute(
                     "SELECT id, number, counter_id, room, kind, at FROM hub_queue_calls WHERE facility_code = %s "
                     "AND day = %s ORDER BY id DESC LIMIT %s", (self.facility, day, 4 * self.calls_shown))]
        durations: dict[str, list[float]] = {s["code"]: [] for s in self.services}
        for code, minutes in db.execute(
                "SELECT service_code, extract(epoch FROM finished_at - started_at) / 60.0 FROM ("
                " SELECT service_code, started_at, finished_at, row_number() OVER (PARTITION BY service_code "
                " ORDER BY finished_at DESC) AS n FROM hub_queue_entries WHERE facility_code = %s AND state = 'done' "
                " AND started_at IS NOT NULL AND finished_at IS NOT NULL) t WHERE n <= 30 ORDER BY finished_at",
                (self.facility,)):
            durations.setdefault(code, []).append(max(0.0, float(minutes)))
        self.version += 1
        return build_board(entries=entries, calls=calls, counters=counters, services=self.services,
                           durations=durations, now=self.clock.now(), policy=self.settings.policy,
                           calls_shown=self.calls_shown, version=self.version)

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:   # already broken
                pass
        self._conn = None

"""The desk's live read model of the whole facility: LISTEN hub_events, read the event feed from a
cursor (no polling loop), keep the visits of the day in memory.

`DeskFeed.wait(timeout)` blocks on the connection's notifications and applies the events they carry
(hub migration 0009: the event is the payload), so a busy lobby costs the hub no read per desk per
wake-up; on reconnection it resumes from its last event id in the feed, so nothing is missed. When the hub is gone, `online` turns False at once and
`require_online()` refuses writes the desk cannot make safely.
"""
from __future__ import annotations

import json
import select
import threading
import time
from datetime import datetime
from typing import Callable

import psycopg


GAP_SECONDS = 30.0


class HubUnavailable(RuntimeError):
    """The desk cannot reach the hub: staff see this, and nothing is written."""

    def __init__(self):
        super().__init__("Mất kết nối với máy chủ của bệnh viện: chưa thể thay đổi hàng đợi từ quầy này / "
                         "hub unreachable: the facility queue cannot be changed from this desk now")


class DeskFeed:
    def __init__(self, dsn: str, *, on_change: Callable[[dict], None] | None = None):
        self.dsn = dsn
        self.on_change = on_change
        self.visits: dict[str, dict] = {}
        self.cursor = 0
        self.online = False
        self._conn: psycopg.Connection | None = None
        self._stop = threading.Event()
        self._gaps: dict[int, float] = {}
        self._backlog: list[str] = []       # notifications that arrived during a query

    def connect(self) -> None:
        self._conn = conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=2)
        conn.add_notify_handler(lambda n: self._backlog.append(n.payload))
        conn.execute("LISTEN hub_events")
        self.online = True
        if not self.visits:
            self._load()
        self._catch_up()

    def _db(self) -> psycopg.Connection:
        assert self._conn is not None  # connect() ran
        return self._conn

    def _load(self) -> None:
        top = self._db().execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        assert top is not None  # an aggregate always answers one row
        self.cursor = top[0]
        for row in self._db().execute(
                "SELECT ma_lk, kiosk_id, service_code, ticket_number, status, conflict, checked_in_at "
                "FROM visits WHERE visit_day >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - 1"):
            self._put(row)

    def _put(self, row) -> dict:
        ma_lk, kiosk, service, number, status, conflict, at = row
        v = {"ma_lk": ma_lk, "kiosk": kiosk, "service": service, "ticket": number, "status": status,
             "conflict": conflict, "checked_in_at": at}
        self.visits[ma_lk] = v
        return v

    def _catch_up(self) -> int:
        """Apply events after the cursor, and any that were missing below it: event ids come from a
        sequence, so a transaction that took id 10 may commit after the one that took id 11. A gap
        is re-read until it fills or GAP_SECONDS pass (a rolled-back transaction leaves it forever)."""
        now = time.monotonic()
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_SECONDS}
        rows = self._db().execute(
            "SELECT e.id, v.ma_lk, v.kiosk_id, v.service_code, v.ticket_number, v.status, v.conflict, v.checked_in_at "
            "FROM events e LEFT JOIN visits v ON v.ma_lk = e.ma_lk WHERE e.id > %s OR e.id = ANY(%s) ORDER BY e.id",
            (self.cursor, list(self._gaps))).fetchall()
        for r in rows:
            eid = r[0]
            self._gaps.pop(eid, None)
            if eid > self.cursor:
                for missing in range(self.cursor + 1, eid):
                    self._gaps[missing] = now
                self.cursor = eid
            if r[1] is not None:
                v = self._put(r[1:])
                if self.on_change:
                    self.on_change(v)
        return len(rows)

    def _apply(self, payloads: list[str]) -> tuple[int, bool]:
        """Apply events carried by notifications; (how many, whether the feed must be read: a bare
        event id, from a payload too large for NOTIFY or an older hub)."""
        applied, read_feed = 0, False
        if self._gaps:          # ids of rolled-back transactions never come: forget them after a while
            now = time.monotonic()
            self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_SECONDS}
        for text in payloads:
            try:
                event = json.loads(text)
            except ValueError:
                event = None
            if not isinstance(event, dict) or "id" not in event:
                read_feed = True
                continue
            eid = int(event["id"])
            self._gaps.pop(eid, None)
            if eid > self.cursor:
                now = time.monotonic()
                for missing in range(self.cursor + 1, eid):
                    self._gaps[missing] = now
                self.cursor = eid
            applied += 1
            ma_lk = event.get("ma_lk")
            v: dict | None
            if str(event.get("kind", "")).startswith("visit.") and ma_lk:
                at = event.get("checked_in_at")
                v = self._put((ma_lk, event.get("kiosk"), event.get("service"), event.get("ticket"), event.get("status"),
                               bool(event.get("conflict")), datetime.fromisoformat(at) if at else None))
            else:
                v = self.visits.get(ma_lk) if ma_lk else None
            if v is not None and self.on_change:
                self.on_change(v)
        return applied, read_feed

    def _receive(self, conn, timeout: float) -> list[str]:
        """Every notification already here, else the first within `timeout`: libpq's own queue read
        directly (psycopg's notifies() generator costs about twice the CPU per event, which five
        desks pay on every check-in of a busy lobby)."""
        got, self._backlog = self._backlog, []
        if not got and not select.select([conn.fileno()], [], [], timeout)[0]:
            return got
        pg = conn.pgconn
        pg.consume_input()
        while (n := pg.notifies()) is not None:
            got.append(n.extra.decode("utf-8"))
        if not got:     # readable but no notification: a notice, or the hub going away (this raises then)
            conn.execute("SELECT 1")
        return got

    def wait(self, timeout: float = 1.0) -> int:
        """Block until the hub announces events (or `timeout`); apply them; return how many. While
        connected every committed event is announced, so only a reconnect reads the feed (and its
        gaps: ids taken by transactions still open then)."""
        if self._conn is None or self._conn.closed:
            try:
                self.connect()
            except psycopg.Error:
                self.online = False
                self._stop.wait(min(timeout, 1.0))
                return 0
        conn = self._db()
        try:
            applied, read_feed = self._apply(self._receive(conn, timeout))
            return applied + self._catch_up() if read_feed else applied
        except psycopg.Error:
            self.online = False
            try:
                conn.close()
            except Exception:
                pass
            return 0

    def require_online(self) -> None:
        if not self.online or self._conn is None or self._conn.closed:
            raise HubUnavailable()

    def close(self) -> None:
        self._stop.set()
        if self._conn is not None:
            self._conn.close()

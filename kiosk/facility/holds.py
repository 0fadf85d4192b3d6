"""Numbers a busy kiosk holds ahead of its next patient (hub migration 0010).

Online, a ticket number is one atomic allocation from the service's facility series (`hub_allocate`):
the series row's lock and a durable commit, both of which wait for the hub's CPU and disk when the
facility is busy. A kiosk that is busy (its previous ticket for the service was less than
`hold_seconds` ago) therefore takes the next number of the series in the background after each
ticket (`hub_hold`, committed durably) and keeps it here; the next scan only claims it
(`hub_claim`: the facility-wide "already ticketed?" check and the allocation record, no series lock,
no wait for the WAL flush).

Rules that keep every number unique and in order:
- a hold is claimed or given back by its kiosk only, and only once: `take` removes it from here
  before the claim is sent, so a claim whose answer is lost is never followed by another use of it
  (on an error the hold is put back: a claim that did commit deleted it at the hub, and the hub
  then refuses it and allocates afresh);
- the hub uses a held number only while it is within `hub_hold_reach()` (50) of the series' newest
  number, else it stays a gap: a ticket's number is never far behind the ones issued just before;
- the kiosk gives its holds back when it stops; the series' next allocation takes them first while
  they are within reach; a kiosk killed outright leaves its holds as gaps.
A kiosk that is not busy holds nothing: quiet times number exactly as `hub_allocate` alone does.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import psycopg

log = logging.getLogger(__name__)

Key = tuple[str, str]       # (day, service)


class HeldNumbers:
    def __init__(self, connect: Callable[[], psycopg.Connection], facility: str, kiosk: str, hold_seconds: float,
                 clock: Callable[[], float]):
        self._connect = connect
        self.facility, self.kiosk = facility, kiosk
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._held: dict[Key, int] = {}
        self._last: dict[Key, float] = {}
        self._pending: set[Key] = set()
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.held_count = 0
        self.given_back = 0

    def take(self, day: str, service: str) -> tuple[int | None, bool]:
        """(the kiosk's hold for this series, removed from here, or None; whether the kiosk is busy
        on it: its previous ticket for the series was at most `hold_seconds` ago)."""
        now, key = self._clock(), (day, service)
        with self._lock:
            for other in [k for k in self._held if k[0] != day]:
                del self._held[other]           # another day's series: nobody will call it any more
            got = self._held.pop(key, None)
            busy = now - self._last.get(key, float("-inf")) <= self.hold_seconds
            self._last[key] = now
        return got, busy

    def refill(self, day: str, service: str) -> None:
        """Hold the series' next number in the background (one hold per series at a time)."""
        with self._lock:
            if (day, service) in self._held or (day, service) in self._pending:
                return
            self._pending.add((day, service))
        self._submit(self._hold, day, service)

    def put_back(self, day: str, service: str, seq: int) -> None:
        """A claim the hub refused without using the hold (the patient was already ticketed)."""
        with self._lock:
            if (day, service) not in self._held:
                self._held[(day, service)] = seq
                return
        self._submit(self._give_back, day, service, seq)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every hold and give-back asked for so far has been answered (tests, shutdown)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result(timeout)

    def holding(self) -> dict[Key, int]:
        with self._lock:
            return dict(self._held)

    # ------------------------------------------------------------ the hold thread

    def _submit(self, fn, *args) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="hub-holds")
        self._pool.submit(fn, *args)

    def _call(self, sql: str, args: tuple):
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
            row = self._conn.execute(sql, args).fetchone()
            return None if row is None else row[0]
        except psycopg.Error as exc:
            log.info("hub hold call failed (%s)", type(exc).__name__)
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:
                    pass
                self._conn = None
            return None

    def _hold(self, day: str, service: str) -> None:
        try:
            seq = self._call("SELECT hub_hold(%s, %s, %s, %s)", (self.facility, day, service, self.kiosk))
        finally:
            with self._lock:
                self._pending.discard((day, service))
        if seq is None:
            return
        with self._lock:
            spare = (day, service) in self._held
            if not spare:
                self._held[(day, service)] = int(seq)
                self.held_count += 1
        if spare:
            self._give_back(day, service, int(seq))

    def _give_back(self, day: str, service: str, seq: int) -> None:
        if self._call("SELECT hub_give_back(%s, %s, %s, %s, %s)", (self.facility, day, service, seq, self.kiosk)):
            self.given_back += 1

    def close(self) -> None:
        """Give every unused hold back (best effort: a hub that does not answer keeps them as gaps)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        with self._lock:
            held, self._held = self._held, {}
        for (day, service), seq in held.items():
            self._give_back(day, service, seq)
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
